"""Registries: bbox and radius queries over 100,000 map objects, and the import rate.

    uv run python -m bench registries

Environment:
    HROMADA_BENCH_OBJECTS          map objects (default 100000)
    HROMADA_BENCH_ENGINES          engines to run (default "sqlite,postgres")
    HROMADA_BENCH_REPEAT           timed runs per query kind (default 200)
    HROMADA_TEST_DATABASE_URL      PostgreSQL server (default postgresql://postgres@127.0.0.1:5432)

Figures, each against its reference measured in the same run:
- import: records/s of a CSV of ``HROMADA_BENCH_OBJECTS`` map objects through
  ``importing.import_file`` (read, check every record, resolve districts, one
  transaction), against the same rows written raw by ``db.bulk_upsert`` (ratio);
- bbox: a first page (100 records) of a ~1 km box at a random place in the city through
  ``records.check_query`` + ``records.page_records`` (what REST and GraphQL run),
  against the bare SQL a hand-written service would run (the box on the indexed point,
  ordered by key), p50 and p99;
- radius: the same for ``near`` + 500 m (bare: the box around the circle and the
  equirectangular distance test).
Goals (issue 13): p99 ≤ 3× bare SQL and < 20 ms; import ≥ 10,000 rows/s on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import csv
import json
import math
import os
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.appeals import pct, timed
from hromada import db
from hromada.config import Settings
from hromada.db import postgres_config
from hromada.migrations import migrate

OBJECTS = int(os.environ.get("HROMADA_BENCH_OBJECTS", "100000"))
ENGINES = [e.strip() for e in os.environ.get("HROMADA_BENCH_ENGINES", "sqlite,postgres").split(",")]
REPEAT = int(os.environ.get("HROMADA_BENCH_REPEAT", "200"))
SERVER = os.environ.get(
    "HROMADA_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
CENTRE = (49.9935, 36.2304)  # Kharkiv
SPREAD = (0.09, 0.14)  # degrees either way: about 10 km
LAYERS = ("social", "culture", "sport", "engineering", "transport", "green", "other")


def write_csv(path: Path, count: int, districts: list[str]) -> None:
    rng = random.Random(13)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "layer", "category", "district", "lat", "lon"])
        for i in range(count):
            writer.writerow(
                [
                    f"MO-{i:07d}",
                    f"Об'єкт № {i}",
                    rng.choice(LAYERS),
                    "зупинка",
                    rng.choice(districts),
                    round(CENTRE[0] + rng.uniform(-SPREAD[0], SPREAD[0]), 6),
                    round(CENTRE[1] + rng.uniform(-SPREAD[1], SPREAD[1]), 6),
                ]
            )


async def bench_import(path: Path) -> None:
    from hromada.open_data.registries import importing
    from hromada.open_data.registries.kinds import MAP_OBJECTS
    from hromada.open_data.registries.tables import RegistryRecord

    started = time.perf_counter()
    with path.open("rb") as handle:
        report = await importing.import_file(MAP_OBJECTS, handle, k=5)
    ours = time.perf_counter() - started
    assert report.applied and report.inserted == OBJECTS, report.errors[:3]

    rows = [
        (
            "bench-raw",
            r["key"],
            r["district"],
            None,
            r["lat"],
            r["lon"],
            r["lat"],
            r["lon"],
            r["lat"],
            r["lon"],
            None,
            r["data"],
            None,
            r["updated_at"],
        )
        for r in await RegistryRecord.raw(
            "SELECT key, district, lat, lon, data, updated_at FROM registry_record"
        ).run()
    ]
    columns = (
        "registry", "key", "district", "building_id", "lat", "lon", "min_lat", "min_lon",
        "max_lat", "max_lon", "geometry", "data", "personal", "updated_at",
    )  # fmt: skip
    started = time.perf_counter()
    async with db.write_transaction():
        await db.bulk_upsert("registry_record", columns, rows, key=("registry", "key"))
    raw = time.perf_counter() - started
    await RegistryRecord.delete().where(RegistryRecord.registry == "bench-raw")
    print(
        f"  import {OBJECTS:,} map objects (CSV)   {OBJECTS / ours:9,.0f} rows/s   "
        f"raw bulk write {OBJECTS / raw:9,.0f} rows/s   ratio {raw / ours:4.2f}",
        flush=True,
    )


async def bench_queries() -> None:
    from hromada.open_data.registries import records
    from hromada.open_data.registries.kinds import MAP_OBJECTS
    from hromada.open_data.registries.tables import RegistryRecord

    rng = random.Random(7)
    boxes = []
    for _ in range(REPEAT):
        lat = CENTRE[0] + rng.uniform(-SPREAD[0], SPREAD[0])
        lon = CENTRE[1] + rng.uniform(-SPREAD[1], SPREAD[1])
        boxes.append((lat, lon))
    half = (0.0045, 0.007)  # about 1 km by 1 km
    bare_sql = db.driver_sql(
        "SELECT key, district, lat, lon, data FROM registry_record WHERE registry = {} "
        "AND lat BETWEEN {} AND {} AND lon BETWEEN {} AND {} ORDER BY key LIMIT 101"
    )
    radius_sql = db.driver_sql(
        "SELECT key, district, lat, lon, data FROM registry_record WHERE registry = {} "
        "AND lat BETWEEN {} AND {} AND lon BETWEEN {} AND {} "
        "AND ((lat - {}) * 111320.0) * ((lat - {}) * 111320.0) + ((lon - {}) * {}) * "
        "((lon - {}) * {}) <= {} ORDER BY key LIMIT 101"
    )
    engine = db.current_engine()

    async def bare_fetch(sql: str, args: list[Any]) -> list[Any]:
        async with engine.transaction() as tx:  # one connection, as the app's query has
            connection = tx.connection
            if db.dialect() == "postgres":
                return list(await connection.fetch(sql, *args))
            cursor = await connection.execute(sql, args)
            return list(await cursor.fetchall())

    index = {"i": 0}

    def next_box() -> tuple[float, float]:
        index["i"] = (index["i"] + 1) % len(boxes)
        return boxes[index["i"]]

    async def ours_bbox() -> None:
        lat, lon = next_box()
        bbox = f"{lon - half[1]},{lat - half[0]},{lon + half[1]},{lat + half[0]}"
        query = await records.check_query(MAP_OBJECTS, bbox=bbox)
        page = await records.page_records(query, limit=100, cursor=None)
        json.dumps(page.items)

    async def bare_bbox() -> None:
        lat, lon = next_box()
        rows = await bare_fetch(
            bare_sql,
            [MAP_OBJECTS.slug, lat - half[0], lat + half[0], lon - half[1], lon + half[1]],
        )
        json.dumps([json.loads(r["data"]) for r in rows])

    async def ours_radius() -> None:
        lat, lon = next_box()
        query = await records.check_query(MAP_OBJECTS, near=f"{lat},{lon}", radius=500)
        page = await records.page_records(query, limit=100, cursor=None)
        json.dumps(page.items)

    async def bare_radius() -> None:
        lat, lon = next_box()
        kx = 111_320.0 * math.cos(math.radians(lat))
        dlat, dlon = 500 / 111_320.0, 500 / kx
        rows = await bare_fetch(
            radius_sql,
            [
                *(MAP_OBJECTS.slug, lat - dlat, lat + dlat, lon - dlon, lon + dlon),
                *(lat, lat, lon, kx, lon, kx, 500.0**2),
            ],
        )
        json.dumps([json.loads(r["data"]) for r in rows])

    counted = await RegistryRecord.count().where(RegistryRecord.registry == MAP_OBJECTS.slug)
    for name, ours, bare in (
        ("bbox ~1 km, first 100", ours_bbox, bare_bbox),
        ("radius 500 m, first 100", ours_radius, bare_radius),
    ):
        index["i"] = 0
        mine = await timed(ours, REPEAT)
        index["i"] = 0
        theirs = await timed(bare, REPEAT)
        p50, p99 = pct(mine, 0.5), pct(mine, 0.99)
        b50, b99 = pct(theirs, 0.5), pct(theirs, 0.99)
        print(
            f"  {name:<26} over {counted:,}: p50 {p50:6.2f} ms  p99 {p99:6.2f} ms   "
            f"bare p50 {b50:6.2f} ms  p99 {b99:6.2f} ms   ratio p50 {p50 / b50:4.2f}  "
            f"p99 {p99 / b99:4.2f}",
            flush=True,
        )


async def run_engine(engine: str) -> None:
    with tempfile.TemporaryDirectory(prefix="hromada-bench-registries-") as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp), database_pool_size=4)
        name = ""
        if engine == "postgres":
            import asyncpg

            name = f"hromada_bench_registries_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            conn = await asyncpg.connect(**postgres_config(SERVER))
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.close()
            base, _, _ = SERVER.rpartition("/")
            settings = settings.replace(database_url=f"{base}/{name}")
        try:
            engine_obj = db.use_database(settings)
            await db.start(engine_obj, settings.database_pool_size)
            try:
                await migrate()
                from hromada.demo.city import DISTRICTS
                from hromada.open_data.registries.tables import District

                await District.insert(
                    *[
                        District(code=c, name_uk=uk, name_en=en, lat=la, lon=lo)
                        for c, uk, en, la, lo in DISTRICTS
                    ]
                ).run()
                path = Path(tmp) / "objects.csv"
                write_csv(path, OBJECTS, [c for c, *_ in DISTRICTS])
                print(f"[{engine}]", flush=True)
                await bench_import(path)
                await bench_queries()
            finally:
                await db.stop(engine_obj)
        finally:
            if name:
                import asyncpg

                conn = await asyncpg.connect(**postgres_config(SERVER))
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await conn.close()


def main() -> None:
    from hromada import domains

    domains.compose()  # the import queues search documents: search needs the domains' types
    for engine in ENGINES:
        asyncio.run(run_engine(engine))


if __name__ == "__main__":
    main()
