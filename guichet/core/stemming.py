"""The French Snowball stemmer, loaded once (it is pure Python and not thread-bound)."""

from __future__ import annotations

import snowballstemmer

_stemmer = snowballstemmer.stemmer("french")


def stem_words(words: list[str]) -> list[str]:
    return _stemmer.stemWords(words)


def stem_word(word: str) -> str:
    return _stemmer.stemWord(word)
