"""Fetching a mailbox's new messages over IMAP, and the mailbox's account settings.

The poller hands each message, byte for byte, to `email_ingest` in a transaction of its
own, and only once that transaction has committed does it touch the server: flag the
message as read (and move it to the processed folder when one is set), then remember its
UID. A poller killed at any point therefore loses nothing (what was not committed is still
unread on the server and above the remembered UID) and duplicates nothing (what was
committed but not yet flagged is fetched again, and ingestion, keyed on the Message-ID and
the content's fingerprint, gives back the message it already holds).

The IMAP password is stored encrypted with Fernet under a key derived from SECRET_KEY
(SECRET_KEY_FALLBACKS still decrypt after a key rotation): an administrator types it in the
back office, a copy of the database alone does not reveal it, and nothing else has to be
deployed beside the application.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import os
import re
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from guichet.core.events import event_record
from guichet.mailbox.models import ImapSecurity, InboundSource, Mailbox

logger = logging.getLogger(__name__)

SEEN = b"\\Seen"
# Messages fetched per mailbox and per run: a large backlog is taken over several runs, so
# that one run stays short and the other mailboxes are not kept waiting.
FETCH_CHUNK = 10


# --- The password, encrypted at rest --------------------------------------------------------

PASSWORD_PREFIX = "fernet:"


def _fernet() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    keys = []
    for secret in secrets:
        raw = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=b"guichet.mailbox.imap_password",
        ).derive(str(secret).encode())
        keys.append(Fernet(base64.urlsafe_b64encode(raw)))
    return MultiFernet(keys)


def password_encrypt(plain: str) -> str:
    if not plain:
        return ""
    return PASSWORD_PREFIX + _fernet().encrypt(plain.encode()).decode()


class PasswordUnreadable(Exception):
    """The stored password was encrypted under a secret key that is no longer configured."""


def password_decrypt(stored: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(PASSWORD_PREFIX):
        # Written by hand into the database: accepted, but encrypted at the next save.
        logger.warning("An IMAP password is stored unencrypted")
        return stored
    try:
        return _fernet().decrypt(stored[len(PASSWORD_PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise PasswordUnreadable from exc


# --- The mailbox's settings, written by administrators --------------------------------------

SETTING_FIELDS = (
    "address",
    "label",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_user",
    "imap_folder",
    "processed_folder",
    "default_category",
    "is_active",
)


def _check(mailbox: Mailbox) -> None:
    if mailbox.default_category.authority_id != mailbox.authority_id:
        raise ValidationError(
            {"default_category": _("Cette catégorie appartient à une autre collectivité.")}
        )
    mailbox.full_clean(exclude=["imap_password"])


@transaction.atomic
def mailbox_create(*, actor, authority, password: str = "", **values) -> Mailbox:
    """Add a mailbox the authority receives email on. `values` are the SETTING_FIELDS."""
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise TypeError(f"Unknown mailbox settings: {sorted(unknown)}")
    mailbox = Mailbox(authority=authority, **values)
    mailbox.address = (mailbox.address or "").strip().lower()
    mailbox.imap_password = password_encrypt(password)
    _check(mailbox)
    mailbox.save()
    event_record(
        actor=actor,
        verb="mailbox.created",
        target=mailbox,
        authority=authority,
        data={"address": mailbox.address},
    )
    return mailbox


@transaction.atomic
def mailbox_update(*, actor, mailbox: Mailbox, password: str = "", **values) -> Mailbox:
    """Change a mailbox's settings; an empty `password` keeps the current one. Pointing it at
    another server, account or folder starts the reading of that folder afresh."""
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise TypeError(f"Unknown mailbox settings: {sorted(unknown)}")
    mailbox = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
    if "address" in values:
        values["address"] = (values["address"] or "").strip().lower()
    changed = sorted(name for name, value in values.items() if getattr(mailbox, name) != value)
    for name, value in values.items():
        setattr(mailbox, name, value)
    if password:
        mailbox.imap_password = password_encrypt(password)
        changed.append("password")
    if not changed:
        return mailbox
    if {"imap_host", "imap_port", "imap_user", "imap_folder"} & set(changed):
        mailbox.uidvalidity = None
        mailbox.last_uid = None
    if "password" in changed or "is_active" in changed:
        mailbox.last_error = ""
    _check(mailbox)
    mailbox.save()
    event_record(
        actor=actor,
        verb="mailbox.updated",
        target=mailbox,
        authority=mailbox.authority,
        data={"changes": changed},
    )
    return mailbox


# --- Connecting -----------------------------------------------------------------------------


def ssl_context() -> ssl.SSLContext:
    """Certificates are verified, against the system's authorities or the file named by
    GUICHET_IMAP_CA_FILE for a private authority."""
    return ssl.create_default_context(cafile=settings.GUICHET_IMAP_CA_FILE or None)


def imap_connect(mailbox: Mailbox) -> IMAPClient:
    """A logged-in connection. Plain text only when the mailbox explicitly says so."""
    timeout = settings.GUICHET_IMAP_TIMEOUT
    if mailbox.imap_security == ImapSecurity.SSL:
        client = IMAPClient(
            mailbox.imap_host,
            port=mailbox.imap_port,
            ssl=True,
            ssl_context=ssl_context(),
            timeout=timeout,
        )
    else:
        client = IMAPClient(mailbox.imap_host, port=mailbox.imap_port, ssl=False, timeout=timeout)
        if mailbox.imap_security == ImapSecurity.STARTTLS:
            try:
                client.starttls(ssl_context())
            except BaseException:
                _close(client)
                raise
    try:
        client.login(mailbox.imap_user or mailbox.address, password_decrypt(mailbox.imap_password))
    except BaseException:
        _close(client)
        raise
    return client


def _close(client: IMAPClient) -> None:
    with contextlib.suppress(Exception):
        client.logout()
    with contextlib.suppress(Exception):
        client.shutdown()


def describe_error(exc: BaseException) -> str:
    """What an administrator reads on the mailbox page when a run fails."""
    detail = str(exc.args[0] if exc.args else exc)
    # imapclient quotes the server's own words as a bytes literal: b'[AUTHENTICATIONFAILED] …'
    quoted = re.fullmatch(r"b(['\"])(.*)\1", detail, re.DOTALL)
    if quoted:
        detail = quoted.group(2)
    detail = detail[:300]
    if isinstance(exc, PasswordUnreadable):
        return _(
            "Le mot de passe enregistré ne peut plus être lu (la clé secrète du site a changé) : "
            "saisissez-le à nouveau."
        )
    if isinstance(exc, LoginError):
        return _("Le serveur a refusé l'identifiant ou le mot de passe (%(detail)s).") % {
            "detail": detail
        }
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _("Le certificat du serveur n'a pas pu être vérifié (%(detail)s).") % {
            "detail": detail
        }
    if isinstance(exc, ssl.SSLError):
        return _("La connexion chiffrée a échoué (%(detail)s).") % {"detail": detail}
    if isinstance(exc, socket.timeout | TimeoutError):
        return _("Le serveur n'a pas répondu à temps.")
    if isinstance(exc, OSError):
        return _("Le serveur est injoignable (%(detail)s).") % {"detail": detail}
    if isinstance(exc, IMAPClientError):
        return _("Le serveur a répondu par une erreur (%(detail)s).") % {"detail": detail}
    return _("Erreur inattendue (%(kind)s).") % {"kind": exc.__class__.__name__}


def mailbox_connection_test(mailbox: Mailbox) -> tuple[bool, str]:
    """Log in and open the folder read-only: (worked, what to tell the administrator)."""
    try:
        client = imap_connect(mailbox)
        try:
            info = client.select_folder(mailbox.imap_folder, readonly=True)
            unseen = len(client.search(["UNSEEN"]))
        finally:
            _close(client)
    except Exception as exc:  # noqa: BLE001 - every failure is reported to the administrator
        return False, describe_error(exc)
    return True, _(
        "Connexion réussie : le dossier « %(folder)s » contient %(total)d message(s), "
        "dont %(unseen)d non lu(s)."
    ) % {"folder": mailbox.imap_folder, "total": info.get(b"EXISTS", 0), "unseen": unseen}


# --- One run at a time per mailbox ----------------------------------------------------------


_HELD: set[tuple[str, int]] = set()
_HELD_GUARD = threading.Lock()


@contextlib.contextmanager
def mailbox_lock(mailbox_id: int) -> Iterator[bool]:
    """Hold the mailbox for one run; yields False if another run holds it.

    PostgreSQL: a session advisory lock, shared by every server of the deployment. SQLite
    lives on one machine, so a lock on a file beside the other run-time files does the same.
    Both are released by the system when the process dies: a killed poller leaves no stale
    claim behind. Both are keyed on the database's name too, so that two databases on one
    server (staging and production, parallel test runs) do not hold each other's mailboxes.
    """
    database = str(connection.settings_dict.get("NAME") or "")
    digest = hashlib.sha256(f"guichet.mailbox:{database}".encode()).digest()
    if connection.vendor == "postgresql":
        # An advisory lock is re-entrant within one database session: a second run on the
        # same connection would get it again, so this process remembers what it holds.
        key = (database, mailbox_id)
        with _HELD_GUARD:
            if key in _HELD:
                acquired = False
            else:
                space = int.from_bytes(digest[:4], "big", signed=True)
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_try_advisory_lock(%s::integer, %s::integer)",
                        [space, mailbox_id],
                    )
                    acquired = cursor.fetchone()[0]
                if acquired:
                    _HELD.add(key)
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_unlock(%s::integer, %s::integer)", [space, mailbox_id]
                    )
                with _HELD_GUARD:
                    _HELD.discard(key)
        return
    import fcntl

    folder = Path(settings.VAR_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"mailbox-{digest[:6].hex()}-{mailbox_id}.lock"
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# --- Polling --------------------------------------------------------------------------------


@dataclass
class PollReport:
    address: str
    busy: bool = False
    fetched: int = 0
    new: int = 0
    error: str = ""
    notices: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.busy:
            return f"{self.address}: already being polled"
        if self.error:
            return f"{self.address}: error: {self.error}"
        return f"{self.address}: {self.fetched} fetched, {self.new} new"


def mailbox_poll(mailbox_id: int) -> PollReport:
    """Fetch and ingest one mailbox's new messages. A failure is recorded on the mailbox as
    `last_error` and returned, never raised, so that the next mailbox is still polled."""
    if connection.in_atomic_block:
        # Flagging a message on the server must follow a real commit.
        raise RuntimeError("mailbox_poll must run outside a transaction")
    mailbox = Mailbox.objects.select_related("authority").get(pk=mailbox_id)
    report = PollReport(address=mailbox.address)
    with mailbox_lock(mailbox.pk) as acquired:
        if not acquired:
            report.busy = True
            return report
        mailbox.refresh_from_db()
        if not mailbox.is_active or not mailbox.imap_host:
            return report
        try:
            client = imap_connect(mailbox)
            try:
                _fetch_new(client, mailbox, report)
            finally:
                _close(client)
        except Exception as exc:  # noqa: BLE001 - recorded for the administrator, see above
            report.error = describe_error(exc)
            logger.warning(
                "Polling mailbox %s failed: %s", mailbox.pk, exc.__class__.__name__, exc_info=True
            )
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_polled_at=timezone.now(),
            last_error="\n".join(filter(None, [report.error, *report.notices])),
        )
    return report


def _fetch_new(client: IMAPClient, mailbox: Mailbox, report: PollReport) -> None:
    info = client.select_folder(mailbox.imap_folder)
    uidvalidity = int(info[b"UIDVALIDITY"])
    if mailbox.uidvalidity != uidvalidity:
        # A new folder, or one the server renumbered: the remembered UID means nothing any
        # more. Start again from the unread messages; what was already ingested is known.
        mailbox.uidvalidity, mailbox.last_uid = uidvalidity, None
        Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity, last_uid=None)
    if mailbox.last_uid is None:
        uids = client.search(["UNSEEN"])
    else:
        # "n:*" always names the last message, even below n: keep only the new ones.
        uids = [
            u for u in client.search(["UID", f"{mailbox.last_uid + 1}:*"]) if u > mailbox.last_uid
        ]
    uids = sorted(uids)[: settings.GUICHET_IMAP_BATCH]
    if not uids:
        return
    if mailbox.processed_folder and not client.folder_exists(mailbox.processed_folder):
        client.create_folder(mailbox.processed_folder)
    max_bytes = settings.GUICHET_INBOUND_MAX_BYTES
    for start in range(0, len(uids), FETCH_CHUNK):
        chunk = uids[start : start + FETCH_CHUNK]
        sizes = client.fetch(chunk, ["RFC822.SIZE"])
        for uid in chunk:
            if uid not in sizes:
                continue  # expunged by someone else meanwhile
            size = int(sizes[uid].get(b"RFC822.SIZE", 0))
            # A message over the limit is still taken (ingestion keeps it in quarantine for
            # an administrator); only one so large it could exhaust the worker's memory is
            # left unread in the mailbox, for a person to deal with there.
            if size > max_bytes * OVERSIZED_FETCH_FACTOR:
                report.notices.append(
                    _(
                        "Le message n°%(uid)s (%(size)s octets) dépasse la taille acceptée ; "
                        "il est laissé dans la boîte."
                    )
                    % {"uid": uid, "size": size}
                )
                _remember(mailbox, uid)
                continue
            # BODY.PEEK: reading does not mark the message as read; only the commit does.
            fetched = client.fetch([uid], ["BODY.PEEK[]"]).get(uid)
            if fetched is None:
                continue
            raw = bytes(fetched[b"BODY[]"])
            report.fetched += 1
            message, created = _ingest(mailbox, raw)
            if created:
                report.new += 1
            message_processed(client, mailbox, uid)
            _remember(mailbox, uid)


# How far above the accepted size a message is still fetched, to be quarantined.
OVERSIZED_FETCH_FACTOR = 4


def _ingest(mailbox: Mailbox, raw: bytes):
    """Ingest one message in a transaction of its own: (message, whether it is new)."""
    from guichet.mailbox import services

    with transaction.atomic():
        message = services.email_ingest(
            raw=raw,
            authority=mailbox.authority,
            mailbox=mailbox,
            recipients=(mailbox.address,),
            source=InboundSource.IMAP,
        )
    return message, getattr(message, "created", True)


def message_processed(client: IMAPClient, mailbox: Mailbox, uid: int) -> None:
    """After the commit: mark the message as read, and file it away when a folder is set."""
    client.add_flags([uid], [SEEN], silent=True)
    folder = mailbox.processed_folder
    if not folder or folder == mailbox.imap_folder:
        return
    if client.has_capability("MOVE"):
        client.move([uid], folder)
        return
    client.copy([uid], folder)
    client.delete_messages([uid], silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge([uid])
    else:
        client.expunge()


def _remember(mailbox: Mailbox, uid: int) -> None:
    mailbox.last_uid = uid
    Mailbox.objects.filter(pk=mailbox.pk, uidvalidity=mailbox.uidvalidity).update(last_uid=uid)


def mailboxes_poll_all(*, address: str | None = None) -> list[PollReport]:
    """Poll every active mailbox that has an IMAP server (or the one at `address`)."""
    mailboxes = Mailbox.objects.active().exclude(imap_host="")
    if address:
        mailboxes = mailboxes.filter(address=address.strip().lower())
    reports = []
    for pk in mailboxes.order_by("pk").values_list("pk", flat=True):
        try:
            reports.append(mailbox_poll(pk))
        except Mailbox.DoesNotExist:
            continue  # deleted meanwhile
    return reports
