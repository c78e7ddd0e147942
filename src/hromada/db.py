"""Database engine selection: SQLite by default, PostgreSQL by URL, and every
piece of SQL that differs between the two.

One engine per process (Piccolo binds engines per table class). ``use_database``
builds the engine from ``Settings`` and binds every table of every app to it.

Domains write SQL once, with Piccolo's ``{}`` placeholders, in the dialect both
engines share; what differs (driver placeholders, integer floors, advisory
locks, bulk writes through the driver) is answered here and nowhere else.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime
import logging
import os
import sqlite3
import weakref
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from piccolo.conf.apps import Finder
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.querystring import QueryString

from hromada.config import Settings

os.environ.setdefault("PICCOLO_CONF", "hromada.piccolo_conf")

# One in-process writer at a time on SQLite: with IMMEDIATE transactions this
# turns "database is locked" under concurrency into an orderly queue. A writer
# belongs to one event loop, and tests run the app in a loop of its own.
_sqlite_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _SQLiteWriter] = (
    weakref.WeakKeyDictionary()
)
# The transaction ``write_transaction`` opened in this task, for ``execute_many``.
_write_tx: contextvars.ContextVar[Any | None] = contextvars.ContextVar(
    "hromada_write_transaction", default=None
)


def postgres_config(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    config: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "database": unquote(parts.path.lstrip("/")),
        "user": unquote(parts.username) if parts.username else "postgres",
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


def make_engine(settings: Settings) -> Engine:
    if settings.engine == "postgres":
        return PostgresEngine(config=postgres_config(settings.database_url))
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteEngine(path=str(path), timeout=settings.sqlite_busy_timeout)


_engine: Engine | None = None


def current_engine() -> Engine:
    """The engine :func:`bind` made current, else the one Piccolo's configuration names."""
    if _engine is not None:
        return _engine
    found = engine_finder()
    if found is None:
        raise RuntimeError("no database engine: PICCOLO_CONF names no DB")
    return found


def all_tables() -> list[Any]:
    from piccolo.apps.migrations.tables import Migration

    return [*Finder().get_table_classes(), Migration]


def use_database(settings: Settings) -> Engine:
    """Make ``settings``' database the one every table of this process uses."""
    engine = make_engine(settings)
    if isinstance(engine, SQLiteEngine):
        prepare_sqlite_file(engine.path, settings.sqlite_busy_timeout)
    bind(engine)
    return engine


def bind(engine: Engine) -> None:
    global _engine
    _engine = engine
    # Piccolo's own machinery (migrations, engine_finder) reads DB from the module that
    # PICCOLO_CONF names; found through Piccolo, so db never imports piccolo_conf
    # (piccolo_conf imports db to make its default engine).
    conf = Finder().get_piccolo_conf_module()
    if conf is not None:
        conf.DB = engine
    for table in all_tables():
        table._meta.db = engine


def prepare_sqlite_file(path: str, busy_timeout: float) -> None:
    """WAL lets readers go on while one writer writes; it persists in the file."""
    with contextlib.closing(sqlite3.connect(path, timeout=busy_timeout)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


async def start(engine: Engine, pool_size: int) -> None:
    if isinstance(engine, PostgresEngine) and pool_size > 0:
        await engine.start_connection_pool(max_size=pool_size, min_size=1)


# How long shutdown waits for connections still checked out before closing them anyway.
POOL_CLOSE_GRACE = 10.0


async def stop(engine: Engine) -> None:
    """Close the pool. asyncpg waits for every checked-out connection to come back; one
    that never does (its request was cancelled at the wrong moment) would hold the
    process at exit forever, so after ``POOL_CLOSE_GRACE`` the rest are closed at once.
    On SQLite, a write connection this loop still keeps is closed."""
    writer = _sqlite_writers.get(asyncio.get_running_loop())
    if writer is not None:
        await writer.close()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        pool = engine.pool
        try:
            await asyncio.wait_for(asyncio.shield(pool.close()), POOL_CLOSE_GRACE)
        except TimeoutError:
            logging.getLogger("hromada.db").warning(
                "database connections still in use %.0f s into shutdown: closing them",
                POOL_CLOSE_GRACE,
            )
            pool.terminate()
        engine.pool = None


@contextlib.asynccontextmanager
async def write_transaction() -> AsyncIterator[Any]:
    """A transaction for writes that read first, safe under concurrency on both engines.

    On SQLite it is IMMEDIATE (the write lock is taken at BEGIN, so two readers
    cannot both decide to write) and serialised in-process (``_SQLiteWriter``); on
    PostgreSQL it is an ordinary transaction and unique constraints settle races.
    """
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        writer = _sqlite_writers.get(asyncio.get_running_loop())
        if writer is None:
            writer = _sqlite_writers[asyncio.get_running_loop()] = _SQLiteWriter()
        async with writer.turn(), _WriterTransaction(engine, writer) as tx:
            token = _write_tx.set(tx)
            try:
                yield tx
            finally:
                _write_tx.reset(token)
    else:
        async with engine.transaction() as tx:
            token = _write_tx.set(tx)
            try:
                yield tx
            finally:
                _write_tx.reset(token)


class _SQLiteWriter:
    """The one writer of an event loop on SQLite: its queue, and the connection it lends.

    Opening a SQLite connection (a driver thread, the file, its WAL) costs about three
    times a one-row write transaction, so while writers queue, each transaction hands its
    connection to the next. The turn that ends with nobody waiting closes it, so an idle
    process holds no connection (and no driver thread) open. A transaction that failed
    closes its connection at once: the next one starts from a fresh one.
    """

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.waiting = 0
        self.connection: Any = None
        self._closers: set[asyncio.Task[None]] = set()

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        self.waiting += 1
        try:
            await self.lock.acquire()
        except BaseException:
            # A writer cancelled in the queue: if it was the one a kept connection waited
            # for, a turn of its own closes it once the writer before is done.
            self.waiting -= 1
            if not self.waiting and self.connection is not None:
                closer = asyncio.get_running_loop().create_task(self._idle_turn())
                self._closers.add(closer)
                closer.add_done_callback(self._closers.discard)
            raise
        self.waiting -= 1
        try:
            yield
        finally:
            try:
                if not self.waiting:
                    await self.close()
            finally:
                self.lock.release()

    async def _idle_turn(self) -> None:
        async with self.turn():
            pass

    async def lend(self, engine: SQLiteEngine) -> _Lent:
        if self.connection is None:
            self.connection = await engine.get_connection()
        return _Lent(self.connection, self)

    async def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            await connection.close()


class _Lent:
    """The writer's connection as a transaction holds it: closing it gives it back."""

    def __init__(self, connection: Any, writer: _SQLiteWriter) -> None:
        self._connection = connection
        self._writer = writer
        self.ok = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    async def close(self) -> None:
        if not self.ok:
            await self._writer.close()


class _WriterTransaction(SQLiteTransaction):
    """Piccolo's IMMEDIATE transaction on the writer's lent connection."""

    def __init__(self, engine: SQLiteEngine, writer: _SQLiteWriter) -> None:
        super().__init__(engine=engine, transaction_type=TransactionType.immediate)
        self._writer = writer

    async def get_connection(self) -> _Lent:
        return await self._writer.lend(self.engine)

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent is not None:
            return await super().__aexit__(exception_type, exception, traceback)
        lent: _Lent = self.connection
        lent.ok = exception is None
        try:
            return await super().__aexit__(exception_type, exception, traceback)
        except BaseException:
            # COMMIT or ROLLBACK itself failed: the connection's state is unknown.
            await self._writer.close()
            raise


def instant(value: Any) -> Any:
    """A timestamp as a query read it: PostgreSQL gives a datetime, SQLite may give the
    stored text, parsed here; a time without an offset is UTC (every timestamp column is
    one with a time zone). None stays None."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value


def in_write_transaction() -> bool:
    """Whether this task runs inside ``write_transaction`` (``execute_many`` works)."""
    return _write_tx.get() is not None


async def execute_many(sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Run ``sql`` (``{}`` placeholders) once per row, inside ``write_transaction``.

    Through the driver of the transaction ``write_transaction`` opened: Piccolo's
    insert builder costs about a millisecond a row, the driver's executemany a few
    microseconds. Both drivers (asyncpg, aiosqlite) offer ``executemany`` on the
    connection Piccolo's transaction holds.
    """
    tx = _write_tx.get()
    if tx is None:
        raise RuntimeError("execute_many runs inside db.write_transaction() only")
    await tx.connection.executemany(driver_sql(sql), list(rows))


async def fetch_rows(sql: str, args: Sequence[Any]) -> list[Any]:
    """The rows ``sql`` (``{}`` placeholders) returns, run inside ``write_transaction``
    through its driver; each row is read by column name.

    For a statement with thousands of arguments (a multi-row ``INSERT … RETURNING``):
    Piccolo's query string checks and copies every argument, a third of a
    1,000-row ingest's time (``bench sensors``).
    """
    tx = _write_tx.get()
    if tx is None:
        raise RuntimeError("fetch_rows runs inside db.write_transaction() only")
    if dialect() == "sqlite":
        cursor = await tx.connection.execute(driver_sql(sql), list(args))
        return list(await cursor.fetchall())
    return list(await tx.connection.fetch(driver_sql(sql), *args))


# ---------------------------------------------------------------------------
# The dialect: what differs between SQLite and PostgreSQL.

Dialect = Literal["postgres", "sqlite"]


def dialect() -> Dialect:
    return "postgres" if isinstance(current_engine(), PostgresEngine) else "sqlite"


def driver_sql(sql: str) -> str:
    """``sql`` with Piccolo's ``{}`` placeholders turned into the driver's (``$n`` or ``?``)."""
    parts = sql.split("{}")
    if dialect() == "sqlite":
        return "?".join(parts)
    out = [parts[0]]
    for number, part in enumerate(parts[1:], start=1):
        out.append(f"${number}{part}")
    return "".join(out)


def marks(count: int) -> str:
    """``count`` comma-separated ``{}`` placeholders."""
    return ", ".join("{}" for _ in range(count))


def upsert_sql(
    table: str,
    columns: Sequence[str],
    *,
    key: Sequence[str],
    update: Mapping[str, str] | None = None,
) -> str:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` (the same text on both engines).

    ``update`` maps a column to its new value (``excluded.<column>`` is the
    incoming one); by default every column outside ``key`` takes the incoming value.
    """
    sets = update if update is not None else {c: f"excluded.{c}" for c in columns if c not in key}
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks(len(columns))}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
        + ", ".join(f"{column} = {value}" for column, value in sets.items())
    )


def in_values(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """``column IN (values)`` as SQL with ``{}`` placeholders, and its arguments.

    One array argument on PostgreSQL (``= ANY``: one statement text for any count, no
    per-value quoting by the query builder), one placeholder per value on SQLite.
    """
    if dialect() == "postgres":
        return f"{column} = ANY({{}})", [list(values)]
    return f"{column} IN ({marks(len(values)) or 'NULL'})", list(values)


async def bulk_upsert(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: str | tuple[str, ...],
    returning: str | None = None,
) -> list[Any]:
    """Insert ``rows`` (``columns`` order), updating those whose ``key`` exists, inside
    ``write_transaction``; returns ``returning`` of every written row (a single-column
    ``key`` only), else nothing.

    ``key`` (a column, or the columns of a unique index) must be unique among ``rows``.
    On PostgreSQL the rows travel by binary COPY into a temporary table and one
    ``INSERT … SELECT … ON CONFLICT … RETURNING`` moves them (about three times the rate
    of ``executemany``, ``bench appeals``); on SQLite ``executemany`` runs the upsert and
    a select reads the written rows back.
    """
    tx = _write_tx.get()
    if tx is None:
        raise RuntimeError("bulk_upsert runs inside db.write_transaction() only")
    if not rows:
        return []
    keys = (key,) if isinstance(key, str) else key
    if returning is not None and len(keys) != 1:
        raise ValueError("returning needs a single-column key")
    listed = ", ".join(columns)
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    if dialect() == "sqlite":
        await tx.connection.executemany(driver_sql(upsert_sql(table, columns, key=keys)), rows)
        if returning is None:
            return []
        where, args = in_values(keys[0], [row[columns.index(keys[0])] for row in rows])
        cursor = await tx.connection.execute(
            driver_sql(f"SELECT {returning} FROM {table} WHERE {where}"),  # noqa: S608
            args,
        )
        return [found[returning] for found in await cursor.fetchall()]
    incoming = f"incoming_{table}"
    connection = tx.connection
    await connection.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {incoming} ON COMMIT DROP AS "  # noqa: S608
        f"SELECT {listed} FROM {table} WITH NO DATA"
    )
    await connection.execute(f"TRUNCATE {incoming}")
    await connection.copy_records_to_table(incoming, records=rows, columns=list(columns))
    insert = (
        f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {incoming} "  # noqa: S608
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    )
    if returning is None:
        await connection.execute(insert)
        return []
    found = await connection.fetch(f"{insert} RETURNING {returning}")
    return [record[0] for record in found]


def floor_int(expr: str) -> str:
    """An integer ``floor(expr)`` for non-negative ``expr`` (SQLite's CAST truncates)."""
    if dialect() == "postgres":
        return f"FLOOR({expr})::int"
    return f"CAST({expr} AS INTEGER)"


async def advisory_xact_lock(key: int | str) -> None:
    """Hold a lock named ``key`` until the current transaction ends.

    A PostgreSQL advisory lock, so several hosts take turns; on SQLite the
    write transaction already holds the only write lock there is.
    """
    engine = current_engine()
    if not isinstance(engine, PostgresEngine):
        return
    if isinstance(key, int):
        query = QueryString("SELECT pg_advisory_xact_lock({})", key)
    else:
        query = QueryString("SELECT pg_advisory_xact_lock(hashtext({}))", key)
    await engine.run_querystring(query)


# ---------------------------------------------------------------------------
# Write counts: a cheap "did anything change" for a query's tables.

WRITE_COUNT_TABLE = "write_count"


def _trigger_name(table: str) -> str:
    return f"hromada_count_{table}"


async def _has_count_trigger(table: str) -> bool:
    if dialect() == "postgres":
        query = QueryString(
            "SELECT 1 FROM pg_trigger WHERE tgname = {} AND tgrelid = to_regclass({})",
            _trigger_name(table),
            table,
        )
    else:
        query = QueryString(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = {}",
            f"{_trigger_name(table)}_insert",
        )
    return bool(await current_engine().run_querystring(query))


async def _count_writes_on(table: str) -> None:
    """Make every later write to ``table`` add one to its row of ``write_count``: a trigger
    per statement on PostgreSQL, per row on SQLite (which has no statement triggers)."""
    engine = current_engine()
    name = _trigger_name(table)
    if dialect() == "sqlite":
        # No INSERT OR IGNORE: inside an upsert SQLite applies the outer statement's
        # conflict policy to the trigger's statements too, and the insert would fail.
        bump = (
            f"INSERT INTO {WRITE_COUNT_TABLE} (name, writes) SELECT '{table}', 0 "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {WRITE_COUNT_TABLE} WHERE name = '{table}'); "
            f"UPDATE {WRITE_COUNT_TABLE} SET writes = writes + 1 WHERE name = '{table}';"
        )
        for event in ("INSERT", "UPDATE", "DELETE"):
            await engine.run_ddl(
                f"CREATE TRIGGER IF NOT EXISTS {name}_{event.lower()} AFTER {event} ON {table} "
                f"FOR EACH ROW BEGIN {bump} END"
            )
        return
    async with engine.transaction():
        # Two processes creating the same trigger at once would collide: one at a time.
        await advisory_xact_lock("hromada-write-count")
        await engine.run_ddl(
            "CREATE OR REPLACE FUNCTION hromada_count_write() RETURNS trigger AS $$ BEGIN "  # noqa: S608
            f"INSERT INTO {WRITE_COUNT_TABLE} (name, writes) VALUES (TG_TABLE_NAME, 1) "
            f"ON CONFLICT (name) DO UPDATE SET writes = {WRITE_COUNT_TABLE}.writes + 1; "
            "RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        await engine.run_ddl(
            f"CREATE OR REPLACE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION hromada_count_write()"
        )


async def write_counts(tables: Sequence[str]) -> dict[str, int] | None:
    """How many writes each of ``tables`` has had since its writes began to be counted, or
    None when one of them was not counted until this call (nothing can be said about the
    writes before its trigger existed; a table rebuilt by a migration loses its triggers,
    and gets them back here).

    Equal answers mean that no write reached these tables in between: what a publish
    needs to skip reading every row. Counts only grow (an emptied table counts too).
    """
    fresh = False
    for table in tables:
        if not table.isidentifier():
            raise ValueError(f"not a table name: {table!r}")
        if not await _has_count_trigger(table):
            await _count_writes_on(table)
            fresh = True
    rows = await current_engine().run_querystring(
        QueryString(
            f"SELECT name, writes FROM {WRITE_COUNT_TABLE} "  # noqa: S608 - names checked
            f"WHERE name IN ({marks(len(tables))})",
            *tables,
        )
    )
    if fresh:
        return None
    found = {row["name"]: int(row["writes"]) for row in rows}
    return {table: found.get(table, 0) for table in tables}


async def ping() -> None:
    """Raise if the database cannot answer a trivial query."""
    await current_engine().run_ddl("SELECT 1")
