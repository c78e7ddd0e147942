"""The database layer under concurrency, on both engines."""

from __future__ import annotations

import asyncio

from hromada import db
from hromada.config import Settings
from hromada.open_data.registries.tables import District


async def test_concurrent_read_then_write_transactions_all_succeed(clean_db: Settings) -> None:
    async def register(n: int) -> None:
        async with db.write_transaction():
            exists = await District.exists().where(District.code == f"d{n % 150}")
            if not exists:
                await District.insert(
                    District(code=f"d{n % 150}", name_uk="р", name_en="d", lat=50.0, lon=36.2)
                )

    # 200 writers, 50 of them duplicates of others: no "database is locked", no duplicates.
    # On PostgreSQL they share a pool, as in production.
    engine = db.current_engine()
    await db.start(engine, pool_size=20)
    try:
        await asyncio.gather(*(register(n) for n in range(200)))
    finally:
        await db.stop(engine)
    assert await District.count() == 150


async def test_a_failed_transaction_leaves_nothing(clean_db: Settings) -> None:
    try:
        async with db.write_transaction():
            await District.insert(
                District(code="half", name_uk="р", name_en="d", lat=50.0, lon=36.2)
            )
            raise RuntimeError("crash in the middle")
    except RuntimeError:
        pass
    assert await District.count() == 0
