"""Search understands Ukrainian (and Russian) inflection, the city's Ukrainian and Russian
words for the same thing, quoted phrases and excluded words — in every adapter alike.

Parametrised like the shared behaviour suite: the embedded engine always, Meilisearch when
``HROMADA_TEST_MEILI_URL`` is set. The synonyms are the production list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hromada.search.morphology import lemma, lemmas
from hromada.search.port import SearchBackend, SearchQuery, encode_document, index_settings
from hromada.search.registry import SYNONYMS
from hromada.search.text import fold

from .conftest import ADAPTERS, APPEAL, drop_adapter, make_adapter  # type: ignore[import-not-found]

# id, title, body: each inflected word appears in one form only.
CORPUS = [
    ("1", "Провал асфальту", "Глибокі ями біля школи"),
    ("2", "Ремонт підйомника", "Ліфтом неможливо користуватися"),
    ("3", "Темно", "Не світить ліхтар на вулиці Сумській"),
    ("4", "Холодно", "В квартире нет отопления"),
    ("5", "Не вывозят", "Мусор лежит неделю"),
    ("6", "Вивіз", "Сміття на майданчику біля будинку"),
    ("7", "Прибирання", "Прибрати вулицю Сумська біля зупинки"),
]


@pytest.fixture(params=ADAPTERS)
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SearchBackend]:
    settings = index_settings([APPEAL], SYNONYMS)
    backend = await make_adapter(request.param, tmp_path, settings)
    docs = [
        encode_document(
            APPEAL,
            {
                "id": i,
                "title": title,
                "body": body,
                "category": "c",
                "district": "d",
                "received_at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
            },
        )
        for i, title, body in CORPUS
    ]
    await backend.upsert(docs, wait=True)
    await backend.flush()
    try:
        yield backend
    finally:
        await drop_adapter(backend)


async def ids(engine: SearchBackend, q: str) -> set[str]:
    return {h.id for h in (await engine.search(SearchQuery(q=q, limit=50))).hits}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("яма ", {"1"}),  # the text says "ями"
        ("ямою ", {"1"}),
        ("ліфт ", {"2"}),  # "Ліфтом"; "підйомника" is its synonym too
        ("Сумська ", {"3", "7"}),  # "Сумській" and "Сумська"
        ("Сумській ", {"3", "7"}),
        ("вулиця ", {"3", "7"}),  # "вулиці", "вулицю"
    ],
)
async def test_inflected_forms_find_each_other(
    engine: SearchBackend, query: str, expected: set[str]
) -> None:
    assert await ids(engine, query) == expected


async def test_ukrainian_and_russian_words_meet(engine: SearchBackend) -> None:
    assert await ids(engine, "опалення ") == {"4"}  # "отопления"
    assert await ids(engine, "отопление ") == {"4"}
    assert await ids(engine, "сміття ") == {"5", "6"}  # "Мусор" and "Сміття"
    assert await ids(engine, "мусору ") == {"5", "6"}


async def test_a_quoted_phrase_must_appear_as_written(engine: SearchBackend) -> None:
    assert await ids(engine, '"вулиці Сумській"') == {"3"}
    assert await ids(engine, '"Сумській вулиці"') == set()


async def test_an_excluded_word_excludes_every_form(engine: SearchBackend) -> None:
    assert await ids(engine, "сміття -майданчик") == {"5"}  # 6 says "майданчику"
    assert await ids(engine, "Сумська -зупинка") == {"3"}  # 7 says "зупинки"


async def test_unknown_words_are_matched_as_written(engine: SearchBackend) -> None:
    assert await ids(engine, "зпфкщ ") == set()
    assert lemma("зпфкщ") is None


def test_lemmas_are_folded_dictionary_forms_that_differ_from_the_words() -> None:
    assert lemma("ями") == "яма" and lemma("яма") is None
    assert lemmas("Ґанку під'їзду, ліфтом 5 разів") == ["ганок", "підʼїзд", "ліфт", "раз"]
    assert all(fold(word) == word for word in SYNONYMS)
    # Synonyms are listed as dictionary forms: an inflected key would never be looked up.
    assert [word for word in SYNONYMS if lemma(word)] == []
