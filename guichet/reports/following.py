"""Following a problem report: "me too", and the link in every message to stop."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.core.events import event_record
from guichet.reports.enums import OPEN_REPORT_STATUSES, FollowerRole
from guichet.reports.models import Report, ReportFollower


@transaction.atomic
def report_follow(
    *, actor, report: Report, contact=None, email: str = "", confirmed: bool = True
) -> tuple[ReportFollower | None, bool]:
    """A person says "me too": they follow the existing report instead of sending a new
    one, and will be told when it is fixed. By their contact record, by an email address,
    or by neither (counted in the audit log only). Saying it twice changes nothing.

    An address typed on a public form (`confirmed=False`) is told nothing until its owner
    confirms from the link sent to it: anyone may type anyone's address. Returns the
    follower (None without contact or email) and whether it is new."""
    report = Report.objects.select_for_update().select_related("case").get(pk=report.pk)
    if not report.is_public or report.status not in OPEN_REPORT_STATUSES:
        raise ValidationError(_("Ce signalement n'est plus ouvert : il ne peut plus être suivi."))
    if contact is not None and contact.authority_id != report.authority_id:
        raise ValidationError(_("Cet usager appartient à une autre collectivité."))
    email = (email or "").strip().lower()
    now = timezone.now()
    follower, created = None, False
    if contact is not None:
        follower, created = ReportFollower.objects.get_or_create(
            report=report,
            contact=contact,
            defaults={"role": FollowerRole.ME_TOO, "confirmed_at": now},
        )
    elif email:
        try:
            with transaction.atomic():
                follower, created = ReportFollower.objects.get_or_create(
                    report=report,
                    contact=None,
                    email=email,
                    defaults={
                        "role": FollowerRole.ME_TOO,
                        "confirmed_at": now if confirmed else None,
                    },
                )
        except IntegrityError:
            follower = ReportFollower.objects.get(report=report, contact=None, email=email)
        if follower.confirmed_at is None:
            if confirmed:
                follower.confirmed_at = now
                follower.save(update_fields=["confirmed_at"])
            else:
                # Asked again before confirming: the link is sent again.
                _confirmation_send(follower=follower, report=report, actor=actor)
    if created or follower is None:
        event_record(
            actor=actor,
            verb="report.followed",
            target=report,
            case=report.case,
            contact=contact,
            data={
                "follower": follower.pk if follower else None,
                "by_email": bool(email),
                "confirmed": bool(follower and follower.confirmed_at),
            },
        )
    return follower, created


def _confirmation_send(*, follower: ReportFollower, report: Report, actor) -> None:
    """The link that confirms an address wants to follow the report, through the outbox
    (not shown to the people of the case, nor threaded with it)."""
    from django.template.loader import render_to_string

    from guichet.interactions.enums import Purpose
    from guichet.interactions.services import email_queue

    body = render_to_string(
        "emails/report_follow_confirm.txt",
        {"report": report, "confirm_url": follower_url(follower, "confirm")},
    )
    email_queue(
        actor=actor,
        authority=report.authority,
        contact=None,
        recipient=follower.email,
        case=report.case,
        subject=_("Confirmez le suivi du signalement %(id)s") % {"id": report.public_id},
        body=body,
        visible_to_contact=False,
        purpose=Purpose.NOTIFICATION,
    )


@transaction.atomic
def report_follow_confirm(*, actor, follower: ReportFollower) -> ReportFollower:
    """The owner of the address confirms they want to be told of the report. Confirming
    twice, or after stopping, changes nothing."""
    follower = (
        ReportFollower.objects.select_for_update().select_related("report").get(pk=follower.pk)
    )
    if follower.confirmed_at is not None or follower.anonymised_at is not None:
        return follower
    follower.confirmed_at = timezone.now()
    follower.save(update_fields=["confirmed_at"])
    event_record(
        actor=actor,
        verb="report.follow_confirmed",
        target=follower.report,
        case=follower.report.case,
        data={"follower": follower.pk},
    )
    return follower


# The two links of the messages about a followed report: confirm (a "me too" address)
# and stop. Signed, so that they cannot be guessed from the follower's number; not
# time-stamped, so that the same follower gets the same link in every message.
LINKS = {
    "confirm": ("guichet.reports.follower-confirm", "portal:report_follow_confirm"),
    "stop": ("guichet.reports.follower-stop", "portal:report_unfollow"),
}


def follower_token(follower: ReportFollower, link: str) -> str:
    return signing.Signer(salt=LINKS[link][0]).sign_object(follower.pk)


def follower_url(follower: ReportFollower, link: str) -> str:
    from django.urls import reverse

    path = reverse(
        LINKS[link][1], args=[follower.report.authority.slug, follower_token(follower, link)]
    )
    return settings.SITE_URL + path


def follower_for_token(token: str, link: str) -> ReportFollower | None:
    """The follower a link names (perhaps gone since: `anonymised_at` is then set), or None
    for a link that was never given."""
    try:
        pk = signing.Signer(salt=LINKS[link][0]).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    return (
        ReportFollower.objects.filter(pk=pk)
        .select_related("report", "report__authority", "report__category")
        .first()
    )


@transaction.atomic
def report_unfollow(*, actor, follower: ReportFollower) -> ReportFollower:
    """A follower asks to be told nothing more (the link in every message they get): their
    address or contact is removed from the report, the row kept, emptied, for the count of
    people concerned. Asking twice changes nothing."""
    follower = ReportFollower.objects.select_for_update().get(pk=follower.pk)
    if follower.anonymised_at is not None:
        return follower
    follower.contact = None
    follower.email = ""
    follower.anonymised_at = timezone.now()
    follower.save(update_fields=["contact", "email", "anonymised_at"])
    event_record(
        actor=actor,
        verb="report.unfollowed",
        target=follower.report,
        case=follower.report.case,
        data={"follower": follower.pk},
    )
    return follower
