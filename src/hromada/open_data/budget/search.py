"""What the budget puts in the search index: a budget line, one per budget, kind (expense
or income), year and code, with the year's figures as the latest month gives them.

The id is ``<budget>-<kind>-<year>-<code>``: budget codes are ten digits and years four,
so ids sort as the key does and the scan pages by the key."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from hromada.open_data.budget.tables import BudgetCode, BudgetLine
from hromada.search import outbox
from hromada.search.port import Document, DocumentType, Field

DOC_TYPE = "budget-line"
KIND_LABELS = {"expense": "видатки", "income": "доходи"}
_MAX_ID = 40  # 10 + 7 + 4 + 8 and the dashes


def line_id(budget: str, kind: str, year: int, code: str) -> str:
    return f"{budget}-{kind}-{year}-{code}"


def _key(ident: str) -> tuple[str, str, int, str] | None:
    parts = ident.split("-") if len(ident) <= _MAX_ID else []
    if len(parts) != 4 or parts[1] not in KIND_LABELS or not parts[2].isascii():
        return None
    budget, kind, year, code = parts
    if not (budget.isascii() and budget.isdigit() and year.isdigit() and code.isalnum()):
        return None
    return budget, kind, int(year), code


async def _kinds() -> Collection[str]:
    return tuple(KIND_LABELS)


def _whole(kopecks: int | None) -> int | None:
    return None if kopecks is None else kopecks // 100


async def _load(ids: Sequence[str]) -> list[Document]:
    keys = {key for key in map(_key, dict.fromkeys(ids)) if key is not None}
    if not keys:
        return []
    # A superset by each part of the key (few budgets, years and codes), cut to the keys.
    rows = await BudgetLine.select(
        BudgetLine.budget,
        BudgetLine.kind,
        BudgetLine.year,
        BudgetLine.code,
        BudgetLine.fund,
        BudgetLine.period,
        BudgetLine.plan_year,
        BudgetLine.fact_to_date,
    ).where(
        BudgetLine.budget.is_in(sorted({k[0] for k in keys}))
        & BudgetLine.year.is_in(sorted({k[2] for k in keys}))
        & BudgetLine.code.is_in(sorted({k[3] for k in keys}))
    )
    names = {
        (r["kind"], r["code"]): r["name"]
        for r in await BudgetCode.select(BudgetCode.kind, BudgetCode.code, BudgetCode.name).where(
            BudgetCode.code.is_in(sorted({k[3] for k in keys}))
        )
    }
    latest: dict[tuple[str, str, int, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["budget"], row["kind"], row["year"], row["code"])
        if key not in keys:
            continue
        # The latest month; in it the total fund (T) when the export has one, else the
        # general fund (C), which every export carries.
        rank = (row["period"], {"T": 2, "C": 1}.get(row["fund"], 0))
        held = latest.get(key)
        if held is None or rank > held["rank"]:
            latest[key] = {**row, "rank": rank}
    documents = []
    for (budget, kind, year, code), row in sorted(latest.items()):
        name = names.get((kind, code), "")
        documents.append(
            {
                "id": line_id(budget, kind, year, code),
                "title": f"{code} {name}".strip(),
                "body": f"{name} · {KIND_LABELS[kind]} {year} · бюджет {budget}",
                "budget_kind": kind,
                "budget": budget,
                "year": year,
                "plan_uah": _whole(row["plan_year"]),
                "executed_uah": _whole(row["fact_to_date"]),
            }
        )
    return documents


async def _scan(after: str | None, limit: int) -> list[str]:
    start = _key(after) if after is not None else None
    where, values = "", []
    if start is not None:
        where = "WHERE (budget, kind, year, code) > ({}, {}, {}, {})"
        values = list(start)
    rows = await BudgetLine.raw(
        # Only placeholders go into the text.
        "SELECT DISTINCT budget, kind, year, code FROM budget_line "  # noqa: S608
        f"{where} ORDER BY budget, kind, year, code LIMIT {{}}",
        *values,
        limit,
    )
    return [line_id(r["budget"], r["kind"], r["year"], r["code"]) for r in rows]


async def changed(keys: Collection[tuple[str, str, int, str]]) -> None:
    """Queue the documents of these lines (inside the import's transaction)."""
    await outbox.enqueue(DOC_TYPE, sorted(line_id(*key) for key in keys))


BUDGET_LINE = DocumentType(
    name=DOC_TYPE,
    label_uk="Рядок бюджету",
    label_en="Budget line",
    fields=(
        Field("body", "text", searchable=True, crop=True),
        Field("budget_kind", "keyword", filterable=True, facet=True, values=_kinds),
        Field("budget", "keyword", filterable=True),
        Field("year", "int", filterable=True, sortable=True),
        Field("plan_uah", "int", filterable=True, sortable=True),
        Field("executed_uah", "int", filterable=True, sortable=True),
    ),
    load=_load,
    scan=_scan,
)
DOCUMENT_TYPES = (BUDGET_LINE,)
