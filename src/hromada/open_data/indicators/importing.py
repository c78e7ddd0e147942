"""Importing indicator definitions and values from CSV, all or nothing.

Definitions: ``code,title_uk,title_en,unit,direction,periodicity,worst,best,weight,source``
(one per indicator; importing a code again replaces its definition). Values:
``indicator,period,district,value`` (``district`` empty for the whole city; a value for
the same indicator, period and district again replaces it). UTF-8, a BOM allowed, comma
separated. Every row is checked before anything is written; the errors name the line
and the column, at most ``MAX_ERRORS`` of them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from hromada import db
from hromada.errors import FileRefused, InvalidInput
from hromada.open_data.catalog.jobs import queue_publish
from hromada.open_data.indicators.index import PERIODS
from hromada.open_data.indicators.tables import INDICATOR_FIELDS, Indicator, IndicatorValue
from hromada.open_data.registries.tables import District

DEFINITION_COLUMNS = (
    "code",
    "title_uk",
    "title_en",
    "unit",
    "direction",
    "periodicity",
    "worst",
    "best",
    "weight",
    "source",
)
VALUE_COLUMNS = ("indicator", "period", "district", "value")
DIRECTIONS = ("higher", "lower")
CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,31}")
MAX_INDICATORS = 2_000
MAX_VALUES = 1_000_000
MAX_AMOUNT = Decimal(10) ** 15
MAX_ERRORS = 50
DATASETS = ("indicators", "indicator-values", "city-index")


@dataclass
class IndicatorImport:
    definitions: int
    values: int
    publish_jobs: list[int]


class _Errors:
    def __init__(self) -> None:
        self.found: list[dict[str, Any]] = []

    def add(self, line: int, column: str, message: str) -> None:
        if len(self.found) < MAX_ERRORS:
            self.found.append({"where": f"line {line}", "name": column, "message": message})

    def raise_if_any(self, what: str) -> None:
        if self.found:
            raise InvalidInput(
                f"{what}: {len(self.found)} problem(s), nothing was imported "
                f"(first: line {self.found[0]['where'][5:]}, {self.found[0]['name']}: "
                f"{self.found[0]['message']})",
                errors=self.found,
            )


def _rows(data: bytes, columns: tuple[str, ...], what: str, limit: int) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(f"{what}: not UTF-8 text") from None
    if "\x00" in text:
        raise FileRefused(f"{what}: a NUL byte: not a CSV file")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in columns if c not in header]
    unknown = [h for h in header if h not in columns]
    if missing or unknown:
        raise InvalidInput(
            f"{what}: the columns must be {','.join(columns)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(u[:40] for u in unknown[:5])}" if unknown else "")
        )
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    try:
        for row in reader:
            if None in row or any(v is None for v in row.values()):
                raise InvalidInput(f"{what}: line {reader.line_num} has another number of cells")
            rows.append({k: v.strip() for k, v in row.items()})
            if len(rows) > limit:
                raise FileRefused(f"{what}: more than {limit:,} rows")
    except csv.Error as exc:
        raise InvalidInput(f"{what}: not a readable CSV ({exc})") from None
    return rows


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        return None
    return value


def canonical(value: Decimal) -> str:
    """One text per number (``1.50`` and ``1.5`` are the same value): what is stored."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def parse_definitions(data: bytes) -> list[tuple[Any, ...]]:
    rows = _rows(data, DEFINITION_COLUMNS, "definitions", MAX_INDICATORS)
    errors = _Errors()
    seen: set[str] = set()
    out: list[tuple[Any, ...]] = []
    for line, row in enumerate(rows, start=2):
        code = row["code"]
        if not CODE.fullmatch(code):
            errors.add(line, "code", "1-32 of a-z, 0-9, _ . - (starting with a letter or digit)")
        elif code in seen:
            errors.add(line, "code", f"{code!r} twice in the file")
        seen.add(code)
        for column, length in (("title_uk", 300), ("title_en", 300), ("unit", 40)):
            if not row[column] or len(row[column]) > length:
                errors.add(line, column, f"required, at most {length} characters")
        if len(row["source"]) > 2000:
            errors.add(line, "source", "at most 2,000 characters")
        if row["direction"] not in DIRECTIONS:
            errors.add(line, "direction", "higher or lower")
        if row["periodicity"] not in PERIODS:
            errors.add(line, "periodicity", "year, quarter or month")
        numbers = {c: _decimal(row[c]) for c in ("worst", "best", "weight")}
        for column, number in numbers.items():
            if number is None:
                errors.add(line, column, "a decimal number, like 12.5")
        worst, best, weight = numbers["worst"], numbers["best"], numbers["weight"]
        if weight is not None and weight < 0:
            errors.add(line, "weight", "not negative (0 leaves the indicator out of the index)")
        if worst is not None and best is not None:
            if row["direction"] == "higher" and not best > worst:
                errors.add(line, "best", "higher is better: best must be above worst")
            if row["direction"] == "lower" and not best < worst:
                errors.add(line, "best", "lower is better: best must be below worst")
        if worst is not None and best is not None and weight is not None:
            out.append(
                (
                    code,
                    row["title_uk"],
                    row["title_en"],
                    row["unit"],
                    row["direction"],
                    row["periodicity"],
                    row["source"],
                    canonical(worst),
                    canonical(best),
                    canonical(weight),
                )
            )
    errors.raise_if_any("definitions")
    return out


async def parse_values(data: bytes) -> list[tuple[Any, ...]]:
    rows = _rows(data, VALUE_COLUMNS, "values", MAX_VALUES)
    indicators = {
        r["code"]: (r["id"], r["periodicity"])
        for r in await Indicator.select(Indicator.id, Indicator.code, Indicator.periodicity)
    }
    districts = {r["code"] for r in await District.select(District.code)}
    errors = _Errors()
    seen: set[tuple[str, str, str]] = set()
    out: list[tuple[Any, ...]] = []
    for line, row in enumerate(rows, start=2):
        known = indicators.get(row["indicator"])
        if known is None:
            errors.add(
                line, "indicator", f"no indicator {row['indicator'][:40]!r}: define it first"
            )
            continue
        pattern = PERIODS[known[1]]
        if not pattern.fullmatch(row["period"]):
            errors.add(line, "period", f"a {known[1]} like {_EXAMPLE[known[1]]}")
        if row["district"] and row["district"] not in districts:
            errors.add(line, "district", f"no district {row['district'][:64]!r}")
        value = _decimal(row["value"])
        if value is None:
            errors.add(line, "value", "a decimal number, like 12.5")
        key = (row["indicator"], row["period"], row["district"])
        if key in seen:
            errors.add(line, "period", "this indicator, period and district twice in the file")
        seen.add(key)
        if value is not None:
            out.append((known[0], row["period"], row["district"], canonical(value)))
    errors.raise_if_any("values")
    return out


_EXAMPLE = {"year": "2025", "quarter": "2025-Q1", "month": "2025-03"}


async def _refuse_new_periodicity(parsed: list[tuple[Any, ...]]) -> None:
    """An indicator with values keeps its periodicity: its periods would stop making sense."""
    wanted = {row[0]: row[5] for row in parsed}
    current = await Indicator.select(Indicator.id, Indicator.code, Indicator.periodicity).where(
        Indicator.code.is_in(list(wanted))
    )
    for row in current:
        if row["periodicity"] != wanted[row["code"]]:
            has_values = await IndicatorValue.exists().where(IndicatorValue.indicator == row["id"])
            if has_values:
                raise InvalidInput(
                    f"definitions: {row['code']!r} has {row['periodicity']} values; its "
                    "periodicity cannot change (define a new indicator instead)",
                    errors=[{"where": "file", "name": "periodicity", "message": row["code"]}],
                )


async def import_indicators(
    definitions: bytes | None = None, values: bytes | None = None
) -> IndicatorImport:
    """Definitions first, then values (which may name the indicators just defined), in one
    transaction; the three datasets are queued for publishing with it."""
    parsed = parse_definitions(definitions) if definitions is not None else []
    stored = 0
    async with db.write_transaction():
        if parsed:
            await _refuse_new_periodicity(parsed)
            await db.bulk_upsert(
                "indicator",
                INDICATOR_FIELDS,
                parsed,
                key="code",
            )
        if values is not None:
            rows = await parse_values(values)
            for start in range(0, len(rows), 5000):
                await db.bulk_upsert(
                    "indicator_value",
                    ("indicator", "period", "district", "value"),
                    rows[start : start + 5000],
                    key=("indicator", "period", "district"),
                )
            stored = len(rows)
        jobs = [await queue_publish(slug) for slug in DATASETS]
    return IndicatorImport(definitions=len(parsed), values=stored, publish_jobs=jobs)
