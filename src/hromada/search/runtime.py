"""Search inside the running app: the engine, its readiness check, the background indexer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from litestar import Litestar

from hromada.config import Settings
from hromada.errors import Unavailable
from hromada.search.indexer import Indexer, make_backend
from hromada.search.port import SearchBackend
from hromada.tasks import cancel_and_wait

log = logging.getLogger("hromada.search")

STARTUP_CONFIGURE_TIMEOUT = 2.0


def backend_of(state: Any) -> SearchBackend:
    backend = state.get("search")
    if backend is None:  # pragma: no cover - create_app always sets it
        raise Unavailable("search is not configured")
    return backend


def install(
    settings: Settings, state: dict[str, Any]
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Put the engine and its readiness check into the app state; return the lifespan
    that runs the indexer (when this process wins the indexer lock) and closes the engine."""
    backend = make_backend(settings)
    state["search"] = backend
    state["readiness_checks"]["search"] = backend.ping

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if settings.search_indexer != "serve":
            try:
                yield
            finally:
                await backend.close()
            return
        indexer = Indexer(settings, backend)
        app.state["search_indexer"] = indexer
        if await indexer.take_lock():
            # An empty index is ready at once; an engine that does not answer is
            # retried by the loop, and start-up goes on without it.
            try:
                await asyncio.wait_for(indexer.configure(), STARTUP_CONFIGURE_TIMEOUT)
            except Exception as exc:
                log.warning("search engine not configured at start-up: %s", exc)
        task = asyncio.create_task(indexer.run(), name="search-indexer")
        try:
            yield
        finally:
            await cancel_and_wait(task)
            await backend.close()
            await indexer.close()

    return lifespan
