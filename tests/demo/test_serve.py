"""`hromada demo` end to end: a real process, a real port, the three pages the README names."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

INTROSPECTION = "{ __schema { queryType { name } types { name } } }"


@pytest.fixture
def demo_server(demo_process, tmp_path: Path):
    # The full 200,000 appeals belong to `make demo`.
    with demo_process(tmp_path, appeals=2000, start_within=120) as running:
        yield running


def test_demo_serves_health_schema_and_graphql(demo_server) -> None:
    base, seconds = demo_server
    assert seconds < 120
    assert httpx.get(f"{base}/ready").status_code == 200
    schema = httpx.get(f"{base}/schema")
    assert schema.status_code == 200 and "text/html" in schema.headers["content-type"]
    assert httpx.get(f"{base}/schema/openapi.json").json()["openapi"].startswith("3.1")
    graphql = httpx.post(f"{base}/graphql", json={"query": INTROSPECTION}).json()
    assert graphql["data"]["__schema"]["queryType"]["name"] == "Query"
    districts = httpx.get(f"{base}/api/v1/districts").json()["items"]
    assert len(districts) == 9
