"""Person names in Ukrainian and Russian appeal text.

pymorphy3 with its Ukrainian and Russian dictionaries tags first names (``Name``), surnames
(``Surn``) and patronymics (``Patr``). A token's analysis is cached by its lower-cased form,
so a dictionary look-up happens once per distinct word in a process. The decision is made on
groups of adjacent capitalised words and initials:

* a group with initials ("Петренко І.І.", "В. М. Коваль") is a name when one of its words can be
  a name or is unknown to the dictionaries;
* two or more adjacent words are a name when one of them can be a first name or a
  patronymic ("Іван Петренко", "Надія Коваль", "Віталію Володимировичу");
* one word alone is a name when the dictionary knows it only as a name ("Петренко"), or when
  a cue comes before it ("мене звати", "заявник", "пані", "гр.", "меня зовут", ...);
* words right after a street cue ("вул. Шевченка", "просп. Степана Бандери"), after "ім."/"імені",
  before a street word or a house number ("Стуса 5") are street names and stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from hromada.open_data.appeals.pii_patterns import LOWER, UPPER

UK_ONLY = frozenset("іїєґІЇЄҐ'’ʼ")
RU_ONLY = frozenset("ыэъёЫЭЪЁ")
_NAME_TAGS = ("Name", "Surn", "Patr")


class WordInfo(NamedTuple):
    """How much of a word's dictionary readings are a first name, a surname, a patronymic."""

    first: float
    surname: float
    patronymic: float
    known: bool
    # The other language's dictionary knows the same spelling as an ordinary word.
    other_common: bool = False

    @property
    def nameish(self) -> float:
        return self.first + self.surname + self.patronymic

    @property
    def strong(self) -> bool:
        """Known to the dictionary, and (almost) only as a name."""
        return self.known and self.nameish >= 0.75 and not self.other_common

    @property
    def common(self) -> bool:
        """A known ordinary word that is rarely, if ever, a name."""
        return self.known and self.nameish < 0.3

    @property
    def given(self) -> bool:
        """Can be a first name or a patronymic."""
        return self.first + self.patronymic >= 0.3


NOT_A_NAME = WordInfo(0.0, 0.0, 0.0, True)

# Capitalised words and initials. Words may carry an apostrophe or a hyphen (double surnames).
_WORD = (
    r"["
    + UPPER
    + r"](?:["
    + LOWER
    + r"'’ʼ`]+|["
    + UPPER
    + r"'’ʼ`]+)(?:-["
    + UPPER
    + LOWER
    + r"]["
    + LOWER
    + UPPER
    + r"'’ʼ`]+)*"
)
CANDIDATE_RE = re.compile(
    r"(?P<init>(?<![\w.])[" + UPPER + r"]\.(?:\s?[" + UPPER + r"]\.){0,2})"
    r"|(?P<word>(?<![\w'’ʼ`-])" + _WORD + r"(?![\w'’ʼ`]))"
)
# Any word (lower case too), used after a cue.
ANY_WORD_RE = re.compile(
    r"\s*(?P<init>[" + UPPER + r"]\.(?:\s?[" + UPPER + r"]\.){0,2})"
    r"|\s*(?P<word>["
    + UPPER
    + LOWER
    + r"]["
    + LOWER
    + UPPER
    + r"'’ʼ`]*(?:-["
    + UPPER
    + LOWER
    + r"]["
    + LOWER
    + UPPER
    + r"'’ʼ`]+)*)(?![\w'’ʼ`])"
)

# A cue before a name. "strong" cues accept any capitalised word after them.
_STRONG_CUES = (
    r"мене\s+звати|мене\s+звуть|меня\s+зовут|звати|зовут|моє\s+прізвище|мое\s+фамилия|"
    r"моя\s+фамилия|прізвище|фамилия|піб|п\.\s?і\.\s?б\.?|фио|ф\.\s?и\.\s?о\.?|"
    r"заявни(?:к|ця|ка|ку|ці|цею|ком|ки)|заявител(?:ь|я|ю|ем|ьница|ьницы)|"
    r"з\s+повагою|с\s+уважением|підпис|подпись"
)
_WEAK_CUES = (
    r"гр\.|гр-н|гр-ка|гр-ки|гр-на|громадян(?:ин|ка|ина|ки|ину|ці|ином|кою)|"
    r"гражданин(?:а|у|ом)?|гражданк(?:а|и|е|у|ой)|пан|пані|пана|панові|паном|пане|п\.|"
    r"сусід(?:ка|ки|ку|а|у|ом|ці|кою)?|сосед(?:ка|ки|ку|а|у|ом|ке|кой)?|"
    r"мешкан(?:ець|ка|ця|ки|ки|цю|кою)|жил(?:ец|ица|ьца|ицы)|"
    r"власни(?:к|ця|ка|ці|ком|цею)|собственни(?:к|ца|ка|цы)|господин(?:а|у)?|госпож(?:а|и|е|у)|"
    r"шановн(?:ий|а|і|ого)|уважаем(?:ый|ая|ые)|депутат(?:а|ові|у|ом)?|голов[аиі]|"
    r"директор(?:а|у|ові|ом)?|начальник(?:а|у|ові|ом)?|інженер(?:а|у)?|інспектор(?:а|у)?|"
    r"двірник(?:а|у)?|дворник(?:а|у)?|сантехнік(?:а|у)?|сантехник(?:а|у)?|майстер|мастер|"
    r"лікар(?:я|ю)?|врач(?:а|у)?|дільничн(?:ий|ого|ому)|участков(?:ый|ого|ому)|"
    r"ФОП|ФЛП|СПД|ПП|я(?=\s*,)"
)
CUE_RE = re.compile(
    r"(?<![\w])(?:(?P<strong>" + _STRONG_CUES + r")|(?P<weak>" + _WEAK_CUES + r"))"
    r"(?=[\s,:.\-–—]*[" + UPPER + LOWER + r"])[\s,:\-–—]*",
    re.IGNORECASE,
)

# Words before a group that make it a place, not a person.
_PLACE_BEFORE = frozenset(
    [
        "вул",
        "вул.",
        "вулиця",
        "вулиці",
        "вулицю",
        "вулицею",
        "ул",
        "ул.",
        "улица",
        "улице",
        "улицу",
        "улицей",
        "просп",
        "просп.",
        "проспект",
        "проспекту",
        "проспекті",
        "проспекте",
        "пр.",
        "пр-т",
        "пр-ту",
        "пров",
        "пров.",
        "провулок",
        "провулку",
        "пер",
        "пер.",
        "переулок",
        "переулке",
        "бул",
        "бул.",
        "бульвар",
        "бульвару",
        "бульварі",
        "бульваре",
        "б-р",
        "пл",
        "пл.",
        "площа",
        "площі",
        "площу",
        "площадь",
        "площади",
        "наб",
        "наб.",
        "набережна",
        "набережній",
        "набережная",
        "набережной",
        "шосе",
        "шоссе",
        "узвіз",
        "узвозу",
        "спуск",
        "проїзд",
        "проезд",
        "тупик",
        "майдан",
        "майдану",
        "алея",
        "аллея",
        "мкр",
        "мкр.",
        "ж/м",
        "масив",
        "масиву",
        "масив.",
        "ім",
        "ім.",
        "імені",
        "им",
        "им.",
        "имени",
        "м",
        "м.",
        "місто",
        "міста",
        "місті",
        "город",
        "города",
        "г",
        "г.",
        "с",
        "с.",
        "село",
        "села",
        "смт",
        "метро",
        "станція",
        "станції",
        "станцию",
        "станции",
        "ст",
        "ст.",
        "ст.м.",
        "район",
        "району",
        "районі",
        "р-н",
        "р-ну",
        "обл",
        "обл.",
        "область",
        "області",
        "урочище",
        "парк",
        "парку",
        "сквер",
        "скверу",
        "пам'ятник",
        "пам’ятник",
        "памятник",
        "театр",
        "театру",
        "кінотеатр",
        "кинотеатр",
        "церква",
        "церкви",
        "храм",
        "храму",
        "собор",
        "лікарня",
        "лікарні",
        "больница",
        "больницы",
        "школа",
        "школи",
        "школу",
        "школі",
        "гімназія",
        "ліцей",
        "університет",
        "університету",
        "інститут",
        "інституту",
        "завод",
        "заводу",
        "фабрика",
        "фабрики",
    ]
)
# Words after a group that make it a place.
_PLACE_AFTER = frozenset(
    [
        "вул",
        "вул.",
        "вулиця",
        "вулиці",
        "вулицю",
        "вулицею",
        "улица",
        "улице",
        "улицу",
        "улицей",
        "проспект",
        "проспекту",
        "проспекті",
        "проспекте",
        "провулок",
        "провулку",
        "переулок",
        "переулке",
        "бульвар",
        "бульвару",
        "бульварі",
        "бульваре",
        "площа",
        "площі",
        "площу",
        "площадь",
        "площади",
        "набережна",
        "набережній",
        "набережную",
        "набережная",
        "набережной",
        "шосе",
        "шоссе",
        "узвіз",
        "узвозу",
        "спуск",
        "проїзд",
        "проезд",
        "тупик",
        "майдан",
        "алея",
        "аллея",
        "street",
        "str.",
        "st.",
        "avenue",
        "метро",
        "район",
        "району",
        "районі",
        "р-н",
    ]
)
_QUOTES = frozenset("«\"„“”'’")
_PREV_WORD_RE = re.compile(r"([\w.'’/-]+)\s*$")
_NEXT_RE = re.compile(
    r"\s*,?\s*(?:(?P<num>\d{1,4})(?![\d\s()-]*\d{3})|(?P<word>[^\W\d][\w.'’/-]*))"
)


class Group(NamedTuple):
    parts: list[tuple[int, int, str, bool]]  # start, end, text, is_initials


class NameDetector:
    """Finds person names; one instance per process (the dictionaries take ~0.5 s to load)."""

    def __init__(self, cache_size: int = 262_144) -> None:
        import pymorphy3

        self._morph: dict[str, Any] = {
            "uk": pymorphy3.MorphAnalyzer(lang="uk"),
            "ru": pymorphy3.MorphAnalyzer(lang="ru"),
        }
        self.info = lru_cache(maxsize=cache_size)(self._info)

    # -- dictionary ---------------------------------------------------------------------
    def _analyse(self, lang: str, word: str) -> WordInfo:
        morph = self._morph[lang]
        parses = morph.parse(word)
        if not parses:
            return WordInfo(0.0, 0.0, 0.0, False)
        known = bool(morph.word_is_known(word))
        weights = [0.0, 0.0, 0.0]
        if lang == "uk":
            # The Ukrainian dictionary has no frequencies: weigh distinct lexemes equally.
            lexemes: dict[tuple[str, str], int] = {}
            for p in parses:
                tag = p.tag
                flag = 3
                for i, name in enumerate(_NAME_TAGS):
                    if name in tag:
                        flag = i
                        break
                lexemes.setdefault((p.normal_form, str(tag.POS) + str(flag)), flag)
            share = 1.0 / len(lexemes)
            for flag in lexemes.values():
                if flag < 3:
                    weights[flag] += share
        else:
            total = sum(p.score for p in parses) or 1.0
            for p in parses:
                for i, name in enumerate(_NAME_TAGS):
                    if name in p.tag:
                        weights[i] += p.score / total
                        break
        return WordInfo(weights[0], weights[1], weights[2], known)

    def _info(self, word: str, lang: str) -> WordInfo:
        """Analysis of a lower-cased word in the text's language (cached)."""
        if len(word) < 2:
            return NOT_A_NAME
        if "-" in word:
            parts = [self._info(p, lang) for p in word.split("-") if p]
            if not parts:
                return NOT_A_NAME
            best = max(parts, key=lambda i: i.nameish)
            return best._replace(known=all(p.known for p in parts))
        chars = set(word)
        if chars & UK_ONLY:
            order = ["uk"]
        elif chars & RU_ONLY:
            order = ["ru"]
        else:
            order = [lang, "ru" if lang == "uk" else "uk"]
        first = self._analyse(order[0], word)
        if len(order) == 1:
            return first
        other = self._analyse(order[1], word)
        if first.known:
            if other.known and other.nameish < 0.3:
                return first._replace(other_common=True)
            return first
        if other.known:
            return other
        return first

    # -- detection ----------------------------------------------------------------------
    def find(self, text: str, lang: str = "uk") -> Iterator[tuple[int, int]]:
        """Spans of person names in ``text``."""
        taken: list[tuple[int, int]] = []
        for m in CUE_RE.finditer(text):
            span = self._after_cue(text, m.end(), strong=m.group("strong") is not None, lang=lang)
            if span is not None:
                taken.append(span)
        for group in self._groups(text):
            span = self._judge(text, group, lang)
            if span is None:
                continue
            s, e = span
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append(span)
        taken.sort()
        return iter(taken)

    def _groups(self, text: str) -> Iterator[list[tuple[int, int, str, bool]]]:
        group: list[tuple[int, int, str, bool]] = []
        last_end = -1
        for m in CANDIDATE_RE.finditer(text):
            start, end = m.span()
            is_init = m.group("init") is not None
            if group and not _joins(text, last_end, start):
                yield group
                group = []
            group.append((start, end, m.group(), is_init))
            last_end = end
        if group:
            yield group

    def _judge(
        self, text: str, group: list[tuple[int, int, str, bool]], lang: str
    ) -> tuple[int, int] | None:
        start = group[0][0]
        if _place_before(text, start):
            return None
        words = [p for p in group if not p[3]]
        if not words:
            return None
        has_init = len(words) < len(group)
        infos = [self.info(w[2].lower(), lang) for w in words]
        end = group[-1][1]
        if _place_after(text, end, len(words), has_init):
            return None
        if has_init:
            # Initials next to any word that is not an ordinary one make a name.
            if all(i.common for i in infos):
                return None
            # Keep from the first name-like part to the last one.
            parts = [p for p in group if p[3] or not self.info(p[2].lower(), lang).common]
            return _span_of(parts)
        shouting = all(w[2].isupper() for w in words)
        runs: list[list[int]] = [[]]
        for idx, info in enumerate(infos):
            if info.common:
                runs.append([])
            else:
                runs[-1].append(idx)
        best: list[int] = []
        for run in runs:
            if len(run) >= 2:
                run_infos = [infos[i] for i in run]
                if any(i.given for i in run_infos) and (
                    sum(1 for i in run_infos if i.known and i.nameish >= 0.3) >= 2
                    or any(i.strong and i.given for i in run_infos)
                ):
                    best.extend(run)
            elif len(run) == 1 and not shouting:
                info = infos[run[0]]
                if info.strong:
                    best.extend(run)
        if not best:
            return None
        return words[min(best)][0], words[max(best)][1]

    def _after_cue(self, text: str, pos: int, *, strong: bool, lang: str) -> tuple[int, int] | None:
        start = end = -1
        words = 0
        for _ in range(5):
            m = ANY_WORD_RE.match(text, pos)
            if m is None:
                break
            if m.group("init") is not None:
                s, e = m.span("init")
            else:
                s, e = m.span("word")
                word = m.group("word")
                info = self.info(word.lower(), lang)
                if word[0].isupper():
                    ok = strong or not info.common
                else:
                    ok = info.known and info.nameish >= 0.5
                if not ok or words >= 3:
                    break
                words += 1
            if start < 0:
                start = s
            end = e
            pos = e
        if start < 0 or words == 0:
            return None
        if _place_before(text, start) or _place_after(text, end, words, False):
            return None
        return start, end


def _joins(text: str, end: int, start: int) -> bool:
    gap = text[end:start]
    return len(gap) <= 2 and (gap == "" or gap.isspace()) and "\n" not in gap


def _span_of(parts: list[tuple[int, int, str, bool]]) -> tuple[int, int] | None:
    if not parts:
        return None
    return parts[0][0], parts[-1][1]


def _place_before(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i >= 0 and text[i] in _QUOTES:
        return True
    m = _PREV_WORD_RE.search(text, max(0, start - 24), start)
    if m is None:
        return False
    word = m.group(1).lower()
    if word in _PLACE_BEFORE:
        return True
    # "вул.Шевченка", "ст.м."
    return "." in word and word.rsplit(".", 2)[-2] + "." in _PLACE_BEFORE


def _place_after(text: str, end: int, words: int, has_init: bool) -> bool:
    m = _NEXT_RE.match(text, end)
    if m is None:
        return False
    if m.group("num") is not None:
        # "Стуса 5", "Шевченка, 14/2": a street and its house, unless the name is a full one.
        return words <= 2 and not has_init
    return m.group("word").lower() in _PLACE_AFTER
