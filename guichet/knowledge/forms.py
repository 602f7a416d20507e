from django import forms
from django.utils.translation import gettext_lazy as _

from guichet.authorities.models import Membership, Service
from guichet.cases.models import Category
from guichet.knowledge.enums import VERSIONED_FIELDS
from guichet.knowledge.models import Article


class ArticleForm(forms.ModelForm):
    note = forms.CharField(
        label=_("Nature de la modification"),
        required=False,
        max_length=255,
        help_text=_("Dites en quelques mots ce qui change : les lecteurs le verront."),
    )

    class Meta:
        model = Article
        # The versioned fields, and who keeps the article current.
        fields = [*VERSIONED_FIELDS, "owner"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "competent": forms.Textarea(attrs={"rows": 2}),
            "documents": forms.Textarea(attrs={"rows": 3}),
            "delays": forms.Textarea(attrs={"rows": 2}),
            "fees": forms.Textarea(attrs={"rows": 2}),
            "where_when": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 6}),
            "review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "categories": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        from guichet.accounts.models import User

        self.fields["service"].queryset = Service.objects.filter(
            authority=authority, is_active=True
        ).order_by("name")
        self.fields["categories"].queryset = Category.objects.filter(
            authority=authority, is_active=True
        ).order_by("label")
        members = Membership.objects.filter(authority=authority).values("user_id")
        self.fields["owner"].queryset = User.objects.filter(
            pk__in=members, is_active=True
        ).order_by("last_name", "first_name")
