"""The mayor's per-building view: appeals matched to registry buildings at import (before
the house number is dropped), counted per building for city staff only, small groups
suppressed; nothing public ever carries the building."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.appeals import service
from hromada.open_data.appeals.buildings import BuildingMatcher
from hromada.open_data.appeals.tables import Appeal
from hromada.open_data.registries.tables import Building, District, Street

from .conftest import to_csv  # type: ignore[import-not-found]

TOKEN = "building-view-token"
STAFF = {"Authorization": f"Bearer {TOKEN}"}


def _matcher() -> BuildingMatcher:
    return BuildingMatcher(
        [
            {"id": 1, "number": "7", "district": 10, "street_name": "Сумська"},
            {"id": 2, "number": "7А", "district": 10, "street_name": "Сумська"},
            {"id": 3, "number": "12/2", "district": 10, "street_name": "Олени Теліги"},
            # "Садова" in two districts: only the appeal's district tells them apart.
            {"id": 4, "number": "1", "district": 10, "street_name": "Садова"},
            {"id": 5, "number": "1", "district": 11, "street_name": "Садова"},
        ]
    )


@pytest.mark.parametrize(
    ("address", "district", "building"),
    [
        ("вул. Сумська, 7, кв. 33", None, 1),
        ("Сумська, 7", None, 1),
        ("вулиця  сумська, буд. 7", 10, 1),
        ("Шевченківський район, вул. Сумська, 7-а, кв. 2", None, 2),
        ("просп. Сумська, 7 А", None, 2),
        ("вул. Олени Теліги, 12/2", None, 3),
        ("вул. Олени Теліги, 12 / 2, під'їзд 3", None, 3),
        ("вул. Садова, 1", 10, 4),
        ("вул. Садова, 1", 11, 5),
        ("вул. Садова, 1", None, None),  # a guess would be wrong half the time
        ("вул. Сумська, 9", None, None),
        ("вул. Невідома, 7", None, None),
        ("вул. Сумська", None, None),
        ("Сумська 7", None, None),
        ("", None, None),
        (None, None, None),
        ("," * 500, None, None),
        ("вул. Сумська, 7'; DROP TABLE appeal; --", None, None),
    ],
)
def test_the_matcher_reads_the_usual_shapes(
    address: str | None, district: int | None, building: int | None
) -> None:
    assert _matcher().match(address, district) == building


@pytest.fixture
async def city(small_city: Settings) -> dict[str, Any]:
    """Appeals on three buildings of the small city: six, six and two (under k = 5)."""
    rows = await Building.select(
        Building.id,
        Building.number,
        Building.street.name.as_alias("street"),
        Building.street.kind.as_alias("kind"),
        Building.district.name_uk.as_alias("district"),
    ).order_by(Building.id)
    busy, also, quiet = rows[0], rows[1], rows[2]
    start = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    appeals: list[dict[str, Any]] = []
    for building, count, shape in ((busy, 6, "cue"), (also, 6, "bare"), (quiet, 2, "cue")):
        for _ in range(count):
            i = len(appeals)
            street = f"вул. {building['street']}" if shape == "cue" else building["street"]
            appeals.append(
                {
                    "id": f"B-{i:04d}",
                    "received_at": (start + dt.timedelta(hours=i)).isoformat(),
                    "channel": "телефон",
                    "category": "Відсутність опалення" if i % 2 else "Не працює ліфт",
                    "district": building["district"],
                    "address": f"{street}, {building['number']}, кв. {i + 1}",
                    "text": "Немає опалення.",
                    "status": "registered",
                    "executor": "",
                    "deadline_at": "",
                    "resolved_at": "",
                    "confidential": "ні",
                    "lat": "",
                    "lon": "",
                    "answer": "",
                }
            )
    # A confidential appeal on the busy building: never matched, never counted.
    appeals.append({**appeals[0], "id": "B-secret", "confidential": "так"})
    appeals.append({**appeals[0], "id": "B-nowhere", "address": "вул. Невідома, 999"})
    report = await service.import_file(_bytes(appeals), fmt="csv")
    assert report.applied and report.imported == len(appeals), report
    # The confidential one is not counted either way: it keeps no place at all.
    assert (report.buildings_matched, report.buildings_unmatched) == (14, 1)
    return {"busy": busy, "also": also, "quiet": quiet, "settings": small_city}


def _bytes(rows: list[dict[str, Any]]) -> Any:
    import io

    return io.BytesIO(to_csv(rows))


@pytest.fixture
def client(city: dict[str, Any]) -> Iterator[TestClient[Litestar]]:
    settings = city["settings"].replace(admin_token=TOKEN, rate_limit_anonymous=100_000)
    with TestClient(create_app(settings)) as c:
        yield c


async def test_the_import_stores_the_building_and_only_for_public_appeals(
    city: dict[str, Any],
) -> None:
    rows = await Appeal.select(Appeal.source_id, Appeal.building, Appeal.confidential)
    by_building: dict[Any, int] = {}
    for r in rows:
        if r["confidential"]:
            assert r["building"] is None, "a confidential appeal keeps no place"
        else:
            by_building[r["building"]] = by_building.get(r["building"], 0) + 1
    assert by_building == {
        city["busy"]["id"]: 6,
        city["also"]["id"]: 6,
        city["quiet"]["id"]: 2,
        None: 1,  # the address no registry building has
    }


def test_staff_see_buildings_most_appeals_first_small_ones_suppressed(
    client: TestClient[Litestar], city: dict[str, Any]
) -> None:
    answer = client.get("/api/v1/appeals/stats/buildings", headers=STAFF)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["group_by"] == ["building"]
    shown = {g["key"]["building"]: g for g in body["groups"]}
    assert set(shown) == {str(city["busy"]["id"]), str(city["also"]["id"])}
    assert all(g["count"] == 6 for g in shown.values())
    busy = shown[str(city["busy"]["id"])]
    expected = f"{city['busy']['kind']} {city['busy']['street']}, {city['busy']['number']}"
    assert busy["names"]["building"] == expected
    assert body["suppressed_groups"] == 1
    assert body["total"]["count"] == 12, "the total is of the shown groups only"


def test_one_building_by_category(client: TestClient[Litestar], city: dict[str, Any]) -> None:
    one = client.get(
        "/api/v1/appeals/stats/buildings",
        params={"building": city["busy"]["id"], "group_by": "category"},
        headers=STAFF,
    ).json()
    # Six appeals, three per category: both groups are under k and hidden.
    assert one["groups"] == [] and one["suppressed_groups"] == 2 and one["total"] is None
    filtered = client.get(
        "/api/v1/appeals/stats/buildings",
        params={"building": city["busy"]["id"], "status": "registered"},
        headers=STAFF,
    ).json()
    assert [g["count"] for g in filtered["groups"]] == [6]


def test_the_building_view_is_for_staff_only(client: TestClient[Litestar]) -> None:
    anonymous = client.get("/api/v1/appeals/stats/buildings")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    wrong = client.get("/api/v1/appeals/stats/buildings", headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 401
    public = client.get("/api/v1/appeals/stats", params={"group_by": "building"})
    assert public.status_code == 422
    assert "city staff" in public.json()["detail"]
    assert (
        client.get("/api/v1/appeals/stats.csv", params={"group_by": "building"}).status_code == 422
    )


@pytest.mark.parametrize(
    "params",
    [
        {"building": "0"},
        {"building": "x"},
        {"building": str(2**40)},
        {"group_by": "category,month,status"},  # four groupings with the building
        {"group_by": "nope"},
    ],
)
def test_bad_parameters_are_clear(client: TestClient[Litestar], params: dict[str, str]) -> None:
    answer = client.get("/api/v1/appeals/stats/buildings", params=params, headers=STAFF)
    assert answer.status_code in (400, 422), answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_nothing_public_carries_the_building(
    client: TestClient[Litestar], city: dict[str, Any]
) -> None:
    items = client.get("/api/v1/appeals", params={"limit": 100}).json()["items"]
    assert items and all("building" not in item for item in items)
    assert all(str(city["busy"]["number"]) + "," not in (i["street"] or "") for i in items)
    one = client.get(f"/api/v1/appeals/{items[0]['id']}").json()
    assert "building" not in one
    download = client.get("/api/v1/appeals/download/jsonl")
    assert download.status_code == 200
    for line in download.content.splitlines():
        assert "building" not in json.loads(line)


async def test_a_building_dropped_from_the_registry_keeps_its_appeals(
    city: dict[str, Any],
) -> None:
    before = await Appeal.count()
    quiet = city["quiet"]["id"]
    await Building.delete().where(Building.id == quiet)
    assert await Appeal.count() == before
    assert await Appeal.count().where(Appeal.building == quiet) == 0
    assert await District.count() and await Street.count()
