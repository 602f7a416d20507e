"""A private Dovecot on loopback for the IMAP tests, and helpers to fill its mailboxes.

One server per test process (session scope): its own configuration, run-time and mail
folders in a temporary folder, IMAP with STARTTLS and IMAP over TLS on free ports, a
certificate made for 127.0.0.1 by `openssl`. Any account name logs in with PASSWORD, so that
each test takes a fresh, empty account. Debian's `dovecot-imapd` provides the binary.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from django.utils import timezone
from imapclient import IMAPClient

DOVECOT = os.environ.get("GUICHET_DOVECOT") or shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "Boite-de-test-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Dovecot:
    folder: Path
    imap_port: int
    imaps_port: int
    ca_file: str
    host: str = "127.0.0.1"

    def new_account(self) -> str:
        return f"boite-{uuid.uuid4().hex[:10]}"

    def client(self, user: str) -> IMAPClient:
        context = ssl.create_default_context(cafile=self.ca_file)
        client = IMAPClient(self.host, port=self.imaps_port, ssl=True, ssl_context=context)
        client.login(user, PASSWORD)
        return client

    def append(self, user: str, raw: bytes, folder: str = "INBOX", flags=()) -> None:
        """Deliver a message the way a mail server would (IMAP APPEND)."""
        with self.client(user) as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            client.append(folder, raw, flags=flags)

    def folder_state(self, user: str, folder: str = "INBOX") -> dict[int, tuple]:
        """UID → flags of each message of a folder (empty if the folder does not exist)."""
        with self.client(user) as client:
            if not client.folder_exists(folder):
                return {}
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            if not uids:
                return {}
            return {uid: data[b"FLAGS"] for uid, data in client.fetch(uids, ["FLAGS"]).items()}


def _users() -> tuple[str, str]:
    """Who Dovecot's own processes and the mail files run as."""
    if os.getuid() == 0:
        # Dovecot refuses to touch mail as root; its documented test setups use nobody.
        return "nobody", grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
    return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name


def _config(folder: Path, imap_port: int, imaps_port: int, user: str, group: str) -> str:
    return f"""
protocols = imap
listen = 127.0.0.1
instance_name = guichet-test-{folder.name}
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
info_log_path = {folder}/dovecot.log
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
first_valid_gid = 1
ssl = yes
ssl_cert = <{folder}/cert.pem
ssl_key = <{folder}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={folder}/mail/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    output = log.read_text() if log.exists() else ""
    process.kill()
    pytest.fail(f"Dovecot did not start:\n{output}")


@pytest.fixture(scope="session")
def dovecot():
    if not os.path.exists(DOVECOT):
        pytest.skip("IMAP tests need Dovecot (apt-get install dovecot-imapd).")
    if not shutil.which("openssl"):
        pytest.skip("IMAP tests need the openssl command to make a test certificate.")
    folder = Path(tempfile.mkdtemp(prefix="guichet-dovecot-"))
    user, group = _users()
    folder.chmod(0o755)
    for name in ("run", "state", "mail"):
        (folder / name).mkdir()
    shutil.chown(folder / "mail", user, group)
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    imap_port, imaps_port = free_port(), free_port()
    config = folder / "dovecot.conf"
    config.write_text(_config(folder, imap_port, imaps_port, user, group))
    with open(folder / "stderr.log", "wb") as errors:
        process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=errors
        )
    try:
        _wait_for(imap_port, process, folder / "dovecot.log")
        _wait_for(imaps_port, process, folder / "dovecot.log")
        yield Dovecot(folder, imap_port, imaps_port, str(folder / "cert.pem"))
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def imap_settings(settings, dovecot, tmp_path):
    """The poller trusts the test certificate; its per-mailbox locks live in this test's
    folder, apart from the other test processes."""
    settings.GUICHET_IMAP_CA_FILE = dovecot.ca_file
    settings.GUICHET_IMAP_TIMEOUT = 10
    settings.VAR_DIR = tmp_path
    return settings


def email_bytes(
    *,
    sender: str = "Jeanne Durand <jeanne.durand@example.org>",
    to: str = "mairie@testville.fr",
    subject: str = "Lampadaire éteint rue des Lilas",
    body: str = "Bonjour,\nle lampadaire devant le 12 ne s'allume plus depuis lundi.\nJeanne",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
