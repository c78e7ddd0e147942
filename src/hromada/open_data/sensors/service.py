"""Sensors, their device keys, ingest and readings: the only place their queries live.

Ingest writes a batch's new readings and folds them into the hourly and daily rollups in
the same transaction (an upsert by bucket), so the rollups are always those of the stored
readings and reading them costs a bucket per row, whatever the history holds. A resent
batch changes nothing: readings are unique per sensor and second, and only the rows the
insert really wrote (``RETURNING``) reach the rollups.

Gaps are computed when rollups are read, over the bounded window asked for: a gap is the
absence of a write, which nothing would store at the moment it happens (it would take a job
watching the clock), while a window of at most ``MAX_HOURLY_WINDOW`` hours costs as many
rows as it shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from hromada import db
from hromada.errors import Conflict, InvalidInput, NotFound
from hromada.open_data.sensors.batch import Reading, from_milli, iso, parse_time, to_milli
from hromada.open_data.sensors.kinds import KINDS, Kind
from hromada.open_data.sensors.schemas import (
    IngestOut,
    KindOut,
    ReadingOut,
    RollupOut,
    SensorIn,
    SensorKeyOut,
    SensorOut,
)
from hromada.open_data.sensors.search import DOC_TYPE
from hromada.open_data.sensors.tables import Sensor, SensorReading, SensorRollup
from hromada.paging import Page, check_limit, decode_cursor, make_page
from hromada.search import outbox

MAX_PAGE = 500
HOUR = 3600
DAY = 86400
SPANS = {"hour": HOUR, "day": DAY}
MAX_READINGS_WINDOW = 31 * DAY
MAX_HOURLY_WINDOW = 31 * DAY  # 744 hours
MAX_DAILY_WINDOW = 366 * DAY
KEY_PREFIX = "hsd"
_KEY = re.compile(r"hsd_[0-9]{1,12}_[A-Za-z0-9_-]{43}")
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_SENSOR_COLUMNS = (
    Sensor.id, Sensor.code, Sensor.kind, Sensor.title, Sensor.lat, Sensor.lon,
    Sensor.district, Sensor.status, Sensor.first_at, Sensor.last_at, Sensor.last_value_milli,
)  # fmt: skip


def _key_hash(raw: str) -> str:
    # Keys are 256-bit random: a plain SHA-256 cannot be reversed or guessed.
    return hashlib.sha256(raw.encode()).hexdigest()


def _out(row: dict[str, Any]) -> SensorOut:
    last = row["last_value_milli"]
    return SensorOut(
        id=row["id"],
        code=row["code"],
        kind=row["kind"],
        title=row["title"],
        unit=KINDS[row["kind"]].unit,
        lat=row["lat"],
        lon=row["lon"],
        district=row["district"],
        status=row["status"],
        first_reading_at=iso(row["first_at"]) if row["first_at"] is not None else None,
        last_reading_at=iso(row["last_at"]) if row["last_at"] is not None else None,
        last_value=from_milli(last) if last is not None else None,
    )


def kinds() -> list[KindOut]:
    return [
        KindOut(code=k.code, title_uk=k.title_uk, title_en=k.title_en, unit=k.unit,
                low=str(k.low), high=str(k.high))
        for k in KINDS.values()
    ]  # fmt: skip


# ----------------------------------------------------------------------------------------
# The registry and device keys


def _checked(given: SensorIn) -> dict[str, Any]:
    errors = []
    if not _CODE.fullmatch(given.code):
        errors.append({"name": "code", "message": "1-32 of a-z, 0-9 and -, starting a-z0-9"})
    if given.kind not in KINDS:
        errors.append({"name": "kind", "message": "one of " + ", ".join(KINDS)})
    title = given.title.strip()
    if not 1 <= len(title) <= 200 or any(ord(c) < 32 for c in title):
        errors.append({"name": "title", "message": "1-200 printable characters"})
    if (given.lat is None) != (given.lon is None):
        errors.append({"name": "lat", "message": "give lat and lon, or neither"})
    for name, value, bound in (("lat", given.lat, 90), ("lon", given.lon, 180)):
        if value is not None and (not value.is_finite() or abs(value) > bound):
            errors.append({"name": name, "message": f"WGS 84 degrees within ±{bound}"})
    if len(given.district) > 64 or any(ord(c) < 32 for c in given.district):
        errors.append({"name": "district", "message": "a district's code (64 characters)"})
    if given.status not in ("active", "retired"):
        errors.append({"name": "status", "message": "active or retired"})
    if errors:
        raise InvalidInput(
            "the sensor is not valid: " + "; ".join(f"{e['name']}: {e['message']}" for e in errors),
            errors=[{"where": "body", **e} for e in errors],
        )

    def degrees(value: Decimal | None) -> str | None:
        return None if value is None else format(value.quantize(Decimal("0.000001")), "f")

    return {
        "code": given.code,
        "kind": given.kind,
        "title": title,
        "lat": degrees(given.lat),
        "lon": degrees(given.lon),
        "district": given.district,
        "status": given.status,
    }


def _new_key(sensor_id: int) -> str:
    return f"{KEY_PREFIX}_{sensor_id}_{secrets.token_urlsafe(32)}"


async def register(given: SensorIn) -> SensorKeyOut:
    """A new sensor and its device key (shown this once; only its hash is kept)."""
    fields = _checked(given)
    async with db.write_transaction():
        rows = await Sensor.raw(
            "INSERT INTO sensor (code, kind, title, lat, lon, district, status, created_at) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}, {}) ON CONFLICT (code) DO NOTHING RETURNING id",
            *fields.values(),
            dt.datetime.now(dt.UTC),
        )
        if not rows:
            raise Conflict(f"a sensor {given.code!r} is already registered")
        sensor_id = rows[0]["id"]
        key = _new_key(sensor_id)
        await Sensor.update({Sensor.key_hash: _key_hash(key)}).where(Sensor.id == sensor_id)
        await outbox.enqueue(DOC_TYPE, [given.code])
    return SensorKeyOut(sensor=await get_sensor(sensor_id), key=key)


async def rotate_key(sensor_id: int) -> SensorKeyOut:
    """A new key for the sensor; the old one stops working at once."""
    key = _new_key(sensor_id)
    async with db.write_transaction():
        done = await Sensor.update({Sensor.key_hash: _key_hash(key)}).where(
            Sensor.id == sensor_id, Sensor.status == "active"
        ).returning(Sensor.id)  # fmt: skip
        if not done:
            await get_sensor(sensor_id)  # 404 when there is no such sensor
            raise Conflict("a retired sensor gets no key")
    return SensorKeyOut(sensor=await get_sensor(sensor_id), key=key)


async def revoke_key(sensor_id: int) -> SensorOut:
    await get_sensor(sensor_id)
    await Sensor.update({Sensor.key_hash: None}).where(Sensor.id == sensor_id)
    return await get_sensor(sensor_id)


async def retire(sensor_id: int) -> SensorOut:
    """A retired sensor keeps its readings and loses its key; its silence is no gap."""
    code = (await get_sensor(sensor_id)).code
    async with db.write_transaction():
        await Sensor.update({Sensor.status: "retired", Sensor.key_hash: None}).where(
            Sensor.id == sensor_id
        )
        await outbox.enqueue(DOC_TYPE, [code])
    return await get_sensor(sensor_id)


async def device_of_key(raw: str) -> int | None:
    """The sensor whose live key ``raw`` is, or None (malformed, unknown or revoked)."""
    if not _KEY.fullmatch(raw):
        return None
    row = await Sensor.select(Sensor.id).where(Sensor.key_hash == _key_hash(raw)).first()
    return None if row is None else int(row["id"])


# ----------------------------------------------------------------------------------------
# Ingest

_INSERT = (
    "INSERT INTO sensor_reading (sensor, at, value_milli, out_of_range) VALUES {rows} "
    "ON CONFLICT (sensor, at) DO NOTHING RETURNING at, value_milli, out_of_range"
)
_ROLLUP = (
    "INSERT INTO sensor_rollup (sensor, span, start, counted, min_milli, max_milli, sum_milli, "
    "flagged) VALUES ({}, {}, {}, {}, {}, {}, {}, {}) "
    "ON CONFLICT (sensor, span, start) DO UPDATE SET "
    "counted = sensor_rollup.counted + excluded.counted, "
    "min_milli = CASE WHEN sensor_rollup.min_milli IS NULL "
    "OR excluded.min_milli < sensor_rollup.min_milli "
    "THEN excluded.min_milli ELSE sensor_rollup.min_milli END, "
    "max_milli = CASE WHEN sensor_rollup.max_milli IS NULL "
    "OR excluded.max_milli > sensor_rollup.max_milli "
    "THEN excluded.max_milli ELSE sensor_rollup.max_milli END, "
    "sum_milli = sensor_rollup.sum_milli + excluded.sum_milli, "
    "flagged = sensor_rollup.flagged + excluded.flagged"
)
_LATEST = (
    "UPDATE sensor SET "
    "first_at = CASE WHEN first_at IS NULL OR first_at > {} THEN {} ELSE first_at END, "
    "last_value_milli = CASE WHEN last_at IS NULL OR last_at < {} THEN {} "
    "ELSE last_value_milli END, "
    "last_at = CASE WHEN last_at IS NULL OR last_at < {} THEN {} ELSE last_at END "
    "WHERE id = {}"
)


def rollup_rows(sensor_id: int, written: list[tuple[int, int, bool]]) -> list[tuple[Any, ...]]:
    """The rollup increments of newly written (at, value_milli, out_of_range) readings,
    one row per (span, start), in key order (concurrent batches lock buckets alike)."""
    buckets: dict[tuple[int, int], list[Any]] = {}
    for at, milli, flagged in written:
        for span in (HOUR, DAY):
            bucket = buckets.get((span, at - at % span))
            if bucket is None:
                bucket = buckets[(span, at - at % span)] = [0, None, None, 0, 0]
            if flagged:
                bucket[4] += 1
                continue
            bucket[0] += 1
            bucket[1] = milli if bucket[1] is None else min(bucket[1], milli)
            bucket[2] = milli if bucket[2] is None else max(bucket[2], milli)
            bucket[3] += milli
    return [(sensor_id, span, start, *b) for (span, start), b in sorted(buckets.items())]


async def ingest(sensor_id: int, readings: list[Reading]) -> IngestOut:
    """Store a checked batch whole: new readings, flagged when implausible, and their rollups."""
    found = await Sensor.select(Sensor.kind, Sensor.status).where(Sensor.id == sensor_id).first()
    if found is None:
        raise NotFound(f"no sensor {sensor_id}")
    if found["status"] != "active":
        raise Conflict("the sensor is retired: it takes no readings")
    kind: Kind = KINDS[found["kind"]]
    low, high = to_milli(kind.low), to_milli(kind.high)
    ordered = sorted(readings, key=lambda r: r.at)
    args: list[Any] = []
    for r in ordered:
        args += (sensor_id, r.at, r.value_milli, not low <= r.value_milli <= high)
    sql = _INSERT.format(rows=", ".join(["({}, {}, {}, {})"] * len(ordered)))
    async with db.write_transaction():
        rows = await db.fetch_rows(sql, args)
        written = [(r["at"], r["value_milli"], bool(r["out_of_range"])) for r in rows]
        if written:
            await db.execute_many(_ROLLUP, rollup_rows(sensor_id, written))
            first = min(at for at, _, _ in written)
            last, last_value = max((at, milli) for at, milli, _ in written)
            await Sensor.raw(_LATEST, first, first, last, last_value, last, last, sensor_id)
    return IngestOut(
        received=len(readings),
        written=len(written),
        duplicates=len(readings) - len(written),
        flagged=sum(1 for _, _, f in written if f),
    )


# ----------------------------------------------------------------------------------------
# Reading


async def list_sensors(*, kind: str | None, limit: int, cursor: str | None) -> Page[SensorOut]:
    check_limit(limit, MAX_PAGE)
    after = decode_cursor(cursor, 1, (str,))
    query = Sensor.select(*_SENSOR_COLUMNS).order_by(Sensor.code).limit(limit + 1)
    count = Sensor.count()
    if kind is not None:
        if kind not in KINDS:
            raise InvalidInput(
                f"kind is one of {', '.join(KINDS)}",
                errors=[{"where": "query", "name": "kind", "message": "unknown kind"}],
            )
        query = query.where(Sensor.kind == kind)
        count = count.where(Sensor.kind == kind)
    if after:
        query = query.where(Sensor.code > after[0])
    page = make_page([_out(r) for r in await query], limit, lambda s: (s.code,))
    page.total = await count
    return page


async def get_sensor(sensor_id: int) -> SensorOut:
    row = await Sensor.select(*_SENSOR_COLUMNS).where(Sensor.id == sensor_id).first()
    if row is None:
        raise NotFound(f"no sensor {sensor_id}")
    return _out(row)


def _instant(name: str, text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        return parse_time(text[:64])
    except ValueError as exc:
        raise InvalidInput(
            f"{name}: {exc}", errors=[{"where": "query", "name": name, "message": str(exc)}]
        ) from None


def window(since: str | None, until: str | None, *, longest: int, default: int) -> tuple[int, int]:
    """[since, until) in seconds from the query's ISO times (until: now; since: until less
    ``default``), refused when longer than ``longest`` or reversed."""
    end = _instant("until", until, int(time.time()) + 1)
    start = _instant("since", since, end - default)
    if start >= end:
        raise InvalidInput(
            "since must be before until",
            errors=[{"where": "query", "name": "since", "message": "before until"}],
        )
    if end - start > longest:
        raise InvalidInput(
            f"the window is at most {longest // DAY} days",
            errors=[{"where": "query", "name": "since", "message": f"{longest // DAY} days"}],
        )
    return start, end


async def readings(
    sensor_id: int, *, since: str | None, until: str | None, limit: int, cursor: str | None
) -> Page[ReadingOut]:
    """A sensor's readings in a window of at most 31 days (default: the last day), oldest
    first, keyset-paged by time."""
    check_limit(limit, MAX_PAGE)
    start, end = window(since, until, longest=MAX_READINGS_WINDOW, default=DAY)
    after = decode_cursor(cursor, 1, (int,))
    await get_sensor(sensor_id)
    query = (
        SensorReading.select(
            SensorReading.at, SensorReading.value_milli, SensorReading.out_of_range
        )
        .where(
            SensorReading.sensor == sensor_id,
            SensorReading.at >= start,
            SensorReading.at < end,
        )
        .order_by(SensorReading.at)
        .limit(limit + 1)
    )
    if after:
        query = query.where(SensorReading.at > after[0])
    rows = await query
    page = make_page(rows, limit, lambda r: (r["at"],))
    return Page(
        items=[
            ReadingOut(
                time=iso(r["at"]),
                value=from_milli(r["value_milli"]),
                out_of_range=bool(r["out_of_range"]),
            )
            for r in page.items
        ],
        next_cursor=page.next_cursor,
    )


def _rollup_out(start: int, row: dict[str, Any] | None, gap: bool) -> RollupOut:
    if row is None:
        return RollupOut(start=iso(start), count=0, min=None, max=None, sum="0", mean=None,
                         flagged=0, gap=gap)  # fmt: skip
    count = row["counted"]
    return RollupOut(
        start=iso(start),
        count=count,
        min=from_milli(row["min_milli"]) if row["min_milli"] is not None else None,
        max=from_milli(row["max_milli"]) if row["max_milli"] is not None else None,
        sum=from_milli(row["sum_milli"]),
        mean=from_milli(round(Decimal(row["sum_milli"]) / count)) if count else None,
        flagged=row["flagged"],
        gap=False,
    )


async def rollups(
    sensor_id: int, *, span: str, since: str | None, until: str | None
) -> list[RollupOut]:
    """Every hour (or day) of a bounded window, one row each: the stored rollup, or an empty
    bucket marked ``gap`` when the sensor was expected to report then (after its first
    reading, before the bucket now running, and while active or before its last reading)."""
    seconds = SPANS.get(span)
    if seconds is None:
        raise InvalidInput(
            "span is hour or day",
            errors=[{"where": "query", "name": "span", "message": "hour or day"}],
        )
    longest = MAX_HOURLY_WINDOW if seconds == HOUR else MAX_DAILY_WINDOW
    start, end = window(since, until, longest=longest, default=DAY if seconds == HOUR else 30 * DAY)
    start -= start % seconds
    sensor = await Sensor.select(Sensor.first_at, Sensor.last_at, Sensor.status).where(
        Sensor.id == sensor_id
    ).first()  # fmt: skip
    if sensor is None:
        raise NotFound(f"no sensor {sensor_id}")
    stored = {
        r["start"]: r
        for r in await SensorRollup.select(
            SensorRollup.start, SensorRollup.counted, SensorRollup.min_milli,
            SensorRollup.max_milli, SensorRollup.sum_milli, SensorRollup.flagged,
        ).where(
            SensorRollup.sensor == sensor_id,
            SensorRollup.span == seconds,
            SensorRollup.start >= start,
            SensorRollup.start < end,
        )
    }  # fmt: skip
    now = int(time.time())
    expected_from = (
        None if sensor["first_at"] is None else sensor["first_at"] - sensor["first_at"] % seconds
    )
    expected_until = now - now % seconds  # the running bucket is not over yet
    if sensor["status"] != "active" and sensor["last_at"] is not None:
        expected_until = min(expected_until, sensor["last_at"])
    out = []
    for bucket in range(start, end, seconds):
        gap = expected_from is not None and expected_from <= bucket < expected_until
        out.append(_rollup_out(bucket, stored.get(bucket), gap))
    return out


# ----------------------------------------------------------------------------------------
# The datasets' rows


async def iter_sensors() -> AsyncIterator[dict[str, Any]]:
    for row in await Sensor.select(*_SENSOR_COLUMNS).order_by(Sensor.code):
        out = _out(row)
        yield {
            "code": out.code, "kind": out.kind, "title": out.title, "unit": out.unit,
            "lat": Decimal(out.lat) if out.lat else None,
            "lon": Decimal(out.lon) if out.lon else None,
            "district": out.district, "status": out.status,
        }  # fmt: skip


async def iter_hourly(batch: int = 5000) -> AsyncIterator[dict[str, Any]]:
    """Every stored hour of every sensor in key order (sensor code, hour): sensor by sensor,
    each keyset-batched along its part of the unique index (sensor, span, start), so no
    batch sorts the table."""
    sensors = await Sensor.select(Sensor.id, Sensor.code).order_by(Sensor.code)
    for sensor in sensors:
        after = -1
        while True:
            rows = await SensorRollup.raw(
                "SELECT start, counted, min_milli, max_milli, sum_milli, flagged "
                "FROM sensor_rollup WHERE sensor = {} AND span = 3600 AND start > {} "
                "ORDER BY start LIMIT {}",
                sensor["id"], after, batch,
            )  # fmt: skip
            for row in rows:
                count = row["counted"]
                yield {
                    "sensor": sensor["code"],
                    "hour": dt.datetime.fromtimestamp(row["start"], dt.UTC),
                    "count": count,
                    "min": _decimal(row["min_milli"]),
                    "max": _decimal(row["max_milli"]),
                    "mean": _decimal(round(Decimal(row["sum_milli"]) / count)) if count else None,
                    "flagged": row["flagged"],
                }
            if len(rows) < batch:
                break
            after = rows[-1]["start"]


def _decimal(milli: int | None) -> Decimal | None:
    return None if milli is None else Decimal(from_milli(milli))
