"""One throwaway migrated database per engine for a benchmark: a temporary SQLite file,
or a PostgreSQL database created on ``HROMADA_TEST_DATABASE_URL``'s server and dropped
afterwards, whatever the benchmark did."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from hromada import db
from hromada.config import Settings
from hromada.db import postgres_config
from hromada.migrations import migrate

SERVER = os.environ.get(
    "HROMADA_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
ENGINES = [e.strip() for e in os.environ.get("HROMADA_BENCH_ENGINES", "sqlite,postgres").split(",")]


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(**postgres_config(SERVER))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def migrated(engine: str, label: str, pool_size: int = 20) -> AsyncIterator[Settings]:
    """Settings of a fresh, migrated database on ``engine``, bound for the duration."""
    with tempfile.TemporaryDirectory(prefix=f"hromada-bench-{label}-") as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp), database_pool_size=pool_size)
        name = ""
        if engine == "postgres":
            name = f"hromada_bench_{label}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            await _admin(f'CREATE DATABASE "{name}"')
            base, _, _ = SERVER.rpartition("/")
            settings = settings.replace(database_url=f"{base}/{name}")
        try:
            bound = db.use_database(settings)
            await db.start(bound, settings.database_pool_size)
            try:
                await migrate()
                print(f"[{engine}]", flush=True)
                yield settings
            finally:
                await db.stop(bound)
        finally:
            if name:
                await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
