"""Petitions: signature intake by 1,000 concurrent signers, against a raw unique insert.

    uv run python -m bench petitions

Environment:
    HROMADA_BENCH_SIGNERS          signers signing at once (default 1000)
    HROMADA_BENCH_ENGINES          engines to run (default "sqlite,postgres")
    HROMADA_TEST_DATABASE_URL      PostgreSQL server (default postgresql://postgres@127.0.0.1:5432)

Figures, measured in the same run on each engine:
- intake: every signer signs through ``service.sign`` (the petition's state from the clock
  and the count, the insert on the unique index, one write transaction each), all at once
  (``asyncio.gather``, a pool of connections on PostgreSQL): signatures/s, p99 of one
  signature, errors, and the rows stored (duplicates: more rows than signers);
- then every signer signs again at once: a repeat changes nothing, the rows stay one each;
- counts under load: a reader asks for the petition (``service.get``: the count and the
  counts by district) in a loop while the signers sign; its p99, and how stale the count
  it saw was: the count is read from the signature rows, so it is every committed
  signature at the moment of the read (staleness = the read's own duration);
- raw: the same rows as single-row inserts on the unique index, concurrently, with
  nothing else (ratio = intake / raw).
The service is called in-process (no HTTP): this measures the rules and the database, not
the web server. Goals (issue 15): ≥ 1,000 signatures/s on PostgreSQL and ≥ 300/s on
SQLite, 0 errors, 0 duplicates, counts ≤ 5 s stale.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time

from bench.appeals import pct
from bench.engines import ENGINES, migrated
from hromada import db
from hromada.config import Settings

SIGNERS = int(os.environ.get("HROMADA_BENCH_SIGNERS", "1000"))
DISTRICTS = [f"district-{i}" for i in range(9)]


async def _setup(now: dt.datetime) -> tuple[list[int], int, int]:
    from hromada.participation.petitions.tables import Petition

    async with db.write_transaction():
        people = await db.bulk_upsert(
            "resident",
            ("person_key", "display_name", "district_code", "in_community",
             "idp_in_community", "created_at", "last_login_at"),
            [(f"bench-{i:06d}", f"Бенч Підписант{i}", DISTRICTS[i % 9], True, False, now, now)
             for i in range(SIGNERS + 1)],
            key="person_key",
            returning="id",
        )  # fmt: skip
    residents = sorted(int(r) for r in people)
    petitions = []
    for title in ("bench", "raw"):
        row = await Petition.insert(
            Petition(
                title=title, text=title, addressee="рада", author=residents[-1], status="open",
                threshold=SIGNERS // 2, created_at=now, opened_at=now,
                closes_at=now + dt.timedelta(days=30),
            )
        ).returning(Petition.id)  # fmt: skip
        petitions.append(int(row[0]["id"]))
    return residents[:-1], petitions[0], petitions[1]


async def bench(settings: Settings) -> None:
    from hromada.participation.petitions import service
    from hromada.participation.petitions.tables import PetitionSignature

    now = dt.datetime.now(dt.UTC)
    signers, petition, raw_petition = await _setup(now)

    async def one(resident: int, times: list[float], errors: list[str]) -> None:
        started = time.perf_counter()
        try:
            await service.sign(settings, resident, petition)
        except Exception as exc:  # counted and reported, never hidden
            errors.append(type(exc).__name__)
        times.append((time.perf_counter() - started) * 1000)

    async def reader(stop: asyncio.Event, reads: list[float]) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            await service.get(settings, petition)
            reads.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.01)

    intake = 0.0
    for label in ("first", "repeat"):
        times: list[float] = []
        errors: list[str] = []
        reads: list[float] = []
        stop = asyncio.Event()
        watching = asyncio.create_task(reader(stop, reads))
        started = time.perf_counter()
        await asyncio.gather(*(one(r, times, errors) for r in signers))
        took = time.perf_counter() - started
        stop.set()
        await watching
        stored = await PetitionSignature.count().where(PetitionSignature.petition == petition)
        print(
            f"  {label:<6} {SIGNERS:,} signers at once: {SIGNERS / took:8,.0f} signatures/s   "
            f"p99 {pct(times, 0.99):7.1f} ms   errors {len(errors)}   stored {stored} "
            f"(duplicates {stored - SIGNERS})   count read p99 {pct(reads, 0.99):6.1f} ms "
            f"({len(reads)} reads; stale by at most that)",
            flush=True,
        )
        if label == "first":
            intake = SIGNERS / took
    counted = await service.get(settings, petition)
    assert counted.signatures == SIGNERS, counted.signatures
    assert sum(d.signatures for d in counted.by_district or []) == SIGNERS

    sql = (
        "INSERT INTO petition_signature (petition, resident, district_code, signed_at) "
        "VALUES ({}, {}, {}, {})"
    )

    async def raw(resident: int) -> None:
        async with db.write_transaction():
            await PetitionSignature.raw(sql, raw_petition, resident, "d", now).run()

    started = time.perf_counter()
    await asyncio.gather(*(raw(r) for r in signers))
    took = time.perf_counter() - started
    print(
        f"  raw unique insert, same rows:     {SIGNERS / took:8,.0f} rows/s   "
        f"ratio intake/raw {intake / (SIGNERS / took):4.2f}",
        flush=True,
    )


async def run_engine(engine: str) -> None:
    async with migrated(engine, "petitions") as settings:
        await bench(settings)


def main() -> None:
    from hromada import domains

    domains.compose()
    for engine in ENGINES:
        asyncio.run(run_engine(engine))


if __name__ == "__main__":
    main()
