"""A lease one process holds among every host that shares the PostgreSQL database.

For work that must have exactly one runner at a time across hosts, in order
(the search indexer feeding a shared Meilisearch: two drainers could each read
a document and the older read could land last). A session-level advisory lock
on a connection of its own: the server releases it when the process or its
connection dies, so another host takes over without anyone cleaning up.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import asyncpg

from hromada.db import postgres_config

log = logging.getLogger("hromada.jobs")


class Lease:
    def __init__(self, database_url: str, name: str) -> None:
        self.database_url = database_url
        self.name = name
        self._conn: Any = None

    @property
    def held(self) -> bool:
        return self._conn is not None

    async def acquire(self) -> bool:
        """Take the lease, or check that it is still held; false if another holds it."""
        if self._conn is not None:
            try:
                # The lock lives as long as the session: a session that answers still has it.
                await self._conn.fetchval("SELECT 1", timeout=5)
            except Exception as exc:
                log.warning("lease %s lost with its connection: %s", self.name, exc)
                await self.release()
            else:
                return True
        conn = await asyncpg.connect(**postgres_config(self.database_url), timeout=5)
        try:
            got = await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", self.name)
        except BaseException:
            await conn.close()
            raise
        if not got:
            await conn.close()
            return False
        self._conn = conn
        return True

    async def holder(self) -> str:
        """Who holds the lease (for a log line): the holder's client address and pid."""
        with contextlib.suppress(Exception):
            conn = await asyncpg.connect(**postgres_config(self.database_url), timeout=5)
            try:
                row = await conn.fetchrow(
                    "SELECT a.client_addr::text AS addr, a.pid FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                    "AND l.objid = (hashtext($1)::bigint & 4294967295) AND l.granted",
                    self.name,
                )
            finally:
                await conn.close()
            if row is not None:
                return f"{row['addr'] or 'local'} backend {row['pid']}"
        return "?"

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close(timeout=5)
