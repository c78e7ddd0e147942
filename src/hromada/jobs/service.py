"""The jobs queue: enqueue in the caller's transaction, claim safely, record the outcome.

A job is claimed by one worker at a time. On PostgreSQL the claim is one
``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)``: workers on any
number of hosts each take a different row and never wait on one another. On
SQLite (one host) the claim runs in the project's IMMEDIATE write transaction.
A claimed job holds a lease (``locked_until``) that its worker renews while the
handler runs; a worker that dies lets the lease run out and the job is claimed
again, so handlers must be idempotent (run twice, same result).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from hromada import db
from hromada.jobs.tables import Job
from hromada.paging import Page, check_limit, decode_cursor, make_page

QUEUED, RUNNING, DONE, FAILED, SUPERSEDED = "queued", "running", "done", "failed", "superseded"
STATES = (QUEUED, RUNNING, DONE, FAILED, SUPERSEDED)
FINISHED = (DONE, FAILED, SUPERSEDED)
DEFAULT_MAX_ATTEMPTS = 5
ERROR_CHARS = 2000


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _postgres() -> bool:
    return db.current_engine().engine_type == "postgres"


class JobOut(msgspec.Struct, kw_only=True):
    """A job as staff see it (``GET /api/v1/jobs/{id}``, ``hromada jobs``)."""

    id: int
    kind: str
    state: str
    attempts: int
    max_attempts: int
    run_after: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None
    last_error: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    dedupe_key: str | None


_INSERT = (
    "INSERT INTO job (kind, payload, state, dedupe_key, attempts, max_attempts, run_after, "
    "locked_by, locked_until, last_error, created_at, updated_at, finished_at) "
    "VALUES ({}, {}, 'queued', {}, 0, {}, {}, '', NULL, '', {}, {}, NULL) "
    # The partial unique index: one queued job per dedupe key.
    "ON CONFLICT (dedupe_key) WHERE state = 'queued' DO NOTHING RETURNING id"
)


async def enqueue(
    kind: str,
    payload: Mapping[str, Any] | None = None,
    *,
    dedupe_key: str | None = None,
    delay: float = 0.0,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> int:
    """Queue a job; returns its id. Call it inside the transaction of the change that
    needs it (Piccolo joins the running one): the job commits or rolls back with it.

    With ``dedupe_key``, a job with that key still waiting is the same job: its id
    is returned and nothing is added. A job already running does not count, since it
    may have read the data before this change.
    """
    at = now()
    body = json.dumps(dict(payload or {}), ensure_ascii=False, sort_keys=True)
    run_after = at + dt.timedelta(seconds=delay)
    rows = await Job.raw(_INSERT, kind, body, dedupe_key, max_attempts, run_after, at, at).run()
    if rows:
        return int(rows[0]["id"])
    existing = await Job.raw(
        "SELECT id FROM job WHERE dedupe_key = {} AND state = 'queued'", dedupe_key
    ).run()
    return int(existing[0]["id"])


_DUE = "(state = 'queued' AND run_after <= {}) OR (state = 'running' AND locked_until < {})"
_COLUMNS = "id, kind, payload, attempts, max_attempts, dedupe_key"


async def any_due() -> bool:
    """A cheap read first, so an idle worker does not take SQLite's write lock every poll."""
    at = now()
    rows = await Job.raw(f"SELECT id FROM job WHERE {_DUE} LIMIT 1", at, at).run()  # noqa: S608
    return bool(rows)


async def claim(worker: str, lease: float) -> Claimed | None:
    """Take the next due job (or one whose worker's lease ran out) for ``worker``."""
    at = now()
    until = at + dt.timedelta(seconds=lease)
    if _postgres():
        rows = await Job.raw(
            "UPDATE job SET state = 'running', attempts = attempts + 1, locked_by = {}, "  # noqa: S608
            "locked_until = {}, updated_at = {} WHERE id = ("
            f"SELECT id FROM job WHERE {_DUE} ORDER BY run_after, id LIMIT 1 "
            f"FOR UPDATE SKIP LOCKED) RETURNING {_COLUMNS}",
            worker,
            until,
            at,
            at,
            at,
        ).run()
    else:
        async with db.write_transaction():
            due = await Job.raw(
                f"SELECT id FROM job WHERE {_DUE} ORDER BY run_after, id LIMIT 1",  # noqa: S608
                at,
                at,
            ).run()
            if not due:
                return None
            await Job.raw(
                "UPDATE job SET state = 'running', attempts = attempts + 1, locked_by = {}, "
                "locked_until = {}, updated_at = {} WHERE id = {}",
                worker,
                until,
                at,
                due[0]["id"],
            ).run()
            rows = await Job.raw(
                f"SELECT {_COLUMNS} FROM job WHERE id = {{}}",  # noqa: S608
                due[0]["id"],
            ).run()
    if not rows:
        return None
    row = rows[0]
    return Claimed(
        id=int(row["id"]),
        kind=row["kind"],
        payload=json.loads(row["payload"] or "{}"),
        attempts=int(row["attempts"]),
        max_attempts=int(row["max_attempts"]),
        dedupe_key=row["dedupe_key"],
    )


async def renew(job_id: int, worker: str, lease: float) -> bool:
    """Extend the lease of a running job; false if this worker no longer holds it."""
    at = now()
    rows = await Job.raw(
        "UPDATE job SET locked_until = {}, updated_at = {} "
        "WHERE id = {} AND locked_by = {} AND state = 'running' RETURNING id",
        at + dt.timedelta(seconds=lease),
        at,
        job_id,
        worker,
    ).run()
    return bool(rows)


async def complete(job_id: int, worker: str) -> None:
    at = now()
    await Job.raw(
        "UPDATE job SET state = 'done', locked_until = NULL, updated_at = {}, "
        "finished_at = {}, last_error = '' "
        "WHERE id = {} AND locked_by = {} AND state = 'running'",
        at,
        at,
        job_id,
        worker,
    ).run()


async def fail(job: Claimed, worker: str, error: str, backoff: float) -> str:
    """Record a failed attempt: queued again after ``backoff`` seconds, or ``failed`` when
    out of attempts. Returns the new state."""
    at = now()
    error = error[:ERROR_CHARS]
    if job.attempts >= job.max_attempts:
        await Job.raw(
            "UPDATE job SET state = 'failed', locked_until = NULL, updated_at = {}, "
            "finished_at = {}, last_error = {} "
            "WHERE id = {} AND locked_by = {} AND state = 'running'",
            at,
            at,
            error,
            job.id,
            worker,
        ).run()
        return FAILED
    try:
        await Job.raw(
            "UPDATE job SET state = 'queued', locked_by = '', locked_until = NULL, "
            "run_after = {}, updated_at = {}, last_error = {} "
            "WHERE id = {} AND locked_by = {} AND state = 'running'",
            at + dt.timedelta(seconds=backoff),
            at,
            error,
            job.id,
            worker,
        ).run()
    except Exception as exc:
        if "unique" not in str(exc).lower():
            raise
        # The same work was asked for again meanwhile and waits as another job:
        # that one does it, with the newer data.
        await Job.raw(
            "UPDATE job SET state = 'superseded', locked_until = NULL, updated_at = {}, "
            "finished_at = {}, last_error = {} "
            "WHERE id = {} AND locked_by = {} AND state = 'running'",
            at,
            at,
            error,
            job.id,
            worker,
        ).run()
        return SUPERSEDED
    return QUEUED


# ----------------------------------------------------------------------------------------
# What staff and operators see


async def get(job_id: int) -> JobOut | None:
    rows = await Job.select().where(Job.id == job_id).run()
    return _out(rows[0]) if rows else None


def _out(row: dict[str, Any]) -> JobOut:
    return JobOut(
        id=row["id"],
        kind=row["kind"],
        state=row["state"],
        attempts=row["attempts"],
        max_attempts=row["max_attempts"],
        run_after=row["run_after"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
        last_error=row["last_error"],
        payload=json.loads(row["payload"] or "{}"),
    )


async def counts() -> dict[tuple[str, str], int]:
    """Jobs by (kind, state)."""
    rows = await Job.raw("SELECT kind, state, COUNT(*) AS n FROM job GROUP BY kind, state").run()
    return {(r["kind"], r["state"]): int(r["n"]) for r in rows}


async def failed(limit: int = 20) -> list[JobOut]:
    rows = (
        await Job.select()
        .where(Job.state == FAILED)
        .order_by(Job.updated_at, ascending=False)
        .limit(limit)
        .run()
    )
    return [_out(r) for r in rows]


async def recent(kind: str, *, limit: int, cursor: str | None) -> Page[JobOut]:
    """Jobs of ``kind``, newest first, a page at a time (the staff's imports page)."""
    limit = check_limit(limit, 100)
    before = decode_cursor(cursor, 1, (int,))
    where = Job.kind == kind
    if before is not None:
        where &= Job.id < before[0]
    rows = await Job.select().where(where).order_by(Job.id, ascending=False).limit(limit + 1)
    page = make_page(rows, limit, key=lambda r: [r["id"]])
    return Page(items=[_out(r) for r in page.items], next_cursor=page.next_cursor)


async def retry_failed(kind: str | None = None) -> int:
    """Queue failed jobs again with fresh attempts; returns how many. A failed job whose
    work is already queued again (same dedupe key) is marked superseded instead."""
    at = now()
    where = "state = 'failed'" + (" AND kind = {}" if kind else "")
    args: list[Any] = [kind] if kind else []
    async with db.write_transaction():
        rows = await Job.raw(f"SELECT id, dedupe_key FROM job WHERE {where}", *args).run()  # noqa: S608
        queued_keys = {
            r["dedupe_key"]
            for r in await Job.raw(
                "SELECT dedupe_key FROM job WHERE state = 'queued' AND dedupe_key IS NOT NULL"
            ).run()
        }
        retried = 0
        for row in rows:
            key = row["dedupe_key"]
            if key is not None and key in queued_keys:
                await Job.raw(
                    "UPDATE job SET state = 'superseded', updated_at = {} WHERE id = {}",
                    at,
                    row["id"],
                ).run()
                continue
            await Job.raw(
                "UPDATE job SET state = 'queued', attempts = 0, run_after = {}, updated_at = {}, "
                "finished_at = NULL, locked_by = '' WHERE id = {}",
                at,
                at,
                row["id"],
            ).run()
            if key is not None:
                queued_keys.add(key)
            retried += 1
    return retried


@dataclass(frozen=True)
class Backlog:
    queued: int
    running: int
    failed: int
    oldest_due_seconds: float  # how long the oldest due job has waited (0: none)


async def backlog() -> Backlog:
    at = now()
    by_state = {
        r["state"]: int(r["n"])
        for r in await Job.raw("SELECT state, COUNT(*) AS n FROM job GROUP BY state").run()
    }
    oldest = await Job.raw(
        f"SELECT MIN(run_after) AS t FROM job WHERE {_DUE}",  # noqa: S608
        at,
        at,
    ).run()
    since = oldest[0]["t"] if oldest else None
    if isinstance(since, str):  # SQLite hands an aggregate back as text
        since = dt.datetime.fromisoformat(since)
    waited = (at - since).total_seconds() if since is not None else 0.0
    return Backlog(
        queued=by_state.get(QUEUED, 0),
        running=by_state.get(RUNNING, 0),
        failed=by_state.get(FAILED, 0),
        oldest_due_seconds=max(waited, 0.0),
    )


async def prune(older_than: float) -> int:
    """Delete finished jobs (done, superseded) older than ``older_than`` seconds."""
    cutoff = now() - dt.timedelta(seconds=older_than)
    rows = await Job.raw(
        "DELETE FROM job WHERE state IN ('done', 'superseded') AND updated_at < {} RETURNING id",
        cutoff,
    ).run()
    return len(rows)
