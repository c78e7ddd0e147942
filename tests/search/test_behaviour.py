"""The behaviour every search adapter shares: same queries, same expected hits.

Parametrised over every adapter by the ``engine`` fixture (tests/search/conftest.py):
the embedded engine always, Meilisearch when ``HROMADA_TEST_MEILI_URL`` is set.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hromada.errors import InvalidInput
from hromada.search.port import SearchBackend, SearchQuery, encode_document

from .conftest import APPEAL, CORPUS, corpus_documents  # type: ignore[import-not-found]


async def ids(engine: SearchBackend, q: str, **kw: object) -> list[str]:
    result = await engine.search(SearchQuery(q=q, limit=50, **kw))  # type: ignore[arg-type]
    return [h.id for h in result.hits]


async def test_one_typo_is_forgiven_from_five_letters(engine: SearchBackend) -> None:
    assert set(await ids(engine, "опаленя")) == {"1", "2"}


async def test_two_typos_are_forgiven_from_nine_letters(engine: SearchBackend) -> None:
    assert await ids(engine, "типлопостачаня") == ["9"]


async def test_no_typo_is_forgiven_under_five_letters(engine: SearchBackend) -> None:
    assert await ids(engine, "ліфт") == ["5"]
    assert await ids(engine, "лифт") == []


async def test_the_last_word_is_a_prefix(engine: SearchBackend) -> None:
    assert set(await ids(engine, "опал")) == {"1", "2"}
    assert await ids(engine, "опал ") == []  # a finished word is not a prefix


async def test_only_the_last_word_is_a_prefix(engine: SearchBackend) -> None:
    assert await ids(engine, "опал батареї") == []


async def test_cyrillic_case_is_folded(engine: SearchBackend) -> None:
    assert set(await ids(engine, "ОпАлЕнНя")) >= {"1", "2"}
    assert await ids(engine, "СМІТТЯ") == ["7"]


@pytest.mark.parametrize("query", ["м'ясо", "м’ясо", "мʼясо", "М'ЯСО"])
async def test_ukrainian_apostrophes_are_one(engine: SearchBackend, query: str) -> None:
    assert await ids(engine, query) == ["4"]


async def test_apostrophe_inside_a_document_is_normalised(engine: SearchBackend) -> None:
    # Document 6 was written with U+2019 ("під’їзду").
    assert await ids(engine, "під'їзду") == ["6"]


async def test_g_with_upturn_folds_to_g_in_the_embedded_engine(engine: SearchBackend) -> None:
    if engine.name != "embedded":
        pytest.skip("Meilisearch's tokenizer does not fold ґ to г (STACK-NOTES)")
    assert await ids(engine, "ганок") == ["6"]
    assert await ids(engine, "ґанок") == ["6"]


async def test_synonyms(engine: SearchBackend) -> None:
    assert set(await ids(engine, "опалення")) == {"1", "2", "9"}
    assert set(await ids(engine, "теплопостачання")) == {"1", "2", "9"}


async def test_exact_words_rank_before_typos(engine: SearchBackend) -> None:
    # "труби" is in 3; "труба" (one typo away) in 10.
    assert await ids(engine, "труби") == ["3", "10"]


async def test_documents_matching_more_words_rank_first(engine: SearchBackend) -> None:
    found = await ids(engine, "освітлення вуличне")
    assert found[0] == "8"
    assert set(found) == {"8", "12"}


async def test_filters(engine: SearchBackend) -> None:
    assert await ids(engine, "опалення", filters={"district": ("saltivskyi",)}) == ["2"]
    assert set(await ids(engine, "", filters={"district": ("saltivskyi", "osnovianskyi")})) == {
        "2",
        "3",
        "7",
        "11",
    }
    both = {"category": ("heating",), "district": ("kyivskyi", "kholodnohirskyi")}
    assert set(await ids(engine, "", filters=both)) == {"1", "9"}
    assert await ids(engine, "", filters={"district": ("nowhere",)}) == []


async def test_types_filter(engine: SearchBackend) -> None:
    assert len(await ids(engine, "", types=("appeal",))) == len(CORPUS)
    assert await ids(engine, "", types=("street",)) == []


async def test_date_ranges_and_sort(engine: SearchBackend) -> None:
    lo = int(dt.datetime(2024, 1, 9, tzinfo=dt.UTC).timestamp())
    hi = int(dt.datetime(2024, 1, 12, 23, tzinfo=dt.UTC).timestamp())
    found = await ids(engine, "", ranges={"received_at": (lo, hi)}, sort=("received_at", True))
    assert found == ["2", "10", "1", "9"]
    heating = await ids(engine, "", filters={"category": ("heating",)}, sort=("received_at", False))
    assert heating == ["9", "1", "2"]


async def test_facet_counts_follow_query_and_filters(engine: SearchBackend) -> None:
    everything = await engine.search(SearchQuery(q="", facets=("category",)))
    assert everything.facets["category"] == {
        "heating": 3,
        "water": 2,
        "trade": 1,
        "elevator": 1,
        "housing": 1,
        "waste": 1,
        "lighting": 2,
        "roads": 1,
    }
    assert everything.estimated_total == len(CORPUS)
    heating = await engine.search(SearchQuery(q="опалення", facets=("category", "district")))
    assert heating.facets["category"] == {"heating": 3}
    assert heating.facets["district"] == {"kyivskyi": 1, "saltivskyi": 1, "kholodnohirskyi": 1}
    filtered = await engine.search(
        SearchQuery(q="", filters={"district": ("kyivskyi",)}, facets=("category",))
    )
    assert filtered.facets["category"] == {
        "heating": 1,
        "trade": 1,
        "housing": 1,
        "roads": 1,
        "lighting": 1,
    }


async def test_highlights_mark_typo_matches(engine: SearchBackend) -> None:
    result = await engine.search(SearchQuery(q="опаленя", limit=5))
    first = next(h for h in result.hits if h.id == "1")
    assert first.highlights["title"] == "Немає <em>опалення</em>"
    assert "<em>опалення</em>" in first.highlights["body"]


async def test_long_fields_are_cropped_around_the_match(engine: SearchBackend) -> None:
    result = await engine.search(SearchQuery(q="каналізація"))
    assert [h.id for h in result.hits] == ["11"]
    body = result.hits[0].highlights["body"]
    assert "<em>каналізація</em>" in body
    assert body.startswith("…") and body.endswith("…")
    assert len(body.split()) <= 30
    assert result.hits[0].fields["body"] == corpus_documents()[10]["body"]


async def test_hits_carry_their_fields(engine: SearchBackend) -> None:
    result = await engine.search(SearchQuery(q="сміття"))
    hit = result.hits[0]
    assert (hit.type, hit.id) == ("appeal", "7")
    assert hit.fields["category"] == "waste"
    assert hit.fields["received_at"] == "2024-01-07T12:00:00Z"
    assert hit.fields["title"] == "Вивіз сміття"


async def test_pages_do_not_overlap(engine: SearchBackend) -> None:
    first = await engine.search(SearchQuery(q="", limit=5, sort=("received_at", False)))
    second = await engine.search(SearchQuery(q="", limit=5, offset=5, sort=("received_at", False)))
    a = [h.id for h in first.hits]
    b = [h.id for h in second.hits]
    assert len(a) == 5 and len(b) == 5 and not set(a) & set(b)
    assert first.estimated_total == second.estimated_total == len(CORPUS)


async def test_upsert_replaces_and_delete_removes(engine: SearchBackend) -> None:
    changed = encode_document(
        APPEAL,
        {
            "id": "7",
            "title": "Вивіз листя",
            "body": "Листя лежить",
            "category": "waste",
            "district": "osnovianskyi",
            "received_at": dt.datetime(2024, 1, 7, tzinfo=dt.UTC),
        },
    )
    await engine.upsert([changed], wait=True)
    assert await ids(engine, "сміття") == []
    assert await ids(engine, "листя") == ["7"]
    await engine.delete(["appeal-7"], wait=True)
    assert await ids(engine, "листя") == []
    assert (await engine.search(SearchQuery(q=""))).estimated_total == len(CORPUS) - 1
    await engine.delete_type("appeal", wait=True)
    await engine.flush()
    assert await engine.count() == 0


async def test_upserting_the_same_documents_twice_changes_nothing(engine: SearchBackend) -> None:
    await engine.upsert(corpus_documents(), wait=True)
    await engine.flush()
    assert await engine.count() == len(CORPUS)
    assert set(await ids(engine, "опаленя")) == {"1", "2"}


async def test_an_unknown_filter_is_invalid_input(engine: SearchBackend) -> None:
    with pytest.raises(InvalidInput):
        await engine.search(SearchQuery(q="", filters={"body": ("x",)}))


async def test_hostile_queries_are_just_words(engine: SearchBackend) -> None:
    for q in ['"', "AND OR NOT", "title:опалення", "*", "опалення)", "\\", "~2", "a" * 300]:
        result = await engine.search(SearchQuery(q=q))
        assert result.estimated_total >= 0
    assert set(await ids(engine, "опалення)")) == {"1", "2", "9"}
    quoted = await ids(engine, "", filters={"district": ('kyivskyi" OR district = "x',)})
    assert quoted == []
