"""Helpers shared by the case tests."""

import datetime as dt

from django.utils import timezone

from guichet.core.models import Event

PARIS = timezone.get_default_timezone()


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=PARIS)


def events_of(case):
    return list(Event.objects.filter(case=case).values_list("verb", flat=True))
