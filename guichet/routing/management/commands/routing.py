"""`guichet routing evaluate`: train the routing classifier on one CSV file, score it on
another, and print what it is worth beside the simplest baseline."""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


def read_rows(path: str, text_column: str, label_column: str) -> tuple[list[str], list[str]]:
    file = Path(path)
    if not file.exists():
        raise CommandError(f"File not found: {path}")
    raw = file.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = raw.decode("cp1252")
    sample = content[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # Not splitlines(): a quoted text may hold line breaks (and U+2028…), which must stay
    # inside their field rather than glue two words or split the row.
    reader = csv.DictReader(io.StringIO(content, newline=""), dialect=dialect)
    missing = [c for c in (text_column, label_column) if c not in (reader.fieldnames or [])]
    if missing:
        columns = ", ".join(reader.fieldnames or [])
        raise CommandError(f"{path}: no column {', '.join(missing)} (columns: {columns})")
    texts, labels = [], []
    for row in reader:
        text, label = (row[text_column] or "").strip(), (row[label_column] or "").strip()
        if text and label:
            texts.append(text)
            labels.append(label)
    if not texts:
        raise CommandError(f"{path}: no row with both a text and a label.")
    return texts, labels


class Command(BaseCommand):
    help = "Routing classifier tools. `evaluate`: train on one CSV, score on another."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser("evaluate", help="Train on --train, score on --test.")
        evaluate.add_argument("--train", required=True)
        evaluate.add_argument("--test", required=True)
        evaluate.add_argument("--text-column", default="text")
        evaluate.add_argument("--label-column", default="service")
        evaluate.add_argument("--report-limit", type=int, default=40)
        train = sub.add_parser("train", help="Retrain the authorities' suggestion now.")
        train.add_argument("--authority", help="One authority's slug (default: all).")

    def handle(self, *args, action: str, **options):
        if action == "evaluate":
            self.evaluate(**options)
        elif action == "train":
            self.train(options.get("authority"))

    def train(self, slug: str | None):
        from django.core.exceptions import ValidationError

        from guichet.authorities.models import Authority
        from guichet.routing.enums import ModelTarget
        from guichet.routing.services import routing_train

        authorities = Authority.objects.filter(is_active=True)
        if slug:
            authorities = authorities.filter(slug=slug)
            if not authorities.exists():
                raise CommandError(f"No active authority with the slug {slug!r}.")
        for authority in authorities:
            for target in ModelTarget.values:
                try:
                    model = routing_train(authority=authority, target=target)
                except ValidationError as error:
                    self.stdout.write(f"{authority.slug} {target}: {' '.join(error.messages)}")
                    continue
                measured = (
                    f", accuracy {model.accuracy:.3f} on {model.tested_on} latest closed cases"
                    f" (majority baseline {model.baseline_accuracy:.3f})"
                    if model.accuracy is not None
                    else ""
                )
                self.stdout.write(
                    f"{authority.slug} {target}: {model.examples} examples, "
                    f"{model.labels} labels{measured}"
                )

    def evaluate(self, *, train, test, text_column, label_column, report_limit, **_):
        from sklearn.metrics import accuracy_score, classification_report, f1_score

        from guichet.routing.classifier import TextClassifier

        train_texts, train_labels = read_rows(train, text_column, label_column)
        test_texts, test_labels = read_rows(test, text_column, label_column)
        started = time.perf_counter()
        classifier = TextClassifier().fit(train_texts, train_labels)
        train_seconds = time.perf_counter() - started

        started = time.perf_counter()
        predicted = [classifier.suggest(t).label for t in test_texts]
        per_text_ms = (time.perf_counter() - started) * 1000 / len(test_texts)

        majority = Counter(train_labels).most_common(1)[0][0]
        baseline = [majority] * len(test_labels)
        out = self.stdout.write
        out(
            f"Training: {len(train_texts)} texts, {len(set(train_labels))} labels, "
            f"{train_seconds:.2f} s"
        )
        out(f"Test:     {len(test_texts)} texts, {len(set(test_labels))} labels")
        unseen = sorted(set(test_labels) - set(train_labels))
        if unseen:
            out(f"Labels of the test set never seen in training: {', '.join(unseen)}")
        out("")
        out(f"{'':24}{'accuracy':>10}{'macro-F1':>10}")
        for name, guesses in (("classifier", predicted), ("majority baseline", baseline)):
            out(
                f"{name:24}{accuracy_score(test_labels, guesses):>10.3f}"
                f"{f1_score(test_labels, guesses, average='macro', zero_division=0):>10.3f}"
            )
        out(f"\nTime per text (suggestion with its explanation): {per_text_ms:.2f} ms")
        out(f"Majority class: {majority}\n")
        labels = sorted(set(test_labels) | set(predicted))
        report = classification_report(
            test_labels, predicted, labels=labels, zero_division=0, digits=3
        )
        out(report)
