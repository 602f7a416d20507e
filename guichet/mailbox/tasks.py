"""Background work about incoming email. Tasks take identifiers and may run twice safely."""

from __future__ import annotations

import logging

from django_tasks import task

from guichet.mailbox.imap import mailboxes_poll_all

logger = logging.getLogger(__name__)


@task()
def mailboxes_poll() -> dict[str, int]:
    """Fetch the new messages of every active mailbox (GUICHET_PERIODIC_JOBS, every minute).

    Overlapping runs are harmless: each mailbox is held by one run at a time, and another run
    reaching it meanwhile passes it by. One mailbox failing is recorded on it and does not
    stop the others."""
    reports = mailboxes_poll_all()
    summary = {
        "mailboxes": len(reports),
        "new": sum(r.new for r in reports),
        "busy": sum(r.busy for r in reports),
        "errors": sum(bool(r.error) for r in reports),
    }
    if summary["errors"]:
        logger.warning("Mailbox polling: %(errors)s mailbox(es) failed", summary)
    return summary
