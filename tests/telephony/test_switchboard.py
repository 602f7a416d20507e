"""The switchboard's CSV export: read whatever its headers and encoding, stored once,
errors per line in French, and the pick-up rate computed from it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guichet.core.models import Event
from guichet.telephony.models import SwitchboardCall
from guichet.telephony.reports import pickup_report
from guichet.telephony.services import switchboard_import

# Monday 2 and Tuesday 3 November 2026: 4 calls on the Monday (3 answered), 2 on the
# Tuesday (1 answered), on two lines; three lines that cannot be read.
KNOWN_FILE = """Date;Heure;Appelant;Numéro appelé;Sonnerie;Durée;Statut
02/11/2026;08:15:00;06 12 34 56 78;05 61 00 00 01;00:00:12;00:02:05;Répondu
02/11/2026;08:40:10;05 61 22 33 44;05 61 00 00 01;00:00:40;00:00:00;Non répondu
02/11/2026;08:55:00;Anonyme;05 61 00 00 01;00:00:05;00:04:00;Décroché
02/11/2026;14:05:00;07 11 22 33 44;05 61 00 00 02;00:00:08;00:01:00;Répondu
31/11/2026;09:00:00;06 12 34 56 78;05 61 00 00 01;;00:01:00;Répondu
03/11/2026;09:10:00;06 99 88 77 66;05 61 00 00 01;00:00:30;00:00:00;Occupé
03/11/2026;09:30:00;06 99 88 77 66;05 61 00 00 01;00:00:03;00:03:10;Répondu
03/11/2026;10:00:00;06 12 34 56 78;05 61 00 00 01;;00:01:00;Transféré
03/11/2026;10:05:00;12;05 61 00 00 01;;00:01:00;Répondu
"""


def import_file(authority, actor, content, name="export.csv", **kwargs):
    return switchboard_import(
        actor=actor, authority=authority, content=content, filename=name, **kwargs
    )


def test_the_known_file_is_read_with_its_errors_per_line(authority, front_desk):
    batch = import_file(authority, front_desk, KNOWN_FILE.encode())
    assert (batch.rows_read, batch.rows_created, batch.rows_duplicate) == (9, 6, 0)
    assert batch.errors == [
        {"line": 6, "message": "Date illisible « 31/11/2026 »."},
        {"line": 9, "message": "État inconnu « Transféré »."},
        {"line": 10, "message": "Numéro de l'appelant illisible « 12 »."},
    ]
    first = SwitchboardCall.objects.get(caller="+33612345678")
    assert first.line == "+33561000001"
    assert timezone.localtime(first.started_at).replace(tzinfo=None) == dt.datetime(
        2026, 11, 2, 8, 15
    )
    assert (first.ring_seconds, first.talk_seconds, first.answered) == (12, 125, True)
    hidden = SwitchboardCall.objects.get(caller="")
    assert hidden.answered
    assert not SwitchboardCall.objects.get(caller="+33561223344").answered
    event = Event.objects.get(verb="switchboard.imported")
    assert event.actor == front_desk
    assert event.data == {"created": 6, "duplicates": 0, "errors": 3}


def test_the_same_file_twice_creates_no_duplicate(authority, front_desk):
    import_file(authority, front_desk, KNOWN_FILE.encode())
    again = import_file(authority, front_desk, KNOWN_FILE.encode())
    assert (again.rows_created, again.rows_duplicate) == (0, 6)
    assert SwitchboardCall.objects.count() == 6


def test_overlapping_exports_add_only_the_new_calls(authority, front_desk):
    lines = KNOWN_FILE.splitlines()
    header = lines[0]
    monday = "\n".join([header, *lines[1:5]])
    monday_and_tuesday = "\n".join([header, *lines[3:5], *lines[6:8]])
    import_file(authority, front_desk, monday.encode())
    second = import_file(authority, front_desk, monday_and_tuesday.encode())
    assert (second.rows_created, second.rows_duplicate) == (2, 2)
    assert SwitchboardCall.objects.count() == 6


def test_another_authority_keeps_its_own_calls(authority, other_authority, front_desk):
    import_file(authority, front_desk, KNOWN_FILE.encode())
    batch = import_file(other_authority, None, KNOWN_FILE.encode())
    assert batch.rows_created == 6
    assert SwitchboardCall.objects.filter(authority=other_authority).count() == 6


def test_latin1_with_commas_and_english_headers(authority, front_desk):
    latin1 = (
        "Date et heure,Appelant,Ligne,Durée,État\r\n"
        "2026-11-02 08:15,0612345678,Standard,125,répondu\r\n"
        "2026-11-02 08:16,0612345679,Standard,0,manqué\r\n"
    ).encode("latin-1")
    batch = import_file(authority, front_desk, latin1)
    assert (batch.rows_created, batch.errors) == (2, [])
    assert set(SwitchboardCall.objects.values_list("line", "answered")) == {
        ("Standard", True),
        ("Standard", False),
    }
    english = (
        "\ufeffStart time,Caller,Called number,Talk time,Ring time,Status\n"
        "02/11/2026 09:00:00,+33 6 12 34 56 70,0561000001,2m05s,10,ANSWERED\n"
        "02/11/2026 09:01:00,+33 6 12 34 56 71,0561000001,0,25,abandoned\n"
        "02/11/2026 09:02:00,+33 6 12 34 56 72,0561000001,0,25,busy\n"
    ).encode()
    batch = import_file(authority, front_desk, english)
    assert (batch.rows_created, batch.errors) == (3, [])
    call = SwitchboardCall.objects.get(caller="+33612345670")
    assert (call.talk_seconds, call.ring_seconds, call.answered) == (125, 10, True)


def test_excel_s_separator_line_is_understood(authority, front_desk):
    content = (
        "\r\nsep=,\r\nDate,Heure,Appelant,Statut\r\n"
        "02/11/2026,10:00,0612345678,Répondu\r\n"
        "02/11/2026,25:00,0612345678,Répondu\r\n"
    )
    batch = import_file(authority, front_desk, content.encode("cp1252"))
    assert batch.rows_created == 1
    assert batch.errors == [{"line": 5, "message": "Heure illisible « 25:00 »."}]
    assert batch.columns == {
        "date": "Date",
        "time": "Heure",
        "caller": "Appelant",
        "status": "Statut",
    }


def test_without_a_status_column_the_talk_time_says_whether_it_was_answered(authority, front_desk):
    content = (
        "Jour;Heure;Appelant;Durée\n"
        "02/11/2026;10:00;0612345678;0\n"
        "02/11/2026;10:05;0612345678;1:30\n"
    )
    import_file(authority, front_desk, content.encode())
    assert list(
        SwitchboardCall.objects.order_by("started_at").values_list("answered", flat=True)
    ) == [
        False,
        True,
    ]


def test_columns_can_be_named(authority, front_desk, settings):
    content = "Quand;Qui;Combien;Issue\n02/11/2026 10:00;0612345678;60;répondu\n".encode()
    with pytest.raises(ValidationError) as refused:
        import_file(authority, front_desk, content)
    assert "Aucune colonne de date" in refused.value.messages[0]
    mapping = {"datetime": "Quand", "caller": "Qui", "talk": "Combien", "status": "Issue"}
    assert import_file(authority, front_desk, content, mapping=mapping).rows_created == 1
    settings.GUICHET_SWITCHBOARD_COLUMNS = "datetime=Quand,caller=Qui,talk=Combien,status=Issue"
    assert import_file(authority, front_desk, content).rows_duplicate == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"Date;Heure;Appelant\n02/11/2026;10:00;0612345678\n", "Ni colonne d'état"),
        (b"Date;Appelant;Statut\n02/11/2026;0612345678;ok\n", None),
        (
            b"date=Jour",
            "Aucune colonne de date",
        ),
    ],
)
def test_files_that_cannot_be_read_are_refused_in_french(authority, front_desk, content, message):
    if message is None:
        # A date column without time still reads (midnight): not an error for the file.
        assert import_file(authority, front_desk, content).rows_created == 1
        return
    with pytest.raises(ValidationError) as refused:
        import_file(authority, front_desk, content)
    assert message in refused.value.messages[0]
    assert not SwitchboardCall.objects.exists()


def test_an_unknown_named_column_is_refused(authority, front_desk):
    with pytest.raises(ValidationError) as refused:
        import_file(authority, front_desk, KNOWN_FILE.encode(), mapping={"caller": "Numéro"})
    assert refused.value.messages == ["La colonne « Numéro » est introuvable dans le fichier."]


def test_the_pickup_rate_of_the_known_file(authority, front_desk):
    import_file(authority, front_desk, KNOWN_FILE.encode())
    report = pickup_report(authority, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    assert (report.total.offered, report.total.answered) == (6, 4)
    assert report.total.percent == "66,7 %"
    assert not report.total.meets_target
    assert [(r.label, r.offered, r.answered) for r in report.by_day] == [
        (dt.date(2026, 11, 2), 4, 3),
        (dt.date(2026, 11, 3), 2, 1),
    ]
    assert [(r.label, r.offered, r.answered) for r in report.by_week] == [
        (dt.date(2026, 11, 2), 6, 4)
    ]
    assert [(r.label, r.offered, r.answered) for r in report.by_line] == [
        ("+33561000001", 5, 3),
        ("+33561000002", 1, 1),
    ]
    assert [(r.label, r.offered) for r in report.by_hour] == [(8, 3), (9, 2), (14, 1)]
    assert [r.label for r in report.busiest_hours] == [8, 9, 14]
    second_line = pickup_report(
        authority, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), line="+33561000002"
    )
    assert second_line.total.percent == "100,0 %"
    assert second_line.total.meets_target


def test_the_target_is_a_setting(authority, front_desk, settings):
    import_file(authority, front_desk, KNOWN_FILE.encode())
    settings.GUICHET_PHONE_PICKUP_TARGET = 0.6
    report = pickup_report(authority, start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 2))
    assert report.total.percent == "75,0 %"
    assert report.total.meets_target
    assert report.target_percent == "60 %"


def test_a_rate_just_under_the_target_never_reads_as_meeting_it(settings):
    from guichet.telephony.reports import Rate

    settings.GUICHET_PHONE_PICKUP_TARGET = 0.85
    rate = Rate(label="lundi", offered=2500, answered=2124)  # 84.96 %
    assert not rate.meets_target and rate.percent == "84,9 %"
    assert Rate(label="mardi", offered=20, answered=17).percent == "85,0 %"
