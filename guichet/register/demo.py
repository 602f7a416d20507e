"""Demo entries of the mail register: a few dozen letters received and sent over the last
weeks, some registered with a return receipt, some opening cases, some joining them.

Everything goes through the register's services, so the rows have their real shape
(numbers, exchanges, events). Running it twice adds nothing: each letter has a fixed form
key."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from guichet.authorities.enums import Role
from guichet.cases.enums import OPEN_STATUSES
from guichet.cases.models import Case, Category
from guichet.contacts.models import Contact
from guichet.core.files import CheckedFile

INCOMING_SUBJECTS = (
    "Demande de place de stationnement pour personne handicapée",
    "Contestation d'un avis de paiement de cantine",
    "Demande d'autorisation d'occupation du domaine public",
    "Signalement d'un arbre dangereux",
    "Demande de copie d'acte de mariage",
    "Réclamation sur la collecte des encombrants",
    "Demande de subvention pour la fête de quartier",
    "Plainte pour nuisances sonores",
    "Demande de rendez-vous avec le maire",
    "Recours gracieux contre un refus de permis",
    "Demande d'inscription scolaire",
    "Réclamation sur l'éclairage public",
)
OUTGOING_SUBJECTS = (
    "Réponse à votre demande de stationnement",
    "Convocation à la commission d'attribution",
    "Notification de décision",
    "Demande de pièces complémentaires",
    "Réponse à votre réclamation",
)


def _scan(number: int) -> CheckedFile:
    """A one-page PDF standing for the scanned letter."""
    import hashlib

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    page.setFont("Helvetica", 12)
    page.drawString(72, 760, f"Courrier numérisé — démonstration n° {number}")
    page.showPage()
    page.save()
    content = buffer.getvalue()
    return CheckedFile(
        name=f"courrier-{number}.pdf",
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        mime_type="application/pdf",
    )


def _registrar(authority, actor):
    """The agent who registers: the given one if they work there, else the front desk."""
    if actor is not None and authority.pk in actor.scope.authority_ids:
        return actor
    from guichet.accounts.models import User

    return (
        User.objects.filter(
            memberships__authority=authority,
            memberships__role__in=(Role.FRONT_DESK, Role.ADMIN),
            is_active=True,
        )
        .order_by("memberships__role", "pk")
        .first()
    )


def demo_seed(*, authority, actor, count: int = 40, seed: int = 2026) -> int:
    """Register about `count` letters for the demo, spread over the last five weeks.
    Returns how many were added by this call."""
    from guichet.register.enums import ReceiptState, RegisterOutcome
    from guichet.register.services import (
        mail_item_receipt_update,
        mail_register,
        mail_register_outgoing,
    )

    actor = _registrar(authority, actor)
    if actor is None:
        return 0
    categories = list(
        Category.objects.filter(authority=authority, is_active=True).select_related(
            "default_service"
        )
    )
    contacts = list(Contact.objects.filter(authority=authority).active().order_by("pk")[:200])
    open_cases = list(
        Case.objects.filter(authority=authority, status__in=OPEN_STATUSES)
        .select_related("service")
        .order_by("-received_at")[:50]
    )
    if not categories:
        return 0
    services = sorted({c.default_service for c in categories}, key=lambda s: s.pk)
    today = timezone.localdate()
    added = 0
    for index in range(count):
        # One generator per letter: a second run makes the same choices whatever the first
        # one added (cases opened change the list of open cases).
        rng = random.Random(f"{seed}-{authority.pk}-{index}")
        days_ago = rng.randint(0, 35)
        day = today - dt.timedelta(days=days_ago)
        contact = rng.choice(contacts) if contacts else None
        registered = rng.random() < 0.25
        number = f"1A{rng.randint(10**10, 10**11 - 1)}" if registered else ""
        key = f"demo-{authority.pk}-{index}"
        try:
            if rng.random() < 0.75:
                roll = rng.random()
                values = {
                    "outcome": RegisterOutcome.NONE,
                    "service": rng.choice(services),
                }
                if roll < 0.5:
                    values = {
                        "outcome": RegisterOutcome.NEW_CASE,
                        "category": rng.choice(categories),
                    }
                elif roll < 0.7 and open_cases:
                    joined = rng.choice(open_cases)
                    values = {
                        "outcome": RegisterOutcome.JOIN_CASE,
                        "case_reference": joined.reference,
                    }
                    contact = joined.contacts.first() or contact
                _item, created = mail_register(
                    actor=actor,
                    authority=authority,
                    submission_key=key,
                    subject=rng.choice(INCOMING_SUBJECTS),
                    arrived_on=day,
                    postmarked_on=day - dt.timedelta(days=rng.randint(1, 3)),
                    contact=contact,
                    registered_number=number,
                    files=[_scan(index)] if index % 4 == 0 else (),
                    **values,
                )
            else:
                item, created = mail_register_outgoing(
                    actor=actor,
                    authority=authority,
                    submission_key=key,
                    subject=rng.choice(OUTGOING_SUBJECTS),
                    sent_on=day,
                    service=rng.choice(services),
                    contact=contact,
                    registered_number=number,
                )
                if created and registered and days_ago > 4:
                    mail_item_receipt_update(
                        actor=actor,
                        item=item,
                        state=rng.choice((ReceiptState.SIGNED, ReceiptState.NOT_CLAIMED)),
                        on=day + dt.timedelta(days=rng.randint(1, 4)),
                    )
        except ValidationError:
            # A category closed to post, a contact of an odd shape: the demo skips it.
            continue
        added += int(created)
    return added
