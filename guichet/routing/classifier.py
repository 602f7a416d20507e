"""The learned routing suggestion: free text in, a label (a category or a service) out, with
a confidence and the words that weighed most.

CPU only and light: a linear model over two views of the text, so that every decision can be
explained as a sum of contributions (CRPA L311-3-1):
- words, folded (no case, no accents), without French stop words, reduced to their stem
  ("trottoirs" and "trottoir" are one feature), and pairs of consecutive words;
- character n-grams inside words, which survive typos and words never seen whole.
The explanation attributes each feature's contribution to the words of the text it came from.
"""

from __future__ import annotations

import io
import pickle
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from guichet.core.stemming import stem_word
from guichet.core.text import FRENCH_STOP_WORDS as STOP_WORDS
from guichet.core.text import fold, french_stems

WORD_RE = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """The folded words of a text, in order, stop words included (for explanations)."""
    return WORD_RE.findall(fold(text))


@dataclass
class Suggestion:
    label: str
    confidence: float
    # (word or phrase of the text, weight): what pushed towards this label, strongest first.
    reasons: list[tuple[str, float]] = field(default_factory=list)
    alternatives: list[tuple[str, float]] = field(default_factory=list)


class TextClassifier:
    """Train with `fit(texts, labels)`, then `suggest(text)`. Serialises to bytes."""

    def __init__(self, *, c: float = 8.0, char_weight: float = 1.5, min_df: int = 1):
        self.c = c
        self.char_weight = char_weight
        self.min_df = min_df
        self.word_vectorizer: TfidfVectorizer | None = None
        self.char_vectorizer: TfidfVectorizer | None = None
        self.model: LogisticRegression | None = None
        self.labels: list[str] = []

    # Training ------------------------------------------------------------------------------

    def _features(self, texts: Sequence[str], *, fit: bool = False):
        folded = [fold(t) for t in texts]
        if fit:
            self.word_vectorizer = TfidfVectorizer(
                analyzer=_stem_tokens_and_pairs, sublinear_tf=True, min_df=self.min_df
            )
            self.char_vectorizer = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=self.min_df
            )
            word_x = self.word_vectorizer.fit_transform(texts)
            char_x = self.char_vectorizer.fit_transform(folded)
        else:
            word_x = self.word_vectorizer.transform(texts)
            char_x = self.char_vectorizer.transform(folded)
        return hstack([word_x, char_x * self.char_weight]).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[str], sample_weight=None):
        if len(set(labels)) < 2:
            raise ValueError("At least two different labels are needed to learn.")
        x = self._features(texts, fit=True)
        self.model = LogisticRegression(
            C=self.c, class_weight="balanced", max_iter=3000, solver="lbfgs"
        )
        self.model.fit(x, list(labels), sample_weight=sample_weight)
        self.labels = [str(label) for label in self.model.classes_]
        return self

    @property
    def is_trained(self) -> bool:
        return self.model is not None

    # Using it ------------------------------------------------------------------------------

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [str(label) for label in self.model.predict(self._features(texts))]

    def suggest(self, text: str, *, reasons: int = 6, alternatives: int = 3) -> Suggestion:
        x = self._features([text])
        probabilities = self.model.predict_proba(x)[0]
        order = np.argsort(probabilities)[::-1]
        best = int(order[0])
        return Suggestion(
            label=self.labels[best],
            confidence=float(probabilities[best]),
            reasons=self._reasons(text, x, best)[:reasons],
            alternatives=[
                (self.labels[int(i)], float(probabilities[int(i)]))
                for i in order[1 : 1 + alternatives]
            ],
        )

    def _reasons(self, text: str, x, label_index: int) -> list[tuple[str, float]]:
        """Each feature's part of the score of `label_index` above the average label,
        given back to the words of the text it comes from."""
        coef = self.model.coef_
        if coef.shape[0] == 1:  # two labels: one row of coefficients, for labels[1]
            row = coef[0] if label_index == 1 else -coef[0]
            relative = row
        else:
            relative = coef[label_index] - coef.mean(axis=0)
        row_x = x.getrow(0)
        word_names = self.word_vectorizer.get_feature_names_out()
        n_word = len(word_names)
        char_names = self.char_vectorizer.get_feature_names_out()
        text_words = words(text)
        stems = {w: stem_word(w) for w in text_words}
        by_word: dict[str, float] = defaultdict(float)
        for j, value in zip(row_x.indices, row_x.data, strict=True):
            contribution = float(value * relative[j])
            if j < n_word:
                parts = word_names[j].split(" ")
                owners = [w for w in text_words if stems[w] in parts]
                if len(parts) > 1:
                    phrase = _phrase_for(text_words, stems, parts)
                    if phrase:
                        by_word[phrase] += contribution
                        continue
            else:
                gram = char_names[j - n_word].strip()
                owners = [w for w in text_words if gram and gram in f"{w}"]
            owners = list(dict.fromkeys(owners))
            for owner in owners:
                by_word[owner] += contribution / len(owners)
        ranked = sorted(
            ((w, c) for w, c in by_word.items() if c > 0 and w not in STOP_WORDS),
            key=lambda item: -item[1],
        )
        surface = _surface_forms(text)
        return [
            (" ".join(surface.get(part, part) for part in w.split(" ")), round(c, 3))
            for w, c in ranked
        ]

    # Storage ------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        pickle.dump(self, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextClassifier:
        # Only ever loads what this instance trained and stored itself.
        loaded = pickle.loads(data)  # noqa: S301
        if not isinstance(loaded, cls):
            raise TypeError("Not a routing classifier.")
        return loaded


def _stem_tokens_and_pairs(text: str) -> list[str]:
    stems = french_stems(text)
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def _surface_forms(text: str) -> dict[str, str]:
    """Folded word -> the word as the person wrote it (lower case, accents kept), so that
    the explanation quotes the text: "abîmés", not "abimes"."""
    originals = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    folded = [fold(o) for o in originals]
    return {f: o for f, o in zip(folded, originals, strict=True) if f and " " not in f}


def _phrase_for(text_words: list[str], stems: dict[str, str], parts: list[str]) -> str:
    """The words of the text that make the stemmed pair `parts` ("trottoir abim" ->
    "trottoirs abimes"), skipping the stop words between them."""
    content = [w for w in text_words if w not in STOP_WORDS and len(w) > 1]
    for i in range(len(content) - 1):
        if stems[content[i]] == parts[0] and stems[content[i + 1]] == parts[1]:
            return f"{content[i]} {content[i + 1]}"
    return ""
