"""Checking imported records: raw fields in, an ``AppealRow`` or the reasons it is bad out.

Nothing here touches the database or personal data handling: the service
loads the district registry into a :class:`DistrictMatcher`, and the
anonymiser runs on the checked rows before anything is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # annotations only: the import's worker processes load this module lean
    from hromada.open_data.appeals.buildings import BuildingMatcher
    from hromada.open_data.appeals.districts import DistrictMatcher
    from hromada.open_data.appeals.formats import Record

KYIV_TIME = ZoneInfo("Europe/Kyiv")

MAX_ID = 100
MAX_TEXT = 20_000
MAX_SHORT = {"channel": 100, "executor": 300, "category": 500, "category_group": 500}
MAX_ADDRESS = 300

# Normalised statuses; the last four are closed (Open311 "closed").
STATUSES = (
    "registered",
    "in_progress",
    "on_review",
    "deferred",
    "resolved",
    "explained",
    "rejected",
    "closed",
)
CLOSED_STATUSES = ("resolved", "explained", "rejected", "closed")

# How exports spell a status, folded by ``_fold`` (lower case, one apostrophe, one space).
_STATUS_WORDS: dict[str, str] = {
    **{s: s for s in STATUSES},
    "new": "registered",
    "open": "registered",
    "зареєстровано": "registered",
    "нове": "registered",
    "очікує прийому в роботу": "registered",
    "в роботі": "in_progress",
    "у роботі": "in_progress",
    "прийнято в роботу": "in_progress",
    "на доопрацюванні": "in_progress",
    "на доопрацюванні виконавцем": "in_progress",
    "на перевірці": "on_review",
    "чекає на перевірку": "on_review",
    "чекає на перевіку заявником": "on_review",
    "чекає на перевіку контр.відділом": "on_review",
    "чекає на перевірку заявником": "on_review",
    "чекає на перевірку контр.відділом": "on_review",
    "заплановано": "deferred",
    "заплановано на наступні періоди": "deferred",
    "потребує додаткового фінансування": "deferred",
    "виконано": "resolved",
    "вирішено": "resolved",
    "виконано власними силами заявника": "resolved",
    "виконано силами контактного центру": "resolved",
    "роз'яснено": "explained",
    "роз'яснено по суті порушеного питання": "explained",
    "відмовлено": "rejected",
    "відмовлено в задоволенні": "rejected",
    "недостатньо докладно": "rejected",
    "не виконано": "rejected",
    "закрито": "closed",
    "closed": "closed",
}

_TRUE = {"true", "1", "так", "yes", "t", "y", "+", "истина", "да"}
_FALSE = {"false", "0", "ні", "no", "f", "n", "-", "", "ложь", "нет"}

_APOSTROPHES = str.maketrans({c: "ʼ" for c in "'’`‘ʹ"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


@dataclass
class AppealRow:
    """One checked appeal, before anonymisation."""

    line: int
    source_id: str
    received_at: dt.datetime
    deadline_at: dt.datetime | None
    resolved_at: dt.datetime | None
    channel: str | None
    category: str | None
    category_group: str | None
    district_id: int | None
    address: str | None
    text: str | None
    answer: str | None
    status: str
    executor: str | None
    confidential: bool
    lat: float | None
    lon: float | None
    # The registry building the address names (``buildings``); read by aggregates only.
    building_id: int | None = None


# AppealRow fields that are not free text: identifiers, dates, numbers and flags that ``check``
# parsed, and labels matched against the city's classifiers. Every other field is free text
# and goes through the anonymiser before it is written (``scrub_free_text``): a field added to
# AppealRow is scrubbed unless it is declared here.
NOT_FREE_TEXT = frozenset(
    {
        "line",
        "source_id",
        "received_at",
        "deadline_at",
        "resolved_at",
        "channel",
        "category",
        "category_group",
        "district_id",
        "status",
        "confidential",
        "lat",
        "lon",
        "building_id",
    }
)
FREE_TEXT_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(AppealRow) if f.name not in NOT_FREE_TEXT
)
# The anonymiser's method for a free-text field when it is not plain ``scrub``: an address
# keeps street and district only; executors are organisations.
SCRUBBERS: dict[str, str] = {"address": "scrub_address", "executor": "scrub_organisation"}


class FreeTextScrubber(Protocol):
    def scrub(self, text: str | None) -> str | None: ...
    def scrub_address(self, address: str | None) -> str | None: ...
    def scrub_organisation(self, value: str | None) -> str | None: ...


def scrub_free_text(row: AppealRow, anonymiser: FreeTextScrubber) -> dict[str, str | None]:
    """Every free-text field of ``row``, anonymised: the only way the writer reads them."""
    return {
        name: getattr(anonymiser, SCRUBBERS.get(name, "scrub"))(getattr(row, name))
        for name in FREE_TEXT_FIELDS
    }


@dataclass
class RowError:
    line: int
    column: str | None
    reason: str


@functools.lru_cache(maxsize=4096)
def normalise_label(value: str) -> str:
    """Categories, executors and channels: one apostrophe (ʼ), single spaces."""
    return " ".join(value.translate(_APOSTROPHES).split())


_TO_QUOTE = str.maketrans({c: "'" for c in "ʼ’`‘ʹ"})


def _fold(value: str) -> str:
    return " ".join(value.lower().translate(_TO_QUOTE).split())


def clean_text(value: str) -> str:
    """Drop control characters (keeping newlines and tabs) and normalise Unicode."""
    return unicodedata.normalize("NFC", _CONTROL.sub("", value)).strip()


def parse_time(value: Any) -> dt.datetime:
    """ISO 8601 or ``DD.MM.YYYY HH:MM``; a time without a zone is Kyiv time. UTC out."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = str(value).strip()
        found = _DMY.match(text)
        if found:
            day, month, year, hour, minute, second = found.groups()
            parsed = dt.datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        else:
            if len(text) > 40:
                raise ValueError("not a date")
            parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=KYIV_TIME)
    if not 1990 <= parsed.year <= 2100:
        raise ValueError("year out of range")
    return parsed.astimezone(dt.UTC).replace(microsecond=0)


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


def parse_status(value: Any) -> str:
    if value is None or str(value).strip() == "":
        return "registered"
    key = _fold(str(value))
    if key in _STATUS_WORDS:
        return _STATUS_WORDS[key]
    # 1551 exports add result details after a slash: "Виконано / Підтверджено заявником".
    head = key.split("/")[0].strip()
    if head in _STATUS_WORDS:
        return _STATUS_WORDS[head]
    raise ValueError(value)


def hashed_id(source_id: str) -> str:
    """The id a confidential appeal is stored under: the export's id never is."""
    return "c-" + hashlib.sha256(source_id.encode()).hexdigest()[:40]


class RowChecker:
    """Turns records into ``AppealRow``s, collecting every reason a row is bad."""

    def __init__(
        self, districts: DistrictMatcher, buildings: BuildingMatcher | None = None
    ) -> None:
        self.districts = districts
        self.buildings = buildings
        # id -> (first line, digest of the record): a record repeated whole is
        # skipped, the same id with different content is a bad row.
        self.seen: dict[str, tuple[int, int]] = {}

    def check(self, record: Record) -> AppealRow | list[RowError] | None:
        """The checked row, its errors, or None for an exact repeat of an earlier record."""
        line = record.line
        if record.problem:
            return [RowError(line, None, record.problem)]
        f = record.fields
        errors: list[RowError] = []

        def bad(column: str, reason: str) -> None:
            errors.append(RowError(line, column, reason))

        def text_of(column: str, limit: int) -> str | None:
            value = f.get(column)
            if value is None:
                return None
            if isinstance(value, dict | list):
                bad(column, "expected text, found a JSON " + type(value).__name__)
                return None
            text = clean_text(str(value))
            if not text:
                return None
            if len(text) > limit:
                bad(column, f"longer than {limit} characters")
                return None
            return text

        source_id = text_of("id", MAX_ID)
        if source_id is None and not any(e.column == "id" for e in errors):
            bad("id", "missing id")
        elif source_id is not None:
            digest = hash((tuple(f), tuple(map(str, f.values()))))
            first = self.seen.get(source_id)
            if first is not None:
                if first[1] == digest:
                    return None
                bad("id", f"duplicate id {source_id!r} (first on line {first[0]})")
            else:
                self.seen[source_id] = (line, digest)

        def time_of(column: str, required: bool = False) -> dt.datetime | None:
            value = f.get(column)
            if value is None or (isinstance(value, str) and not value.strip()):
                if required:
                    bad(column, "missing date")
                return None
            try:
                return parse_time(value)
            except (ValueError, TypeError, OverflowError):
                shown = str(value)[:40]
                bad(column, f"bad date {shown!r}: use ISO 8601 or DD.MM.YYYY HH:MM")
                return None

        received_at = time_of("received_at", required=True)
        deadline_at = time_of("deadline_at")
        resolved_at = time_of("resolved_at")
        if received_at and resolved_at and resolved_at < received_at:
            bad("resolved_at", "resolved before it was received")

        try:
            status = parse_status(f.get("status"))
        except ValueError:
            bad("status", f"unknown status {str(f.get('status'))[:40]!r}")
            status = "registered"

        try:
            confidential = parse_bool(f.get("confidential"))
        except ValueError:
            bad("confidential", "expected true/false, 1/0 or так/ні")
            confidential = True

        district_id = None
        district_name = text_of("district", 200)
        if district_name:
            district_id = self.districts.match(district_name)
            if district_id is None and not f.get("district_inferred"):
                bad("district", f"unknown district {district_name[:60]!r}")

        coords: list[float | None] = []
        for column, limit in (("lat", 90.0), ("lon", 180.0)):
            value = f.get(column)
            if value is None or (isinstance(value, str) and not value.strip()):
                coords.append(None)
                continue
            try:
                number = float(str(value).strip().replace(",", "."))
            except ValueError:
                bad(column, f"not a number: {str(value)[:40]!r}")
                coords.append(None)
                continue
            if not -limit <= number <= limit or number != number:
                bad(column, f"out of range (±{limit:g})")
                coords.append(None)
                continue
            coords.append(number)
        lat, lon = coords
        if (lat is None) != (lon is None):
            lat = lon = None

        labels = {}
        for column, limit in MAX_SHORT.items():
            value = text_of(column, limit)
            labels[column] = normalise_label(value) if value else None

        row_text = text_of("text", MAX_TEXT)
        answer = text_of("answer", MAX_TEXT)
        address = text_of("address", MAX_ADDRESS)

        if errors or source_id is None or received_at is None:
            return errors
        return AppealRow(
            line=line,
            source_id=source_id,
            received_at=received_at,
            deadline_at=deadline_at,
            resolved_at=resolved_at,
            channel=labels["channel"],
            category=labels["category"],
            category_group=labels["category_group"],
            district_id=district_id,
            address=address,
            text=row_text,
            answer=answer,
            status=status,
            executor=labels["executor"],
            confidential=confidential,
            lat=lat,
            lon=lon,
            building_id=None
            if self.buildings is None or confidential
            else self.buildings.match(address, district_id),
        )
