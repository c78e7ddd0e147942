"""Registries in GraphQL: districts, through the same service as REST."""

from __future__ import annotations

from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings


def test_districts_match_rest(small_city: Settings) -> None:
    with TestClient(create_app(small_city)) as client:
        body = client.post(
            "/graphql",
            json={
                "query": "{ districts { code nameUk nameEn lat lon streetCount buildingCount } }"
            },
        ).json()
        assert "errors" not in body, body
        rest = client.get("/api/v1/districts").json()
    rest_items = rest["items"] if isinstance(rest, dict) else rest
    got = body["data"]["districts"]
    assert [d["code"] for d in got] == [d["code"] for d in rest_items]
    assert len(got) == 9
    for mine, theirs in zip(got, rest_items, strict=True):
        assert mine["nameUk"] == theirs["name_uk"]
        assert mine["streetCount"] == theirs["streets"]
        assert mine["buildingCount"] == theirs["buildings"]
    assert sum(d["streetCount"] for d in got) == 15
    assert sum(d["buildingCount"] for d in got) == 80
