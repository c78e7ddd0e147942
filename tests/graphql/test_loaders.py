"""DataLoaders: relations of a list cost a constant number of queries, whatever its length."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings


@pytest.fixture
def counted(with_appeals: Settings, count_queries: Any) -> Iterator[tuple[TestClient, Any]]:
    # No background indexer or jobs worker: their queries would be counted too.
    app = create_app(with_appeals.replace(search_indexer="off", jobs_worker="off"))
    counter = count_queries()
    with TestClient(app) as client:
        yield client, counter


def _queries(client: TestClient, counter: Any, query: str, **variables: Any) -> int:
    before = counter.count
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in body, body
    return counter.count - before


DATASETS = """
query($n: Int) {
  datasets(first: $n) { edges { node {
    slug
    versions(first: 3) { edges { cursor node { number rowCount } } pageInfo { endCursor } }
  } } }
}
"""


def test_datasets_with_versions_cost_constant_queries(counted) -> None:
    client, counter = counted
    costs = {n: _queries(client, counter, DATASETS, n=n) for n in (1, 2, 4)}
    assert len(set(costs.values())) == 1, costs
    # One batched query for every dataset's versions, plus the catalogue's own two.
    assert costs[4] <= 3, costs


DISTRICTS = """
query($n: Int) {
  districts {
    code streetCount
    streets(first: $n) { edges { node {
      code district { code nameUk }
      buildings(first: 5) { edges { node { number street { code } district { code } } } }
    } } }
  }
}
"""


def test_nested_registry_relations_cost_constant_queries(counted) -> None:
    client, counter = counted
    costs = {n: _queries(client, counter, DISTRICTS, n=n) for n in (1, 3, 10)}
    assert len(set(costs.values())) == 1, costs
    assert costs[10] <= 10, costs


APPEALS = """
query($n: Int) {
  appeals(first: $n) { edges { node { id districtCode district { code nameUk } } } }
}
"""


def test_buildings_list_resolves_parents_in_batches(counted) -> None:
    client, counter = counted
    query = """
    query($n: Int) { buildings(first: $n) { edges { node {
      buildingId number street { code name district { code } } district { nameEn }
    } } } }
    """
    costs = {n: _queries(client, counter, query, n=n) for n in (2, 20, 80)}
    assert len(set(costs.values())) == 1, costs
    body = client.post("/graphql", json={"query": query, "variables": {"n": 80}}).json()
    nodes = [e["node"] for e in body["data"]["buildings"]["edges"]]
    assert len(nodes) == 80
    assert all(n["street"]["district"]["code"] for n in nodes)
    streets = client.post(
        "/graphql", json={"query": "{ streets(first: 500) { edges { node { code } } } }"}
    ).json()["data"]["streets"]["edges"]
    assert {n["street"]["code"] for n in nodes} <= {e["node"]["code"] for e in streets}


def test_an_appeals_district_is_a_district(counted) -> None:
    client, counter = counted
    costs = {n: _queries(client, counter, APPEALS, n=n) for n in (2, 20, 100)}
    assert len(set(costs.values())) == 1, costs
    body = client.post("/graphql", json={"query": APPEALS, "variables": {"n": 100}}).json()
    nodes = [e["node"] for e in body["data"]["appeals"]["edges"]]
    assert len(nodes) == 100
    assert all(n["district"]["code"] == n["districtCode"] for n in nodes if n["districtCode"])
    assert sum(1 for n in nodes if n["district"]) > 50


APPEALS_WITH_COUNTS = """
query($n: Int) {
  appeals(first: $n) { edges { node { districtCode district { code streetCount buildingCount } } } }
}
"""


def test_a_districts_counts_are_read_only_when_asked(counted) -> None:
    client, counter = counted
    without = {n: _queries(client, counter, APPEALS, n=n) for n in (2, 100)}
    with_counts = {n: _queries(client, counter, APPEALS_WITH_COUNTS, n=n) for n in (2, 100)}
    assert len(set(with_counts.values())) == 1, with_counts
    # The counts are one batched query of their own, paid only by a query that asks.
    assert with_counts[100] == without[100] + 1, (without, with_counts)
    listed = client.post(
        "/graphql", json={"query": "{ districts { code streetCount buildingCount } }"}
    ).json()["data"]["districts"]
    expected = {d["code"]: (d["streetCount"], d["buildingCount"]) for d in listed}
    assert any(streets and buildings for streets, buildings in expected.values())
    body = client.post("/graphql", json={"query": APPEALS_WITH_COUNTS, "variables": {"n": 100}})
    nodes = [e["node"] for e in body.json()["data"]["appeals"]["edges"] if e["node"]["district"]]
    assert nodes
    for node in nodes:
        district = node["district"]
        assert (district["streetCount"], district["buildingCount"]) == expected[district["code"]]
