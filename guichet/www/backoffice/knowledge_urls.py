"""Back-office pages of the knowledge base, in the backoffice namespace."""

from django.urls import path

from guichet.www.backoffice.views import knowledge

urlpatterns = [
    path("", knowledge.knowledge_list, name="knowledge_list"),
    path("nouvelle/", knowledge.knowledge_create, name="knowledge_create"),
    path("nouveautes/", knowledge.knowledge_digest, name="knowledge_digest"),
    path("suggestions/", knowledge.knowledge_suggestions, name="knowledge_suggestions"),
    path("<int:pk>/", knowledge.knowledge_detail, name="knowledge_detail"),
    path("<int:pk>/modifier/", knowledge.knowledge_edit, name="knowledge_edit"),
    path("<int:pk>/historique/", knowledge.knowledge_history, name="knowledge_history"),
    path("<int:pk>/lue/", knowledge.knowledge_read, name="knowledge_read"),
]
