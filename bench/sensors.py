"""Sensors: device ingest (readings/s) against a raw bulk insert of the same rows, and the
demo city's year of readings.

    uv run python -m bench sensors

Environment:
    HROMADA_BENCH_SENSOR_READINGS  readings ingested (default 100000), in batches of 1,000
    HROMADA_BENCH_SENSOR_DEVICES   devices sending at once (default 10)
    HROMADA_BENCH_SENSOR_DAYS      days of the demo part's hourly readings (default 365)
    HROMADA_BENCH_ENGINES          engines to run (default "sqlite,postgres")
    HROMADA_TEST_DATABASE_URL      PostgreSQL server (default postgresql://postgres@127.0.0.1:5432)

Figures, measured in the same run on each engine:
- ingest: ``service.ingest`` for every batch (1,000 readings a minute apart, checked by
  ``batch.check`` first), the devices sending at once (``asyncio.gather``, each its batches
  in turn): the insert with ``ON CONFLICT DO NOTHING RETURNING``, the hourly and daily rollup
  upserts and the sensor's last reading, one write transaction a batch; readings/s;
- resend: every batch again: nothing is written, the rollups do not move; readings/s;
- raw: the same rows, for as many other sensors, as plain inserts through the driver's
  ``executemany`` in one transaction per 1,000 (no conflict check, no rollups), the same
  devices at once; readings/s, and ingest / raw;
- demo: the demo part (50 sensors, hourly readings over the days asked), then publishing
  the two sensor datasets (the registry, and every sensor's hours); seconds each.
The service is called in-process (no HTTP): this measures the rules and the database.
"""

from __future__ import annotations

import asyncio
import os
import time

from bench.engines import ENGINES, migrated
from hromada import db
from hromada.config import Settings

READINGS = int(os.environ.get("HROMADA_BENCH_SENSOR_READINGS", "100000"))
DEVICES = int(os.environ.get("HROMADA_BENCH_SENSOR_DEVICES", "10"))
DAYS = int(os.environ.get("HROMADA_BENCH_SENSOR_DAYS", "365"))
BATCH = 1000


async def _sensors(prefix: str) -> list[int]:
    from hromada.open_data.sensors import service
    from hromada.open_data.sensors.schemas import SensorIn

    ids = []
    for n in range(DEVICES):
        made = await service.register(
            SensorIn(code=f"{prefix}-{n:03d}", kind="noise", title=prefix)
        )
        ids.append(made.sensor.id)
    return ids


def _batches(start: int) -> list[list[tuple[str, object]]]:
    """Each device's batches as (time, value) rows, one a minute."""
    per_device = READINGS // DEVICES
    rows = [(str(start + 60 * i), f"{40 + (i % 500) / 10:.1f}") for i in range(per_device)]
    return [rows[i : i + BATCH] for i in range(0, per_device, BATCH)]


async def _run(engine: str) -> None:
    from hromada import domains
    from hromada.open_data.sensors import batch, service
    from hromada.open_data.sensors.tables import SensorReading, SensorRollup

    domains.compose()  # registering a sensor queues its search document
    async with migrated(engine, "sensors") as settings:
        now = time.time()
        start = int(now) - (READINGS // DEVICES) * 60 - 3600
        start -= start % 3600
        batches = _batches(start)
        checked = [batch.check([(i, t, v) for i, (t, v) in enumerate(b, 1)], "row", now)
                   for b in batches]  # fmt: skip
        devices = await _sensors("bench")

        async def device(sensor: int) -> None:
            for readings in checked:
                await service.ingest(sensor, readings)

        began = time.perf_counter()
        await asyncio.gather(*(device(s) for s in devices))
        ingest = time.perf_counter() - began
        total = len(devices) * sum(len(b) for b in checked)
        stored = await SensorReading.count()
        rollups = await SensorRollup.count()
        began = time.perf_counter()
        await asyncio.gather(*(device(s) for s in devices))
        resend = time.perf_counter() - began
        assert await SensorReading.count() == stored == total, "a resend wrote readings"
        assert await SensorRollup.count() == rollups

        raw_devices = await _sensors("raw")

        async def raw(sensor: int) -> None:
            for readings in checked:
                async with db.write_transaction():
                    await db.execute_many(
                        "INSERT INTO sensor_reading (sensor, at, value_milli, out_of_range) "
                        "VALUES ({}, {}, {}, {})",
                        [(sensor, r.at, r.value_milli, False) for r in readings],
                    )

        began = time.perf_counter()
        await asyncio.gather(*(raw(s) for s in raw_devices))
        raw_seconds = time.perf_counter() - began
        print(
            f"  ingest  {total:>7} readings  {total / ingest:>8.0f}/s  ({rollups} rollup rows)\n"
            f"  resend  {total:>7} readings  {total / resend:>8.0f}/s  (nothing written)\n"
            f"  raw     {total:>7} readings  {total / raw_seconds:>8.0f}/s\n"
            f"  ingest / raw = {raw_seconds / ingest:.2f}",
            flush=True,
        )
        await _demo(settings)


async def _demo(settings: Settings) -> None:
    from hromada.demo.city import generate_city
    from hromada.demo.parts import DemoContext
    from hromada.open_data.catalog.service import publish
    from hromada.open_data.sensors.demo import SensorsDemo
    from hromada.open_data.sensors.tables import Sensor, SensorReading, SensorRollup

    await SensorRollup.delete(force=True)
    await SensorReading.delete(force=True)
    await Sensor.delete(force=True)
    ctx = DemoContext(settings=settings.replace(demo_sensor_days=DAYS), city=generate_city(1551))
    began = time.perf_counter()
    await SensorsDemo().populate(ctx)
    part = time.perf_counter() - began
    readings = await SensorReading.count()
    times = []
    for slug in ("sensors", "sensor-readings-hourly"):
        began = time.perf_counter()
        await publish(settings, slug)
        times.append(time.perf_counter() - began)
    print(
        f"  demo    {readings:>7} readings over {DAYS} days: part {part:.1f} s "
        f"({readings / part:.0f}/s); publish sensors {times[0]:.1f} s, "
        f"sensor-readings-hourly {times[1]:.1f} s",
        flush=True,
    )


def main() -> None:
    for engine in ENGINES:
        asyncio.run(_run(engine))
