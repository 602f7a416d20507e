"""Background work on contacts."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def contact_match_keys_backfill(batch: int = 500) -> int:
    """Compute the duplicate-detection keys of contacts written without them (bulk imports,
    the demo) or under older rules, until none is left. Recurring; safe to run twice or to
    overlap with itself: each row gets the same keys."""
    from guichet.contacts.duplicates import match_keys_backfill

    total = 0
    while True:
        done = match_keys_backfill(batch=batch)
        total += done
        if done < batch:
            break
    if total:
        logger.info("Keyed %s contacts for duplicate detection", total)
    return total
