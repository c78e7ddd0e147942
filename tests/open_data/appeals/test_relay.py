"""GraphQL appeals as a Relay connection: both directions in every sort, every edge cursor
reusable as ``after`` and ``before``, and one direction at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings

PAGE = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


@pytest.fixture
def relay(loaded: tuple[Settings, list[dict[str, Any]]]) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(loaded[0].replace(rate_limit_anonymous=100_000))) as client:
        yield client


def _gql(client: TestClient[Litestar], query: str, **variables: Any) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in body, body
    return body["data"]


APPEALS = f"""
query($first: Int, $after: String, $last: Int, $before: String, $sort: AppealSort) {{
  appeals(first: $first, after: $after, last: $last, before: $before, sort: $sort) {{
    edges {{ cursor node {{ id }} }} {PAGE}
  }}
}}"""


def _ids(connection: dict[str, Any]) -> list[int]:
    return [e["node"]["id"] for e in connection["edges"]]


@pytest.mark.parametrize("sort", ["RECEIVED_DESC", "RECEIVED_ASC", "ID_ASC", "ID_DESC"])
def test_appeals_page_both_ways_in_every_sort(relay: TestClient[Litestar], sort: str) -> None:
    everything = _ids(_gql(relay, APPEALS, first=500, sort=sort)["appeals"])
    assert len(everything) >= 5 and len(set(everything)) == len(everything)
    seen: list[int] = []
    before = None
    while True:
        page = _gql(relay, APPEALS, last=40, before=before, sort=sort)["appeals"]
        seen = _ids(page) + seen
        info = page["pageInfo"]
        assert info["hasNextPage"] is (before is not None)
        assert info["startCursor"] == page["edges"][0]["cursor"]
        assert info["endCursor"] == page["edges"][-1]["cursor"]
        if not info["hasPreviousPage"]:
            break
        before = info["startCursor"]
    assert seen == everything
    # Every edge's cursor goes back as after and as before.
    edges = _gql(relay, APPEALS, first=500, sort=sort)["appeals"]["edges"]
    for i, edge in [*list(enumerate(edges))[::17], (len(edges) - 1, edges[-1])]:
        after = _ids(_gql(relay, APPEALS, first=2, after=edge["cursor"], sort=sort)["appeals"])
        assert after == everything[i + 1 : i + 3]
        earlier = _ids(_gql(relay, APPEALS, last=2, before=edge["cursor"], sort=sort)["appeals"])
        assert earlier == everything[max(0, i - 2) : i]


@pytest.mark.parametrize(
    "arguments",
    ["first: 2, last: 2", 'last: 2, after: "x"', 'q: "яма", last: 2'],
)
def test_appeals_refuse_mixed_directions(relay: TestClient[Litestar], arguments: str) -> None:
    body = relay.post(
        "/graphql", json={"query": f"{{ appeals({arguments}) {{ edges {{ cursor }} }} }}"}
    )
    assert body.status_code == 200
    errors = body.json()["errors"]
    assert errors and body.json()["data"] is None
    assert any(word in errors[0]["message"] for word in ("first", "after", "forwards"))
