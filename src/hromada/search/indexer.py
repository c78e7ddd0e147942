"""The indexer: drains the search outbox into the engine, and rebuilds the index.

One indexer drains at a time, and that keeps the order of changes: two
drainers could each read a document and the older read could reach the engine
last. For the embedded engine, which lives in one host's directory and allows
one writer per directory, that is a lock file beside the index. For a
Meilisearch shared by several hosts on one PostgreSQL database, it is a lease
among every host (:class:`hromada.jobs.lease.Lease`, an advisory lock the
server releases when its holder dies). With several ``hromada serve`` workers,
the first to take the lock indexes; the others only search and take over if
it dies.

Draining is idempotent: for every outbox row the indexer reads the document's
current state through its type's loader (public documents only) and upserts
or deletes it, then deletes the rows it handled. If the engine fails, the rows
stay, the attempt is recorded on them, and the indexer retries with
exponential backoff, so nothing written while the engine was down is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from hromada import db
from hromada.config import Settings
from hromada.errors import HromadaError
from hromada.jobs.lease import Lease
from hromada.search.outbox import enqueue
from hromada.search.port import DocumentType, SearchBackend, encode_document, uid_of
from hromada.search.registry import document_type, document_types
from hromada.search.registry import settings as index_settings
from hromada.search.tables import SearchOutbox

log = logging.getLogger("hromada.search.indexer")

BATCH = 500
REBUILD_BATCH = 5000  # one commit per batch: bigger batches when rebuilding
SCAN_BATCH = 1000
IDLE_POLL = 1.0
LOCK_RETRY = 5.0
MAX_BACKOFF = 30.0

Progress = Callable[[str, int, int], None]


def make_backend(settings: Settings) -> SearchBackend:
    """Meilisearch when ``HROMADA_MEILI_URL`` is set, the embedded engine otherwise."""
    if settings.meili_url:
        from hromada.search.meili import MeiliBackend

        return MeiliBackend(
            settings.meili_url, settings.meili_key, settings.meili_index, index_settings()
        )
    from hromada.search.embedded import EmbeddedBackend

    return EmbeddedBackend(settings.search_path, index_settings())


class IndexerLock:
    """An exclusive, non-blocking lock file; the OS releases it if the process dies."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "indexer.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"


def indexer_lock(settings: Settings) -> IndexerLock | Lease:
    """What an indexer must hold to drain the outbox into ``settings``' engine."""
    if settings.meili_url and settings.engine == "postgres":
        return Lease(
            settings.database_url,
            f"hromada-search-indexer:{settings.meili_url}/{settings.meili_index}",
        )
    # SQLite serves one host, and the embedded index is one host's directory.
    return IndexerLock(settings.search_path)


async def _sync(backend: SearchBackend, doc_type: DocumentType, ids: Sequence[str]) -> int:
    """Bring these documents in line with the database; returns documents upserted."""
    wanted = list(dict.fromkeys(ids))
    docs = await doc_type.load(wanted)
    asked = set(wanted)
    encoded = [encode_document(doc_type, d) for d in docs if str(d["id"]) in asked]
    found = {d["id"] for d in encoded}
    await backend.upsert(encoded)
    gone = [uid_of(doc_type.name, i) for i in wanted if i not in found]
    await backend.delete(gone)
    return len(encoded)


async def drain_once(backend: SearchBackend, *, batch: int = BATCH) -> int:
    """Handle up to ``batch`` outbox rows, oldest first; returns how many were handled.

    Rows are deleted only after the engine has taken the changes; on an engine
    error they stay, with the attempt recorded, and the error propagates.
    """
    rows = await (
        SearchOutbox.select(
            SearchOutbox.id, SearchOutbox.doc_type, SearchOutbox.doc_id, SearchOutbox.op
        )
        .order_by(SearchOutbox.id)
        .limit(batch)
    )
    if not rows:
        return 0
    handled = [r["id"] for r in rows]
    try:
        pending: dict[str, list[str]] = {}

        async def flush() -> None:
            for name, ids in pending.items():
                await _sync(backend, document_type(name), ids)
            pending.clear()

        for row in rows:
            name = row["doc_type"]
            try:
                document_type(name)
            except HromadaError:
                log.warning("search outbox: dropping row %s of unknown type %r", row["id"], name)
                continue
            if row["op"] == "purge":
                await flush()
                await backend.delete_type(name)
            else:
                pending.setdefault(name, []).append(row["doc_id"])
        await flush()
        await backend.flush()
    except Exception as exc:
        await _record_failure(handled, exc)
        raise
    for start in range(0, len(handled), 1000):
        await SearchOutbox.delete().where(SearchOutbox.id.is_in(handled[start : start + 1000]))
    return len(handled)


async def _record_failure(ids: list[int], exc: Exception) -> None:
    message = f"{type(exc).__name__}: {exc}"[:500]
    with contextlib.suppress(Exception):  # the database may be what failed
        for start in range(0, len(ids), 1000):
            await SearchOutbox.update(
                {SearchOutbox.attempts: SearchOutbox.attempts + 1, SearchOutbox.last_error: message}
            ).where(SearchOutbox.id.is_in(ids[start : start + 1000]))


async def enqueue_rebuild(
    types: Sequence[DocumentType], progress: Progress | None = None, *, purge: bool = True
) -> int:
    """Queue a rebuild of these types: a purge (unless the index is known to be empty),
    then every public document. Returns rows queued."""
    total = 0
    for doc_type in types:
        async with db.write_transaction():
            # Rows already queued for this type are committed changes the scan below
            # will read anyway (and stale documents go with the purge, or there are none).
            await SearchOutbox.delete().where(SearchOutbox.doc_type == doc_type.name)
            if purge:
                await enqueue(doc_type.name, ["*"], "purge")
        after: str | None = None
        count = 0
        while True:
            ids = await doc_type.scan(after, SCAN_BATCH)
            if not ids:
                break
            async with db.write_transaction():
                await enqueue(doc_type.name, ids)
            after = ids[-1]
            count += len(ids)
            if progress is not None:
                progress(f"queue {doc_type.name}", count, count)
        total += count + int(purge)
    return total


async def drain_all(
    backend: SearchBackend, progress: Progress | None = None, *, batch: int = BATCH
) -> int:
    """Drain until the outbox is empty (rebuilds, tests); returns rows handled."""
    left = int(await SearchOutbox.count())
    done = 0
    while True:
        n = await drain_once(backend, batch=batch)
        if not n:
            break
        done += n
        if progress is not None:
            progress("index", done, max(left, done))
    return done


class Indexer:
    """The background loop: take the lock, configure the index, drain forever."""

    def __init__(
        self,
        settings: Settings,
        backend: SearchBackend,
        *,
        idle_poll: float = IDLE_POLL,
        lock_retry: float = LOCK_RETRY,
        max_backoff: float = MAX_BACKOFF,
    ) -> None:
        self.settings = settings
        self.backend = backend
        self.lock = indexer_lock(settings)
        self.idle_poll = idle_poll
        self.lock_retry = lock_retry
        self.max_backoff = max_backoff
        self.configured = False
        self.needs_rebuild = False
        self.failures = 0
        self.last_error = ""

    async def take_lock(self) -> bool:
        """Take the indexer lock (or check it is still held); false while another holds it."""
        if isinstance(self.lock, IndexerLock):
            return self.lock.acquire()
        try:
            return await self.lock.acquire()
        except Exception as exc:  # the database is away: nobody indexes meanwhile
            log.warning("search indexer: cannot take its lease: %s", exc)
            return False

    async def holder(self) -> str:
        if isinstance(self.lock, IndexerLock):
            return f"pid {self.lock.holder()} ({self.lock.path})"
        return await self.lock.holder()

    async def configure(self) -> None:
        if await self.backend.configure(index_settings()):
            self.needs_rebuild = True
        self.configured = True

    async def step(self) -> int:
        """One round: configure if needed, then drain one batch. Raises on engine errors."""
        if not self.configured:
            await self.configure()
        if self.needs_rebuild:
            log.info("the search index is new: queueing every public document")
            await enqueue_rebuild(document_types(), purge=False)
            self.needs_rebuild = False
        return await drain_once(self.backend)

    async def run(self) -> None:
        backoff = 0.5
        while True:
            if not await self.take_lock():
                await asyncio.sleep(self.lock_retry)
                continue
            try:
                handled = await self.step()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.failures += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("search indexer: %s; retrying in %.1fs", self.last_error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = 0.5
            if not handled:
                await asyncio.sleep(self.idle_poll)

    async def close(self) -> None:
        if isinstance(self.lock, IndexerLock):
            self.lock.release()
        else:
            await self.lock.release()


async def run_reindex(
    settings: Settings, type_names: Sequence[str] | None = None, progress: Progress | None = None
) -> tuple[int, int, bool]:
    """``hromada reindex``: queue a rebuild and, unless an indexer is running, do it now.

    Returns (rows queued, rows indexed here, whether this process indexed). When a
    running ``hromada serve`` or ``hromada indexer`` holds the index, it does the work.
    """
    types = [document_type(n) for n in type_names] if type_names else list(document_types())
    backend = make_backend(settings)
    indexer = Indexer(settings, backend)
    try:
        if not await indexer.take_lock():
            return await enqueue_rebuild(types, progress), 0, False
        await indexer.configure()
        fresh = indexer.needs_rebuild
        if fresh:  # a new index: everything, not only what was asked
            types = list(document_types())
            indexer.needs_rebuild = False
        queued = await enqueue_rebuild(types, progress, purge=not fresh)
        done = await drain_all(backend, progress, batch=REBUILD_BATCH)
        return queued, done, True
    finally:
        await backend.close()
        await indexer.close()


async def run_indexer(settings: Settings) -> None:
    """``hromada indexer``: drain the outbox until stopped."""
    backend = make_backend(settings)
    indexer = Indexer(settings, backend)
    try:
        if not await indexer.take_lock():
            log.info(
                "another indexer (%s) holds the index: waiting to take over", await indexer.holder()
            )
        await indexer.run()
    finally:
        await backend.close()
        await indexer.close()
