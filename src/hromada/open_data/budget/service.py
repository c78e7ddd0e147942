"""Reading budget execution: one query per list, money in exact kopecks until the wire."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hromada.errors import InvalidInput
from hromada.open_data.budget.importing import FUNDS, KINDS
from hromada.open_data.budget.schemas import ChangeOut, CodeOut, GroupOut, LineOut
from hromada.open_data.budget.tables import BudgetCode, BudgetLine
from hromada.paging import Page, check_limit, decode_cursor, make_page

MAX_PAGE = 500


def uah(kopecks: int | None) -> str | None:
    if kopecks is None:
        return None
    sign = "-" if kopecks < 0 else ""
    whole, part = divmod(abs(kopecks), 100)
    return f"{sign}{whole}.{part:02d}"


def percent(part: int | None, whole: int | None) -> str | None:
    if part is None or not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return str(value)


def _bad(name: str, message: str) -> InvalidInput:
    return InvalidInput(
        f"{name}: {message}", errors=[{"where": "query", "name": name, "message": message}]
    )


async def _names(kind: str | None = None) -> dict[tuple[str, str], str]:
    query = BudgetCode.select(BudgetCode.kind, BudgetCode.code, BudgetCode.name)
    if kind:
        query = query.where(BudgetCode.kind == kind)
    return {(r["kind"], r["code"]): r["name"] for r in await query}


def _out(row: dict[str, Any], names: dict[tuple[str, str], str]) -> LineOut:
    return LineOut(
        budget=row["budget"],
        kind=row["kind"],
        code=row["code"],
        name=names.get((row["kind"], row["code"]), ""),
        fund=row["fund"],
        year=row["year"],
        month=row["month"],
        plan_year=uah(row["plan_year"]),
        plan_to_date=uah(row["plan_to_date"]),
        fact_to_date=uah(row["fact_to_date"]),
        fact_month=uah(row["fact_month"]),
        execution_pct=percent(row["fact_to_date"], row["plan_to_date"]),
    )


async def lines(
    *,
    kind: str = "expense",
    budget: str | None = None,
    year: int | None = None,
    month: int | None = None,
    fund: str | None = None,
    code: str | None = None,
    limit: int,
    cursor: str | None,
) -> Page[LineOut]:
    """Execution lines by budget, year, month, fund and code (a code's prefix takes its
    whole branch: ``22`` is every purchase of goods and services), in key order."""
    _check(kind, fund, year, month)
    if code is not None and (not code.isdigit() or len(code) > 8):
        raise _bad("code", "digits of a classification code")
    limit = check_limit(limit, MAX_PAGE)
    where: Any = BudgetLine.kind == kind
    if budget:
        where &= BudgetLine.budget == budget[:10]
    if year is not None:
        where &= BudgetLine.year == year
    if month is not None:
        where &= BudgetLine.month == month
    if fund:
        where &= BudgetLine.fund == fund
    if code:
        where &= BudgetLine.code.like(code + "%")
    after = decode_cursor(cursor, 1, (int,))
    if after is not None:
        where &= BudgetLine.id > after[0]
    rows = await BudgetLine.select().where(where).order_by(BudgetLine.id).limit(limit + 1)
    page = make_page(rows, limit, key=lambda r: [r["id"]])
    names = await _names(kind)
    return Page(items=[_out(r, names) for r in page.items], next_cursor=page.next_cursor)


async def codes(kind: str) -> list[CodeOut]:
    _check(kind)
    rows = await BudgetCode.select().where(BudgetCode.kind == kind).order_by(BudgetCode.code)
    return [CodeOut(kind=r["kind"], code=r["code"], name=r["name"]) for r in rows]


def iter_rows(kind: str) -> Any:
    """A dataset's rows: every line of ``kind`` in key order (budget, code, fund, period)."""

    async def rows() -> AsyncIterator[dict[str, Any]]:
        names = await _names(kind)
        after: tuple[str, str, str, Any] | None = None
        while True:
            query = BudgetLine.select().where(BudgetLine.kind == kind)
            if after is not None:
                query = query.where(
                    (BudgetLine.budget > after[0])
                    | ((BudgetLine.budget == after[0]) & (BudgetLine.code > after[1]))
                    | (
                        (BudgetLine.budget == after[0])
                        & (BudgetLine.code == after[1])
                        & (BudgetLine.fund > after[2])
                    )
                    | (
                        (BudgetLine.budget == after[0])
                        & (BudgetLine.code == after[1])
                        & (BudgetLine.fund == after[2])
                        & (BudgetLine.period > after[3])
                    )
                )
            batch = (
                await query.order_by(BudgetLine.budget)
                .order_by(BudgetLine.code)
                .order_by(BudgetLine.fund)
                .order_by(BudgetLine.period)
                .limit(2000)
            )
            if not batch:
                return
            for row in batch:
                yield {
                    "budget": row["budget"],
                    "code": row["code"],
                    "name": names.get((kind, row["code"]), ""),
                    "fund": row["fund"],
                    "period": row["period"],
                    **{
                        name: None if row[name] is None else Decimal(row[name]) / 100
                        for name in ("plan_year", "plan_to_date", "fact_to_date", "fact_month")
                    },
                }
            last = batch[-1]
            after = (last["budget"], last["code"], last["fund"], last["period"])

    return rows


def _check(
    kind: str, fund: str | None = None, year: int | None = None, month: int | None = None
) -> None:
    """The query's kind, fund, year and month, each when given: one rule for every list."""
    if kind not in KINDS:
        raise _bad("kind", "expense or income")
    if fund is not None and fund not in FUNDS:
        raise _bad("fund", "C (general), S (special) or T (total)")
    if month is not None and not 1 <= month <= 12:
        raise _bad("month", "1 to 12")
    if year is not None and not 1990 <= year <= 2100:
        raise _bad("year", "a year")


async def _month_rows(
    kind: str, budget: str, fund: str, year: int, month: int
) -> list[dict[str, Any]]:
    return await BudgetLine.select(
        BudgetLine.code, BudgetLine.plan_year, BudgetLine.plan_to_date, BudgetLine.fact_to_date
    ).where(
        (BudgetLine.kind == kind) & (BudgetLine.budget == budget[:10]) & (BudgetLine.fund == fund)
        & (BudgetLine.year == year) & (BudgetLine.month == month)
    )  # fmt: skip


async def tree(
    *, kind: str, budget: str, year: int, month: int, fund: str = "T", level: int = 1
) -> list[GroupOut]:
    """The month's figures summed by the first ``level`` digits of the code: 1 gives
    current (2…) and capital (3…) spending, 2 labour (21…), goods and services (22…) and
    so on; 4 is every code. The exports' codes do not nest (no code is another's
    branch), so the sums count each amount once."""
    _check(kind, fund, year, month)
    if not 1 <= level <= 8:
        raise _bad("level", "1 to 8 digits")
    names = await _names(kind)
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in await _month_rows(kind, budget, fund, year, month):
        groups.setdefault(row["code"][:level], []).append(row)
    out = []
    for prefix, rows in sorted(groups.items()):
        first = min(r["code"] for r in rows)
        sums = {
            name: sum(r[name] or 0 for r in rows)
            for name in ("plan_year", "plan_to_date", "fact_to_date")
        }
        out.append(
            GroupOut(
                prefix=prefix,
                name=names.get((kind, prefix)) or names.get((kind, first), ""),
                codes=len(rows),
                plan_year=uah(sums["plan_year"]) or "0.00",
                plan_to_date=uah(sums["plan_to_date"]) or "0.00",
                fact_to_date=uah(sums["fact_to_date"]) or "0.00",
                execution_pct=percent(sums["fact_to_date"], sums["plan_to_date"]),
            )
        )
    return out


async def changes(
    *, kind: str, budget: str, year: int, month: int, fund: str = "T", limit: int = 20
) -> list[ChangeOut]:
    """Year over year: each code's execution to ``month`` against the same months of the
    year before, the largest changes (either way) first."""
    _check(kind, fund, year, month)
    limit = check_limit(limit, 100)
    names = await _names(kind)
    now = {r["code"]: r["fact_to_date"] for r in await _month_rows(kind, budget, fund, year, month)}
    before = {
        r["code"]: r["fact_to_date"] for r in await _month_rows(kind, budget, fund, year - 1, month)
    }
    out = []
    for code in sorted(set(now) | set(before)):
        current, previous = now.get(code), before.get(code)
        delta = None if current is None or previous is None else current - previous
        out.append(
            ChangeOut(
                code=code,
                name=names.get((kind, code), ""),
                fact_to_date=uah(current),
                fact_year_before=uah(previous),
                change=uah(delta),
                change_pct=percent(delta, previous) if previous else None,
            )
        )
    out.sort(key=lambda c: (-abs(Decimal(c.change)) if c.change else Decimal(0), c.code))
    return out[:limit]
