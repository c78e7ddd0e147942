"""A GraphQL query is a read whoever sends it; only a mutation counts as a write."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.testing import TestClient

from hromada.api.access import graphql_is_write
from hromada.app import create_app
from hromada.auth import service
from hromada.auth.service import Principal
from hromada.auth.tables import Resident
from hromada.config import Settings

DAY = 86400


async def test_a_keyed_query_is_a_read_and_a_mutation_a_write(clean_db: Settings) -> None:
    settings = clean_db.replace(rate_limit_window=DAY, rate_limit_writes=7)
    app = create_app(settings)
    now = dt.datetime.now(dt.UTC)
    resident = await Resident.insert(
        Resident(person_key="g" * 64, display_name="Тест", created_at=now, last_login_at=now)
    ).returning(Resident.id)
    key = await service.create_api_key(
        app.state["auth"],
        Principal(kind="session", resident_id=resident[0]["id"]),
        "reader",
    )
    headers = {"X-API-Key": key.key}
    with TestClient(app) as client:
        read = client.post("/graphql", json={"query": "{ apiVersion }"}, headers=headers)
        assert read.status_code == 200
        assert read.json()["data"] == {"apiVersion": "1"}
        assert read.headers["ratelimit-limit"] == "1000"  # the key's tier, not the write limit
        named = client.post(
            "/graphql",
            json={
                "query": "query A { apiVersion } fragment F on Query { apiVersion }",
                "operationName": "A",
            },
            headers=headers,
        )
        assert named.headers["ratelimit-limit"] == "1000"
        write = client.post("/graphql", json={"query": "mutation { x }"}, headers=headers)
        assert write.headers["ratelimit-limit"] == "7"
        assert write.headers["ratelimit-remaining"] == "6"
        # Reads did not spend the write budget.
        again = client.post("/graphql", json={"query": "mutation { x }"}, headers=headers)
        assert again.headers["ratelimit-remaining"] == "5"


@pytest.mark.parametrize(
    ("body", "is_write"),
    [
        (b'{"query": "{ apiVersion }"}', False),
        (b'{"query": "query A { a } query B { b }", "operationName": "B"}', False),
        (b'{"query": "query A { a } mutation B { b }", "operationName": "A"}', True),
        (b'{"query": "subscription { a }"}', True),
        (b'{"query": "{ a "}', True),  # unparseable: the stricter count
        (b'[{"query": "{ a }"}]', True),
        (b'{"query": 5}', True),
        (b"\xff\xfe", True),
        (b"[" * 100_000 + b"]" * 100_000, True),
        (b'{"query": "{ ' + b"a " * 5000 + b'}"}', True),  # over the token limit
        (b'{"query": "type Q { a: Int }"}', True),
    ],
)
def test_operation_type_is_read_safely(body: bytes, is_write: bool) -> None:
    assert graphql_is_write(body, max_tokens=2000) is is_write
