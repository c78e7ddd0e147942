"""Jobs inside the running app: the background worker and what ``/ready`` shows of the queue."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

from litestar import Litestar

from hromada.config import Settings
from hromada.domain import JobHandler
from hromada.jobs import service
from hromada.jobs.worker import Worker, running_worker

STUCK_AFTER = 300.0  # a due job waiting this long means no worker is taking jobs


async def status() -> dict[str, Any]:
    """The queue for ``/ready``: counts, and ``ok`` or what an operator should look at.

    Shown, not counted against readiness: a failed publish does not stop this
    process from answering requests, and taking every host out of a load
    balancer for it would turn one failed job into an outage.
    """
    backlog = await service.backlog()
    problems = []
    if backlog.failed:
        problems.append(f"{backlog.failed} failed job(s): see `hromada jobs`")
    if backlog.oldest_due_seconds > STUCK_AFTER:
        problems.append(
            f"the oldest due job has waited {backlog.oldest_due_seconds:.0f}s: is a worker running?"
        )
    return {
        "status": "; ".join(problems) or "ok",
        "queued": backlog.queued,
        "running": backlog.running,
        "failed": backlog.failed,
        "oldest_due_seconds": round(backlog.oldest_due_seconds, 1),
    }


def install(
    settings: Settings, state: dict[str, Any], handlers: Mapping[str, JobHandler]
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Put the queue's status into ``/ready``; return the lifespan running the worker
    with ``handlers`` (every domain's job kinds, from the composition root)."""
    state.setdefault("readiness_info", {})["jobs"] = status

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if settings.jobs_worker != "serve":
            yield
            return
        worker = Worker(settings, handlers)
        app.state["jobs_worker"] = worker
        async with running_worker(worker):
            yield

    return lifespan
