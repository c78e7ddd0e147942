"""Indicators and the city index: the only place their queries live.

The index is computed when asked, a page of (period, district) places at a time: the
work of an answer is bounded by its page and the number of indicators, whatever the
history holds (``index.py`` has the method).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from hromada.errors import InvalidInput, NotFound
from hromada.open_data.indicators import index
from hromada.open_data.indicators.schemas import IndexOut, IndicatorOut, MethodOut, ValueOut
from hromada.open_data.indicators.tables import INDICATOR_FIELDS, Indicator, IndicatorValue
from hromada.paging import Page, check_limit, decode_cursor, encode_cursor, make_page

MAX_PAGE = 500
MAX_INDEX_PAGE = 100
_FIELDS = INDICATOR_FIELDS


def _out(row: dict[str, Any]) -> IndicatorOut:
    return IndicatorOut(**{f: row[f] for f in _FIELDS})


async def list_indicators(*, limit: int, cursor: str | None) -> Page[IndicatorOut]:
    check_limit(limit, MAX_PAGE)
    after = decode_cursor(cursor, 1, (str,))
    query = Indicator.select().order_by(Indicator.code).limit(limit + 1)
    if after:
        query = query.where(Indicator.code > after[0])
    page = make_page([_out(r) for r in await query], limit, lambda i: (i.code,))
    page.total = await Indicator.count()
    return page


async def get_indicator(code: str) -> IndicatorOut:
    rows = await Indicator.select().where(Indicator.code == code[:64])
    if not rows:
        raise NotFound(f"no indicator {code[:64]!r}")
    return _out(rows[0])


async def values(
    code: str, *, district: str | None, limit: int, cursor: str | None
) -> Page[ValueOut]:
    """An indicator's values, oldest period first (then district: empty, the whole city,
    first); ``district`` keeps one place ("" the whole city)."""
    check_limit(limit, MAX_PAGE)
    found = await Indicator.select(Indicator.id).where(Indicator.code == code[:64])
    if not found:
        raise NotFound(f"no indicator {code[:64]!r}")
    after = decode_cursor(cursor, 2, (str, str))
    query = (
        IndicatorValue.select(IndicatorValue.period, IndicatorValue.district, IndicatorValue.value)
        .where(IndicatorValue.indicator == found[0]["id"])
        .order_by(IndicatorValue.period, IndicatorValue.district)
        .limit(limit + 1)
    )
    if district is not None:
        query = query.where(IndicatorValue.district == district[:64])
    if after:
        period, place = after
        query = query.where(
            (IndicatorValue.period > period)
            | ((IndicatorValue.period == period) & (IndicatorValue.district > place))
        )
    rows = [ValueOut(indicator=code, **r) for r in await query]
    return make_page(rows, limit, lambda v: (v.period, v.district))


async def _goalposts() -> dict[int, tuple[str, str, index.Goalposts]]:
    rows = await Indicator.select(
        Indicator.id,
        Indicator.code,
        Indicator.periodicity,
        Indicator.worst,
        Indicator.best,
        Indicator.weight,
    )
    return {
        r["id"]: (
            r["code"],
            r["periodicity"],
            index.Goalposts(Decimal(r["worst"]), Decimal(r["best"]), Decimal(r["weight"])),
        )
        for r in rows
    }


async def city_index(
    *, period: str | None, district: str | None, limit: int, cursor: str | None
) -> Page[IndexOut]:
    """The index of each period and place that has values, in (period, district) order."""
    check_limit(limit, MAX_INDEX_PAGE)
    if period is not None and index.periodicity_of(period[:16]) is None:
        raise InvalidInput(
            "period is a year (2025), a quarter (2025-Q1) or a month (2025-03)",
            errors=[{"where": "query", "name": "period", "message": "not a period"}],
        )
    after = decode_cursor(cursor, 2, (str, str))
    places = IndicatorValue.select(IndicatorValue.period, IndicatorValue.district).distinct()
    if period is not None:
        places = places.where(IndicatorValue.period == period)
    if district is not None:
        places = places.where(IndicatorValue.district == district[:64])
    if after:
        places = places.where(
            (IndicatorValue.period > after[0])
            | ((IndicatorValue.period == after[0]) & (IndicatorValue.district > after[1]))
        )
    keys = [
        (r["period"], r["district"])
        for r in await places.order_by(IndicatorValue.period, IndicatorValue.district).limit(
            limit + 1
        )
    ]
    shown = keys[:limit]
    posts = await _goalposts()
    by_place: dict[tuple[str, str], list[tuple[Decimal, index.Goalposts]]] = defaultdict(list)
    counted: dict[tuple[str, str], list[str]] = defaultdict(list)
    if shown:
        periods = sorted({p for p, _ in shown})
        rows = await IndicatorValue.select(
            IndicatorValue.indicator, IndicatorValue.period, IndicatorValue.district,
            IndicatorValue.value,
        ).where(IndicatorValue.period.is_in(periods))  # fmt: skip
        wanted = set(shown)
        for row in rows:
            place = (row["period"], row["district"])
            known = posts.get(row["indicator"])
            if place not in wanted or known is None or known[2].weight == 0:
                continue
            by_place[place].append((Decimal(row["value"]), known[2]))
            counted[place].append(known[0])
    items = []
    for place in shown:
        kind = index.periodicity_of(place[0])
        total = sum(1 for _, p, g in posts.values() if p == kind and g.weight > 0)
        value = index.composite(by_place[place])
        items.append(
            IndexOut(
                period=place[0],
                district=place[1],
                index=index.published(value) if value is not None else None,
                indicators_counted=len(counted[place]),
                indicators_total=total,
                indicators=sorted(counted[place]),
            )
        )
    more = len(keys) > limit and bool(shown)
    return Page(items=items, next_cursor=encode_cursor(shown[-1]) if more else None)


async def method() -> MethodOut:
    posts = await _goalposts()
    return MethodOut(
        **index.METHOD,
        indicators=[
            {
                "code": code,
                "periodicity": periodicity,
                "worst": str(g.worst),
                "best": str(g.best),
                "weight": str(g.weight),
            }
            for code, periodicity, g in sorted(posts.values(), key=lambda p: p[0])
        ],
    )


# ----------------------------------------------------------------------------------------
# The datasets' rows


async def iter_indicators() -> AsyncIterator[dict[str, Any]]:
    for row in await Indicator.select().order_by(Indicator.code):
        yield {
            **{f: row[f] for f in _FIELDS},
            **{f: Decimal(row[f]) for f in ("worst", "best", "weight")},
        }


async def iter_values(batch: int = 5000) -> AsyncIterator[dict[str, Any]]:
    """Every value in key order (indicator code, period, district), keyset-batched."""
    select = (
        "SELECT i.code AS indicator, v.period, v.district, v.value FROM indicator_value v "
        "JOIN indicator i ON i.id = v.indicator "
    )
    order = " ORDER BY i.code, v.period, v.district LIMIT {}"
    after: tuple[str, str, str] | None = None
    while True:
        if after is None:
            rows = await IndicatorValue.raw(select + order, batch)
        else:
            rows = await IndicatorValue.raw(
                select + "WHERE (i.code, v.period, v.district) > ({}, {}, {})" + order,
                *after,
                batch,
            )
        for row in rows:
            yield {**row, "value": Decimal(row["value"])}
        if len(rows) < batch:
            return
        after = (rows[-1]["indicator"], rows[-1]["period"], rows[-1]["district"])


async def iter_index() -> AsyncIterator[dict[str, Any]]:
    cursor: str | None = None
    while True:
        page = await city_index(period=None, district=None, limit=MAX_INDEX_PAGE, cursor=cursor)
        for item in page.items:
            yield {
                "period": item.period,
                "district": item.district,
                "index": Decimal(item.index) if item.index is not None else None,
                "indicators_counted": item.indicators_counted,
                "indicators_total": item.indicators_total,
            }
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
