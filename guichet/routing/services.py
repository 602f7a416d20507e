"""Routing: rules first, then the learned suggestion for demands to qualify, then the
category's service. Every decision is recorded with what made it, so that it can be
explained (CRPA L311-3-1) and measured."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.core.events import event_record
from guichet.routing.classifier import Suggestion, TextClassifier
from guichet.routing.enums import ModelTarget, RoutingMethod, RoutingOutcome
from guichet.routing.models import RoutingDecision, RoutingModel, RoutingRule, RoutingSettings

logger = logging.getLogger(__name__)


@dataclass
class Route:
    service: object
    method: str
    category: object = None  # set when the suggestion also changed the category
    rule: RoutingRule | None = None
    explanation: list[str] = field(default_factory=list)
    suggestion: dict | None = None  # see suggest()


# Rules -------------------------------------------------------------------------------------


def active_rules(authority_id: int) -> list[RoutingRule]:
    return list(
        RoutingRule.objects.filter(authority_id=authority_id, is_active=True)
        .select_related("service")
        .prefetch_related("categories", "territories")
    )


def territory_ids_for(authority_id: int, *, latitude=None, longitude=None, contact=None):
    """Where a demand is: its point when it has one, else its requester's address."""
    from guichet.territories.services import territories_at, territories_for_address

    if latitude is not None and longitude is not None:
        found = territories_at(authority_id, float(longitude), float(latitude))
    elif contact is not None and (contact.postal_code or contact.city):
        found = territories_for_address(
            authority_id, postal_code=contact.postal_code, city=contact.city
        )
    else:
        found = []
    ids = {t.pk for t in found}
    # A district lies in its commune: a rule about the commune covers it.
    ids |= {t.parent_id for t in found if t.parent_id}
    return ids


def _territories_of(rule: RoutingRule) -> list:
    draft = getattr(rule, "draft_territories", None)
    return list(rule.territories.all()) if draft is None else draft


def rule_matches(rule: RoutingRule, *, category, channel, contact_kind, territory_ids) -> list:
    """The reasons the rule applies (one per criterion it has), or None if it does not."""
    reasons = []
    # A rule being edited and not saved yet carries its lists (see route_preview).
    categories = getattr(rule, "draft_categories", None)
    if categories is None:
        categories = list(rule.categories.all())
    if categories:
        if category is None or category.pk not in {c.pk for c in categories}:
            return None
        reasons.append(_("catégorie « %(c)s »") % {"c": category.label})
    if rule.channels:
        if channel not in rule.channels:
            return None
        reasons.append(_("canal « %(c)s »") % {"c": RoutingRule.channel_label(channel)})
    if rule.contact_kinds:
        if contact_kind not in rule.contact_kinds:
            return None
        reasons.append(
            _("usager : %(k)s") % {"k": RoutingRule.contact_kind_label(contact_kind).lower()}
        )
    territories = _territories_of(rule)
    if territories:
        inside = [t for t in territories if t.pk in territory_ids]
        if not inside:
            return None
        reasons.append(_("territoire « %(t)s »") % {"t": inside[0].name})
    return reasons


def first_matching_rule(rules, **context) -> tuple[RoutingRule | None, list[str]]:
    for rule in rules:
        reasons = rule_matches(rule, **context)
        if reasons is not None and rule.service.is_active:
            return rule, reasons
    return None, []


def route_preview(
    *,
    authority,
    category,
    channel: str,
    contact_kind: str = "",
    latitude=None,
    longitude=None,
    postal_code: str = "",
    city: str = "",
    text: str = "",
    draft_rule: RoutingRule | None = None,
) -> Route:
    """ "This demand would go to…": the same decision as for a real case, without a case.
    `draft_rule` is a rule being written, tried in its place (by priority) before it is
    saved; it carries `draft_categories` and `draft_territories` lists."""

    class _Address:
        pass

    address = _Address()
    address.postal_code, address.city = postal_code, city
    return route_new_case(
        authority=authority,
        category=category,
        channel=channel,
        contact=address if (postal_code or city) else None,
        contact_kind=contact_kind,
        latitude=latitude,
        longitude=longitude,
        text=text,
        draft_rule=draft_rule,
    )


def route_new_case(
    *,
    authority,
    category,
    channel: str,
    contact=None,
    contact_kind: str | None = None,
    latitude=None,
    longitude=None,
    text: str = "",
    draft_rule: RoutingRule | None = None,
) -> Route:
    """Choose the service of a new case: a rule, else (for a category to qualify) the
    learned suggestion above the administrator's threshold, else the category's service."""
    if contact_kind is None:
        contact_kind = getattr(contact, "kind", "") or ""
    rules = active_rules(authority.pk)
    if draft_rule is not None:
        rules = [r for r in rules if r.pk != draft_rule.pk]
        if draft_rule.is_active:
            rules.append(draft_rule)
            rules.sort(key=lambda r: (r.priority, r.pk or 0))
    territory_ids = set()
    if any(_territories_of(rule) for rule in rules):
        territory_ids = territory_ids_for(
            authority.pk, latitude=latitude, longitude=longitude, contact=contact
        )
    rule, reasons = first_matching_rule(
        rules,
        category=category,
        channel=channel,
        contact_kind=contact_kind,
        territory_ids=territory_ids,
    )
    if rule is not None:
        return Route(
            service=rule.service,
            method=RoutingMethod.RULE,
            rule=rule,
            explanation=[
                _("Règle « %(rule)s » (priorité %(priority)s) : %(reasons)s.")
                % {
                    "rule": rule.name,
                    "priority": rule.priority,
                    "reasons": ", ".join(reasons) or _("toutes les demandes"),
                }
            ],
        )
    settings_ = RoutingSettings.objects.filter(authority=authority).first()
    in_qualification = (
        settings_ is not None
        and category is not None
        and settings_.qualification_categories.filter(pk=category.pk).exists()
    )
    to_qualify = in_qualification and settings_.suggestions_enabled
    suggestion = {}
    if to_qualify and text.strip():
        try:
            # In a savepoint: a database error while reading the model must not abort
            # the transaction that creates the demand.
            with transaction.atomic():
                suggestion = suggest(authority, text)
        except Exception:  # noqa: BLE001 - a broken model must never stop a demand
            logger.exception("Routing suggestion failed for authority %s", authority.pk)
    service_guess = suggestion.get("service")
    if service_guess:
        threshold = settings_.auto_threshold
        confident = threshold is not None and service_guess["confidence"] >= threshold
        category_guess = suggestion.get("category")
        if confident:
            new_category = None
            if category_guess and category_guess["confidence"] >= threshold:
                new_category = category_guess["object"]
            return Route(
                service=service_guess["object"],
                method=RoutingMethod.SUGGESTION,
                category=new_category,
                suggestion=suggestion,
                explanation=[
                    _("Suggestion automatique, confiance %(c)d %% (seuil %(t)d %%).")
                    % {
                        "c": round(service_guess["confidence"] * 100),
                        "t": round(threshold * 100),
                    }
                ],
            )
        return Route(
            service=category.default_service,
            method=RoutingMethod.PENDING,
            suggestion=suggestion,
            explanation=[
                _("À qualifier : suggestion « %(s)s » avec une confiance de %(c)d %%.")
                % {
                    "s": service_guess["object"].name,
                    "c": round(service_guess["confidence"] * 100),
                }
            ],
        )
    if in_qualification:
        # No suggestion (none trained yet, turned off, unreadable, or an empty text): the
        # demand still waits in the queue of demands to qualify, not lost in a service.
        return Route(
            service=category.default_service,
            method=RoutingMethod.PENDING,
            explanation=[_("À qualifier : aucune suggestion pour cette demande.")],
        )
    return Route(
        service=category.default_service if category else None,
        method=RoutingMethod.CATEGORY,
        explanation=[
            _("Service par défaut de la catégorie « %(c)s ».") % {"c": category.label}
            if category
            else ""
        ],
    )


def decision_record(*, case, route: Route | None, actor=None) -> RoutingDecision:
    """Keep how the case was routed (in the case's creation transaction)."""
    if route is None:
        route = Route(service=case.service, method=RoutingMethod.MANUAL)
    suggestion = route.suggestion or {}
    service_guess = suggestion.get("service") or {}
    category_guess = suggestion.get("category") or {}
    decision = RoutingDecision.objects.create(
        case=case,
        method=route.method,
        rule=route.rule,
        rule_name=route.rule.name if route.rule else "",
        service=case.service,
        suggested_service=service_guess.get("object"),
        service_confidence=service_guess.get("confidence"),
        suggested_category=category_guess.get("object"),
        category_confidence=category_guess.get("confidence"),
        reasons=service_guess.get("reasons", []),
        model_id=service_guess.get("model_id"),
    )
    if route.method in (RoutingMethod.RULE, RoutingMethod.SUGGESTION):
        event_record(
            actor=actor,
            verb="case.routed",
            target=case,
            case=case,
            data={
                "method": route.method,
                "rule": route.rule.pk if route.rule else None,
                "rule_name": decision.rule_name,
                "service": case.service_id,
                "confidence": service_guess.get("confidence"),
            },
        )
    return decision


# Learned suggestion --------------------------------------------------------------------------


def latest_model(authority_id: int, target: str) -> RoutingModel | None:
    return (
        RoutingModel.objects.filter(authority_id=authority_id, target=target)
        .defer("data")
        .order_by("-trained_at")
        .first()
    )


@lru_cache(maxsize=32)
def _load(model_pk: int, trained_at: dt.datetime) -> TextClassifier:
    """A model is never changed once stored: loaded once per process (keyed with its
    training time too, in case a number is ever reused)."""
    data = RoutingModel.objects.values_list("data", flat=True).get(pk=model_pk)
    return TextClassifier.from_bytes(bytes(data))


def suggest(authority, text: str) -> dict:
    """{"service": {...}, "category": {...}} for the latest trained models of the authority,
    each {"object", "confidence", "reasons", "alternatives", "model_id"}; empty without a
    model."""
    from guichet.authorities.models import Service
    from guichet.cases.models import Category

    result = {}
    for target, model_cls in ((ModelTarget.SERVICE, Service), (ModelTarget.CATEGORY, Category)):
        model = latest_model(authority.pk, target)
        if model is None:
            continue
        guess: Suggestion = _load(model.pk, model.trained_at).suggest(text)
        objects = model_cls.objects.in_bulk(
            [int(guess.label), *[int(label) for label, _ in guess.alternatives]]
        )
        chosen = objects.get(int(guess.label))
        if chosen is None or not chosen.is_active:
            continue
        result[target] = {
            "object": chosen,
            "confidence": guess.confidence,
            "reasons": guess.reasons,
            "alternatives": [
                (objects[int(label)], confidence)
                for label, confidence in guess.alternatives
                if int(label) in objects
            ],
            "model_id": model.pk,
        }
    return result


MAX_CASES = 20000
HOLDOUT_SHARE = 0.2
MIN_HOLDOUT = 5


def training_examples(authority, target: str):
    """(texts, labels, weights, case count) for one target, from the authority's own
    knowledge — categories, services, knowledge articles, so that a new instance is useful
    on day one — and its closed cases, with their final service (after transfers; not those
    forwarded to another authority). A case whose suggestion an agent corrected counts
    three times."""
    from guichet.authorities.models import Service
    from guichet.cases.enums import Status
    from guichet.cases.models import Case, Category
    from guichet.knowledge.models import Article

    texts, labels, weights = [], [], []

    def add(text, label, weight=1.0):
        text = " ".join((text or "").split())
        if text and label:
            texts.append(text)
            labels.append(str(label))
            weights.append(weight)

    categories = Category.objects.filter(authority=authority, is_active=True)
    for category in categories.select_related("default_service", "parent"):
        words = " ".join(
            filter(
                None,
                [
                    category.parent.label if category.parent else "",
                    category.label,
                    category.description,
                ],
            )
        )
        add(words, category.default_service_id if target == "service" else category.pk, 2.0)
    if target == "service":
        for service in Service.objects.filter(authority=authority, is_active=True):
            add(f"{service.name} {service.keywords}", service.pk, 2.0)
    for article in Article.objects.filter(authority=authority, is_archived=False).prefetch_related(
        "categories"
    ):
        words = " ".join(
            [
                article.title,
                article.keywords,
                article.summary,
                article.competent,
                article.body[:1000],
            ]
        )
        if target == "service":
            add(words, article.service_id, 2.0)
        else:
            for category in article.categories.all():
                add(words, category.pk, 2.0)

    corrected = set(
        RoutingDecision.objects.filter(
            case__authority=authority, outcome=RoutingOutcome.CORRECTED
        ).values_list("case_id", flat=True)
    )
    # A case forwarded to another authority ended in a service that was not competent.
    cases = Case.objects.filter(
        authority=authority,
        status__in=(Status.RESOLVED, Status.CLOSED),
        forwardings__isnull=True,
    )
    # A service or category no longer in use: suggesting it would help nobody.
    if target == "service":
        cases = cases.filter(service__is_active=True)
    else:
        cases = cases.filter(category__is_active=True)
    if target == "category":
        # A case left in "other" teaches nothing about categories.
        cases = cases.exclude(
            category__in=RoutingSettings.objects.filter(authority=authority).values(
                "qualification_categories"
            )
        )
    cases = cases.order_by("-resolved_at", "-id").values_list(
        "id", "subject", "description", "service_id", "category_id"
    )[:MAX_CASES]
    case_rows = []
    for case_id, subject, description, service_id, category_id in cases:
        label = service_id if target == "service" else category_id
        case_rows.append(
            (f"{subject} {description[:1000]}", label, 3.0 if case_id in corrected else 1.0)
        )
    return texts, labels, weights, case_rows


def routing_train(*, authority, target: str, now: dt.datetime | None = None) -> RoutingModel:
    """Train the authority's classifier for one target, measure it on its latest closed
    cases held out, then train on everything and store it.

    The learning itself runs outside any transaction: on SQLite a transaction holds the
    write lock from its start, and minutes of fitting would make every demand wait."""
    from sklearn.metrics import accuracy_score, f1_score

    texts, labels, weights, case_rows = training_examples(authority, target)
    case_rows.reverse()  # oldest first: the newest are held out
    accuracy = macro = baseline = None
    held = int(len(case_rows) * HOLDOUT_SHARE)
    if held >= MIN_HOLDOUT:
        train_rows, test_rows = case_rows[:-held], case_rows[-held:]
        all_labels = labels + [r[1] for r in train_rows]
        if len(set(all_labels)) >= 2:
            trial = TextClassifier().fit(
                texts + [r[0] for r in train_rows],
                [str(x) for x in all_labels],
                sample_weight=weights + [r[2] for r in train_rows],
            )
            truth = [str(r[1]) for r in test_rows]
            predicted = trial.predict([r[0] for r in test_rows])
            accuracy = accuracy_score(truth, predicted)
            macro = f1_score(truth, predicted, average="macro", zero_division=0)
            majority = max(set(all_labels), key=[str(x) for x in all_labels].count)
            baseline = accuracy_score(truth, [str(majority)] * len(truth))
    all_texts = texts + [r[0] for r in case_rows]
    all_labels = [str(x) for x in labels + [r[1] for r in case_rows]]
    if len(set(all_labels)) < 2:
        raise ValidationError(
            _("Pas assez d'exemples : il faut au moins deux services ou catégories décrits.")
        )
    classifier = TextClassifier().fit(
        all_texts, all_labels, sample_weight=weights + [r[2] for r in case_rows]
    )
    with transaction.atomic():
        model = RoutingModel.objects.create(
            authority=authority,
            target=target,
            data=classifier.to_bytes(),
            trained_at=now or timezone.now(),
            examples=len(all_texts),
            case_examples=len(case_rows),
            labels=len(set(all_labels)),
            accuracy=accuracy,
            macro_f1=macro,
            baseline_accuracy=baseline,
            tested_on=held if accuracy is not None else 0,
        )
        # Older models are no longer used: keep the last three for the record.
        for old in RoutingModel.objects.filter(authority=authority, target=target).order_by(
            "-trained_at"
        )[3:]:
            old.delete()
        event_record(
            actor=None,
            verb="routing.trained",
            target=model,
            authority=authority,
            data={"target": target, "examples": model.examples, "accuracy": accuracy},
        )
    return model


# Agents accept or correct ----------------------------------------------------------------


@transaction.atomic
def routing_settle(*, actor, case, service, category=None, reason: str = "") -> RoutingDecision:
    """An agent settles the routing of a case to qualify in one click: the suggested
    service (accepted) or another one (corrected, which weighs more in the next training).
    The case moves through the usual transfer, which keeps its history."""
    from guichet.cases.services import case_set_category, case_transfer

    decision = RoutingDecision.objects.select_for_update().filter(case=case).first()
    if decision is None:
        decision = decision_record(case=case, route=None, actor=actor)
    elif decision.outcome:
        # Settled meanwhile (a transfer, another agent): a stale click must not undo it.
        raise ValidationError(_("L'orientation de cette demande a déjà été décidée."))
    if category is not None and category.pk != case.category_id:
        case_set_category(actor=actor, case=case, category=category)
    if service.pk != case.service_id:
        case_transfer(
            actor=actor,
            case=case,
            service=service,
            reason=reason or _("Orientation de la demande à qualifier"),
        )
    accepted = decision.suggested_service_id == service.pk and (
        category is None or decision.suggested_category_id in (None, category.pk)
    )
    decision.outcome = RoutingOutcome.ACCEPTED if accepted else RoutingOutcome.CORRECTED
    decision.outcome_by = actor
    decision.outcome_at = timezone.now()
    decision.save(update_fields=["outcome", "outcome_by", "outcome_at"])
    event_record(
        actor=actor,
        verb="case.routing_settled",
        target=case,
        case=case,
        data={"outcome": decision.outcome, "service": service.pk},
    )
    return decision


def decision_note_transfer(*, case, service, actor) -> None:
    """A case still to qualify, or sent by the suggestion alone, moved by an ordinary
    transfer: that settles its routing too, accepted or corrected, so the correction
    teaches the next training."""
    decision = RoutingDecision.objects.filter(
        case=case, method__in=(RoutingMethod.PENDING, RoutingMethod.SUGGESTION), outcome=""
    ).first()
    if decision is None:
        return
    decision.outcome = (
        RoutingOutcome.ACCEPTED
        if decision.suggested_service_id == service.pk
        else RoutingOutcome.CORRECTED
    )
    decision.outcome_by = actor if getattr(actor, "is_authenticated", False) else None
    decision.outcome_at = timezone.now()
    decision.save(update_fields=["outcome", "outcome_by", "outcome_at"])
