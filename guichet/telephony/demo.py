"""Demo calls: four weeks of the switchboard's records imported from a generated export,
a few missed calls noted at the desk (one of them called back) and a text message from an
unknown number. The same authority gives the same data; running it twice adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone

from guichet.telephony.models import PhoneCall, SwitchboardImport
from guichet.telephony.services import call_back_record, call_missed_record, switchboard_import
from guichet.telephony.sms import sms_receive

DEMO_FILENAME = "export-standard-demo.csv"
LINES = ("05 61 00 00 00", "05 61 00 00 10")
# Calls offered per hour of a working day, and the share picked up: the morning peak and
# the reopening after lunch are when calls get lost.
HOURS = {8: (4, 0.9), 9: (9, 0.76), 10: (7, 0.84), 11: (6, 0.88), 13: (3, 0.93)}
HOURS.update({14: (8, 0.78), 15: (6, 0.86), 16: (5, 0.9)})


def _export(rng: random.Random, today: dt.date, days: int, numbers: list[str]) -> bytes:
    rows = ["Date;Heure;Appelant;Numéro appelé;Sonnerie;Durée;Statut"]
    for offset in range(days, 0, -1):
        day = today - dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for hour, (mean, pickup) in HOURS.items():
            for _ in range(max(0, round(rng.gauss(mean, mean / 3)))):
                moment = dt.time(hour, rng.randrange(60), rng.randrange(60))
                answered = rng.random() < pickup
                caller = (
                    rng.choice(numbers)
                    if numbers and rng.random() < 0.15
                    else f"06{rng.randrange(10**8):08d}"
                )
                if rng.random() < 0.05:
                    caller = "Anonyme"
                ring = rng.randrange(3, 25) if answered else rng.randrange(20, 60)
                talk = rng.randrange(40, 600) if answered else 0
                rows.append(
                    ";".join(
                        (
                            f"{day:%d/%m/%Y}",
                            f"{moment:%H:%M:%S}",
                            caller,
                            rng.choice(LINES),
                            f"00:00:{ring:02d}",
                            f"{talk // 3600:02d}:{talk % 3600 // 60:02d}:{talk % 60:02d}",
                            "Répondu" if answered else rng.choice(("Non répondu", "Occupé")),
                        )
                    )
                )
    return ("\n".join(rows) + "\n").encode("cp1252")


def demo_seed(*, authority, actor) -> None:
    """Demo calls for the authority; `actor` is the front-desk agent who notes them."""
    from guichet.contacts.models import Contact

    if SwitchboardImport.objects.filter(authority=authority, filename=DEMO_FILENAME).exists():
        return
    rng = random.Random(f"telephony-{authority.slug}")
    known = list(
        Contact.objects.filter(authority=authority)
        .active()
        .filter(~Q(phone="") | ~Q(mobile=""))
        .order_by("pk")
        .values_list("phone", "mobile")[:20]
    )
    numbers = [phone or mobile for phone, mobile in known]
    switchboard_import(
        actor=actor,
        authority=authority,
        content=_export(rng, timezone.localdate(), 28, numbers[:8]),
        filename=DEMO_FILENAME,
    )
    now = timezone.now()
    missed = [
        call_missed_record(
            actor=actor,
            authority=authority,
            number=number,
            occurred_at=now - dt.timedelta(hours=3 + 5 * index),
            note="Message sur le répondeur : merci de rappeler." if index == 0 else "",
        )
        for index, number in enumerate(numbers[8:11] or ["06 70 80 90 10", "06 70 80 90 11"])
    ]
    if missed and not PhoneCall.objects.filter(callback_of=missed[-1]).exists():
        call_back_record(
            actor=actor,
            missed=missed[-1],
            reached=True,
            note="Renseignement donné sur les horaires de l'état civil.",
            duration_seconds=180,
        )
    sms_receive(
        authority=authority,
        provider_id=f"demo-{authority.slug}-1",
        sender="07 58 12 34 56",
        body="Bonjour, la mairie est-elle ouverte samedi matin ? Merci",
        received_at=now - dt.timedelta(hours=2),
    )
