"""The search indexer's lock holds across hosts: one drainer per Meilisearch index."""

from __future__ import annotations

import asyncpg
import pytest

from hromada.config import Settings
from hromada.db import postgres_config
from hromada.jobs.lease import Lease
from hromada.search.indexer import Indexer, IndexerLock, indexer_lock
from hromada.search.port import SearchBackend


def shared_meili(settings: Settings) -> Settings:
    # Never contacted here: only the lock is exercised.
    return settings.replace(meili_url="http://127.0.0.1:9", meili_key="k")


def test_the_lock_fits_the_deployment(clean_db: Settings, engine_name: str) -> None:
    # The embedded index is one host's directory: a lock file there, on either engine.
    assert isinstance(indexer_lock(clean_db), IndexerLock)
    meili = indexer_lock(shared_meili(clean_db))
    if engine_name == "postgres":
        # A Meilisearch shared by hosts on one database: a lease among all of them.
        assert isinstance(meili, Lease)
        assert meili.name == "hromada-search-indexer:http://127.0.0.1:9/hromada"
    else:
        # SQLite serves one host: the file lock is enough.
        assert isinstance(meili, IndexerLock)


@pytest.mark.skipif(
    "config.getoption('--db') != 'postgres'",
    reason="several hosts share one database only on PostgreSQL; SQLite's lock file is "
    "tested in tests/search/test_outbox.py",
)
async def test_one_indexer_among_hosts_and_a_dead_one_is_taken_over(clean_db: Settings) -> None:
    settings = shared_meili(clean_db)
    backend: SearchBackend = None  # type: ignore[assignment]  # the lock needs no engine
    # Two "hosts": different data directories, so no lock file is shared.
    first = Indexer(settings.replace(data_dir=clean_db.data_dir / "a"), backend)
    second = Indexer(settings.replace(data_dir=clean_db.data_dir / "b"), backend)
    try:
        assert await first.take_lock()
        assert not await second.take_lock()
        assert await first.take_lock()  # still held: checked, not taken twice
        assert "backend" in await second.holder()

        # The holder's process dies (its connection ends): the server frees the lease.
        # pg_terminate_backend only signals; the timeout form (PostgreSQL 14+) waits until
        # the backend has exited, so the lease is free when the next line runs.
        assert isinstance(first.lock, Lease) and first.lock._conn is not None
        pid = first.lock._conn.get_server_pid()
        admin = await asyncpg.connect(**postgres_config(settings.database_url))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1, 10000)", pid)
        finally:
            await admin.close()
        assert await second.take_lock()
        assert not await first.take_lock()  # it notices it lost the lease

        await second.close()
        assert await first.take_lock()
    finally:
        await first.close()
        await second.close()
