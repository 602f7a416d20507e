"""Retraining the routing suggestion on a schedule (see GUICHET_PERIODIC_JOBS)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def routing_models_train_all() -> int:
    """Retrain each active authority's models on its latest closed cases and knowledge.
    An authority without enough examples, or whose training fails, is skipped (the failure
    logged); its current model stays in use. Returns the number of models made."""
    from guichet.authorities.models import Authority
    from guichet.routing.enums import ModelTarget
    from guichet.routing.services import routing_train

    made = 0
    for authority in Authority.objects.filter(is_active=True):
        for target in ModelTarget.values:
            try:
                routing_train(authority=authority, target=target)
                made += 1
            except ValidationError:
                logger.info(
                    "Not enough examples to train %s for authority %s", target, authority.pk
                )
            except Exception:  # noqa: BLE001 - one authority's trouble must not stop the rest
                logger.exception("Training %s failed for authority %s", target, authority.pk)
    return made
