"""Sensors: device keys, ingest all or nothing (JSON and CSV), idempotent resends, the device
readings budget, rollups against hand-computed figures, gaps, paging and GraphQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.sensors import service
from hromada.open_data.sensors.batch import Reading, iso
from hromada.open_data.sensors.tables import SensorReading, SensorRollup

TOKEN = "s" * 40
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
# A day three days ago, at midnight UTC: every hour of it is over, so silences are gaps.
_today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
DAY = _today - dt.timedelta(days=3)


def at(hour: int, minute: int = 0, second: int = 0) -> str:
    return (DAY + dt.timedelta(hours=hour, minutes=minute, seconds=second)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def _app(settings: Settings, **changes: Any) -> Litestar:
    return create_app(settings.replace(admin_token=TOKEN, **changes))


@pytest.fixture
def client(clean_db: Settings) -> Iterator[TestClient[Litestar]]:
    with TestClient(_app(clean_db)) as test_client:
        yield test_client


def register(
    client: TestClient[Litestar], code: str = "pm25-001", kind: str = "pm25"
) -> tuple[int, str]:
    response = client.post(
        "/api/v1/sensors",
        json={
            "code": code,
            "kind": kind,
            "title": "Повітря, площа Свободи",
            "lat": "50.004",
            "lon": "36.231",
        },
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["sensor"]["unit"] == "мкг/м³"
    return body["sensor"]["id"], body["key"]


def send(
    client: TestClient[Litestar], sensor: int, key: str, readings: list[tuple[str, Any]]
) -> Any:
    return client.post(
        f"/api/v1/sensors/{sensor}/readings",
        json={"readings": [{"time": t, "value": v} for t, v in readings]},
        headers={"X-Device-Key": key},
    )


async def _stored(sensor: int) -> int:
    return await SensorReading.count().where(SensorReading.sensor == sensor)


# ----------------------------------------------------------------------------------------
# Ingest


def test_a_device_sends_json_and_the_sensor_shows_its_last_reading(
    client: TestClient[Litestar],
) -> None:
    sensor, key = register(client)
    response = send(client, sensor, key, [(at(10, 5), 10.5), (at(10, 20), "11.25")])
    assert response.status_code == 200, response.text
    assert response.json() == {"received": 2, "written": 2, "duplicates": 0, "flagged": 0}
    one = client.get(f"/api/v1/sensors/{sensor}").json()
    assert (one["last_reading_at"], one["last_value"]) == (at(10, 20), "11.25")
    assert one["first_reading_at"] == at(10, 5)
    readings = client.get(
        f"/api/v1/sensors/{sensor}/readings", params={"since": at(0), "until": at(24)}
    ).json()
    assert readings["items"] == [
        {"time": at(10, 5), "value": "10.5", "out_of_range": False},
        {"time": at(10, 20), "value": "11.25", "out_of_range": False},
    ]


def test_a_device_sends_csv(client: TestClient[Litestar]) -> None:
    sensor, key = register(client)
    body = f"time,value\n{at(1)},3\n{at(2)},4.5\n"
    response = client.post(
        f"/api/v1/sensors/{sensor}/readings",
        content=body.encode(),
        headers={"X-Device-Key": key, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["written"] == 2
    bad = client.post(
        f"/api/v1/sensors/{sensor}/readings",
        content=f"{at(3)},5\n{at(4)}\n{at(5)},x\n".encode(),
        headers={"X-Device-Key": key, "Content-Type": "text/csv"},
    )
    assert bad.status_code == 422
    assert "line 2" in bad.json()["detail"]
    assert asyncio.run(_stored(sensor)) == 2


def test_device_keys_no_wrong_revoked_rotated_or_another_sensors(
    client: TestClient[Litestar],
) -> None:
    sensor, key = register(client)
    other, other_key = register(client, "pm25-002")
    batch = [(at(1), 5)]
    assert send(client, sensor, "", batch).status_code == 401
    none = client.post(f"/api/v1/sensors/{sensor}/readings", json={"readings": []})
    assert none.status_code == 401
    assert none.headers["content-type"] == "application/problem+json"
    assert (
        send(client, sensor, key[:-1] + ("A" if key[-1] != "A" else "B"), batch).status_code == 401
    )
    assert send(client, sensor, "x" * 5000, batch).status_code == 401
    assert send(client, sensor, other_key, batch).status_code == 403
    rotated = client.post(f"/api/v1/sensors/{sensor}/key", headers=ADMIN)
    assert rotated.status_code == 201
    assert send(client, sensor, key, batch).status_code == 401
    new_key = rotated.json()["key"]
    assert send(client, sensor, new_key, batch).status_code == 200
    assert client.delete(f"/api/v1/sensors/{sensor}/key", headers=ADMIN).status_code == 200
    assert send(client, sensor, new_key, [(at(2), 5)]).status_code == 401
    assert asyncio.run(_stored(sensor)) == 1
    assert asyncio.run(_stored(other)) == 0
    # Registering and key changes are staff work.
    assert client.post(f"/api/v1/sensors/{sensor}/key").status_code == 401
    assert (
        client.post(
            f"/api/v1/sensors/{sensor}/key", headers={"X-Device-Key": other_key}
        ).status_code
        == 403
    )
    # A retired sensor loses its key and gets no new one; its readings stay.
    retired = client.post(f"/api/v1/sensors/{other}/retire", headers=ADMIN)
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    assert send(client, other, other_key, batch).status_code == 401
    assert client.post(f"/api/v1/sensors/{other}/key", headers=ADMIN).status_code == 409
    assert client.post("/api/v1/sensors/99999/key", headers=ADMIN).status_code == 404


@pytest.mark.parametrize(
    ("readings", "row", "name"),
    [
        ([(at(1), 5), ("2999-01-01T00:00:00Z", 6)], 2, "time"),  # from the future
        ([(at(1), "NaN")], 1, "value"),
        ([(at(1), "Infinity")], 1, "value"),
        ([(at(1), 5), (at(2), "1e30")], 2, "value"),
        ([(at(1), 5), ("yesterday", 6)], 2, "time"),
        ([(at(1), 5), ("2026-01-01T10:00:00", 6)], 2, "time"),  # no zone
        ([(at(1), 5), (at(1), 6)], 2, "time"),  # the same second twice
        ([(at(1), 5), ("1990-01-01T00:00:00Z", 6)], 2, "time"),
        ([(at(1), 5), ("١٧٦٧٢٢٥٦٠٠", 6)], 2, "time"),  # epoch seconds in Arabic-Indic digits
        ([(at(1), 5), ({"nested": "x" * 100}, 6)], 2, "time"),
    ],
)
def test_a_bad_reading_refuses_the_whole_batch_naming_the_row(
    client: TestClient[Litestar], readings: list[tuple[str, Any]], row: int, name: str
) -> None:
    sensor, key = register(client)
    response = send(client, sensor, key, [(at(0), 1), *readings])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"][0]["row"] == row + 1
    assert problem["errors"][0]["name"] == name
    assert "nothing was written" in problem["detail"]
    assert asyncio.run(_stored(sensor)) == 0


def test_malformed_oversized_and_unknown_bodies_are_refused(client: TestClient[Litestar]) -> None:
    sensor, key = register(client)
    url = f"/api/v1/sensors/{sensor}/readings"
    device = {"X-Device-Key": key}
    too_many = [(at(0, 0, s), 1) for s in range(1001)]
    response = send(client, sensor, key, too_many)
    assert response.status_code == 422 and "1000" in response.json()["detail"]
    huge = client.post(
        url,
        content=b'{"readings": [' + b" " * 200_000 + b"]}",
        headers={**device, "Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    for body in (
        b"{",
        b"[1, 2]",
        b'{"readings": [{"time": 1}]}',
        b'{"readings": "x"}',
        b'{"readings": [], "extra": 1}',
        b"\xff\xfe",
    ):
        refused = client.post(
            url, content=body, headers={**device, "Content-Type": "application/json"}
        )
        assert refused.status_code == 422, (body, refused.text)
    assert (
        client.post(url, content=b"x", headers={**device, "Content-Type": "text/plain"}).status_code
        == 422
    )
    nul = client.post(
        url, content=b"time,value\n\x00,1\n", headers={**device, "Content-Type": "text/csv"}
    )
    assert nul.status_code == 422
    assert asyncio.run(_stored(sensor)) == 0


def test_a_resent_batch_writes_nothing_twice(client: TestClient[Litestar]) -> None:
    sensor, key = register(client)
    batch = [(at(1), 5), (at(2), 7)]
    assert send(client, sensor, key, batch).json()["written"] == 2
    again = send(client, sensor, key, [*batch, (at(3), 9)]).json()
    assert again == {"received": 3, "written": 1, "duplicates": 2, "flagged": 0}
    day = client.get(
        f"/api/v1/sensors/{sensor}/rollups", params={"span": "day", "since": at(0), "until": at(24)}
    ).json()
    assert (day[0]["count"], day[0]["sum"]) == (3, "21")


async def test_concurrent_duplicate_batches_count_once(clean_db: Settings) -> None:
    async with AsyncTestClient(_app(clean_db)) as client:
        created = await client.post(
            "/api/v1/sensors",
            json={"code": "noise-001", "kind": "noise", "title": "Шум"},
            headers=ADMIN,
        )
        sensor, key = created.json()["sensor"]["id"], created.json()["key"]
        batch = {
            "readings": [
                {"time": at(h, m), "value": 50 + m} for h in range(6) for m in range(0, 60, 10)
            ]
        }
        answers = await asyncio.gather(
            *(
                client.post(
                    f"/api/v1/sensors/{sensor}/readings", json=batch, headers={"X-Device-Key": key}
                )
                for _ in range(12)
            )
        )
        assert [a.status_code for a in answers] == [200] * 12, [a.text for a in answers]
        assert sum(a.json()["written"] for a in answers) == 36
        rollups = (
            await client.get(
                f"/api/v1/sensors/{sensor}/rollups",
                params={"span": "day", "since": at(0), "until": at(24)},
            )
        ).json()
    assert rollups[0]["count"] == 36
    assert await _stored(sensor) == 36


def test_the_device_budget_refuses_a_flood_whole(clean_db: Settings) -> None:
    app = _app(
        clean_db,
        rate_limit_device_readings=1500,
        rate_limit_anonymous=2,
        rate_limit_writes_per_ip=2,
    )
    with TestClient(app) as client:
        sensor, key = register(client)
        first = send(client, sensor, key, [(at(0, 0, s), 1) for s in range(1000)])
        assert first.status_code == 200
        # Five more requests from the same address: the per-address limits (2) do not apply.
        for n in range(4):
            assert send(client, sensor, key, [(at(1, 0, n), 1)]).status_code == 200
        flood = send(client, sensor, key, [(at(2, 0, s), 1) for s in range(1000)])
        assert flood.status_code == 429
        assert flood.headers["content-type"] == "application/problem+json"
        assert int(flood.headers["retry-after"]) >= 1
        assert asyncio.run(_stored(sensor)) == 1004


def test_the_device_request_limit_is_its_own(clean_db: Settings) -> None:
    with TestClient(_app(clean_db, rate_limit_device=3)) as client:
        sensor, key = register(client)
        codes = [send(client, sensor, key, [(at(1, 0, n), 1)]).status_code for n in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        assert client.get("/api/v1/sensors").status_code == 200  # the address is not held


# ----------------------------------------------------------------------------------------
# Rollups and gaps, against figures worked out by hand


async def _sensor(code: str = "pm25-009") -> int:
    from hromada.open_data.sensors.schemas import SensorIn

    return (await service.register(SensorIn(code=code, kind="pm25", title="PM2.5"))).sensor.id


def _r(text: str, milli: int) -> Reading:
    return Reading(int(dt.datetime.fromisoformat(text).timestamp()), milli)


async def test_rollups_by_hand_with_flags_and_gaps(clean_db: Settings) -> None:
    sensor = await _sensor()
    # Hour 10: 10.5, 11.25, 9.999 and an implausible 5000 (PM2.5 tops at 1000); two batches,
    # so the second one's minimum and sum are folded into the stored hour.
    first = await service.ingest(sensor, [_r(at(10, 5), 10_500), _r(at(10, 20), 11_250)])
    second = await service.ingest(
        sensor, [_r(at(10, 40), 9_999), _r(at(10, 50), 5_000_000), _r(at(12, 10), 1_000)]
    )
    assert (first.written, second.written, second.flagged) == (2, 3, 1)
    hours = await service.rollups(sensor, span="hour", since=at(9), until=at(14))
    by_start = {h.start: h for h in hours}
    assert [h.start for h in hours] == [at(9), at(10), at(11), at(12), at(13)]
    ten = by_start[at(10)]
    # (10.5 + 11.25 + 9.999) / 3 = 10.583: the flagged one is counted apart.
    assert (ten.count, ten.min, ten.max, ten.sum, ten.mean, ten.flagged, ten.gap) == (
        3,
        "9.999",
        "11.25",
        "31.749",
        "10.583",
        1,
        False,
    )
    # Hour 9 is before the first reading: no gap. Hour 11 had none: a gap. So had 13.
    assert (by_start[at(9)].gap, by_start[at(11)].gap, by_start[at(13)].gap) == (False, True, True)
    assert by_start[at(11)].count == 0 and by_start[at(11)].mean is None
    assert by_start[at(12)].mean == "1"
    days = await service.rollups(sensor, span="day", since=at(0), until=at(24))
    # 32.749 / 4 = 8.18725, kept to thousandths half to even.
    assert (days[0].count, days[0].sum, days[0].mean, days[0].flagged) == (4, "32.749", "8.187", 1)
    stored = await SensorRollup.count().where(SensorRollup.sensor == sensor)
    assert stored == 3  # hours 10 and 12, and the day
    readings = await service.readings(sensor, since=at(10, 45), until=at(11), limit=10, cursor=None)
    assert [(r.value, r.out_of_range) for r in readings.items] == [("5000", True)]


async def test_rollup_windows_and_spans_are_bounded(clean_db: Settings) -> None:
    from hromada.errors import InvalidInput, NotFound

    sensor = await _sensor()
    for kwargs in (
        {"span": "minute", "since": None, "until": None},
        {"span": "hour", "since": at(0), "until": iso(int(DAY.timestamp()) + 32 * 86400)},
        {"span": "day", "since": "2020-01-01T00:00:00Z", "until": "2022-01-01T00:00:00Z"},
        {"span": "hour", "since": at(5), "until": at(4)},
        {"span": "hour", "since": "soon", "until": None},
    ):
        with pytest.raises(InvalidInput):
            await service.rollups(sensor, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await service.rollups(sensor + 1000, span="hour", since=None, until=None)


def test_readings_page_by_signed_cursors(client: TestClient[Litestar]) -> None:
    sensor, key = register(client)
    send(client, sensor, key, [(at(h), h) for h in range(7)])
    seen: list[str] = []
    cursor = None
    while True:
        params = {"since": at(0), "until": at(24), "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = client.get(f"/api/v1/sensors/{sensor}/readings", params=params).json()
        seen += [r["value"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [str(h) for h in range(7)]
    for forged in ("eyJhIjoxfQ.abc", "W10", "x" * 2000, cursor or "W1swXV0.AAAAAAAAAAAAAAAA"):
        bad = client.get(f"/api/v1/sensors/{sensor}/readings", params={"cursor": forged})
        assert bad.status_code == 422
    # A genuine cursor of another list (sensors, keyed by code) is not a readings cursor.
    register(client, "pm25-002")
    other = client.get("/api/v1/sensors", params={"limit": 1}).json()["next_cursor"]
    assert (
        client.get(f"/api/v1/sensors/{sensor}/readings", params={"cursor": other}).status_code
        == 422
    )
    too_long = client.get(
        f"/api/v1/sensors/{sensor}/readings",
        params={"since": "2020-01-01T00:00:00Z", "until": "2020-03-01T00:00:00Z"},
    )
    assert too_long.status_code == 422


def test_registering_checks_the_sensor_and_refuses_a_second_code(
    client: TestClient[Litestar],
) -> None:
    register(client)
    again = client.post(
        "/api/v1/sensors", json={"code": "pm25-001", "kind": "pm25", "title": "x"}, headers=ADMIN
    )
    assert again.status_code == 409
    for body in (
        {"code": "Bad Code", "kind": "pm25", "title": "x"},
        {"code": "ok-1", "kind": "radon", "title": "x"},
        {"code": "ok-1", "kind": "pm25", "title": ""},
        {"code": "ok-1", "kind": "pm25", "title": "x", "lat": "91", "lon": "30"},
        {"code": "ok-1", "kind": "pm25", "title": "x", "lat": "50"},
        {"code": "ok-1", "kind": "pm25", "title": "x", "key": "mine"},
    ):
        refused = client.post("/api/v1/sensors", json=body, headers=ADMIN)
        assert refused.status_code in (400, 422), (body, refused.text)
    listed = client.get("/api/v1/sensors").json()
    assert [s["code"] for s in listed["items"]] == ["pm25-001"] and listed["total"] == 1
    assert client.get("/api/v1/sensors", params={"kind": "radon"}).status_code == 422


def test_graphql_reads_sensors_readings_and_rollups(client: TestClient[Litestar]) -> None:
    sensor, key = register(client)
    send(client, sensor, key, [(at(10, 5), 10), (at(10, 35), 12), (at(12), 4000)])
    query = """query($id: Int!, $since: String, $until: String) {
      citySensors { items { code unit lastValue } total }
      sensorReadings(sensor: $id, since: $since, until: $until, first: 2) {
        items { time value outOfRange } nextCursor }
      sensorRollups(sensor: $id, since: $since, until: $until) { start count mean gap flagged }
    }"""
    response = client.post(
        "/graphql",
        json={"query": query, "variables": {"id": sensor, "since": at(10), "until": at(13)}},
    )
    data = response.json()["data"]
    assert data["citySensors"] == {
        "items": [{"code": "pm25-001", "unit": "мкг/м³", "lastValue": "4000"}],
        "total": 1,
    }
    assert [r["value"] for r in data["sensorReadings"]["items"]] == ["10", "12"]
    assert data["sensorReadings"]["nextCursor"]
    assert data["sensorRollups"] == [
        {"start": at(10), "count": 2, "mean": "11", "gap": False, "flagged": 0},
        {"start": at(11), "count": 0, "mean": None, "gap": True, "flagged": 0},
        {"start": at(12), "count": 0, "mean": None, "gap": False, "flagged": 1},
    ]
    bad = client.post(
        "/graphql",
        json={"query": query, "variables": {"id": sensor, "since": "never", "until": None}},
    )
    assert bad.status_code == 200 and bad.json()["errors"]
    assert json.dumps(bad.json()).count("Traceback") == 0


async def test_the_datasets_publish_the_registry_and_the_hours(clean_db: Settings) -> None:
    from hromada.open_data.catalog import service as catalog

    sensor = await _sensor()
    await service.ingest(sensor, [_r(at(10, 5), 10_500), _r(at(10, 50), 5_000_000),
                                  _r(at(11, 5), 2_000)])  # fmt: skip
    for slug in ("sensors", "sensor-readings-hourly"):
        assert (await catalog.publish(clean_db, slug)).created
    hours = list(
        catalog.iter_rows(
            clean_db, await catalog.get_version(clean_db, "sensor-readings-hourly", None)
        )
    )
    assert [(h["sensor"], h["count"], h["mean"], h["flagged"]) for h in hours] == [
        ("pm25-009", 1, 10.5, 1),
        ("pm25-009", 1, 2, 0),
    ]
    assert hours[0]["hour"].startswith(at(10)[:13])
    registry = list(
        catalog.iter_rows(clean_db, await catalog.get_version(clean_db, "sensors", None))
    )
    assert [(r["code"], r["kind"], r["status"]) for r in registry] == [
        ("pm25-009", "pm25", "active")
    ]
    # Unchanged data: no new version.
    assert not (await catalog.publish(clean_db, "sensor-readings-hourly")).created


async def test_the_demo_part_writes_readings_and_their_rollups(clean_db: Settings) -> None:
    from hromada.demo.city import generate_city
    from hromada.demo.parts import DemoContext
    from hromada.open_data.sensors.demo import FLEET, SensorsDemo

    ctx = DemoContext(settings=clean_db.replace(demo_sensor_days=3), city=generate_city(7))
    await SensorsDemo().populate(ctx)
    listed = await service.list_sensors(kind=None, limit=100, cursor=None)
    assert listed.total == sum(count for count, _ in FLEET.values()) == 50
    first = listed.items[0]
    readings = await SensorReading.count().where(SensorReading.sensor == first.id)
    assert 0 < readings <= 72
    # The stored rollups are those of the stored readings.
    days = await service.rollups(first.id, span="day", since=iso(int(time.time()) - 5 * 86400),
                                 until=None)  # fmt: skip
    assert sum(d.count + d.flagged for d in days) == readings


async def test_a_refused_batch_costs_nothing_in_redis_either() -> None:
    import uuid

    import redis

    from hromada.auth.ratelimit import Limiter

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    limiter = Limiter.redis(url)
    limiter.namespace = f"sensors-test-{uuid.uuid4().hex}"
    try:
        first = await limiter.hit("device-readings:1", 1500, 60, cost=1000)
        refused = await limiter.hit("device-readings:1", 1500, 60, cost=1000)
        fits = await limiter.hit("device-readings:1", 1500, 60, cost=500)
    finally:
        await limiter.close()
    assert (first.allowed, refused.allowed, fits.allowed) == (True, False, True)
    assert fits.remaining == 0
