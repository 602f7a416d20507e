"""Receiving email over SMTP, behind the authority's mail server (`manage.py mail_smtpd`).

The receiver accepts mail only for the addresses of active mailboxes and their
`name+token@domain` variants (550 for any other), refuses a message above
GUICHET_INBOUND_MAX_BYTES (552), and says 250 only once `email_ingest` has committed. If
that 250 is lost on the way and the sending server delivers the same message again,
ingestion (keyed on the Message-ID and the content's fingerprint) gives back what it already
holds: the message is stored once. Any failure on our side answers 451, so that the sending
server keeps the message and tries again later.

The replies are SMTP protocol text, read by mail servers and quoted in their bounce notices:
they stay in English like every mail server's.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import close_old_connections, transaction

from guichet.mailbox.models import InboundSource, Mailbox

logger = logging.getLogger(__name__)


def recipient_mailbox(address: str) -> Mailbox | None:
    """The active mailbox an envelope recipient is for (`mairie@…` or `mairie+token@…`)."""
    from guichet.mailbox.services import mailbox_for_address

    mailbox = mailbox_for_address(address.strip().strip("<>"))
    return mailbox if mailbox is not None and mailbox.is_active else None


def _accepts(address: str) -> bool:
    close_old_connections()
    try:
        return recipient_mailbox(address) is not None
    finally:
        close_old_connections()


def smtp_deliver(*, raw: bytes, recipients: list[str], envelope_from: str = "") -> list[int]:
    """Ingest one message received for `recipients`, once per authority they belong to.
    Returns the ids of the stored (or already known) messages. Raises on any failure."""
    from guichet.mailbox import services

    close_old_connections()
    try:
        by_authority: dict[int, list[tuple[Mailbox, str]]] = defaultdict(list)
        for address in recipients:
            mailbox = recipient_mailbox(address)
            if mailbox is not None:  # a mailbox closed since RCPT: nothing left to deliver to
                by_authority[mailbox.authority_id].append((mailbox, address))
        stored = []
        for pairs in by_authority.values():
            mailbox = pairs[0][0]
            with transaction.atomic():
                message = services.email_ingest(
                    raw=raw,
                    authority=mailbox.authority,
                    mailbox=mailbox,
                    recipients=tuple(address for _, address in pairs),
                    source=InboundSource.SMTP,
                    envelope_from=envelope_from,
                )
            stored.append(message.pk)
        return stored
    finally:
        close_old_connections()


class IngestHandler:
    """aiosmtpd handler: the database work runs in threads, never in the event loop."""

    def __init__(self, executor: ThreadPoolExecutor):
        self.executor = executor

    async def _run(self, function, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: function(*args, **kwargs))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            accepted = await self._run(_accepts, address)
        except Exception:  # noqa: BLE001 - the database is down: ask to retry later
            logger.exception("Could not check an SMTP recipient")
            return "451 4.3.0 Temporary failure, please try again later"
        if not accepted:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content
        if raw is None:
            raw = envelope.content if isinstance(envelope.content, bytes) else b""
        try:
            stored = await self._run(
                smtp_deliver,
                raw=raw,
                recipients=list(envelope.rcpt_tos),
                envelope_from=(envelope.mail_from or "").strip("<>"),
            )
        except Exception:  # noqa: BLE001 - nothing committed for sure: the sender retries
            logger.exception("Could not ingest a message received over SMTP")
            return "451 4.3.0 Temporary failure, please try again later"
        if not stored:
            return "550 5.1.1 No such mailbox here"
        logger.info("Message received over SMTP, stored as %s", stored)
        return "250 2.0.0 OK: stored"


class SmtpReceiver(Controller):
    """The receiver on `host:port`, run in a thread of its own: `.start()`, then `.stop()`."""

    def __init__(self, host: str, port: int, *, workers: int = 4):
        # aiosmtpd logs every envelope address at INFO: personal data stays out of the logs.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="smtp-ingest")
        super().__init__(
            IngestHandler(self.executor),
            hostname=host,
            port=port,
            data_size_limit=settings.GUICHET_INBOUND_MAX_BYTES,
            enable_SMTPUTF8=True,
            decode_data=False,
        )

    def stop(self, *args, **kwargs):
        try:
            super().stop(*args, **kwargs)
        finally:
            self.executor.shutdown(wait=True)
