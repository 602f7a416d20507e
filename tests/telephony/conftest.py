"""A stand-in for the SMS provider: a real HTTP server on loopback that speaks the generic
provider's protocol (bearer token, JSON in, message id out), records what it is sent and
can be told to fail."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from guichet.telephony.webhooks import sign

TOKEN = "jeton-de-test-123"
SECRET = "secret-partage-passerelle"


class Provider:
    def __init__(self):
        self.messages = []
        self.refused = []
        self.fail_with = None  # an HTTP status to answer instead of taking the message
        self.lock = threading.Lock()

    def handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, payload):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    with provider.lock:
                        provider.refused.append(raw)
                    return self._answer(401, {"error": "bad token"})
                if provider.fail_with:
                    return self._answer(provider.fail_with, {"error": "unavailable"})
                try:
                    message = json.loads(raw)
                except ValueError:
                    return self._answer(400, {"error": "bad json"})
                if not {"to", "text", "sender", "reference"} <= set(message):
                    return self._answer(400, {"error": "missing field"})
                with provider.lock:
                    provider.messages.append(message)
                    message_id = f"prov-{len(provider.messages)}"
                return self._answer(200, {"id": message_id, "status": "accepted"})

        return Handler


@pytest.fixture
def sms_provider(settings):
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), provider.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GUICHET_SMS_BACKEND = "http"
    settings.GUICHET_SMS_URL = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    settings.GUICHET_SMS_TOKEN = TOKEN
    settings.GUICHET_SMS_SENDER = "TESTVILLE"
    settings.GUICHET_SMS_TIMEOUT = 5
    yield provider
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook_secret(settings):
    settings.GUICHET_SMS_WEBHOOK_SECRET = SECRET
    return SECRET


def signed_post(client, path, payload, secret=SECRET):
    body = json.dumps(payload).encode()
    return client.post(
        path,
        data=body,
        content_type="application/json",
        headers={"X-Guichet-Signature": sign(body, secret)},
    )


@pytest.fixture
def database_tasks(settings):
    """The default task backend, which can schedule a retry for later."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}
    }
