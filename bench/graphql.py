"""GraphQL against REST: the same 500 appeals through both, in one run.

    uv run python -m bench graphql

Environment:
    HROMADA_BENCH_GRAPHQL_APPEALS  appeals in the table (default 190000, as in the issue)
    HROMADA_BENCH_ENGINES          engines to run (default "sqlite,postgres")
    HROMADA_BENCH_REPEAT           timed requests per transport (default 40)
    HROMADA_TEST_DATABASE_URL      PostgreSQL server (default postgresql://postgres@127.0.0.1:5432)

Both requests go through the whole app over HTTP in process (Litestar's
test client: routing, access layer, serialisation): ``GET
/api/v1/appeals?limit=500`` and a GraphQL ``appeals(first: 500)`` asking for
every public field (the district as an object, as GraphQL gives it). The
two are timed alternately so the machine's load hits both alike; the
figure is GraphQL p50 / REST p50 (goal ≤ 1.5). It runs twice: with
strawberry's own execution (every field resolved one by one, as before lean
rows) and with lean rows (``hromada.graphql.lean``).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.appeals import SERVER, bulk_load, pct
from hromada import db
from hromada.config import Settings
from hromada.db import postgres_config
from hromada.migrations import migrate

ROWS = int(os.environ.get("HROMADA_BENCH_GRAPHQL_APPEALS", "190000"))
ENGINES = [e.strip() for e in os.environ.get("HROMADA_BENCH_ENGINES", "sqlite,postgres").split(",")]
REPEAT = int(os.environ.get("HROMADA_BENCH_REPEAT", "40"))
PAGE = 500

SCALARS = (
    "id sourceId receivedAt deadlineAt resolvedAt status closed overdue resolutionHours "
    "channel categoryCode category categoryGroup districtCode street lat lon executor "
    "text answer"
)


def appeals_query(district_is_object: bool, relation: bool = True) -> str:
    district = "district { code nameUk }" if district_is_object else "district"
    if not relation:
        district = ""
    return f"{{ appeals(first: {PAGE}) {{ edges {{ cursor node {{ {SCALARS} {district} }} }} }} }}"


def _district_is_object(client: Any) -> bool:
    body = client.post(
        "/graphql",
        json={
            "query": '{ __type(name: "Appeal") { fields { name type { kind ofType { kind } } } } }'
        },
    ).json()
    for field in body["data"]["__type"]["fields"]:
        if field["name"] == "district":
            kind = field["type"]["kind"]
            inner = (field["type"].get("ofType") or {}).get("kind")
            return "OBJECT" in (kind, inner)
    return False


def measure(settings: Settings, lean: bool) -> None:
    from litestar.testing import TestClient
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

    from hromada.app import create_app
    from hromada.graphql import lean as lean_rows
    from hromada.graphql import limits

    quiet = settings.replace(
        rate_limit_anonymous=1_000_000, search_indexer="off", jobs_worker="off"
    )
    # Without lean rows: strawberry's own execution, every field resolved one by one.
    limits.LeanExecutionContext = (  # type: ignore[misc]
        lean_rows.LeanExecutionContext if lean else StrawberryGraphQLCoreExecutionContext
    )
    print(f"  -- {'with' if lean else 'without'} lean rows")
    app = create_app(quiet)
    with TestClient(app) as client:
        as_object = _district_is_object(client)
        query = appeals_query(as_object)
        flat = appeals_query(as_object, relation=False)

        def rest() -> int:
            response = client.get("/api/v1/appeals", params={"limit": PAGE})
            assert response.status_code == 200, response.text
            return len(response.json()["items"])

        def run(text: str) -> int:
            response = client.post("/graphql", json={"query": text})
            body = response.json()
            assert "errors" not in body, body
            return len(body["data"]["appeals"]["edges"])

        def graphql() -> int:
            return run(query)

        def graphql_flat() -> int:
            return run(flat)

        assert rest() == graphql() == graphql_flat() == PAGE  # warm, and the same rows
        times: dict[str, list[float]] = {"rest": [], "graphql": [], "flat": []}
        for _ in range(REPEAT):
            for name, call in (("rest", rest), ("graphql", graphql), ("flat", graphql_flat)):
                started = time.perf_counter()
                call()
                times[name].append((time.perf_counter() - started) * 1000)
    r50, r99 = pct(times["rest"], 0.5), pct(times["rest"], 0.99)
    g50, g99 = pct(times["graphql"], 0.5), pct(times["graphql"], 0.99)
    print(f"  REST    {PAGE} appeals  p50 {r50:7.1f} ms  p99 {r99:7.1f} ms")
    print(f"  GraphQL {PAGE} appeals  p50 {g50:7.1f} ms  p99 {g99:7.1f} ms")
    f50, f99 = pct(times["flat"], 0.5), pct(times["flat"], 0.99)
    print(f"  GraphQL without the district relation  p50 {f50:7.1f} ms  p99 {f99:7.1f} ms")
    print(f"  ratio GraphQL / REST    p50 {g50 / r50:4.2f}  p99 {g99 / r99:4.2f}   (goal <= 1.5)")
    print(f"  ratio, no relation      p50 {f50 / r50:4.2f}  p99 {f99 / r99:4.2f}")


async def prepare(engine: str, tmp: Path) -> tuple[Settings, str]:
    from hromada.demo.city import DISTRICTS
    from hromada.open_data.registries.tables import District

    settings = Settings(environment="test", data_dir=tmp, database_pool_size=4)
    name = ""
    if engine == "postgres":
        import asyncpg

        name = f"hromada_bench_graphql_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        conn = await asyncpg.connect(**postgres_config(SERVER))
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        base, _, _ = SERVER.rpartition("/")
        settings = settings.replace(database_url=f"{base}/{name}")
    engine_obj = db.use_database(settings)
    await db.start(engine_obj, settings.database_pool_size)
    try:
        await migrate()
        await District.insert(
            *[
                District(code=c, name_uk=uk, name_en=en, lat=la, lon=lo)
                for c, uk, en, la, lo in DISTRICTS
            ]
        ).run()
        await bulk_load(settings, ROWS)
    finally:
        await db.stop(engine_obj)
    return settings, name


async def drop(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(**postgres_config(SERVER))
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


def main() -> None:
    from hromada import domains

    domains.compose()
    for engine in ENGINES:
        print(f"[{engine}] {ROWS} appeals", flush=True)
        with tempfile.TemporaryDirectory(prefix="hromada-bench-graphql-") as tmp:
            settings, name = asyncio.run(prepare(engine, Path(tmp)))
            try:
                measure(settings, lean=False)
                measure(settings, lean=True)
            finally:
                if name:
                    asyncio.run(drop(name))


if __name__ == "__main__":
    main()
