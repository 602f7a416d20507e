"""The register's pages: who reaches them, the list and its search, registration with
scans, the detail, the return receipt, the exports and the daily list."""

import csv
import datetime as dt
import html
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from guichet.cases.models import Case
from guichet.core.models import Event
from guichet.register.enums import ReceiptState, RegisterOutcome
from guichet.register.models import MailItem
from guichet.register.services import mail_register_outgoing
from guichet.www.backoffice import register_urls
from tests.register.conftest import PDF, pdf_upload, register
from tests.www.backoffice_helpers import (
    assert_anonymous_sent_to_login,
    assert_refused,
    assert_urls_covered,
    text,
    url,
)


@pytest.fixture
def item(authority, category, front_desk, contact, scan):
    """A registered letter of the Voirie that opened a case."""
    return register(
        authority,
        front_desk,
        outcome=RegisterOutcome.NEW_CASE,
        category=category,
        contact=contact,
        subject="Trou rue Basse",
        registered_number="1A00000000011",
        postmarked_on=timezone.localdate() - dt.timedelta(days=1),
        files=[scan],
    )


def incoming_form(**changes):
    data = {
        "submission_key": "key-1",
        "contact": "new",
        "new-kind": "person",
        "new-first_name": "Rose",
        "new-usage_name": "Lenoir",
        "arrived_on": timezone.localdate().isoformat(),
        "subject": "Demande d'élagage",
        "outcome": "case",
        "category": "",
        "case_reference": "",
        "service": "",
        "registered_number": "",
    }
    data.update(changes)
    return data


def every_url(item):
    scan = item.interaction.attachments.get()
    today = timezone.localdate().isoformat()
    return [
        ("GET", url("register_list"), None),
        ("GET", url("register_create"), None),
        ("POST", url("register_create"), incoming_form(subject="")),
        ("GET", url("register_create_outgoing"), None),
        ("POST", url("register_create_outgoing"), {"subject": ""}),
        ("GET", url("register_detail", item.pk), None),
        ("POST", url("register_receipt", item.pk), {"state": "signed", "on": today}),
        ("POST", url("register_follow_up", item.pk), {}),
        ("GET", url("register_scan", item.pk, scan.pk), None),
        ("GET", url("register_export") + "?format=csv", None),
        ("GET", url("register_daily"), None),
    ]


def test_every_page_of_the_register_is_checked(item):
    assert_urls_covered(register_urls.urlpatterns, every_url(item))


def test_anonymous_visitors_are_sent_to_sign_in(item):
    assert_anonymous_sent_to_login(every_url(item))


def test_citizens_are_refused(item, client_for, citizen):
    assert_refused(client_for(citizen), every_url(item))


def test_a_line_of_another_service_or_authority_is_not_found(
    item, client_for, other_agent, foreign_agent
):
    pages = [u for u in every_url(item) if f"/{item.pk}/" in u[1]]
    assert len(pages) == 4
    for outsider in (other_agent, foreign_agent):
        assert_refused(client_for(outsider), pages, status=404)
        body = text(client_for(outsider).get(url("register_list")))
        assert item.chrono not in body
        export = client_for(outsider).get(url("register_export") + "?format=csv")
        assert item.chrono not in export.content.decode("utf-8-sig")
        daily = client_for(outsider).get(url("register_daily"))
        assert item.chrono not in text(daily)
    item.refresh_from_db()
    assert item.followed_up_at is None and item.receipt_on == item.date


def test_an_unknown_line_is_not_found(item, client_for, front_desk):
    client = client_for(front_desk)
    assert client.get(url("register_detail", 999999)).status_code == 404
    assert client.post(url("register_receipt", 999999), {"state": ""}).status_code == 404
    assert client.get(url("register_scan", item.pk, 999999)).status_code == 404


def test_the_service_reads_the_detail_with_the_scan_fingerprint_and_postmark(
    item, client_for, agent
):
    response = client_for(agent).get(url("register_detail", item.pk))
    assert response.status_code == 200
    body = text(response)
    scan = item.interaction.attachments.get()
    assert item.chrono in body and item.case.reference in body
    assert scan.sha256 in body.replace("<wbr>", "")
    assert item.postmarked_on.strftime("%d/%m/%Y") in body
    assert timezone.localtime(item.created_at).strftime("%d/%m/%Y %H:%M") in body
    # The case page shows the letter with its register line, and no raw event names.
    case_page = text(client_for(agent).get(url("case_detail", item.case_id)))
    assert f"Courrier n° {item.chrono} reçu le" in case_page
    assert "mail_item" not in case_page
    download = client_for(agent).get(url("register_scan", item.pk, scan.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


# The list ---------------------------------------------------------------------------------


def test_the_list_searches_by_number_sender_subject_service_and_registered(
    item, client_for, front_desk, authority, etat_civil, voirie
):
    other = register(authority, front_desk, service=etat_civil, subject="Acte de mariage")
    client = client_for(front_desk)

    def found(**params):
        body = text(client.get(url("register_list"), params))
        return {i.chrono for i in (item, other) if i.chrono in body}

    assert found() == {item.chrono, other.chrono}
    assert found(q=item.chrono) == {item.chrono}
    assert found(q=f"{item.year}-{item.number}") == {item.chrono}
    assert found(q="bernard") == {item.chrono}
    assert found(q="mariage") == {other.chrono}
    assert found(service=etat_civil.pk) == {other.chrono}
    assert found(registered="on") == {item.chrono}
    assert found(q="1A 0000 0000 011") == {item.chrono}
    assert found(direction="out") == set()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert found(date_from=tomorrow) == set()


def test_bad_search_dates_are_reported(item, client_for, front_desk):
    response = client_for(front_desk).get(
        url("register_list"), {"date_from": "2026-03-10", "date_to": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "La date de fin précède la date de début." in text(response)
    response = client_for(front_desk).get(url("register_list"), {"date_from": "hier"})
    assert response.status_code == 400


def test_the_list_is_a_fixed_number_of_queries(authority, client_for, front_desk, voirie, item):
    client = client_for(front_desk)
    client.get(url("register_list"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(url("register_list")).status_code == 200
    for n in range(12):
        register(authority, front_desk, service=voirie, subject=f"Lettre {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("register_list"))
    assert "Lettre 11" in text(response)
    assert len(many) == len(one)


def test_the_list_is_paginated(authority, client_for, front_desk, voirie, settings):
    settings.GUICHET_REGISTER_PAGE_SIZE = 2
    for n in range(3):
        register(authority, front_desk, service=voirie, subject=f"Lettre {n}")
    body = text(client_for(front_desk).get(url("register_list"), {"page": 2}))
    assert "Page 2 sur 2" in body


# Registration -----------------------------------------------------------------------------


def test_the_mail_room_registers_a_letter_that_opens_a_case(client_for, front_desk, category):
    client = client_for(front_desk)
    assert client.get(url("register_create")).status_code == 200
    data = incoming_form(category=category.pk, files=[pdf_upload()])
    response = client.post(url("register_create"), data)
    item = MailItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("register_detail", item.pk)
    assert item.case.service == category.default_service
    assert item.contact.usage_name == "Lenoir"
    assert item.interaction.attachments.count() == 1
    # The same form sent again gives back the first letter.
    again = client.post(url("register_create"), incoming_form(category=category.pk))
    assert again["Location"] == url("register_detail", item.pk)
    assert MailItem.objects.count() == Case.objects.count() == 1


def test_a_letter_sent_to_another_service_leaves_its_agent_on_the_register(
    client_for, agent, etat_civil
):
    response = client_for(agent).post(
        url("register_create"), incoming_form(outcome="none", service=etat_civil.pk)
    )
    assert response.status_code == 302
    assert response["Location"] == url("register_list")
    assert MailItem.objects.get().service == etat_civil


def test_a_letter_joins_a_case_from_the_form(client_for, front_desk, case, citizen_contact):
    response = client_for(front_desk).post(
        url("register_create"),
        incoming_form(contact=citizen_contact.pk, outcome="join", case_reference=case.reference),
    )
    assert response.status_code == 302
    assert MailItem.objects.get().case == case


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"subject": ""}, "Ce champ est obligatoire."),
        ({"outcome": "case"}, "Choisissez la catégorie de la demande."),
        ({"outcome": "join", "case_reference": "26-ZZZZZ"}, "Aucune demande ne porte"),
        ({"outcome": "none"}, "Choisissez le service destinataire."),
        ({"contact": "abc"}, "Cet usager est introuvable."),
        ({"arrived_on": "2099-01-01", "outcome": "none"}, "Cette date est dans le futur."),
    ],
)
def test_bad_registrations_are_shown_again_with_the_error(
    client_for, front_desk, voirie, changes, message
):
    data = incoming_form(**changes)
    if data["outcome"] == "none" and "arrived_on" in changes:
        data["service"] = voirie.pk
    response = client_for(front_desk).post(url("register_create"), data)
    assert response.status_code == 400
    assert message in html.unescape(text(response))
    assert not MailItem.objects.exists()


def test_a_disguised_scan_is_refused(client_for, front_desk, voirie):
    fake = pdf_upload("scan.pdf", b"MZ\x90\x00\x03 an executable")
    response = client_for(front_desk).post(
        url("register_create"), incoming_form(outcome="none", service=voirie.pk, files=[fake])
    )
    assert response.status_code == 400
    assert "n'est pas accepté" in html.unescape(text(response))
    assert not MailItem.objects.exists()


def test_a_text_file_is_not_a_scan(client_for, front_desk, voirie):
    from django.core.files.uploadedfile import SimpleUploadedFile

    note = SimpleUploadedFile("lettre.txt", b"Bonjour")
    response = client_for(front_desk).post(
        url("register_create"), incoming_form(outcome="none", service=voirie.pk, files=[note])
    )
    assert response.status_code == 400
    assert "n'est pas un courrier numérisé" in html.unescape(text(response))


def test_a_letter_sent_by_hand_is_registered(client_for, agent, voirie, case, citizen_contact):
    client = client_for(agent)
    assert client.get(url("register_create_outgoing")).status_code == 200
    response = client.post(
        url("register_create_outgoing"),
        {
            "submission_key": "out-key",
            "contact": citizen_contact.pk,
            "case_reference": case.reference,
            "sent_on": timezone.localdate().isoformat(),
            "service": voirie.pk,
            "subject": "Convocation",
            "registered_number": "2C 000 000 0001",
        },
    )
    item = MailItem.objects.get()
    assert response["Location"] == url("register_detail", item.pk)
    assert item.chrono.endswith("-D-000001")
    assert item.receipt_state == ReceiptState.AWAITING
    assert item.case == case and item.contact == citizen_contact


# Return receipt and follow-up -------------------------------------------------------------


def _outgoing(authority, agent, voirie):
    item, _ = mail_register_outgoing(
        actor=agent,
        authority=authority,
        submission_key="o",
        subject="Convocation",
        sent_on=timezone.localdate() - dt.timedelta(days=2),
        service=voirie,
        registered_number="2C0000000009",
    )
    return item


def test_the_service_records_a_signed_receipt(authority, client_for, agent, voirie):
    item = _outgoing(authority, agent, voirie)
    day = timezone.localdate().isoformat()
    response = client_for(agent).post(
        url("register_receipt", item.pk),
        {"state": "signed", "on": day, "registered_number": item.registered_number},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.receipt_state == "signed" and item.receipt_on.isoformat() == day
    assert "Avis de réception signé" in text(client_for(agent).get(url("register_detail", item.pk)))


def test_a_bad_receipt_is_refused(authority, client_for, agent, voirie):
    item = _outgoing(authority, agent, voirie)
    client = client_for(agent)
    for data in (
        {"state": "lost"},
        {"state": "signed", "registered_number": item.registered_number},
        {"state": "signed", "on": "2099-01-01", "registered_number": item.registered_number},
    ):
        assert client.post(url("register_receipt", item.pk), data).status_code == 400
    item.refresh_from_db()
    assert item.receipt_state == ReceiptState.AWAITING


def test_an_agent_who_reads_but_does_not_handle_cannot_update(
    authority, client_for, agent, voirie, dpo
):
    item = _outgoing(authority, agent, voirie)
    client = client_for(dpo)
    assert client.get(url("register_detail", item.pk)).status_code == 200
    day = timezone.localdate().isoformat()
    assert (
        client.post(url("register_receipt", item.pk), {"state": "signed", "on": day}).status_code
        == 403
    )
    assert client.post(url("register_follow_up", item.pk)).status_code == 403


# Exports and the daily list ---------------------------------------------------------------


def test_the_csv_export_holds_the_filtered_list_with_french_columns(
    item, authority, agent, voirie, client_for, front_desk
):
    out = _outgoing(authority, agent, voirie)
    response = client_for(front_desk).get(url("register_export"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="registre-courrier-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Numéro", "Sens", "Date"]
    assert "Expéditeur ou destinataire" in rows[0] and "Numéro de recommandé" in rows[0]
    by_number = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_number) == {item.chrono, out.chrono}
    line = by_number[item.chrono]
    assert line["Sens"] == "Arrivée"
    assert line["Expéditeur ou destinataire"] == "Lucien BERNARD"
    assert line["Demande"] == item.case.reference
    assert line["Date"] == item.date.strftime("%d/%m/%Y")
    event = Event.objects.get(verb="mail_register.exported")
    assert (event.actor, event.data["format"], event.data["rows"]) == (front_desk, "csv", 2)
    only_out = client_for(front_desk).get(
        url("register_export"), {"format": "csv", "direction": "out"}
    )
    rows = list(csv.reader(io.StringIO(only_out.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == [out.chrono]


def test_the_xlsx_export_reads_back(item, client_for, front_desk):
    response = client_for(front_desk).get(url("register_export"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Numéro" and rows[0][4] == "Expéditeur ou destinataire"
    assert rows[1][0] == item.chrono
    assert rows[1][2].date() == item.date
    assert rows[1][7] == "1A00000000011"


def test_a_formula_in_a_subject_is_exported_as_text(authority, client_for, front_desk, voirie):
    register(authority, front_desk, service=voirie, subject='=HYPERLINK("http://x")')
    response = client_for(front_desk).get(url("register_export"), {"format": "csv"})
    assert "'=HYPERLINK" in response.content.decode("utf-8-sig")


def test_an_unknown_export_format_is_refused(item, client_for, front_desk):
    client = client_for(front_desk)
    assert client.get(url("register_export"), {"format": "pdf"}).status_code == 400
    assert (
        client.get(url("register_export"), {"format": "csv", "date_from": "x"}).status_code == 400
    )


def test_the_daily_list_shows_the_day_letters_to_sign(
    item, authority, client_for, front_desk, voirie
):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    old = register(authority, front_desk, service=voirie, arrived_on=yesterday, subject="Hier")
    client = client_for(front_desk)
    body = text(client.get(url("register_daily")))
    assert item.chrono in body and old.chrono not in body
    assert "Signature" in body and "1A00000000011" in body and "Voirie" in body
    assert "register/daily.css" in body
    body = text(client.get(url("register_daily"), {"jour": yesterday.isoformat()}))
    assert old.chrono in body and item.chrono not in body
    assert client.get(url("register_daily"), {"jour": "demain"}).status_code == 400
    assert client.get(url("register_daily"), {"sens": "sideways"}).status_code == 400


def test_a_bad_outgoing_registration_is_shown_again(client_for, agent, voirie):
    response = client_for(agent).post(
        url("register_create_outgoing"),
        {
            "submission_key": "out-bad",
            "contact": "",
            "sent_on": "2099-01-01",
            "service": voirie.pk,
            "subject": "Convocation",
            "case_reference": "26-ZZZZZ",
        },
    )
    assert response.status_code == 400
    body = html.unescape(text(response))
    assert "Cette date est dans le futur." in body
    assert not MailItem.objects.exists()
    response = client_for(agent).post(
        url("register_create_outgoing"),
        {"submission_key": "out-bad", "sent_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in html.unescape(text(response))


def test_a_reply_letter_on_a_case_the_mail_room_only_summarises_is_not_readable_there(
    client_for, agent, front_desk, case, citizen_contact
):
    from guichet.contacts.models import Contact
    from guichet.letters.letters import letter_produce

    Contact.objects.filter(pk=citizen_contact.pk).update(
        address_line1="12 rue des Lilas", postal_code="31000", city="Toulouse"
    )
    citizen_contact.refresh_from_db()
    letter = letter_produce(
        actor=agent,
        case=case,
        contact=citizen_contact,
        subject="Votre demande",
        body="Votre situation de surendettement nous a été signalée.",
        purpose="reply",
    )
    item = MailItem.objects.get(interaction=letter)
    pdf = letter.attachments.get()
    # The register line stays on the mail room's register; the letter's text does not.
    page = client_for(front_desk).get(url("register_detail", item.pk))
    assert page.status_code == 200
    assert item.chrono in text(page)
    assert url("register_scan", item.pk, pdf.pk) not in text(page)
    assert client_for(front_desk).get(url("register_scan", item.pk, pdf.pk)).status_code == 404
    # The service that wrote it reads it.
    page = client_for(agent).get(url("register_detail", item.pk))
    assert url("register_scan", item.pk, pdf.pk) in text(page)
    assert client_for(agent).get(url("register_scan", item.pk, pdf.pk)).status_code == 200
