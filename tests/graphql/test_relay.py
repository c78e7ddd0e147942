"""Relay connections: both directions, every edge cursor reusable, node(id:) round trips."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings

PAGE = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


@pytest.fixture
def relay(published: Settings) -> Any:
    with TestClient(create_app(published.replace(rate_limit_anonymous=10_000))) as client:
        yield client


def _gql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in body, body
    return body["data"]


STREETS = f"""
query($first: Int, $after: String, $last: Int, $before: String) {{
  streets(first: $first, after: $after, last: $last, before: $before) {{
    edges {{ cursor node {{ id code }} }} {PAGE}
  }}
}}"""


def _codes(connection: dict[str, Any]) -> list[str]:
    return [e["node"]["code"] for e in connection["edges"]]


def test_streets_forwards_and_backwards(relay: TestClient) -> None:
    everything = _codes(_gql(relay, STREETS, first=500)["streets"])
    assert len(everything) == 15 and everything == sorted(everything)
    # Forwards by 4: the last page has a non-null endCursor and no next page.
    seen, after = [], None
    while True:
        page = _gql(relay, STREETS, first=4, after=after)["streets"]
        seen += _codes(page)
        info = page["pageInfo"]
        assert info["endCursor"] == page["edges"][-1]["cursor"]
        assert info["startCursor"] == page["edges"][0]["cursor"]
        assert info["hasPreviousPage"] is (after is not None)
        if not info["hasNextPage"]:
            assert info["endCursor"] is not None
            break
        after = info["endCursor"]
    assert seen == everything
    # Backwards by 4 from the end.
    seen, before = [], None
    while True:
        page = _gql(relay, STREETS, last=4, before=before)["streets"]
        seen = _codes(page) + seen
        info = page["pageInfo"]
        assert info["hasNextPage"] is (before is not None)
        if not info["hasPreviousPage"]:
            break
        before = info["startCursor"]
    assert seen == everything


def test_every_edge_cursor_is_accepted_back(relay: TestClient) -> None:
    edges = _gql(relay, STREETS, first=500)["streets"]["edges"]
    codes = [e["node"]["code"] for e in edges]
    for i, edge in enumerate(edges):
        after = _codes(_gql(relay, STREETS, first=3, after=edge["cursor"])["streets"])
        assert after == codes[i + 1 : i + 4]
        before = _codes(_gql(relay, STREETS, last=3, before=edge["cursor"])["streets"])
        assert before == codes[max(0, i - 3) : i]


@pytest.mark.parametrize(
    "cursor",
    # ["abc"], [null], [], "nope", garbage, [1, 2], [true], [2**40]
    [
        "WyJhYmMiXQ",
        "W251bGxd",
        "W10",
        "bm9wZQ",
        "x" * 5000,
        "WzEsMl0",
        "W3RydWVd",
        "WzEwOTk1MTE2Mjc3NzZd",
    ],
)
def test_forged_cursors_are_clear_errors(relay: TestClient, cursor: str) -> None:
    query = "query($after: String) { buildings(first: 2, after: $after) { edges { cursor } } }"
    response = relay.post("/graphql", json={"query": query, "variables": {"after": cursor}})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert "cursor" in body["errors"][0]["message"]


def test_both_first_and_last_is_refused(relay: TestClient) -> None:
    body = relay.post(
        "/graphql", json={"query": "{ streets(first: 2, last: 2) { edges { cursor } } }"}
    )
    assert "first or last" in body.json()["errors"][0]["message"]


def test_versions_and_datasets_page_both_ways(relay: TestClient) -> None:
    query = f"""
    query($last: Int, $before: String) {{
      datasets(last: $last, before: $before) {{ totalCount edges {{ cursor node {{ slug
        versions(last: 1) {{ edges {{ cursor node {{ number }} }} {PAGE} }}
      }} }} {PAGE} }}
    }}"""
    last_two = _gql(relay, query, last=2)["datasets"]
    slugs = [
        d["slug"] for d in relay.get("/api/v1/datasets", params={"limit": 100}).json()["items"]
    ]
    assert [e["node"]["slug"] for e in last_two["edges"]] == slugs[-2:]
    assert last_two["pageInfo"]["hasPreviousPage"] and not last_two["pageInfo"]["hasNextPage"]
    rest = len(slugs) - 2 - slugs.index("districts")
    start = last_two["pageInfo"]["startCursor"]
    before = _gql(relay, query, last=rest, before=start)["datasets"]
    assert [e["node"]["slug"] for e in before["edges"]] == slugs[slugs.index("districts") : -2]
    versions = before["edges"][0]["node"]["versions"]
    assert [e["node"]["number"] for e in versions["edges"]] == [1]
    assert versions["pageInfo"]["endCursor"] == versions["edges"][0]["cursor"]


NODE = """
query($id: ID!) { node(id: $id) { __typename id
  ... on District { code }
  ... on Street { code }
  ... on Building { buildingId }
  ... on Dataset { slug }
  ... on DatasetVersion { datasetSlug number }
} }"""


def test_node_fetches_every_kind_again(relay: TestClient) -> None:
    data = _gql(
        relay,
        """{
          districts { id code }
          streets(first: 1) { edges { node { id code buildings(first: 1) {
            edges { node { id buildingId } } } } } }
          dataset(slug: "streets") { id slug latestVersion { id number } }
        }""",
    )
    street = data["streets"]["edges"][0]["node"]
    building = street["buildings"]["edges"][0]["node"]
    objects = [
        (data["districts"][0], "District"),
        (street, "Street"),
        (building, "Building"),
        (data["dataset"], "Dataset"),
        (data["dataset"]["latestVersion"], "DatasetVersion"),
    ]
    for obj, typename in objects:
        found = _gql(relay, NODE, id=obj["id"])["node"]
        assert found["__typename"] == typename
        assert found["id"] == obj["id"]
    for bad in ("", "bm9wZQ", "RGlzdHJpY3Q6bm9wZQ", "QnVpbGRpbmc6Ng==" * 50, "QnVpbGRpbmc6wrM"):
        assert _gql(relay, NODE, id=bad)["node"] is None
