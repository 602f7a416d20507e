"""The tree of street-problem categories, read from a DansMaRue-style CSV (id, libelle,
parent_id, root, is_leaf, actif: the open taxonomy of the city of Paris) and loaded into an
authority's categories: each root becomes a theme, each active leaf a report type."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guichet.cases.enums import SilenceRule
from guichet.cases.models import Category
from guichet.core.enums import Channel
from guichet.core.events import event_record

# Where street problems come in: everywhere but the post.
STREET_CHANNELS = (
    Channel.PORTAL,
    Channel.COUNTER,
    Channel.PHONE,
    Channel.EMAIL,
    Channel.SMS,
    Channel.API,
)
COLUMNS = {"id", "libelle", "parent_id", "root", "is_leaf", "actif"}


@dataclass
class StreetRoot:
    label: str
    external_id: str
    active: bool
    leaves: list[tuple[str, str]]  # (label, external id)


def read_street_taxonomy(path: Path) -> list[StreetRoot] | None:
    """The roots and their active leaves; None when the file is not there."""
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        return parse_street_taxonomy(handle.read())


def parse_street_taxonomy(text: str) -> list[StreetRoot]:
    """The roots of the CSV's tree with their active leaves (a leaf is active when it and
    every branch above it are). Raises ValidationError, in French, for a file of another
    shape."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = COLUMNS - set(reader.fieldnames or ())
    if missing:
        raise ValidationError(
            _("Colonnes manquantes dans le fichier : %(columns)s.")
            % {"columns": ", ".join(sorted(missing))}
        )
    rows = list(reader)
    by_id = {r["id"]: r for r in rows}

    def chain_active(row) -> bool:
        seen = set()
        while row is not None:
            if row["actif"] != "1" or row["id"] in seen:  # a loop in the file: not a tree
                return False
            seen.add(row["id"])
            row = by_id.get(row["parent_id"])
        return True

    roots = [r for r in rows if not r["parent_id"]]
    result = []
    for root in roots:
        leaves = [
            r
            for r in rows
            if r["root"] == root["libelle"]
            and r["is_leaf"] == "True"
            and r["parent_id"]
            and chain_active(r)
        ]
        labels = [r["libelle"] for r in leaves]
        named = []
        for leaf in leaves:
            label = leaf["libelle"]
            parent = by_id.get(leaf["parent_id"])
            # The same label under two branches ("Revêtement manquant" under roads and
            # pavements) is told apart by its branch.
            if labels.count(label) > 1 and parent is not None and parent is not root:
                label = f"{label} ({parent['libelle']})"
            label = label[:190]
            if any(label == taken for taken, _ref in named):
                # Still the same words twice in a theme: the source's number tells them apart.
                label = f"{label} ({leaf['id']})"
            named.append((label[:200], leaf["id"]))
        result.append(StreetRoot(root["libelle"], root["id"], root["actif"] == "1", named))
    return result


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def report_categories_import(
    *,
    actor,
    authority,
    roots: list[StreetRoot],
    service_for: Callable[[str], object],
    delay_days: int = 5,
    source: str = "dansmarue",
) -> ImportResult:
    """Create the authority's public-space categories from the tree, or bring them up to
    date: found again by their reference in the source (`external_ref`), their label, theme
    and whether they are offered change; their service, delay and channels, which the town
    may have set since, do not. Nothing is deleted: a type gone from the file is closed.
    `service_for(root label)` names the service in charge of a theme."""
    existing = {
        c.external_ref: c
        for c in Category.objects.select_for_update().filter(
            authority=authority, external_ref__startswith=f"{source}:"
        )
    }
    seen: set[str] = set()
    created = updated = unchanged = 0

    def put(*, ref: str, label: str, parent, active: bool, service) -> Category:
        nonlocal created, updated, unchanged
        seen.add(ref)
        category = existing.get(ref)
        if category is None:
            created += 1
            return Category.objects.create(
                authority=authority,
                parent=parent,
                label=label,
                description=_("Signalement sur l'espace public : %(theme)s.")
                % {"theme": (parent.label if parent else label).lower()},
                default_service=service,
                channels=list(STREET_CHANNELS),
                delay_days=delay_days,
                silence_rule=SilenceRule.NOT_APPLICABLE,
                is_public_space=True,
                # A street problem asks for no decision: the reporter is told of each
                # status change instead of getting a CRPA acknowledgement.
                acknowledgement_exempt=True,
                is_active=active,
                external_ref=ref,
            )
        wanted = {"label": label, "parent_id": parent.pk if parent else None, "is_active": active}
        if any(getattr(category, field) != value for field, value in wanted.items()):
            for field, value in wanted.items():
                setattr(category, field, value)
            category.save(update_fields=list(wanted))
            updated += 1
        else:
            unchanged += 1
        return category

    for root in roots:
        service = service_for(root.label)
        if service is None or service.authority_id != authority.pk:
            raise ValidationError(
                _("Aucun service de la collectivité pour le thème « %(theme)s ».")
                % {"theme": root.label}
            )
        parent = put(
            ref=f"{source}:{root.external_id}",
            label=root.label[:200],
            parent=None,
            active=root.active,
            service=service,
        )
        for label, external_id in root.leaves:
            put(
                ref=f"{source}:{external_id}",
                label=label,
                parent=parent,
                active=root.active,
                service=service,
            )
    gone = [c.pk for ref, c in existing.items() if ref not in seen and c.is_active]
    Category.objects.filter(pk__in=gone).update(is_active=False)
    updated += len(gone)
    event_record(
        actor=actor,
        verb="report_categories.imported",
        target=authority,
        data={"source": source, "created": created, "updated": updated, "closed": len(gone)},
    )
    return ImportResult(created, updated, unchanged)
