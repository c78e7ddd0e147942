"""The demo city's sensor network: 50 sensors with a year of hourly readings each (about
438,000 readings), with a few silent stretches (gaps) and a few implausible spikes (flagged).

Written in bulk (``db.bulk_upsert``: binary COPY on PostgreSQL, ``executemany`` on SQLite), not
through the ingest endpoint a batch at a time (the sensors get no device key: staff
rotate one to send readings); the rollups come from the same function
ingest folds a batch with, so they are what ingest would have kept.
"""

from __future__ import annotations

import datetime as dt
import math
import time

from hromada import db
from hromada.demo.parts import DemoContext
from hromada.open_data.sensors.kinds import KINDS
from hromada.open_data.sensors.service import HOUR, rollup_rows
from hromada.open_data.sensors.tables import Sensor

# How many sensors of each kind, and each kind's (base, daily swing, noise) in its unit.
FLEET = {
    "pm25": (12, (14.0, 6.0, 3.0)),
    "pm10": (8, (24.0, 9.0, 5.0)),
    "noise": (10, (55.0, 12.0, 3.0)),
    "traffic": (8, (600.0, 550.0, 60.0)),
    "parking": (6, (120.0, -90.0, 10.0)),
    "waste": (6, (45.0, 0.0, 0.0)),
}
CHUNK = 20_000


def _value(kind: str, hour: int, rng_value: float, base: tuple[float, float, float]) -> float:
    mean, swing, noise = base
    if kind == "waste":  # fills through the week, emptied on Mondays and Thursdays
        return round(min(100.0, (hour % (84)) * 1.15 + rng_value * 4), 1)
    daily = math.sin((hour % 24 - 8) / 24 * 2 * math.pi)
    value = mean + swing * daily + noise * rng_value
    return round(max(0.0, value), 1 if kind in ("pm25", "pm10", "noise") else 0)


class SensorsDemo:
    name = "sensors"

    async def populate(self, ctx: DemoContext) -> None:
        rng = ctx.rng("sensors")
        days = ctx.settings.demo_sensor_days
        now = int(time.time())
        end = now - now % HOUR  # the last whole hour
        start = end - days * 24 * HOUR
        sensors = []
        for kind, (count, _) in FLEET.items():
            for n in range(1, count + 1):
                around = rng.choice(ctx.city.districts)
                lat = around.lat + rng.uniform(-0.01, 0.01)
                lon = around.lon + rng.uniform(-0.015, 0.015)
                sensors.append((f"{kind}-{n:03d}", kind, lat, lon))
        total = len(sensors) * days * 24
        done = 0
        created = dt.datetime.now(dt.UTC)
        for code, kind, lat, lon in sensors:
            rows = await Sensor.insert(
                Sensor(
                    code=code,
                    kind=kind,
                    title=f"{KINDS[kind].title_uk} {code[-3:]}",
                    lat=f"{lat:.6f}",
                    lon=f"{lon:.6f}",
                    district=ctx.city.district_of(lat, lon),
                    created_at=created,
                )
            )
            sensor_id = rows[0]["id"]
            readings: list[tuple[int, int, bool]] = []
            silent_until = -1
            low, high = KINDS[kind].low, KINDS[kind].high
            for hour in range(days * 24):
                if hour < silent_until:
                    continue
                if rng.random() < 0.002:  # a few hours to a day offline: gaps
                    silent_until = hour + rng.randint(2, 24)
                    continue
                value = _value(kind, hour, rng.gauss(0, 1), FLEET[kind][1])
                if rng.random() < 0.001:  # a stuck or broken device: implausible spikes
                    value = float(high) * 3 + 7 if kind != "noise" else float(low) - 10
                milli = round(value * 1000)
                readings.append((start + hour * HOUR, milli, not low <= value <= high))
            async with db.write_transaction():
                for i in range(0, len(readings), CHUNK):
                    await db.bulk_upsert(
                        "sensor_reading",
                        ("sensor", "at", "value_milli", "out_of_range"),
                        [(sensor_id, *r) for r in readings[i : i + CHUNK]],
                        key=("sensor", "at"),
                    )
                await db.bulk_upsert(
                    "sensor_rollup",
                    ("sensor", "span", "start", "counted", "min_milli", "max_milli",
                     "sum_milli", "flagged"),
                    rollup_rows(sensor_id, readings),
                    key=("sensor", "span", "start"),
                )  # fmt: skip
                if readings:
                    last = readings[-1]
                    await Sensor.update(
                        {Sensor.first_at: readings[0][0], Sensor.last_at: last[0],
                         Sensor.last_value_milli: last[1]}
                    ).where(Sensor.id == sensor_id)  # fmt: skip
            done += days * 24
            ctx.progress("sensors", done, total)
