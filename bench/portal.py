"""The portal's pages against the JSON API for the same data, under concurrent readers.

    uv run python -m bench portal

Environment:
    HROMADA_BENCH_READERS          readers at once (default 50)
    HROMADA_BENCH_VISITS           visits per reader and page (default 10)
    HROMADA_BENCH_PORTAL_APPEALS   appeals in the demo city (default 20000)
    HROMADA_BENCH_ENGINES          engines to run (default "sqlite,postgres")
    HROMADA_TEST_DATABASE_URL      PostgreSQL server (default postgresql://postgres@127.0.0.1:5432)

The demo city is built into a fresh database and served by uvicorn on a free local port.
For each of the five busiest pages, ``READERS`` clients at once each make ``VISITS``
visits; a visit is one GET of the page, or, for the reference, the GETs of the JSON API
that answer the same data (one after the other, as a client would). Figures: p50 and p95
of a visit, and the ratio page / JSON at p95. Goal (issue 17): ≤ 1.5.
"""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from bench.appeals import pct
from bench.engines import ENGINES, SERVER, _admin
from hromada import domains
from hromada.config import Settings

READERS = int(os.environ.get("HROMADA_BENCH_READERS", "50"))
VISITS = int(os.environ.get("HROMADA_BENCH_VISITS", "10"))
APPEALS = int(os.environ.get("HROMADA_BENCH_PORTAL_APPEALS", "20000"))

# Each page, and the API calls that answer what it shows.
PAGES: dict[str, tuple[str, list[str]]] = {
    "home": ("/", ["/api/v1/datasets?limit=6", "/api/v1/petitions?limit=3"]),
    "catalogue": ("/data", ["/api/v1/datasets?limit=30"]),
    "dataset": (
        "/data/appeals",
        [
            "/api/v1/datasets/appeals",
            "/api/v1/datasets/appeals/versions?limit=10",
            "/api/3/action/datastore_search?resource_id={csv}&limit=20",
        ],
    ),
    "dashboard": (
        "/dashboard",
        [
            "/api/v1/appeals/stats?group_by=month",
            "/api/v1/appeals/stats?group_by=district",
            "/api/v1/appeals/stats?group_by=category",
        ],
    ),
    "petitions": ("/petitions", ["/api/v1/petitions?limit=30"]),
}


class _Server:
    def __init__(self, app: Any) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        # A keep-alive longer than any pause between stages: uvicorn's 5 s default closes
        # pooled connections just as the client reuses them (an httpx.ReadError, seen here).
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="on", timeout_keep_alive=120
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=lambda: self.server.run(sockets=[self.sock]))

    def __enter__(self) -> _Server:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


async def _visits(client: httpx.AsyncClient, paths: list[str]) -> list[float]:
    timings: list[float] = []

    async def reader() -> None:
        for _ in range(VISITS):
            started = time.perf_counter()
            for path in paths:
                answer = await client.get(path)
                assert answer.status_code == 200, (path, answer.status_code)
            timings.append(time.perf_counter() - started)

    await asyncio.gather(*(reader() for _ in range(READERS)))
    return timings


async def _measure(url: str) -> None:
    limits = httpx.Limits(max_connections=READERS)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:
        dataset = (await client.get("/api/v1/datasets/appeals")).json()
        csv = next(
            r["id"]
            for r in (await client.get("/api/3/action/package_show?id=appeals")).json()["result"][
                "resources"
            ]
            if r["format"].lower() == "csv"
        )
        rows = dataset["latest_version"]["row_count"]
        print(f"  {READERS} readers × {VISITS} visits; published appeals: {rows}")
        print(f"  {'page':10} {'page p50':>9} {'p95':>8}   {'JSON p50':>9} {'p95':>8}   ratio p95")
        for name, (page, api) in PAGES.items():
            await _visits(client, [page])  # warm caches on both sides alike
            pages = await _visits(client, [page])
            jsons = await _visits(client, [p.format(csv=csv) for p in api])
            ratio = pct(pages, 0.95) / pct(jsons, 0.95)
            print(
                f"  {name:10} {pct(pages, 0.5) * 1000:7.0f}ms {pct(pages, 0.95) * 1000:6.0f}ms"
                f"   {pct(jsons, 0.5) * 1000:7.0f}ms {pct(jsons, 0.95) * 1000:6.0f}ms"
                f"   {ratio:5.2f}{'' if ratio <= 1.5 else '  (goal ≤ 1.5 not met)'}"
            )


async def _build(settings: Settings) -> None:
    from hromada.demo.build import build_demo

    await build_demo(settings, domains.demo_parts())


def run_engine(engine: str) -> None:
    from hromada.app import create_app

    with tempfile.TemporaryDirectory(prefix="hromada-bench-portal-") as tmp:
        settings = Settings(
            environment="demo",
            data_dir=Path(tmp),
            demo_appeals=APPEALS,
            rate_limit_anonymous=10**9,
            search_indexer="off",
            jobs_worker="off",
            log_level="WARNING",
        )
        name = ""
        if engine == "postgres":
            name = f"hromada_bench_portal_{os.getpid()}"
            asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
            settings = settings.replace(database_url=f"{SERVER.rpartition('/')[0]}/{name}")
        try:
            asyncio.run(_build(settings))
            print(f"[{engine}]", flush=True)
            with _Server(create_app(settings)) as server:
                asyncio.run(_measure(server.url))
        finally:
            if name:
                asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    domains.compose()
    for engine in ENGINES:
        run_engine(engine)


if __name__ == "__main__":
    main()
