"""A stand-in for the national address base (Base Adresse Nationale): a real HTTP server on
loopback that answers /search/ and /reverse/ with GeoJSON FeatureCollections shaped like
the real service's, records the queries it receives and can be told to misbehave."""

import json
import math
import threading
import unicodedata
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# A few addresses of the test town, as the service describes them.
ADDRESSES = [
    {
        "id": "99999_0010_00008",
        "type": "housenumber",
        "housenumber": "8",
        "name": "8 Rue de la Mairie",
        "street": "Rue de la Mairie",
        "postcode": "99100",
        "citycode": "99999",
        "city": "Testville",
        "context": "99, Département de test, Région de test",
        "lon": 2.351222,
        "lat": 48.856614,
    },
    {
        "id": "99999_0010_00010",
        "type": "housenumber",
        "housenumber": "10",
        "name": "10 Rue de la Mairie",
        "street": "Rue de la Mairie",
        "postcode": "99100",
        "citycode": "99999",
        "city": "Testville",
        "context": "99, Département de test, Région de test",
        "lon": 2.351400,
        "lat": 48.856700,
    },
    {
        "id": "99999_0020",
        "type": "street",
        "name": "Avenue des Érables",
        "postcode": "99100",
        "citycode": "99999",
        "city": "Testville",
        "context": "99, Département de test, Région de test",
        "lon": 2.360000,
        "lat": 48.850000,
    },
    {
        "id": "99998_0030_00003",
        "type": "housenumber",
        "housenumber": "3",
        "name": "3 Rue de la Mairie",
        "street": "Rue de la Mairie",
        "postcode": "99200",
        "citycode": "99998",
        "city": "Autreville",
        "context": "99, Département de test, Région de test",
        "lon": 3.100000,
        "lat": 45.200000,
    },
]


def _words(text):
    text = unicodedata.normalize("NFKD", text.lower())
    return {w for w in "".join(c for c in text if not unicodedata.combining(c)).split() if w}


def _label(address):
    return f"{address['name']} {address['postcode']} {address['city']}"


def _distance(lat1, lon1, lat2, lon2):
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371000 * math.hypot(x, y)


def _feature(address, **extra):
    properties = {
        key: address[key]
        for key in ("id", "type", "housenumber", "name", "street", "postcode", "citycode")
        if key in address
    }
    properties.update(
        label=_label(address),
        city=address["city"],
        context=address["context"],
        importance=0.6,
        x=652000.0,
        y=6862000.0,
        **extra,
    )
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [address["lon"], address["lat"]]},
        "properties": properties,
    }


class AddressBase:
    def __init__(self):
        self.requests = []  # (path, {parameter: value})
        self.fail_with = None  # an HTTP status to answer with
        self.malformed = False  # answer a body that is not JSON
        self.custom = None  # answer this JSON instead
        self.delay = 0.0  # seconds to wait before answering
        self.redirect_to = None  # answer a redirect to this address
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def handler(self):
        base = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, payload=None, raw=None):
                body = raw if raw is not None else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
                with base.lock:
                    base.requests.append((url.path, params))
                if base.delay:
                    base.stopping.wait(base.delay)
                if base.redirect_to and not url.path.startswith("/elsewhere/"):
                    self.send_response(302)
                    self.send_header("Location", base.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if base.fail_with:
                    return self._answer(base.fail_with, {"code": base.fail_with})
                if base.malformed:
                    return self._answer(200, raw=b'{"type": "FeatureCollection", "feat')
                if base.custom is not None:
                    return self._answer(200, base.custom)
                if url.path == "/search/":
                    return self._search(params)
                if url.path == "/reverse/":
                    return self._reverse(params)
                return self._answer(404, {"code": 404, "message": "Not found"})

            def _search(self, params):
                q = params.get("q", "").strip()
                if not (3 <= len(q) <= 200) or not q[0].isalnum():
                    return self._answer(
                        400,
                        {
                            "code": 400,
                            "message": "q must contain between 3 and 200 chars and start "
                            "with a number or a letter",
                        },
                    )
                limit = int(params.get("limit", 5))
                wanted = _words(q)
                found = []
                for address in ADDRESSES:
                    have = _words(_label(address))
                    score = len(wanted & have) / len(wanted)
                    if score >= 0.5:
                        found.append((score, address))
                if "lat" in params and "lon" in params:
                    lat, lon = float(params["lat"]), float(params["lon"])
                    # Closer addresses come first among equal matches, as with the service.
                    found.sort(
                        key=lambda pair: (
                            -pair[0],
                            _distance(lat, lon, pair[1]["lat"], pair[1]["lon"]),
                        )
                    )
                else:
                    found.sort(key=lambda pair: -pair[0])
                features = [_feature(a, score=round(s * 0.97, 4)) for s, a in found[:limit]]
                return self._answer(
                    200,
                    {
                        "type": "FeatureCollection",
                        "version": "draft",
                        "features": features,
                        "attribution": "BAN",
                        "licence": "ETALAB-2.0",
                        "query": q,
                        "limit": limit,
                    },
                )

            def _reverse(self, params):
                try:
                    lat, lon = float(params["lat"]), float(params["lon"])
                except (KeyError, ValueError):
                    return self._answer(400, {"code": 400, "message": "lat/lon required"})
                limit = int(params.get("limit", 1))
                nearest = sorted((_distance(lat, lon, a["lat"], a["lon"]), a) for a in ADDRESSES)
                features = [
                    _feature(a, score=0.99, distance=round(d)) for d, a in nearest if d < 500
                ][:limit]
                return self._answer(
                    200,
                    {
                        "type": "FeatureCollection",
                        "version": "draft",
                        "features": features,
                        "attribution": "BAN",
                        "licence": "ETALAB-2.0",
                        "limit": limit,
                    },
                )

        return Handler


@pytest.fixture
def address_base(settings):
    base = AddressBase()
    server = ThreadingHTTPServer(("127.0.0.1", 0), base.handler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    base.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.GUICHET_GEOCODER_URL = base.url
    settings.GUICHET_GEOCODER_TIMEOUT = 2
    settings.GUICHET_GEOCODER_CACHE_SECONDS = 600
    yield base
    base.stopping.set()
    server.shutdown()
    server.server_close()


# The street categories of the test town ------------------------------------------------------


@pytest.fixture
def categories(voirie):
    """Voirie (a theme), Nid de poule (5 working days), Banc abîmé (10)."""
    from tests.reports.factories import street_categories

    return street_categories(voirie)


@pytest.fixture
def pothole(categories):
    return categories[1]


@pytest.fixture
def bench(categories):
    return categories[2]
