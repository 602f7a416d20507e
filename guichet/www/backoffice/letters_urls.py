"""Back-office pages of guichet.letters, in the backoffice namespace."""

from django.urls import path

from guichet.www.backoffice.views import letters

urlpatterns = [
    path("", letters.reply_templates, name="reply_templates"),
    path("nouveau/", letters.reply_template_create, name="reply_template_create"),
    path("<int:pk>/", letters.reply_template_edit, name="reply_template_edit"),
    path("apercu/", letters.reply_template_preview, name="reply_template_preview"),
    path("demandes/<int:pk>/remplir/", letters.reply_template_render, name="reply_template_render"),
]
