from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from guichet.accounts.models import User


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse électronique"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("Adresse électronique ou mot de passe incorrect."),
        "inactive": _("Ce compte est désactivé."),
        "throttled": _(
            "Trop de tentatives de connexion : pour protéger ce compte, réessayez dans "
            "%(minutes)d minutes ou choisissez un nouveau mot de passe."
        ),
    }

    def clean(self):
        from django.conf import settings

        from guichet.accounts import throttle
        from guichet.core.ratelimit import client_address

        email = (self.cleaned_data.get("username") or "").strip()
        ip = client_address(self.request)
        if email and throttle.is_blocked(email, ip):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": settings.GUICHET_LOGIN_BLOCK_SECONDS // 60},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if email:
                throttle.record_failure(email, ip)
            raise
        throttle.record_success(email)
        return cleaned


class RegisterForm(forms.Form):
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Adresse électronique"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _(
                    "Un compte existe déjà avec cette adresse : connectez-vous ou réinitialisez "
                    "votre mot de passe."
                )
            )
        return email

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            user = User(
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data
