"""Moderation of what the public sees of a report: a photo showing a face, a number plate
or something obscene, or a whole report whose place or wording is abusive, is taken off the
public pages (portal list, map and page, the nearby offer, Open311) and may be put back.

Nothing is deleted: agents keep reading the report and its photos, and the report's
followers are still told of its status changes.

Who moderates: the agents who act on the report's case (its service and the managers above
it, its assignee, the authority's administrators: `case_can_act`) and the authority's DPO,
whose role is precisely the personal data a photo may show even though they do not work
the case. Agents who only read the case (a service that once held it, a former handler)
and the front desk do not."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guichet.cases.services import case_can_act
from guichet.core.events import event_record
from guichet.reports.models import Report, ReportPhoto

REASON_MAX_LENGTH = 500


def report_can_moderate(user, report: Report) -> bool:
    """Whether the user may take the report or its photos off the public pages."""
    return case_can_act(user, report.case) or report.authority_id in user.scope.dpo_authority_ids


def _check(actor, report: Report) -> None:
    if not report_can_moderate(actor, report):
        raise PermissionDenied(_("Vous ne pouvez pas modérer ce signalement."))


def _reason(reason: str) -> str:
    return " ".join((reason or "").split())[:REASON_MAX_LENGTH]


def _check_publishable(report: Report) -> None:
    # An anonymised case has lost its point and address: `Report.objects.public()` never
    # shows it again, so putting it back would only pretend to.
    if report.case.anonymised_at is not None:
        raise ValidationError(
            _("Ce signalement a été anonymisé : il ne peut plus être publié."), code="anonymised"
        )


@transaction.atomic
def report_publish(*, actor, report: Report, public: bool, reason: str = "") -> Report:
    """Take a report off the public pages (`public=False`, a reason required: the audit
    log says why) or put it back. Nothing happens when it already stands so."""
    report = Report.objects.select_for_update(of=("self",)).select_related("case").get(pk=report.pk)
    _check(actor, report)
    if report.is_public == public:
        return report
    reason = _reason(reason)
    if public:
        _check_publishable(report)
    elif not reason:
        raise ValidationError(
            {"reason": _("Indiquez pourquoi le signalement est retiré du site public.")}
        )
    report.is_public = public
    report.save(update_fields=["is_public"])
    event_record(
        actor=actor,
        verb="report.shown" if public else "report.hidden",
        target=report,
        case=report.case,
        data={"reason": reason},
    )
    return report


@transaction.atomic
def report_photo_publish(
    *, actor, photo: ReportPhoto, public: bool, reason: str = ""
) -> ReportPhoto:
    """Take one photo's public copies off the public pages, or put them back. The original
    stays an attachment of the case, for agents. Nothing happens when it already stands
    so."""
    photo = (
        ReportPhoto.objects.select_for_update(of=("self",))
        .select_related("report", "report__case", "report__authority")
        .get(pk=photo.pk)
    )
    report = photo.report
    _check(actor, report)
    if photo.is_public == public:
        return photo
    if public:
        _check_publishable(report)
    reason = _reason(reason)
    photo.is_public = public
    photo.save(update_fields=["is_public"])
    event_record(
        actor=actor,
        verb="report.photo_shown" if public else "report.photo_hidden",
        target=report,
        case=report.case,
        data={"photo": photo.pk, "reason": reason},
    )
    return photo
