"""Background jobs: written with their change, claimed once, retried with backoff, visible."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from hromada import db
from hromada.app import create_app
from hromada.cli import main
from hromada.config import Settings
from hromada.jobs import service
from hromada.jobs.tables import Job
from hromada.jobs.worker import Worker

HERE = Path(__file__).parent


class Boom(Exception):
    pass


async def _runs() -> list[dict[str, Any]]:
    return list(await Job.raw("SELECT n, worker FROM job_run ORDER BY n").run())


@pytest.fixture
async def job_runs(clean_db: Settings) -> AsyncIterator[Settings]:
    """A table where a test handler records each run (no unique key: duplicates would show)."""
    await db.current_engine().run_ddl("CREATE TABLE job_run (n INTEGER NOT NULL, worker TEXT)")
    try:
        yield clean_db
    finally:
        await db.current_engine().run_ddl("DROP TABLE job_run")


async def record(settings: Settings, payload: dict[str, Any]) -> None:
    await Job.raw("INSERT INTO job_run (n, worker) VALUES ({}, 'here')", payload["n"]).run()


async def test_a_job_commits_and_rolls_back_with_its_transaction(clean_db: Settings) -> None:
    async with db.write_transaction():
        kept = await service.enqueue("test.record", {"n": 1})

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        async with db.write_transaction():
            await service.enqueue("test.record", {"n": 2})
            raise Undo
    rows = await Job.select(Job.id, Job.state, Job.payload).run()
    assert [(r["id"], r["state"]) for r in rows] == [(kept, "queued")]


async def test_the_same_work_queued_twice_while_waiting_is_one_job(clean_db: Settings) -> None:
    first = await service.enqueue("test.record", {"n": 1}, dedupe_key="k")
    assert await service.enqueue("test.record", {"n": 1}, dedupe_key="k") == first
    other = await service.enqueue("test.record", {"n": 1}, dedupe_key="other")
    assert other != first
    # Once it runs, the same work asked for again is a new job: the running one may
    # have read the data before the change.
    claimed = await service.claim("w", 60)
    assert claimed is not None and claimed.id == first
    again = await service.enqueue("test.record", {"n": 1}, dedupe_key="k")
    assert again not in (first, other)


async def test_a_worker_runs_each_job_once(job_runs: Settings) -> None:
    async with db.write_transaction():
        for n in range(20):
            await service.enqueue("test.record", {"n": n})
    worker = Worker(job_runs, {"test.record": record})
    assert await worker.run_until_empty() == 20
    assert [r["n"] for r in await _runs()] == list(range(20))
    assert await service.counts() == {("test.record", "done"): 20}
    assert await worker.run_until_empty() == 0


async def test_concurrent_workers_in_one_process_never_share_a_job(job_runs: Settings) -> None:
    """On SQLite the claim is serialised by the IMMEDIATE write transaction; on
    PostgreSQL each worker's queries go through connections of their own."""
    async with db.write_transaction():
        for n in range(60):
            await service.enqueue("test.record", {"n": n})

    async def slow(settings: Settings, payload: dict[str, Any]) -> None:
        await record(settings, payload)
        await asyncio.sleep(0.001)

    workers = [Worker(job_runs, {"test.record": slow}, name=f"w{i}") for i in range(3)]
    await asyncio.gather(*(w.run_until_empty() for w in workers))
    assert [r["n"] for r in await _runs()] == list(range(60))
    assert await service.counts() == {("test.record", "done"): 60}


async def test_failures_back_off_then_fail_visibly_then_retry(clean_db: Settings) -> None:
    calls = 0

    async def flaky(settings: Settings, payload: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1
        raise Boom(f"engine down ({calls})")

    job_id = await service.enqueue("test.flaky", {}, max_attempts=3)
    worker = Worker(clean_db, {"test.flaky": flaky}, backoff_base=10.0)
    assert worker.backoff(1) == 10.0 and worker.backoff(2) == 20.0 and worker.backoff(3) == 40.0
    assert Worker(clean_db, {}, backoff_base=10.0, max_backoff=15.0).backoff(5) == 15.0

    assert await worker.run_until_empty() == 1
    job = await service.get(job_id)
    assert job is not None
    assert (job.state, job.attempts, job.last_error) == ("queued", 1, "Boom: engine down (1)")
    # Not due before its backoff: nothing runs.
    waited = (job.run_after - job.updated_at).total_seconds()
    assert 9.0 < waited <= 10.5
    assert await worker.run_until_empty() == 0

    async def make_due() -> None:
        await Job.update({Job.run_after: dt.datetime.now(dt.UTC)}).where(Job.id == job_id)

    await make_due()
    assert await worker.run_until_empty() == 1
    await make_due()
    assert await worker.run_until_empty() == 1
    job = await service.get(job_id)
    assert job is not None
    assert (job.state, job.attempts, calls) == ("failed", 3, 3)
    assert job.last_error == "Boom: engine down (3)"
    assert [f.id for f in await service.failed()] == [job_id]
    assert (await service.backlog()).failed == 1

    # Out of attempts it stays failed, until someone retries it.
    await make_due()
    assert await worker.run_until_empty() == 0
    assert await service.retry_failed() == 1
    job = await service.get(job_id)
    assert job is not None and (job.state, job.attempts) == ("queued", 0)


async def test_a_job_of_a_dead_worker_is_taken_over_when_its_lease_runs_out(
    job_runs: Settings,
) -> None:
    job_id = await service.enqueue("test.record", {"n": 7})
    dead = await service.claim("dead-worker", lease=0.2)
    assert dead is not None and dead.id == job_id
    worker = Worker(job_runs, {"test.record": record}, name="alive")
    assert await worker.run_until_empty() == 0  # the lease still holds
    await asyncio.sleep(0.3)
    assert await worker.run_until_empty() == 1
    job = await service.get(job_id)
    assert job is not None and (job.state, job.attempts) == ("done", 2)
    # The dead worker comes back: it no longer holds the job and changes nothing.
    await service.complete(job_id, "dead-worker")
    assert not await service.renew(job_id, "dead-worker", 60)
    assert [r["n"] for r in await _runs()] == [7]


async def test_an_unknown_kind_ends_failed_not_looping(clean_db: Settings) -> None:
    job_id = await service.enqueue("test.nobody", {}, max_attempts=1)
    assert await Worker(clean_db, {}).run_until_empty() == 1
    job = await service.get(job_id)
    assert job is not None and job.state == "failed"
    assert "no handler for kind 'test.nobody'" in job.last_error


async def test_a_failed_retry_of_work_queued_again_is_superseded(clean_db: Settings) -> None:
    async def broken(settings: Settings, payload: dict[str, Any]) -> None:
        # Meanwhile the same work is asked for again (another import, say).
        await service.enqueue("test.publish", {}, dedupe_key="publish:x")
        raise Boom("disk full")

    first = await service.enqueue("test.publish", {}, dedupe_key="publish:x")
    assert await Worker(clean_db, {"test.publish": broken}).run_one()
    job = await service.get(first)
    assert job is not None and job.state == "superseded" and "disk full" in job.last_error
    assert await service.counts() == {
        ("test.publish", "superseded"): 1,
        ("test.publish", "queued"): 1,
    }


def test_ready_shows_the_queue_and_a_failed_job(clean_db: Settings) -> None:
    async def failed_job() -> None:
        job_id = await service.enqueue("test.nobody", {}, max_attempts=1)
        await Job.update({Job.state: "failed", Job.last_error: "x"}).where(Job.id == job_id)
        await service.enqueue("test.nobody", {}, delay=3600)

    with TestClient(create_app(clean_db.replace(jobs_worker="off"))) as client:
        ready = client.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["jobs"] == {
            "status": "ok",
            "queued": 0,
            "running": 0,
            "failed": 0,
            "oldest_due_seconds": 0.0,
        }
        asyncio.run(failed_job())
        ready = client.get("/ready")
        # A failed job is shown, and does not take the process out of a load balancer.
        assert ready.status_code == 200
        jobs = ready.json()["jobs"]
        assert jobs["failed"] == 1 and jobs["queued"] == 1
        assert jobs["status"] == "1 failed job(s): see `hromada jobs`"


async def test_a_due_job_nobody_takes_shows_as_stuck(clean_db: Settings) -> None:
    from hromada.jobs.runtime import STUCK_AFTER, status

    job_id = await service.enqueue("test.nobody", {})
    assert (await status())["status"] == "ok"
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=STUCK_AFTER + 60)
    await Job.update({Job.run_after: long_ago}).where(Job.id == job_id)
    stuck = await status()
    assert stuck["oldest_due_seconds"] > STUCK_AFTER
    assert "is a worker running?" in stuck["status"]


def _cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HROMADA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HROMADA_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HROMADA_DATABASE_POOL_SIZE", "0")
    monkeypatch.setenv("HROMADA_ENVIRONMENT", "test")


def test_jobs_command_lists_counts_and_failures_and_retries(
    clean_db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cli_env(clean_db, monkeypatch)
    runner = CliRunner()
    assert runner.invoke(main, ["jobs"]).output == "no jobs\n"

    async def some_jobs() -> int:
        await service.enqueue("catalog.publish", {"slug": "appeals"})
        failed = await service.enqueue("test.nobody", {}, max_attempts=1)
        await Job.update({Job.state: "failed", Job.last_error: "Boom: disk full"}).where(
            Job.id == failed
        )
        return failed

    failed = asyncio.run(some_jobs())
    listed = runner.invoke(main, ["jobs"])
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["kind", "queued", "running", "failed", "done", "superseded"]
    assert lines[1].split() == ["catalog.publish", "1", "0", "0", "0", "0"]
    assert lines[2].split() == ["test.nobody", "0", "0", "1", "0", "0"]
    assert f"failed job {failed} (test.nobody, 0 attempt(s)" in listed.stderr
    assert "Boom: disk full" in listed.stderr

    retried = runner.invoke(main, ["jobs", "--retry", "--kind", "test.nobody"])
    assert retried.exit_code == 0, retried.output
    assert retried.stdout.splitlines()[0] == "queued again: 1 failed job(s)"
    assert "failed job" not in retried.stderr


@pytest.mark.skipif(
    "config.getoption('--db') != 'postgres'",
    reason="several worker processes on one database: PostgreSQL (SQLite serves one host; "
    "its concurrent claim is tested in one process above)",
)
async def test_several_worker_processes_never_run_a_job_twice(
    job_runs: Settings, tmp_path: Path
) -> None:
    total, workers = 200, 3
    async with db.write_transaction():
        for n in range(total):
            await service.enqueue("test.record", {"n": n})
    ready = tmp_path / "ready"
    ready.mkdir()
    env = {**os.environ, "HROMADA_DATA_DIR": str(tmp_path)}
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(HERE / "worker_process.py"),
            job_runs.database_url,
            str(ready),
            str(i),
            str(workers),
            env=env,
            stderr=subprocess.PIPE,
        )
        for i in range(workers)
    ]
    for proc in procs:
        _, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0, err.decode()[-2000:]
    runs = await _runs()
    assert sorted(r["n"] for r in runs) == list(range(total))  # each exactly once
    assert await service.counts() == {("test.record", "done"): total}
    # They really shared the work.
    assert len({r["worker"] for r in runs}) > 1


async def test_running_until_a_job_is_finished_waits_for_another_worker(
    job_runs: Settings,
) -> None:
    """`hromada import appeals` ends once its publish job is finished, even when a
    running `hromada serve` took the job first."""
    job_id = await service.enqueue("test.record", {"n": 1})
    other = await service.claim("serve-worker", 60)
    assert other is not None and other.id == job_id

    async def the_other_worker_finishes() -> None:
        await asyncio.sleep(0.3)
        await record(job_runs, other.payload)
        await service.complete(job_id, "serve-worker")

    finishing = asyncio.create_task(the_other_worker_finishes())
    cli = Worker(job_runs, {"test.record": record}, name="cli")
    job = await cli.run_until_finished(job_id, poll=0.05)
    await finishing
    assert job is not None and job.state == "done"
    assert [r["n"] for r in await _runs()] == [1]  # once, by the worker that took it
    # A job this process can run, it runs.
    mine = await service.enqueue("test.record", {"n": 2})
    job = await cli.run_until_finished(mine)
    assert job is not None and job.state == "done"
    assert [r["n"] for r in await _runs()] == [1, 2]
