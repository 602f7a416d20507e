"""The life of a simulated case after its creation: assignment, waits, transfers, answers
and closure, with the exchanges, notes and events the services would write."""

from __future__ import annotations

import math

from guichet.cases.enums import WaitingFor
from guichet.cases.models import Note
from guichet.core.enums import Channel
from guichet.demo import catalogue as cat
from guichet.demo.bulk import (
    Batch,
)
from guichet.demo.casestate import (
    CLOSED,
    COUNTER,
    DUPLICATE,
    EMAIL,
    IN,
    IN_PROGRESS,
    OUT,
    PHONE,
    PORTAL,
    POST,
    REJECTED,
    RESOLVED,
    WAITING,
    CaseState,
    _aware,
)
from guichet.demo.organisation import CategoryInfo
from guichet.demo.wording import Wording


class LifecycleSteps:
    """Mixed into CaseGenerator: the steps that follow the creation of a case."""

    def _lifecycle(
        self, batch: Batch, case: CaseState, category: CategoryInfo, channel: str, words: Wording
    ) -> None:
        rng, clock, now, plan = self.rng, self.clock, self.now, self.plan
        texts = category.texts
        contact_id = self.pool.ids[case.contact] if case.contact is not None else None

        # A demand that repeats a recent one of the same category.
        recent = self.recent.get(category.id)
        if recent and rng.random() < 0.025 and case.ts - recent[-1][2] < 21 * 86400:
            original_id, original_ref, _ = recent[-1]
            at = clock.after(case.ts, rng.expovariate(1 / 5))
            if at <= now:
                actor = self._agent_of(case.service_id)
                self._transition(
                    batch,
                    case,
                    DUPLICATE,
                    at=at,
                    actor=actor,
                    verb="case.marked_duplicate",
                    data={"original": original_id, "original_reference": original_ref},
                )
                case.duplicate_of = original_id
                case.closed_at = at
            return
        reject = rng.random() < texts.reject_rate

        # Sent to the wrong service first, now and then.
        t = case.ts
        if rng.random() < 0.04 and len(self.working_services) > 1:
            at = clock.after(t, rng.expovariate(1 / 4))
            if at > now:
                return
            actor = self._agent_of(case.service_id)
            target = rng.choice([s for s in self.working_services if s != case.service_id])
            names = plan.service_names
            self._event(
                batch,
                at=at,
                actor=actor,
                verb="case.transferred",
                case=case,
                data={
                    "from": case.service_id,
                    "from_name": names[case.service_id],
                    "to": target,
                    "to_name": names[target],
                    "reason": f"Relève du service {names[target]}, pas du service "
                    f"{names[case.service_id]}.",
                },
            )
            case.past_services.append(case.service_id)
            case.service_id = target
            if actor:
                case.handlers.add(actor)
            case.last = t = at

        # Taken by an agent of the service, or given to one by a manager.
        # Mostly within the day; now and then after a few days in the pile.
        t_assign = clock.after(
            t, rng.expovariate(1 / 8) if rng.random() < 0.9 else rng.expovariate(1 / 27)
        )
        if t_assign > now:
            return
        assignee = self._agent_of(case.service_id)
        managers = plan.managers.get(case.service_id) or []
        actor = rng.choice(managers) if managers and rng.random() < 0.35 else assignee
        if assignee is None:
            return
        self._event(
            batch,
            at=t_assign,
            actor=actor,
            verb="case.assigned",
            case=case,
            data={"from": None, "to": assignee, "to_name": plan.agent_names.get(assignee, "")},
        )
        case.assignee = assignee
        case.handlers.update({actor, assignee})
        self._transition(batch, case, IN_PROGRESS, at=t_assign, actor=actor, verb="case.started")

        # How long the work takes, in working days: mostly within the promised delay.
        work_days = rng.lognormvariate(math.log(max(0.3, category.delay_days * 0.5)), 0.8)
        if rng.random() < 0.04:
            work_days *= rng.uniform(4, 12)  # forgotten under a pile, then found again
        t = t_assign
        hours = work_days * 9
        t_done = clock.after(t_assign, hours)

        # Waiting for the person or for someone else: the clock stops.
        if rng.random() < 0.12:
            t_wait = clock.after(t_assign, work_days * 9 * rng.uniform(0.1, 0.6))
            if t_wait > now:
                self._exchanges(batch, case, channel, words, t_assign, hours, now)
                return
            person = case.contact is not None and rng.random() < 0.7
            waiting_for = (WaitingFor.PERSON if person else WaitingFor.THIRD_PARTY).value
            reason = "" if person else rng.choice(cat.WAIT_THIRD_PARTY)
            if person:
                self._send(
                    batch,
                    case,
                    at=t_wait,
                    actor=assignee,
                    subject=f"Votre demande {case.reference}",
                    body=rng.choice(cat.WAIT_REQUESTS),
                )
            self._transition(
                batch,
                case,
                WAITING,
                at=t_wait,
                actor=assignee,
                verb="case.waiting",
                data={"waiting_for": waiting_for, "reason": reason},
            )
            case.waiting_for = waiting_for
            pause = [clock.local(t_wait).date(), None, waiting_for]
            case.pauses.append(pause)
            waited = rng.expovariate(1 / 6)
            t_resume = clock.after(t_wait, waited * 9)
            if t_resume > now:
                return
            citizen = case.actor_citizen
            if person and citizen:
                # case_citizen_reply: the person answers on the portal and the clock restarts.
                self._interaction(
                    batch,
                    at=t_resume,
                    actor=citizen,
                    agent=None,
                    channel=PORTAL,
                    direction=IN,
                    case=case,
                    contact_id=contact_id,
                    service_id=case.service_id,
                    subject=f"Message sur la demande {case.reference}",
                    body=rng.choice(cat.FOLLOW_UPS_IN).format_map(words),
                )
                self._transition(
                    batch,
                    case,
                    IN_PROGRESS,
                    at=t_resume,
                    actor=citizen,
                    verb="case.resumed",
                    data={"by": "person"},
                    remember=False,
                )
            else:
                if person:
                    self._interaction(
                        batch,
                        at=t_resume,
                        actor=assignee,
                        agent=assignee,
                        channel=rng.choice((EMAIL, POST, COUNTER)),
                        direction=IN,
                        case=case,
                        contact_id=contact_id,
                        service_id=case.service_id,
                        subject="Pièces complémentaires",
                        body="Pièce justificative transmise.",
                    )
                self._transition(
                    batch,
                    case,
                    IN_PROGRESS,
                    at=t_resume,
                    actor=assignee,
                    verb="case.resumed",
                    remember=False,
                )
            pause[1] = clock.local(t_resume).date()
            case.waiting_for = ""
            hours = work_days * 9 * rng.uniform(0.2, 0.6)
            t_done = clock.after(t_resume, hours)
            t = t_resume

        self._exchanges(batch, case, channel, words, t, hours, min(t_done, now))
        if t_done > now:
            return

        # The answer, then the decision.
        assignee = case.assignee
        if reject:
            reason = rng.choice(texts.reject_reasons)
            if case.contact is not None:
                self._send(
                    batch,
                    case,
                    at=t_done,
                    actor=assignee,
                    subject=f"Votre demande {case.reference}",
                    body=f"Bonjour,\n\n{reason}\n\nCordialement,\n{self.authority.public_name}",
                )
            self._transition(
                batch,
                case,
                REJECTED,
                at=t_done + 1,
                actor=assignee,
                verb="case.rejected",
                data={"reason": reason},
            )
            case.closed_at = t_done + 1
            return
        answer = case.answer.format_map(words)
        if case.contact is not None:
            self._send(
                batch,
                case,
                at=t_done,
                actor=assignee,
                subject=f"Votre demande {case.reference}",
                body=f"Bonjour,\n\n{answer}\n\nCordialement,\n{self.authority.public_name}",
            )
        self._transition(
            batch,
            case,
            RESOLVED,
            at=t_done + 1,
            actor=assignee,
            verb="case.resolved",
            data={"resolution": answer[:200]},
        )
        case.resolved_at = t_done + 1
        t_close = clock.after(clock.snap(t_done + rng.uniform(7, 35) * 86400), rng.uniform(0, 9))
        if t_close > now:
            return
        closer = (
            rng.choice(plan.managers.get(case.service_id) or [assignee])
            if (rng.random() < 0.3)
            else assignee
        )
        self._transition(batch, case, CLOSED, at=t_close, actor=closer, verb="case.closed")
        case.closed_at = t_close

    def _exchanges(
        self,
        batch: Batch,
        case: CaseState,
        channel: str,
        words: Wording,
        start: float,
        hours: float,
        end: float,
    ) -> None:
        """Notes and back-and-forth during the `hours` working hours the case is worked on
        from `start`, up to `end`; a few cases get many."""
        rng = self.rng
        if end <= start:
            return
        clock = self.clock
        finish = clock.after(start, hours)
        assignee = case.assignee
        contact_id = self.pool.ids[case.contact] if case.contact is not None else None
        roll = rng.random()
        if roll < 0.002:
            rounds = rng.randint(40, 70)
        elif roll < 0.025:
            rounds = rng.randint(6, 20)
        elif roll < 0.3:
            rounds = 1
        else:
            rounds = 0
        if contact_id is None:
            rounds = 0
        for share in sorted(rng.random() for _ in range(rounds)):
            at = start + share * (finish - start)  # the person may write at any hour
            if rng.random() < 0.55:
                # The person writes or calls about their case.
                if channel == Channel.PORTAL and case.actor_citizen:
                    via, recorder, citizen = PORTAL, None, case.actor_citizen
                elif channel in (Channel.EMAIL, Channel.PHONE, Channel.COUNTER):
                    via, citizen = str(channel), None
                else:
                    via, citizen = rng.choice((PHONE, EMAIL)), None
                if via in (Channel.PHONE, Channel.COUNTER):
                    at = clock.after(start, share * hours)
                    recorder = rng.choice(self.plan.front_desk or [assignee])
                elif via == Channel.EMAIL:
                    recorder = None
                if at > end:
                    continue
                self._interaction(
                    batch,
                    at=at,
                    actor=citizen or recorder,
                    agent=recorder,
                    channel=via,
                    direction=IN,
                    case=case,
                    contact_id=contact_id,
                    service_id=case.service_id,
                    subject=f"Message sur la demande {case.reference}",
                    body=rng.choice(cat.FOLLOW_UPS_IN).format_map(words),
                    duration=rng.randint(60, 600) if via == Channel.PHONE else None,
                    key=f"<{rng.getrandbits(96):024x}@{self.domain}>"
                    if via == Channel.EMAIL
                    else None,
                )
            else:
                at = clock.after(start, share * hours)
                if at > end:
                    continue
                if channel == Channel.PHONE and rng.random() < 0.4:
                    self._interaction(
                        batch,
                        at=at,
                        actor=assignee,
                        agent=assignee,
                        channel=PHONE,
                        direction=OUT,
                        case=case,
                        contact_id=contact_id,
                        service_id=case.service_id,
                        subject="Appel à l'usager",
                        body=rng.choice(cat.FOLLOW_UPS_OUT),
                        duration=rng.randint(60, 480),
                    )
                else:
                    self._send(
                        batch,
                        case,
                        at=at,
                        actor=assignee,
                        subject=f"Votre demande {case.reference}",
                        body=rng.choice(cat.FOLLOW_UPS_OUT),
                    )
                case.handlers.add(assignee)
            case.last = max(case.last, at)
        notes = rng.choices((0, 1, 2, 3), cum_weights=(72, 92, 98, 100))[0] + (rounds // 4)
        for at in sorted(clock.after(start, rng.random() * hours) for _ in range(notes)):
            if at > end:
                break
            author = (
                assignee
                if rng.random() < 0.8
                else rng.choice(self.plan.managers.get(case.service_id) or [assignee])
            )
            note_id = batch.add(
                Note,
                {
                    "case_id": case.id,
                    "author_id": author,
                    "body": rng.choice(cat.NOTES),
                    "created_at": _aware(at),
                },
            )
            self._event(
                batch,
                at=at,
                actor=author,
                verb="case.note_added",
                case=case,
                data={"note": note_id},
            )
            case.handlers.add(author)
            case.last = max(case.last, at)
