"""Contract tests of the Meilisearch adapter.

No Meilisearch server can be installed on the build machines, so these are
contract tests: a local fake HTTP server (``FakeMeili`` in conftest.py) records
the exact requests the adapter sends through the official client, and answers
with the response shapes Meilisearch documents (summarized tasks, task objects,
settings, search responses, error objects). The behaviour suite runs against a
real server when ``HROMADA_TEST_MEILI_URL`` is set.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from hromada.errors import InvalidInput, Unavailable
from hromada.search.meili import MeiliBackend, desired_settings
from hromada.search.port import SearchQuery

from .conftest import APPEAL, FakeMeili, corpus_documents, corpus_settings, meili_error  # type: ignore[import-not-found]


def backend_for(fake: FakeMeili, key: str = "master-key") -> MeiliBackend:
    return MeiliBackend(fake.url, key, "hromada", corpus_settings())


async def test_configure_creates_the_index_and_applies_settings(fake_meili: FakeMeili) -> None:
    backend = backend_for(fake_meili)
    assert await backend.configure(corpus_settings()) is True
    assert fake_meili.calls() == [
        ("GET", "/indexes/hromada"),
        ("POST", "/indexes"),
        ("GET", "/tasks/0"),
        ("GET", "/indexes/hromada/settings"),
        ("PATCH", "/indexes/hromada/settings"),
        ("GET", "/tasks/1"),
    ]
    assert fake_meili.requests[1].body == {"uid": "hromada", "primaryKey": "uid"}
    patch = fake_meili.requests[4].body
    assert patch == {
        k: v
        for k, v in desired_settings(corpus_settings()).items()
        if k not in ("typoTolerance", "pagination", "faceting")  # those are the defaults
    }
    assert patch["searchableAttributes"] == ["title", "body", "_lemmas"]
    assert patch["filterableAttributes"] == ["type", "category", "district", "received_at"]
    assert patch["sortableAttributes"] == ["received_at"]
    assert patch["rankingRules"][0] == "sort"
    assert patch["synonyms"] == {"опалення": ["теплопостачання"], "теплопостачання": ["опалення"]}
    await backend.close()


async def test_configure_is_idempotent(fake_meili: FakeMeili) -> None:
    backend = backend_for(fake_meili)
    await backend.configure(corpus_settings())
    fake_meili.requests.clear()
    assert await backend.configure(corpus_settings()) is False
    assert fake_meili.calls() == [
        ("GET", "/indexes/hromada"),
        ("GET", "/indexes/hromada/settings"),
    ]
    await backend.close()


async def test_configure_patches_only_what_differs(fake_meili: FakeMeili) -> None:
    backend = backend_for(fake_meili)
    await backend.configure(corpus_settings())
    fake_meili.indexes["hromada"]["settings"]["typoTolerance"]["minWordSizeForTypos"] = {
        "oneTypo": 4,
        "twoTypos": 8,
    }
    # Newer servers answer filterable attributes as objects: still the same setting.
    fake_meili.indexes["hromada"]["settings"]["filterableAttributes"] = [
        {
            "attributePatterns": ["type", "category", "district", "received_at"],
            "features": {"facetSearch": False, "filter": {"equality": True, "comparison": True}},
        }
    ]
    fake_meili.requests.clear()
    await backend.configure(corpus_settings())
    patch = next(r.body for r in fake_meili.requests if r.method == "PATCH")
    assert patch == {
        "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}}
    }
    await backend.close()


async def test_every_request_carries_the_api_key(fake_meili: FakeMeili) -> None:
    backend = backend_for(fake_meili)
    await backend.configure(corpus_settings())
    await backend.search(SearchQuery(q="x"))
    assert {r.headers.get("authorization") for r in fake_meili.requests} == {"Bearer master-key"}
    await backend.close()


async def test_writes_send_documents_and_wait_for_their_tasks(fake_meili: FakeMeili) -> None:
    backend = backend_for(fake_meili)
    await backend.configure(corpus_settings())
    fake_meili.requests.clear()
    docs = corpus_documents()[:2]
    await backend.upsert(docs)
    await backend.delete(["appeal-1"])
    await backend.delete_type("appeal")
    assert fake_meili.calls() == [
        ("POST", "/indexes/hromada/documents"),
        ("POST", "/indexes/hromada/documents/delete-batch"),
        ("POST", "/indexes/hromada/documents/delete"),
    ]
    add, delete, purge = fake_meili.requests
    assert add.query == {"primaryKey": ["uid"]}
    assert add.headers["content-type"] == "application/json"
    assert add.body == docs
    assert add.body[0]["received_at"] == 1704888000  # dates travel as epoch seconds
    assert delete.body == ["appeal-1"]
    assert purge.body == {"filter": 'type = "appeal"'}
    fake_meili.requests.clear()
    await backend.flush()  # read-after-write: waits for every task of ours
    assert sorted(fake_meili.calls()) == [("GET", f"/tasks/{n}") for n in (2, 3, 4)]
    fake_meili.requests.clear()
    await backend.upsert(docs, wait=True)
    assert fake_meili.calls() == [
        ("POST", "/indexes/hromada/documents"),
        ("GET", "/tasks/5"),
    ]
    await backend.close()


async def test_a_failed_task_is_an_error_and_stays_pending(fake_meili: FakeMeili) -> None:
    backend = backend_for(fake_meili)
    await backend.configure(corpus_settings())
    fake_meili.fail_tasks = True
    await backend.upsert(corpus_documents()[:1])
    with pytest.raises(RuntimeError, match="invalid_document_id"):
        await backend.flush()
    await backend.close()


async def test_the_search_request(fake_meili: FakeMeili) -> None:
    backend = backend_for(fake_meili)
    await backend.configure(corpus_settings())
    fake_meili.requests.clear()
    await backend.search(
        SearchQuery(
            q="м'ясо ринок",
            types=("appeal",),
            filters={"district": ("kyivskyi", 'a"b\\c'), "category": ("trade",)},
            ranges={"received_at": (10, None)},
            facets=("category", "district"),
            sort=("received_at", True),
            offset=20,
            limit=10,
        )
    )
    [request] = fake_meili.requests
    assert (request.method, request.path) == ("POST", "/indexes/hromada/search")
    assert request.body == {
        "q": "мʼясо ринок",  # apostrophes normalised to U+02BC
        "offset": 20,
        "limit": 10,
        "matchingStrategy": "last",
        "attributesToHighlight": ["title", "body"],
        "highlightPreTag": "<em>",
        "highlightPostTag": "</em>",
        "attributesToCrop": ["body"],
        "cropLength": 24,
        "cropMarker": "…",
        "filter": 'type IN ["appeal"] AND district IN ["kyivskyi", "a\\"b\\\\c"] '
        'AND category IN ["trade"] AND received_at >= 10',
        "facets": ["category", "district"],
        "sort": ["received_at:desc"],
    }
    await backend.close()


DOCUMENTED_ANSWER: dict[str, Any] = {
    "hits": [
        {
            "uid": "appeal-1",
            "type": "appeal",
            "id": "1",
            "title": "Немає опалення",
            "body": "У квартирі немає опалення",
            "category": "heating",
            "district": "kyivskyi",
            "received_at": 1704888000,
            "_formatted": {
                "uid": "appeal-1",
                "type": "appeal",
                "id": "1",
                "title": "Немає <em>опалення</em>",
                "body": "…квартирі немає <em>опалення</em>",
                "category": "heating",
                "district": "kyivskyi",
                "received_at": "1704888000",
            },
        },
        {
            "uid": "appeal-9",
            "type": "appeal",
            "id": "9",
            "title": "Холодно в будинку",
            "body": "Відсутнє теплопостачання",
            "category": "heating",
            "district": "kholodnohirskyi",
            "received_at": 1704801600,
            "_formatted": {
                "title": "Холодно в будинку",
                "body": "Відсутнє <em>теплопостачання</em>",
            },
        },
    ],
    "query": "опаленя",
    "processingTimeMs": 3,
    "limit": 20,
    "offset": 0,
    "estimatedTotalHits": 57,
    "facetDistribution": {
        "category": {"heating": 57},
        "district": {"kyivskyi": 30, "kholodnohirskyi": 27},
    },
    "facetStats": {},
}


async def test_reading_a_documented_search_response(fake_meili: FakeMeili) -> None:
    backend = backend_for(fake_meili)
    await backend.configure(corpus_settings())
    fake_meili.search_answer = DOCUMENTED_ANSWER
    result = await backend.search(SearchQuery(q="опаленя", facets=("category", "district")))
    assert [(h.type, h.id) for h in result.hits] == [("appeal", "1"), ("appeal", "9")]
    first, second = result.hits
    assert first.highlights == {
        "title": "Немає <em>опалення</em>",
        "body": "…квартирі немає <em>опалення</em>",
    }
    assert second.highlights == {"body": "Відсутнє <em>теплопостачання</em>"}
    assert first.fields == {
        "title": "Немає опалення",
        "body": "У квартирі немає опалення",
        "category": "heating",
        "district": "kyivskyi",
        "received_at": "2024-01-10T12:00:00Z",
    }
    assert result.estimated_total == 57
    assert result.processing_ms == 3
    assert result.facets == {
        "category": {"heating": 57},
        "district": {"kyivskyi": 30, "kholodnohirskyi": 27},
    }
    await backend.close()


async def test_a_bad_key_is_a_clear_unavailable(fake_meili: FakeMeili) -> None:
    backend = backend_for(fake_meili, key="wrong")
    with pytest.raises(Unavailable, match=r"HROMADA_MEILI_KEY.*The provided API key is invalid"):
        await backend.configure(corpus_settings())
    with pytest.raises(Unavailable, match="refused hromada's API key"):
        await backend.search(SearchQuery(q="x"))
    assert "HROMADA_MEILI_KEY" in await backend.ping()
    await backend.close()
    no_key = backend_for(fake_meili, key="")
    # The client sends "Bearer None" without a key: a secured server refuses it.
    with pytest.raises(Unavailable, match="HROMADA_MEILI_KEY"):
        await no_key.search(SearchQuery(q="x"))
    await no_key.close()


async def test_a_refused_filter_is_invalid_input(fake_meili: FakeMeili) -> None:
    backend = backend_for(fake_meili)
    await backend.configure(corpus_settings())
    fake_meili.fail_next = (
        400,
        meili_error(
            "Attribute `body` is not filterable. Available filterable attributes are: "
            "`category, district, received_at, type`.\n1:5 body = x",
            "invalid_search_filter",
            "invalid_request",
        ),
    )
    with pytest.raises(InvalidInput, match="is not filterable") as caught:
        await backend.search(SearchQuery(q="x", filters={"body": ("x",)}))
    assert caught.value.errors[0]["name"] == "filter"
    await backend.close()


async def test_an_unreachable_server_is_unavailable(fake_meili: FakeMeili) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = MeiliBackend(f"http://127.0.0.1:{port}", "k", "hromada", corpus_settings())
    with pytest.raises(Unavailable, match="does not answer"):
        await backend.search(SearchQuery(q="x"))
    assert "does not answer" in await backend.ping()
    await backend.close()


async def test_an_internal_error_is_unavailable(fake_meili: FakeMeili) -> None:
    backend = backend_for(fake_meili)
    await backend.configure(corpus_settings())
    fake_meili.fail_next = (500, meili_error("Internal error", "internal", "internal"))
    with pytest.raises(Unavailable, match="Internal error"):
        await backend.search(SearchQuery(q="x"))
    await backend.close()


async def test_calls_do_not_block_the_event_loop(fake_meili: FakeMeili) -> None:
    backend = backend_for(fake_meili)
    await backend.configure(corpus_settings())
    fake_meili.delay = 0.3
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    await backend.search(SearchQuery(q="x"))
    task.cancel()
    assert ticks >= 10
    await backend.close()


async def test_searches_run_side_by_side_and_beside_a_task_wait(fake_meili: FakeMeili) -> None:
    """Four searches at 0.4 s of server latency take about 0.4 s, not 1.6 s, even while the
    writer thread waits for a task."""
    import time

    backend = backend_for(fake_meili)
    await backend.configure(corpus_settings())
    await backend.upsert(corpus_documents()[:2])
    fake_meili.delay = 0.4
    started = time.monotonic()
    await asyncio.gather(
        backend.flush(), *[backend.search(SearchQuery(q=f"q{n}")) for n in range(4)]
    )
    elapsed = time.monotonic() - started
    searches = [r for r in fake_meili.requests if r.path.endswith("/search")]
    assert len(searches) == 4
    assert elapsed < 1.2, elapsed  # one after another they would take at least 1.6 s
    await backend.close()


async def test_count_reads_index_stats(fake_meili: FakeMeili) -> None:
    backend = backend_for(fake_meili)
    await backend.configure(corpus_settings())
    await backend.upsert(corpus_documents(), wait=True)
    assert await backend.count() == len(corpus_documents())
    assert await backend.ping() == "ok"
    assert APPEAL.name == "appeal"
    await backend.close()


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("ями біля школи", "яма біля школи"),  # the word being typed is sent as typed
        ("ліфтом ", "ліфт "),
        ('"вулиці Сумській" ями ', '"вулиці Сумській" яма '),  # a phrase stays as written
        ("сміття -майданчику", "сміття -майданчику -майданчик"),
        ("Ґанку ", "Ґанку "),  # Meilisearch does not fold ґ: sent as written
    ],
)
async def test_query_words_go_as_dictionary_forms(
    fake_meili: FakeMeili, typed: str, sent: str
) -> None:
    backend = backend_for(fake_meili)
    await backend.configure(corpus_settings())
    fake_meili.requests.clear()
    await backend.search(SearchQuery(q=typed))
    assert fake_meili.requests[-1].body["q"] == sent
    await backend.close()
