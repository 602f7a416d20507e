"""A year (or more) of cases: each one simulated from its arrival to now, written as the
services would have written it, step by step."""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import json
import random
import time
from collections import deque
from collections.abc import Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from guichet.cases.enums import Status
from guichet.cases.models import Case, CaseContact, CasePause
from guichet.cases.tracking import LINK_PLACEHOLDER
from guichet.core.enums import Channel
from guichet.core.models import Event, ReferenceCounter
from guichet.core.references import format_case_reference
from guichet.demo import catalogue as cat
from guichet.demo.arrivals import ArrivalModel, channel_counts
from guichet.demo.bulk import (
    HANDLERS,
    PAST_SERVICES,
    Batch,
    JsonText,
    Out,
    RowWriter,
    chunks,
    cumulative,
    progress,
    quiet,
)
from guichet.demo.casestate import (
    COUNTER,
    EMAIL,
    FAILED,
    IN,
    OUT,
    PHONE,
    POST,
    PRINTED,
    PRIORITIES,
    QUEUED,
    REPRESENTATIVE,
    REQUESTER,
    SENT,
    T_CASE,
    T_INTERACTION,
    TO_PRINT,
    UTC,
    CaseState,
    _aware,
)
from guichet.demo.clock import WorkClock
from guichet.demo.lifecycle import LifecycleSteps
from guichet.demo.organisation import AuthorityPlan, CategoryInfo
from guichet.demo.people import ContactPool
from guichet.demo.wording import Wording, french_date, french_datetime
from guichet.interactions.enums import Outcome
from guichet.interactions.models import Interaction


class CaseGenerator(LifecycleSteps):
    """Cases of one authority over a span of time, with their whole history up to now."""

    def __init__(
        self,
        *,
        writer: RowWriter,
        plan: AuthorityPlan,
        pool: ContactPool,
        seed: int,
        now: dt.datetime,
        arrivals: ArrivalModel,
        out: Out = quiet,
        citizen_cases: int = 0,
    ):
        self.writer = writer
        self.plan = plan
        self.pool = pool
        self.rng = random.Random(f"{seed}-cases-{plan.authority.slug}")
        self.now = now.timestamp()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.today = now.astimezone(self.tz).date()
        self.clock = WorkClock(plan.calendar, self.tz)
        self.arrivals = arrivals
        self.out = out
        self.authority = plan.authority
        self.aid = plan.authority.pk
        self.streets = list(cat.STREETS)
        self.recent: dict[int, deque] = {}
        self.counters: dict[int, int] = {}
        self.citizen_positions = sorted(pool.user)
        self.citizen_cases = citizen_cases
        self.domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1] or "guichet.local"
        by_channel: dict[str, tuple[list[CategoryInfo], list[float]]] = {}
        for channel in Channel.values:
            offered = [c for c in plan.categories if channel in c.channels]
            by_channel[channel] = (offered, list(cumulative(c.texts.weight for c in offered)))
        self.by_channel = by_channel
        self.working_services = sorted({c.service_id for c in plan.categories})
        self.stats = {"cases": 0, "standalone": 0}
        self._json_cache: dict[tuple, JsonText] = {}

    # References, like guichet.core.references.case_reference --------------------------
    def _reference(self, ts: float) -> str:
        year = self.clock.local(ts).year
        number = self.counters.get(year)
        if number is None:
            number = (
                ReferenceCounter.objects.filter(authority=self.authority, kind="case", year=year)
                .values_list("last", flat=True)
                .first()
                or 0
            )
        number += 1
        self.counters[year] = number
        return format_case_reference(year, number)

    def save_counters(self) -> None:
        for year, last in self.counters.items():
            counter, _ = ReferenceCounter.objects.get_or_create(
                authority=self.authority, kind="case", year=year
            )
            if counter.last < last:
                ReferenceCounter.objects.filter(pk=counter.pk).update(last=last)

    # Rows, like the services write them ---------------------------------------------
    def _event(
        self,
        batch: Batch,
        *,
        at: float,
        actor,
        verb: str,
        case: CaseState | None,
        contact_id=None,
        target_type=T_CASE,
        target_id=None,
        data=None,
    ) -> None:
        batch.add(
            Event,
            {
                "authority_id": self.aid,
                "at": _aware(at),
                "actor_id": actor,
                "verb": verb,
                "target_type": target_type,
                "target_id": str(target_id if target_id is not None else case.id),
                "case_id": case.id if case else None,
                "contact_id": contact_id,
                "data": data or {},
            },
        )

    def _interaction(
        self,
        batch: Batch,
        *,
        at: float,
        actor,
        agent,
        channel: str,
        direction: str,
        case: CaseState | None,
        contact_id,
        service_id,
        subject="",
        body="",
        outcome="",
        duration=None,
        key=None,
        recipient="",
        delivery="",
        attempts=0,
        error="",
        visible=True,
    ) -> int:
        iid = batch.add(
            Interaction,
            {
                "authority_id": self.aid,
                "channel": channel,
                "direction": direction,
                "occurred_at": _aware(at),
                "agent_id": agent,
                "service_id": service_id,
                "contact_id": contact_id,
                "case_id": case.id if case else None,
                "subject": subject[:255],
                "body": body,
                "duration_seconds": duration,
                "outcome": outcome,
                "visible_to_contact": visible,
                "recipient": recipient,
                "delivery_status": delivery,
                "delivery_attempts": attempts,
                "delivery_error": error,
                "idempotency_key": key,
                "created_at": _aware(at),
            },
        )
        self._event(
            batch,
            at=at,
            actor=actor,
            verb="interaction.recorded",
            case=case,
            contact_id=contact_id,
            target_type=T_INTERACTION,
            target_id=iid,
            data=self._shared(
                ("recorded", channel, direction), channel=channel, direction=direction
            ),
        )
        return iid

    def _shared(self, key: tuple, **data) -> JsonText:
        """Event data repeated on many rows, encoded once."""
        text = self._json_cache.get(key)
        if text is None:
            text = self._json_cache[key] = JsonText(json.dumps(data))
        return text

    def _msgid(self) -> str:
        rng = self.rng
        return (
            f"<{rng.randint(10**17, 10**18)}.{rng.randint(1000, 99999)}."
            f"{rng.randint(10**18, 10**19)}.guichet@{self.domain}>"
        )

    def _send(
        self,
        batch: Batch,
        case: CaseState,
        *,
        at: float,
        actor,
        subject: str,
        body: str,
        letter_ok: bool = True,
    ) -> None:
        """`case_reply`: by email when the person accepts it, else a letter to post."""
        pool, position = self.pool, case.contact
        contact_id = pool.ids[position]
        agent = actor if actor not in (None, case.actor_citizen) else None
        if pool.can_email[position]:
            failed = self.rng.random() < 0.005
            sent = at < self.now - 300
            self._interaction(
                batch,
                at=at,
                actor=actor,
                agent=agent,
                channel=EMAIL,
                direction=OUT,
                case=case,
                contact_id=contact_id,
                service_id=case.service_id,
                subject=subject,
                body=body,
                key=self._msgid(),
                recipient=pool.email[position],
                delivery=(FAILED if failed else SENT) if sent else QUEUED,
                attempts=(5 if failed else 1) if sent else 0,
                error="550 5.1.1 Adresse du destinataire inconnue" if sent and failed else "",
            )
        elif letter_ok:
            printed = at < self.now - 2 * 86400
            self._interaction(
                batch,
                at=at,
                actor=actor,
                agent=agent,
                channel=POST,
                direction=OUT,
                case=case,
                contact_id=contact_id,
                service_id=case.service_id,
                subject=subject,
                body=body,
                recipient=pool.postal[position],
                delivery=PRINTED if printed else TO_PRINT,
            )

    def _transition(
        self,
        batch: Batch,
        case: CaseState,
        target: str,
        *,
        at: float,
        actor,
        verb: str,
        data: dict | None = None,
        remember: bool = True,
    ) -> None:
        self._event(
            batch,
            at=at,
            actor=actor,
            verb=verb,
            case=case,
            data={"from": case.status, "to": target, **data}
            if data
            else self._shared(
                ("transition", case.status, target), **{"from": case.status, "to": target}
            ),
        )
        case.status = target
        case.last = max(case.last, at)
        # Like _remember_handler: agents only (case_resume does not remember).
        if remember and actor is not None and actor != case.actor_citizen:
            case.handlers.add(actor)

    def _acknowledgement(self, case: CaseState, subject: str, due: dt.date, tracked: bool) -> str:
        received = self.clock.local(case.ts)
        authority = self.authority.public_name
        service = self.plan.service_names[case.service_id]
        lines = [
            f"Bonjour {self.pool.display[case.contact]},",
            "",
            f"{authority} a bien enregistré votre demande. Sa référence est {case.reference} : "
            "rappelez-la si vous nous contactez à son sujet.",
            "",
            f"Objet : {subject}",
            f"Reçue le : {french_datetime(received)}",
            f"Service en charge : {service}",
            f"Réponse prévue au plus tard le : {french_date(due)}",
        ]
        if tracked:
            lines += [
                "",
                "Suivez votre demande et répondez-nous à cette adresse privée "
                "(ne la partagez pas) :",
                LINK_PLACEHOLDER,
            ]
        lines += ["", "Ce message est envoyé automatiquement.", "--", authority, ""]
        return "\n".join(lines)

    # One case ----------------------------------------------------------------------------
    def _pick_category(self, channel: str) -> CategoryInfo | None:
        offered, cum = self.by_channel[channel]
        if not offered:
            return None
        return offered[bisect.bisect_right(cum, self.rng.random() * cum[-1]) if cum[-1] else 0]

    def _agent_of(self, service_id: int) -> int | None:
        agents = self.plan.agents.get(service_id)
        return self.rng.choice(agents) if agents else None

    def case(self, batch: Batch, ts: float, channel: str) -> None:
        rng, pool, plan, clock = self.rng, self.pool, self.plan, self.clock
        category = self._pick_category(channel)
        if category is None:
            return
        texts = category.texts
        # Who asks.
        position = None
        if (
            channel == Channel.PORTAL
            and self.citizen_cases
            and self.citizen_positions
            and (rng.random() < 0.02)
        ):
            position = self.citizen_positions[0]
            if pool.created[position] > ts:
                position = None
            else:
                self.citizen_cases -= 1
        if position is None and not (channel in (Channel.API, Channel.SMS) and rng.random() < 0.4):
            position = pool.pick(rng, ts, rng.random() < texts.organisation_share)
        contact_id = pool.ids[position] if position is not None else None
        female = pool.female[position] if position is not None else False
        citizen = pool.user.get(position) if channel == Channel.PORTAL else None
        # Who records it.
        intake = None
        if channel in (Channel.COUNTER, Channel.PHONE, Channel.POST):
            if plan.front_desk and (channel == Channel.POST or rng.random() < 0.8):
                intake = rng.choice(plan.front_desk)
            else:
                intake = self._agent_of(category.service_id)
        creator = intake or citizen
        case = CaseState(
            id=self.writer.next_id(Case),
            reference=self._reference(ts),
            ts=ts,
            service_id=category.service_id,
            contact=position,
            actor_citizen=citizen,
            last=ts,
        )
        words = Wording(rng, self.streets, self.today, female, texts.extra)
        subject, request, case.answer = rng.choice(texts.demands)
        location, latitude, longitude = "", None, None
        if category.is_public_space:
            location = words["address"]
            subject = f"{subject} — {location}" if rng.random() < 0.5 else subject
            latitude = Decimal(f"{cat.CENTRE[0] + rng.gauss(0, 0.008):.6f}")
            longitude = Decimal(f"{cat.CENTRE[1] + rng.gauss(0, 0.012):.6f}")
        subject = " ".join(subject.split())[:255]
        description = request.format_map(words).strip()
        received_on = clock.local(ts).date()
        nonce = ""
        if channel == Channel.PORTAL and citizen is None:
            nonce = f"{rng.getrandbits(128):032x}"
        priority = rng.choices(
            PRIORITIES, cum_weights=(85, 91, 98, 100 if category.is_public_space else 98.5)
        )[0]

        # case_create: the case, its requester, its event, the demand, the acknowledgement.
        if contact_id:
            batch.add(
                CaseContact,
                {
                    "case_id": case.id,
                    "contact_id": contact_id,
                    "role": REQUESTER,
                },
            )
            members = pool.members.get(position)
            if members and rng.random() < 0.5:
                batch.add(
                    CaseContact,
                    {
                        "case_id": case.id,
                        "contact_id": pool.ids[rng.choice(members)],
                        "role": REPRESENTATIVE,
                    },
                )
        self._event(
            batch,
            at=ts,
            actor=creator,
            verb="case.created",
            case=case,
            contact_id=contact_id,
            data={"channel": channel, "category": category.id, "service": category.service_id},
        )
        key = None
        if channel == Channel.EMAIL and position is not None:
            domain = pool.email[position].rsplit("@", 1)[-1] or "example"
            key = f"<{rng.getrandbits(96):024x}@{domain}>"
        self._interaction(
            batch,
            at=ts,
            actor=creator,
            agent=intake,
            channel=channel,
            direction=IN,
            case=case,
            contact_id=contact_id,
            service_id=category.service_id,
            subject=subject,
            body=description,
            key=key,
            duration=rng.randint(90, 900) if channel == Channel.PHONE else None,
        )
        base_due = clock.due(received_on, category.delay_days, (), self.today)
        if position is not None and pool.can_email[position]:
            ack_at = ts + rng.uniform(2, 40)
            if ack_at < self.now:
                self._send(
                    batch,
                    case,
                    at=ack_at,
                    actor=creator,
                    subject=f"Votre demande {case.reference} a bien été enregistrée",
                    body=self._acknowledgement(case, subject, base_due, bool(nonce)),
                    letter_ok=False,
                )

        self._lifecycle(batch, case, category, channel, words)

        # The services refresh the due date when the clock restarts, not when it stops.
        ended = [(p[0], p[1]) for p in case.pauses if p[1] is not None]
        due = clock.due(received_on, category.delay_days, ended, self.today)
        batch.put(
            Case,
            {
                "id": case.id,
                "authority_id": self.aid,
                "reference": case.reference,
                "category_id": category.id,
                "service_id": case.service_id,
                "assignee_id": case.assignee,
                "subject": subject,
                "description": description,
                "channel": channel,
                "received_at": _aware(ts),
                "created_at": _aware(ts),
                "updated_at": _aware(min(case.last, self.now)),
                "priority": priority,
                "status": case.status,
                "waiting_for": case.waiting_for,
                "delay_days": category.delay_days,
                "due_on": due,
                "resolved_at": _aware(case.resolved_at) if case.resolved_at else None,
                "closed_at": _aware(case.closed_at) if case.closed_at else None,
                "duplicate_of_id": case.duplicate_of,
                "location_label": location,
                "latitude": latitude,
                "longitude": longitude,
                "tracking_nonce": nonce,
            },
        )
        for user_id in sorted(case.handlers):
            batch.add(HANDLERS, {"case_id": case.id, "user_id": user_id})
        for service_id in case.past_services:
            batch.add(PAST_SERVICES, {"case_id": case.id, "service_id": service_id})
        for started, ended, waiting_for in case.pauses:
            batch.add(
                CasePause,
                {
                    "case_id": case.id,
                    "started_on": started,
                    "ended_on": ended,
                    "waiting_for": waiting_for,
                },
            )
        if case.status != Status.DUPLICATE:
            recent = self.recent.setdefault(category.id, deque(maxlen=8))
            recent.append((case.id, case.reference, ts))
        self.stats["cases"] += 1

    # Exchanges without a case: information given on the spot ---------------------------
    def standalone(self, batch: Batch, ts: float, channel: str) -> None:
        rng, plan, pool = self.rng, self.plan, self.pool
        topic, body, outcome = rng.choice(cat.STANDALONE_TOPICS)
        if plan.front_desk and rng.random() < 0.85:
            agent = rng.choice(plan.front_desk)
            service_id = plan.front_desk_service_id
        else:
            service_id = rng.choice(self.working_services)
            agent = self._agent_of(service_id)
        position = pool.pick(rng, ts, False) if rng.random() < 0.55 else None
        contact_id = pool.ids[position] if position is not None else None
        self._interaction(
            batch,
            at=ts,
            actor=agent,
            agent=agent,
            channel=channel,
            direction=IN,
            case=None,
            contact_id=contact_id,
            service_id=service_id,
            subject=topic,
            body=body,
            outcome=(Outcome.ANSWERED if outcome == "answered" else Outcome.REDIRECTED).value,
            duration=rng.randint(45, 600) if channel == Channel.PHONE else rng.randint(120, 1200),
        )
        self.stats["standalone"] += 1

    # The whole span ------------------------------------------------------------------
    def run(
        self,
        *,
        count: int,
        start: dt.datetime,
        standalone_ratio: float = 0.0,
        batch_size: int = 5000,
    ) -> None:
        if count <= 0:
            return
        rng = self.rng
        plan = self.plan
        end = dt.datetime.fromtimestamp(self.now, UTC)

        def open_day(day: dt.date) -> bool:
            return self.clock.is_working_day(day)

        offered = {c for c in Channel.values if self.by_channel[c][0]}
        cases = self.arrivals.sample(
            rng,
            counts=channel_counts(count, rng, offered),
            start=start,
            end=end,
            tz=self.tz,
            is_open_day=open_day,
        )
        streams: list[Iterable[tuple[float, str, bool]]] = [((ts, ch, True) for ts, ch in cases)]
        extra = int(count * standalone_ratio) if plan.front_desk else 0
        if extra:
            info = self.arrivals.sample(
                rng,
                counts={
                    COUNTER: extra * 55 // 100,
                    PHONE: extra - extra * 55 // 100,
                },
                start=start,
                end=end,
                tz=self.tz,
                is_open_day=open_day,
            )
            streams.append((ts, ch, False) for ts, ch in info)
        started = time.monotonic()
        done = 0
        for chunk in chunks(heapq.merge(*streams), batch_size):
            batch = Batch(self.writer)
            for ts, channel, is_case in chunk:
                if is_case:
                    self.case(batch, ts, channel)
                else:
                    self.standalone(batch, ts, channel)
            batch.flush()
            done += sum(1 for _ in chunk if _[2])
            progress(self.out, f"cases ({self.authority.slug})", done, count, started)
        self.save_counters()
