"""Importing openbudget.gov.ua execution exports, unchanged, all or nothing.

An export is a CSV of one kind: expenses by economic code (``COD_CONS_EK``) or incomes by
income code (``COD_INCO``), one row per budget, code, fund and month, with the year's
amended plan, the plan to date and the execution to date (cumulative since January).
Columns other than the known ones mean the export changed: refused, nothing written.

Budget codes: the exports write a city's budget code in 11 digits up to 2022 and in 10
from 2023 (``20554000000`` and ``2055400000`` are Kharkiv's); both are kept as the 10-digit
code, so a city's years line up. Amounts: plans must not be negative; executed amounts
may be (refunds of overpaid taxes make a month's income negative in the real exports).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from hromada import db
from hromada.errors import FileRefused, InvalidInput
from hromada.open_data.budget import search
from hromada.open_data.budget.tables import BudgetLine
from hromada.open_data.catalog.jobs import queue_publish

# Kind -> (its code column, its name column).
KINDS = {"expense": ("COD_CONS_EK", "COD_CONS_EK_NAME"), "income": ("COD_INCO", "NAME_INC")}
COMMON = ("REP_PERIOD", "FUND_TYP", "COD_BUDGET", "ZAT_AMT", "PLANS_AMT", "FAKT_AMT")
# Sub-fund breakdowns and the city's name some exports add: read past, never required.
OPTIONAL = frozenset(
    {
        "FAKT_V2MB_AMT", "FAKTSIK_AMT", "FAKTSIK_V2MB_AMT", "FAKTSPP_AMT",
        "FAKTSPP_V2MB_AMT", "FAKTSID_AMT", "FAKTSID_V2MB_AMT", "CITY",
    }
)  # fmt: skip
FUNDS = ("C", "S", "T")
MAX_AMOUNT = Decimal(10) ** 14  # UAH: a hundred trillion, beyond any city's budget
MAX_ERRORS = 50


@dataclass
class BudgetImport:
    kind: str
    rows: int
    budgets: list[str]
    periods: tuple[str, str]
    codes: int
    publish_job: int | None = None


def _kind_of(header: list[str]) -> str:
    columns = set(header)
    for kind, (code, name) in KINDS.items():
        if code in columns:
            wanted = {*COMMON, code, name}
            missing = sorted(wanted - columns)
            unknown = sorted(columns - wanted - OPTIONAL)
            if missing or unknown:
                raise FileRefused(
                    "the export's columns changed: "
                    + "; ".join(
                        part
                        for part in (
                            f"missing {', '.join(missing)}" if missing else "",
                            f"unknown {', '.join(unknown[:10])}" if unknown else "",
                        )
                        if part
                    ),
                    errors=[{"where": "header", "name": c, "message": "missing"} for c in missing]
                    + [{"where": "header", "name": c, "message": "unknown"} for c in unknown[:10]],
                )
            if len(header) != len(columns):
                raise FileRefused("the export repeats a column")
            return kind
    raise FileRefused(
        "not an openbudget.gov.ua execution export: no COD_CONS_EK (expenses by economic "
        "code) or COD_INCO (incomes) column"
    )


def budget_code(raw: str) -> str | None:
    code = raw.strip()
    if len(code) == 11 and code.isdigit() and code.endswith("0"):
        code = code[:10]
    return code if len(code) == 10 and code.isdigit() else None


def kopecks(raw: str) -> int | None:
    """UAH as written ("43741480.0", "-5361265.3") in kopecks; "" is no figure. Raises
    ValueError for anything else (words, NaN, exponents, more than two decimals)."""
    text = raw.strip()
    if not text:
        return None
    if any(c not in "0123456789.-" for c in text):
        raise ValueError("not an amount")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("not an amount") from None
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise ValueError("not an amount")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError("more than two decimals")
    return int(cents)


def _period(raw: str) -> dt.date:
    day = dt.date.fromisoformat(raw.strip())
    following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    if day != following - dt.timedelta(days=1):
        raise ValueError("not the last day of a month")
    return day


def parse(data: bytes) -> tuple[str, list[tuple[Any, ...]], dict[str, str]]:
    """The export's rows as ``budget_line`` rows and its codes with their names; every
    problem found (up to MAX_ERRORS) in one InvalidInput, with the line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("the export is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise FileRefused("the export is empty")
    kind = _kind_of([h.strip() for h in header])
    at = {h.strip(): i for i, h in enumerate(header)}
    code_col, name_col = KINDS[kind]
    rows: list[tuple[Any, ...]] = []
    names: dict[str, str] = {}
    seen: dict[tuple[str, str, str, dt.date], int] = {}
    errors: list[dict[str, Any]] = []

    def bad(line: int, name: str, message: str) -> None:
        if len(errors) < MAX_ERRORS:
            errors.append({"where": f"line {line}", "name": name, "message": message})

    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            bad(line, "", f"{len(record)} cells, the header has {len(header)}")
            continue
        cell = {name: record[i] for name, i in at.items()}
        try:
            period = _period(cell["REP_PERIOD"])
        except ValueError as exc:
            bad(line, "REP_PERIOD", f"{cell['REP_PERIOD'][:20]!r}: {exc}")
            continue
        budget = budget_code(cell["COD_BUDGET"])
        if budget is None:
            bad(line, "COD_BUDGET", f"{cell['COD_BUDGET'][:20]!r} is not a budget code")
            continue
        fund = cell["FUND_TYP"].strip()
        if fund not in FUNDS:
            bad(line, "FUND_TYP", f"{fund[:10]!r}: C (general), S (special) or T (total)")
            continue
        code = cell[code_col].strip()
        if not code.isdigit() or len(code) > 8:
            bad(line, code_col, f"{code[:20]!r} is not a classification code")
            continue
        name = " ".join(cell[name_col].split())
        if not name or len(name) > 2000:
            bad(line, name_col, "the code's name is missing or longer than 2,000 characters")
            continue
        names[code] = name  # a code renamed in a later month keeps its latest name
        amounts: list[int | None] = []
        for column in ("ZAT_AMT", "PLANS_AMT", "FAKT_AMT"):
            try:
                amount = kopecks(cell[column])
            except ValueError as exc:
                bad(line, column, f"{cell[column][:30]!r}: {exc}")
                break
            if amount is not None and amount < 0 and column != "FAKT_AMT":
                bad(line, column, "a plan cannot be negative")
                break
            amounts.append(amount)
        if len(amounts) != 3:
            continue
        key = (budget, code, fund, period)
        if key in seen:
            bad(line, "REP_PERIOD", f"the same month, code and fund as line {seen[key]}")
            continue
        seen[key] = line
        rows.append((kind, budget, code, fund, period, period.year, period.month, *amounts))
    if errors:
        raise InvalidInput(
            f"the export has {len(errors)}{'+' if len(errors) == MAX_ERRORS else ''} "
            "problem(s); nothing was imported",
            errors=errors,
        )
    if not rows:
        raise InvalidInput("the export has no rows")
    return kind, rows, names


COLUMNS = ("kind", "budget", "code", "fund", "period", "year", "month",
           "plan_year", "plan_to_date", "fact_to_date")  # fmt: skip


async def import_export(data: bytes) -> BudgetImport:
    """Write one export: its lines (a re-import of a month replaces it), its codes' names,
    and each affected year's monthly figures derived again."""
    kind, rows, names = parse(data)
    async with db.write_transaction():
        for start in range(0, len(rows), 5000):
            await db.bulk_upsert(
                "budget_line",
                COLUMNS,
                rows[start : start + 5000],
                key=("kind", "budget", "code", "fund", "period"),
            )
        await db.bulk_upsert(
            "budget_code",
            ("kind", "code", "name"),
            [(kind, code, name) for code, name in sorted(names.items())],
            key=("kind", "code"),
        )
        years = sorted({(r[1], r[5]) for r in rows})
        for budget, year in years:
            await _derive_months(kind, budget, year)
        await search.changed({(r[1], kind, r[5], r[2]) for r in rows})
        job = await queue_publish(f"budget-{kind}s")
    periods = sorted({r[4] for r in rows})
    return BudgetImport(
        kind=kind,
        rows=len(rows),
        budgets=sorted({r[1] for r in rows}),
        periods=(periods[0].isoformat(), periods[-1].isoformat()),
        codes=len(names),
        publish_job=job,
    )


async def _derive_months(kind: str, budget: str, year: int) -> None:
    """Each month's execution: this month's year-to-date figure less last month's; January
    is its own; a month whose predecessor is missing stays unknown (null), never guessed."""
    lines = await BudgetLine.select(
        BudgetLine.id, BudgetLine.code, BudgetLine.fund, BudgetLine.month, BudgetLine.fact_to_date
    ).where((BudgetLine.kind == kind) & (BudgetLine.budget == budget) & (BudgetLine.year == year))
    series: dict[tuple[str, str], dict[int, tuple[int, int | None]]] = defaultdict(dict)
    for line in lines:
        series[(line["code"], line["fund"])][line["month"]] = (line["id"], line["fact_to_date"])
    updates: list[tuple[int | None, int]] = []
    for months in series.values():
        for month, (line_id, to_date) in months.items():
            if month == 1:
                value = to_date
            elif month - 1 in months and to_date is not None:
                before = months[month - 1][1]
                value = None if before is None else to_date - before
            else:
                value = None
            updates.append((value, line_id))
    await db.execute_many("UPDATE budget_line SET fact_month = {} WHERE id = {}", updates)
