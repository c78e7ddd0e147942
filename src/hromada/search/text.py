"""Ukrainian text handling shared by the engines: apostrophes, folding, words, highlights.

Ukrainian writes its apostrophe three ways (``'`` U+0027, ``’`` U+2019 and the
proper ``ʼ`` U+02BC); every engine tokenizes them differently, so documents
and queries are normalised to U+02BC before any engine sees them ("м'ясо" and
"мʼясо" are one word). U+02BC is a letter to both engines' tokenizers, so the
word stays whole.

The embedded engine also folds ``ґ`` to ``г`` (people type either) and does
its own highlighting: tantivy gives no snippet for fuzzy or prefix matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz.distance import OSA

APOSTROPHE = "\u02bc"
# A word: letters and digits (the apostrophe U+02BC is a letter), like tantivy's
# simple tokenizer, which splits on anything that is not alphanumeric.
WORD = re.compile(r"[^\W_]+")


# str.replace is many times faster than str.translate on Cyrillic text.
_APOSTROPHE_CHARS = ("'", "\u2019", "`", "\u2018")
_FOLD_PAIRS = (("ґ", "г"), ("ё", "е"))


def normalise_apostrophes(text: str) -> str:
    for ch in _APOSTROPHE_CHARS:
        if ch in text:
            text = text.replace(ch, APOSTROPHE)
    return text


def fold(text: str) -> str:
    """What the embedded engine indexes and searches: apostrophes, ґ→г, lower case."""
    text = normalise_apostrophes(text).lower()
    for a, b in _FOLD_PAIRS:
        if a in text:
            text = text.replace(a, b)
    return text


def _fold_char(ch: str) -> str:
    low = fold(ch)
    return low if len(low) == 1 else ch


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def typo_budget(word: str, one_typo_from: int = 5, two_typos_from: int = 9) -> int:
    """Typos forgiven in a query word of this length (Meilisearch's defaults: 5 and 9)."""
    if len(word) >= two_typos_from:
        return 2
    if len(word) >= one_typo_from:
        return 1
    return 0


@dataclass(frozen=True)
class QueryWord:
    text: str  # folded
    typos: int
    prefix: bool  # the last word of a query that does not end with a space


@dataclass(frozen=True)
class QueryParts:
    """A query as people write it: free words, "quoted phrases" and -excluded words."""

    free: str  # the free words, ending in a space unless the query ends in a free word
    phrases: tuple[tuple[str, ...], ...]  # folded words of each phrase, in order
    excluded: tuple[str, ...]  # folded words


_PHRASE = re.compile(r'"([^"]*)"?')


def split_query(q: str) -> QueryParts:
    """``"вуличне освітлення" -сміття ліфт`` into its phrase, its excluded word and its free
    word. An unclosed quote runs to the end; a lone ``-`` is not an exclusion."""
    phrases: list[tuple[str, ...]] = []
    free: list[str] = []
    excluded: list[str] = []
    last_is_free = False
    position = 0
    for match in _PHRASE.finditer(q):
        for token in q[position : match.start()].split():
            last_is_free = _take(token, free, excluded)
        found = tuple(words(match.group(1)))
        if found:
            phrases.append(found)
        last_is_free = False
        position = match.end()
    for token in q[position:].split():
        last_is_free = _take(token, free, excluded)
    open_end = last_is_free and bool(q) and not q[-1].isspace()
    text = " ".join(free) + ("" if open_end or not free else " ")
    return QueryParts(text, tuple(phrases), tuple(excluded))


def rewrite_free_words(q: str, rewrite: Callable[[str, bool], str]) -> str:
    """``q`` with each word outside quotes passed through ``rewrite(token, open_end)``
    (``open_end``: the query's last token, still being typed); quotes stay as written."""
    out: list[str] = []
    position = 0
    spans = [(m.start(), m.end()) for m in _PHRASE.finditer(q)]
    for start, end in [*spans, (len(q), len(q))]:
        for token in re.split(r"(\s+)", q[position:start]):
            if token and not token.isspace():
                last = start == len(q) and q[position:start].rstrip() == q[position:start]
                is_last = last and q[position:start].endswith(token)
                out.append(rewrite(token, is_last))
            else:
                out.append(token)
        out.append(q[start:end])
        position = end
    return "".join(out)


def _take(token: str, free: list[str], excluded: list[str]) -> bool:
    """Sort one token; whether it was a free word."""
    if token.startswith("-") and len(token) > 1:
        excluded.extend(words(token[1:]))
        return False
    free.append(token)
    return True


def query_words(q: str, one_typo_from: int = 5, two_typos_from: int = 9) -> list[QueryWord]:
    found = words(q)
    ends_open = bool(q) and not q[-1].isspace()
    return [
        QueryWord(
            w,
            typo_budget(w, one_typo_from, two_typos_from),
            prefix=ends_open and i == len(found) - 1,
        )
        for i, w in enumerate(found)
    ]


def match_length(token: str, word: QueryWord) -> int:
    """How many leading characters of ``token`` (folded) match ``word``; 0: no match."""
    if token == word.text:
        return len(token)
    if not word.typos and not word.prefix:
        return 0
    if (
        word.typos
        and abs(len(token) - len(word.text)) <= word.typos
        and OSA.distance(token, word.text, score_cutoff=word.typos) <= word.typos
    ):
        return len(token)
    if word.prefix and len(token) >= len(word.text) - word.typos:
        if token.startswith(word.text):
            return len(word.text)
        if word.typos:
            for k in range(
                max(1, len(word.text) - word.typos),
                min(len(token), len(word.text) + word.typos) + 1,
            ):
                if OSA.distance(token[:k], word.text, score_cutoff=word.typos) <= word.typos:
                    return k
    return 0


def highlight(
    text: str,
    qwords: list[QueryWord],
    *,
    crop: int | None = None,
    pre: str = "<em>",
    post: str = "</em>",
    marker: str = "…",
    cache: dict[str, int] | None = None,
) -> tuple[str, bool]:
    """``text`` with matched words wrapped in ``pre``/``post``; cut to ``crop`` words
    around the first match when ``crop`` is set. Returns (text, matched).

    ``cache`` (folded token -> matched length) may be shared by every hit of one query.
    """
    folded = fold(text)
    if len(folded) != len(text):  # a rare letter whose lower case is longer: fold per letter
        folded = "".join(_fold_char(ch) for ch in text)
    spans: list[tuple[int, int]] = []
    tokens = list(WORD.finditer(folded))
    first_match: int | None = None
    if cache is None:
        cache = {}
    for index, m in enumerate(tokens):
        token = m.group()
        length = cache.get(token)
        if length is None:
            length = 0
            for w in qwords:
                found = match_length(token, w)
                if found > length:
                    length = found
            cache[token] = length
        if length:
            spans.append((m.start(), m.start() + length))
            if first_match is None:
                first_match = index
    start, end = 0, len(text)
    prefix_marker = suffix_marker = ""
    if crop is not None and len(tokens) > crop:
        centre = first_match or 0
        lo = max(0, centre - crop // 3)
        hi = min(len(tokens), lo + crop)
        lo = max(0, hi - crop)
        start = tokens[lo].start() if lo > 0 else 0
        end = tokens[hi - 1].end() if hi < len(tokens) else len(text)
        prefix_marker = marker if lo > 0 else ""
        suffix_marker = marker if hi < len(tokens) else ""
    out: list[str] = [prefix_marker]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(text[cursor:s])
        out.append(pre + text[s:e] + post)
        cursor = e
    out.append(text[cursor:end])
    out.append(suffix_marker)
    return "".join(out), bool(spans)
