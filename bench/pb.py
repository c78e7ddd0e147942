"""Participatory budget: ballot intake by 1,000 concurrent voters, against a raw insert.

    uv run python -m bench pb

Environment:
    HROMADA_BENCH_VOTERS           voters casting at once (default 1000)
    HROMADA_BENCH_ENGINES          engines to run (default "sqlite,postgres")
    HROMADA_TEST_DATABASE_URL      PostgreSQL server (default postgresql://postgres@127.0.0.1:5432)

Figures, measured in the same run on each engine:
- intake: every voter casts through ``service.cast`` (the clock, the pool's rules, the
  upsert on the unique index, the history row, one write transaction each), all at once
  (``asyncio.gather``, a pool of connections on PostgreSQL): ballots/s, p99 of one cast,
  errors, and the ballots stored (duplicates: more rows than voters);
- then every voter casts again at once (a change): the rows must stay one per voter;
- raw: the same ballots as single-row inserts on the unique index, concurrently, with
  nothing else (ratio = intake / raw).
The service is called in-process (no HTTP): this measures the vote's rules and the
database, not the web server. Goals (issue 14): ≥ 1,000 ballots/s on PostgreSQL and
≥ 300/s on SQLite with 0 errors and 0 duplicates.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import time

from bench.appeals import pct
from bench.engines import ENGINES, migrated
from hromada import db
from hromada.config import Settings

VOTERS = int(os.environ.get("HROMADA_BENCH_VOTERS", "1000"))


async def bench(settings: Settings) -> None:
    from hromada.participation.budgeting import service
    from hromada.participation.budgeting.tables import BudgetBallot

    now = dt.datetime.now(dt.UTC)
    projects = [{"code": f"P{i:02d}", "title": f"P{i}", "cost": 100_000} for i in range(20)]
    ids = await service.create_cycle(
        slug="bench",
        title="bench",
        rule="greedy",
        opens=now - dt.timedelta(days=1),
        closes=now + dt.timedelta(days=1),
        pools=[{"slug": "city", "title": "city", "budget": 1_000_000, "max_picks": 5,
                "projects": projects}],
    )  # fmt: skip
    pool = ids["city"]
    rng = random.Random(14)
    ballots = [
        [str(p["code"]) for p in rng.sample(projects, rng.randint(1, 5))] for _ in range(VOTERS)
    ]

    async def one(resident: int, picks: list[str], times: list[float], errors: list[str]) -> None:
        started = time.perf_counter()
        try:
            await service.cast(settings, resident, pool, picks)
        except Exception as exc:  # counted and reported, never hidden
            errors.append(type(exc).__name__)
        times.append((time.perf_counter() - started) * 1000)

    for label in ("first cast", "changed"):
        times: list[float] = []
        errors: list[str] = []
        started = time.perf_counter()
        await asyncio.gather(
            *(one(1_000 + i, list(reversed(b)) if label == "changed" else b, times, errors)
              for i, b in enumerate(ballots))
        )  # fmt: skip
        took = time.perf_counter() - started
        stored = await BudgetBallot.count().where(BudgetBallot.pool == pool)
        print(
            f"  {label:<11} {VOTERS:,} voters at once: {VOTERS / took:8,.0f} ballots/s   "
            f"p99 {pct(times, 0.99):7.1f} ms   errors {len(errors)}   stored {stored} "
            f"(duplicates {stored - VOTERS})",
            flush=True,
        )
    intake = VOTERS / took

    await BudgetBallot.delete().where(BudgetBallot.pool == pool)
    sql = "INSERT INTO budget_ballot (pool, resident, picks, cast_at) VALUES ({}, {}, {}, {})"

    async def raw(resident: int, picks: list[str]) -> None:
        async with db.write_transaction():
            await BudgetBallot.raw(sql, pool, resident, json.dumps(sorted(picks)), now).run()

    started = time.perf_counter()
    await asyncio.gather(*(raw(1_000 + i, b) for i, b in enumerate(ballots)))
    took = time.perf_counter() - started
    print(
        f"  raw unique insert, same ballots:   {VOTERS / took:8,.0f} rows/s   "
        f"ratio intake/raw {intake / (VOTERS / took):4.2f}",
        flush=True,
    )


async def run_engine(engine: str) -> None:
    async with migrated(engine, "pb") as settings:
        await bench(settings)


def main() -> None:
    from hromada import domains

    domains.compose()
    for engine in ENGINES:
        asyncio.run(run_engine(engine))


if __name__ == "__main__":
    main()
