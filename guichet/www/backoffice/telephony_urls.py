"""Back-office pages of guichet.telephony, in the backoffice namespace."""

from django.urls import path

from guichet.www.backoffice.views import telephony

urlpatterns = [
    path("appels/", telephony.calls, name="calls"),
    path("appels/manque/", telephony.call_missed, name="call_missed"),
    path("appels/<int:pk>/rappel/", telephony.call_back, name="call_back"),
    path("standard/", telephony.switchboard_report, name="switchboard_report"),
    path("standard/import/", telephony.switchboard_import, name="switchboard_import"),
    path(
        "standard/import/<int:pk>/",
        telephony.switchboard_import_detail,
        name="switchboard_import_detail",
    ),
    path(
        "standard/<int:pk>/rappel/", telephony.switchboard_call_back, name="switchboard_call_back"
    ),
    path("sms/", telephony.sms_list, name="sms_list"),
    path("sms/envoyer/<int:pk>/", telephony.sms_send, name="sms_send"),
]
