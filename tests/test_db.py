"""The database layer under concurrency, on both engines."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

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


async def test_execute_many_writes_through_the_write_transaction_and_rolls_back_with_it(
    clean_db: Settings,
) -> None:
    sql = db.upsert_sql("district", ("code", "name_uk", "name_en", "lat", "lon"), key=("code",))
    rows = [(f"x{n}", "р", "d", 50.0, 36.2) for n in range(3)]
    async with db.write_transaction():
        assert db.in_write_transaction()
        await db.execute_many(sql, rows)
        # The upsert replaces on its key: the same codes again change the names.
        await db.execute_many(sql, [(code, "нова", e, la, lo) for code, _, e, la, lo in rows])
    assert not db.in_write_transaction()
    names = await District.select(District.code, District.name_uk).order_by(District.code)
    assert names == [{"code": f"x{n}", "name_uk": "нова"} for n in range(3)]

    try:
        async with db.write_transaction():
            await db.execute_many(sql, [("y1", "р", "d", 50.0, 36.2)])
            raise RuntimeError("crash in the middle")
    except RuntimeError:
        pass
    assert await District.count().where(District.code == "y1") == 0


async def test_execute_many_refuses_to_run_outside_a_write_transaction(clean_db: Settings) -> None:
    try:
        await db.execute_many("DELETE FROM district WHERE code = {}", [("x",)])
    except RuntimeError as error:
        assert "write_transaction" in str(error)
    else:
        raise AssertionError("execute_many ran outside a write transaction")


async def test_fetch_rows_returns_rows_by_name_inside_the_write_transaction(
    clean_db: Settings,
) -> None:
    sql = (
        "INSERT INTO district (code, name_uk, name_en, lat, lon) VALUES "
        "({}, {}, {}, {}, {}), ({}, {}, {}, {}, {}) "
        "ON CONFLICT (code) DO NOTHING RETURNING code"
    )
    args = ["f1", "р", "d", 50.0, 36.2, "f2", "р", "d", 50.0, 36.2]
    async with db.write_transaction():
        first = await db.fetch_rows(sql, args)
        again = await db.fetch_rows(sql, args)  # nothing new: no rows back
    assert sorted(row["code"] for row in first) == ["f1", "f2"]
    assert again == []
    try:
        await db.fetch_rows("SELECT 1 AS n", [])
    except RuntimeError as error:
        assert "write_transaction" in str(error)
    else:
        raise AssertionError("fetch_rows ran outside a write transaction")


async def test_the_dialect_follows_the_engine(clean_db: Settings) -> None:
    assert db.dialect() == clean_db.engine
    if clean_db.engine == "postgres":
        assert db.driver_sql("a = {} AND b IN ({}, {})") == "a = $1 AND b IN ($2, $3)"
    else:
        assert db.driver_sql("a = {} AND b IN ({}, {})") == "a = ? AND b IN (?, ?)"
    # floor_int floors on both engines (CAST alone rounds on PostgreSQL).
    rows = await District.raw(f"SELECT {db.floor_int('CAST({} AS REAL)')} AS n", 2.7).run()
    assert rows[0]["n"] == 2


async def test_advisory_locks_serialise_transactions(clean_db: Settings) -> None:
    order: list[str] = []

    async def locked(name: str, hold: float) -> None:
        async with db.write_transaction():
            await db.advisory_xact_lock("hromada-test")
            order.append(f"{name} in")
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    engine = db.current_engine()
    await db.start(engine, pool_size=4)
    try:
        first = asyncio.create_task(locked("a", 0.2))
        await asyncio.sleep(0.05)
        await locked("b", 0)
        await first
    finally:
        await db.stop(engine)
    assert order == ["a in", "a out", "b in", "b out"]


async def test_shutdown_does_not_wait_forever_for_a_connection_never_returned(
    clean_db: Settings, monkeypatch: Any
) -> None:
    engine = db.current_engine()
    if engine.engine_type != "postgres":
        pytest.skip("SQLite has no pool: nothing is checked out")
    monkeypatch.setattr(db, "POOL_CLOSE_GRACE", 0.5)
    await db.start(engine, pool_size=2)
    pool = engine.pool  # type: ignore[attr-defined]
    await pool.acquire()  # a request cancelled before it gave this back
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(db.stop(engine), 10)
    assert asyncio.get_running_loop().time() - started < 5
    assert engine.pool is None  # type: ignore[attr-defined]
    assert await District.count() == 0  # the engine works on without a pool


def _writer() -> Any:
    """This loop's SQLite writer (None on PostgreSQL, which has a pool instead)."""
    return db._sqlite_writers.get(asyncio.get_running_loop())


def _district(code: str) -> District:
    return District(code=code, name_uk="р", name_en="d", lat=50.0, lon=36.2)


async def test_a_burst_of_writers_shares_one_connection_and_an_idle_process_keeps_none(
    clean_db: Settings, monkeypatch: Any
) -> None:
    import piccolo.engine.sqlite

    engine = db.current_engine()
    opened = 0
    connect = piccolo.engine.sqlite.aiosqlite.connect

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal opened
        opened += 1
        return connect(*args, **kwargs)

    # Counts the connections SQLite opens; each is the real one.
    monkeypatch.setattr(piccolo.engine.sqlite.aiosqlite, "connect", counted)

    async def write(n: int) -> None:
        async with db.write_transaction():
            if n == 50:  # one writer fails in the middle of the burst
                await District.insert(_district("failed"))
                raise RuntimeError("crash in the middle")
            await District.insert(_district(f"b{n}"))

    await db.start(engine, pool_size=10)
    try:
        results = await asyncio.gather(*(write(n) for n in range(100)), return_exceptions=True)
        assert [type(r) for r in results if r is not None] == [RuntimeError]
        if engine.engine_type == "sqlite":
            # One connection for the writers before the failure, a fresh one after it.
            assert opened == 2
            assert _writer().connection is None  # the burst is over: nothing kept open
        assert await District.count() == 99
        assert not await District.exists().where(District.code == "failed")
    finally:
        await db.stop(engine)


async def test_a_writer_cancelled_in_the_queue_leaves_no_connection_open(
    clean_db: Settings,
) -> None:
    engine = db.current_engine()
    inside = asyncio.Event()
    leave = asyncio.Event()

    # Both take one lock: the waiter queues behind the holder on either engine (on SQLite
    # in the writer's queue already, on PostgreSQL at the lock).
    async def first() -> None:
        async with db.write_transaction():
            await db.advisory_xact_lock("hromada-test")
            await District.insert(_district("first"))
            inside.set()
            await leave.wait()

    async def queued() -> None:
        async with db.write_transaction():
            await db.advisory_xact_lock("hromada-test")
            await District.insert(_district("never"))

    await db.start(engine, pool_size=4)
    try:
        holder = asyncio.create_task(first())
        await inside.wait()
        waiter = asyncio.create_task(queued())
        await asyncio.sleep(0.05)
        waiter.cancel()
        leave.set()
        await holder
        with pytest.raises(asyncio.CancelledError):
            await waiter
        for _ in range(50):  # the turn that closes a kept connection runs on its own
            if engine.engine_type != "sqlite" or _writer().connection is None:
                break
            await asyncio.sleep(0.01)
        if engine.engine_type == "sqlite":
            assert _writer().connection is None and not _writer().waiting
        codes = await District.select(District.code).output(as_list=True)
        assert codes == ["first"]
        async with db.write_transaction():  # and the next writer writes
            await District.insert(_district("next"))
        assert await District.count() == 2
    finally:
        await db.stop(engine)
