"""Whole-dataset CSV download over HTTP: hromada against Datasette, in one run.

    uv run python -m bench downloads

The same rows (appeal-shaped: id, time, category, district, status, text,
coordinates) are published by hromada (on SQLite, then on PostgreSQL) and
written into a SQLite file served by Datasette with its CSV cap lifted
(``--setting max_csv_mb 0``, ``.csv?_stream=on``). Each server runs in a
process of its own; the client downloads the whole CSV once and counts rows;
a sampler reads the server's resident memory (``/proc/<pid>/status``) while it
streams. The rows are synthetic (same columns as the public appeals dataset),
generated deterministically, so the benchmark does not depend on an import.

Environment: ``HROMADA_BENCH_DOWNLOAD_ROWS`` (default 1,000,000),
``HROMADA_BENCH_DOWNLOAD_ENGINES`` (default ``sqlite,postgres``),
``HROMADA_BENCH_DATABASE_URL`` (PostgreSQL server for a throwaway database,
default ``postgresql://postgres@127.0.0.1:5432/postgres``).
Goal (issue 5): at least 1.5x Datasette's rows/s with the server's memory
growth under 100 MB.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx

from hromada.open_data.catalog.model import Dataset, Field, Frequency, TableSchema, Text
from hromada.open_data.catalog.registry import City

SLUG = "bench-appeals"
GOAL_RATIO = 1.5
GOAL_MEMORY_MB = 100
CATEGORIES = [
    "Відсутність гарячої води",
    "Ремонт під'їзду",
    "Прибирання території",
    "Ями на дорозі",
    "Вуличне освітлення",
    "Вивіз сміття",
    "Опалення",
    "Громадський транспорт",
]
DISTRICTS = ["kholodnohirskyi", "shevchenkivskyi", "kyivskyi", "saltivskyi", "osnovianskyi"]
STATUSES = ["зареєстровано", "в роботі", "виконано", "відхилено"]
WORDS = [
    "прошу",
    "вжити",
    "заходів",
    "щодо",
    "ремонту",
    "покрівлі",
    "будинку",
    "бо",
    "протікає",
    "вода",
    "у",
    "квартиру",
    "на",
    "останньому",
    "поверсі",
    "вже",
    "третій",
    "тиждень",
    "ніхто",
    "не",
    "реагує",
    "на",
    "звернення",
    "мешканців",
]


def _rows(count: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(1562)
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    for i in range(1, count + 1):
        yield {
            "id": i,
            "created_at": start + datetime.timedelta(seconds=i * 31),
            "category": rng.choice(CATEGORIES),
            "district": rng.choice(DISTRICTS),
            "status": rng.choice(STATUSES),
            "text": " ".join(rng.choices(WORDS, k=rng.randint(8, 30))),
            "lat": round(49.95 + rng.random() * 0.1, 5),
            "lon": round(36.15 + rng.random() * 0.25, 5),
        }


SCHEMA = TableSchema(
    fields=(
        Field("id", "integer", required=True),
        Field("created_at", "datetime", required=True),
        Field("category", "string"),
        Field("district", "string"),
        Field("status", "string"),
        Field("text", "string"),
        Field("lat", "number"),
        Field("lon", "number"),
    ),
    primary_key=("id",),
)


def datasets(city: City) -> list[Dataset]:
    """The synthetic dataset, registered only in the benchmark's own processes."""
    count = int(os.environ.get("HROMADA_BENCH_DOWNLOAD_ROWS", "1000000"))

    async def rows() -> AsyncIterator[dict[str, Any]]:
        for row in _rows(count):
            yield row

    return [
        Dataset(
            slug=SLUG,
            title=Text("Звернення (синтетичні)", "Appeals (synthetic)"),
            description=Text("Синтетичні звернення для вимірювань", "Synthetic appeals"),
            publisher=city.council,
            coverage=city.coverage(),
            frequency=Frequency.DAILY,
            schema=SCHEMA,
            rows=rows,
        )
    ]


# ----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _download(url: str, pid: int) -> tuple[int, float, float]:
    """(rows, seconds, peak RSS growth in MB of ``pid``) for one whole download."""
    baseline = _rss_mb(pid)
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mb(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines = 0
    started = time.perf_counter()
    with httpx.stream("GET", url, timeout=600, headers={"Accept-Encoding": "identity"}) as r:
        r.raise_for_status()
        for chunk in r.iter_bytes(1 << 16):
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return lines - 1, seconds, peak[0] - baseline


def install_dataset() -> None:
    """Declare the bench dataset beside the domains' own (the app's compose() keeps it)."""
    from hromada import domains
    from hromada.open_data.catalog import registry

    domains.compose()
    if datasets not in registry.providers():
        registry.install([*registry.providers(), datasets])


_LAUNCH = (
    "import sys, uvicorn\n"
    "sys.path.insert(0, {root!r})\n"
    "from bench.downloads import install_dataset\n"
    "install_dataset()\n"
    "uvicorn.run('hromada.app:app_from_env', factory=True, host='127.0.0.1', port={port},"
    " log_level='warning', access_log=False)\n"
)


def _env(data_dir: Path, database_url: str, rows: int) -> dict[str, str]:
    return {
        **os.environ,
        "HROMADA_DATA_DIR": str(data_dir),
        "HROMADA_DATABASE_URL": database_url,
        "HROMADA_ENVIRONMENT": "production",
        "HROMADA_LOG_LEVEL": "WARNING",
        "HROMADA_IDENTITY_SECRET": "bench-" + "x" * 40,
        "HROMADA_BENCH_DOWNLOAD_ROWS": str(rows),
    }


async def _publish(data_dir: Path, database_url: str, rows: int) -> tuple[float, float]:
    from hromada import db
    from hromada.config import Settings
    from hromada.migrations import migrate
    from hromada.open_data.catalog import service

    install_dataset()
    os.environ["HROMADA_BENCH_DOWNLOAD_ROWS"] = str(rows)
    settings = Settings(environment="test", data_dir=data_dir, database_url=database_url)
    db.use_database(settings)
    await migrate()
    started = time.perf_counter()
    result = await service.publish(settings, SLUG)
    assert result.version is not None and result.version.row_count == rows
    first = time.perf_counter() - started
    # Publishing again with nothing changed: decided from the content hash, no file written.
    started = time.perf_counter()
    again = await service.publish(settings, SLUG)
    assert not again.created
    return first, time.perf_counter() - started


def _hromada(engine: str, rows: int, work: Path, server_url: str) -> tuple[int, float, float]:
    database_url = ""
    dbname = ""
    if engine == "postgres":
        dbname = f"hromada_bench_{uuid.uuid4().hex[:8]}"
        _pg(server_url, f'CREATE DATABASE "{dbname}"')
        database_url = server_url.rsplit("/", 1)[0] + "/" + dbname
    data_dir = work / f"hromada-{engine}"
    try:
        seconds, unchanged = asyncio.run(_publish(data_dir, database_url, rows))
        print(
            f"  hromada/{engine}: published {rows:,} rows in {seconds:.1f} s (all formats); "
            f"again, unchanged, in {unchanged:.1f} s ({seconds / unchanged:.1f}x faster)"
        )
        port = _free_port()
        root = str(Path(__file__).resolve().parents[1])
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH.format(root=root, port=port)],
            env=_env(data_dir, database_url, rows),
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_http(f"{base}/health", proc)
            url = f"{base}/api/v1/datasets/{SLUG}/versions/latest/download.csv"
            httpx.get(f"{base}/api/v1/datasets/{SLUG}", timeout=30)  # warm the process up
            return _download(url, proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    finally:
        if dbname:
            _pg(server_url, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def _pg(server_url: str, sql: str) -> None:
    import asyncpg

    from hromada.db import postgres_config

    async def run() -> None:
        conn = await asyncpg.connect(**postgres_config(server_url), timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def _datasette(rows: int, work: Path) -> tuple[int, float, float]:
    path = work / "appeals.db"
    started = time.perf_counter()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE appeals (id INTEGER PRIMARY KEY, created_at TEXT, category TEXT, "
            "district TEXT, status TEXT, text TEXT, lat REAL, lon REAL)"
        )
        batch: list[tuple[Any, ...]] = []
        for row in _rows(rows):
            created = row["created_at"].replace(tzinfo=None).isoformat() + "Z"
            batch.append((row["id"], created, *list(row.values())[2:]))
            if len(batch) >= 10000:
                conn.executemany("INSERT INTO appeals VALUES (?,?,?,?,?,?,?,?)", batch)
                batch.clear()
        conn.executemany("INSERT INTO appeals VALUES (?,?,?,?,?,?,?,?)", batch)
    print(f"  datasette: wrote {rows:,} rows to SQLite in {time.perf_counter() - started:.1f} s")
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(path),
            "--port",
            str(port),
            "--setting",
            "max_csv_mb",
            "0",
            "--setting",
            "sql_time_limit_ms",
            "600000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/-/versions.json", proc)
        httpx.get(f"{base}/appeals/appeals.json?_size=1", timeout=30)
        return _download(f"{base}/appeals/appeals.csv?_stream=on&_size=max", proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    rows = int(os.environ.get("HROMADA_BENCH_DOWNLOAD_ROWS", "1000000"))
    engines = [
        e.strip()
        for e in os.environ.get("HROMADA_BENCH_DOWNLOAD_ENGINES", "sqlite,postgres").split(",")
        if e.strip()
    ]
    server_url = os.environ.get(
        "HROMADA_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    work = Path(tempfile.mkdtemp(prefix="hromada-bench-downloads-"))
    try:
        print(f"full CSV download of {rows:,} synthetic appeal rows over HTTP")
        ds_rows, ds_seconds, ds_memory = _datasette(rows, work)
        ds_rate = ds_rows / ds_seconds
        print(
            f"  datasette: {ds_rows:,} rows in {ds_seconds:.1f} s = {ds_rate:,.0f} rows/s, "
            f"server RSS growth {ds_memory:.1f} MB"
        )
        if ds_rows != rows:
            print(f"  WARNING: datasette sent {ds_rows:,} rows, expected {rows:,}")
        for engine in engines:
            try:
                got, seconds, memory = _hromada(engine, rows, work, server_url)
            except Exception as exc:
                print(f"  hromada/{engine}: skipped ({type(exc).__name__}: {exc})")
                continue
            rate = got / seconds
            ok = rate >= GOAL_RATIO * ds_rate and memory < GOAL_MEMORY_MB and got == rows
            print(
                f"  hromada/{engine}: {got:,} rows in {seconds:.1f} s = {rate:,.0f} rows/s = "
                f"{rate / ds_rate:.1f}x datasette; server RSS growth {memory:.1f} MB "
                f"[goal >= {GOAL_RATIO}x and < {GOAL_MEMORY_MB} MB: {'met' if ok else 'NOT met'}]"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
