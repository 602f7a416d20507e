from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("Nouvelle")
    IN_PROGRESS = "in_progress", _("En cours")
    WAITING = "waiting", _("En attente")
    RESOLVED = "resolved", _("Traitée")
    CLOSED = "closed", _("Clôturée")
    REJECTED = "rejected", _("Rejetée")
    DUPLICATE = "duplicate", _("Doublon")


OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING)
FINAL_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.DUPLICATE)

# The lifecycle as data: from each status, the statuses a transition may lead to.
# Each arrow is carried out by exactly one service in guichet.cases.services.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED, Status.REJECTED, Status.DUPLICATE}
    ),
    Status.IN_PROGRESS: frozenset(
        {Status.WAITING, Status.RESOLVED, Status.REJECTED, Status.DUPLICATE}
    ),
    Status.WAITING: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
    Status.REJECTED: frozenset({Status.IN_PROGRESS}),
    Status.DUPLICATE: frozenset({Status.IN_PROGRESS}),
}


class WaitingFor(models.TextChoices):
    PERSON = "person", _("l'usager")
    THIRD_PARTY = "third_party", _("un tiers")
    # Not a wait someone chooses: the time a reopened case stood finished.
    FINISHED = "finished", _("la réouverture")


class Priority(models.TextChoices):
    LOW = "low", _("Basse")
    NORMAL = "normal", _("Normale")
    HIGH = "high", _("Haute")
    URGENT = "urgent", _("Urgente")


PRIORITY_ORDER = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class SilenceRule(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Le silence vaut acceptation")
    REJECTION = "rejection", _("Le silence vaut rejet")
    NOT_APPLICABLE = "not_applicable", _("Sans objet (pas une demande de décision)")


class CaseContactRole(models.TextChoices):
    REQUESTER = "requester", _("Demandeur")
    CONCERNED = "concerned", _("Personne concernée")
    REPRESENTATIVE = "representative", _("Représentant")
