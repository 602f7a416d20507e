"""Retraining the routing suggestion on a schedule (see GUICHET_PERIODIC_JOBS), or when an
administrator asks for it: training takes seconds to minutes, never in a web request."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def routing_models_train_for(authority_id: int) -> int:
    """Retrain one authority's models on its latest closed cases and knowledge. A target
    without enough examples, or whose training fails, is skipped (the failure logged); its
    current model stays in use. Returns the number of models made."""
    from guichet.authorities.models import Authority
    from guichet.routing.enums import ModelTarget
    from guichet.routing.services import routing_train

    authority = Authority.objects.filter(pk=authority_id, is_active=True).first()
    if authority is None:
        return 0
    made = 0
    for target in ModelTarget.values:
        try:
            routing_train(authority=authority, target=target)
            made += 1
        except ValidationError:
            logger.info("Not enough examples to train %s for authority %s", target, authority_id)
        except Exception:  # noqa: BLE001 - one authority's trouble must not stop the rest
            logger.exception("Training %s failed for authority %s", target, authority_id)
    return made


@task()
def routing_models_train_all() -> int:
    """Retrain every active authority's models. Returns the number of models made."""
    from guichet.authorities.models import Authority

    return sum(
        routing_models_train_for.call(pk)
        for pk in Authority.objects.filter(is_active=True).values_list("pk", flat=True)
    )
