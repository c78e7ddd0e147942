"""Budget execution: aggregate queries over Kyiv's real monthly execution, against bare SQL.

    uv run python -m bench budget

The data is the real openbudget.gov.ua exports in ``../shared/data/openbudget_atsokol/``
(expenses by economic code of Kyiv, Lviv, Kharkiv and Vinnytsia, incomes of Kyiv and
Lviv, January 2021 to June 2026: five and a half years of every code of a city of Kyiv's
size), imported through ``budget.importing.import_export``, the one import path. Each
query is the service function REST and GraphQL call (``budget.service``), timed against
the bare SQL a hand-written service would run for the same figures, alternately, in the
same run:

- execution: a page of 500 lines of Kyiv's expenses for a year (one fund);
- tree: a month's expenses summed by the first two digits of the code;
- changes: a month's expenses, each code against the year before, largest first;
- incomes tree: the same for Kyiv's incomes by the first four digits.

Environment:
    HROMADA_BENCH_ENGINES          engines to run (default "sqlite,postgres")
    HROMADA_BENCH_REPEAT           timed runs per query (default 200)
    HROMADA_BENCH_SHARED_DATA      the shared data folder (default ../shared/data)
    HROMADA_TEST_DATABASE_URL      PostgreSQL server (default postgresql://postgres@127.0.0.1:5432)

Goal (issue 16): every aggregate's (tree, changes) p99 under 50 ms whatever the size; the
execution page is a list, not an aggregate, and is shown for comparison.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.appeals import line, pct
from hromada import db
from hromada.config import Settings
from hromada.db import postgres_config
from hromada.migrations import migrate

ENGINES = [e.strip() for e in os.environ.get("HROMADA_BENCH_ENGINES", "sqlite,postgres").split(",")]
REPEAT = int(os.environ.get("HROMADA_BENCH_REPEAT", "200"))
SERVER = os.environ.get(
    "HROMADA_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SHARED = Path(os.environ.get("HROMADA_BENCH_SHARED_DATA", "../shared/data"))
EXPORTS = (
    "openbudget_atsokol/expenses_economic_Kyiv_Lviv_Kharkiv_Vinnytsia_2021-2026.csv",
    "openbudget_atsokol/incomes_Kyiv_Lviv_2021-2026.csv",
)
KYIV = "2600000000"
GOAL_P99_MS = 50


async def _bare(sql: str, *values: Any) -> list[dict[str, Any]]:
    from hromada.open_data.budget.tables import BudgetLine

    rows: list[dict[str, Any]] = await BudgetLine.raw(sql, *values)
    return rows


def _cases() -> list[tuple[str, Any, Any]]:
    from hromada.open_data.budget import service

    # Only placeholders go into the texts.
    return [
        (
            "execution, a year's page of 500",
            lambda: service.lines(
                kind="expense", budget=KYIV, year=2025, fund="T", limit=500, cursor=None
            ),
            lambda: _bare(
                "SELECT * FROM budget_line WHERE kind = {} AND budget = {} AND year = {} "
                "AND fund = {} ORDER BY id LIMIT 501",
                "expense", KYIV, 2025, "T",
            ),
        ),
        (
            "tree, expenses by 2 digits",
            lambda: service.tree(kind="expense", budget=KYIV, year=2025, month=12, level=2),
            lambda: _bare(
                "SELECT substr(code, 1, 2) AS prefix, COUNT(*) AS codes, SUM(plan_year) AS p, "
                "SUM(plan_to_date) AS d, SUM(fact_to_date) AS f FROM budget_line "
                "WHERE kind = {} AND budget = {} AND fund = {} AND year = {} AND month = {} "
                "GROUP BY substr(code, 1, 2) ORDER BY prefix",
                "expense", KYIV, "T", 2025, 12,
            ),
        ),
        (
            "changes, year over year",
            lambda: service.changes(kind="expense", budget=KYIV, year=2025, month=12),
            lambda: _bare(
                "SELECT code, year, fact_to_date FROM budget_line WHERE kind = {} "
                "AND budget = {} AND fund = {} AND month = {} AND year IN ({}, {})",
                "expense", KYIV, "T", 12, 2025, 2024,
            ),
        ),
        (
            "tree, incomes by 4 digits",
            lambda: service.tree(kind="income", budget=KYIV, year=2025, month=12, level=4),
            lambda: _bare(
                "SELECT substr(code, 1, 4) AS prefix, COUNT(*) AS codes, SUM(plan_year) AS p, "
                "SUM(plan_to_date) AS d, SUM(fact_to_date) AS f FROM budget_line "
                "WHERE kind = {} AND budget = {} AND fund = {} AND year = {} AND month = {} "
                "GROUP BY substr(code, 1, 4) ORDER BY prefix",
                "income", KYIV, "T", 2025, 12,
            ),
        ),
    ]  # fmt: skip


async def bench(engine: str) -> None:
    from hromada.open_data.budget.importing import import_export
    from hromada.open_data.budget.tables import BudgetLine

    rows = 0
    started = time.perf_counter()
    for export in EXPORTS:
        rows += (await import_export((SHARED / export).read_bytes())).rows
    spent = time.perf_counter() - started
    kyiv = await BudgetLine.count().where(BudgetLine.budget == KYIV)
    print(f"[{engine}] imported {rows} lines in {spent:.1f} s ({rows / spent:,.0f}/s); "
          f"Kyiv {kyiv} lines", flush=True)  # fmt: skip
    worst = 0.0
    for name, ours, bare in _cases():
        assert await ours() and await bare()  # warm, and both find rows
        times: dict[str, list[float]] = {"ours": [], "bare": []}
        for _ in range(REPEAT):
            for which, call in (("ours", ours), ("bare", bare)):
                begun = time.perf_counter()
                await call()
                times[which].append((time.perf_counter() - begun) * 1000)
        if not name.startswith("execution"):
            worst = max(worst, pct(times["ours"], 0.99))
        print(line(name, times["ours"], times["bare"]), flush=True)
    verdict = "met" if worst < GOAL_P99_MS else "NOT met"
    print(f"  worst aggregate p99 {worst:.1f} ms (goal < {GOAL_P99_MS} ms): {verdict}", flush=True)


async def run_engine(engine: str) -> None:
    with tempfile.TemporaryDirectory(prefix="hromada-bench-budget-") as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp), database_pool_size=4)
        name = ""
        if engine == "postgres":
            import asyncpg

            name = f"hromada_bench_budget_{os.getpid()}_{uuid.uuid4().hex[:6]}"
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
                await bench(engine)
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
