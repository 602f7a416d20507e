"""How well demands are routed: transfers measured from the audit log."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count

from guichet.cases.models import Case
from guichet.core.models import Event


def routing_quality(cases, *, since: dt.datetime) -> dict:
    """For the cases received since `since` (a queryset the viewer may read): the share
    transferred at least once, the average number of hops, the most frequent wrong routes
    (from service → to service) and the same per category."""
    cases = cases.filter(received_at__gte=since)
    # By category (its id: two categories may share a label, under different parents).
    labels = dict(cases.values_list("category_id", "category__label").distinct())
    total_by_category = dict(cases.values_list("category_id").annotate(n=Count("id")).order_by())
    total = sum(total_by_category.values())
    transfers = list(
        Event.objects.filter(verb="case.transferred", case__in=cases.values("id"))
        .values_list("case_id", "case__category_id", "data")
        .order_by("at", "id")
    )
    hops = Counter(case_id for case_id, _, _ in transfers)
    routes = Counter((d.get("from_name", "?"), d.get("to_name", "?")) for _, _, d in transfers)
    per_category: dict[str, Counter] = defaultdict(Counter)
    for case_id, category_id, _data in transfers:
        per_category[category_id][case_id] += 1
    categories = []
    for category_id, count in sorted(total_by_category.items(), key=lambda item: -item[1]):
        moved = per_category.get(category_id, Counter())
        label = labels.get(category_id, "")
        categories.append(
            {
                "label": label,
                "cases": count,
                "transferred": len(moved),
                "share": len(moved) / count if count else 0,
                "hops": sum(moved.values()) / count if count else 0,
            }
        )
    return {
        "cases": total,
        "transferred": len(hops),
        "share": len(hops) / total if total else 0,
        "average_hops": sum(hops.values()) / total if total else 0,
        "routes": routes.most_common(10),
        "categories": categories,
    }


def routing_quality_for(user, authority, *, days: int = 90, now=None) -> dict:
    from django.utils import timezone

    now = now or timezone.now()
    cases = Case.objects.visible_to(user).filter(authority=authority)
    return routing_quality(cases, since=now - dt.timedelta(days=days))
