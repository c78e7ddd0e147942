"""Appeals in search: the import queues them in its transaction; only public ones, anonymised,
reach the index; the appeals list's ``q`` searches through the search port."""

from __future__ import annotations

import csv as csv_module
import io
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.appeals import queries, service
from hromada.open_data.appeals.tables import Appeal
from hromada.search.embedded import EmbeddedBackend
from hromada.search.indexer import drain_all, enqueue_rebuild
from hromada.search.port import SearchQuery
from hromada.search.registry import document_type
from hromada.search.registry import settings as index_settings
from hromada.search.tables import SearchOutbox

ROWS = 40  # every 10th (3, 13, 23, 33) confidential


async def import_rows(samples: Any, rows: list[dict[str, Any]], **kw: Any) -> Any:
    data = samples.to_csv(rows)
    return await service.import_file(io.BytesIO(data), **kw)


@pytest.fixture
async def index(kyiv: Settings, tmp_path: Path) -> AsyncIterator[EmbeddedBackend]:
    backend = EmbeddedBackend(tmp_path / "search", index_settings())
    await backend.configure(index_settings())
    yield backend
    await backend.close()


async def public_and_private() -> tuple[set[str], set[str]]:
    rows = await Appeal.select(Appeal.id, Appeal.confidential)
    public = {str(r["id"]) for r in rows if not r["confidential"]}
    return public, {str(r["id"]) for r in rows if r["confidential"]}


async def everything_indexed(backend: EmbeddedBackend) -> list[Any]:
    return (await backend.search(SearchQuery(types=("appeal",), limit=1000))).hits


async def test_the_import_queues_appeals_in_its_transaction(samples: Any, kyiv: Settings) -> None:
    report = await import_rows(samples, samples.make_rows(ROWS))
    assert report.imported == ROWS
    queued = {r["doc_id"] for r in await SearchOutbox.select(SearchOutbox.doc_id)}
    public, private = await public_and_private()
    assert queued == public | private  # confidential ids too: they must stay out
    # A refused import writes neither appeals nor outbox rows.
    await SearchOutbox.delete(force=True)
    bad = samples.make_rows(3)
    bad[1]["received_at"] = "not a date"
    report = await import_rows(samples, bad)
    assert not report.applied
    assert await SearchOutbox.count() == 0


async def test_only_public_anonymised_appeals_are_indexed(
    samples: Any, index: EmbeddedBackend
) -> None:
    await import_rows(samples, samples.make_rows(ROWS))
    await drain_all(index)
    public, private = await public_and_private()
    hits = await everything_indexed(index)
    assert {h.id for h in hits} == public and len(private) == 4
    dump = repr([(h.fields, h.highlights) for h in hits])
    for value in samples.personal_values():
        assert value not in dump
    # A rebuild walks the database: still only the public ones.
    await enqueue_rebuild([document_type("appeal")])
    await drain_all(index)
    assert {h.id for h in await everything_indexed(index)} == public


async def test_an_appeal_that_becomes_confidential_leaves_the_index(
    samples: Any, index: EmbeddedBackend
) -> None:
    rows = samples.make_rows(10)
    await import_rows(samples, rows)
    await drain_all(index)
    before = {h.id for h in await everything_indexed(index)}
    rows[0]["confidential"] = "так"
    await import_rows(samples, rows)
    await drain_all(index)
    after = {h.id for h in await everything_indexed(index)}
    assert len(after) == len(before) - 1
    public, _ = await public_and_private()
    assert after == public


async def test_heating_appeals_are_found_with_a_typo(samples: Any, index: EmbeddedBackend) -> None:
    await import_rows(samples, samples.make_rows(ROWS))
    await drain_all(index)
    result = await index.search(
        SearchQuery(q="опаленя", types=("appeal",), facets=("category", "district"), limit=50)
    )
    assert result.hits
    assert {h.fields["title"] for h in result.hits} == {"Відсутність опалення"}
    assert len(result.facets["category"]) == 1
    hit = result.hits[0]
    assert "<em>опалення</em>" in hit.highlights["body"].lower()
    district = next(iter(result.facets["district"]))
    narrowed = await index.search(
        SearchQuery(q="опаленя", types=("appeal",), filters={"district": (district,)})
    )
    assert narrowed.estimated_total == result.facets["district"][district]


def test_the_appeals_list_q_searches(
    samples: Any, kyiv: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    asyncio.run(import_rows(samples, samples.make_rows(ROWS)))
    settings = kyiv.replace(search_dir=str(tmp_path / "search"))
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = client.get("/api/v1/appeals", params={"q": "опаленя"}).json()
            if found.get("items"):
                break
            time.sleep(0.1)
        assert found["items"], found
        while asyncio.run(SearchOutbox.count().run()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert {a["category"] for a in found["items"]} == {"Відсутність опалення"}
        assert found["total_is_estimate"] is True
        district = found["items"][0]["district_code"]
        narrowed = client.get(
            "/api/v1/appeals", params={"q": "опаленя", "district": district}
        ).json()
        assert narrowed["items"] and {a["district_code"] for a in narrowed["items"]} == {district}
        refused = client.get("/api/v1/appeals", params={"q": "опаленя", "overdue": "true"})
        assert refused.status_code == 422
        # GraphQL's appeals take q through the same domain function: the same appeals in
        # the same order, the same refusal, and a cursor on every edge that continues there.
        query = """query($q: String, $district: String, $first: Int!, $after: String) {
            appeals(q: $q, filter: {district: $district}, first: $first, after: $after) {
              edges { cursor node { id districtCode } } pageInfo { hasNextPage endCursor } } }"""

        def graphql(**variables: Any) -> Any:
            return client.post("/graphql", json={"query": query, "variables": variables}).json()

        same = graphql(q="опаленя", district=district, first=50)
        assert "errors" not in same, same
        edges = same["data"]["appeals"]["edges"]
        assert [e["node"]["id"] for e in edges] == [a["id"] for a in narrowed["items"]]
        if len(edges) > 1:
            rest = graphql(q="опаленя", district=district, first=50, after=edges[0]["cursor"])
            assert [e["node"]["id"] for e in rest["data"]["appeals"]["edges"]] == [
                e["node"]["id"] for e in edges[1:]
            ]
        # The filtered download takes q too: the rows the list gives, in its order.
        walked: list[int] = []
        cursor = ""
        while True:
            page = client.get(
                "/api/v1/appeals",
                params={"q": "опаленя", "district": district, "limit": 7, "cursor": cursor},
            ).json()
            walked += [a["id"] for a in page["items"]]
            cursor = page["next_cursor"] or ""
            if not cursor:
                break
        csv = client.get(
            "/api/v1/appeals/download/csv", params={"q": "опаленя", "district": district}
        )
        assert csv.status_code == 200, csv.text
        table = list(csv_module.DictReader(io.StringIO(csv.text)))
        assert [int(row["id"]) for row in table] == walked
        assert (
            client.get(
                "/api/v1/appeals/download/csv", params={"q": "опаленя", "overdue": "true"}
            ).status_code
            == 422
        )
        # More hits than search reaches is refused, never a silently short file (the cap is
        # lowered here so that a small import reaches it).
        monkeypatch.setattr(queries, "MAX_TOTAL_HITS", 1)
        capped = client.get("/api/v1/appeals/download/csv", params={"q": "опаленя"})
        assert capped.status_code == 413
        assert "narrow" in capped.json()["detail"]
        refused_gql = client.post(
            "/graphql",
            json={
                "query": '{ appeals(q: "опаленя", filter: {overdue: true}) { edges { cursor } } }'
            },
        ).json()
        assert "cannot be combined with q" in refused_gql["errors"][0]["message"]
        search = client.get(
            "/api/v1/search",
            params={"q": "опаленя", "type": "appeal", "facets": "category", "limit": 100},
        ).json()
        assert {h["id"] for h in search["items"]} >= {str(a["id"]) for a in found["items"]}
        gql = client.post(
            "/graphql",
            json={
                "query": """{ search(q: "опаленя", types: ["appeal"], first: 100) {
                    hits { document { __typename ... on AppealDocument { id title district } } }
                } }"""
            },
        ).json()
        assert "errors" not in gql, gql
        docs = [h["document"] for h in gql["data"]["search"]["hits"]]
        assert {d["__typename"] for d in docs} == {"AppealDocument"}
        assert [d["id"] for d in docs] == [h["id"] for h in search["items"]]
