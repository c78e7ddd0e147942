"""Preparing checked appeals for storage: the anonymiser's side of an import.

Kept apart from ``importing`` (the database side) so that the worker processes of a big
import load only this and the anonymiser, not the database layer: a worker starts in a
fraction of the time, and does nothing but turn checked rows into stored ones.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import multiprocessing
from collections.abc import Sequence
from typing import Any

from hromada.open_data.appeals.anonymise import Anonymiser, coarsen, get_anonymiser
from hromada.open_data.appeals.importers import KYIV_TIME, AppealRow, hashed_id, scrub_free_text


def process_pool(workers: int, streets: list[str]) -> concurrent.futures.ProcessPoolExecutor:
    """Processes that run ``prepare_with_default_anonymiser``, each taught the city's streets.

    Where the platform has it, the workers fork from a server process that imported this
    module once (``forkserver``): each then starts in milliseconds, where a spawned process
    imports the whole package again (about a second of CPU each, on the cores the import
    needs). The server is started fresh, not forked from this process, so the caller's
    threads and connections never reach a worker.
    """
    context: multiprocessing.context.BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        server = multiprocessing.get_context("forkserver")
        # "__main__" too: otherwise every worker would import the main script on its own.
        server.set_forkserver_preload(["__main__", __name__])
        context = server
    else:
        context = multiprocessing.get_context("spawn")
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(streets,)
    )
    for _ in range(workers):  # every worker starts now, not when its first chunk is ready
        pool.submit(prepare_with_default_anonymiser, [])
    return pool


def _start_worker(streets: list[str]) -> None:
    get_anonymiser().add_street_names(streets)


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
