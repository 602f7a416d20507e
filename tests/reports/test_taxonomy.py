"""Loading the tree of street-problem categories from a DansMaRue-style CSV: created once,
brought up to date on a new file without touching the town's own settings, themes sent to
their service, and a clear refusal for a file of another shape."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from guichet.cases.models import Category
from guichet.core.enums import Channel
from guichet.core.models import Event
from guichet.reports.forms import report_category_groups
from guichet.reports.taxonomy import parse_street_taxonomy
from tests import factories as f

pytestmark = pytest.mark.django_db

CSV = """id,libelle,parent_id,root,is_leaf,actif
1000,Voirie,,Voirie,False,1
1001,Nid de poule,1000,Voirie,True,1
1002,Trottoir,1000,Voirie,False,1
1003,Revêtement manquant,1002,Voirie,True,1
1004,Revêtement manquant,1000,Voirie,True,1
1005,Ancien type,1000,Voirie,True,0
2000,Éclairage,,Éclairage,False,1
2001,Lampadaire éteint,2000,Éclairage,True,1
"""


def load(tmp_path, text, *args, authority, **kwargs):
    path = tmp_path / "categories.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command(
        "report_categories_import",
        str(path),
        f"--authority={authority.slug}",
        *args,
        stdout=out,
        **kwargs,
    )
    return out.getvalue()


@pytest.fixture
def lighting(authority):
    return f.ServiceFactory(authority=authority, name="Éclairage public")


def test_the_tree_becomes_the_portal_choice_and_themes_go_to_their_service(
    tmp_path, authority, voirie, lighting
):
    said = load(
        tmp_path,
        CSV,
        f"--service={voirie.name}",
        "--theme-service=éclairage=Éclairage public",
        authority=authority,
    )
    assert "6 created, 0 updated" in said
    leaves = Category.objects.filter(authority=authority, parent__isnull=False)
    assert sorted(leaves.values_list("label", flat=True)) == [
        "Lampadaire éteint",
        "Nid de poule",
        "Revêtement manquant",
        "Revêtement manquant (Trottoir)",
    ]
    lamp = leaves.get(label="Lampadaire éteint")
    assert lamp.default_service == lighting and lamp.parent.label == "Éclairage"
    assert lamp.is_public_space and lamp.acknowledgement_exempt
    assert lamp.offered_on(Channel.PORTAL) and lamp.offered_on(Channel.API)
    assert leaves.get(label="Nid de poule").default_service == voirie
    groups = {g.label: [c.label for c in g.categories] for g in report_category_groups(authority)}
    assert "Nid de poule" in groups["Voirie"] and "Ancien type" not in groups["Voirie"]
    assert Event.objects.filter(verb="report_categories.imported").count() == 1


def test_a_new_file_updates_labels_closes_what_is_gone_and_keeps_the_town_settings(
    tmp_path, authority, voirie
):
    load(tmp_path, CSV, f"--service={voirie.name}", authority=authority)
    pothole = Category.objects.get(authority=authority, external_ref="dansmarue:1001")
    pothole.delay_days = 2  # the town promised better since
    pothole.save()
    again = load(tmp_path, CSV, f"--service={voirie.name}", authority=authority)
    assert "0 created, 0 updated" in again
    newer = CSV.replace("1001,Nid de poule", "1001,Nid-de-poule").replace(
        "2001,Lampadaire éteint,2000,Éclairage,True,1\n", ""
    )
    said = load(tmp_path, newer, f"--service={voirie.name}", authority=authority)
    assert "0 created, 2 updated" in said
    pothole.refresh_from_db()
    assert pothole.label == "Nid-de-poule" and pothole.delay_days == 2
    assert not Category.objects.get(external_ref="dansmarue:2001").is_active


def test_a_dry_run_changes_nothing(tmp_path, authority, voirie):
    said = load(tmp_path, CSV, f"--service={voirie.name}", "--dry-run", authority=authority)
    assert said.startswith("Would change")
    assert not Category.objects.filter(authority=authority, is_public_space=True).exists()


@pytest.mark.parametrize(
    "text,args,message",
    [
        ("id;libelle\n1;Voirie\n", [], "Colonnes manquantes"),
        (CSV, ["--theme-service=éclairage"], "WORD=SERVICE"),
        (CSV, ["--theme-service=éclairage=Nulle part"], "No service named"),
    ],
)
def test_bad_input_is_refused_clearly(tmp_path, authority, voirie, text, args, message):
    with pytest.raises(CommandError, match=message):
        load(tmp_path, text, f"--service={voirie.name}", *args, authority=authority)
    assert not Category.objects.filter(authority=authority, is_public_space=True).exists()


def test_unknown_authority_or_service(tmp_path, authority):
    with pytest.raises(CommandError, match="No service named"):
        load(tmp_path, CSV, "--service=Personne", authority=authority)
    with pytest.raises(CommandError, match="No authority"):
        call_command("report_categories_import", "x.csv", "--authority=nulle", "--service=x")


def test_the_shipped_taxonomy_reads_whole():
    path = Path(settings.BASE_DIR).parent / "shared" / "data" / "taxonomy"
    path = path / "dansmarue-categories.csv"
    if not path.exists():
        pytest.skip("The DansMaRue taxonomy is not beside the project here.")
    roots = parse_street_taxonomy(path.read_text(encoding="utf-8"))
    assert len(roots) >= 10
    assert sum(len(r.leaves) for r in roots) > 100
    for root in roots:  # the same label twice in a theme is told apart by its branch
        labels = [label for label, _ref in root.leaves]
        assert len(labels) == len(set(labels)), root.label


def test_a_file_with_a_loop_or_twice_the_same_label_is_read_without_harm(
    tmp_path, authority, voirie
):
    odd = CSV + (
        "3000,Boucle,3001,Voirie,True,1\n"
        "3001,Boucle bis,3000,Voirie,True,1\n"
        "3002,Nid de poule,1000,Voirie,True,1\n"
    )
    said = load(tmp_path, odd, f"--service={voirie.name}", authority=authority)
    assert "created" in said
    labels = list(
        Category.objects.filter(authority=authority, parent__label="Voirie").values_list(
            "label", flat=True
        )
    )
    assert "Boucle" not in labels and "Nid de poule" in labels
    assert "Nid de poule (3002)" in labels
