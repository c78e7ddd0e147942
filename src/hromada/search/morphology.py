"""Dictionary forms for search, so that inflected words find each other.

Ukrainian and Russian inflect: "ями" and "яма", "ліфтом" and "ліфт", "Сумській" and
"Сумська" are one word to a reader and three to a tokenizer. Every document carries,
beside its text, the dictionary forms (lemmas) of its words that differ from the words
themselves (``_lemmas``), and every query word is also looked up by its lemma, in both
engines. Lemmas come from pymorphy3's Ukrainian dictionary, or its Russian one for a word
Ukrainian does not know; a word neither knows (a name, a typo) has no lemma and is matched
as written. (Snowball, the stemmer family both engines could use, has no Ukrainian
algorithm among its official ones.)
"""

from __future__ import annotations

import functools

import pymorphy3

from hromada.search.text import APOSTROPHE, WORD, fold, normalise_apostrophes


@functools.cache
def _analysers() -> tuple[pymorphy3.MorphAnalyzer, pymorphy3.MorphAnalyzer]:
    return pymorphy3.MorphAnalyzer(lang="uk"), pymorphy3.MorphAnalyzer(lang="ru")


@functools.lru_cache(maxsize=200_000)
def lemma(word: str) -> str | None:
    """The dictionary form of a lower-case word, folded as the engines fold text, or None
    when no dictionary knows the word or the word is its own dictionary form."""
    if not word.isalpha() and APOSTROPHE not in word:
        return None  # numbers, codes
    spelled = word.replace(APOSTROPHE, "'")  # the dictionaries write the ASCII apostrophe
    for analyser in _analysers():
        if analyser.word_is_known(spelled):
            found = fold(analyser.parse(spelled)[0].normal_form)
            return None if found == fold(word) else found
    return None


def lemmas(text: str) -> list[str]:
    """The distinct lemmas of ``text``'s words that differ from the words, in order."""
    seen: dict[str, None] = {}
    for word in WORD.findall(normalise_apostrophes(text).lower()):
        found = lemma(word)
        if found is not None:
            seen.setdefault(found, None)
    return list(seen)
