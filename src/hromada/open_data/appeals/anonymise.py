"""The appeals anonymiser: it runs before anything is written, so raw personal data is never stored.

``get_anonymiser().scrub(text)`` replaces person names, phone numbers, e-mails, RNOKPP tax
numbers, passport and ID-card numbers, IBANs, car plates, utility account numbers, flat and
house numbers with typed placeholders (``[ПІБ]``, ``[ТЕЛЕФОН]``, ...). For a house or a flat the
word stays: "буд. [БУДИНОК]", "кв. [КВАРТИРА]". ``scrub_address`` keeps the street and the
district and drops house and flat numbers. ``coarsen`` moves a point to the centre of its
~100 m grid cell.

Structured values come from regular expressions with checks (``pii_patterns``); names from
pymorphy3's Ukrainian and Russian dictionaries plus context cues (``names``).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from hromada.open_data.appeals.latin_names import LatinNames
from hromada.open_data.appeals.names import NameDetector, word_list
from hromada.open_data.appeals.pii_patterns import (
    STREET_CUE,
    Span,
    find_structured,
    lower_same_length,
)

PLACEHOLDERS: dict[str, str] = {
    "name": "[ПІБ]",
    "phone": "[ТЕЛЕФОН]",
    "email": "[EMAIL]",
    "tax_number": "[РНОКПП]",
    "passport": "[ПАСПОРТ]",
    "iban": "[IBAN]",
    "car_plate": "[НОМЕР_АВТО]",
    "account": "[ОСОБОВИЙ_РАХУНОК]",
    "flat": "[КВАРТИРА]",
    "house": "[БУДИНОК]",
    "birth_date": "[ДАТА_НАРОДЖЕННЯ]",
    "age": "[ВІК]",
}
KINDS: tuple[str, ...] = tuple(PLACEHOLDERS)

_NAME_PRIORITY = 60
_CACHED_LENGTH = 160


@dataclass(frozen=True)
class Finding:
    """One personal value: its kind, where it is (``text[start:end]``) and what it was."""

    kind: str
    start: int
    end: int
    text: str


def language(text: str) -> str:
    """``"ru"`` when the text has more Russian-only letters than Ukrainian-only ones."""
    low = text.lower()
    uk = low.count("і") + low.count("ї") + low.count("є") + low.count("ґ")
    ru = low.count("ы") + low.count("э") + low.count("ъ") + low.count("ё")
    return "ru" if ru > uk else "uk"


class Anonymiser:
    """Finds and replaces personal data. Thread-safe; build it once (``get_anonymiser``)."""

    def __init__(self, names: NameDetector | None = None, street_names: Iterable[str] = ()) -> None:
        self.names = names or NameDetector()
        self.latin = LatinNames(self.names._morph)
        # Street names of the city's registry, lower-cased: a registry street is never a person.
        self.street_titles: set[str] = set()
        self.organisations: set[str] = set()
        # Short values repeat (template answers, a few dozen executors): their results are
        # cached, and forgotten whenever the street registry or the organisations change.
        self._scrub_short = lru_cache(maxsize=16_384)(self._scrub)
        self._organisation = lru_cache(maxsize=4_096)(self._scrub_organisation)
        self.add_street_names(street_names)

    def add_street_names(self, names: Iterable[str]) -> None:
        """Street names of the city (e.g. from the streets registry): a lone word of one of
        them ("по Скляренка") is read as the street, not as a person, and a whole registry name
        ("пров. 3-тя Антоновича", "Олени Теліги") is never taken for a person."""
        # Only names not taught yet: every import teaches the registry again.
        names = [
            n for n in names if _SPACES_RE.sub(" ", n.strip().lower()) not in self.street_titles
        ]
        if not names:
            return
        self.names.add_street_names(names)
        self._forget()
        for name in names:
            title = _SPACES_RE.sub(" ", name.strip().lower())
            if title:
                self.street_titles.add(title)
                self.street_titles.add(_ORDINAL_PREFIX_RE.sub("", title))

    def find(self, text: str) -> list[Finding]:
        """Every personal value in ``text``: non-overlapping, sorted by position."""
        if not text:
            return []
        low = lower_same_length(text)
        spans: list[Span] = list(find_structured(text, low))
        titles = self.street_titles
        for s, e in self.names.find(text, language(text), low):
            if titles and self._registry_street(text, s, e):
                continue
            spans.append(("name", s, e, _NAME_PRIORITY))
        if _LATIN_GATE_RE.search(text):
            for s, e in self.latin.find(text):
                spans.append(("name", s, e, _NAME_PRIORITY))
        if not spans:
            return []
        spans.sort(key=lambda x: (-x[3], x[1], x[1] - x[2]))
        chosen: list[Span] = []
        for span in spans:
            _, s, e, _ = span
            if e <= s:
                continue
            if any(s < ce and cs < e for _, cs, ce, _ in chosen):
                continue
            chosen.append(span)
        chosen.sort(key=lambda x: x[1])
        return [Finding(kind, s, e, text[s:e]) for kind, s, e, _ in chosen]

    def _registry_street(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` is (the end of) a street name of the registry."""
        found = _SPACES_RE.sub(" ", text[start:end].lower())
        if found in self.street_titles:
            return True
        before = _ORDINAL_BEFORE_RE.search(text, max(0, start - 8), start)
        return before is not None and f"{before.group(1).lower()} {found}" in self.street_titles

    def scrub(self, text: str | None) -> str | None:
        """``text`` with every personal value replaced by its placeholder (``None`` stays)."""
        if not text:
            return text
        if len(text) <= _CACHED_LENGTH:
            return self._scrub_short(text)
        return self._scrub(text)

    def _scrub(self, text: str) -> str:
        findings = self.find(text)
        if not findings:
            return text
        out: list[str] = []
        pos = 0
        for f in findings:
            out.append(text[pos : f.start])
            out.append(PLACEHOLDERS[f.kind])
            pos = f.end
        out.append(text[pos:])
        return "".join(out)

    def scrub_organisation(self, value: str | None) -> str | None:
        """An executor or another organisation field, anonymised (``_scrub_organisation``)."""
        if not value:
            return value
        return self._organisation(value)

    def _scrub_organisation(self, value: str) -> str:
        """An executor or another organisation field: executors are organisations.

        A known organisation ("КП «Міськсвітло»", "Дарницька РДА", or a name taught with
        ``add_organisations``) keeps its name, and whatever personal is in it is replaced as in
        ``scrub`` ("КП «Шляхрембуд», майстер [ПІБ], [ТЕЛЕФОН]"); an official's name in square
        brackets after it (the 1551 export's "[Прізвище Ім'я По батькові]") is dropped. A value
        that is not an organisation is scrubbed like text, and when what is left is only a few
        capitalised words that can be a name ("Гончар", "Петро Гончар"), it is a person:
        ``[ПІБ]`` ("Водоканал" stays).
        """
        text = _OFFICIAL_RE.sub("", value).strip() or value
        if _SPACES_RE.sub(" ", text.lower()) in self.organisations:
            return text  # named in the city's classifier of executors
        scrubbed = self.scrub(text) or ""
        if self.is_organisation(text):
            return scrubbed
        bare = "[" not in scrubbed and _BARE_PERSON_RE.fullmatch(scrubbed.strip())
        if bare and self._name_like(scrubbed):
            return PLACEHOLDERS["name"]
        return scrubbed

    def _name_like(self, value: str) -> bool:
        """Some word of ``value`` can be a person's name (or it has initials)."""
        lang = language(value)
        for word in _ORG_WORD_RE.findall(value):
            if len(word) == 1:
                return True  # an initial
            if word.isascii():
                given, surname = self.latin.kinds(word.lower())
                if given or surname:
                    return True
            elif self.names.info(word.lower(), lang).nameish >= 0.3:
                return True
        return False

    def add_organisations(self, names: Iterable[str]) -> None:
        """Organisation names from the city's classifiers: such an executor is kept as it is."""
        self.organisations.update(_SPACES_RE.sub(" ", n.strip().lower()) for n in names if n)
        self._forget()

    def _forget(self) -> None:
        self._scrub_short.cache_clear()
        self._organisation.cache_clear()

    def is_organisation(self, value: str) -> bool:
        low = _SPACES_RE.sub(" ", value.strip().lower())
        if low in self.organisations:
            return True
        if any(q in value for q in '«»"„“”'):
            return True
        return any(w in _ORGANISATION_WORDS for w in _ORG_WORD_RE.findall(low))

    def scrub_address(self, address: str | None) -> str | None:
        """The address down to street and district: house and flat numbers are dropped.

        "Дарницький район, вул. Ревуцького, 7, кв. 33" becomes
        "Дарницький район, вул. Ревуцького". Anything else personal in it (a name, a phone)
        is replaced by its placeholder, as in ``scrub``.
        """
        if not address:
            return address
        known = self._registry_address(address)
        if known is not None:
            return known
        text = address
        findings = self.find(text)
        out: list[str] = []
        pos = 0
        for f in findings:
            if f.kind in ("house", "flat"):
                head = _ADDRESS_WORD_BEFORE_RE.search(text, pos, f.start)
                cut = head.start() if head is not None else f.start
                out.append(text[pos:cut])
            else:
                out.append(text[pos : f.start])
                out.append(PLACEHOLDERS[f.kind])
            pos = f.end
        out.append(text[pos:])
        result = "".join(out)
        # Bare numbers left as their own comma-separated part are house numbers too.
        parts = [p.strip() for p in result.split(",")]
        kept = [p for p in parts if p and not _BARE_NUMBER_RE.fullmatch(p)]
        result = ", ".join(kept)
        result = _SPACES_RE.sub(" ", result).strip(" ,;-")
        return result or None

    def _registry_address(self, address: str) -> str | None:
        """The address's street when it is the common shape "просп. Липова, 6, кв. 69": a
        registry street and house, flat or entrance numbers, nothing else.

        Such an address holds nothing personal beyond the numbers, so the detectors need
        not run (they cost most of an import's time); any other shape returns None and goes
        through ``find``. ``tests/open_data/appeals/test_anonymise.py`` checks that both
        ways agree on every address of the demo city.
        """
        if not self.street_titles:
            return None
        street: str | None = None
        for part in address.split(","):
            part = part.strip()
            if not part or _BARE_NUMBER_RE.fullmatch(part):
                continue
            named = _STREET_PART_RE.fullmatch(part)
            if street is not None or named is None:
                return None
            if _SPACES_RE.sub(" ", named["name"].lower()) not in self.street_titles:
                return None
            street = part
        return None if street is None else _SPACES_RE.sub(" ", street)


_STREET_PART_RE = re.compile(STREET_CUE + r"\.?\s+(?P<name>\S.*)")
_ADDRESS_WORD_BEFORE_RE = re.compile(
    r"[\s,;]*(?:(?:буд(?:инок|инку)?|д|дом|корп(?:ус)?|кв(?:артира)?|кв-ра|№)\.?\s*)*(?:№\s*)?$",
    re.IGNORECASE,
)
_BARE_NUMBER_RE = re.compile(
    r"(?:(?:буд|д|кв|корп|к|секц|під'їзд|под)\.?\s*)?№?\s*\d{1,4}(?:\s?[/-]\s?\d{1,4})?"
    r"(?:\s?-?\s?[а-яіїєґa-z])?",
    re.IGNORECASE,
)
_SPACES_RE = re.compile(r"\s{2,}")
_OFFICIAL_RE = re.compile(r"\s*\[[^\]]*\]\s*$")
_ORG_WORD_RE = re.compile(r"[\w'’ʼ]+")
_ORGANISATION_WORDS = word_list("organisation_words")
# One to three capitalised words or initials and nothing else: a person, not an organisation.
_BARE_PERSON_RE = re.compile(r"(?:[A-ZА-ЯІЇЄҐЁ][\w'’ʼ-]*\.?(?:\s*,?\s*|$)){1,4}")
_ORDINAL_PREFIX_RE = re.compile(r"^\d{1,2}-?[а-яіїєґ]{0,3} ")
_ORDINAL_BEFORE_RE = re.compile(r"(\d{1,2}-?[а-яіїєґА-ЯІЇЄҐ]{0,3})\s+$")
_LATIN_GATE_RE = re.compile(r"[A-Z][a-z]")

# About 100 m: a degree of latitude is ~111.2 km everywhere.
GRID_METRES = 100.0
_LAT_STEP = GRID_METRES / 111_195.0


def coarsen(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    """The centre of the ~100 m grid cell holding the point; ``(None, None)`` if unusable.

    Rows are ``GRID_METRES`` of latitude; each row's cells are ``GRID_METRES`` wide at the
    row's centre, so a cell is about 100 m x 100 m anywhere in Ukraine.
    """
    if lat is None or lon is None:
        return None, None
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        return None, None
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
        return None, None
    if not (-90.0 <= lat_f <= 90.0 and -180.0 <= lon_f <= 180.0):
        return None, None
    row = math.floor(lat_f / _LAT_STEP)
    c_lat = (row + 0.5) * _LAT_STEP
    c_lat = min(max(c_lat, -90.0), 90.0)
    lon_step = _LAT_STEP / max(math.cos(math.radians(c_lat)), 0.01)
    col = math.floor(lon_f / lon_step)
    c_lon = (col + 0.5) * lon_step
    c_lon = min(max(c_lon, -180.0), 180.0)
    return round(c_lat, 6), round(c_lon, 6)


_instance: Anonymiser | None = None
_lock = threading.Lock()


def get_anonymiser() -> Anonymiser:
    """The process-wide anonymiser (pymorphy3's dictionaries load once)."""
    global _instance
    if _instance is None:
        with _lock:
            if _instance is None:
                _instance = Anonymiser()
    return _instance
