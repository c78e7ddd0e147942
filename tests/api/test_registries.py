"""Registries over REST: every list answers {items, next_cursor}, buildings page by id."""

from __future__ import annotations

import base64

import pytest
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings


@pytest.fixture
def city_client(small_city: Settings):
    with TestClient(create_app(small_city)) as client:
        yield client


def test_districts_answer_the_list_shape(city_client: TestClient) -> None:
    body = city_client.get("/api/v1/districts").json()
    assert body["next_cursor"] is None
    assert body["total"] == len(body["items"]) == 9


def test_buildings_page_through_every_building_once(city_client: TestClient) -> None:
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, object] = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        response = city_client.get("/api/v1/buildings", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= 7
        seen.extend(b["id"] for b in body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 80
    assert seen == sorted(seen)
    assert pages == 12  # 80 buildings, 7 a page


def test_buildings_filter_by_district_and_street(city_client: TestClient) -> None:
    every = city_client.get("/api/v1/buildings", params={"limit": 500}).json()["items"]
    one = every[0]
    in_district = city_client.get(
        "/api/v1/buildings", params={"district": one["district"], "limit": 500}
    ).json()["items"]
    assert in_district == [b for b in every if b["district"] == one["district"]]
    on_street = city_client.get(
        "/api/v1/buildings", params={"street": one["street"], "limit": 500}
    ).json()["items"]
    assert on_street == [b for b in every if b["street"] == one["street"]]
    assert city_client.get(f"/api/v1/buildings/{one['id']}").json() == one


@pytest.mark.parametrize(
    "cursor",
    [b'["abc"]', b"[null]", b"[1.5]", b"[true]", b"[-1]", b"[99999999999999999999999]", b"[[1]]"],
)
def test_forged_building_cursors_are_clear_errors(city_client: TestClient, cursor: bytes) -> None:
    forged = base64.urlsafe_b64encode(cursor).decode().rstrip("=")
    response = city_client.get("/api/v1/buildings", params={"cursor": forged})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("building_id", ["0", "999999", "99999999999999999999999"])
def test_unknown_buildings_are_client_errors(city_client: TestClient, building_id: str) -> None:
    # 404 for an id no building has; 422 naming the parameter for one no row can have.
    response = city_client.get(f"/api/v1/buildings/{building_id}")
    assert response.status_code == (404 if building_id == "999999" else 422), response.text
    assert response.status_code < 500
