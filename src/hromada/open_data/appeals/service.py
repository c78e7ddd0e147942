"""Appeals: the import (the one write path) and every query over them.

Write path: :func:`import_file` / :func:`import_records` read, check and
anonymise rows in chunks and hand each chunk to :func:`write_appeals`, all
inside one transaction. That function is the single place rows reach the
database; whoever needs to react to written appeals (a search outbox, say)
hooks in there and stays inside the same transaction.

Read path: :func:`list_appeals`, :func:`get_appeal`, :func:`stats`,
:func:`iter_public_rows`, :func:`list_categories`. Confidential appeals are
excluded from every record-level query by ``PUBLIC`` in the SQL; they count
only in :func:`stats`, where groups smaller than k are suppressed.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import datetime as dt
import hashlib
import itertools
import multiprocessing
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from hromada import db
from hromada.errors import InvalidInput, NotFound
from hromada.open_data.appeals import formats
from hromada.open_data.appeals.anonymise import Anonymiser, coarsen, get_anonymiser
from hromada.open_data.appeals.districts import DistrictMatcher
from hromada.open_data.appeals.importers import (
    CLOSED_STATUSES,
    KYIV_TIME,
    STATUSES,
    AppealRow,
    RowChecker,
    RowError,
    hashed_id,
)
from hromada.open_data.appeals.schemas import (
    PUBLIC_COLUMNS,
    AppealFilters,
    AppealOut,
    CategoryOut,
    ImportReport,
    RowErrorOut,
    StatsGroup,
    StatsOut,
)
from hromada.open_data.appeals.tables import Appeal, AppealCategory, AppealStatsCell
from hromada.open_data.registries.tables import District
from hromada.paging import Page, decode_cursor, encode_cursor
from hromada.search import outbox as search_outbox

CHUNK = 1000
MAX_REPORTED_ERRORS = 10_000
IMPORT_LOCK_KEY = 1551_0004  # PostgreSQL advisory lock: one appeals import at a time

Progress = Callable[[int], None]  # rows read so far


# ===========================================================================
# Import


class _RollBack(Exception):
    """Raised inside the import transaction to undo it when rows were bad."""


@dataclass
class WriteResult:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0


async def import_file(
    source: IO[bytes],
    *,
    fmt: str = "auto",
    allow_rejects: bool = False,
    progress: Progress | None = None,
    workers: int = 1,
) -> ImportReport:
    """Import an appeals file (see ``formats``). A file that is not what it claims
    raises ``FileRefused``; bad rows are listed in the report."""
    fmt_read, records = await asyncio.to_thread(formats.read, source, fmt)
    return await import_records(
        records, fmt=fmt_read, allow_rejects=allow_rejects, progress=progress, workers=workers
    )


async def import_records(
    records: Iterator[formats.Record],
    *,
    fmt: str,
    allow_rejects: bool = False,
    progress: Progress | None = None,
    anonymiser: Anonymiser | None = None,
    workers: int = 1,
) -> ImportReport:
    """Check, anonymise and write ``records`` in one transaction.

    Strict by default: one bad row and nothing is written (every bad row is
    still reported). ``allow_rejects`` writes the good rows and reports the
    bad ones. ``workers`` > 1 anonymises chunks in that many processes while
    this one writes (for big files; the default anonymiser only).
    """
    started = time.perf_counter()
    report = ImportReport(format=fmt)
    checker = RowChecker(await DistrictMatcher.load())
    scrubber = anonymiser if anonymiser is not None else await asyncio.to_thread(get_anonymiser)

    def next_chunk() -> tuple[list[AppealRow], list[RowError], int, int]:
        rows: list[AppealRow] = []
        errors: list[RowError] = []
        count = repeats = 0
        for record in itertools.islice(records, CHUNK):
            count += 1
            result = checker.check(record)
            if isinstance(result, AppealRow):
                rows.append(result)
            elif result is None:
                repeats += 1
            else:
                errors.extend(result)
        return rows, errors, count, repeats

    pool = _process_pool(workers) if workers > 1 and anonymiser is None else None
    loop = asyncio.get_running_loop()
    in_flight: collections.deque[tuple[asyncio.Future[list[dict[str, Any]]], int]] = (
        collections.deque()
    )
    categories: dict[str, int] = {}

    async def write_next() -> None:
        future, read = in_flight.popleft()
        prepared = await future
        if report.rejected and not allow_rejects:
            return
        result = await write_appeals(prepared, categories)
        report.imported += result.imported
        report.updated += result.updated
        report.unchanged += result.unchanged
        if progress:
            progress(read)

    try:
        async with db.write_transaction():
            await _lock_imports()
            while True:
                rows, errors, count, repeats = await asyncio.to_thread(next_chunk)
                if not count:
                    break
                report.read += count
                report.repeated += repeats
                if errors:
                    report.rejected += len({e.line for e in errors})
                    room = MAX_REPORTED_ERRORS - len(report.errors)
                    report.errors.extend(
                        RowErrorOut(line=e.line, column=e.column, reason=e.reason)
                        for e in errors[: max(room, 0)]
                    )
                    report.errors_truncated = report.errors_truncated or len(errors) > room
                if report.rejected and not allow_rejects:
                    continue  # keep checking to report every bad row; write nothing
                if pool is not None:
                    future = loop.run_in_executor(pool, prepare_with_default_anonymiser, rows)
                else:
                    future = asyncio.ensure_future(asyncio.to_thread(prepare_rows, rows, scrubber))
                in_flight.append((future, report.read))
                while len(in_flight) > (workers if pool is not None else 1):
                    await write_next()
            while in_flight:
                await write_next()
            if report.rejected and not allow_rejects:
                raise _RollBack
    except _RollBack:
        report.applied = False
        report.imported = report.updated = report.unchanged = 0
    finally:
        for future, _ in in_flight:
            future.cancel()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _process_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=get_anonymiser
    )


def prepare_with_default_anonymiser(rows: Sequence[AppealRow]) -> list[dict[str, Any]]:
    """``prepare_rows`` in a worker process, with that process' anonymiser."""
    return prepare_rows(rows, get_anonymiser())


async def _lock_imports() -> None:
    """Serialise imports: on SQLite the write transaction already does."""
    if db.current_engine().engine_type == "postgres":
        await Appeal.raw(f"SELECT pg_advisory_xact_lock({IMPORT_LOCK_KEY})").run()


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(KYIV_TIME)


def prepare_rows(rows: Sequence[AppealRow], anonymiser: Anonymiser) -> list[dict[str, Any]]:
    """The stored form of checked rows: anonymised, or stripped if confidential.

    Raw personal data never leaves this function: text, answer and address
    are scrubbed, coordinates coarsened, and a confidential appeal keeps
    only what statistics need, under a hash of its id.
    """
    prepared = []
    for row in rows:
        local = _local(row.received_at)
        year, week, _ = local.isocalendar()
        hours = None
        if row.resolved_at is not None:
            hours = round((row.resolved_at - row.received_at).total_seconds() / 3600, 2)
        late = bool(row.resolved_at and row.deadline_at and row.resolved_at > row.deadline_at)
        values: dict[str, Any] = {
            "source_id": row.source_id,
            "received_at": row.received_at,
            "deadline_at": row.deadline_at,
            "resolved_at": row.resolved_at,
            "received_month": f"{local.year:04d}-{local.month:02d}",
            "received_week": f"{year:04d}-W{week:02d}",
            "channel": row.channel,
            "category": (row.category, row.category_group) if row.category else None,
            "district": row.district_id,
            "street": None,
            "lat": None,
            "lon": None,
            "text": None,
            "answer": None,
            "status": row.status,
            "executor": row.executor,
            "confidential": row.confidential,
            "late": late,
            "resolution_hours": hours,
        }
        if row.confidential:
            values["source_id"] = hashed_id(row.source_id)
            values["_other_id"] = row.source_id
        else:
            values["_other_id"] = hashed_id(row.source_id)
            values["text"] = anonymiser.scrub(row.text)
            values["answer"] = anonymiser.scrub(row.answer)
            values["street"] = anonymiser.scrub_address(row.address)
            values["lat"], values["lon"] = coarsen(row.lat, row.lon)
        prepared.append(values)
    return prepared


STORED_COLUMNS = (
    "source_id",
    "received_at",
    "deadline_at",
    "resolved_at",
    "received_month",
    "received_week",
    "channel",
    "category",
    "district",
    "street",
    "lat",
    "lon",
    "text",
    "answer",
    "status",
    "executor",
    "confidential",
    "late",
    "resolution_hours",
)


def category_code(name: str) -> str:
    """A stable service code for a category name (the same on every installation)."""
    return hashlib.sha1(name.encode()).hexdigest()[:10]  # noqa: S324 - an identifier


async def _category_ids(
    wanted: Iterable[tuple[str, str | None]], cache: dict[str, int]
) -> dict[str, int]:
    missing = {name: group for name, group in wanted if name not in cache}
    if missing:
        await (
            AppealCategory.insert(
                *[
                    AppealCategory(code=category_code(name), name=name, group_name=group)
                    for name, group in missing.items()
                ]
            )
            .on_conflict(action="DO NOTHING")
            .run()
        )
        for start in range(0, len(missing), 500):
            names = list(missing)[start : start + 500]
            for found in await AppealCategory.select(AppealCategory.id, AppealCategory.name).where(
                AppealCategory.name.is_in(names)
            ):
                cache[found["name"]] = found["id"]
    return cache


async def write_appeals(prepared: list[dict[str, Any]], categories: dict[str, int]) -> WriteResult:
    """Insert new appeals and update changed ones, inside the caller's transaction.

    The one place appeals are written. Rows are matched by ``source_id``;
    an appeal whose confidentiality changed is found under its other id and
    replaced.
    """
    result = WriteResult()
    if not prepared:
        return result
    ids = await _category_ids(
        (p["category"] for p in prepared if p["category"] is not None), categories
    )
    rows = []
    for p in prepared:
        row = {c: p[c] for c in STORED_COLUMNS}
        row["category"] = ids[p["category"][0]] if p["category"] is not None else None
        rows.append(row)
    keys = [r["source_id"] for r in rows]
    existing = {
        r["source_id"]: r
        for r in await Appeal.select(*[getattr(Appeal, c) for c in STORED_COLUMNS])
        .where(Appeal.source_id.is_in(keys))
        .run()
    }
    others = [p["_other_id"] for p in prepared if p["_other_id"]]
    moved_rows = (
        await Appeal.select(*[getattr(Appeal, c) for c in STORED_COLUMNS])
        .where(Appeal.source_id.is_in(others))
        .run()
    )
    moved = {r["source_id"] for r in moved_rows}
    # Appeals whose search entry must follow this write (the search outbox, same transaction).
    changed: list[int] = []
    if moved:
        changed += [
            r["id"]
            for r in await Appeal.select(Appeal.id).where(Appeal.source_id.is_in(list(moved))).run()
        ]
        await Appeal.delete().where(Appeal.source_id.is_in(list(moved))).run()
    to_write = []
    gone: list[dict[str, Any]] = list(moved_rows)
    for row, p in zip(rows, prepared, strict=True):
        old = existing.get(row["source_id"])
        if old is None:
            if p["_other_id"] in moved:
                result.updated += 1
            else:
                result.imported += 1
            to_write.append(row)
        elif any(old[c] != row[c] for c in STORED_COLUMNS):
            result.updated += 1
            to_write.append(row)
            gone.append(old)
        else:
            result.unchanged += 1
    if to_write:
        await _upsert([tuple(row[c] for c in STORED_COLUMNS) for row in to_write])
        await _add_to_rollup(rollup_deltas(gone, to_write))
        written = [row["source_id"] for row in to_write]
        changed += [
            r["id"]
            for r in await Appeal.select(Appeal.id).where(Appeal.source_id.is_in(written)).run()
        ]
    if changed:
        await search_outbox.enqueue("appeal", changed)
    return result


# Stats cells: every appeal counted once per dimension (the month is the received month).
CELL_DIMS = {
    "district": "district",
    "category": "category",
    "executor": "executor",
    "channel": "channel",
    "status": "status",
    "month": "received_month",
}


def bucket_of(hours: float | None) -> int:
    """The resolution bucket of ``hours`` (-1: unresolved); the same as ``_BUCKET_SQL``."""
    if hours is None:
        return -1
    if hours < 48:
        return int(hours)
    if hours < 720:
        return 48 + int((hours - 48) / 6) * 6
    return 720 + int((hours - 720) / 24) * 24


def rollup_deltas(
    removed: Iterable[dict[str, Any]], added: Iterable[dict[str, Any]]
) -> collections.Counter[tuple[Any, ...]]:
    """How the stats cells change when ``removed`` rows are replaced by ``added`` ones."""
    deltas: collections.Counter[tuple[Any, ...]] = collections.Counter()
    for rows, sign in ((removed, -1), (added, 1)):
        for row in rows:
            judged = row["resolved_at"] is not None and row["deadline_at"] is not None
            tail = (bool(row["late"]), judged, bucket_of(row["resolution_hours"]))
            for dim, column in CELL_DIMS.items():
                value = row[column]
                deltas[(dim, "" if value is None else str(value), *tail)] += sign
    return deltas


async def _add_to_rollup(deltas: collections.Counter[tuple[Any, ...]]) -> None:
    changes = [(*key, n) for key, n in deltas.items() if n]
    if not changes:
        return
    engine = db.current_engine()
    postgres = engine.engine_type == "postgres"
    marks = ", ".join(f"${i}" if postgres else "?" for i in range(1, 7))
    sql = (
        "INSERT INTO appeal_stats_cell (dim, dim_key, late, judged, bucket, n) "  # noqa: S608
        f"VALUES ({marks}) ON CONFLICT (dim, dim_key, late, judged, bucket) "
        "DO UPDATE SET n = appeal_stats_cell.n + excluded.n"
    )
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("stats cells change inside the import transaction only")
    await transaction.connection.executemany(sql, changes)


async def fill_stats_cells() -> None:
    """Count every appeal into the (empty) stats cells, inside the caller's transaction."""
    engine = db.current_engine().engine_type
    bucket = _BUCKET_SQL["postgres" if engine == "postgres" else "sqlite"]
    judged = "(a.resolved_at IS NOT NULL AND a.deadline_at IS NOT NULL)"
    for dim, column in CELL_DIMS.items():
        key = f"COALESCE(CAST(a.{column} AS TEXT), '')"
        await AppealStatsCell.raw(
            "INSERT INTO appeal_stats_cell (dim, dim_key, late, judged, bucket, n) "  # noqa: S608
            f"SELECT '{dim}', {key}, a.late, {judged}, COALESCE({bucket}, -1), COUNT(*) "
            f"FROM appeal a GROUP BY {key}, a.late, {judged}, COALESCE({bucket}, -1)"
        ).run()


async def rebuild_rollup() -> None:
    """Count every appeal into the stats cells afresh (after a raw bulk load, or to repair)."""
    async with db.write_transaction():
        await AppealStatsCell.raw("DELETE FROM appeal_stats_cell").run()
        await fill_stats_cells()


def _upsert_sql(engine: str) -> str:
    marks = (
        ", ".join(f"${i}" for i in range(1, len(STORED_COLUMNS) + 1))
        if engine == "postgres"
        else ", ".join("?" for _ in STORED_COLUMNS)
    )
    updates = ", ".join(f"{c} = excluded.{c}" for c in STORED_COLUMNS if c != "source_id")
    return (
        f"INSERT INTO appeal ({', '.join(STORED_COLUMNS)}) VALUES ({marks}) "  # noqa: S608
        f"ON CONFLICT (source_id) DO UPDATE SET {updates}"
    )


async def _upsert(rows: list[tuple[Any, ...]]) -> None:
    """INSERT … ON CONFLICT DO UPDATE through the driver of the current transaction.

    Piccolo's query builder costs about a millisecond a row here; the driver's
    executemany a few microseconds.
    """
    engine = db.current_engine()
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("appeals are written inside the import transaction only")
    await transaction.connection.executemany(_upsert_sql(engine.engine_type), rows)


# ===========================================================================
# Reading

PUBLIC = "a.confidential = false"

_SELECT = """
SELECT a.id, a.source_id, a.received_at, a.deadline_at, a.resolved_at, a.status,
       a.late, a.resolution_hours, a.channel, c.code AS category_code, c.name AS category,
       c.group_name AS category_group, d.code AS district_code, d.name_uk AS district,
       a.street, a.lat, a.lon, a.executor, a.text, a.answer
FROM appeal a
LEFT JOIN appeal_category c ON c.id = a.category
LEFT JOIN district d ON d.id = a.district
"""

SORTS = {
    "-received_at": ("a.received_at", "DESC"),
    "received_at": ("a.received_at", "ASC"),
    "id": ("a.id", "ASC"),
    "-id": ("a.id", "DESC"),
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
MAX_GROUPS = 5000


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class _Sql:
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


async def _category_id(code: str) -> int:
    found = (
        await AppealCategory.select(AppealCategory.id)
        .where(AppealCategory.code == code)
        .first()
        .run()
    )
    if found is None:
        raise InvalidInput(
            f"no category with code {code!r}",
            errors=[{"where": "query", "name": "category", "message": "unknown category code"}],
        )
    return int(found["id"])


def overdue_sql(at: dt.datetime) -> tuple[str, list[Any]]:
    closed = ", ".join(f"'{s}'" for s in CLOSED_STATUSES)
    return (
        f"(a.late = true OR (a.resolved_at IS NULL AND a.status NOT IN ({closed}) "
        "AND a.deadline_at < {}))",
        [at],
    )


async def _where(filters: AppealFilters, *, public: bool, at: dt.datetime) -> _Sql:
    sql = _Sql()
    if public:
        sql.add(PUBLIC)
    if filters.district:
        sql.add("a.district = {}", await _district_id(filters.district))
    if filters.category:
        sql.add("a.category = {}", await _category_id(filters.category))
    if filters.status:
        unknown = [s for s in filters.status if s not in STATUSES]
        if unknown:
            raise InvalidInput(
                f"unknown status {unknown[0]!r}: use {', '.join(STATUSES)}",
                errors=[{"where": "query", "name": "status", "message": "unknown status"}],
            )
        sql.add("a.status IN (" + ", ".join("{}" for _ in filters.status) + ")", *filters.status)
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


def _to_out(row: dict[str, Any], at: dt.datetime) -> AppealOut:
    closed = row["status"] in CLOSED_STATUSES
    deadline = row["deadline_at"]
    overdue = bool(row["late"]) or (
        row["resolved_at"] is None and not closed and deadline is not None and deadline < at
    )
    return AppealOut(
        id=row["id"],
        source_id=row["source_id"],
        received_at=row["received_at"],
        deadline_at=deadline,
        resolved_at=row["resolved_at"],
        status=row["status"],
        closed=closed,
        overdue=overdue,
        resolution_hours=row["resolution_hours"],
        channel=row["channel"],
        category_code=row["category_code"],
        category=row["category"],
        category_group=row["category_group"],
        district_code=row["district_code"],
        district=row["district"],
        street=row["street"],
        lat=row["lat"],
        lon=row["lon"],
        executor=row["executor"],
        text=row["text"],
        answer=row["answer"],
    )


def list_sql(
    where: _Sql, *, sort: str, after: list[Any] | None, limit: int
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
    return f"{_SELECT} {clause} {order} LIMIT {int(limit) + 1}", values


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
) -> Page[AppealOut]:
    """One page of public appeals, newest first by default, keyset-paginated."""
    if sort not in SORTS:
        raise InvalidInput(
            f"unknown sort {sort!r}: use {', '.join(SORTS)}",
            errors=[{"where": "query", "name": "sort", "message": "unknown sort"}],
        )
    at = now()
    arity = 1 if SORTS[sort][0] == "a.id" else 2
    after = decode_cursor(cursor, arity)
    where = await _where(filters, public=True, at=at)
    sql, values = list_sql(where, sort=sort, after=after, limit=limit)
    rows = await Appeal.raw(sql, *values).run()
    items = [_to_out(r, at) for r in rows[:limit]]
    next_cursor = cursor_for(items[-1], sort) if len(rows) > limit and items else None
    return Page(items=items, next_cursor=next_cursor)


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
    marks = ", ".join("{}" for _ in ids)
    rows = await Appeal.raw(f"{_SELECT} WHERE a.id IN ({marks}) AND {PUBLIC}", *ids).run()
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
    where = await _where(filters, public=True, at=at)
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


async def list_categories() -> list[CategoryOut]:
    """The service catalogue with the number of public appeals in each category."""
    count = f"(SELECT COUNT(*) FROM appeal a WHERE a.category = c.id AND {PUBLIC})"  # noqa: S608
    sql = "SELECT c.code, c.name, c.group_name, " + count + " AS appeals "
    sql += "FROM appeal_category c ORDER BY c.name"
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


# ---------------------------------------------------------------------------
# Statistics

# Resolution times are counted in buckets: an hour wide up to two days, six
# hours up to thirty days, a day beyond. Percentiles interpolate inside a
# bucket, so they are exact to within its width.
_BUCKET_SQL = {
    "sqlite": (
        "CASE WHEN a.resolution_hours < 48 THEN CAST(a.resolution_hours AS INTEGER) "
        "WHEN a.resolution_hours < 720 "
        "THEN 48 + CAST((a.resolution_hours - 48) / 6 AS INTEGER) * 6 "
        "ELSE 720 + CAST((a.resolution_hours - 720) / 24 AS INTEGER) * 24 END"
    ),
    "postgres": (
        "CASE WHEN a.resolution_hours < 48 THEN FLOOR(a.resolution_hours)::int "
        "WHEN a.resolution_hours < 720 THEN 48 + FLOOR((a.resolution_hours - 48) / 6)::int * 6 "
        "ELSE 720 + FLOOR((a.resolution_hours - 720) / 24)::int * 24 END"
    ),
}


def _bucket_width(start: int) -> int:
    return 1 if start < 48 else (6 if start < 720 else 24)


def stats_sql(where: _Sql, group_by: Sequence[str], at: dt.datetime) -> tuple[str, list[Any]]:
    """One query: counts per (group, resolution bucket). The benchmark runs it bare."""
    engine = db.current_engine().engine_type
    keys = [GROUPS[g] for g in group_by]
    overdue, overdue_values = overdue_sql(at)
    select_keys = ", ".join(f"{k} AS g{i}" for i, k in enumerate(keys))
    group_keys = ", ".join(f"g{i}" for i in range(len(keys)))
    # Built from constants; values are placeholders.
    sql = (
        f"SELECT {select_keys}{',' if keys else ''} "  # noqa: S608
        f"{_BUCKET_SQL['postgres' if engine == 'postgres' else 'sqlite']} AS b, "
        "COUNT(*) AS n, "
        "SUM(CASE WHEN a.resolved_at IS NOT NULL AND a.deadline_at IS NOT NULL "
        "THEN 1 ELSE 0 END) AS judged, "
        "SUM(CASE WHEN a.resolved_at IS NOT NULL AND a.deadline_at IS NOT NULL "
        "AND a.late = false THEN 1 ELSE 0 END) AS on_time, "
        f"SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END) AS overdue "
        f"FROM appeal a {where.where()} "
        f"GROUP BY {group_keys}{',' if keys else ''} b"
    )
    # The overdue placeholder comes first in the SELECT list.
    return sql, [*overdue_values, *where.values]


@dataclass
class _Acc:
    count: int = 0
    judged: int = 0
    on_time: int = 0
    overdue: int = 0
    resolved: int = 0

    def __post_init__(self) -> None:
        self.buckets: dict[int, int] = {}

    def add(self, row: dict[str, Any]) -> None:
        n = int(row["n"])
        self.count += n
        self.judged += int(row["judged"] or 0)
        self.on_time += int(row["on_time"] or 0)
        self.overdue += int(row["overdue"] or 0)
        if row["b"] is not None:
            self.resolved += n
            bucket = int(row["b"])
            self.buckets[bucket] = self.buckets.get(bucket, 0) + n

    def merge(self, other: _Acc) -> None:
        self.count += other.count
        self.judged += other.judged
        self.on_time += other.on_time
        self.overdue += other.overdue
        self.resolved += other.resolved
        for bucket, n in other.buckets.items():
            self.buckets[bucket] = self.buckets.get(bucket, 0) + n

    def percentile(self, q: float) -> float | None:
        """Linear interpolation (like percentile_cont) with values spread evenly in a bucket."""
        if not self.resolved:
            return None
        rank = q * (self.resolved - 1)  # 0-based position among sorted values
        seen = 0
        for start in sorted(self.buckets):
            n = self.buckets[start]
            if rank < seen + n:
                inside = (rank - seen + 0.5) / n
                return round(start + inside * _bucket_width(start), 1)
            seen += n
        last = max(self.buckets)
        return float(last + _bucket_width(last))

    def out(self, key: dict[str, str | None]) -> StatsGroup:
        return StatsGroup(
            key=key,
            count=self.count,
            resolved=self.resolved,
            on_time_pct=round(100 * self.on_time / self.judged, 1) if self.judged else None,
            median_resolution_hours=self.percentile(0.5),
            p90_resolution_hours=self.percentile(0.9),
            overdue=self.overdue,
        )


async def stats(
    filters: AppealFilters, group_by: Sequence[str], *, k: int, use_rollup: bool = True
) -> StatsOut:
    """Counts, on-time share, median and 90th percentile resolution hours and overdue
    counts per group, over every appeal (confidential ones included). Groups of fewer
    than ``k`` appeals are left out, and so is the total when it is below ``k``.

    Answered from the rollup when the grouping and filters allow it (one of district,
    category, executor, channel, plus status and month; no date or overdue filter),
    otherwise by scanning the matching appeals."""
    group_by = list(dict.fromkeys(group_by))
    unknown = [g for g in group_by if g not in GROUPS]
    if unknown or len(group_by) > 3:
        raise InvalidInput(
            f"group_by takes up to three of {', '.join(GROUPS)}",
            errors=[{"where": "query", "name": "group_by", "message": "unknown grouping"}],
        )
    at = now()
    where = await _where(filters, public=False, at=at)
    groups: dict[tuple[Any, ...], _Acc] = {}
    plan = rollup_plan(filters, group_by) if use_rollup else None
    if plan is None:
        sql, values = stats_sql(where, group_by, at)
        for row in await Appeal.raw(sql, *values).run():
            key = tuple(row[f"g{i}"] for i in range(len(group_by)))
            groups.setdefault(key, _Acc()).add(row)
    else:
        for (sql, values), from_rollup in zip(
            rollup_sql(plan, filters, group_by, where, at), (True, False), strict=True
        ):
            for row in await Appeal.raw(sql, *values).run():
                key = tuple(
                    _rollup_key(g, row[f"g{i}"]) if from_rollup else row[f"g{i}"]
                    for i, g in enumerate(group_by)
                )
                acc = groups.setdefault(key, _Acc())
                if from_rollup:
                    acc.add({**row, "b": None if row["b"] == -1 else row["b"]})
                else:
                    acc.overdue += int(row["n"])  # unresolved and past the deadline now
    total = _Acc()
    for acc in groups.values():
        total.merge(acc)
    labels = await _group_labels(group_by, groups)
    shown = []
    suppressed = 0
    for key, acc in groups.items():
        if acc.count < k:
            suppressed += 1
            continue
        shown.append((key, acc))
    shown.sort(key=lambda item: tuple("" if v is None else str(v) for v in item[0]))
    truncated = len(shown) > MAX_GROUPS
    return StatsOut(
        group_by=group_by,
        k=k,
        groups=[
            acc.out({g: labels[g](v) for g, v in zip(group_by, key, strict=True)})
            for key, acc in shown[:MAX_GROUPS]
        ],
        suppressed_groups=suppressed,
        truncated=truncated,
        total=total.out({}) if total.count >= k else None,
    )


def rollup_plan(filters: AppealFilters, group_by: Sequence[str]) -> str | None:
    """The stats-cell dimension that answers this query, or None if only a scan can.

    Cells answer a query that involves at most one dimension (grouped by it, filtered
    by it, or both) and no date or overdue filter."""
    if (
        filters.received_from
        or filters.received_to
        or filters.resolved_from
        or filters.resolved_to
        or filters.overdue is not None
        or "week" in group_by
    ):
        return None
    dims = set(group_by)
    dims |= {d for d in ("district", "category", "executor", "channel") if getattr(filters, d)}
    if filters.status:
        dims.add("status")
    if len(dims) > 1:
        return None
    return dims.pop() if dims else "status"


def rollup_sql(
    dim: str, filters: AppealFilters, group_by: Sequence[str], where: _Sql, at: dt.datetime
) -> list[tuple[str, list[Any]]]:
    """The two queries of a stats-cell answer: the cells, and the unresolved appeals past
    their deadline now (which no stored count can know)."""
    grouped = bool(group_by)
    values: list[Any] = [dim]
    clauses = ["c.dim = {}"]
    if dim == "status" and filters.status:
        clauses.append("c.dim_key IN (" + ", ".join("{}" for _ in filters.status) + ")")
        values.extend(filters.status)
    elif dim not in ("month", "status") and getattr(filters, dim, None):
        value = getattr(filters, dim)
        if dim in ("district", "category"):  # codes in the filter, ids in the cells
            value = str(where.values[_filter_index(filters, dim)])
        clauses.append("c.dim_key = {}")
        values.append(value)
    cells = (
        f"SELECT {'c.dim_key AS g0, ' if grouped else ''}c.bucket AS b, SUM(c.n) AS n, "  # noqa: S608
        "SUM(CASE WHEN c.judged THEN c.n ELSE 0 END) AS judged, "
        "SUM(CASE WHEN c.judged AND c.late = false THEN c.n ELSE 0 END) AS on_time, "
        "SUM(CASE WHEN c.late THEN c.n ELSE 0 END) AS overdue "
        f"FROM appeal_stats_cell c WHERE {' AND '.join(clauses)} "
        f"GROUP BY {'c.dim_key, ' if grouped else ''}c.bucket"
    )
    closed = ", ".join(f"'{s}'" for s in CLOSED_STATUSES)
    open_where = [
        *where.parts,
        f"a.resolved_at IS NULL AND a.status NOT IN ({closed}) AND a.deadline_at < {{}}",
    ]
    column = GROUPS[group_by[0]] if grouped else ""
    late_open = (
        f"SELECT {column + ' AS g0, ' if grouped else ''}COUNT(*) AS n FROM appeal a "  # noqa: S608
        f"WHERE {' AND '.join(open_where)}" + (" GROUP BY g0" if grouped else "")
    )
    return [(cells, values), (late_open, [*where.values, at])]


def _filter_index(filters: AppealFilters, dim: str) -> int:
    """Where ``_where`` put the value of ``dim``'s filter (district and category are ids)."""
    order = [d for d in ("district", "category") if getattr(filters, d)]
    return order.index(dim)


def _rollup_key(group: str, value: str) -> Any:
    if group in ("district", "category"):
        return int(value) if value else None
    return value or None


async def _group_labels(
    group_by: Sequence[str], groups: dict[tuple[Any, ...], _Acc]
) -> dict[str, Callable[[Any], str | None]]:
    labels: dict[str, Callable[[Any], str | None]] = {}
    for index, name in enumerate(group_by):
        if name == "district":
            ids = {key[index] for key in groups if key[index] is not None}
            codes = {
                r["id"]: r["code"]
                for r in await District.select(District.id, District.code)
                .where(District.id.is_in(list(ids) or [-1]))
                .run()
            }
            labels[name] = lambda v, m=codes: None if v is None else m.get(v)  # type: ignore[misc]
        elif name == "category":
            ids = {key[index] for key in groups if key[index] is not None}
            codes = {
                r["id"]: r["code"]
                for r in await AppealCategory.select(AppealCategory.id, AppealCategory.code)
                .where(AppealCategory.id.is_in(list(ids) or [-1]))
                .run()
            }
            labels[name] = lambda v, m=codes: None if v is None else m.get(v)  # type: ignore[misc]
        else:
            labels[name] = lambda v: None if v is None else str(v)
    return labels


async def count_public() -> int:
    sql = f"SELECT COUNT(*) AS n FROM appeal a WHERE {PUBLIC}"  # noqa: S608 - a constant
    rows = await Appeal.raw(sql).run()
    return int(rows[0]["n"])


# ===========================================================================
# Search documents (declared in search.py): public appeals only.


async def search_documents(ids: Sequence[str]) -> list[dict[str, Any]]:
    """The search documents of these appeals; confidential or missing ones are left out."""
    numeric = [int(i) for i in ids if str(i).isdigit()]
    docs: list[dict[str, Any]] = []
    for start in range(0, len(numeric), 1000):
        for a in await get_appeals(numeric[start : start + 1000]):
            docs.append(
                {
                    "id": str(a.id),
                    "title": a.category or "Звернення",
                    "body": a.text or "",
                    "address": a.street,
                    "category": a.category_code,
                    "district": a.district_code,
                    "status": a.status,
                    "received_at": a.received_at,
                }
            )
    return docs


async def public_ids(after: str | None, limit: int) -> list[str]:
    """Ids of public appeals after ``after``, in id order (for rebuilding the index)."""
    query = (
        Appeal.select(Appeal.id)
        .where(Appeal.confidential == False)  # noqa: E712 - SQL, not Python
        .order_by(Appeal.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Appeal.id > int(after))
    return [str(r["id"]) for r in await query.run()]
