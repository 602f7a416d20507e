"""Small text helpers for matching names typed differently."""

import unicodedata


def fold(text: str | None) -> str:
    """Lower case, no accents, single spaces: 'Élodie  LE GOFF' -> 'elodie le goff'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in stripped.lower())
    return " ".join(cleaned.split())


# Words that carry no meaning for search or routing. Folded, as the text is.
FRENCH_STOP_WORDS = frozenset(
    """
    a au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur
    leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa
    se ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t y est sont
    etre avoir ai as avons avez ont ete etait fait faire plus tres bien tout tous toute
    toutes aussi alors donc car si sans sous chez entre vers depuis pendant comme merci
    bonjour madame monsieur mme mr svp cordialement
    """.split()
)


def folded_words(text: str | None) -> list[str]:
    """The folded words of a text, in order: 'Trottoirs abîmés' -> ['trottoirs', 'abimes']."""
    return fold(text).split()


def french_stems(text: str | None, *, keep_stop_words: bool = False) -> list[str]:
    """Folded, stop words removed, each word reduced to its French stem (Snowball), so that
    'trottoirs abîmés' and 'trottoir abimé' are the same words."""
    from guichet.core.stemming import stem_words

    tokens = [
        w
        for w in folded_words(text)
        if len(w) > 1 and (keep_stop_words or w not in FRENCH_STOP_WORDS)
    ]
    return stem_words(tokens)
