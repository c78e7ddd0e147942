"""Kept documents: a query text validated once is not parsed or validated again, and
nothing else changes: the price, every refusal and every error stay as they were."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graphql.language.ast import DocumentNode
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.graphql import cost

PAGE = "query($n: Int) { appeals(first: $n) { edges { node { id } } } }"


class Calls:
    def __init__(self) -> None:
        self.parse = 0
        self.validate = 0


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    import strawberry.schema.schema as strawberry_schema

    seen = Calls()
    parse, validate = strawberry_schema.parse, cost.validate

    def counted_parse(*args: Any, **kwargs: Any) -> Any:
        seen.parse += 1
        return parse(*args, **kwargs)

    def counted_validate(*args: Any, **kwargs: Any) -> Any:
        seen.validate += 1
        return validate(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "parse", counted_parse)
    monkeypatch.setattr(cost, "validate", counted_validate)
    yield seen


def _post(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_query_text_is_parsed_and_validated_once(client: TestClient, calls: Calls) -> None:
    query = "{ districts { code nameUk } apiVersion }"
    first = _post(client, query)
    assert "errors" not in first, first
    assert (calls.parse, calls.validate) == (1, 1)
    for _ in range(3):
        assert _post(client, query) == first
    assert (calls.parse, calls.validate) == (1, 1)


def test_a_kept_document_is_priced_for_every_request(client: TestClient, calls: Calls) -> None:
    small = _post(client, PAGE, n=5)
    assert "errors" not in small, small
    assert small["extensions"]["cost"]["requested"] == 1 + 5 + 5
    # The same text, kept: its variables make it over the budget, and it is refused.
    refused = _post(client, PAGE, n=3000)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "COST_LIMIT"
    assert _post(client, PAGE, n=5) == small
    assert calls.validate == 1


REFUSED = {
    "syntax": "{ districts { ",
    "unknown field": "{ districtz { code } }",
    "aliases": "{ " + " ".join(f"a{i}: apiVersion" for i in range(50)) + " }",
    "tokens": "{ " + " ".join("apiVersion" for _ in range(5000)) + " }",
    "argument type": '{ appeals(first: "many") { edges { cursor } } }',
}


@pytest.mark.parametrize("query", REFUSED.values(), ids=list(REFUSED))
def test_a_refused_query_is_refused_again_with_the_same_error(
    client: TestClient, calls: Calls, query: str
) -> None:
    first = _post(client, query)
    assert first["errors"], first
    assert _post(client, query) == first
    assert _post(client, query) == first
    # Nothing invalid is kept: each refusal is found again, not remembered.
    assert calls.parse == 3


def test_each_schema_keeps_documents_valid_under_its_own_limits(clean_db: Settings) -> None:
    introspect = "{ __schema { queryType { name } } }"
    nested = "{ districts { code } }"
    with TestClient(create_app(clean_db)) as open_client:
        assert "errors" not in _post(open_client, introspect)
        assert "errors" not in _post(open_client, nested)
    closed = clean_db.replace(graphql_introspection=False, graphql_max_depth=0)
    with TestClient(create_app(closed)) as closed_client:
        hidden = _post(closed_client, introspect)
        assert "introspection" in hidden["errors"][0]["message"].lower()
        deep = _post(closed_client, nested)
        assert "exceeds maximum operation depth" in deep["errors"][0]["message"]


def test_documents_keep_the_most_recently_used() -> None:
    documents = cost.Documents(size=2)
    a, b, c = (DocumentNode(definitions=()) for _ in range(3))
    documents.put("a", a)
    documents.put("b", b)
    assert documents.get("a") is a  # now the most recent
    documents.put("c", c)
    assert len(documents) == 2
    assert documents.get("b") is None
    assert documents.get("a") is a and documents.get("c") is c
