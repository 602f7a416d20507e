from __future__ import annotations

from django.db import models
from django.db.models import Case as SqlCase
from django.db.models import Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from guichet.cases.enums import OPEN_STATUSES, PRIORITY_ORDER, Status


class CategoryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def offered_on(self, channel: str):
        # JSON containment is not portable to SQLite: categories are few, filter in Python.
        ids = [c.pk for c in self if c.offered_on(channel)]
        return self.filter(pk__in=ids)


def overdue_condition(today=None) -> Q:
    """Past its due date and not on hold (the clock stops while waiting)."""
    return Q(
        status__in=(Status.NEW, Status.IN_PROGRESS),
        due_on__lt=today or timezone.localdate(),
    )


def case_visibility(user, case_field: str = "") -> Q:
    """Who may read a case in full, as a condition on the case itself (`case_field=""`) or
    on any model that points to a case (`case_field="case"` for an interaction, a case
    link…). One condition for every queryset, so that the rule is written once and the
    database can join instead of scanning every visible case.

    An agent reads the cases of their services (a manager's whole direction), those they
    once handled and those their services once held (while they still work for that
    authority), and all of an authority for its administrators and DPO."""
    from guichet.cases.models import Case

    scope = user.scope
    if not scope.is_agent:
        return Q(pk__in=[])
    prefix = f"{case_field}__" if case_field else ""
    outer = f"{case_field}_id" if case_field else "pk"
    history = Exists(Case.handlers.through.objects.filter(case_id=OuterRef(outer), user_id=user.pk))
    if scope.service_ids:
        history |= Exists(
            Case.past_services.through.objects.filter(
                case_id=OuterRef(outer), service_id__in=scope.service_ids
            )
        )
    condition = Q(**{f"{prefix}service_id__in": scope.service_ids}) | (
        Q(**{f"{prefix}authority_id__in": scope.authority_ids}) & history
    )
    if scope.full_authority_ids:
        condition |= Q(**{f"{prefix}authority_id__in": scope.full_authority_ids})
    return condition


class CaseQuerySet(models.QuerySet):
    # Who may see what -------------------------------------------------------------------
    def visible_to(self, user):
        """The cases an agent may read in full (see `case_visibility`). Citizens get
        nothing here: they go through `of_citizen`."""
        if not user.scope.is_agent:
            return self.none()
        return self.filter(case_visibility(user))

    def orientable_by(self, user):
        """Cases a front desk agent may know exist, to orient a caller: the views show only
        reference, category, status and service in charge of those not `visible_to` them."""
        scope = user.scope
        if not scope.is_agent:
            return self.none()
        return self.filter(
            case_visibility(user) | Q(authority_id__in=scope.directory_authority_ids)
        )

    def of_citizen(self, user):
        from guichet.cases.models import CaseContact

        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(
            Exists(CaseContact.objects.filter(case_id=OuterRef("pk"), contact__user=user))
        )

    # Reading like sentences ----------------------------------------------------------------
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        return self.filter(overdue_condition(today))

    def assigned_to(self, user):
        return self.filter(assignee=user)

    def for_queue(self):
        """What a queue row shows, in one query: with the time of the person's last message
        and of the last answer, so that a message nobody answered yet stands out."""
        from guichet.interactions.models import Interaction

        def last(direction):
            return Subquery(
                Interaction.objects.filter(case=OuterRef("pk"), direction=direction)
                .order_by("-occurred_at")
                .values("occurred_at")[:1]
            )

        return self.select_related("category", "service", "assignee").annotate(
            priority_rank=SqlCase(
                *[When(priority=p, then=Value(rank)) for p, rank in PRIORITY_ORDER.items()],
                output_field=IntegerField(),
            ),
            last_in_at=last("in"),
            last_out_at=last("out"),
        )

    def search_text(self, text: str):
        from guichet.core.search import text_search

        return text_search(self, text, fields=("subject", "description"))
