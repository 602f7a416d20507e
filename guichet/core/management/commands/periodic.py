"""Enqueue the recurring background jobs (mailbox polling, sweeps, scheduled sends).

The task worker runs them; this loop only decides when. Every job must be safe to run twice
or to overlap with itself: a missed or doubled tick changes nothing but timing.
"""

from __future__ import annotations

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Enqueue the recurring jobs of GUICHET_PERIODIC_JOBS at their interval."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Enqueue every job once, then stop."
        )

    def handle(self, *args, once: bool = False, **options):
        jobs = {
            name: (import_string(path), every)
            for name, (path, every) in settings.GUICHET_PERIODIC_JOBS.items()
        }
        next_run = dict.fromkeys(jobs, 0.0)
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            now = time.monotonic()
            for name, (job, every) in jobs.items():
                if now >= next_run[name]:
                    try:
                        job.enqueue()
                    except Exception:  # noqa: BLE001 - one broken job must not stop the others
                        logger.exception("Could not enqueue periodic job %s", name)
                    next_run[name] = now + every
            if once:
                return
            time.sleep(1)
