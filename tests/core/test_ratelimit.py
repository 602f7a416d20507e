"""Whom a rate limit counts: the sender, read through the trusted proxies only."""

from django.test import RequestFactory

from guichet.core.ratelimit import client_address, client_key, counter_hit


def request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_trusted_proxy_the_connection_is_the_sender(settings):
    settings.GUICHET_TRUSTED_PROXIES = 0
    assert client_address(request(forwarded="203.0.113.9")) == "10.0.0.1"


def test_behind_one_proxy_its_view_of_the_sender_counts_not_what_the_sender_wrote(settings):
    settings.GUICHET_TRUSTED_PROXIES = 1
    # The sender wrote a fake address first; nginx appended the one it saw.
    assert client_address(request(forwarded="198.51.100.1, 203.0.113.9")) == "203.0.113.9"
    assert client_address(request(forwarded="203.0.113.9")) == "203.0.113.9"
    # No header (a direct connection to the application): the connection.
    assert client_address(request()) == "10.0.0.1"
    settings.GUICHET_TRUSTED_PROXIES = 2
    assert client_address(request(forwarded="198.51.100.1, 203.0.113.9")) == "198.51.100.1"


def test_two_senders_behind_the_proxy_are_counted_apart(settings):
    settings.GUICHET_TRUSTED_PROXIES = 1
    one, two = request(forwarded="203.0.113.9"), request(forwarded="203.0.113.10")
    assert client_key(one) != client_key(two)
    assert "203.0.113.9" not in client_key(one)  # hashed: no address in the cache
    assert [counter_hit(f"t:{client_key(one)}", window=60) for _ in range(2)] == [1, 2]
    assert counter_hit(f"t:{client_key(two)}", window=60) == 1
