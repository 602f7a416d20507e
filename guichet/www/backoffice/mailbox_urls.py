"""Back-office pages of guichet.mailbox, in the backoffice namespace."""

from django.urls import path

from guichet.www.backoffice.views import mailbox

urlpatterns: list = [
    path("boites/", mailbox.mailboxes, name="mailboxes"),
    path("boites/nouvelle/", mailbox.mailbox_create_view, name="mailbox_create"),
    path("boites/<int:pk>/", mailbox.mailbox_edit, name="mailbox_edit"),
    path("boites/<int:pk>/tester/", mailbox.mailbox_test, name="mailbox_test"),
    path("quarantaine/", mailbox.mail_quarantine, name="mail_quarantine"),
    path("quarantaine/<int:pk>/", mailbox.mail_quarantine_detail, name="mail_quarantine_detail"),
    path(
        "quarantaine/<int:pk>/liberer/",
        mailbox.mail_quarantine_release,
        name="mail_quarantine_release",
    ),
    path(
        "quarantaine/<int:pk>/ecarter/",
        mailbox.mail_quarantine_discard,
        name="mail_quarantine_discard",
    ),
    path("quarantaine/<int:pk>/original/", mailbox.mail_quarantine_raw, name="mail_quarantine_raw"),
]
