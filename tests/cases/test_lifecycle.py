"""The lifecycle of a case: each transition is one service that writes its event, refuses
what the transition table forbids, and leaves nothing half-done when it fails."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from guichet.authorities.enums import Role
from guichet.cases import services
from guichet.cases.enums import TRANSITIONS, Status, WaitingFor
from guichet.cases.models import Case, CasePause
from guichet.cases.services import TransitionError, case_can_act
from guichet.core.models import Event
from tests import factories as f
from tests.cases.helpers import at, events_of


@pytest.fixture
def original(authority, category, citizen_contact, citizen):
    """Another Voirie case, the one a duplicate repeats."""
    case, _ = services.case_create(
        actor=citizen,
        authority=authority,
        category=category,
        contact=citizen_contact,
        subject="Nid de poule, rue des Lilas",
        channel="phone",
        notify=False,
    )
    return case


def bring_to(case, status, *, actor, original=None):
    """Drive a new case to `status` through the services, as agents would."""
    if status == Status.NEW:
        return case
    if status == Status.IN_PROGRESS:
        return services.case_start(actor=actor, case=case)
    if status == Status.WAITING:
        return services.case_wait(actor=actor, case=case, waiting_for=WaitingFor.PERSON)
    if status == Status.RESOLVED:
        return services.case_resolve(actor=actor, case=case, resolution="Rebouché.")
    if status == Status.CLOSED:
        case = services.case_resolve(actor=actor, case=case)
        return services.case_close(actor=actor, case=case)
    if status == Status.REJECTED:
        return services.case_reject(actor=actor, case=case, reason="Voie privée.")
    if status == Status.DUPLICATE:
        return services.case_mark_duplicate(actor=actor, case=case, original=original)
    raise AssertionError(status)


# The service that carries out each arrow of the table, by (from, to).
def service_for(source, target):
    if target == Status.IN_PROGRESS:
        if source == Status.NEW:
            return "start"
        if source == Status.WAITING:
            return "resume"
        return "reopen"
    return {
        Status.WAITING: "wait",
        Status.RESOLVED: "resolve",
        Status.CLOSED: "close",
        Status.REJECTED: "reject",
        Status.DUPLICATE: "duplicate",
    }[target]


SERVICE_TARGET = {
    "start": Status.IN_PROGRESS,
    "resume": Status.IN_PROGRESS,
    "reopen": Status.IN_PROGRESS,
    "wait": Status.WAITING,
    "resolve": Status.RESOLVED,
    "close": Status.CLOSED,
    "reject": Status.REJECTED,
    "duplicate": Status.DUPLICATE,
}
SERVICE_VERB = {
    "start": "case.started",
    "resume": "case.resumed",
    "reopen": "case.reopened",
    "wait": "case.waiting",
    "resolve": "case.resolved",
    "close": "case.closed",
    "reject": "case.rejected",
    "duplicate": "case.marked_duplicate",
}


def call(name, case, *, actor, original=None):
    calls = {
        "start": lambda: services.case_start(actor=actor, case=case),
        "resume": lambda: services.case_resume(actor=actor, case=case),
        "reopen": lambda: services.case_reopen(actor=actor, case=case, reason="Encore un trou."),
        "wait": lambda: services.case_wait(
            actor=actor, case=case, waiting_for=WaitingFor.THIRD_PARTY, reason="Enedis"
        ),
        "resolve": lambda: services.case_resolve(actor=actor, case=case, resolution="Fait."),
        "close": lambda: services.case_close(actor=actor, case=case),
        "reject": lambda: services.case_reject(actor=actor, case=case, reason="Hors compétence."),
        "duplicate": lambda: services.case_mark_duplicate(
            actor=actor, case=case, original=original
        ),
    }
    return calls[name]()


ALLOWED = [
    (source, target) for source, targets in TRANSITIONS.items() for target in sorted(targets)
]
ALLOWED_SERVICES = {(source, service_for(source, target)) for source, target in ALLOWED}


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=[f"{s}->{t}" for s, t in ALLOWED])
def test_every_allowed_transition_succeeds_and_is_logged(case, original, agent, source, target):
    case = bring_to(case, source, actor=agent, original=original)
    before = events_of(case)
    name = service_for(source, target)

    updated = call(name, case, actor=agent, original=original)

    stored = Case.objects.get(pk=case.pk)
    assert stored.status == updated.status == target
    added = list(Event.objects.filter(case=case))[len(before) :]
    assert [e.verb for e in added] == [SERVICE_VERB[name]]
    event = added[0]
    assert event.data["from"] == source
    assert event.data["to"] == target
    assert event.actor == agent
    assert event.authority_id == case.authority_id
    assert agent in stored.handlers.all() or name == "resume"


REFUSED = [
    (source, name)
    for source in Status.values
    for name in SERVICE_TARGET
    if (source, name) not in ALLOWED_SERVICES
]


def _refused_params():
    for source, name in REFUSED:
        yield pytest.param(source, name, id=f"{source}-{name}")


@pytest.mark.parametrize(("source", "name"), list(_refused_params()))
def test_every_refused_transition_raises_a_clear_message_and_changes_nothing(
    case, original, agent, source, name
):
    case = bring_to(case, source, actor=agent, original=original)
    stored = Case.objects.get(pk=case.pk)
    before = events_of(case)
    pauses = list(CasePause.objects.filter(case=case).values_list("started_on", "ended_on"))

    with pytest.raises(TransitionError) as info:
        call(name, case, actor=agent, original=original)

    message = " ".join(info.value.messages)
    if name == "reopen":
        assert message == "Cette demande est déjà ouverte."
    else:
        assert message == (
            f"Impossible de passer une demande « {Status(source).label} » "
            f"à l'état « {SERVICE_TARGET[name].label} »."
        )
    after = Case.objects.get(pk=case.pk)
    assert after.status == source
    assert (after.due_on, after.waiting_for, after.resolved_at, after.closed_at) == (
        stored.due_on,
        stored.waiting_for,
        stored.resolved_at,
        stored.closed_at,
    )
    assert events_of(case) == before
    assert list(CasePause.objects.filter(case=case).values_list("started_on", "ended_on")) == (
        pauses
    )


def test_the_table_covers_every_status():
    assert set(TRANSITIONS) == set(Status.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(Status.values)


@pytest.mark.parametrize(
    "name", ["start", "wait", "resolve", "reject", "duplicate", "close", "reopen", "resume"]
)
def test_a_failure_after_the_event_leaves_neither_event_nor_change(
    case, original, agent, monkeypatch, name
):
    """Status, pause and event are written in one transaction: a failure at the last step
    rolls all of them back."""
    source = {"close": Status.RESOLVED, "reopen": Status.RESOLVED, "resume": Status.WAITING}.get(
        name, Status.NEW
    )
    case = bring_to(case, source, actor=agent, original=original)
    before = events_of(case)
    pauses = CasePause.objects.filter(case=case).count()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    last_step = "_refresh_due" if name == "resume" else "_remember_handler"
    monkeypatch.setattr(services, last_step, boom)
    with pytest.raises(RuntimeError):
        call(name, case, actor=agent, original=original)

    assert Case.objects.get(pk=case.pk).status == source
    assert events_of(case) == before
    assert CasePause.objects.filter(case=case).count() == pauses
    assert CasePause.objects.filter(case=case, ended_on__isnull=False).count() == 0


def test_only_the_service_in_charge_may_act(case, other_agent, front_desk, citizen):
    for outsider in (other_agent, front_desk):
        with pytest.raises(PermissionDenied):
            services.case_start(actor=outsider, case=case)
    assert Case.objects.get(pk=case.pk).status == Status.NEW
    assert not case_can_act(citizen, case)


def test_the_manager_and_the_administrator_may_act(case, manager, admin_user, dpo):
    assert case_can_act(manager, case)
    assert case_can_act(admin_user, case)
    assert not case_can_act(dpo, case)
    services.case_start(actor=manager, case=case)
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS


# Waiting stops the clock ------------------------------------------------------------------


def test_waiting_stops_the_clock_and_resuming_moves_the_due_date(january_case, agent):
    with time_machine.travel(at(2026, 1, 6), tick=False):
        waiting = services.case_wait(
            actor=agent, case=january_case, waiting_for="person", reason="Photo demandée"
        )
        assert waiting.status == Status.WAITING
        assert waiting.waiting_for == WaitingFor.PERSON
        assert not waiting.is_overdue
    with time_machine.travel(at(2026, 1, 20), tick=False):
        # Still waiting two weeks later: not overdue, the clock stands still.
        assert Case.objects.overdue().filter(pk=january_case.pk).count() == 0
        resumed = services.case_resume(actor=agent, case=january_case)
    # 6 to 20 January: 10 working days waited, so due 12 January + 10 = 26 January.
    assert resumed.status == Status.IN_PROGRESS
    assert resumed.waiting_for == ""
    assert resumed.due_on == dt.date(2026, 1, 26)
    assert Case.objects.get(pk=january_case.pk).due_on == dt.date(2026, 1, 26)
    event = Event.objects.filter(case=january_case, verb="case.waiting").get()
    assert event.data["waiting_for"] == "person"
    assert event.data["reason"] == "Photo demandée"


def test_resuming_the_same_day_does_not_move_the_due_date(january_case, agent):
    with time_machine.travel(at(2026, 1, 6, 9), tick=False):
        services.case_wait(actor=agent, case=january_case, waiting_for="third_party")
    with time_machine.travel(at(2026, 1, 6, 17), tick=False):
        resumed = services.case_resume(actor=agent, case=january_case)
    assert resumed.due_on == dt.date(2026, 1, 12)


def test_resolving_a_waiting_case_ends_its_pause(january_case, agent):
    with time_machine.travel(at(2026, 1, 6), tick=False):
        services.case_wait(actor=agent, case=january_case, waiting_for="person")
    with time_machine.travel(at(2026, 1, 8), tick=False):
        resolved = services.case_resolve(actor=agent, case=january_case)
    assert resolved.waiting_for == ""
    assert CasePause.objects.get(case=january_case).ended_on == dt.date(2026, 1, 8)
    assert resolved.resolved_at is not None


def test_waiting_needs_to_know_for_whom(case, agent):
    with pytest.raises(ValidationError) as info:
        services.case_wait(actor=agent, case=case, waiting_for="")
    assert info.value.message_dict["waiting_for"] == ["Précisez qui est attendu."]
    assert Case.objects.get(pk=case.pk).status == Status.NEW
    assert not CasePause.objects.filter(case=case).exists()


def test_taking_a_waiting_case_from_a_stale_page_does_not_leave_the_clock_stopped(
    january_case, agent
):
    with time_machine.travel(at(2026, 1, 6), tick=False):
        services.case_wait(actor=agent, case=january_case, waiting_for="person")
    with time_machine.travel(at(2026, 1, 7), tick=False):
        try:
            services.case_start(actor=agent, case=january_case)
        except TransitionError:
            pass
    stored = Case.objects.get(pk=january_case.pk)
    if stored.status == Status.IN_PROGRESS:
        assert stored.waiting_for == ""
        assert not CasePause.objects.filter(case=stored, ended_on__isnull=True).exists()
    else:
        assert stored.status == Status.WAITING


# Reopening --------------------------------------------------------------------------------


def test_a_case_reopens_within_the_window(case, agent, authority):
    assert authority.reopen_window_days == 30
    with time_machine.travel(at(2026, 3, 2), tick=False):
        services.case_resolve(actor=agent, case=case)
    with time_machine.travel(at(2026, 3, 31), tick=False):
        reopened = services.case_reopen(actor=agent, case=case, reason="Le trou est revenu")
    assert reopened.status == Status.IN_PROGRESS
    assert reopened.resolved_at is None and reopened.closed_at is None
    event = Event.objects.filter(case=case, verb="case.reopened").get()
    assert event.data["reason"] == "Le trou est revenu"


def test_a_case_does_not_reopen_after_the_window(case, agent, authority):
    authority.reopen_window_days = 10
    authority.save()
    with time_machine.travel(at(2026, 3, 2), tick=False):
        services.case_resolve(actor=agent, case=case)
        services.case_close(actor=agent, case=case)
    before = events_of(case)
    with time_machine.travel(at(2026, 3, 13), tick=False):
        with pytest.raises(TransitionError) as info:
            services.case_reopen(actor=agent, case=case)
    assert info.value.messages == [
        "Le délai de réouverture (10 jours) est dépassé : ouvrez une nouvelle demande."
    ]
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED
    assert events_of(case) == before


@pytest.mark.parametrize("door", ["start", "resume"])
def test_no_other_service_reopens_a_case_after_the_window(case, agent, door):
    with time_machine.travel(at(2026, 3, 2), tick=False):
        services.case_resolve(actor=agent, case=case)
    with time_machine.travel(at(2026, 6, 2), tick=False):
        with pytest.raises(TransitionError):
            call(door, case, actor=agent)
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED


def test_reopening_a_duplicate_unlinks_it(case, original, agent):
    services.case_mark_duplicate(actor=agent, case=case, original=original)
    reopened = services.case_reopen(actor=agent, case=case)
    assert reopened.duplicate_of is None
    assert reopened.status == Status.IN_PROGRESS


# Reject, duplicate ------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_needs_a_reason(case, agent, reason):
    before = events_of(case)
    with pytest.raises(ValidationError) as info:
        services.case_reject(actor=agent, case=case, reason=reason)
    assert info.value.message_dict == {"reason": ["Indiquez le motif du rejet."]}
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == Status.NEW and stored.closed_at is None
    assert events_of(case) == before


def test_rejecting_keeps_the_reason(case, agent):
    services.case_reject(actor=agent, case=case, reason="  Voie départementale  ")
    event = Event.objects.get(case=case, verb="case.rejected")
    assert event.data["reason"] == "Voie départementale"
    assert Case.objects.get(pk=case.pk).closed_at is not None


def test_a_duplicate_links_to_the_original(case, original, agent):
    marked = services.case_mark_duplicate(actor=agent, case=case, original=original)
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == Status.DUPLICATE
    assert stored.duplicate_of == original
    assert list(original.duplicates.all()) == [stored]
    assert marked.closed_at is not None
    event = Event.objects.get(case=case, verb="case.marked_duplicate")
    assert event.data["original_reference"] == original.reference


def test_a_case_is_not_its_own_duplicate(case, agent):
    with pytest.raises(ValidationError) as info:
        services.case_mark_duplicate(actor=agent, case=case, original=case)
    assert info.value.messages == ["Une demande ne peut pas être le doublon d'elle-même."]
    assert Case.objects.get(pk=case.pk).status == Status.NEW


def test_a_duplicate_of_another_authoritys_case_is_refused(case, agent, other_authority):
    service = f.ServiceFactory(authority=other_authority, name="Propreté")
    category = f.CategoryFactory(default_service=service)
    foreign, _ = services.case_create(
        actor=None,
        authority=other_authority,
        category=category,
        contact=f.ContactFactory(authority=other_authority),
        subject="Tags",
        channel="phone",
        notify=False,
    )
    with pytest.raises(ValidationError) as info:
        services.case_mark_duplicate(actor=agent, case=case, original=foreign)
    assert info.value.messages == ["La demande d'origine appartient à une autre collectivité."]
    assert Case.objects.get(pk=case.pk).status == Status.NEW


def test_a_duplicate_of_a_duplicate_is_refused(
    case, original, agent, authority, category, citizen_contact
):
    third, _ = services.case_create(
        actor=agent,
        authority=authority,
        category=category,
        contact=citizen_contact,
        subject="Encore le nid de poule",
        channel="phone",
        notify=False,
    )
    services.case_mark_duplicate(actor=agent, case=original, original=third)
    original.refresh_from_db()
    with pytest.raises(ValidationError) as info:
        services.case_mark_duplicate(actor=agent, case=case, original=original)
    assert info.value.messages == [
        f"La demande {original.reference} est elle-même un doublon : liez à l'originale."
    ]
    assert Case.objects.get(pk=case.pk).status == Status.NEW
    assert Case.objects.get(pk=case.pk).duplicate_of is None


# Transfer and assignment ------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  \n "])
def test_a_transfer_needs_a_reason(case, agent, etat_civil, reason):
    with pytest.raises(ValidationError) as info:
        services.case_transfer(actor=agent, case=case, service=etat_civil, reason=reason)
    assert info.value.message_dict == {"reason": ["Indiquez le motif du transfert."]}
    stored = Case.objects.get(pk=case.pk)
    assert stored.service.name == "Voirie"
    assert not stored.past_services.exists()
    assert not Event.objects.filter(case=case, verb="case.transferred").exists()


def test_a_transfer_keeps_read_access_but_not_the_right_to_act(
    case, agent, other_agent, etat_civil, voirie
):
    services.case_take(actor=agent, case=case)
    services.case_transfer(
        actor=agent, case=case, service=etat_civil, reason="Concerne un acte d'état civil"
    )
    stored = Case.objects.get(pk=case.pk)
    assert stored.service == etat_civil
    assert stored.assignee is None
    assert list(stored.past_services.all()) == [voirie]
    event = Event.objects.get(case=case, verb="case.transferred")
    assert event.data["reason"] == "Concerne un acte d'état civil"
    assert (event.data["from_name"], event.data["to_name"]) == ("Voirie", "État civil")

    assert not case_can_act(agent, stored)
    assert Case.objects.visible_to(agent).filter(pk=case.pk).exists()
    with pytest.raises(PermissionDenied):
        services.case_add_note(actor=agent, case=stored, body="Encore moi")
    # The new service acts.
    assert case_can_act(other_agent, stored)
    services.case_take(actor=other_agent, case=stored)


def test_a_colleague_of_the_first_service_keeps_reading_after_a_transfer(
    case, agent, voirie, etat_civil
):
    colleague = f.MembershipFactory(service=voirie, role=Role.AGENT).user
    services.case_transfer(actor=agent, case=case, service=etat_civil, reason="Erreur")
    assert Case.objects.visible_to(colleague).filter(pk=case.pk).exists()
    assert not case_can_act(colleague, Case.objects.get(pk=case.pk))


def test_a_transfer_to_another_authority_or_to_the_same_service_is_refused(
    case, agent, voirie, other_authority
):
    foreign = f.ServiceFactory(authority=other_authority, name="Voirie")
    with pytest.raises(ValidationError):
        services.case_transfer(actor=agent, case=case, service=foreign, reason="Pas chez nous")
    with pytest.raises(ValidationError):
        services.case_transfer(actor=agent, case=case, service=voirie, reason="Même service")
    assert Case.objects.get(pk=case.pk).service == voirie


def test_assigning_to_a_member_of_the_service(case, agent, voirie):
    colleague = f.MembershipFactory(service=voirie, role=Role.AGENT, user__first_name="Zoé").user
    assigned = services.case_assign(actor=agent, case=case, assignee=colleague)
    assert assigned.assignee == colleague
    assert assigned.status == Status.IN_PROGRESS
    assert {agent, colleague} <= set(assigned.handlers.all())
    verbs = events_of(case)
    assert verbs[-2:] == ["case.assigned", "case.started"]


def test_assigning_to_someone_outside_the_service_is_refused(
    case, agent, other_agent, manager, front_desk
):
    for outsider in (other_agent, manager, front_desk):
        with pytest.raises(ValidationError) as info:
            services.case_assign(actor=agent, case=case, assignee=outsider)
        assert "n'est pas membre du service Voirie" in info.value.messages[0]
    stored = Case.objects.get(pk=case.pk)
    assert stored.assignee is None and stored.status == Status.NEW


def test_a_finished_case_cannot_be_assigned(case, agent):
    services.case_resolve(actor=agent, case=case)
    with pytest.raises(TransitionError):
        services.case_assign(actor=agent, case=case, assignee=agent)


def test_putting_back_in_the_queue(case, agent):
    services.case_take(actor=agent, case=case)
    released = services.case_assign(actor=agent, case=case, assignee=None)
    assert released.assignee is None
    assert released.status == Status.IN_PROGRESS


@pytest.mark.parametrize(
    ("status", "actions"),
    [
        (Status.NEW, ["start", "wait", "resolve", "reject"]),
        (Status.IN_PROGRESS, ["wait", "resolve", "reject"]),
        (Status.WAITING, ["resume", "resolve", "reject"]),
        (Status.RESOLVED, ["close", "reopen"]),
        (Status.CLOSED, ["reopen"]),
        (Status.REJECTED, ["reopen"]),
        (Status.DUPLICATE, ["reopen"]),
    ],
)
def test_the_case_page_offers_exactly_the_actions_the_lifecycle_allows(status, actions):
    from guichet.cases.models import Case as CaseModel

    assert services.case_status_actions(CaseModel(status=status)) == actions
