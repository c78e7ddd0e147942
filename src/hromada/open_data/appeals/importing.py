"""Importing appeals: the one write path.

:func:`import_file` / :func:`import_records` read, check and anonymise rows in
chunks and hand each chunk to :func:`write_appeals`, all inside one transaction.
That function is the single place rows reach the database; whoever needs to react
to written appeals (the search outbox, the stats cells) hooks in there and stays
inside the same transaction.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import functools
import hashlib
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from hromada import db
from hromada.open_data.appeals import formats
from hromada.open_data.appeals.anonymise import Anonymiser, get_anonymiser
from hromada.open_data.appeals.buildings import BuildingMatcher
from hromada.open_data.appeals.districts import DistrictMatcher
from hromada.open_data.appeals.importers import (
    AppealRow,
    RowChecker,
    RowError,
)
from hromada.open_data.appeals.preparing import (
    STORED_COLUMNS,
    prepare_rows,
    prepare_with_default_anonymiser,
    process_pool,
)
from hromada.open_data.appeals.rollup import add_to_rollup, rollup_deltas
from hromada.open_data.appeals.schemas import ImportReport, RowErrorOut
from hromada.open_data.appeals.tables import Appeal, AppealCategory
from hromada.open_data.catalog.jobs import queue_publish
from hromada.open_data.registries.tables import Street
from hromada.search import outbox as search_outbox

CHUNK = 1000
MAX_REPORTED_ERRORS = 10_000
IMPORT_LOCK_KEY = 1551_0004  # PostgreSQL advisory lock: one appeals import at a time

Progress = Callable[[int], None]  # rows read so far


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
    allow_missing: bool = False,
    progress: Progress | None = None,
    workers: int = 1,
) -> ImportReport:
    """Import an appeals file (see ``formats``). A file that is not what it claims
    (or a CSV without district, category or status, unless ``allow_missing``) raises
    ``FileRefused``; bad rows are listed in the report."""
    fmt_read, records = await asyncio.to_thread(
        functools.partial(formats.read, source, fmt, allow_missing=allow_missing)
    )
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
    # The city's streets: a registry street ("пров. 3-тя Антоновича") is never a person.
    streets = await registry_street_names()
    # The workers start first, so that they get ready while this process loads the registries.
    pool = process_pool(workers, streets) if workers > 1 and anonymiser is None else None
    try:
        if pool is None:
            scrubber = anonymiser
            if scrubber is None:
                scrubber = await asyncio.to_thread(get_anonymiser)
            await asyncio.to_thread(scrubber.add_street_names, streets)
            chunks = _ChunkPreparer(scrubber=scrubber)
        else:
            chunks = _ChunkPreparer(pool=pool, depth=2 * workers)
        checker = RowChecker(await DistrictMatcher.load(), await BuildingMatcher.load())
        await _import_chunks(records, checker, chunks, report, allow_rejects, progress)
    except _RollBack:
        report.applied = False
        report.imported = report.updated = report.unchanged = 0
        report.buildings_matched = report.buildings_unmatched = 0
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


@dataclass
class _ChunkPreparer:
    """Where checked chunks are anonymised: a thread of this process, or a process pool.

    ``depth`` chunks may wait for the writer: with a pool, one more per worker than it is
    running, so that no worker idles while this process checks and writes.
    """

    scrubber: Anonymiser | None = None
    pool: concurrent.futures.ProcessPoolExecutor | None = None
    depth: int = 1

    def submit(self, rows: list[AppealRow]) -> asyncio.Future[list[dict[str, Any]]]:
        if self.pool is not None:
            loop = asyncio.get_running_loop()
            return loop.run_in_executor(self.pool, prepare_with_default_anonymiser, rows)
        assert self.scrubber is not None  # one of the two is always given
        return asyncio.ensure_future(asyncio.to_thread(prepare_rows, rows, self.scrubber))


async def _import_chunks(
    records: Iterator[formats.Record],
    checker: RowChecker,
    chunks: _ChunkPreparer,
    report: ImportReport,
    allow_rejects: bool,
    progress: Progress | None,
) -> None:
    """The import's transaction: check chunk by chunk, anonymise ahead, write in order.

    Raises ``_RollBack`` after reporting every bad row when a strict import had any."""

    def next_chunk() -> tuple[list[AppealRow], list[RowError], int, int]:
        rows: list[AppealRow] = []
        errors: list[RowError] = []
        count = repeats = 0
        for record in itertools.islice(records, CHUNK):
            count += 1
            result = checker.check(record)
            if isinstance(result, AppealRow):
                rows.append(result)
                if result.address and not result.confidential:
                    if result.building_id is None:
                        report.buildings_unmatched += 1
                    else:
                        report.buildings_matched += 1
            elif result is None:
                repeats += 1
            else:
                errors.extend(result)
        return rows, errors, count, repeats

    in_flight: collections.deque[tuple[asyncio.Future[list[dict[str, Any]]], int]] = (
        collections.deque()
    )
    categories: dict[str, int] = {}
    # The stats cells' changes, applied once at the end (a chunk touches most cells).
    cells: collections.Counter[tuple[Any, ...]] = collections.Counter()

    async def write_next() -> None:
        future, read = in_flight.popleft()
        prepared = await future
        if report.rejected and not allow_rejects:
            return
        result = await write_appeals(prepared, categories, cells)
        report.imported += result.imported
        report.updated += result.updated
        report.unchanged += result.unchanged
        if progress:
            progress(read)

    try:
        async with db.write_transaction():
            # One appeals import at a time (on SQLite the write transaction already is).
            await db.advisory_xact_lock(IMPORT_LOCK_KEY)
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
                in_flight.append((chunks.submit(rows), report.read))
                while len(in_flight) > chunks.depth:
                    await write_next()
            while in_flight:
                await write_next()
            if report.rejected and not allow_rejects:
                raise _RollBack
            await add_to_rollup(cells)
            # The new version is published by a job that commits with the rows.
            report.publish_job = await queue_publish("appeals")
    finally:
        for future, _ in in_flight:
            future.cancel()


async def registry_street_names() -> list[str]:
    """Names of the streets in the registry, as the city writes them ("3-тя Антоновича")."""
    rows = await Street.select(Street.name).distinct().run()
    return [r["name"] for r in rows if r["name"]]


def category_code(name: str) -> str:
    """A stable service code for a category name (the same on every installation)."""
    return hashlib.sha1(name.encode()).hexdigest()[:10]  # noqa: S324 - an identifier


async def category_ids(
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


async def write_appeals(
    prepared: list[dict[str, Any]],
    categories: dict[str, int],
    rollup: collections.Counter[tuple[Any, ...]] | None = None,
) -> WriteResult:
    """Insert new appeals and update changed ones, inside the caller's transaction.

    The one place appeals are written. Rows are matched by ``source_id``;
    an appeal whose confidentiality changed is found under its other id and
    replaced. The stats cells change with the rows: at once, or, when the caller
    passes ``rollup``, added up there for the caller to apply once
    (``rollup.add_to_rollup``) before its transaction ends.
    """
    result = WriteResult()
    if not prepared:
        return result
    ids = await category_ids(
        (p["category"] for p in prepared if p["category"] is not None), categories
    )
    rows = []
    for p in prepared:
        row = {c: p[c] for c in STORED_COLUMNS}
        row["category"] = ids[p["category"][0]] if p["category"] is not None else None
        rows.append(row)
    others = [p["_other_id"] for p in prepared if p["_other_id"]]
    stored = await _stored_appeals([r["source_id"] for r in rows] + others)
    moved_rows = [stored[other] for other in others if other in stored]
    moved = {r["source_id"] for r in moved_rows}
    # Appeals whose search entry must follow this write (the search outbox, same transaction).
    changed: list[int] = [r["id"] for r in moved_rows]
    if moved:
        where, args = db.in_values("source_id", list(moved))
        await Appeal.raw(f"DELETE FROM appeal WHERE {where}", *args)  # noqa: S608
    to_write = []
    gone: list[dict[str, Any]] = list(moved_rows)
    for row, p in zip(rows, prepared, strict=True):
        old = stored.get(row["source_id"])
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
        changed += await upsert([tuple(row[c] for c in STORED_COLUMNS) for row in to_write])
        deltas = rollup_deltas(gone, to_write)
        if rollup is None:
            await add_to_rollup(deltas)
        else:
            rollup.update(deltas)
    if changed:
        await search_outbox.enqueue("appeal", changed)
    return result


async def _stored_appeals(source_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The stored rows (``id`` and ``STORED_COLUMNS``) of these source ids."""
    if not source_ids:
        return {}
    where, args = db.in_values("source_id", source_ids)
    found = await Appeal.raw(
        f"SELECT id, {', '.join(STORED_COLUMNS)} FROM appeal WHERE {where}",  # noqa: S608
        *args,
    )
    return {r["source_id"]: r for r in found}


async def upsert(rows: list[tuple[Any, ...]]) -> list[int]:
    """``INSERT … ON CONFLICT DO UPDATE`` of stored rows (``STORED_COLUMNS`` order),
    inside the import's write transaction; the ids of the written rows."""
    return await db.bulk_upsert("appeal", STORED_COLUMNS, rows, key="source_id", returning="id")
