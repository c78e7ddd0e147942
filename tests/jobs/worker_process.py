"""One worker process of the concurrency test (run by test_jobs.py, not collected).

Usage: python worker_process.py DATABASE_URL READY_DIR INDEX WORKERS
Records every run of a ``test.record`` job in ``job_run``, then runs the queue
until it is empty. Every process waits for all of them before starting, so
they really compete.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from hromada import db
from hromada.config import Settings
from hromada.jobs.tables import Job
from hromada.jobs.worker import Worker


async def record(settings: Settings, payload: dict[str, Any]) -> None:
    await Job.raw(
        "INSERT INTO job_run (n, worker) VALUES ({}, {})", payload["n"], sys.argv[3]
    ).run()
    await asyncio.sleep(0.005)  # some work, so the others get a turn


def wait_for_the_others(ready: Path, index: str, workers: int) -> None:
    (ready / index).touch()
    deadline = time.monotonic() + 60
    while len(list(ready.iterdir())) < workers and time.monotonic() < deadline:
        time.sleep(0.02)


async def main(url: str, index: str) -> None:
    settings = Settings(environment="test", database_url=url, database_pool_size=2)
    engine = db.use_database(settings)
    await db.start(engine, settings.database_pool_size)
    try:
        await Worker(settings, {"test.record": record}, name=f"w{index}").run_until_empty()
    finally:
        await db.stop(engine)


wait_for_the_others(Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
asyncio.run(main(sys.argv[1], sys.argv[3]))
