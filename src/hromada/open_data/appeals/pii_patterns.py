"""Detectors for structured personal data in appeal text: regular expressions plus checks.

Every detector yields ``(kind, start, end, priority)`` for the characters to replace. For a
house or a flat only the number is reported, so the word before it ("буд.", "кв.") stays.
Higher priority wins when two findings overlap (a number after "о/р" is an account even if
it also looks like a phone number).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

Span = tuple[str, int, int, int]

# Ukrainian and Russian letters, and the apostrophes of Ukrainian words.
UPPER = "A-ZА-ЯІЇЄҐЁ"
LOWER = "a-zа-яіїєґё"
LETTER = UPPER + LOWER

# Numbers followed by one of these are counts, sizes, money or times, never a house or a flat.
_NOT_AN_ADDRESS_NUMBER = (
    r"(?![:.,]\d)(?!\s*(?i:%|°|грн|гривн|коп|uah|грив|руб|\$|€|м\b|м2|м²|кв\.\s?м|км|см|мм|кг|т\b|л\b|"
    r"кімнат|комнат|поверх|этаж|етаж|під.?.?їзд|пiд.?.?їзд|подъезд|подьезд|парадн|вхід|вход|секці|"
    r"секци|корпус|корп|год|час|хв|мин|сек|дн|доб|сут|тиж|нед|"
    r"міс|мес|рок|рік|лет|год|раз|чол|люд|осіб|особ|мешк|житл|квартир|будин|дом|шт|штук|"
    r"рейс|маршрут|відсот|процент|тис|млн|млрд|числа|число|січ|лют|бер|квіт|трав|черв|лип|"
    r"серп|верес|жовт|листоп|груд|янв|фев|мар|апр|мая|май|июн|июл|авг|сен|окт|ноя|дек))"
)

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

IBAN_RE = re.compile(r"(?<![\w])[UuУу][AaАа](?:[\s-]?\d){27}(?!\d)")

# Ukrainian numbers: optional +38 / 38 / 8, then 0 and nine digits; a separator of up to two
# characters (space, dash, bracket) may sit between any two digits: "(044) 123-45-67",
# "+38 (067) 123 45 67", "0462 12 34 56". The second digit is 3-9 (operator or area code),
# which keeps "01 05 2015"-like runs out.
PHONE_RE = re.compile(
    r"(?<![\w+\-/.,])(?:\+\s?)?(?:3\s?8[\s\-()]{0,3}|8[\s\-()]{0,3})?\(?\s?0[\s\-()]{0,2}[3-9]"
    r"(?:[\s\-()]{0,2}\d){8}(?![\d\w])"
)
# A seven-digit city number needs a cue before it.
PHONE_CUE_RE = re.compile(
    r"(?i)(?<![\w])(?:тел(?:ефон[а-яіїє]*)?|моб(?:ільн[а-яіїє]*|ильн[а-я]*)?|тлф|т\.|ph|phone|"
    r"контактн[а-яіїє]*\s+(?:номер|телефон)[а-яіїє]*|номер\s+телефон[а-яіїє]*|"
    r"зателефонуйте|позвоните|звоніть|звоните)"
    r"[\s.:№#\-]{0,4}"
)
_SHORT_PHONE = r"\(?\d{2,3}\)?[\s\-]?\d(?:[\s\-]?\d){4,8}"
PHONE_AFTER_CUE_RE = re.compile(r"(?:\+\s?)?(?:3\s?8[\s\-()]{0,3})?" + _SHORT_PHONE + r"(?![\d\w])")
PHONE_LIST_SEP_RE = re.compile(r"\s*(?:,|;|/|або|или|чи|та|і|и|й|or)\s*(?:тел\.?\s*)?")

TAX_CUE_RE = re.compile(
    r"(?i)(?<![\w])(?:іпн|рнокпп|рнукпн|інн|инн|ипн|дрфо|ідентифікаційн[а-яіїє]*|"
    r"идентификационн[а-я]*|ідент\.|идент\.|податков[а-яіїє]*\s+номер[а-яіїє]*|"
    r"налогов[а-я]*\s+номер[а-я]*|код\s+платника\s+податк[а-яіїє]*)"
    r"[^\d\n]{0,24}?(\d(?:[\s-]?\d){9})(?!\d)"
)
TEN_DIGITS_RE = re.compile(r"(?<![\w\-/.,])\d{10}(?![\d\w])")
_TAX_WEIGHTS = (-1, 5, 7, 9, 4, 6, 10, 5, 7)

PASSPORT_CUE_RE = re.compile(
    r"(?i)(?<![\w])(?:паспорт[а-яіїє]*|id[-\s]?(?:картк[а-яіїє]*|карт[а-яы]*|card)|"
    r"айді[-\s]?картк[а-яіїє]*|посвідченн[а-яіїє]*|удостоверени[а-я]*|документ[а-яіїє]*)"
    r"[^\d\n]{0,40}?(?<![\w])((?:[" + UPPER + r"]{2}[\s,№-]{0,4})?\d(?:[\s-]?\d){5,8})(?![\d\w])"
)
PASSPORT_OLD_RE = re.compile(
    r"(?<![\w])[АВСЕКМНОРТХІЮЯБГДЖЗИЛПУФЦЧШЩЄЇҐЭ]{2}\s?(?:№\s?)?\d{6}(?![\d\w])"
)
UNZR_RE = re.compile(r"(?<![\d\w])(?:19|20)\d{6}-\d{5}(?![\d\w])")

_PLATE_LETTER = "АВСЕНІКМОРТХABCEHIKMOPTXавсеніkмортхabcehikmoptx"
_PLATE_UPPER = "АВСЕНІКМОРТХABCEHIKMOPTX"
# Upper-case letters with or without separators; lower case only written together
# ("аа0695нс"), so that "та 6006 на" stays.
CAR_PLATE_RE = re.compile(
    r"(?<![\w])(?:[" + _PLATE_UPPER + r"]{2}[\s\-]?\d{4}[\s\-]?[" + _PLATE_UPPER + r"]{2}"
    r"|[" + _PLATE_LETTER + r"]{2}\d{4}[" + _PLATE_LETTER + r"]{2})(?![\w])"
)

ACCOUNT_RE = re.compile(
    r"(?i)(?<![\w])(?:особов[а-яіїє]*(?:\s+рахун[а-яіїє]*)?|о/р|о\.\s?р\.|ос\.\s?рах[а-яіїє]*\.?|"
    r"особ\.\s?рах[а-яіїє]*\.?|лицев[а-я]*(?:\s+сч[её]т[а-я]*)?|л/с(?:ч)?|л\.\s?с\.|"
    r"лиц\.\s?сч[её]?т?\.?|абонентськ[а-яіїє]*\s+(?:номер|рахун)[а-яіїє]*|"
    r"абонентск[а-я]*\s+(?:номер|сч[её]т)[а-я]*|номер\s+абонента|рахун(?:ок|ку)\s+№|"
    r"сч[её]т[а-я]*\s+№|особового\s+рахунку|особовий\s+номер)"
    r"(?:\s+(?:сусіда|сусідки|соседа|соседки|мій|мого|моєї|мой|моего|моей|номер|квартири|квартиры))?"
    r"[\s.:№#\-]{0,6}(\d(?:[\s\-/]?\d){3,19})(?![\d\w])"
)

# A letter after the number: "12А", "85 Б", "24-б", "15а"; a lower-case letter after a space
# is a word ("51 і все сміття"), not part of the number.
_LETTER_SUFFIX = (
    r"(?:\s?-?\s?[" + UPPER + r"]|-?\s?[" + LOWER + r"](?<=[-\d][" + LOWER + r"]))(?![\w])"
)
_FLAT_NUMBER = r"(\d{1,4}(?:" + _LETTER_SUFFIX + r")?)"
FLAT_RE = re.compile(
    r"(?<![\w])(?i:кв(?:артир["
    + LOWER
    + r"]*|-р[а-яіи])?\.?)\s?(?:№\s?)?"
    + _FLAT_NUMBER
    + r"(?!\d)"
    + _NOT_AN_ADDRESS_NUMBER
)

_HOUSE_NUMBER = r"(\d{1,4}(?:\s?[/\\]\s?\d{1,4}|\s?-\s?\d{1,3}(?!\d))?(?:" + _LETTER_SUFFIX + r")?)"
HOUSE_RE = re.compile(
    r"(?<![\w.])(?i:буд(?:инок|инку|инка|инком|инки|инків|инках|инкам|инками)?\.?|"
    r"д\.|дом(?:а|е|у|ом|ов|ах)?|ж/б|б-к)\s?(?:№\s?)?"
    + _HOUSE_NUMBER
    + r"(?![\d/])"
    + _NOT_AN_ADDRESS_NUMBER
)
# A continuation of a list of houses or flats: "буд. 1/26 та № 3", "кв. 5, 7".
LIST_CONT_RE = re.compile(
    r"\s?(?:,|та|і|й|и|and|&)\s?(?:№\s?)?" + _HOUSE_NUMBER + r"(?![\d/\w])" + _NOT_AN_ADDRESS_NUMBER
)

STREET_CUE = (
    r"(?i:вул(?:иця|иці|ицю|ицею)?|ул(?:ица|ице|ицу|ицей)?|просп(?:ект|екту|екті|екте)?|"
    r"пр-т|пр-ту|пр|пров(?:улок|улку)?|пер(?:еулок|еулке|еулка)?|бульв|бул(?:ьвар|ьвару|ьварі|ьваре)?|"
    r"б-р|пл(?:оща|ощі|ощу|ощадь|ощади)?|наб(?:ережна|ережній|ережна|ережная|ережной)?|"
    r"шосе|шоссе|узвіз|узвозу|спуск|проїзд|проезд|тупик|майдан|алея|аллея|мкр|ж/м|"
    r"просек|линия|лінія)"
)
# "між будинками Стуса 5", "біля будинку Мілютенка 28", "возле дома Лесная 3"
HOUSE_WORD_CUE = r"(?i:будин(?:ок|ку|ки|ками|ків|ках)|дом(?:а|ом|ами|ов|ах)?)"
STREET_CUE_RE = re.compile(r"(?i)(?<![\w])" + STREET_CUE + r"(?:\.|(?=\s))")
# After a street cue and the street's name (1 to 4 words), a bare number is the house.
_STREET_NAME = (
    r"(?:(?:[" + UPPER + r"]\.\s?){1,2}|\d{1,3}-?[" + LOWER + r"]{1,3}\s|[" + UPPER + r"][\w'’ʼ`-]*"
    r"\.?)"
)
STREET_HOUSE_RE = re.compile(
    r"(?<![\w])(?:" + STREET_CUE + r"(?:\.\s?|\s)|" + HOUSE_WORD_CUE + r"\s(?:по\s|на\s)?)"
    r"(?:" + _STREET_NAME + r"\s?){1,4}"
    r"(?:,\s?|\s)(?:(?i:буд\.?|будинок|д\.|дом)\s?)?(?:№\s?)?"
    + _HOUSE_NUMBER
    + r"(?![\d/\w])"
    + _NOT_AN_ADDRESS_NUMBER
)
# "... та Ірпінська 2": another street and house in the same list.
STREET_LIST_CONT_RE = re.compile(
    r"\s?(?:,|та|і|й|и)\s(?:"
    + _STREET_NAME
    + r"\s?){1,3},?\s?(?:№\s?)?"
    + _HOUSE_NUMBER
    + r"(?![\d/\w])"
    + _NOT_AN_ADDRESS_NUMBER
)

_DIGIT_RE = re.compile(r"\d")


def tax_checksum_ok(digits: str) -> bool:
    """The RNOKPP check digit: weighted sum of the first nine digits mod 11 mod 10."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(w * int(d) for w, d in zip(_TAX_WEIGHTS, digits, strict=False))
    return (total % 11) % 10 == int(digits[9])


def _phone_digits_ok(text: str) -> bool:
    digits = "".join(c for c in text if c.isdigit())
    n = len(digits)
    if n == 10:
        return digits[0] == "0"
    if n == 11:
        return digits.startswith("80")
    if n == 12:
        return digits.startswith("380")
    return False


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it neither starts nor ends with a space, a dash or an unpaired bracket."""
    while start < end and text[start] in " \t\n-":
        start += 1
    while end > start and text[end - 1] in " \t\n-(":
        end -= 1
    value = text[start:end]
    if value.startswith("(") and ")" not in value:
        start += 1
    if value.endswith(")") and "(" not in value:
        end -= 1
    return start, end


_DIGIT_RUN_RE = re.compile(r"\d+")
_PHONE_GATE_RE = re.compile(r"0[\s\-()]{0,2}[3-9]")
_IBAN_GATE = ("ua", "уа", "uа", "уa")


def _account(text: str, i: int) -> Iterator[Span]:
    m = ACCOUNT_RE.match(text, i)
    if m is not None:
        yield ("account", m.start(1), m.end(1), 85)


def _tax(text: str, i: int) -> Iterator[Span]:
    m = TAX_CUE_RE.match(text, i)
    if m is not None:
        yield ("tax_number", m.start(1), m.end(1), 85)


def _passport(text: str, i: int) -> Iterator[Span]:
    m = PASSPORT_CUE_RE.match(text, i)
    if m is not None:
        value = m.group(1)
        digits = sum(c.isdigit() for c in value)
        if digits in (6, 9) and (digits == 9 or not value[0].isdigit()):
            yield ("passport", m.start(1), m.end(1), 84)


def _phone_cue(text: str, i: int) -> Iterator[Span]:
    m = PHONE_CUE_RE.match(text, i)
    if m is not None:
        yield from _phones_after_cue(text, m.end())


def _flat(text: str, i: int) -> Iterator[Span]:
    m = FLAT_RE.match(text, i)
    if m is not None:
        yield ("flat", m.start(1), m.end(1), 50)
        yield from _list_after(text, m.end(1), "flat")


def _house(text: str, i: int) -> Iterator[Span]:
    m = HOUSE_RE.match(text, i)
    if m is not None:
        yield ("house", m.start(1), m.end(1), 50)
        yield from _list_after(text, m.end(1), "house")


def _street_house(text: str, i: int) -> Iterator[Span]:
    m = STREET_HOUSE_RE.match(text, i)
    if m is None:
        return
    yield ("house", m.start(1), m.end(1), 45)
    pos = m.end(1)
    for _ in range(8):
        yield from _list_after(text, pos, "house")
        more = STREET_LIST_CONT_RE.match(text, pos)
        if more is None:
            break
        yield ("house", more.start(1), more.end(1), 45)
        pos = more.end(1)


# Where a cue-led detector can start: a lower-cased stem of every alternative of its cue. The
# text is searched for each stem with str.find (fast, in C), and the detector's regular
# expression is tried only there, instead of being run over the whole text.
_CUE_STEMS: dict[str, tuple[Callable[[str, int], Iterator[Span]], ...]] = {}


def _stems(handler: Callable[[str, int], Iterator[Span]], stems: str) -> None:
    """Register the stems (space-separated; "|" stands for a space inside a stem)."""
    for stem in (s.replace("|", " ") for s in stems.split()):
        _CUE_STEMS[stem] = (*_CUE_STEMS.get(stem, ()), handler)


_stems(_account, "особ о/р о. ос. лицев лиц. л/с л. абонент номер рахун счет счёт")
_stems(_tax, "іпн рнокпп рнукпн інн инн ипн дрфо ідент идент податков налогов код")
_stems(_passport, "паспорт id айді посвідч удостовер документ")
_stems(_phone_cue, "тел моб тлф т. ph контактн номер зателеф позвон звон")
_stems(_flat, "кв")
_stems(_house, "буд д. дом ж/б б-к")
_stems(
    _street_house,
    "вул ул. ул| улиц просп пр-т пр. пр| пров. пров| провул проїзд проезд просек пер. пер| "
    "переул бул. бул| бульв б-р пл. пл| площ наб. наб| набереж шосе шоссе узвіз узвоз спуск "
    "тупик майдан алея алеї аллея мкр ж/м лінія лінії линия будин дом",
)


def _trie(words: list[str]) -> str:
    """One regular expression for a set of strings, as a trie: the engine tries only the
    branches of the character it sees, and skips ahead to the next possible first character."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


_CUE_STEM_RE = re.compile(_trie(sorted(_CUE_STEMS)))


# Every cue-led detector needs a number after its cue, and the cue is never further than this
# before the number's first digit ("паспорт громадянина України серії КВ № 123456").
CUE_REACH = 90


def _cue_hits(text: str, low: str, runs: list[tuple[int, int]]) -> Iterator[Span]:
    # Only the stretches of text before a number are searched for cues.
    windows: list[tuple[int, int]] = []
    for start, _ in runs:
        lo = max(0, start - CUE_REACH)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], start)
        else:
            windows.append((lo, start))
    for lo, hi in windows:
        for m in _CUE_STEM_RE.finditer(low, lo, hi):
            i = m.start()
            if i and (low[i - 1].isalnum() or low[i - 1] == "_"):
                continue
            word = m.group()
            done: set[Callable[[str, int], Iterator[Span]]] = set()
            for k in range(1, len(word) + 1):
                for handler in _CUE_STEMS.get(word[:k], ()):
                    if handler not in done:
                        done.add(handler)
                        yield from handler(text, i)


def lower_same_length(text: str) -> str:
    """``text.lower()``, keeping every character at its offset."""
    low = text.lower()
    if len(low) != len(text):  # a few characters (İ) grow when lower-cased
        low = "".join(c.lower()[:1] or c for c in text)
    return low


def find_structured(text: str, low: str | None = None) -> Iterator[Span]:
    """Every structured personal value in ``text`` (overlaps allowed; priorities decide).

    ``low`` is the text lower-cased with ``lower_same_length``, if the caller has it.
    """
    if low is None:
        low = lower_same_length(text)
    yield from find_emails(text, low)
    runs = [(m.start(), m.end()) for m in _DIGIT_RUN_RE.finditer(text)]
    if not runs:
        return
    yield from find_birth(text, low, runs)
    if any(stem in low for stem in _IBAN_GATE):
        for m in IBAN_RE.finditer(text):
            yield ("iban", m.start(), m.end(), 90)
    yield from _cue_hits(text, low, runs)
    size = len(text)
    phone_end = -1
    hit: re.Match[str] | None
    for g in _PHONE_GATE_RE.finditer(text):
        if g.start() < phone_end:
            continue
        hit = PHONE_RE.search(text, max(0, g.start() - 8), min(size, g.start() + 40))
        if hit is not None and hit.end() > phone_end and _phone_digits_ok(hit.group()):
            s, e = _strip(text, hit.start(), hit.end())
            phone_end = hit.end()
            yield ("phone", s, e, 80)
    for s, e in runs:
        n = e - s
        if n == 4:
            hit = CAR_PLATE_RE.search(text, max(0, s - 4), min(size, e + 5))
            if hit is not None:
                yield ("car_plate", hit.start(), hit.end(), 70)
        elif n == 6:
            hit = PASSPORT_OLD_RE.search(text, max(0, s - 6), min(size, e + 1))
            if hit is not None:
                yield ("passport", hit.start(), hit.end(), 75)
        elif n == 8:
            hit = UNZR_RE.match(text, s)
            if hit is not None:
                yield ("passport", hit.start(), hit.end(), 75)
        elif n == 10:
            hit = TEN_DIGITS_RE.match(text, s)
            if hit is not None and tax_checksum_ok(hit.group()):
                yield ("tax_number", hit.start(), hit.end(), 70)


def _phones_after_cue(text: str, pos: int) -> Iterator[Span]:
    while True:
        m = PHONE_AFTER_CUE_RE.match(text, pos)
        if m is None:
            return
        digits = sum(c.isdigit() for c in m.group())
        if not 7 <= digits <= 12:
            return
        s, e = _strip(text, m.start(), m.end())
        yield ("phone", s, e, 82)
        sep = PHONE_LIST_SEP_RE.match(text, m.end())
        if sep is None:
            return
        pos = sep.end()


def _list_after(text: str, pos: int, kind: str) -> Iterator[Span]:
    for _ in range(8):
        m = LIST_CONT_RE.match(text, pos)
        if m is None:
            return
        yield (kind, m.start(1), m.end(1), 40)
        pos = m.end(1)


# -- obfuscated e-mails ------------------------------------------------------------------------
# "name at ukr dot net", "name[at]gmail[dot]com", "name(собака)ukr.net", "name @ i.ua": the
# local part and the domain are Latin, the domain ends in a known top-level domain, so "at" or
# "собака" in ordinary text never matches.
_AT = (
    r"(?:\s*@\s*|\s*[(\[{<]\s*(?:at|ат|собака|собачка|равлик|равлик)\s*[)\]}>]\s*"
    r"|\s+(?:at|собака|собачка)\s+)"
)
_DOT = r"(?:\s?\.\s?|\s*[(\[{<]\s*(?:dot|точка|крапка)\s*[)\]}>]\s*|\s+(?:dot|точка|крапка)\s+)"
_TLD = (
    r"(?:com\.ua|org\.ua|kiev\.ua|kyiv\.ua|in\.ua|ua|net|com|org|ru|info|biz|io|eu|me|by|de|pl|uk)"
)
OBFUSCATED_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[a-z0-9][a-z0-9._+-]*"
    + _AT
    + r"[a-z0-9][a-z0-9-]*(?:"
    + _DOT
    + r"[a-z0-9-]+)*?"
    + _DOT
    + _TLD
    + r"(?![a-z0-9])",
    re.IGNORECASE,
)
_LATIN_PAIR_RE = re.compile(r"[a-zA-Z]{2}")
_EMAIL_GATE = ("@", " at ", "(at", "[at", "{at", "<at", "собак", "(ат", "[ат", "равлик")


def find_emails(text: str, low: str) -> Iterator[Span]:
    if "@" in text:
        for m in EMAIL_RE.finditer(text):
            yield ("email", m.start(), m.end(), 90)
    # Written-out e-mails have Latin letters on both sides of "at", "(собака)", ...
    if _LATIN_PAIR_RE.search(text) and any(g in low for g in _EMAIL_GATE):
        for m in OBFUSCATED_EMAIL_RE.finditer(text):
            yield ("email", m.start(), m.end(), 89)


# -- dates of birth and ages ----------------------------------------------------------------------
_MONTHS = (
    r"(?:січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада|грудня"
    r"|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
)
_YEAR = r"(?:19|20)\d{2}"
_DATE = (
    r"(?:\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?"
    + _YEAR
    + r"|\d{1,2}\s+"
    + _MONTHS
    + r"\s+"
    + _YEAR
    + r"|"
    + _YEAR
    + r")"
)
_YEAR_WORD = r"(?:\s*(?:р\.|р(?=\s)|року|рік|г\.|г(?=\s)|года|год))?"
_BIRTH_AFTER = (
    r"\s*,?\s*(?:р\.\s?н\.|р\.\s?н(?!\w)|г\.\s?р\.|г\.\s?р(?!\w)|н\.\s?р\.|народж\w*|нар\."
    r"|рожд\w*\.?)"
)
BIRTH_AFTER_RE = re.compile(r"(?<![\d\w])" + _DATE + _YEAR_WORD + _BIRTH_AFTER, re.IGNORECASE)
BIRTH_CUE_RE = re.compile(
    r"(?:дата\s+(?:народження|рождения)|д\.\s?н\.|д\.\s?р\.|народи(?:вся|лася|лась)|"
    r"родил(?:ся|ась)|р\.\s?н\.|рік\s+народження|год\s+рождения)"
    r"[\s:,–—-]*(?:(?:в|у)\s+)?(?P<date>" + _DATE + _YEAR_WORD + r")(?!\d)",
    re.IGNORECASE,
)
_BIRTH_GATE = ("народж", "рожд", "р.н", "р. н", "г.р", "г. р", "нар.", "д.н", "д. н", "народи",
               "родил", "н.р", "н. р", "д.р", "д. р")  # fmt: skip

# An age: a number of years right after a person ("мамі 87 років", "моей бабушке 92 года",
# "мені 75", "у віці 80 років"); a building's or a tree's age ("будинку 50 років") is not one.
_PERSON_WORDS = (
    r"мені|мне|йому|їй|ему|ей|"
    r"мам[аіуи]|матер[іи]|мати|мать|батьк[оуа]|батьков[іи]|тат[оаі]|тату|отц[ау]|отец|"
    r"син[уаові]*|синові|сын[уа]?|дон(?:ька|ьці|ечці|ечка)|доч(?:ка|ке|ь|ери)|дочці|"
    r"бабус[яіюи]|бабц[яі]|бабуш?к[аеи]|бабушке|дідус[ьеві]*|дідов[іи]|дід[ау]?|дедушк[аеи]|"
    r"дитин[аіи]|ребен(?:ок|ку)|дітям|детям|онук[ау]?|онуков[іи]|онуч(?:ка|ці)|внук[ау]?|внучк[аеи]|"
    r"чолов(?:ік|ікові|іку)|муж[уа]?|дружин[аіи]|жен[аеу]|сусід(?:ка|ці|у|ові)?|сосед(?:ка|ке|у)?|"
    r"пенсіонер(?:ка|ці|у|ові)?|пенсионер(?:ка|ке|у)?|ветеран[уові]*|інвалід[уові]*|инвалид[уа]?|"
    r"заявни(?:к|ця|ку|ці)|віці|возрасте"
)
AGE_RE = re.compile(
    r"(?<![\w,.])(?P<age>(?:1[01]\d|[1-9]?\d)(?:[,.]\d)?(?:-?(?:ти|ми|х|и))?\s*"
    r"(?:років|роки|рік|лет|года|год))(?!\w)",
    re.IGNORECASE,
)
# The person right before an age, read backwards from the number.
AGE_PERSON_RE = re.compile(
    r"(?<![\w])(?:" + _PERSON_WORDS + r")[\s,:–—-]+(?:понад\s+|більше\s+|больше\s+|около\s+|"
    r"майже\s+|почти\s+)?$",
    re.IGNORECASE,
)
_AGE_GATE = ("рок", "рік", "лет", "год")
# A date of birth is found from the word that says so: a suffix after the date ("р.н.",
# "року народження") or a cue before it ("дата народження:", "народилася"). The expressions
# run only in a window around those words, so texts without them cost a few str.find calls.
_BIRTH_REACH = 40


def find_birth(text: str, low: str, runs: list[tuple[int, int]]) -> Iterator[Span]:
    """Dates of birth, and ages right after a person; ``runs`` are the text's digit runs."""
    seen: set[int] = set()
    # Every date of birth has a year of four digits.
    for stem in _BIRTH_GATE if any(e - s == 4 for s, e in runs) else ():
        i = low.find(stem)
        while i != -1:
            for m in BIRTH_AFTER_RE.finditer(text, max(0, i - _BIRTH_REACH), i + len(stem) + 12):
                if m.start() not in seen and m.end() >= i:
                    seen.add(m.start())
                    yield ("birth_date", m.start(), m.end(), 88)
            for m in BIRTH_CUE_RE.finditer(text, max(0, i - 16), i + _BIRTH_REACH + 16):
                if m.start("date") not in seen:
                    seen.add(m.start("date"))
                    yield ("birth_date", m.start("date"), m.end("date"), 88)
            i = low.find(stem, i + len(stem))
    if any(g in low for g in _AGE_GATE):
        for start, end in runs:
            if end - start > 3:
                continue
            age = AGE_RE.match(text, start)
            if age is not None and AGE_PERSON_RE.search(text, max(0, start - 32), start):
                yield ("age", age.start("age"), age.end("age"), 87)
