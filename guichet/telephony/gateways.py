"""SMS gateways: one small class per way of handing a message to an operator, chosen by
GUICHET_SMS_BACKEND. A gateway sends one message and returns the provider's message id, or
raises SmsGatewayError."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class SmsGatewayError(Exception):
    """The gateway did not take the message (it may be retried)."""


class SmsNotConfigured(SmsGatewayError):
    pass


class SmsGateway:
    def send(self, *, to: str, text: str, sender: str, reference: str) -> str:
        raise NotImplementedError


class HttpGateway(SmsGateway):
    """A generic provider: POST of JSON {to, text, sender, reference} with a bearer token;
    the answer is JSON with the provider's message id ("id" or "message_id")."""

    def __init__(self, *, url: str = "", token: str = "", timeout: int | None = None):
        self.url = url or settings.GUICHET_SMS_URL
        self.token = token or settings.GUICHET_SMS_TOKEN
        self.timeout = timeout or settings.GUICHET_SMS_TIMEOUT
        if not self.url or not self.token:
            raise SmsNotConfigured(
                _(
                    "La passerelle SMS n'a pas d'adresse ou de jeton "
                    "(GUICHET_SMS_URL, GUICHET_SMS_TOKEN)."
                )
            )

    def send(self, *, to: str, text: str, sender: str, reference: str) -> str:
        payload = json.dumps(
            {"to": to, "text": text, "sender": sender, "reference": reference}
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=payload,
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as error:
            raise SmsGatewayError(f"HTTP {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise SmsGatewayError(str(error)) from error
        try:
            answer = json.loads(body or b"{}")
        except ValueError as error:
            raise SmsGatewayError("invalid JSON answer") from error
        if not isinstance(answer, dict):
            raise SmsGatewayError("unexpected answer")
        message_id = answer.get("id") or answer.get("message_id")
        if not message_id:
            raise SmsGatewayError("no message id in the answer")
        return str(message_id)


class ConsoleGateway(SmsGateway):
    """For development: the message is written to the log instead of being sent."""

    def send(self, *, to: str, text: str, sender: str, reference: str) -> str:
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        logger.info("SMS %s to …%s (%s): %s", reference, to[-2:], message_id, text)
        return message_id


BACKENDS = {"http": HttpGateway, "console": ConsoleGateway}


def sms_gateway() -> SmsGateway:
    """The gateway named by GUICHET_SMS_BACKEND; SmsNotConfigured (French message) if none."""
    name = (settings.GUICHET_SMS_BACKEND or "").strip()
    if not name:
        raise SmsNotConfigured(
            _("Aucune passerelle SMS n'est configurée : l'envoi de SMS n'est pas disponible.")
        )
    cls = BACKENDS.get(name) or import_string(name)
    return cls()


def sms_configured() -> bool:
    try:
        sms_gateway()
    except SmsNotConfigured:
        return False
    return True
