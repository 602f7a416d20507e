"""Finding addresses through a service speaking the national address base's protocol, and
never failing a report when that service fails."""

import logging
import socket
import time

import pytest

from guichet.reports.geocoding import Address, BanGeocoder, NullGeocoder, geocoder


def test_no_geocoder_configured_finds_nothing_without_error(settings):
    settings.GUICHET_GEOCODER_URL = ""
    found = geocoder()
    assert isinstance(found, NullGeocoder)
    assert not found.available
    assert found.search("8 rue de la Mairie") == []
    assert found.reverse(48.8566, 2.3512) is None


@pytest.mark.parametrize("url", ["file:///etc", "ftp://example.org", "api.example.org"])
def test_a_geocoder_address_that_is_not_http_is_not_used(settings, url):
    settings.GUICHET_GEOCODER_URL = url
    assert isinstance(geocoder(), NullGeocoder)


def test_configured_geocoder_speaks_to_the_service(address_base):
    found = geocoder()
    assert isinstance(found, BanGeocoder)
    assert found.available
    assert found.base_url == address_base.url


def test_search_returns_the_addresses_with_their_point_and_insee_code(address_base):
    results = geocoder().search("8 rue de la mairie testville", limit=3)

    assert address_base.requests == [
        ("/search/", {"q": "8 rue de la mairie testville", "limit": "3"})
    ]
    assert results[0] == Address(
        label="8 Rue de la Mairie 99100 Testville",
        lat=48.856614,
        lon=2.351222,
        housenumber="8",
        street="Rue de la Mairie",
        postcode="99100",
        city="Testville",
        citycode="99999",
        score=0.97,
        kind="housenumber",
    )
    assert len(results) <= 3
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_search_near_a_point_sends_it_and_keeps_the_limit(address_base):
    results = geocoder().search("rue de la mairie", near=(45.2, 3.1), limit=1)

    path, params = address_base.requests[0]
    assert path == "/search/"
    assert params == {"q": "rue de la mairie", "limit": "1", "lat": "45.200000", "lon": "3.100000"}
    # The stand-in, like the service, puts the closest of equal matches first.
    assert [r.city for r in results] == ["Autreville"]


def test_search_accepts_an_address_as_the_point_to_favour(address_base):
    mairie = Address(label="Mairie", lat=48.8566, lon=2.3512)
    geocoder().search("rue de la mairie", near=mairie)
    assert address_base.requests[0][1]["lat"] == "48.856600"
    assert address_base.requests[0][1]["lon"] == "2.351200"


def test_a_street_found_without_number_keeps_its_name(address_base):
    results = geocoder().search("avenue des érables")
    assert results[0].kind == "street"
    assert results[0].street == "Avenue des Érables"
    assert results[0].housenumber == ""


@pytest.mark.parametrize("text", ["", "  ", "ab", "--", "  8 "])
def test_too_short_a_text_is_not_sent(address_base, text):
    assert geocoder().search(text) == []
    assert address_base.requests == []


def test_text_is_cleaned_to_what_the_service_accepts(address_base):
    geocoder().search("  « 8   rue de la Mairie »  ", limit=500)
    path, params = address_base.requests[0]
    assert params["q"] == "8 rue de la Mairie »"
    assert params["limit"] == "20"
    geocoder().search("x" * 300)
    assert len(address_base.requests[1][1]["q"]) == 200


def test_reverse_names_the_closest_address(address_base):
    found = geocoder().reverse(48.85662, 2.35123)

    assert address_base.requests == [
        ("/reverse/", {"lat": "48.856620", "lon": "2.351230", "limit": "1"})
    ]
    assert found.label == "8 Rue de la Mairie 99100 Testville"
    assert found.citycode == "99999"
    assert (found.lat, found.lon) == (48.856614, 2.351222)


def test_reverse_far_from_any_address_finds_nothing(address_base):
    assert geocoder().reverse(10.0, 10.0) is None
    assert len(address_base.requests) == 1


@pytest.mark.parametrize("lat,lon", [(91, 2), (48, 181), (float("nan"), 2), ("abc", 2)])
def test_reverse_of_an_impossible_point_is_not_sent(address_base, lat, lon):
    assert geocoder().reverse(lat, lon) is None
    assert address_base.requests == []


def test_answers_are_kept_a_while_to_spare_the_service(address_base):
    first = geocoder().search("8 rue de la mairie")
    again = geocoder().search("8 rue de la mairie")
    geocoder().reverse(48.85662, 2.35123)
    geocoder().reverse(48.85662, 2.35123)

    assert again == first
    assert [path for path, _ in address_base.requests] == ["/search/", "/reverse/"]


def test_no_cache_when_turned_off(address_base, settings):
    settings.GUICHET_GEOCODER_CACHE_SECONDS = 0
    geocoder().search("8 rue de la mairie")
    geocoder().search("8 rue de la mairie")
    assert len(address_base.requests) == 2


def test_empty_results(address_base):
    assert geocoder().search("place inconnue quelque part") == []
    assert len(address_base.requests) == 1


@pytest.mark.parametrize("status", [500, 503, 429, 400, 404])
def test_http_error_degrades_to_nothing_and_is_not_cached(address_base, status, caplog):
    address_base.fail_with = status
    with caplog.at_level(logging.WARNING, logger="guichet.reports.geocoding"):
        assert geocoder().search("8 rue de la mairie") == []
        assert geocoder().reverse(48.85662, 2.35123) is None
    assert f"HTTP {status}" in caplog.text
    # The person's words never reach the log.
    assert "mairie" not in caplog.text.lower()

    address_base.fail_with = None
    assert geocoder().search("8 rue de la mairie")[0].housenumber == "8"
    assert len(address_base.requests) == 3


def test_a_redirect_is_not_followed(address_base, caplog):
    # The person's words go to the configured service, never where it points to.
    address_base.redirect_to = f"{address_base.url}/elsewhere/search/?q=8+rue+de+la+mairie"
    with caplog.at_level(logging.WARNING, logger="guichet.reports.geocoding"):
        assert geocoder().search("8 rue de la mairie") == []
    assert [path for path, _params in address_base.requests] == ["/search/"]
    assert "HTTP 302" in caplog.text


def test_malformed_json_degrades_to_nothing(address_base, caplog):
    address_base.malformed = True
    with caplog.at_level(logging.WARNING, logger="guichet.reports.geocoding"):
        assert geocoder().search("8 rue de la mairie") == []
        assert geocoder().reverse(48.85662, 2.35123) is None
    assert "invalid JSON" in caplog.text


def test_json_that_is_not_geojson_degrades_to_nothing(address_base, caplog):
    address_base.custom = ["8 Rue de la Mairie 99100 Testville"]
    with caplog.at_level(logging.WARNING, logger="guichet.reports.geocoding"):
        assert geocoder().search("8 rue de la mairie") == []
    assert "unexpected answer" in caplog.text


def test_slow_service_times_out_quickly(address_base, settings, caplog):
    settings.GUICHET_GEOCODER_TIMEOUT = 0.3
    address_base.delay = 5
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="guichet.reports.geocoding"):
        assert geocoder().search("8 rue de la mairie") == []
        assert geocoder().reverse(48.85662, 2.35123) is None
    assert time.monotonic() - started < 3
    assert "timed out" in caplog.text


def test_service_down_degrades_to_nothing(settings, caplog):
    # A port nobody listens on: the connection is refused.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.GUICHET_GEOCODER_URL = f"http://127.0.0.1:{port}"
    with caplog.at_level(logging.WARNING, logger="guichet.reports.geocoding"):
        assert geocoder().search("8 rue de la mairie") == []
        assert geocoder().reverse(48.85662, 2.35123) is None
    assert "refused" in caplog.text.lower()


def test_features_without_a_usable_point_are_skipped(address_base):
    address_base.custom = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": None, "properties": {"label": "Sans point"}},
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": ["a", "b"]},
                "properties": {"label": "Point illisible"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
                "properties": {},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
                "properties": {"label": "Place du Marché 99100 Testville", "score": "n/a"},
            },
        ],
    }
    results = geocoder().search("place du marché")
    assert [(r.label, r.lat, r.lon, r.score) for r in results] == [
        ("Place du Marché 99100 Testville", 48.85, 2.35, None)
    ]
