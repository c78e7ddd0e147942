"""Datasets are search documents: found by their Ukrainian and English words in any
inflected form, filtered by theme, from their first version on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.catalog.service import latest_versions

from ...conftest import wait_for  # type: ignore[import-not-found]


@pytest.fixture
async def published_count(published: Settings) -> int:
    return len(await latest_versions())


@pytest.fixture
def client(
    published: Settings, published_count: int, tmp_path: Path
) -> Iterator[TestClient[Litestar]]:
    app = create_app(published.replace(search_dir=str(tmp_path / "search")))
    with TestClient(app) as c:
        indexed = wait_for(
            lambda: (
                c.get("/api/v1/search", params={"type": "dataset", "limit": 1}).json()["total"]
                == published_count
            )
        )
        assert indexed, "the published datasets were not indexed"
        yield c


def _slugs(client: TestClient[Litestar], **params: str) -> list[str]:
    response = client.get("/api/v1/search", params={"type": "dataset", **params})
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["items"]]


def test_an_inflected_ukrainian_word_finds_the_dataset(client: TestClient[Litestar]) -> None:
    # "будівлями" (instrumental plural) meets "Будівлі" / "будівель" through the lemma.
    assert _slugs(client, q="будівлями")[0] == "buildings"
    assert "streets" in _slugs(client, q="вулицею")


def test_english_words_and_keywords_are_searched(client: TestClient[Litestar]) -> None:
    assert _slugs(client, q="building register")[0] == "buildings"


def test_a_hit_carries_its_theme_and_size(client: TestClient[Litestar]) -> None:
    response = client.get(
        "/api/v1/search", params={"type": "dataset", "q": "вулиць", "facets": "theme"}
    ).json()
    hit = next(h for h in response["items"] if h["id"] == "streets")
    assert hit["title"] == "Реєстр вулиць"
    assert "REGI" in hit["fields"]["theme"] and hit["fields"]["rows"] == 15
    assert response["facets"]["theme"]["REGI"] >= 1


def test_theme_filters_and_an_unknown_theme_is_refused(client: TestClient[Litestar]) -> None:
    regional = set(_slugs(client, theme="REGI", limit="100"))
    assert {"buildings", "streets", "districts"} <= regional
    refused = client.get("/api/v1/search", params={"type": "dataset", "theme": "NOPE"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["name"] == "theme"


def test_graphql_search_answers_a_dataset_document(client: TestClient[Litestar]) -> None:
    query = (
        '{ search(q: "будівлями", types: ["dataset"]) { hits { type document { '
        "... on DatasetDocument { id title nameEn theme rows } } } } }"
    )
    answer = client.post("/graphql", json={"query": query}).json()
    first = answer["data"]["search"]["hits"][0]
    assert first["type"] == "dataset"
    assert first["document"] == {
        "id": "buildings",
        "title": "Реєстр будівель",
        "nameEn": "Building register",
        "theme": ["REGI", "GOVE"],
        "rows": 80,
    }
