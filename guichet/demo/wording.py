"""The catalogue's sentences filled in, and dates written the French way."""

from __future__ import annotations

import datetime as dt
import random

from guichet.demo import catalogue as cat

DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


class Wording(dict):
    """Placeholder values for the catalogue's sentences, made up when asked for."""

    def __init__(
        self, rng: random.Random, streets: list[str], today: dt.date, female: bool, extra: dict
    ):
        super().__init__(extra)
        self.rng = rng
        self.streets = streets
        self.today = today
        self.female = female

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if key == "e":
            value = "e" if self.female else ""
        elif key == "street":
            value = rng.choice(self.streets)
        elif key == "num":
            value = str(rng.randint(1, 120))
        elif key == "address":
            value = f"{rng.randint(1, 120)} {rng.choice(self.streets)}"
        elif key == "copies":
            value = rng.choice(
                ("une copie intégrale", "un extrait avec filiation", "deux copies intégrales")
            )
        elif key == "year_birth":
            value = str(rng.randint(1940, 2006))
        elif key in ("old_date", "recent_date", "future_date", "past_date"):
            offset = {
                "old_date": -rng.randint(9000, 20000),
                "recent_date": -rng.randint(5, 60),
                "future_date": rng.randint(10, 90),
                "past_date": -rng.randint(1, 5),
            }[key]
            day = self.today + dt.timedelta(days=offset)
            value = f"{day.day} {MONTHS_FR[day.month - 1]} {day.year}"
        elif key == "month":
            value = rng.choice(MONTHS_FR)
        elif key == "parcelle":
            value = f"{rng.choice('ABCDEFGH')}{rng.choice('ABCDEFGHIJK')} {rng.randint(10, 999)}"
        elif key == "guests":
            value = str(rng.choice((30, 50, 80, 120, 150)))
        elif key == "amount":
            value = str(rng.choice((80, 150, 200, 300, 450, 800, 1500)))
        elif key == "child":
            value = rng.choice(cat.CHILD_NAMES + cat.BOY_NAMES + cat.GIRL_NAMES)
        elif key == "boy":
            value = rng.choice(cat.BOY_NAMES)
        elif key == "girl":
            value = rng.choice(cat.GIRL_NAMES)
        elif key == "nud":
            value = f"036{rng.randint(10**9, 10**10 - 1)}"
        elif key in ("question", "answer", "question_free"):
            question, answer = rng.choice(cat.QUESTIONS)
            self["question"], self["answer"] = question, answer
            self["question_free"] = f"Bonjour, pouvez-vous me dire {question} ? Merci."
            return self[key]
        elif key in ("leaf", "leaf_cap"):
            leaf = self.get("leaf_label", "un problème")
            self["leaf"] = leaf[:1].lower() + leaf[1:]
            self["leaf_cap"] = leaf
            return self[key]
        else:
            pools = {
                "motive": cat.MOTIVES,
                "works": cat.WORKS,
                "event": cat.EVENTS,
                "topic": cat.TOPICS,
                "lost": cat.LOST,
                "job": cat.JOBS,
                "building": cat.BUILDINGS,
            }
            value = rng.choice(pools.get(key, ("…",)))
        self[key] = value
        return value


def french_datetime(local: dt.datetime) -> str:
    return (
        f"{DAYS_FR[local.weekday()]} {local.day} {MONTHS_FR[local.month - 1]} {local.year} "
        f"à {local:%H:%M}"
    )


def french_date(day: dt.date) -> str:
    return f"{DAYS_FR[day.weekday()]} {day.day} {MONTHS_FR[day.month - 1]} {day.year}"
