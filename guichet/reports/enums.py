"""The field statuses of a problem report and how they sit on the case lifecycle."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.cases.enums import Status


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Signalé")
    INVESTIGATING = "investigating", _("En cours d'examen")
    ACTION_SCHEDULED = "action_scheduled", _("Intervention programmée")
    IN_PROGRESS = "in_progress", _("Intervention en cours")
    FIXED = "fixed", _("Résolu")
    NOT_OUR_RESPONSIBILITY = "not_our_responsibility", _("Hors de nos compétences")
    DUPLICATE = "duplicate", _("Doublon")
    CLOSED = "closed", _("Clôturé")


# One table: each field status, the status its case takes, and the field statuses a report
# may go to from it. The services move the case through the case services accordingly.
CASE_STATUS: dict[str, str] = {
    ReportStatus.OPEN: Status.NEW,
    ReportStatus.INVESTIGATING: Status.IN_PROGRESS,
    ReportStatus.ACTION_SCHEDULED: Status.IN_PROGRESS,
    ReportStatus.IN_PROGRESS: Status.IN_PROGRESS,
    ReportStatus.FIXED: Status.RESOLVED,
    ReportStatus.NOT_OUR_RESPONSIBILITY: Status.REJECTED,
    ReportStatus.DUPLICATE: Status.DUPLICATE,
    ReportStatus.CLOSED: Status.CLOSED,
}

OPEN_REPORT_STATUSES = (
    ReportStatus.OPEN,
    ReportStatus.INVESTIGATING,
    ReportStatus.ACTION_SCHEDULED,
    ReportStatus.IN_PROGRESS,
)
_WORK = frozenset(
    {
        ReportStatus.INVESTIGATING,
        ReportStatus.ACTION_SCHEDULED,
        ReportStatus.IN_PROGRESS,
        ReportStatus.FIXED,
        ReportStatus.NOT_OUR_RESPONSIBILITY,
        ReportStatus.DUPLICATE,
    }
)
REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.OPEN: _WORK,
    ReportStatus.INVESTIGATING: _WORK - {ReportStatus.INVESTIGATING},
    ReportStatus.ACTION_SCHEDULED: _WORK - {ReportStatus.ACTION_SCHEDULED},
    ReportStatus.IN_PROGRESS: _WORK - {ReportStatus.IN_PROGRESS},
    ReportStatus.FIXED: frozenset({ReportStatus.CLOSED, ReportStatus.INVESTIGATING}),
    ReportStatus.CLOSED: frozenset({ReportStatus.INVESTIGATING}),
    ReportStatus.NOT_OUR_RESPONSIBILITY: frozenset({ReportStatus.INVESTIGATING}),
    ReportStatus.DUPLICATE: frozenset({ReportStatus.INVESTIGATING}),
}

# A case moved by the case pages alone (not through a report service): the field status
# the public sees for it.
FROM_CASE_STATUS: dict[str, str] = {
    Status.NEW: ReportStatus.OPEN,
    Status.IN_PROGRESS: ReportStatus.INVESTIGATING,
    Status.WAITING: ReportStatus.INVESTIGATING,
    Status.RESOLVED: ReportStatus.FIXED,
    Status.CLOSED: ReportStatus.CLOSED,
    Status.REJECTED: ReportStatus.NOT_OUR_RESPONSIBILITY,
    Status.DUPLICATE: ReportStatus.DUPLICATE,
}


class FollowerRole(models.TextChoices):
    REPORTER = "reporter", _("Auteur du signalement")
    ME_TOO = "me_too", _("Aussi concerné")


# The actions of the back office's panel, in the order shown, and the status each leads to.
REPORT_ACTIONS: dict[str, str] = {
    "investigate": ReportStatus.INVESTIGATING,
    "schedule": ReportStatus.ACTION_SCHEDULED,
    "start": ReportStatus.IN_PROGRESS,
    "fix": ReportStatus.FIXED,
    "decline": ReportStatus.NOT_OUR_RESPONSIBILITY,
    "close": ReportStatus.CLOSED,
}
