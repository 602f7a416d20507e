"""Each authority's colours, made readable whatever they are (RGAA contrast 4.5:1)."""

import re

import pytest
from django.urls import reverse

from guichet.www.portal.views import _contrast

pytestmark = pytest.mark.django_db


def _ratio_on_white(color: str) -> float:
    return 1.05 / (_contrast(color) + 0.05)


@pytest.mark.parametrize("color", ["#ffcc00", "#777777", "#1f4e79", "#e30613", "#00a650"])
def test_the_strong_colour_always_reads_on_white(client, authority, color):
    authority.primary_color = color
    authority.save()
    css = client.get(reverse("theme", args=[authority.slug])).content.decode()
    strong = re.search(r"--strong:(#[0-9a-f]{6})", css).group(1)
    assert _ratio_on_white(strong) >= 4.5
    # A colour that already reads well is kept as it is.
    if _ratio_on_white(color) >= 4.5:
        assert strong == color
