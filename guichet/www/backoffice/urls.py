from django.urls import include, path

from guichet.www.backoffice.views import cases, contacts, desk, queue, search, settings_home

app_name = "backoffice"
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("demandes/<int:pk>/", cases.case_detail, name="case_detail"),
    path("demandes/<int:pk>/prendre/", cases.case_take, name="case_take"),
    path("demandes/<int:pk>/attribuer/", cases.case_assign, name="case_assign"),
    path("demandes/<int:pk>/statut/", cases.case_status, name="case_status"),
    path("demandes/<int:pk>/priorite/", cases.case_priority, name="case_priority"),
    path("demandes/<int:pk>/note/", cases.case_note, name="case_note"),
    path("demandes/<int:pk>/reponse/", cases.case_reply, name="case_reply"),
    path("demandes/<int:pk>/transfert/", cases.case_transfer, name="case_transfer"),
    path("demandes/<int:pk>/doublon/", cases.case_duplicate, name="case_duplicate"),
    path("pieces/<int:pk>/", cases.attachment_download, name="attachment"),
    path("usagers/<int:pk>/", contacts.contact_detail, name="contact_detail"),
    path("usagers/<int:pk>/modifier/", contacts.contact_edit, name="contact_edit"),
    path("usagers/<int:pk>/membres/", contacts.member_add, name="contact_member_add"),
    path(
        "usagers/<int:pk>/membres/<int:person_pk>/retirer/",
        contacts.member_remove,
        name="contact_member_remove",
    ),
    path(
        "usagers/<int:pk>/membres/chercher/", contacts.member_search, name="contact_member_search"
    ),
    path("usagers/doublons/", contacts.contact_duplicates, name="contact_duplicates"),
    path(
        "usagers/<int:pk>/doublons/<int:other_pk>/ecarter/",
        contacts.contact_duplicate_dismiss,
        name="contact_duplicate_dismiss",
    ),
    path(
        "usagers/<int:pk>/fusionner/<int:other_pk>/",
        contacts.contact_merge_review,
        name="contact_merge",
    ),
    path("usagers/fusions/", contacts.contact_merges, name="contact_merges"),
    path("usagers/fusions/<int:pk>/", contacts.contact_merge_detail, name="contact_merge_detail"),
    path(
        "usagers/fusions/<int:pk>/annuler/",
        contacts.contact_merge_undo_view,
        name="contact_merge_undo",
    ),
    path("guichet/", desk.desk, name="desk"),
    path("guichet/usagers/", desk.desk_matches, name="desk_matches"),
    path("collectivite/", desk.authority_switch, name="authority_switch"),
    path("recherche/", search.search, name="search"),
    path("parametres/", settings_home.settings_home, name="settings_home"),
    path("courrier/", include("guichet.www.backoffice.register_urls")),
    path("telephonie/", include("guichet.www.backoffice.telephony_urls")),
    path("courriels/", include("guichet.www.backoffice.mailbox_urls")),
    path("modeles/", include("guichet.www.backoffice.letters_urls")),
    path("fiches/", include("guichet.www.backoffice.knowledge_urls")),
    path("orientation/", include("guichet.www.backoffice.routing_urls")),
    path("accuses/", include("guichet.www.backoffice.acknowledgement_urls")),
    path("territoires/", include("guichet.www.backoffice.territories_urls")),
    path("signalements/", include("guichet.www.backoffice.reports_urls")),
    path("interventions/", include("guichet.www.backoffice.workorders_urls")),
    path("cles-api/", include("guichet.www.backoffice.api_urls")),
]
