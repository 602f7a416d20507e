"""The queue of my services: its counters, filters, sorting and pagination, for each role."""

import re

import pytest

from guichet.authorities.enums import Role
from guichet.cases import services
from tests import factories as f
from tests.www.backoffice_helpers import make_case, text, url

# The queue ----------------------------------------------------------------------------------


@pytest.fixture
def queue_cases(authority, category, category_etat_civil, citizen_contact, agent, voirie):
    """Voirie: new, new and overdue, mine, someone else's, waiting, resolved; and a case of
    the État civil that the Voirie agent must not see."""
    colleague = f.MembershipFactory(service=voirie, role=Role.AGENT, user__first_name="Zoé").user
    other_category = f.CategoryFactory(default_service=voirie, label="Éclairage", delay_days=5)
    cases = {
        "new": make_case(authority, category, citizen_contact, "Nouveau", channel="portal"),
        "overdue": make_case(authority, category, citizen_contact, "Ancien", days_ago=30),
        "mine": make_case(authority, other_category, citizen_contact, "Le mien", channel="email"),
        "colleague": make_case(authority, category, citizen_contact, "Celui de Zoé"),
        "waiting": make_case(authority, category, citizen_contact, "En attente", days_ago=30),
        "resolved": make_case(authority, category, citizen_contact, "Fini"),
        "etat_civil": make_case(authority, category_etat_civil, citizen_contact, "Acte"),
    }
    services.case_take(actor=agent, case=cases["mine"])
    services.case_assign(actor=agent, case=cases["colleague"], assignee=colleague)
    services.case_wait(actor=agent, case=cases["waiting"], waiting_for="person")
    services.case_resolve(actor=agent, case=cases["resolved"])
    return {"cases": cases, "colleague": colleague, "other_category": other_category}


def listed(response, cases):
    body = text(response)
    return {name for name, c in cases.items() if c.reference in body}


def test_the_queue_counts_what_needs_attention(queue_cases, client_for, agent):
    response = client_for(agent).get(url("queue"))
    assert response.status_code == 200
    assert response.context["counters"] == {
        "new": 2,
        "mine": 1,
        "overdue": 1,
        "waiting": 1,
        "to_qualify": 0,
    }
    body = text(response)
    assert re.search(r"<strong>2</strong>\s*nouvelles", body)
    assert re.search(r"<strong>1</strong>\s*en retard", body)
    # Open cases of my services by default; never another service's.
    assert listed(response, queue_cases["cases"]) == {
        "new",
        "overdue",
        "mine",
        "colleague",
        "waiting",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=new", {"new", "overdue"}),
        ("status=waiting", {"waiting"}),
        ("status=finished", {"resolved"}),
        ("status=in_progress", {"mine", "colleague"}),
        ("assignee=me", {"mine"}),
        ("assignee=none", {"new", "overdue", "waiting"}),
        ("overdue=1", {"overdue"}),
        ("channel=portal", {"new"}),
        ("channel=email", {"mine"}),
        ("channel=pigeon", {"new", "overdue", "mine", "colleague", "waiting"}),
        ("status=open&assignee=me&channel=phone", set()),
    ],
)
def test_the_queue_filters(queue_cases, client_for, agent, query, expected):
    response = client_for(agent).get(url("queue") + "?" + query)
    assert response.status_code == 200
    assert listed(response, queue_cases["cases"]) == expected


def test_the_queue_filters_by_category_and_assignee(queue_cases, client_for, agent):
    client = client_for(agent)
    by_category = client.get(url("queue"), {"category": queue_cases["other_category"].pk})
    assert listed(by_category, queue_cases["cases"]) == {"mine"}
    by_agent = client.get(url("queue"), {"assignee": queue_cases["colleague"].pk})
    assert listed(by_agent, queue_cases["cases"]) == {"colleague"}


def test_the_queue_sorts(queue_cases, client_for, agent):
    cases = queue_cases["cases"]
    client = client_for(agent)
    newest = text(client.get(url("queue"), {"sort": "-received"}))
    oldest = text(client.get(url("queue"), {"sort": "received"}))
    assert newest.index(cases["new"].reference) < newest.index(cases["overdue"].reference)
    assert oldest.index(cases["overdue"].reference) < oldest.index(cases["new"].reference)
    by_due = text(client.get(url("queue"), {"sort": "due"}))
    assert by_due.index(cases["overdue"].reference) < by_due.index(cases["new"].reference)


def test_the_queue_is_paginated(authority, category, citizen_contact, client_for, agent, settings):
    settings.GUICHET_QUEUE_PAGE_SIZE = 2
    cases = {
        i: make_case(authority, category, citizen_contact, f"Cas {i}", days_ago=i) for i in range(3)
    }
    client = client_for(agent)
    first = client.get(url("queue"), {"sort": "-received", "status": "open"})
    second = client.get(url("queue"), {"sort": "-received", "status": "open", "page": 2})
    assert listed(first, cases) == {0, 1}
    assert listed(second, cases) == {2}
    assert "Page 1 sur 2" in text(first)
    # The link to the next page keeps the filters.
    assert "?sort=-received&amp;status=open&amp;page=2" in text(first)


def test_the_manager_queue_covers_the_direction_and_the_admin_the_authority(
    queue_cases, client_for, manager, admin_user
):
    cases = queue_cases["cases"]
    assert "etat_civil" not in listed(client_for(manager).get(url("queue")), cases)
    assert "new" in listed(client_for(manager).get(url("queue")), cases)
    assert "etat_civil" in listed(client_for(admin_user).get(url("queue")), cases)


def test_the_queue_ignores_bad_filters(queue_cases, client_for, agent):
    response = client_for(agent).get(
        url("queue"),
        {
            "status": "bogus",
            "category": "abc",
            "service": "x",
            "assignee": "?",
            "sort": "drop",
            "page": "999",
        },
    )
    assert response.status_code == 200
    # Unknown values fall back to the open cases; a page past the end shows the last one.
    assert listed(response, queue_cases["cases"]) == {
        "new",
        "overdue",
        "mine",
        "colleague",
        "waiting",
    }


def test_the_foreign_agent_queue_is_empty(queue_cases, client_for, foreign_agent):
    response = client_for(foreign_agent).get(url("queue"))
    assert listed(response, queue_cases["cases"]) == set()
    assert response.context["counters"]["new"] == 0
