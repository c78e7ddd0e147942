"""Appeals: import throughput, list-page and stats latency, on SQLite and PostgreSQL.

    uv run python -m bench appeals

Environment:
    HROMADA_BENCH_APPEALS          rows for the latency measurements (default 1000000)
    HROMADA_BENCH_IMPORT           rows for the import measurement (default 20000)
    HROMADA_BENCH_ENGINES          engines to run (default "sqlite,postgres")
    HROMADA_BENCH_WORKERS          anonymiser processes of the import (default 2)
    HROMADA_BENCH_REPEAT           timed runs per query (default 50)
    HROMADA_TEST_DATABASE_URL      PostgreSQL server (default postgresql://postgres@127.0.0.1:5432)

Figures, each against the reference the issue names, measured in the same run:
- import: appeals/s through ``service.import_records`` (checks + anonymiser +
  one transaction) against the same rows inserted raw in bulk without
  anonymisation (ratio = import / raw);
- list: a filtered 100-row page through ``service.list_appeals`` against the
  bare SQL it runs (``service.list_sql``), p50 and p99;
- stats: ``service.stats`` against the bare SQL it runs (the rollup queries, or the
  scan of ``service.stats_sql`` when filters need one), p50 and p99.
The latency table is filled with a fast raw bulk load of already anonymised
rows (COPY on PostgreSQL, executemany on SQLite): loading is not measured.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from hromada import db
from hromada.config import Settings
from hromada.db import postgres_config
from hromada.demo.city import generate_city
from hromada.migrations import migrate
from hromada.paging import decode_cursor

ROWS = int(os.environ.get("HROMADA_BENCH_APPEALS", "1000000"))
IMPORT_ROWS = int(os.environ.get("HROMADA_BENCH_IMPORT", "20000"))
ENGINES = [e.strip() for e in os.environ.get("HROMADA_BENCH_ENGINES", "sqlite,postgres").split(",")]
WORKERS = int(os.environ.get("HROMADA_BENCH_WORKERS", "2"))
REPEAT = int(os.environ.get("HROMADA_BENCH_REPEAT", "50"))
SERVER = os.environ.get(
    "HROMADA_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(fn: Callable[[], Awaitable[Any]], repeat: int) -> list[float]:
    await fn()  # warm
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        await fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def line(name: str, ours: list[float], bare: list[float]) -> str:
    p50, p99 = pct(ours, 0.5), pct(ours, 0.99)
    b50, b99 = pct(bare, 0.5), pct(bare, 0.99)
    return (
        f"  {name:<34} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms   bare p50 {b50:7.1f} ms  "
        f"p99 {b99:7.1f} ms   ratio p50 {p50 / b50:4.2f}  p99 {p99 / b99:4.2f}"
    )


# ---------------------------------------------------------------------------


async def bench_import(settings: Settings) -> None:
    from hromada.open_data.appeals import importing, service
    from hromada.open_data.appeals.buildings import BuildingMatcher
    from hromada.open_data.appeals.demo import generate
    from hromada.open_data.appeals.districts import DistrictMatcher
    from hromada.open_data.appeals.importers import RowChecker
    from hromada.open_data.appeals.tables import Appeal

    city = generate_city(settings.demo_seed)
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)

    def records() -> Any:
        return generate(city, random.Random(1), IMPORT_ROWS, now=now)

    # Raw reference: the same rows, checked but not anonymised, bulk-inserted.
    checker = RowChecker(await DistrictMatcher.load(), await BuildingMatcher.load())
    rows = [
        r for r in (checker.check(rec) for rec in records()) if not isinstance(r, list | type(None))
    ]

    class Identity:
        def scrub(self, text: str | None) -> str | None:
            return text

        def scrub_address(self, address: str | None) -> str | None:
            return address

        def scrub_organisation(self, value: str | None) -> str | None:
            return value

    prepared = service.prepare_rows(rows, Identity())  # type: ignore[arg-type]
    started = time.perf_counter()
    async with db.write_transaction():
        cache: dict[str, int] = {}
        ids = await importing.category_ids(
            (p["category"] for p in prepared if p["category"]), cache
        )
        plain = []
        for p in prepared:
            row = {c: p[c] for c in service.STORED_COLUMNS}
            row["category"] = ids[p["category"][0]] if p["category"] else None
            plain.append(tuple(row[c] for c in service.STORED_COLUMNS))
        for start in range(0, len(plain), 1000):
            await importing.upsert(plain[start : start + 1000])
    raw = len(prepared) / (time.perf_counter() - started)
    await Appeal.delete(force=True).run()

    # The records as a file reader yields them, made before the clock starts: generating the
    # synthetic city's appeals is not part of an import (the raw reference excludes it too).
    generated = list(records())
    results = []
    for workers in sorted({1, WORKERS}):
        started = time.perf_counter()
        report = await service.import_records(iter(generated), fmt="bench", workers=workers)
        seconds = time.perf_counter() - started
        assert report.applied and report.imported == len(prepared), report
        rate = report.imported / seconds
        results.append(f"{rate:8.0f} appeals/s with {workers} anonymiser process(es)")
        await Appeal.delete(force=True).run()
    print(f"  import of {IMPORT_ROWS} appeals (checks + anonymiser + one transaction):")
    for text in results:
        print(f"    {text}   ratio to raw {float(text.split()[0]) / raw:4.2f}")
    print(f"    {raw:8.0f} appeals/s raw bulk insert of the same rows, no anonymiser (reference)")


# ---------------------------------------------------------------------------


def _bulk_rows(count: int, district_ids: list[int], category_ids: list[int]) -> Any:
    """Already anonymised rows in the stored column order, generated fast."""
    from hromada.open_data.appeals.importers import KYIV_TIME

    rng = random.Random(42)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = now - dt.timedelta(days=3 * 365)
    span = (now - start).total_seconds()
    statuses = ["resolved"] * 8 + ["explained", "rejected", "in_progress", "registered"]
    texts = [
        "Немає опалення у квартирі [КВАРТИРА], звертається [ПІБ], тел. [ТЕЛЕФОН].",
        "Не працює ліфт у під'їзді будинку [БУДИНОК]. Контакт: [EMAIL].",
        "Нет горячей воды третий день, [ПІБ], [ТЕЛЕФОН].",
    ]
    executors = [f"КП «Виконавець {i}»" for i in range(40)]
    for i in range(count):
        received = start + dt.timedelta(seconds=span * i / count)
        local = received.astimezone(KYIV_TIME)
        year, week, _ = local.isocalendar()
        status = statuses[i % len(statuses)]
        if status in ("in_progress", "registered") and (now - received).days > 30:
            status = "resolved"  # old appeals are closed, as in a real contact centre
        deadline = received + dt.timedelta(hours=72)
        resolved = None
        hours = None
        if status in ("resolved", "explained", "rejected"):
            hours = round(rng.lognormvariate(3.5, 0.9), 2)
            resolved = received + dt.timedelta(hours=hours)
        confidential = rng.random() < 0.05
        yield (
            f"B-{i:08d}",
            received,
            deadline,
            resolved,
            f"{local.year:04d}-{local.month:02d}",
            f"{year:04d}-W{week:02d}",
            "Дзвінок 15-62",
            category_ids[i % len(category_ids)],
            district_ids[rng.randrange(len(district_ids))],
            None if confidential else "вул. Сумська",
            None if confidential else 50.0 + rng.random() * 0.1,
            None if confidential else 36.2 + rng.random() * 0.1,
            None if confidential else texts[i % 3],
            None if confidential or not resolved else "Виконано.",
            status,
            executors[i % len(executors)],
            confidential,
            bool(resolved and resolved > deadline),
            hours,
            None,  # building: the latency figures do not depend on it
        )


async def bulk_load(settings: Settings, count: int) -> None:
    from hromada.open_data.appeals import service
    from hromada.open_data.appeals.tables import Appeal, AppealCategory
    from hromada.open_data.registries.tables import District

    await Appeal.delete(force=True).run()
    district_ids = [r["id"] for r in await District.select(District.id).run()]
    await (
        AppealCategory.insert(
            *[
                AppealCategory(code=service.category_code(f"Категорія {i}"), name=f"Категорія {i}")
                for i in range(60)
            ]
        )
        .on_conflict(action="DO NOTHING")
        .run()
    )
    category_ids = [r["id"] for r in await AppealCategory.select(AppealCategory.id).run()]
    columns = list(service.STORED_COLUMNS)
    started = time.perf_counter()
    rows = _bulk_rows(count, district_ids, category_ids)
    if settings.engine == "postgres":
        import asyncpg

        conn = await asyncpg.connect(**postgres_config(settings.database_url))
        try:
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(row)
                if len(batch) == 50_000:
                    await conn.copy_records_to_table("appeal", records=batch, columns=columns)
                    batch = []
            if batch:
                await conn.copy_records_to_table("appeal", records=batch, columns=columns)
            await conn.execute("VACUUM ANALYZE appeal")
        finally:
            await conn.close()
    else:
        conn = sqlite3.connect(str(settings.sqlite_path))
        try:
            conn.execute("PRAGMA synchronous=OFF")
            marks = ", ".join("?" for _ in columns)
            sql = f"INSERT INTO appeal ({', '.join(columns)}) VALUES ({marks})"

            def adapt(row: tuple[Any, ...]) -> tuple[Any, ...]:
                return tuple(str(v) if isinstance(v, dt.datetime) else v for v in row)

            batch_rows: list[tuple[Any, ...]] = []
            for row in rows:
                batch_rows.append(adapt(row))
                if len(batch_rows) == 50_000:
                    conn.executemany(sql, batch_rows)
                    batch_rows = []
            if batch_rows:
                conn.executemany(sql, batch_rows)
            conn.commit()
            conn.execute("ANALYZE")
            conn.commit()
        finally:
            conn.close()
    print(f"  loaded {count} appeals raw in {time.perf_counter() - started:.0f} s (not measured)")
    started = time.perf_counter()
    await service.rebuild_rollup()
    print(f"  rebuilt the stats rollup in {time.perf_counter() - started:.1f} s (not measured)")


async def bench_queries(settings: Settings) -> None:
    from hromada.open_data.appeals import service
    from hromada.open_data.appeals.schemas import AppealFilters
    from hromada.open_data.appeals.tables import Appeal
    from hromada.open_data.registries.tables import District

    districts = [r["code"] for r in await District.select(District.code).run()]
    rng = random.Random(3)
    now = service.now()

    filters_list = [
        ("first page, no filter", AppealFilters()),
        ("district + status", AppealFilters(district=districts[1], status=("resolved",))),
        (
            "district + 90-day window",
            AppealFilters(
                district=districts[2],
                received_from=now - dt.timedelta(days=400),
                received_to=now - dt.timedelta(days=310),
            ),
        ),
        ("overdue", AppealFilters(overdue=True)),
    ]
    print(f"  list, 100 rows a page, at {ROWS} appeals ({REPEAT} runs each):")
    for name, filters in filters_list:
        page = await service.list_appeals(filters, limit=100)
        cursors = [None, page.next_cursor]

        async def ours(filters: AppealFilters = filters, cursors: list[Any] = cursors) -> None:
            await service.list_appeals(filters, limit=100, cursor=rng.choice(cursors))

        where = await service.where_of(filters, public=True, at=now)

        async def bare(where: Any = where, cursors: list[Any] = cursors) -> None:
            after = decode_cursor(rng.choice(cursors), 2)
            sql, values = service.list_sql(where, sort="-received_at", after=after, limit=100)
            await Appeal.raw(sql, *values).run()

        print(line(name, await timed(ours, REPEAT), await timed(bare, REPEAT)))
    print(f"  stats at {ROWS} appeals ({max(REPEAT // 5, 5)} runs each):")
    for name, group_by, filters in [
        ("by district", ["district"], AppealFilters()),
        ("by month", ["month"], AppealFilters()),
        ("by status, one district", ["status"], AppealFilters(district=districts[0])),
        ("by week (scan)", ["week"], AppealFilters(district=districts[0])),
        (
            "by category, one quarter",
            ["category"],
            AppealFilters(received_from=now - dt.timedelta(days=90)),
        ),
    ]:

        async def ours_stats(
            group_by: list[str] = group_by, filters: AppealFilters = filters
        ) -> None:
            await service.stats(filters, group_by, k=5)

        where = await service.where_of(filters, public=False, at=now)
        plan = service.rollup_plan(filters, group_by)
        queries = (
            service.rollup_sql(plan, filters, group_by, where, now)
            if plan
            else [service.stats_sql(where, group_by, now)]
        )

        async def bare_stats(queries: list[tuple[str, list[Any]]] = queries) -> None:
            for sql, values in queries:
                await Appeal.raw(sql, *values).run()

        runs = max(REPEAT // 5, 5)
        name = f"{name} ({'rollup' if plan else 'scan'})"
        print(line(name, await timed(ours_stats, runs), await timed(bare_stats, runs)))


# ---------------------------------------------------------------------------


async def run_engine(engine: str) -> None:
    from hromada.open_data.appeals.districts import load_built_in

    with tempfile.TemporaryDirectory(prefix="hromada-bench-appeals-") as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp), database_pool_size=4)
        name = ""
        if engine == "postgres":
            import asyncpg

            name = f"hromada_bench_appeals_{os.getpid()}_{uuid.uuid4().hex[:6]}"
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
                await load_built_in("kyiv")
                from hromada.demo.city import DISTRICTS
                from hromada.open_data.registries.tables import District

                await (
                    District.insert(
                        *[
                            District(code=c, name_uk=uk, name_en=en, lat=la, lon=lo)
                            for c, uk, en, la, lo in DISTRICTS
                        ]
                    )
                    .on_conflict(action="DO NOTHING")
                    .run()
                )
                # The city's streets registry, as an installation has it: every import
                # teaches the anonymiser its streets.
                from hromada.open_data.registries.tables import Street

                district_ids = {
                    r["code"]: r["id"] for r in await District.select(District.id, District.code)
                }
                city = generate_city(settings.demo_seed)
                await Street.insert(
                    *[
                        Street(
                            code=s.code, kind=s.kind, name=s.name, district=district_ids[s.district]
                        )
                        for s in city.streets
                    ]
                ).run()
                print(f"[{engine}]", flush=True)
                await bench_import(settings)
                await bulk_load(settings, ROWS)
                await bench_queries(settings)
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
