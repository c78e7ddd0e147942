"""The worker: claims due jobs one at a time and runs their handlers.

``hromada serve`` runs one in the background of every process (unless
``HROMADA_JOBS_WORKER=off``); ``hromada worker`` runs one alone, and any number
of them on any number of hosts share the queue (see :mod:`hromada.jobs.service`).
A failed attempt is queued again after an exponential backoff
(``backoff_base`` · 2^(attempt-1), at most ``max_backoff``); a job out of
attempts stays ``failed``, with its error, until ``hromada jobs --retry``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Mapping

from hromada.config import Settings
from hromada.domain import JobHandler as Handler
from hromada.jobs import service
from hromada.tasks import cancel_and_wait

log = logging.getLogger("hromada.jobs")

IDLE_POLL = 1.0
LEASE = 60.0
BACKOFF_BASE = 2.0
MAX_BACKOFF = 600.0
KEEP_FINISHED = 7 * 24 * 3600.0  # done jobs stay visible (GET /api/v1/jobs/{id}) a week
PRUNE_EVERY = 3600.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(
        self,
        settings: Settings,
        handlers: Mapping[str, Handler],
        *,
        name: str | None = None,
        idle_poll: float = IDLE_POLL,
        lease: float = LEASE,
        backoff_base: float = BACKOFF_BASE,
        max_backoff: float = MAX_BACKOFF,
    ) -> None:
        self.settings = settings
        self.handlers = dict(handlers)
        self.name = name or worker_name()
        self.idle_poll = idle_poll
        self.lease = lease
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self.ran = 0
        self.last_error = ""

    def backoff(self, attempts: int) -> float:
        return float(min(self.backoff_base * 2 ** max(attempts - 1, 0), self.max_backoff))

    async def run_one(self) -> bool:
        """Claim one due job and run it; false when none is due."""
        if not await service.any_due():
            return False
        job = await service.claim(self.name, self.lease)
        if job is None:
            return False
        handler = self.handlers.get(job.kind)
        if handler is None:
            # Deployed code that does not know the kind (an older worker during an
            # upgrade, say): count it as an attempt so it ends visible, not looping.
            await service.fail(job, self.name, f"no handler for kind {job.kind!r}", 0)
            return True
        if job.attempts > job.max_attempts:  # its workers kept dying: stop taking it
            await service.fail(job, self.name, "lease expired on every attempt", 0)
            return True
        renewing = asyncio.create_task(self._renew(job.id), name=f"job-{job.id}-lease")
        try:
            await handler(self.settings, job.payload)
        except asyncio.CancelledError:
            raise  # shutting down: the lease runs out and another worker takes it
        except Exception as exc:
            renewing.cancel()
            self.last_error = f"{type(exc).__name__}: {exc}"
            state = await service.fail(job, self.name, self.last_error, self.backoff(job.attempts))
            log.warning(
                "job %s (%s) attempt %s failed, now %s: %s",
                job.id,
                job.kind,
                job.attempts,
                state,
                self.last_error,
            )
            return True
        finally:
            await cancel_and_wait(renewing)
        await service.complete(job.id, self.name)
        self.ran += 1
        log.info("job %s (%s) done", job.id, job.kind)
        return True

    async def _renew(self, job_id: int) -> None:
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                if not await service.renew(job_id, self.name, self.lease):
                    log.warning("job %s: lease lost (another worker may take it)", job_id)
                    return
            except Exception as exc:  # the database may be briefly away: try again
                log.warning("job %s: lease not renewed: %s", job_id, exc)

    async def run_until_empty(self) -> int:
        """Run due jobs until none is left (the CLI after an import, tests); returns how
        many ran. A job waiting for its backoff is not due and is left for later."""
        count = 0
        while await self.run_one():
            count += 1
        return count

    async def run_until_finished(self, job_id: int, poll: float = 0.5) -> service.JobOut | None:
        """Run due jobs here until job ``job_id`` is finished (``done``, ``failed`` or
        ``superseded``), waiting for it while another worker runs it; returns it."""
        while True:
            ran = await self.run_one()
            job = await service.get(job_id)
            if job is None or job.state in service.FINISHED:
                return job
            if not ran:
                await asyncio.sleep(poll)

    async def run(self) -> None:
        """Forever: run due jobs, sleep when idle, back off while the database is away."""
        pause = self.idle_poll
        pruned_at = 0.0
        loop = asyncio.get_running_loop()
        while True:
            try:
                busy = await self.run_one()
                if loop.time() - pruned_at > PRUNE_EVERY:
                    await service.prune(KEEP_FINISHED)
                    pruned_at = loop.time()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("jobs worker: %s; retrying in %.1fs", self.last_error, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)
                continue
            pause = self.idle_poll
            if not busy:
                await asyncio.sleep(self.idle_poll)


@contextlib.asynccontextmanager
async def running_worker(worker: Worker) -> AsyncIterator[Worker]:
    """Run ``worker`` in the background for the duration of the block."""
    task = asyncio.create_task(worker.run(), name="jobs-worker")
    try:
        yield worker
    finally:
        await cancel_and_wait(task)
