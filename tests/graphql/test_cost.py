"""The GraphQL cost limit: priced before execution, smaller for anonymous callers."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.auth import service
from hromada.auth.service import Principal
from hromada.auth.tables import Resident
from hromada.config import Settings

STATS = "appealStats(groupBy: [WEEK, EXECUTOR, CATEGORY]) { suppressedGroups total { count } }"


def _many_stats(n: int) -> str:
    return "{ " + " ".join(f"s{i}: {STATS}" for i in range(n)) + " }"


async def _api_key(app: Any) -> str:
    now = dt.datetime.now(dt.UTC)
    rows = await Resident.insert(
        Resident(person_key="c" * 64, display_name="Розробник", created_at=now, last_login_at=now)
    ).returning(Resident.id)
    key = await service.create_api_key(
        app.state["auth"], Principal(kind="session", resident_id=rows[0]["id"]), "bot"
    )
    return key.key


async def test_statistics_flood_is_refused_before_execution(
    with_appeals: Settings, count_queries: Any
) -> None:
    settings = with_appeals.replace(
        search_indexer="off", jobs_worker="off", rate_limit_anonymous=1000
    )
    app = create_app(settings)
    key = await _api_key(app)
    counter = count_queries()
    with TestClient(app) as client:
        before = counter.count
        refused = client.post("/graphql", json={"query": _many_stats(15)})
        assert refused.status_code == 200
        body = refused.json()
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "COST_LIMIT"
        assert "budget of 5000" in error["message"]
        assert body["extensions"]["cost"]["requested"] > 15_000
        assert counter.count == before  # nothing ran: not one statement

        # The same statistics with a key: a larger budget, and they run.
        keyed = client.post(
            "/graphql", json={"query": _many_stats(15)}, headers={"X-API-Key": key}
        ).json()
        assert "errors" not in keyed, keyed
        # The total sums the shown groups only (None when every group is suppressed).
        assert len(keyed["data"]) == 15 and keyed["data"]["s14"] == keyed["data"]["s0"]
        assert keyed["data"]["s0"]["suppressedGroups"] > 0
        cost = keyed["extensions"]["cost"]
        assert cost["budget"] == 50_000
        assert cost["remaining"] == 50_000 - cost["requested"]


def test_cost_counts_rows_times_nesting(client: TestClient) -> None:
    query = """
    query($n: Int) {
      appeals(first: $n) { edges { node { id district { code } } } }
      districts { code streets(first: 5) { edges { node { code } } } }
    }"""
    body = client.post("/graphql", json={"query": query, "variables": {"n": 20}}).json()
    assert "errors" not in body, body
    # appeals 1 + edges 20 + node 20 + district 20; districts 1 (an unsized list counts
    # as 10) + streets 10 + edges 50 + node 50.
    assert body["extensions"]["cost"] == {
        "requested": 61 + 111,
        "budget": 5000,
        "remaining": 5000 - 172,
    }
    too_deep = """
    { districts { streets(first: 500) { edges { node {
        buildings(first: 500) { edges { node { number } } } } } } } }"""
    refused = client.post("/graphql", json={"query": too_deep}).json()
    assert refused["errors"][0]["extensions"]["code"] == "COST_LIMIT"
    assert refused["data"] is None


def test_fragments_and_variables_are_priced(client: TestClient) -> None:
    query = """
    query($n: Int = 3000) { ...A }
    fragment A on Query { appeals(first: $n) { edges { node { ... on Appeal { id } } } } }
    """
    body = client.post("/graphql", json={"query": query}).json()
    # first: 3000 is over the page maximum as well, but the price is what refuses it.
    assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT"


def test_introspection_and_suggestions_can_be_turned_off(clean_db: Settings) -> None:
    with TestClient(create_app(clean_db.replace(graphql_introspection=False))) as client:
        hidden = client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        assert "introspection" in hidden.json()["errors"][0]["message"].lower()
        typo = client.post("/graphql", json={"query": "{ districtz { code } }"}).json()
        assert "Did you mean" not in typo["errors"][0]["message"]
    with TestClient(create_app(clean_db)) as client:
        typo = client.post("/graphql", json={"query": "{ districtz { code } }"}).json()
        assert "Did you mean" in typo["errors"][0]["message"]


@pytest.mark.parametrize(
    "query",
    ["{ districtz { code } }", "{ districts { ", _many_stats(15), "{ dataset(slug: 5) { slug } }"],
)
def test_client_mistakes_are_logged_at_info(
    client: TestClient, caplog: pytest.LogCaptureFixture, query: str
) -> None:
    with caplog.at_level(logging.INFO):
        body = client.post("/graphql", json={"query": query}).json()
    assert body["errors"]
    graphql_records = [r for r in caplog.records if "graphql" in r.name.lower()]
    assert graphql_records, "the refusal is logged"
    assert all(r.levelno == logging.INFO for r in graphql_records), [
        (r.name, r.levelname) for r in graphql_records
    ]
