"""The learned routing suggestion: what it says, why, and the evaluate command."""

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from guichet.routing.classifier import TextClassifier

TRAIN = [
    ("Nid de poule dangereux rue des Lilas", "voirie"),
    ("Trottoir défoncé devant l'école", "voirie"),
    ("Chaussée abîmée après les travaux", "voirie"),
    ("Trou dans la chaussée avenue Jean Jaurès", "voirie"),
    ("Lampadaire éteint depuis une semaine", "eclairage"),
    ("Éclairage public en panne dans ma rue", "eclairage"),
    ("Le réverbère clignote toute la nuit", "eclairage"),
    ("Ampoule grillée sur le lampadaire du parc", "eclairage"),
    ("Acte de naissance pour mon fils", "etat_civil"),
    ("Demande de copie d'acte de mariage", "etat_civil"),
    ("Livret de famille perdu, duplicata", "etat_civil"),
    ("Extrait d'acte de décès de ma mère", "etat_civil"),
]


@pytest.fixture(scope="module")
def trained():
    texts, labels = zip(*TRAIN, strict=True)
    return TextClassifier().fit(texts, labels)


def test_it_suggests_the_service_of_similar_demands(trained):
    assert trained.suggest("Un gros nid de poule sur la chaussée").label == "voirie"
    assert trained.suggest("Il me faut un acte de naissance").label == "etat_civil"
    assert trained.suggest("lampadaire en panne").label == "eclairage"


def test_plurals_accents_and_typos_still_route(trained):
    # Words never seen in this exact form: plural, no accents, one letter wrong.
    assert trained.suggest("les lampadaires eteints").label == "eclairage"
    assert trained.suggest("chausse abimee").label == "voirie"
    assert trained.suggest("acte de naissanse").label == "etat_civil"


def test_the_explanation_quotes_the_words_of_the_text(trained):
    suggestion = trained.suggest("Le lampadaire devant chez moi est éteint")
    quoted = [word for word, _ in suggestion.reasons]
    assert quoted[0] == "lampadaire"
    assert "éteint" in quoted  # as written, with its accent
    assert all(weight > 0 for _, weight in suggestion.reasons)
    # Nothing the person did not write, and no stop word.
    text_words = {"le", "lampadaire", "devant", "chez", "moi", "est", "éteint"}
    assert set(quoted) <= text_words - {"le", "chez", "moi", "est"}


def test_confidence_and_alternatives(trained):
    clear = trained.suggest("acte de naissance acte de mariage livret de famille")
    vague = trained.suggest("bonjour je vous écris")
    assert 0 < vague.confidence < clear.confidence <= 1
    assert [label for label, _ in clear.alternatives] != []
    assert clear.label not in [label for label, _ in clear.alternatives]


def test_a_trained_model_survives_storage(trained):
    restored = TextClassifier.from_bytes(trained.to_bytes())
    assert restored.suggest("nid de poule").label == trained.suggest("nid de poule").label
    with pytest.raises(TypeError):
        TextClassifier.from_bytes(__import__("pickle").dumps({"not": "a model"}))


def test_one_label_is_not_enough():
    with pytest.raises(ValueError):
        TextClassifier().fit(["a", "b"], ["x", "x"])


# The evaluate command --------------------------------------------------------------------


def _write(path: Path, rows, delimiter=","):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["texte", "service"])
        writer.writerows(rows)
    return str(path)


def test_evaluate_prints_the_scores_beside_the_baseline(tmp_path, capsys):
    train = _write(tmp_path / "train.csv", [*TRAIN, ("Bosse sur la route", "voirie")])
    test = _write(
        tmp_path / "test.csv",
        [
            ("Nid de poule rue Victor Hugo", "voirie"),
            ("Lampadaire cassé", "eclairage"),
            ("Copie d'acte de naissance", "etat_civil"),
            ("Trottoir abîmé", "voirie"),
        ],
        delimiter=";",
    )
    call_command(
        "routing",
        "evaluate",
        "--train",
        train,
        "--test",
        test,
        "--text-column",
        "texte",
        "--label-column",
        "service",
    )
    out = capsys.readouterr().out
    classifier_line = next(line for line in out.splitlines() if line.startswith("classifier"))
    baseline_line = next(line for line in out.splitlines() if line.startswith("majority"))
    accuracy, macro_f1 = map(float, classifier_line.split()[1:3])
    assert accuracy == 1.0 and macro_f1 == 1.0
    # "voirie", the most frequent label in training, for all: 2 of 4 right.
    assert float(baseline_line.split()[2]) == 0.5
    assert "Time per text" in out
    assert "eclairage" in out and "precision" in out


def test_evaluate_says_which_column_is_missing(tmp_path):
    train = _write(tmp_path / "train.csv", TRAIN)
    with pytest.raises(CommandError, match="no column libelle"):
        call_command(
            "routing",
            "evaluate",
            "--train",
            train,
            "--test",
            train,
            "--text-column",
            "libelle",
            "--label-column",
            "service",
        )


def test_evaluate_reads_texts_written_on_several_lines(tmp_path):
    """An email's body holds line breaks (and sometimes U+2028): the words on either side
    of one stay two words, and the row stays one row."""
    from guichet.routing.management.commands.routing import read_rows

    path = _write(
        tmp_path / "emails.csv",
        [("Bonjour,\r\nle lampadaire\nest éteint", "eclairage"), ("acte\u2028de naissance", "ec")],
    )
    texts, labels = read_rows(path, "texte", "service")
    assert labels == ["eclairage", "ec"]
    assert texts[0].split() == ["Bonjour,", "le", "lampadaire", "est", "éteint"]
    assert texts[1].split() == ["acte", "de", "naissance"]


PARIS = Path(__file__).resolve().parents[2].parent / "shared/data/routing/paris-bp-train.csv"


@pytest.mark.skipif(not PARIS.exists(), reason="The shared routing data set is not here.")
def test_on_real_data_it_beats_the_majority_baseline_by_far(tmp_path):
    with PARIS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    early = [r for r in rows if int(r["edition"]) <= 2016]
    later = [r for r in rows if int(r["edition"]) == 2017]
    model = TextClassifier().fit([r["text"] for r in early], [r["service"] for r in early])
    predicted = model.predict([r["text"] for r in later])
    accuracy = sum(p == r["service"] for p, r in zip(predicted, later, strict=True)) / len(later)
    majority = max(
        sum(r["service"] == s for r in later) for s in {r["service"] for r in early}
    ) / len(later)
    assert accuracy > majority + 0.3


def test_the_train_command_and_the_scheduled_task(authority, category, category_etat_civil, capsys):
    from guichet.routing.models import RoutingModel
    from guichet.routing.tasks import routing_models_train_all

    call_command("routing", "train", "--authority", authority.slug)
    out = capsys.readouterr().out
    assert f"{authority.slug} service:" in out and f"{authority.slug} category:" in out
    assert RoutingModel.objects.filter(authority=authority).count() == 2
    assert routing_models_train_all.call() == 2
    with pytest.raises(CommandError):
        call_command("routing", "train", "--authority", "nulle-part")


def test_one_authority_failing_does_not_stop_the_others_training(
    authority, other_authority, category, category_etat_civil, monkeypatch
):
    from guichet.routing import services
    from guichet.routing.tasks import routing_models_train_all

    real_train = services.routing_train

    def train(*, authority, target, **kwargs):
        if authority == other_authority:
            raise RuntimeError("a category points nowhere")
        return real_train(authority=authority, target=target, **kwargs)

    monkeypatch.setattr(services, "routing_train", train)
    assert routing_models_train_all.call() == 2  # the authority's two models, still made
