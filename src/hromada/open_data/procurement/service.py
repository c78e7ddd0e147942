"""Reading tenders: one query per list (and one for a page's winners), money in exact
kopecks until the wire."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from hromada.errors import InvalidInput, NotFound
from hromada.open_data.budget.service import percent, uah
from hromada.open_data.procurement.importing import EDRPOU, ID, STATUSES, TENDER_ID
from hromada.open_data.procurement.savings import RULE
from hromada.open_data.procurement.schemas import SavingsOut, SavingsPage, TenderOut, WinnerOut
from hromada.open_data.procurement.tables import Tender, TenderWinner
from hromada.paging import Page, check_limit, decode_cursor, make_page

MAX_PAGE = 500
GROUPS = ("entity", "year")
CPV_PREFIX = re.compile(r"\d{1,8}")


def tender_url(ident: str) -> str:
    """Where a tender is in this API, by its id or its tenderID (a participatory-budget
    milestone's ``prozorro_id`` is one): the one place of the rule."""
    return f"/api/v1/procurement/tenders/{ident}"


def _bad(name: str, message: str) -> InvalidInput:
    return InvalidInput(
        f"{name}: {message}", errors=[{"where": "query", "name": name, "message": message}]
    )


def _check(entity: str | None = None, year: int | None = None, status: str | None = None) -> None:
    """The filters every list shares, each when given: one rule for REST and GraphQL."""
    if entity is not None and not EDRPOU.fullmatch(entity):
        raise _bad("entity", "an EDRPOU code, 8 digits")
    if year is not None and not 2000 <= year <= 2100:
        raise _bad("year", "a year")
    if status is not None and status not in STATUSES:
        raise _bad("status", "one of " + ", ".join(STATUSES))


async def _winners(ids: list[str]) -> dict[str, list[WinnerOut]]:
    out: dict[str, list[WinnerOut]] = defaultdict(list)
    if not ids:
        return out
    rows = (
        await TenderWinner.select()
        .where(TenderWinner.tender.is_in(ids))
        .order_by(TenderWinner.tender)
        .order_by(TenderWinner.id)
    )
    for r in rows:
        out[r["tender"]].append(
            WinnerOut(
                kind=r["kind"],
                edrpou=r["edrpou"],
                name=r["name"],
                amount=uah(r["amount"]) or "0.00",
                currency=r["currency"],
                date=r["date"],
            )
        )
    return out


def _out(row: dict[str, Any], winners: list[WinnerOut]) -> TenderOut:
    return TenderOut(
        id=row["id"],
        tender_id=row["tender_id"],
        title=row["title"],
        status=row["status"],
        entity_edrpou=row["entity_edrpou"],
        entity_name=row["entity_name"],
        cpv=row["cpv"],
        expected_value=uah(row["expected_amount"]) or "0.00",
        currency=row["currency"],
        awarded_value=uah(row["awarded_amount"]),
        awarded_currency=row["awarded_currency"],
        savings=uah(row["savings"]),
        savings_pct=percent(row["savings"], row["expected_amount"]),
        year=row["year"],
        date_created=row["date_created"],
        date_modified=row["date_modified"],
        tender_start=row["tender_start"],
        tender_end=row["tender_end"],
        winners=winners,
        url=tender_url(row["id"]),
        prozorro_url=f"https://prozorro.gov.ua/tender/{row['tender_id']}",
    )


async def tenders(
    *,
    entity: str | None = None,
    year: int | None = None,
    status: str | None = None,
    cpv: str | None = None,
    limit: int,
    cursor: str | None,
) -> Page[TenderOut]:
    """Tenders by procuring entity, year, status and CPV (a prefix takes its branch: ``45``
    is all construction works), in id order."""
    _check(entity, year, status)
    if cpv is not None and not CPV_PREFIX.fullmatch(cpv):
        raise _bad("cpv", "the digits of a CPV code, or its first digits")
    limit = check_limit(limit, MAX_PAGE)
    where: Any = Tender.id.is_not_null()
    if entity:
        where &= Tender.entity_edrpou == entity
    if year is not None:
        where &= Tender.year == year
    if status:
        where &= Tender.status == status
    if cpv:
        where &= Tender.cpv.like(cpv + "%")
    after = decode_cursor(cursor, 1, (str,))
    if after is not None:
        where &= Tender.id > after[0]
    rows = await Tender.select().where(where).order_by(Tender.id).limit(limit + 1)
    page = make_page(rows, limit, key=lambda r: [r["id"]])
    winners = await _winners([r["id"] for r in page.items])
    return Page(
        items=[_out(r, winners.get(r["id"], [])) for r in page.items], next_cursor=page.next_cursor
    )


async def tender(ident: str) -> TenderOut:
    """One tender by its ProZorro id or its tenderID (UA-…)."""
    if ID.fullmatch(ident):
        row = await Tender.select().where(Tender.id == ident).first()
    elif TENDER_ID.fullmatch(ident):
        row = await Tender.select().where(Tender.tender_id == ident).first()
    else:
        row = None
    if row is None:
        raise NotFound(f"no tender {ident[:40]!r} (a ProZorro id or tenderID)")
    return _out(row, (await _winners([row["id"]])).get(row["id"], []))


async def savings(
    *,
    group: str = "entity",
    entity: str | None = None,
    year: int | None = None,
    limit: int = MAX_PAGE,
    cursor: str | None = None,
) -> SavingsPage:
    """Savings of the counted tenders (``savings.RULE``) per procuring entity or per year,
    in key order."""
    if group not in GROUPS:
        raise _bad("group", "entity or year")
    _check(entity, year)
    limit = check_limit(limit, MAX_PAGE)
    column = "entity_edrpou" if group == "entity" else "year"
    conditions: list[str] = ["savings IS NOT NULL"]
    args: list[Any] = []
    if entity:
        conditions.append("entity_edrpou = {}")
        args.append(entity)
    if year is not None:
        conditions.append("year = {}")
        args.append(year)
    after = decode_cursor(cursor, 1, (str,) if group == "entity" else (int,))
    if after is not None:
        conditions.append(f"{column} > {{}}")
        args.append(after[0])
    rows = await Tender.raw(
        f"SELECT {column} AS key, MAX(entity_name) AS name, COUNT(*) AS tenders, "  # noqa: S608
        "SUM(expected_amount) AS expected, SUM(awarded_amount) AS awarded, "
        "SUM(savings) AS savings FROM procurement_tender "
        f"WHERE {' AND '.join(conditions)} GROUP BY {column} ORDER BY {column} "
        f"LIMIT {limit + 1}",
        *args,
    )
    page = make_page(rows, limit, key=lambda r: [r["key"]])
    items = [
        SavingsOut(
            key=str(r["key"]),
            entity_name=r["name"] if group == "entity" else None,
            tenders=int(r["tenders"]),
            expected_value=uah(int(r["expected"])) or "0.00",
            awarded_value=uah(int(r["awarded"])) or "0.00",
            savings=uah(int(r["savings"])) or "0.00",
            savings_pct=percent(int(r["savings"]), int(r["expected"])),
        )
        for r in page.items
    ]
    return SavingsPage(rule=RULE, items=items, next_cursor=page.next_cursor)


def iter_rows() -> Any:
    """The dataset's rows: every tender in id order, its winners joined by "; "."""

    async def rows() -> AsyncIterator[dict[str, Any]]:
        after = ""
        while True:
            batch = await Tender.select().where(Tender.id > after).order_by(Tender.id).limit(1000)
            if not batch:
                return
            winners = await _winners([r["id"] for r in batch])
            for row in batch:
                out = _out(row, winners.get(row["id"], []))
                yield {
                    "id": out.id,
                    "tender_id": out.tender_id,
                    "title": out.title,
                    "status": out.status,
                    "entity_edrpou": out.entity_edrpou,
                    "entity_name": out.entity_name,
                    "cpv": out.cpv,
                    "expected_value": _number(out.expected_value),
                    "currency": out.currency,
                    "awarded_value": _number(out.awarded_value),
                    "awarded_currency": out.awarded_currency,
                    "savings": _number(out.savings),
                    "date_created": out.date_created,
                    "date_modified": out.date_modified,
                    "winner_kinds": "; ".join(w.kind for w in out.winners) or None,
                    "winner_edrpou": "; ".join(w.edrpou for w in out.winners if w.edrpou) or None,
                    "winner_names": "; ".join(w.name for w in out.winners if w.name) or None,
                }
            after = batch[-1]["id"]

    return rows


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)
