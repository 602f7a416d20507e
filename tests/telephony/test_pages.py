"""The back-office pages of calls, the switchboard and text messages: who gets what,
success, refusal, not-found and bad input."""

import datetime as dt
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guichet.authorities.enums import Role
from guichet.core.enums import Channel, Direction
from guichet.core.models import Event
from guichet.interactions.enums import Outcome
from guichet.interactions.models import Interaction
from guichet.telephony.models import PhoneCall, SmsOptOut, SwitchboardCall
from guichet.telephony.services import call_missed_record, switchboard_import
from guichet.telephony.sms import sms_receive
from tests import factories as f
from tests.telephony.test_switchboard import KNOWN_FILE
from tests.www.backoffice_helpers import (
    assert_anonymous_sent_to_login,
    assert_refused,
    assert_urls_covered,
    make_case,
    url,
)


def text(response) -> str:
    """The page as a reader sees it (apostrophes unescaped)."""
    return html.unescape(response.content.decode())


def at(days_ago=0, hour=10, minute=0):
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def csv_of(*rows):
    lines = ["Date;Heure;Appelant;Numéro appelé;Durée;Statut"]
    for moment, caller, answered in rows:
        local = timezone.localtime(moment)
        lines.append(
            f"{local:%d/%m/%Y};{local:%H:%M:%S};{caller};0561000001;"
            f"{'00:01:00' if answered else '0'};{'Répondu' if answered else 'Manqué'}"
        )
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def missed(authority, front_desk, contact):
    """A missed call noted by the front desk, from Lucien Bernard's number."""
    return call_missed_record(
        actor=front_desk, authority=authority, number="05 61 22 33 44", occurred_at=at(1)
    )


@pytest.fixture
def batch(authority, front_desk, contact):
    """The switchboard lost a call from Lucien Bernard yesterday."""
    return switchboard_import(
        actor=front_desk,
        authority=authority,
        content=csv_of((at(1, 9), "05 61 22 33 44", False), (at(1, 9, 5), "0700000000", True)),
        filename="standard.csv",
    )


@pytest.fixture
def lost_call(batch):
    return SwitchboardCall.objects.get(answered=False)


@pytest.fixture
def foreign_front_desk(other_authority):
    service = f.ServiceFactory(authority=other_authority, name="Accueil")
    user = f.UserFactory(first_name="Léa", last_name="Ailleurs")
    f.MembershipFactory(user=user, service=service, authority=other_authority, role=Role.FRONT_DESK)
    return user


@pytest.fixture
def every_url(missed, batch, lost_call, citizen_contact):
    return [
        ("GET", url("calls"), {}),
        ("GET", url("call_missed"), {}),
        ("POST", url("call_missed"), {"number": "0612345678", "occurred_at": "2026-11-02T10:00"}),
        ("POST", url("call_back", missed.pk), {"reached": "1"}),
        ("GET", url("switchboard_report"), {}),
        ("GET", url("switchboard_import"), {}),
        ("GET", url("switchboard_import_detail", batch.pk), {}),
        ("POST", url("switchboard_call_back", lost_call.pk), {"reached": "1"}),
        ("GET", url("sms_list"), {}),
        ("GET", url("sms_send", citizen_contact.pk), {}),
    ]


def test_every_url_of_the_area_is_covered(every_url):
    from guichet.www.backoffice.telephony_urls import urlpatterns

    assert_urls_covered(urlpatterns, every_url)


def test_anonymous_visitors_are_sent_to_the_login_page(every_url):
    assert_anonymous_sent_to_login(every_url)


def test_citizens_are_refused(every_url, client_for, citizen):
    assert_refused(client_for(citizen), every_url)
    assert not Interaction.objects.filter(direction=Direction.OUT).exists()


def test_actions_refuse_get(client_for, front_desk, missed, lost_call):
    client = client_for(front_desk)
    assert client.get(url("call_back", missed.pk)).status_code == 405
    assert client.get(url("switchboard_call_back", lost_call.pk)).status_code == 405


# Who reads the switchboard -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["front_desk", "manager", "admin_user"])
def test_the_front_desk_managers_and_administrators_read_the_switchboard(
    request, client_for, batch, who
):
    client = client_for(request.getfixturevalue(who))
    response = client.get(url("switchboard_report"))
    assert response.status_code == 200
    assert "50,0 %" in text(response)
    assert client.get(url("switchboard_import")).status_code == 200
    assert client.get(url("switchboard_import_detail", batch.pk)).status_code == 200


@pytest.mark.parametrize("who", ["agent", "other_agent", "dpo", "foreign_agent"])
def test_service_agents_and_the_dpo_do_not_read_the_switchboard(
    request, client_for, batch, lost_call, who
):
    client = client_for(request.getfixturevalue(who))
    for path in (
        url("switchboard_report"),
        url("switchboard_import"),
        url("switchboard_import_detail", batch.pk),
    ):
        assert client.get(path).status_code == 403, path
    upload = SimpleUploadedFile("standard.csv", KNOWN_FILE.encode())
    assert client.post(url("switchboard_import"), {"file": upload}).status_code == 403
    assert (
        client.post(url("switchboard_call_back", lost_call.pk), {"reached": "1"}).status_code == 403
    )
    assert SwitchboardCall.objects.count() == 2
    assert not PhoneCall.objects.filter(switchboard_call=lost_call).exists()


def test_the_front_desk_of_another_authority_does_not_find_ours(
    client_for, foreign_front_desk, batch, lost_call
):
    client = client_for(foreign_front_desk)
    response = client.get(url("switchboard_report"))
    assert response.status_code == 200
    assert "Aucun appel du standard" in text(response)
    assert client.get(url("switchboard_import_detail", batch.pk)).status_code == 404
    assert (
        client.post(url("switchboard_call_back", lost_call.pk), {"reached": "1"}).status_code == 404
    )
    assert "05 61 22 33 44" not in text(client.get(url("calls")))
    assert "+33561223344" not in text(client.get(url("calls")))


def test_not_found(client_for, front_desk):
    client = client_for(front_desk)
    assert client.get(url("switchboard_import_detail", 999999)).status_code == 404
    assert client.post(url("switchboard_call_back", 999999), {"reached": "1"}).status_code == 404
    assert client.post(url("call_back", 999999), {"reached": "1"}).status_code == 404
    assert client.get(url("sms_send", 999999)).status_code == 404


# Calls -------------------------------------------------------------------------------------


def test_recording_a_missed_call_finds_the_caller_by_number(client_for, front_desk, contact):
    client = client_for(front_desk)
    assert client.get(url("call_missed") + "?numero=0561223344").status_code == 200
    response = client.post(
        url("call_missed"),
        {"number": "05 61 22 33 44", "occurred_at": "2026-11-02T10:15", "note": "Rappeler svp"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("calls")
    interaction = Interaction.objects.get(channel=Channel.PHONE)
    assert (interaction.direction, interaction.outcome) == (Direction.IN, Outcome.MISSED)
    assert interaction.contact == contact
    assert interaction.phone_call.number == "+33561223344"
    assert timezone.localtime(interaction.occurred_at).replace(tzinfo=None) == dt.datetime(
        2026, 11, 2, 10, 15
    )
    assert Event.objects.filter(verb="call.missed_recorded", actor=front_desk).exists()


def test_a_missed_call_noted_from_a_contacts_page_is_theirs(
    client_for, front_desk, contact, agent, authority
):
    from guichet.contacts.services import contact_create

    namesake = contact_create(
        actor=agent, authority=authority, first_name="Rose", phone="0561223344"
    )
    client = client_for(front_desk)
    page = text(client.get(url("call_missed") + f"?usager={namesake.pk}"))
    assert "Appel de Rose." in page
    assert 'value="05 61 22 33 44"' in page
    response = client.post(
        url("call_missed"),
        {"number": "0561223344", "occurred_at": "2026-11-02T10:15", "contact": namesake.pk},
    )
    assert response.status_code == 302
    assert Interaction.objects.get(outcome=Outcome.MISSED).contact == namesake


def test_a_number_shared_by_two_contacts_names_nobody(
    client_for, front_desk, contact, agent, authority
):
    from guichet.contacts.services import contact_create

    contact_create(actor=agent, authority=authority, first_name="Rose", phone="0561223344")
    response = client_for(front_desk).post(
        url("call_missed"), {"number": "0561223344", "occurred_at": "2026-11-02T10:15"}
    )
    assert response.status_code == 302
    assert Interaction.objects.get(outcome=Outcome.MISSED).contact is None


def test_a_missed_call_with_bad_input_is_refused(
    client_for, front_desk, other_authority, authority
):
    from guichet.contacts.services import contact_create

    stranger = contact_create(actor=None, authority=other_authority, first_name="Hors", phone="")
    client = client_for(front_desk)
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    for data in (
        {"number": "abc", "occurred_at": "2026-11-02T10:15"},
        {"number": "0612345678", "occurred_at": "pas une date"},
        {"number": "0612345678", "occurred_at": future},
        {"number": "0612345678", "occurred_at": "2026-11-02T10:15", "contact": stranger.pk},
    ):
        response = client.post(url("call_missed"), data)
        assert response.status_code == 400, data
        assert "Le formulaire contient des erreurs" in text(response)
    assert not Interaction.objects.filter(authority=authority).exists()


def test_the_calls_page_lists_what_the_agent_may_see(
    client_for, front_desk, agent, missed, authority, citizen_contact
):
    from guichet.cases.services import desk_exchange_record

    desk_exchange_record(
        actor=agent,
        authority=authority,
        contact=citizen_contact,
        channel=Channel.PHONE,
        body="Question sur les travaux",
        submission_key="k1",
        duration_seconds=240,
    )
    page = text(client_for(front_desk).get(url("calls")))
    assert "05 61 22 33 44" in page
    assert "Lucien BERNARD" in page
    assert "1 appel à rappeler" in page
    # The agent of the Voirie sees the call they took, not the front desk's missed call.
    response = client_for(agent).get(url("calls"))
    page = text(response)
    assert "4 min 00 s" in page
    assert "Lucien BERNARD" not in page
    assert "Aucun appel en attente de rappel." in page

    # Filters, on the list of calls below the "to call back" list.
    def calls_table(query):
        page = text(client_for(front_desk).get(url("calls") + query))
        return page[page.index("<caption>") :]

    assert "Question sur les travaux" not in calls_table("")  # bodies are not listed
    assert "<caption>2 appels</caption>" in calls_table("")
    table = calls_table("?suite=answered")
    assert "<caption>1 appel</caption>" in table
    assert "Lucien BERNARD" not in table
    table = calls_table("?numero=05+61+22+33+44&suite=missed&sens=in")
    assert "<caption>1 appel</caption>" in table
    assert "Lucien BERNARD" in table
    table = calls_table("?numero=0612345678")
    assert "<caption>1 appel</caption>" in table
    assert "Jeanne DURAND" in table
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    table = calls_table(f"?au={yesterday - dt.timedelta(days=1)}")
    assert "Aucun appel ne correspond à ces critères." in table
    assert "<caption>1 appel</caption>" in calls_table(f"?du={yesterday}&au={yesterday}")
    response = client_for(front_desk).get(url("calls") + "?du=n'importe&sens=zz&page=x")
    assert response.status_code == 200


def test_the_calls_page_costs_the_same_whatever_its_length(client_for, front_desk, authority):
    client = client_for(front_desk)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("calls")).status_code == 200
        return len(captured)

    call_missed_record(actor=front_desk, authority=authority, number="0612000001")
    few = queries()
    for n in range(2, 12):
        call_missed_record(actor=front_desk, authority=authority, number=f"06120000{n:02d}")
    assert queries() == few


def test_calling_back_a_missed_call(client_for, front_desk, missed, contact):
    client = client_for(front_desk)
    response = client.post(url("call_back", missed.pk), {"reached": "0", "note": "Répondeur"})
    assert response.status_code == 302
    missed.refresh_from_db()
    assert missed.outcome == Outcome.MISSED
    page = text(client.get(url("calls")))
    assert "1 appel à rappeler" in page
    assert "1 tentative" in page

    response = client.post(url("call_back", missed.pk), {"reached": "1", "duration_minutes": "3"})
    assert response.status_code == 302
    missed.refresh_from_db()
    assert missed.outcome == Outcome.CALLED_BACK
    callback = PhoneCall.objects.get(callback_of=missed, interaction__outcome=Outcome.ANSWERED)
    assert callback.interaction.direction == Direction.OUT
    assert callback.interaction.contact == contact
    assert callback.interaction.duration_seconds == 180
    assert "rappel de l'appel du" in text(client.get(url("calls") + "?sens=out&suite=answered"))
    assert callback.number == "+33561223344"
    assert Event.objects.filter(verb="call.called_back", data__reached=True).exists()
    assert "Aucun appel en attente de rappel." in text(client.get(url("calls")))
    # Twice: refused with a message, nothing more recorded.
    response = client.post(url("call_back", missed.pk), {"reached": "1"}, follow=True)
    assert "déjà été rappelé" in text(response)
    assert PhoneCall.objects.filter(callback_of=missed).count() == 2


def test_a_callback_with_bad_input_records_nothing(client_for, front_desk, missed):
    client = client_for(front_desk)
    for data in ({}, {"reached": "peut-être"}, {"reached": "1", "duration_minutes": "-3"}):
        response = client.post(url("call_back", missed.pk), data, follow=True)
        assert "Indiquez si la personne a été jointe." in text(response)
    assert not PhoneCall.objects.filter(callback_of=missed).exists()


def test_an_agent_who_cannot_see_the_missed_call_does_not_find_it(
    client_for, agent, foreign_agent, missed
):
    for outsider in (agent, foreign_agent):
        response = client_for(outsider).post(url("call_back", missed.pk), {"reached": "1"})
        assert response.status_code == 404
    missed.refresh_from_db()
    assert missed.outcome == Outcome.MISSED


# To call back, from the switchboard -----------------------------------------------------------


def test_a_call_the_switchboard_lost_from_a_known_number_is_to_call_back(
    client_for, front_desk, agent, authority, lost_call
):
    page = text(client_for(front_desk).get(url("calls")))
    assert "1 appel à rappeler" in page
    assert f"rappel-switchboard-{lost_call.pk}" in page
    assert "Lucien BERNARD" in page
    # A service agent does not read the switchboard's records.
    assert f"rappel-switchboard-{lost_call.pk}" not in text(client_for(agent).get(url("calls")))

    response = client_for(front_desk).post(
        url("switchboard_call_back", lost_call.pk), {"reached": "1", "note": "Rappelé"}
    )
    assert response.status_code == 302
    callback = PhoneCall.objects.get(switchboard_call=lost_call)
    assert callback.interaction.contact.display_name == "Lucien BERNARD"
    assert f"rappel-switchboard-{lost_call.pk}" not in text(
        client_for(front_desk).get(url("calls"))
    )
    response = client_for(front_desk).post(
        url("switchboard_call_back", lost_call.pk), {"reached": "1"}, follow=True
    )
    assert "déjà été rappelé" in text(response)


def test_a_caller_who_got_through_later_is_not_to_call_back(
    client_for, front_desk, authority, lost_call
):
    switchboard_import(
        actor=front_desk,
        authority=authority,
        content=csv_of((at(0, 11), "05 61 22 33 44", True)),
        filename="suite.csv",
    )
    assert f"rappel-switchboard-{lost_call.pk}" not in text(
        client_for(front_desk).get(url("calls"))
    )


def test_a_callback_by_another_authority_to_the_same_number_leaves_ours_to_call_back(
    client_for, front_desk, foreign_front_desk, other_authority, missed, lost_call
):
    # The same person also called the neighbouring town, which called them back.
    theirs = call_missed_record(
        actor=foreign_front_desk,
        authority=other_authority,
        number="05 61 22 33 44",
        occurred_at=at(1, 8),
    )
    response = client_for(foreign_front_desk).post(url("call_back", theirs.pk), {"reached": "1"})
    assert response.status_code == 302
    page = text(client_for(front_desk).get(url("calls")))
    assert f"rappel-call-{missed.pk}" in page
    assert f"rappel-switchboard-{lost_call.pk}" in page


def test_an_answered_switchboard_call_is_not_called_back(client_for, front_desk, batch):
    answered = SwitchboardCall.objects.get(answered=True)
    response = client_for(front_desk).post(
        url("switchboard_call_back", answered.pk), {"reached": "1"}, follow=True
    )
    assert "il n'y a pas à rappeler" in text(response)
    assert not PhoneCall.objects.exists()


# Import and report -----------------------------------------------------------------------------


def test_importing_a_file_from_the_page(client_for, front_desk):
    client = client_for(front_desk)
    upload = SimpleUploadedFile("standard.csv", KNOWN_FILE.encode(), content_type="text/csv")
    response = client.post(url("switchboard_import"), {"file": upload})
    assert response.status_code == 302
    detail = client.get(response["Location"])
    page = text(detail)
    assert '<dd id="created">6</dd>' in page
    assert "3 lignes en erreur" in page
    assert "Date illisible « 31/11/2026 »." in page
    upload = SimpleUploadedFile("standard.csv", KNOWN_FILE.encode(), content_type="text/csv")
    response = client.post(url("switchboard_import"), {"file": upload}, follow=True)
    assert "0 appels ajoutés, 6 déjà connus, 3 lignes en erreur." in text(response)
    assert SwitchboardCall.objects.count() == 6


def test_an_import_with_bad_input_is_refused(client_for, front_desk, settings):
    client = client_for(front_desk)
    settings.GUICHET_SWITCHBOARD_MAX_BYTES = 100
    response = client.post(
        url("switchboard_import"), {"file": SimpleUploadedFile("s.csv", KNOWN_FILE.encode())}
    )
    assert response.status_code == 400
    assert "Le fichier est trop volumineux." in text(response)
    settings.GUICHET_SWITCHBOARD_MAX_BYTES = 10_000
    assert client.post(url("switchboard_import"), {}).status_code == 400
    response = client.post(
        url("switchboard_import"),
        {"file": SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00")},
    )
    assert response.status_code == 400
    assert "Aucune colonne de date" in text(response)
    response = client.post(
        url("switchboard_import"),
        {"file": SimpleUploadedFile("s.csv", KNOWN_FILE.encode()), "columns": "n'importe quoi"},
    )
    assert response.status_code == 400
    assert "n'est pas compris" in text(response)
    assert not SwitchboardCall.objects.exists()


def test_the_report_page_shows_the_known_files_rate(client_for, front_desk, authority):
    switchboard_import(
        actor=front_desk, authority=authority, content=KNOWN_FILE.encode(), filename="s.csv"
    )
    client = client_for(front_desk)
    response = client.get(url("switchboard_report") + "?du=2026-11-01&au=2026-11-30")
    page = text(response)
    assert response.status_code == 200
    assert '<p class="big-reference" id="taux">66,7 %</p>' in page
    assert "4 appels décrochés sur 6 présentés" in page
    assert "objectif Services Publics+ : 85 %" in page
    assert "Objectif non atteint" in page
    assert "8 h (3 appels" in page
    page = text(
        client.get(url("switchboard_report") + "?du=2026-11-01&au=2026-11-30&ligne=%2B33561000002")
    )
    assert '<p class="big-reference" id="taux">100,0 %</p>' in page
    assert "Objectif atteint" in page
    response = client.get(url("switchboard_report") + "?du=2026-11-30&au=2026-11-01")
    assert response.status_code == 400
    assert "La date de début est après la date de fin." in text(response)


# Text messages --------------------------------------------------------------------------------


def test_sending_an_sms_from_the_page(
    client_for, agent, case, citizen_contact, sms_provider, django_capture_on_commit_callbacks
):
    client = client_for(agent)
    page = text(client.get(url("sms_send", citizen_contact.pk)))
    assert "06 12 34 56 78" in page
    assert case.reference in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("sms_send", citizen_contact.pk), {"body": "Le trou est rebouché.", "case": case.pk}
        )
    assert response.status_code == 302
    assert response["Location"] == url("case_detail", case.pk)
    assert sms_provider.messages[0]["text"] == "Le trou est rebouché."
    assert case.interactions.get(channel=Channel.SMS).delivery_status == "sent"


def test_an_sms_with_bad_input_is_refused(
    client_for, agent, case, category_etat_civil, citizen_contact, sms_provider, authority
):
    ec_case = make_case(authority, category_etat_civil, citizen_contact, "Acte de naissance")
    client = client_for(agent)
    assert client.post(url("sms_send", citizen_contact.pk), {"body": ""}).status_code == 400
    # A case of another service is not offered.
    response = client.post(
        url("sms_send", citizen_contact.pk), {"body": "Bonjour", "case": ec_case.pk}
    )
    assert response.status_code == 400
    SmsOptOut.objects.create(authority=authority, number="+33612345678")
    response = client.post(url("sms_send", citizen_contact.pk), {"body": "Bonjour"})
    assert response.status_code == 400
    assert "ne plus recevoir de SMS" in text(response)
    assert not Interaction.objects.filter(channel=Channel.SMS).exists()
    assert not sms_provider.messages


def test_sms_without_a_gateway_say_so(client_for, agent, case, citizen_contact, settings):
    settings.GUICHET_SMS_BACKEND = ""
    client = client_for(agent)
    assert "Aucune passerelle SMS" in text(client.get(url("sms_send", citizen_contact.pk)))
    response = client.post(url("sms_send", citizen_contact.pk), {"body": "Bonjour"})
    assert response.status_code == 400
    assert "Aucune passerelle SMS" in text(response)


def test_another_services_agent_cannot_text_a_contact_they_do_not_see(
    client_for, other_agent, foreign_agent, case, citizen_contact, sms_provider
):
    for outsider in (other_agent, foreign_agent):
        client = client_for(outsider)
        assert client.get(url("sms_send", citizen_contact.pk)).status_code == 404
        assert (
            client.post(url("sms_send", citizen_contact.pk), {"body": "Bonjour"}).status_code == 404
        )
    assert not sms_provider.messages


def test_the_sms_page_shows_incoming_messages_to_the_front_desk(
    client_for, authority, front_desk, agent, case
):
    sms_receive(authority=authority, provider_id="p1", sender="0700000001", body="Horaires ?")
    sms_receive(authority=authority, provider_id="p2", sender="0612345678", body="Toujours là")
    page = text(client_for(front_desk).get(url("sms_list") + "?sans_demande=1"))
    assert "Horaires ?" in page
    assert "Toujours là" not in page
    page = text(client_for(agent).get(url("sms_list")))
    assert "Horaires ?" not in page
    assert "Toujours là" in page
    assert case.reference in page
    page = text(client_for(agent).get(url("sms_list") + "?sens=out"))
    assert "Toujours là" not in page
