"""Reads on reports: what the public may see, and what the nearby check looks at."""

from __future__ import annotations

from django.db import models

from guichet.reports.enums import OPEN_REPORT_STATUSES


class ReportQuerySet(models.QuerySet):
    def of_authority(self, authority):
        return self.filter(authority=authority)

    def public(self):
        """Reports the portal may show: public ones whose case was not anonymised (its point
        and address are then gone). A category closed since keeps its reports shown."""
        return self.filter(is_public=True, case__anonymised_at__isnull=True)

    def visible_to(self, user):
        """Reports whose case the agent reads in full (the case's own rule)."""
        from guichet.cases.querysets import case_visibility

        if not user.scope.is_agent:
            return self.none()
        return self.filter(case_visibility(user, "case"))

    def due_by(self, *, day, moment):
        """Open reports near or past their promise: promised in working days by `day`, or
        in hours by `moment`."""
        return self.open().filter(
            models.Q(due_at__isnull=True, case__due_on__lte=day) | models.Q(due_at__lte=moment)
        )

    def for_map(self):
        return self.select_related("category", "case", "commune", "district")

    def open(self):
        return self.filter(status__in=OPEN_REPORT_STATUSES)

    def for_public_list(self):
        return self.select_related("category", "category__parent", "case", "commune", "district")

    def in_box(self, *, south: float, west: float, north: float, east: float):
        return self.filter(
            latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east
        )
