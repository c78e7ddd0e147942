"""Reading appeals: the public list, one appeal, bulk rows for downloads, the
service catalogue, and the WHERE clause every appeals query (statistics too) builds
from ``AppealFilters``.

Confidential appeals are excluded from every record-level query by ``PUBLIC``
in the SQL; they count only in the statistics.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hromada import db
from hromada.errors import InvalidInput, NotFound, TooLarge
from hromada.open_data.appeals.filters import search_terms
from hromada.open_data.appeals.importers import CLOSED_STATUSES, STATUSES
from hromada.open_data.appeals.schemas import (
    PUBLIC_COLUMNS,
    AppealFilters,
    AppealOut,
    CategoryOut,
)
from hromada.open_data.appeals.tables import Appeal, AppealCategory
from hromada.open_data.catalog.model import written
from hromada.open_data.registries.tables import District
from hromada.paging import Page, check_limit, decode_cursor, encode_cursor
from hromada.search import service as search_service
from hromada.search.port import MAX_TOTAL_HITS, SearchBackend
from hromada.shapes import declared_fields

PUBLIC = "a.confidential = false"

# The stored public fields, each read by the SQL its declaration names (``schemas.py``);
# ``closed`` and ``overdue`` are computed from the status, ``late`` and the deadline.
SELECTED: tuple[str, ...] = tuple(f.name for f in declared_fields(AppealOut) if f.extra["sql"])
_COLUMNS = ", ".join(
    sql if sql == f"a.{f.name}" else f"{sql} AS {f.name}"
    for f in declared_fields(AppealOut)
    if (sql := f.extra["sql"])
)
_SELECT = f"""
SELECT {_COLUMNS}, a.late
FROM appeal a
LEFT JOIN appeal_category c ON c.id = a.category
LEFT JOIN district d ON d.id = a.district
"""  # noqa: S608 - built from the declaration's constants

SORTS = {
    "-received_at": ("a.received_at", "DESC"),
    "received_at": ("a.received_at", "ASC"),
    "id": ("a.id", "ASC"),
    "-id": ("a.id", "DESC"),
}
# The same order travelled the other way (GraphQL's ``last``/``before``).
REVERSED_SORTS = {
    "-received_at": "received_at",
    "received_at": "-received_at",
    "id": "-id",
    "-id": "id",
}

GROUPS = {
    "district": "a.district",
    "category": "a.category",
    "status": "a.status",
    "executor": "a.executor",
    "channel": "a.channel",
    "month": "a.received_month",
    "week": "a.received_week",
}
# Groupings for city staff only: the building an appeal's address named is a finer place
# than anything public (the public appeal keeps its street), so joined with the public
# list a per-building count could place an appeal at its house. See appeals.buildings.
STAFF_GROUPS = {**GROUPS, "building": "a.building"}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class Where:
    """A WHERE clause with Piccolo's ``{}`` placeholders and its values."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.values: list[Any] = []

    def add(self, sql: str, *values: Any) -> None:
        self.parts.append(sql)
        self.values.extend(values)

    def where(self) -> str:
        return ("WHERE " + " AND ".join(self.parts)) if self.parts else ""


async def _district_id(code: str) -> int:
    found = await District.select(District.id).where(District.code == code).first().run()
    if found is None:
        raise InvalidInput(
            f"no district with code {code!r}",
            errors=[{"where": "query", "name": "district", "message": "unknown district code"}],
        )
    return int(found["id"])


async def _category_id(code: str, *, public: bool) -> int:
    """The category's id; for a public query only a category some public appeal uses, so
    a category that only confidential appeals use answers exactly like one that does not
    exist (the filter is no existence probe; see DESIGN.md "Disclosure control")."""
    sql = "SELECT c.id FROM appeal_category c WHERE c.code = {}"
    if public:
        public_use = f"SELECT 1 FROM appeal a WHERE a.category = c.id AND {PUBLIC}"  # noqa: S608
        sql += f" AND EXISTS ({public_use})"
    found = await AppealCategory.raw(sql, code).run()
    if not found:
        raise InvalidInput(
            f"no category with code {code!r}",
            errors=[{"where": "query", "name": "category", "message": "unknown category code"}],
        )
    return int(found[0]["id"])


def overdue_sql(at: dt.datetime) -> tuple[str, list[Any]]:
    closed = ", ".join(f"'{s}'" for s in CLOSED_STATUSES)
    return (
        f"(a.late = true OR (a.resolved_at IS NULL AND a.status NOT IN ({closed}) "
        "AND a.deadline_at < {}))",
        [at],
    )


async def where_of(filters: AppealFilters, *, public: bool, at: dt.datetime) -> Where:
    sql = Where()
    if public:
        sql.add(PUBLIC)
    if filters.district:
        sql.add("a.district = {}", await _district_id(filters.district))
    if filters.category:
        sql.add("a.category = {}", await _category_id(filters.category, public=public))
    if filters.status:
        unknown = [s for s in filters.status if s not in STATUSES]
        if unknown:
            raise InvalidInput(
                f"unknown status {unknown[0]!r}: use {', '.join(STATUSES)}",
                errors=[{"where": "query", "name": "status", "message": "unknown status"}],
            )
        sql.add(f"a.status IN ({db.marks(len(filters.status))})", *filters.status)
    if filters.channel:
        sql.add("a.channel = {}", filters.channel)
    if filters.executor:
        sql.add("a.executor = {}", filters.executor)
    for column, low, high in (
        ("a.received_at", filters.received_from, filters.received_to),
        ("a.resolved_at", filters.resolved_from, filters.resolved_to),
    ):
        if low and high and low > high:
            raise InvalidInput(f"{column[2:]} range is empty: from is after to")
        if low:
            sql.add(f"{column} >= {{}}", _utc(low))
        if high:
            sql.add(f"{column} < {{}}", _utc(high))
    if filters.overdue is not None:
        clause, values = overdue_sql(at)
        sql.add(clause if filters.overdue else f"NOT {clause}", *values)
    return sql


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


# The stored fields of a row in declaration order, and where the two computed ones go
# (positional arguments: twice as fast as keywords, which a million-row download feels).
_STORED = operator.itemgetter(*SELECTED)
_COMPUTED_AT = PUBLIC_COLUMNS.index("closed")
assert PUBLIC_COLUMNS[_COMPUTED_AT : _COMPUTED_AT + 2] == ("closed", "overdue")
assert len(SELECTED) + 2 == len(PUBLIC_COLUMNS), "closed and overdue are the computed fields"


def _to_out(row: dict[str, Any], at: dt.datetime) -> AppealOut:
    closed = row["status"] in CLOSED_STATUSES
    deadline = row["deadline_at"]
    overdue = bool(row["late"]) or (
        row["resolved_at"] is None and not closed and deadline is not None and deadline < at
    )
    stored = _STORED(row)
    # Positional, in declaration order (checked above); mypy cannot count a tuple slice.
    return AppealOut(*stored[:_COMPUTED_AT], closed, overdue, *stored[_COMPUTED_AT:])  # type: ignore[call-arg]


def list_sql(
    where: Where, *, sort: str, after: list[Any] | None, limit: int, offset: int = 0
) -> tuple[str, list[Any]]:
    """The SQL of one list page (the benchmark runs it bare as the reference)."""
    column, direction = SORTS[sort]
    values = list(where.values)
    parts = list(where.parts)
    op = "<" if direction == "DESC" else ">"
    if after is not None:
        if column == "a.id":
            parts.append(f"a.id {op} {{}}")
            values.append(int(after[0]))
        else:
            parts.append(f"(a.received_at, a.id) {op} ({{}}, {{}})")
            values.extend([_parse_cursor_time(after[0]), int(after[1])])
    clause = ("WHERE " + " AND ".join(parts)) if parts else ""
    order = f"ORDER BY {column} {direction}" + (f", a.id {direction}" if column != "a.id" else "")
    skip = f" OFFSET {int(offset)}" if offset else ""
    return f"{_SELECT} {clause} {order} LIMIT {int(limit) + 1}{skip}", values


def _parse_cursor_time(value: Any) -> dt.datetime:
    try:
        return _utc(dt.datetime.fromisoformat(str(value)))
    except ValueError:
        raise InvalidInput(
            "cursor is not one this API issued: pass next_cursor from the previous page as is",
            errors=[{"where": "query", "name": "cursor", "message": "unreadable cursor"}],
        ) from None


async def list_appeals(
    filters: AppealFilters,
    *,
    sort: str = "-received_at",
    limit: int = 50,
    cursor: str | None = None,
    offset: int = 0,
    backward: bool = False,
) -> Page[AppealOut]:
    """One page of public appeals, newest first by default, keyset-paginated.

    ``backward`` reads the ``limit`` rows just before ``cursor`` (the list's last rows
    without one), still returned in ``sort`` order; ``next_cursor`` then continues
    backwards (it is the first item's). ``offset`` is for Open311's numbered pages only
    (GeoReport clients ask for ``page=N``); its window of at most 90 days bounds what it
    skips."""
    if sort not in SORTS:
        raise InvalidInput(
            f"unknown sort {sort!r}: use {', '.join(SORTS)}",
            errors=[{"where": "query", "name": "sort", "message": "unknown sort"}],
        )
    at = now()
    kinds: tuple[type, ...] = (int,) if SORTS[sort][0] == "a.id" else (str, int)
    after = decode_cursor(cursor, len(kinds), kinds)
    where = await where_of(filters, public=True, at=at)
    travel = REVERSED_SORTS[sort] if backward else sort
    sql, values = list_sql(where, sort=travel, after=after, limit=limit, offset=offset)
    rows = await Appeal.raw(sql, *values).run()
    items = [_to_out(r, at) for r in rows[:limit]]
    next_cursor = cursor_for(items[-1], sort) if len(rows) > limit and items else None
    if backward:
        items.reverse()
    return Page(items=items, next_cursor=next_cursor)


@dataclass
class Found:
    """A page of appeals, and for each the cursor that continues after it.

    The cursors are made when asked (``cursors``): a signed cursor costs several
    microseconds, and only GraphQL's edges carry one per row."""

    page: Page[AppealOut]
    cursor_of: Callable[[AppealOut], str]

    @property
    def cursors(self) -> list[str]:
        return [self.cursor_of(a) for a in self.page.items]


async def find_appeals(
    filters: AppealFilters,
    *,
    q: str | None = None,
    search: SearchBackend | None = None,
    sort: str = "-received_at",
    limit: int = 50,
    max_limit: int,
    cursor: str | None = None,
    backward: bool = False,
) -> Found:
    """The appeals list behind REST and GraphQL alike.

    Without ``q``: public appeals matching ``filters``, in ``sort`` order, keyset
    pages of at most ``max_limit``. With ``q``: the words through ``search`` (typos
    forgiven), most relevant first, combined with the filters search knows (see
    ``filters.search_terms``); pages of at most the search's own maximum, with an
    estimated total."""
    if q is None or not q.strip():
        page = await list_appeals(
            filters,
            sort=sort,
            limit=check_limit(limit, max_limit),
            cursor=cursor,
            backward=backward,
        )
        return Found(page=page, cursor_of=lambda a: cursor_for(a, sort))
    if backward:
        raise InvalidInput(
            "search results page forwards only (most relevant first): use first/after with q",
            errors=[{"where": "arguments", "name": "last", "message": "not with q"}],
        )
    if search is None:
        raise RuntimeError("searching appeals needs the search backend")
    exact, ranges = search_terms(filters)
    ids, next_cursor, total = await search_service.search_ids(
        search,
        "appeal",
        q=q,
        filters=exact,
        ranges=ranges or None,
        limit=min(limit, search_service.MAX_LIMIT),
        cursor=cursor,
    )
    position = {int(i): n for n, i in enumerate(ids)}
    items = await get_appeals(list(position))
    return Found(
        page=Page(items=items, next_cursor=next_cursor, total=total, total_is_estimate=True),
        cursor_of=lambda a: search_service.cursor_after(cursor, position[a.id]),
    )


def cursor_for(appeal: AppealOut, sort: str = "-received_at") -> str:
    """The cursor that continues a list after ``appeal``."""
    if SORTS[sort][0] == "a.id":
        return encode_cursor([appeal.id])
    return encode_cursor([appeal.received_at.isoformat(), appeal.id])


async def get_appeal(appeal_id: int) -> AppealOut:
    """A public appeal by id; a confidential one is as absent as a missing one."""
    rows = await Appeal.raw(f"{_SELECT} WHERE a.id = {{}} AND {PUBLIC}", appeal_id).run()
    if not rows:
        raise NotFound(f"no public appeal with id {appeal_id}")
    return _to_out(rows[0], now())


async def get_appeals(appeal_ids: Sequence[int]) -> list[AppealOut]:
    """Public appeals by id, in the order asked; missing or confidential ones left out."""
    if not appeal_ids:
        return []
    ids = [int(i) for i in appeal_ids][:1000]
    sql = f"{_SELECT} WHERE a.id IN ({db.marks(len(ids))}) AND {PUBLIC}"
    rows = await Appeal.raw(sql, *ids).run()
    at = now()
    by_id = {r["id"]: _to_out(r, at) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


async def iter_public_rows(
    filters: AppealFilters | None = None, *, batch: int = 1000
) -> AsyncIterator[dict[str, Any]]:
    """Every public appeal matching ``filters`` as a plain dict, keys in ``PUBLIC_COLUMNS``
    order, fetched in keyset batches by id (constant memory: for streaming downloads)."""
    filters = filters or AppealFilters()
    at = now()
    where = await where_of(filters, public=True, at=at)
    after: list[Any] | None = None
    while True:
        sql, values = list_sql(where, sort="id", after=after, limit=batch)
        rows = await Appeal.raw(sql, *values).run()
        for row in rows[:batch]:
            out = _to_out(row, at)
            yield {c: getattr(out, c) for c in PUBLIC_COLUMNS}
        if len(rows) <= batch:
            return
        after = [rows[batch - 1]["id"]]


# What the published rows read: the appeals and the names their codes join to.
PUBLIC_ROW_TABLES = ("appeal", "appeal_category", "district")
_PUBLIC_ROW_WRITES = written(*PUBLIC_ROW_TABLES)


async def public_rows_fingerprint() -> str | None:
    """Equal answers mean ``iter_public_rows()`` gives the same rows (``Dataset.fingerprint``).

    The rows change by a write to their tables, or by the clock: an open appeal whose
    deadline passes becomes overdue. Without a write, the overdue appeals only grow in
    number, so their count says whether the clock changed anything."""
    counts = await _PUBLIC_ROW_WRITES()
    if counts is None:
        return None
    clause, values = overdue_sql(now())
    sql = f"SELECT COUNT(*) AS n FROM appeal a WHERE {PUBLIC} AND {clause}"  # noqa: S608
    overdue = (await Appeal.raw(sql, *values).run())[0]["n"]
    return f"{counts}:overdue={overdue}"


async def iter_found_rows(
    filters: AppealFilters, *, q: str, search: SearchBackend
) -> AsyncIterator[dict[str, Any]]:
    """The public appeals ``q`` finds among ``filters``, most relevant first, as
    ``iter_public_rows`` gives them (what the list shows page by page with ``q``).

    Search reaches at most ``MAX_TOTAL_HITS`` hits: when more match, the file would be
    silently short, so it is refused before a row is written."""
    exact, ranges = search_terms(filters)
    cursor: str | None = None
    while True:
        ids, cursor, total = await search_service.search_ids(
            search,
            "appeal",
            q=q,
            filters=exact,
            ranges=ranges or None,
            limit=search_service.MAX_LIMIT,
            cursor=cursor,
        )
        if total > MAX_TOTAL_HITS:
            raise TooLarge(
                f"about {total:,} appeals match {q!r}, more than search reaches "
                f"({MAX_TOTAL_HITS:,}): narrow the words or the filters, or download without q"
            )
        for out in await get_appeals([int(i) for i in ids]):
            yield {c: getattr(out, c) for c in PUBLIC_COLUMNS}
        if not cursor or not ids:
            return


async def list_categories() -> list[CategoryOut]:
    """The service catalogue with the number of public appeals in each category.

    Categories come from the imported appeals, so one used only by confidential
    appeals would reveal that they exist: only categories with a public appeal are listed."""
    count = f"(SELECT COUNT(*) FROM appeal a WHERE a.category = c.id AND {PUBLIC})"  # noqa: S608
    sql = "SELECT c.code, c.name, c.group_name, " + count + " AS appeals "
    sql += "FROM appeal_category c WHERE " + count + " > 0 ORDER BY c.name"
    rows = await AppealCategory.raw(sql).run()
    return [
        CategoryOut(code=r["code"], name=r["name"], group=r["group_name"], appeals=r["appeals"])
        for r in rows
    ]


async def get_category(code: str) -> CategoryOut:
    for category in await list_categories():
        if category.code == code:
            return category
    raise NotFound(f"no category with code {code!r}")


async def count_public() -> int:
    sql = f"SELECT COUNT(*) AS n FROM appeal a WHERE {PUBLIC}"  # noqa: S608 - a constant
    rows = await Appeal.raw(sql).run()
    return int(rows[0]["n"])
