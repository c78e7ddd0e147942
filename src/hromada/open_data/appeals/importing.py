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
import datetime as dt
import functools
import hashlib
import itertools
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from hromada import db
from hromada.open_data.appeals import formats
from hromada.open_data.appeals.anonymise import Anonymiser, coarsen, get_anonymiser
from hromada.open_data.appeals.buildings import BuildingMatcher
from hromada.open_data.appeals.districts import DistrictMatcher
from hromada.open_data.appeals.importers import (
    KYIV_TIME,
    AppealRow,
    RowChecker,
    RowError,
    hashed_id,
    scrub_free_text,
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
    checker = RowChecker(await DistrictMatcher.load(), await BuildingMatcher.load())
    scrubber = anonymiser if anonymiser is not None else await asyncio.to_thread(get_anonymiser)
    # The city's streets: a registry street ("пров. 3-тя Антоновича") is never a person.
    streets = await registry_street_names()
    await asyncio.to_thread(scrubber.add_street_names, streets)

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

    pool = _process_pool(workers, streets) if workers > 1 and anonymiser is None else None
    loop = asyncio.get_running_loop()
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
            await add_to_rollup(cells)
            # The new version is published by a job that commits with the rows.
            report.publish_job = await queue_publish("appeals")
    except _RollBack:
        report.applied = False
        report.imported = report.updated = report.unchanged = 0
        report.buildings_matched = report.buildings_unmatched = 0
    finally:
        for future, _ in in_flight:
            future.cancel()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _process_pool(workers: int, streets: list[str]) -> concurrent.futures.ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(streets,)
    )


def _start_worker(streets: list[str]) -> None:
    get_anonymiser().add_street_names(streets)


async def registry_street_names() -> list[str]:
    """Names of the streets in the registry, as the city writes them ("3-тя Антоновича")."""
    rows = await Street.select(Street.name).distinct().run()
    return [r["name"] for r in rows if r["name"]]


def prepare_with_default_anonymiser(rows: Sequence[AppealRow]) -> list[dict[str, Any]]:
    """``prepare_rows`` in a worker process, with that process' anonymiser."""
    return prepare_rows(rows, get_anonymiser())


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
            "executor": None,
            "confidential": row.confidential,
            "late": late,
            "resolution_hours": hours,
            "building": row.building_id,
        }
        if row.confidential:
            values["source_id"] = hashed_id(row.source_id)
            values["_other_id"] = row.source_id
        else:
            values["_other_id"] = hashed_id(row.source_id)
            values["lat"], values["lon"] = coarsen(row.lat, row.lon)
        # Free text is read only through the anonymiser (importers.FREE_TEXT_FIELDS).
        free = scrub_free_text(row, anonymiser)
        values["executor"] = free["executor"]  # an organisation, or anonymised: always
        if not row.confidential:
            values["text"] = free["text"]
            values["answer"] = free["answer"]
            values["street"] = free["address"]
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
    "building",
)


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
