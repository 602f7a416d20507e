"""What SMS gateways call: incoming messages and delivery receipts. Each call is signed
with the gateway's shared secret (HMAC-SHA256 of the body, in X-Guichet-Signature); an
unsigned or wrongly signed call is refused with 403.

    POST /passerelles/sms/<authority slug>/
        {"id": "<provider message id>", "from": "+33612345678", "text": "…",
         "received_at": "2026-11-02T09:30:00+01:00"}           (received_at optional)
        201 stored, 200 already stored (same id), 400 unreadable, 404 unknown authority
    POST /passerelles/sms/<authority slug>/accuses/
        {"reference": "<our reference>" or "id": "<provider id>",
         "status": "delivered" | "failed" | "undelivered" | "expired" | "sent" …, "error": "…"}
        200 applied, 400 unreadable, 404 unknown message
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from guichet.authorities.models import Authority
from guichet.telephony.sms import UnknownMessage, sms_receipt_apply, sms_receive

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Guichet-Signature"


def sign(body: bytes, secret: str) -> str:
    """The signature a gateway puts in SIGNATURE_HEADER: "sha256=" and the hex HMAC."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(request) -> bool:
    secret = settings.GUICHET_SMS_WEBHOOK_SECRET
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not secret or not given:
        # Without a configured secret nothing is accepted: fail closed.
        return False
    return hmac.compare_digest(sign(request.body, secret), given.strip())


def _payload(request):
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _authority(slug: str) -> Authority:
    return get_object_or_404(Authority, slug=slug, is_active=True)


@csrf_exempt
@require_POST
def sms_inbound(request, slug: str):
    if not signature_valid(request):
        return HttpResponseForbidden("Signature invalide.")
    authority = _authority(slug)
    data = _payload(request)
    if data is None:
        return _error("Corps JSON attendu.")
    received_at = None
    if data.get("received_at"):
        try:
            received_at = parse_datetime(str(data["received_at"]))
        except ValueError:
            received_at = None
        if received_at is None or received_at.tzinfo is None:
            return _error("Date de réception illisible (ISO 8601 avec fuseau attendu).")
        received_at = received_at.astimezone(dt.UTC)
    try:
        interaction, created = sms_receive(
            authority=authority,
            provider_id=str(data.get("id") or ""),
            sender=str(data.get("from") or ""),
            body=str(data.get("text") or ""),
            received_at=received_at,
        )
    except ValidationError as error:
        return _error(" ".join(error.messages))
    logger.info("Incoming SMS stored as interaction %s (new: %s)", interaction.pk, created)
    return JsonResponse(
        {"status": "stored" if created else "duplicate"}, status=201 if created else 200
    )


@csrf_exempt
@require_POST
def sms_receipt(request, slug: str):
    if not signature_valid(request):
        return HttpResponseForbidden("Signature invalide.")
    authority = _authority(slug)
    data = _payload(request)
    if data is None:
        return _error("Corps JSON attendu.")
    try:
        interaction = sms_receipt_apply(
            authority=authority,
            provider_id=str(data.get("id") or ""),
            reference=str(data.get("reference") or ""),
            status=str(data.get("status") or ""),
            error=str(data.get("error") or ""),
        )
    except ValidationError as error:
        return _error(" ".join(error.messages))
    except UnknownMessage:
        return _error("Message inconnu.", status=404)
    return JsonResponse({"status": interaction.delivery_status})
