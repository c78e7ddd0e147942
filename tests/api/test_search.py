"""``GET /api/v1/search`` over a small demo city, indexed by the app's own background indexer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.errors import Unavailable

STREETS = 40  # the search_client fixture's city (tests/conftest.py)


def test_search_finds_streets_with_a_typo_and_highlights(
    search_client: TestClient[Litestar],
) -> None:
    streets = search_client.get("/api/v1/streets", params={"limit": 1}).json()["items"]
    name = streets[0]["name"].split()[0]
    assert len(name) >= 5
    typo = name[:2] + name[3:]  # one letter dropped
    body = search_client.get("/api/v1/search", params={"q": typo, "type": "street"}).json()
    assert streets[0]["code"] in [h["id"] for h in body["items"]]
    hit = next(h for h in body["items"] if h["id"] == streets[0]["code"])
    assert "<em>" in hit["highlights"]["title"]
    assert hit["fields"]["district"] == streets[0]["district"]


def test_filters_and_facets(search_client: TestClient[Litestar]) -> None:
    everything = search_client.get(
        "/api/v1/search", params={"facets": "type,district", "limit": 1}
    ).json()
    assert everything["facets"]["type"]["street"] == STREETS
    assert everything["facets"]["type"]["district"] == 9
    district, count = next(iter(everything["facets"]["district"].items()))
    one = search_client.get(
        "/api/v1/search", params={"district": district, "facets": "district", "limit": 100}
    ).json()
    assert one["facets"]["district"] == {district: count}
    assert {h["fields"]["district"] for h in one["items"]} == {district}
    tall = search_client.get(
        "/api/v1/search",
        params={"type": "building", "floors_from": "9", "sort": "-floors", "limit": 100},
    ).json()
    floors = [h["fields"]["floors"] for h in tall["items"]]
    assert floors == sorted(floors, reverse=True) and all(f >= 9 for f in floors)


def test_cursor_pages_through_hits(search_client: TestClient[Litestar]) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(20):
        params: dict[str, Any] = {"type": "street", "limit": 15}
        if cursor:
            params["cursor"] = cursor
        page = search_client.get("/api/v1/search", params=params).json()
        seen.extend(h["id"] for h in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == STREETS == len(set(seen))


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x", "bogus": "1"},
        {"facets": "title"},
        {"sort": "title"},
        {"type": "nonsense"},
        {"limit": "0"},
        {"limit": "101"},
        {"cursor": "%%%"},
        {"q": "слово " * 11},
        {"q": "я" * 201},
        {"floors_from": "many"},
        {"district": ""},
    ],
)
def test_bad_requests_are_422_problems(
    search_client: TestClient[Litestar], params: dict[str, str]
) -> None:
    response = search_client.get("/api/v1/search", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


class DownEngine:
    name = "down"

    async def search(self, query: object) -> object:
        raise Unavailable("the search engine (Meilisearch at http://x) does not answer")

    async def ping(self) -> str:
        return "the search engine does not answer"


def test_search_down_is_a_503_and_the_rest_keeps_working(
    search_client: TestClient[Litestar],
) -> None:
    app = search_client.app
    real = app.state["search"]
    app.state["search"] = DownEngine()
    app.state["readiness_checks"]["search"] = DownEngine().ping
    try:
        response = search_client.get("/api/v1/search", params={"q": "сумська"})
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"]
        assert "does not answer" in response.json()["detail"]
        assert search_client.get("/api/v1/districts").status_code == 200
        assert search_client.get("/api/v1/streets").status_code == 200
        ready = search_client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "ok"
    finally:
        app.state["search"] = real
        app.state["readiness_checks"]["search"] = real.ping


def test_ready_reports_search(search_client: TestClient[Litestar]) -> None:
    assert search_client.get("/ready").json()["checks"]["search"] == "ok"


def test_search_without_an_index_is_503(clean_db: Settings, tmp_path: Path) -> None:
    settings = clean_db.replace(search_dir=str(tmp_path / "none"), search_indexer="off")
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/v1/search", params={"q": "будь-що"})
    assert response.status_code == 503
    assert "not built" in response.json()["detail"]


def test_streets_list_q_searches_streets(search_client: TestClient[Litestar]) -> None:
    street = search_client.get("/api/v1/streets", params={"limit": 1}).json()["items"][0]
    word = street["name"].split()[0]
    typo = word[:2] + word[3:]
    page = search_client.get("/api/v1/streets", params={"q": typo, "limit": 5}).json()
    assert page["items"][0]["code"] == street["code"]
    assert set(page["items"][0]) == {"code", "kind", "name", "district"}
    assert page["total_is_estimate"] is True
    other = next(
        d
        for d in search_client.get("/api/v1/districts").json()["items"]
        if d["code"] != street["district"]
    )
    elsewhere = search_client.get(
        "/api/v1/streets", params={"q": typo, "district": other["code"]}
    ).json()
    assert street["code"] not in [s["code"] for s in elsewhere["items"]]
    assert (
        search_client.get("/api/v1/streets", params={"q": "x" * 201}).status_code == 400
        or search_client.get("/api/v1/streets", params={"q": "x" * 201}).status_code == 422
    )


def test_an_unknown_filter_value_is_a_422_like_the_lists(
    search_client: TestClient[Litestar],
) -> None:
    """The check is in the search service, before any engine is asked: REST and GraphQL,
    the embedded engine and Meilisearch answer it alike."""
    district = search_client.get("/api/v1/districts").json()["items"][0]["code"]
    known = search_client.get("/api/v1/search", params={"district": district, "limit": 1})
    assert known.status_code == 200 and known.json()["total"] > 0
    for params in (
        {"district": "atlantis"},
        {"district": f"{district},atlantis"},
        {"street_kind": "хайвей"},
        {"status": "lost"},
        {"layer": "space"},
    ):
        response = search_client.get("/api/v1/search", params=params)
        assert response.status_code == 422, (params, response.text)
        name = next(iter(params))
        assert response.json()["errors"][0] == {
            "where": "query",
            "name": name,
            "message": "unknown value",
        }
        assert "unknown value" in response.json()["detail"]
    # A real value no document has yet is an empty answer, not an error.
    empty = search_client.get("/api/v1/search", params={"layer": "green", "type": "street"})
    assert empty.status_code == 200 and empty.json()["total"] == 0
    graphql = search_client.post(
        "/graphql",
        json={
            "query": '{ search(filters: [{field: "district", values: ["atlantis"]}]) '
            "{ estimatedTotal } }"
        },
    ).json()
    assert graphql["data"] is None and "unknown value" in graphql["errors"][0]["message"]
