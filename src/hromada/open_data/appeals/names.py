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
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

from hromada.open_data.appeals.pii_patterns import LOWER, UPPER

UK_ONLY = frozenset("іїєґІЇЄҐ'’ʼ")
RU_ONLY = frozenset("ыэъёЫЭЪЁ")
_NAME_TAGS = ("Name", "Surn", "Patr")


class WordInfo:
    """How much of a word's dictionary readings are a first name, a surname, a patronymic.

    The derived flags are computed once, when the word is first analysed (the analysis is
    cached per word), because they are read for every capitalised word of every text.
    """

    __slots__ = (
        "common",
        "first",
        "given",
        "known",
        "nameish",
        "other_common",
        "patronymic",
        "strong",
        "surname",
    )

    def __init__(
        self,
        first: float,
        surname: float,
        patronymic: float,
        known: bool,
        other_common: bool = False,
    ) -> None:
        self.first = first
        self.surname = surname
        self.patronymic = patronymic
        self.known = known
        # The other language's dictionary knows the same spelling as an ordinary word.
        self.other_common = other_common
        self.nameish = first + surname + patronymic
        # Known to the dictionary, and (almost) only as a name.
        self.strong = known and self.nameish >= 0.75 and not other_common
        # Can be a first name or a patronymic.
        self.given = first + patronymic >= 0.05
        # A known ordinary word that is rarely a surname and never a first name.
        self.common = known and self.nameish < 0.3 and not self.given

    def _replace(self, **changes: Any) -> WordInfo:
        values: dict[str, Any] = {
            "first": self.first,
            "surname": self.surname,
            "patronymic": self.patronymic,
            "known": self.known,
            "other_common": self.other_common,
        }
        values.update(changes)
        return WordInfo(**values)

    def __repr__(self) -> str:
        return (
            f"WordInfo(first={self.first:.2f}, surname={self.surname:.2f}, "
            f"patronymic={self.patronymic:.2f}, known={self.known}, "
            f"other_common={self.other_common})"
        )


NOT_A_NAME = WordInfo(0.0, 0.0, 0.0, True)


def word_list(name: str) -> frozenset[str]:
    """A word list from ``data/<name>.txt`` (one word a line, ``#`` comments), read once at
    import: the lists are data that reviewers extend, not code."""
    text = (
        resources.files("hromada.open_data.appeals")
        .joinpath(f"data/{name}.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


# First names the Ukrainian dictionary knows only as ordinary nouns (lemmas).
EXTRA_FIRST_NAMES = word_list("first_names_extra")

# Patronymics the dictionaries miss ("Володимирович"): -ович/-евич/-йович, -івна/-ївна/-овна/-евна,
# -ічна/-инична, in any case. Used only when every reading of the word is a noun.
PATRONYMIC_RE = re.compile(
    r"(?:[оеєё]вич|[йь]ович|[ьй]евич)(?:а|у|ем|еві|ові|і|ом|е)?$"
    r"|(?:[іїо]вн|[ьй]?евн|[іи]чн|иничн)(?:а|и|і|у|ою|о|ы|е|ой)$"
)

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
CYR_UPPER = "А-ЯІЇЄҐЁ"
# The first character is a plain character class (the regex engine then jumps from capital to
# capital); the character before it is checked by a two-character look-behind.
CANDIDATE_RE = re.compile(
    r"[" + UPPER + r"](?:"
    r"(?P<init>(?<=[" + CYR_UPPER + r"])(?<![\w.].)\.(?:\s?[" + CYR_UPPER + r"]\.){0,2})"
    r"|(?P<word>(?<![\w'’ʼ`-].)" + _WORD[len("[" + UPPER + "]") :] + r"(?![\w'’ʼ`])))"
)
# Any word (lower case too), used after a cue.
ANY_WORD_RE = re.compile(
    r"\s*(?P<init>[" + CYR_UPPER + r"]\.(?:\s?[" + CYR_UPPER + r"]\.){0,2})"
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
_STRONG_CUE_WORDS = word_list("cues_strong")
_WEAK_CUE_WORDS = word_list("cues_weak")
# Only the strong cues are looked for on their own: a lower-case name can follow them
# ("мене звати іван"). Capitalised names after any cue are found through their group.
_STRONG_GATE = ("зва", "зву", "зов", "прізвищ", "фамил", "піб", "п.і.б", "фио", "ф.и.о", "заяв",
                "повагою", "уважени", "підпис", "подпис")  # fmt: skip


def cue_kind(word: str) -> str | None:
    """``"strong"``, ``"weak"`` or None for a lower-cased word before a name."""
    if word in _STRONG_CUE_WORDS:
        return "strong"
    if word in _WEAK_CUE_WORDS:
        return "weak"
    return None


CUE_RE = re.compile(
    r"(?<![\w.])(?:(?P<strong>" + _STRONG_CUES + r"))(?!\w)"
    r"(?=[\s,:.\-–—]*[" + UPPER + LOWER + r"])[\s,:\-–—]*",
    re.IGNORECASE,
)

# Words before a group that make it a place, not a person.
_PLACE_BEFORE = word_list("place_before")
# Words after a group that make it a place.
_PLACE_AFTER = word_list("place_after")
_PLACE_WORDS = _PLACE_BEFORE | _PLACE_AFTER
# A town is one word: "м. Києва Петренко І.І." keeps "Києва" and goes on with the rest.
_TOWN_BEFORE = frozenset(
    ["м", "м.", "г", "г.", "с", "с.", "смт", "місто", "міста", "місті", "город", "города", "село"]
)
# An ordinal before a street name: "3-тя", "4-та", "1-ша", "2-га", "5-й", "10-а".
_ORDINAL_RE = re.compile(r"\d{1,2}-?(?:ша|га|тя|та|я|а|й|ий|ій|ої|ої|ей|ий|е|ое|ее|ого|ой)")
_QUOTES = frozenset("«\"„“”'’")
_STREET_WORD_RE = re.compile(r"[" + UPPER + r"][" + LOWER + r"'’ʼ-]+")
_BEHALF_RE = re.compile(r"(?i)(?:від|от)\s+$")
_PREV_WORD_RE = re.compile(r"([\w.'’/-]+)\s*$")
_NEXT_RE = re.compile(
    r"\s*,?\s*(?:(?P<num>\d{1,4})(?!\d)(?![\s()-]*\d{3})(?![.:,]\d)|(?P<word>[^\W\d][\w.'’/-]*))"
)


# start, end, text, is the initials, the word's analysis (None for initials)
Part = tuple[int, int, str, bool, "WordInfo | None"]


class NameDetector:
    """Finds person names; one instance per process (the dictionaries take ~0.5 s to load)."""

    def __init__(self, cache_size: int = 262_144) -> None:
        import pymorphy3

        self._morph: dict[str, Any] = {
            "uk": pymorphy3.MorphAnalyzer(lang="uk"),
            "ru": pymorphy3.MorphAnalyzer(lang="ru"),
        }
        self.info = lru_cache(maxsize=cache_size)(self._info)
        self.street_words: set[str] = set()

    def add_street_names(self, names: Iterable[str]) -> None:
        """Teach the detector the city's street names ("Скляренка", "Бальзака").

        A lone capitalised word that is part of a street name then stays, even without
        "вул." before it. First names and patronymics are not taken from street names: a
        first name alone in an appeal is still a person.
        """
        for name in names:
            for word in _STREET_WORD_RE.findall(name):
                low = word.lower()
                if len(low) < 4 or low in self.street_words:
                    continue
                info = self.info(low, "uk")
                if info.first + info.patronymic == 0:
                    self.street_words.add(low)

    def morph(self, lang: str) -> Any:
        """The pymorphy3 analyser of ``"uk"`` or ``"ru"``."""
        return self._morph[lang]

    # -- dictionary ---------------------------------------------------------------------
    def _analyse(self, lang: str, word: str) -> WordInfo:
        morph = self._morph[lang]
        parses = morph.parse(word)
        if not parses:
            return WordInfo(0.0, 0.0, 0.0, False)
        known = bool(morph.word_is_known(word))
        if PATRONYMIC_RE.search(word) and all(p.tag.POS == "NOUN" for p in parses):
            return WordInfo(0.0, 0.0, 1.0, True)
        weights = [0.0, 0.0, 0.0]
        if lang == "uk":
            # The Ukrainian dictionary has no frequencies: weigh distinct lexemes equally.
            lexemes: dict[tuple[str, str], int] = {}
            for p in parses:
                tag = p.tag
                flag = 0 if p.normal_form in EXTRA_FIRST_NAMES else 3
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
    def find(
        self, text: str, lang: str = "uk", low: str | None = None
    ) -> Iterator[tuple[int, int]]:
        """Spans of person names in ``text`` (``low``: the text lower-cased, if at hand)."""
        taken: list[tuple[int, int]] = []
        if low is None:
            low = text.lower()
        # After "мене звати", "заявник", "ПІБ:" a name may be in lower case or an ordinary
        # word; capitalised names after other cues are found with their group. The cue
        # expression runs only around the places where one of its stems occurs.
        cue_starts: set[int] = set()
        for stem in _STRONG_GATE:
            i = low.find(stem)
            while i != -1:
                m = CUE_RE.search(text, max(0, i - 12), i + len(stem) + 48)
                while m is not None and m.start() <= i:
                    if m.start() not in cue_starts and m.end() > i:
                        cue_starts.add(m.start())
                        span = self._after_cue(text, m.end(), strong=True, lang=lang)
                        if span is not None:
                            taken.append(span)
                    m = CUE_RE.search(text, m.end(), i + len(stem) + 48)
                i = low.find(stem, i + 1)
        for group in self._groups(text, lang):
            span = self._judge(text, group, lang)
            if span is not None:
                taken.append(span)
        if len(taken) < 2:
            return iter(taken)
        # Overlapping spans (a cue and a group that found the same name) become one.
        taken.sort()
        merged = [taken[0]]
        for s, e in taken[1:]:
            ms, me = merged[-1]
            if s < me:
                merged[-1] = (ms, max(me, e))
            else:
                merged.append((s, e))
        return iter(merged)

    def _groups(self, text: str, lang: str) -> Iterator[list[Part]]:
        """Runs of adjacent capitalised words and initials that could hold a name.

        A run of ordinary words only ("Прошу", "Добрий день") is dropped here.
        """
        info = self.info
        place_words = _PLACE_WORDS
        cue_words = _WEAK_CUE_WORDS
        group: list[Part] = []
        interesting = False
        last_end = -1
        skipping = False  # after a capitalised street word ("Проспект Петра Григоренка")
        for m in CANDIDATE_RE.finditer(text):
            start, end = m.span()
            word = m.group()
            # Adjacent: nothing, or one or two spaces (not a line break) in between.
            gap = start - last_end
            if last_end < 0 or gap > 2 or (gap and not text[last_end:start].isspace()):
                joined = False
            else:
                joined = "\n" not in text[last_end:start]
            last_end = end
            if not joined:
                skipping = False
                if interesting:
                    yield group
                group = []
                interesting = False
            if skipping:
                continue
            if word[-1] == ".":  # initials
                group.append((start, end, word, True, None))
                interesting = True
                continue
            low = word.lower()
            if low in place_words:
                skipping = True
                if interesting:
                    yield group
                group = []
                interesting = False
                continue
            word_info = info(low, lang)
            if not word_info.common or low in cue_words:
                interesting = True
            group.append((start, end, word, False, word_info))
        if interesting:
            yield group

    def _judge(
        self,
        text: str,
        group: list[Part],
        lang: str,
    ) -> tuple[int, int] | None:
        cue = None
        while (
            len(group) > 1
            and not group[0][3]
            and not all(p[3] for p in group[1:])  # "Дворника С.П.": a surname after all
            and cue_kind(group[0][2].lower()) is not None
        ):
            cue = cue_kind(group[0][2].lower())  # "Сусід Петренко", "Пані Надія"
            group = group[1:]
        if not group:
            return None
        start = group[0][0]
        if cue is None:
            cue = _cue_before(text, start)
        cue_span = self._cue_span(group, cue == "strong", lang) if cue is not None else None
        place = None if cue is not None else place_before(text, start)
        if place == "town" and len(group) > 1:
            group = group[1:]
            start = group[0][0]
        elif place is not None:
            return None
        words = [p for p in group if not p[3]]
        if not words:
            return None
        end = group[-1][1]
        has_init = len(words) < len(group)
        infos = [p[4] for p in group]
        # "О.Гончара 60", "Т.Яблонской 2": one word with an initial, then a house number, is a
        # street; a full name is not.
        full = (has_init and len(words) >= 2) or any(
            i is not None and i.patronymic >= 0.5 for i in infos
        )
        if not full and _place_after(text, end, len(words), False):
            return None
        marked: set[int] = set()
        # Initials next to a word: "Петренко І.І.", "В. М. Коваль". Two initials make even an
        # ordinary word a surname ("Мельник О.С." in Russian text); one initial does not.
        for k, part in enumerate(group):
            if not part[3]:
                continue
            double = sum(c == "." for c in part[2]) >= 2
            if not double and part[2].lower() in _PLACE_BEFORE:
                continue  # "м. Київ", "с. Троєщина", "г. Киев"
            for n in (k - 1, k + 1):
                info = infos[n] if 0 <= n < len(group) else None
                if info is None:
                    continue
                if not info.common or (double and not (n == 0 and _sentence_start(text, start))):
                    marked.update((k, n))
        # Runs of adjacent words that are not ordinary ones.
        shouting = all(w[2].isupper() for w in words)
        runs: list[list[int]] = [[]]
        for k, info in enumerate(infos):
            if info is None or info.common:
                runs.append([])
            else:
                runs[-1].append(k)
        for run in runs:
            run_infos = [infos[k] for k in run]
            if len(run) >= 2:
                if any(i.given for i in run_infos if i) and (
                    sum(1 for i in run_infos if i and i.known and i.nameish >= 0.3) >= 2
                    or any(i.strong and i.given for i in run_infos if i)
                ):
                    marked.update(run)
                    if not any(i.surname >= 0.3 for i in run_infos if i):
                        # A first name and a patronymic: the surname may be an ordinary word
                        # next to them ("Садова Тетяну Андріївну").
                        after, before = run[-1] + 1, run[0] - 1
                        if after < len(group) and not group[after][3]:
                            marked.add(after)
                        elif (
                            before >= 0
                            and not group[before][3]
                            and not (before == 0 and _sentence_start(text, start))
                        ):
                            marked.add(before)
            elif len(run) == 1 and not shouting:
                info = run_infos[0]
                if info is None:
                    continue
                if info.strong:
                    if group[run[0]][2].lower() not in self.street_words:
                        marked.update(run)
                elif (
                    info.first >= 0.5
                    and run[0] + 1 < len(group)
                    and not group[run[0] + 1][3]
                    and not (run[0] == 0 and _sentence_start(text, start))
                ):
                    marked.update((run[0], run[0] + 1))  # "Зоряну Садова"
        if not marked:
            return cue_span
        span = group[min(marked)][0], group[max(marked)][1]
        if cue_span is not None:
            span = min(span[0], cue_span[0]), max(span[1], cue_span[1])
        return span

    def _cue_span(self, group: list[Part], strong: bool, lang: str) -> tuple[int, int] | None:
        """The name right after a cue: up to three words and their initials."""
        end = -1
        words = 0
        for _, e, word, is_init, info in group:
            if not is_init and info is not None:
                if word.isupper() and len(word) > 1:
                    ok = not info.common and info.nameish >= 0.3
                else:
                    ok = strong or not info.common
                if not ok or words >= 3:
                    break
                words += 1
            end = e
        if words == 0:
            return None
        return group[0][0], end

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
                if word.isupper() and len(word) > 1:
                    ok = not info.common and info.nameish >= 0.3
                elif word[0].isupper():
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
        if place_before(text, start) or _place_after(text, end, words, False):
            return None
        return start, end


_WORD_EDGE = '(«»"„“”[]{}<>!?;*'


def _prev_word(text: str, start: int, seps: str) -> tuple[str, int, str]:
    """The word before ``start`` (skipping ``seps``), where it starts, and the separators."""
    chunk = text[max(0, start - 32) : start]
    head = chunk.rstrip(seps)
    sep = chunk[len(head) :]
    if not head:
        return "", start - len(sep), sep
    cut = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
    word = head[cut + 1 :]
    stripped = word.lstrip(_WORD_EDGE)
    if stripped is not word and stripped != word:
        word = stripped
    for ch in _WORD_EDGE:
        if ch in word:
            word = word[word.rfind(ch) + 1 :]
    return word, start - len(sep) - len(word), sep


def _cue_before(text: str, start: int) -> str | None:
    raw, _, sep = _prev_word(text, start, " \t\n,:-–—")
    if not raw:
        return None
    word = raw.lower()
    if word == "я" and "," in sep:
        return "weak"  # "Я, Петренко Іван, прошу"
    kind = cue_kind(word)
    if kind is None and "." in word[:-1]:
        kind = cue_kind(word.rsplit(".", 2)[-2] + ".")  # "гр.Петренко"
    return kind


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\"«„“'":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;"


def place_before(text: str, start: int) -> str | None:
    """``"street"`` after a street word or an opening quote, ``"town"`` after "м."/"с.", or None."""
    if start > 0 and text[start - 1] in _QUOTES:
        return "street"
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i >= 0 and text[i] in "«„":
        return "street"
    raw, word_start, _ = _prev_word(text, start, " \t")
    if not raw:
        return None
    if _ORDINAL_RE.fullmatch(raw):
        # "пров. 3-тя Антоновича", "4-та Леонтовича": the street word is before the ordinal.
        raw, word_start, _ = _prev_word(text, word_start, " \t")
        if not raw:
            return "street"
    word = raw.lower()
    if word not in _PLACE_BEFORE and "." in word:
        word = word.rsplit(".", 2)[-2] + "."  # "вул.Шевченка", "ст.м."
    if word in _TOWN_BEFORE:
        return "town"
    if word in ("імені", "имени") and _BEHALF_RE.search(text, max(0, word_start - 6), word_start):
        return None  # "від імені Петренка", "от имени Ивановой": a person
    if word in _PLACE_BEFORE:
        return "street"
    return None


def _place_after(text: str, end: int, words: int, has_init: bool) -> bool:
    m = _NEXT_RE.match(text, end)
    if m is None:
        return False
    if m.group("num") is not None:
        # "Стуса 5", "Шевченка, 14/2": a street and its house, unless the name is a full one.
        return words <= 2 and not has_init
    return m.group("word").lower() in _PLACE_AFTER
