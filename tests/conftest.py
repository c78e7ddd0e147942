"""Fixtures: a migrated database on the chosen engine, an app, an HTTP client.

The suite runs once per engine: ``pytest --db=sqlite`` (default) or
``pytest --db=postgres`` (or ``HROMADA_TEST_DB``). PostgreSQL tests use a
throwaway database created for the session and dropped after it; the server
comes from ``HROMADA_TEST_DATABASE_URL`` (default the local one). Without a
reachable server they fail in CI and skip elsewhere, saying why.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from hromada import db, domains
from hromada.config import Settings
from hromada.db import postgres_config
from hromada.demo.city import generate_city
from hromada.demo.parts import DemoContext
from hromada.migrations import migrate
from hromada.open_data.registries.demo import RegistriesDemo

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"

# As every entry point does: search and the catalogue receive the domains' declarations.
domains.compose()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgres"),
        default=os.environ.get("HROMADA_TEST_DB", "sqlite"),
        help="database engine the suite runs on (default: sqlite, or HROMADA_TEST_DB)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"hromada database engine: {config.getoption('--db')}"


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(**postgres_config(url), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
def base_settings(engine_name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    data_dir = tmp_path_factory.mktemp("hromada-data")
    # A small demo city: the default 200,000 appeals belong to `make demo`, not the tests.
    settings = Settings(
        environment="test",
        data_dir=data_dir,
        database_pool_size=0,
        demo_appeals=600,
        demo_sensor_days=2,
    )
    if engine_name == "sqlite":
        yield settings
        return
    server = os.environ.get("HROMADA_TEST_DATABASE_URL", DEFAULT_PG)
    name = f"hromada_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(_pg_admin(server, f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        message = (
            f"PostgreSQL at {server} is not reachable ({type(exc).__name__}: {exc}); "
            "start it or set HROMADA_TEST_DATABASE_URL"
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    base, _, _ = server.rpartition("/")
    try:
        yield settings.replace(database_url=f"{base}/{name}")
    finally:
        asyncio.run(_pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
async def settings(base_settings: Settings) -> AsyncIterator[Settings]:
    """A migrated database for the whole session."""
    db.use_database(base_settings)
    await migrate()
    yield base_settings


@pytest.fixture(autouse=True)
def _keep_session_engine(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that points the process at another database (CLI, demo) cannot leak it."""
    engine = db.current_engine()
    yield
    if db.current_engine() is not engine:
        db.bind(engine)


async def _truncate_postgres(engine: Any, names: list[str]) -> None:
    """Empty the tables; a connection left holding a lock (by a test's app that went away
    mid-query) is named in a warning and ended instead of making the suite wait forever."""
    import warnings

    import asyncpg

    statement = "TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"
    conn = await asyncpg.connect(**engine.config)
    try:
        for attempt in (1, 2):
            try:
                async with conn.transaction():
                    await conn.execute("SET LOCAL lock_timeout = '30s'")
                    await conn.execute(statement)
                return
            except asyncpg.exceptions.LockNotAvailableError:
                if attempt == 2:
                    raise
                others = await conn.fetch(
                    "SELECT pid, state, xact_start, left(query, 200) AS query"
                    " FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                warnings.warn(
                    f"tables stayed locked after the test; ending {[dict(r) for r in others]}",
                    stacklevel=1,
                )
                for row in others:
                    await conn.execute("SELECT pg_terminate_backend($1, 10000)", row["pid"])
    finally:
        await conn.close()


async def truncate_all() -> None:
    tables = [t for t in db.all_tables() if t._meta.tablename != "migration"]
    engine = db.current_engine()
    names = [t._meta.tablename for t in tables]
    if engine.engine_type == "postgres":
        await _truncate_postgres(engine, names)
    else:
        # Children first: foreign keys are on.
        for name in reversed(names):
            await engine.run_ddl(f'DELETE FROM "{name}"')


@pytest.fixture
async def clean_db(settings: Settings) -> AsyncIterator[Settings]:
    """An empty, migrated database for one test."""
    yield settings
    await truncate_all()


@pytest.fixture
def app(clean_db: Settings) -> Litestar:
    from hromada.app import create_app

    return create_app(clean_db)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data beside the project (``../shared/data``); skip if absent."""
    # ../shared/data beside the repository, or beside the worktree's parent.
    here = Path(__file__).resolve()
    candidates = [parent / "shared" / "data" for parent in here.parents[1:4]]
    path = next((c for c in candidates if c.is_dir()), candidates[1])
    if not path.is_dir():
        pytest.skip(f"real test data not found at {path}")
    return path


@pytest.fixture
def empty_database_url(engine_name: str, base_settings: Settings, tmp_path: Path) -> Iterator[str]:
    """A second database on the session's engine with nothing in it, dropped afterwards."""
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server = os.environ.get("HROMADA_TEST_DATABASE_URL", DEFAULT_PG)
    name = f"hromada_empty_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(server, f'CREATE DATABASE "{name}"'))
    base, _, _ = server.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        db.use_database(base_settings)
        asyncio.run(_pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class LiveServer:
    """A real uvicorn server on a free port, in a thread of its own (its own event loop)."""

    def __init__(self, app: Litestar) -> None:
        import socket
        import threading

        import uvicorn

        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # proxy_headers=False as `hromada serve` runs it: the app decides whom to trust.
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="on", proxy_headers=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=[self._socket])), daemon=True
        )

    def __enter__(self) -> LiveServer:
        import time

        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=20)
        self._socket.close()


@pytest.fixture
def live_server(app: Litestar) -> Iterator[LiveServer]:
    """The app served over real HTTP on a free port (for real clients: ckanapi, frictionless)."""
    with LiveServer(app) as server:
        yield server


@pytest.fixture
async def small_city(clean_db: Settings) -> AsyncIterator[Settings]:
    """A small city in the registries (15 streets, 80 buildings); no dataset published yet."""
    import shutil

    from hromada.demo.city import generate_city
    from hromada.demo.parts import DemoContext
    from hromada.open_data.catalog.service import datasets_root
    from hromada.open_data.registries.demo import RegistriesDemo

    city = generate_city(clean_db.demo_seed, streets=15, buildings=80)
    await RegistriesDemo().populate_places(DemoContext(settings=clean_db, city=city))
    yield clean_db
    shutil.rmtree(datasets_root(clean_db), ignore_errors=True)


@pytest.fixture
async def published(small_city: Settings) -> Settings:
    """``small_city`` with version 1 of every dataset published."""
    from hromada.open_data.catalog.service import publish_all

    await publish_all(small_city)
    return small_city


SEARCH_CITY_STREETS = 40
SEARCH_CITY_BUILDINGS = 120


def wait_for(check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


# ---------------------------------------------------------------------------- search


@pytest.fixture
async def search_city(clean_db: Settings) -> Settings:
    plan = generate_city(
        clean_db.demo_seed, streets=SEARCH_CITY_STREETS, buildings=SEARCH_CITY_BUILDINGS
    )
    await RegistriesDemo().populate_places(DemoContext(settings=clean_db, city=plan))
    return clean_db


@pytest.fixture
def search_client(search_city: Settings, tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    """The app over a small demo city, once its background indexer has indexed all of it."""
    from hromada.app import create_app

    app = create_app(search_city.replace(search_dir=str(tmp_path / "search")))
    with TestClient(app) as client:
        everything = 9 + SEARCH_CITY_STREETS + SEARCH_CITY_BUILDINGS
        indexed = wait_for(
            lambda: (
                client.get("/api/v1/search", params={"limit": 1}).json().get("total") == everything
            )
        )
        assert indexed, "the background indexer did not index the demo city"
        yield client


@contextlib.contextmanager
def _run_demo(data_dir: Path, appeals: int, start_within: float) -> Iterator[tuple[str, float]]:
    """A real `hromada demo` process on a free port: yields its base URL and start-up seconds."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("HROMADA_")}
    env["HROMADA_LOG_LEVEL"] = "WARNING"
    env["HROMADA_DEMO_APPEALS"] = str(appeals)
    process = subprocess.Popen(
        [sys.executable, "-m", "hromada", "demo", "--port", str(port), "--data-dir", str(data_dir)],
        env=env,
        cwd=data_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"hromada demo exited with {process.returncode}:\n{output}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() - started > start_within:
                pytest.fail(f"hromada demo did not answer /health within {start_within:.0f} s")
            time.sleep(0.3)
        yield base, time.monotonic() - started
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def demo_process(
    engine_name: str,
) -> Callable[..., contextlib.AbstractContextManager[tuple[str, float]]]:
    """Start `hromada demo` for a test; the demo always runs on the embedded SQLite."""
    if engine_name != "sqlite":
        pytest.skip("the demo always runs on the embedded SQLite defaults")
    return _run_demo


@pytest.fixture(scope="module")
def dev_idp(base_settings: Settings) -> Iterator[Any]:
    """The development identity provider alone (no hromada), for checks of single tokens."""
    from hromada.devidp import start_dev_idp

    idp = start_dev_idp(base_settings, redirect_base="http://127.0.0.1:9")
    try:
        yield idp
    finally:
        idp.stop()
