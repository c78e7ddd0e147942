from __future__ import annotations

from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings

QUERY = """
query($first: Int, $after: String) {
  datasets(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      slug titleUk publisherEdrpou licence formats katottg updateFrequency
      latestVersion { number rowCount resources { format sha256 bytes url } }
      versions(first: 5) { edges { node { number rowsAdded } } pageInfo { hasNextPage } }
    } }
  }
}
"""


def test_datasets_and_dataset(published: Settings) -> None:
    with TestClient(create_app(published)) as client:
        first = client.post("/graphql", json={"query": QUERY, "variables": {"first": 2}}).json()
        assert "errors" not in first, first
        page = first["data"]["datasets"]
        assert page["totalCount"] == 5
        assert [e["node"]["slug"] for e in page["edges"]] == ["appeals", "buildings"]
        assert page["pageInfo"]["hasNextPage"]
        assert page["edges"][0]["node"]["latestVersion"] is None  # nothing imported here
        node = page["edges"][1]["node"]
        assert node["latestVersion"]["rowCount"] == 80
        assert {r["format"] for r in node["latestVersion"]["resources"]} == set(node["formats"])
        assert node["versions"]["edges"][0]["node"] == {"number": 1, "rowsAdded": 80}
        rest = client.post(
            "/graphql",
            json={
                "query": QUERY,
                "variables": {"first": 2, "after": page["pageInfo"]["endCursor"]},
            },
        ).json()["data"]["datasets"]
        assert [e["node"]["slug"] for e in rest["edges"]] == ["districts", "petitions"]

        one = client.post(
            "/graphql", json={"query": '{ dataset(slug: "streets") { slug formats } }'}
        ).json()
        assert one["data"]["dataset"] == {
            "slug": "streets",
            "formats": ["csv", "json", "jsonl", "xlsx", "parquet"],
        }
        none = client.post("/graphql", json={"query": '{ dataset(slug: "nope") { slug } }'})
        assert none.json()["data"]["dataset"] is None
        too_many = client.post(
            "/graphql", json={"query": "{ datasets(first: 100000) { totalCount } }"}
        ).json()
        assert too_many["errors"]
