"""Ukrainian and Russian person names written in Latin script ("Ivan Hrebeniuk", "Dovhan O.P.").

A Latin word is read back into Cyrillic by the official 2010 transliteration (Cabinet of
Ministers resolution No. 55) and the common informal ones (Russian-style "Sergey", "Dmitriy",
"yu"/"ya", "kh"/"h" for х/г, ...). Every reading is looked up in pymorphy3's dictionaries, which
tag first names, surnames and patronymics, so no Latin name list is kept by hand. The readings
branch (an "i" is і, и or й), so a word has a few dozen at most; a word is analysed once per
process (cached), and only capitalised Latin words are looked at, which are rare in appeals.

A group of adjacent capitalised Latin words is a name when

* it has initials ("Dovhan O.P.", "O. P. Dovhan") and a word that is not in capitals only, or
* it has two or three words, one of them reads as a first name or a patronymic and another as
  a surname ("Serhii Bondarchuk", "Sergey Moroz"); "Alfa Romeo" (two first names) does not.

Brands ("Ocean Plaza", "Kyivstar", "WOG") read as nothing of the kind and stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

# Latin spellings and the Cyrillic letters they can stand for. Longer spellings are tried
# first at each position, but shorter ones too: "ia" is я, or і then а.
_READINGS: dict[str, tuple[str, ...]] = {
    "shch": ("щ",),
    "sch": ("щ",),
    "zgh": ("зг",),
    "kh": ("х",),
    "zh": ("ж",),
    "ts": ("ц",),
    "tz": ("ц",),
    "ch": ("ч",),
    "sh": ("ш",),
    "yu": ("ю",),
    "iu": ("ю",),
    "ju": ("ю",),
    "ya": ("я",),
    "ia": ("я", "ія"),
    "ja": ("я",),
    "ye": ("є", "е"),
    "ie": ("є", "іє"),
    "je": ("є",),
    "yi": ("ї", "ий", "ій"),
    "yo": ("йо", "ьо", "е"),
    "io": ("ьо", "йо"),
    "ii": ("ій", "ії", "ий", "ии"),
    "iy": ("ий", "ій"),
    "yy": ("ий",),
    "ey": ("ей", "ій"),
    "ay": ("ай",),
    "oy": ("ой",),
    "uy": ("уй",),
    "a": ("а",),
    "b": ("б",),
    "c": ("ц", "к"),
    "d": ("д",),
    "e": ("е", "є", "э"),
    "f": ("ф",),
    "g": ("г", "ґ"),
    "h": ("г", "х"),
    "i": ("і", "и", "й", "ї"),
    "j": ("й", "ж"),
    "k": ("к",),
    "l": ("л",),
    "m": ("м",),
    "n": ("н",),
    "o": ("о",),
    "p": ("п",),
    "q": ("к",),
    "r": ("р",),
    "s": ("с",),
    "t": ("т",),
    "u": ("у",),
    "v": ("в",),
    "w": ("в",),
    "x": ("кс",),
    "y": ("и", "й", "і"),
    "z": ("з",),
    "'": ("ь", "'"),
    "’": ("ь", "'"),
}
_KEYS_BY_FIRST: dict[str, list[str]] = {}
for _key in sorted(_READINGS, key=len, reverse=True):
    _KEYS_BY_FIRST.setdefault(_key[0], []).append(_key)

_MAX_READINGS = 96


def readings(word: str) -> list[str]:
    """Cyrillic readings of a lower-case Latin word (at most ``_MAX_READINGS``)."""
    partial: list[tuple[int, str]] = [(0, "")]
    done: list[str] = []
    while partial:
        nxt: list[tuple[int, str]] = []
        for pos, out in partial:
            if pos == len(word):
                done.append(out)
                continue
            keys = _KEYS_BY_FIRST.get(word[pos])
            if not keys:
                return []  # a character no name has
            for key in keys:
                if word.startswith(key, pos):
                    for cyr in _READINGS[key]:
                        nxt.append((pos + len(key), out + cyr))
        partial = nxt[:_MAX_READINGS]
    # A soft sign never ends a Ukrainian or Russian name read this way, and ь after a vowel
    # is not a spelling: drop readings that are impossible in Cyrillic.
    return [r for r in dict.fromkeys(done) if not re.search(r"[аеєиіїоуюяэ]ь|^ь", r)]


def _soft_spots(reading: str) -> list[int]:
    return [
        i
        for i, ch in enumerate(reading[:-1])
        if ch in "лзнст" and reading[i + 1] not in "аеєиіїоуюяь"
    ] + [len(reading) - 1] * (reading[-1:] == "л")


class LatinNames:
    """Finds Latin-script names; shares the pymorphy3 analysers of ``NameDetector``."""

    def __init__(self, morph: dict[str, Any], cache_size: int = 65_536) -> None:
        self._morph = morph
        self.kinds = lru_cache(maxsize=cache_size)(self._kinds)

    def _kinds(self, word: str) -> tuple[bool, bool]:
        """(can be a first name or patronymic, can be a surname) for a lower-case Latin word."""
        if len(word) < 3:
            return False, False
        found = self._look_up(readings(word))
        if found == (False, False):
            # The official transliteration drops the soft sign: "Kovalchuk" is Ковальчук,
            # "Olha" Ольга, "Vasyl" Василь. Try one soft sign after л, з, н, с or т.
            found = self._look_up(
                [r[: i + 1] + "ь" + r[i + 1 :] for r in readings(word) for i in _soft_spots(r)]
            )
        return found

    def _look_up(self, spellings: list[str]) -> tuple[bool, bool]:
        given = surname = False
        for reading in spellings:
            for morph in self._morph.values():
                for p in morph.parse(reading):
                    tag = p.tag
                    if p.score < 0.05 and "Name" not in tag:
                        continue
                    if ("Name" in tag or "Patr" in tag) and morph.word_is_known(reading):
                        given = True
                    elif "Surn" in tag and morph.word_is_known(reading):
                        surname = True
                if given and surname:
                    return True, True
        return given, surname

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        for group in _groups(text):
            words = [(s, e, w) for s, e, w, init in group if not init]
            has_init = len(words) < len(group)
            if not words:
                continue
            if has_init:
                if any(not w.isupper() for _, _, w in words):
                    yield group[0][0], group[-1][1]
                continue
            if len(words) < 2:
                continue
            kinds = [self.kinds(w.lower()) for _, _, w in words]
            given = [k for k, (g, _) in enumerate(kinds) if g]
            if not given:
                continue
            # A first name and a surname in different words: "Alfa Romeo" (two first names,
            # and a car) stays.
            if any(s for k, (_, s) in enumerate(kinds) if any(j != k for j in given)):
                yield group[0][0], group[-1][1]


# A capitalised Latin word (an apostrophe or a hyphen inside), or one or two initials.
_LATIN_RE = re.compile(
    r"(?<![\w@.])(?:(?P<init>[A-Z]\.(?:\s?[A-Z]\.)?)|(?P<word>[A-Z][a-z]+(?:['’-][A-Za-z][a-z]+)*))"
    r"(?![\w@])"
)


def _groups(text: str) -> Iterator[list[tuple[int, int, str, bool]]]:
    """Runs of capitalised Latin words and initials joined by one space."""
    group: list[tuple[int, int, str, bool]] = []
    last = -1
    for m in _LATIN_RE.finditer(text):
        s, e = m.span()
        if group and not ((s - last == 1 and text[last] == " ") or s == last):
            yield group
            group = []
        if len(group) >= 4:
            yield group
            group = []
        group.append((s, e, m.group(), m.group("init") is not None))
        last = e
    if group:
        yield group
