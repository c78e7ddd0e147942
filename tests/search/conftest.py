"""Search fixtures: a small appeal-like corpus and every search adapter over it.

The behaviour suite runs against each adapter in ``ADAPTERS``. The embedded
engine is always there; Meilisearch only when ``HROMADA_TEST_MEILI_URL``
points at a server (no Meilisearch can be installed on the build machines),
and is skipped with that reason otherwise.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from hromada.search.embedded import EmbeddedBackend
from hromada.search.port import (
    Document,
    DocumentType,
    Field,
    IndexSettings,
    SearchBackend,
    encode_document,
    index_settings,
)

ADAPTERS = ["embedded", "meilisearch"]


async def _no_load(ids: Sequence[str]) -> list[Document]:
    return []


async def _no_scan(after: str | None, limit: int) -> list[str]:
    return []


APPEAL = DocumentType(
    name="appeal",
    label_uk="Звернення",
    label_en="Appeal",
    fields=(
        Field("body", "text", searchable=True, crop=True),
        Field("category", "keyword", filterable=True, facet=True),
        Field("district", "keyword", filterable=True, facet=True),
        Field("received_at", "date", filterable=True, sortable=True),
    ),
    load=_no_load,
    scan=_no_scan,
)

SYNONYMS = {"опалення": ("теплопостачання",), "теплопостачання": ("опалення",)}

LONG_BODY = " ".join(
    ["Мешканці"] + ["довго"] * 30 + ["каналізація", "переповнена"] + ["знову"] * 30
)

# id, title, body, category, district, day of January 2024
CORPUS = [
    (
        "1",
        "Немає опалення",
        "У квартирі немає опалення вже тиждень, батареї холодні",
        "heating",
        "kyivskyi",
        10,
    ),
    (
        "2",
        "Слабке опалення",
        "Батареї ледь теплі, опалення працює погано",
        "heating",
        "saltivskyi",
        12,
    ),
    (
        "3",
        "Прорив труби",
        "Прорив труби гарячого водопостачання у підвалі",
        "water",
        "saltivskyi",
        3,
    ),
    ("4", "Мʼясо на ринку", "Продаж м'ясо без документів", "trade", "kyivskyi", 4),
    ("5", "Ремонт ліфта", "Ліфт не працює третій день", "elevator", "shevchenkivskyi", 5),
    ("6", "Ґанок зруйновано", "Ґанок під’їзду зруйновано", "housing", "kyivskyi", 6),
    ("7", "Вивіз сміття", "Сміття не вивозять із майданчика", "waste", "osnovianskyi", 7),
    (
        "8",
        "Вуличне освітлення",
        "Не працює вуличне освітлення на вулиці Сумській",
        "lighting",
        "shevchenkivskyi",
        8,
    ),
    (
        "9",
        "Холодно в будинку",
        "Відсутнє теплопостачання в будинку",
        "heating",
        "kholodnohirskyi",
        9,
    ),
    (
        "10",
        "Ремонт дороги",
        "Біля зупинки стара труба стирчить з асфальту",
        "roads",
        "kyivskyi",
        11,
    ),
    ("11", "Запах у дворі", LONG_BODY, "water", "saltivskyi", 13),
    ("12", "Темний двір", "У дворі погане освітлення", "lighting", "kyivskyi", 14),
]


def corpus_documents() -> list[Document]:
    return [
        encode_document(
            APPEAL,
            {
                "id": i,
                "title": t,
                "body": b,
                "category": c,
                "district": d,
                "received_at": dt.datetime(2024, 1, day, 12, tzinfo=dt.UTC),
            },
        )
        for i, t, b, c, d, day in CORPUS
    ]


def corpus_settings() -> IndexSettings:
    return index_settings([APPEAL], SYNONYMS)


async def make_adapter(name: str, tmp_path: Path, settings: IndexSettings) -> SearchBackend:
    if name == "embedded":
        backend: SearchBackend = EmbeddedBackend(tmp_path / "index", settings)
    else:
        url = os.environ.get("HROMADA_TEST_MEILI_URL")
        if not url:
            pytest.skip("HROMADA_TEST_MEILI_URL is not set: no Meilisearch server to test against")
        from hromada.search.meili import MeiliBackend

        backend = MeiliBackend(
            url,
            os.environ.get("HROMADA_TEST_MEILI_KEY", ""),
            f"hromada_test_{uuid.uuid4().hex[:10]}",
            settings,
        )
    await backend.configure(settings)
    return backend


async def drop_adapter(backend: SearchBackend) -> None:
    from hromada.search.meili import MeiliBackend

    if isinstance(backend, MeiliBackend):
        info = backend.client.delete_index(backend.index_uid)
        backend.client.wait_for_task(info.task_uid)
    await backend.close()


@pytest.fixture(params=ADAPTERS)
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SearchBackend]:
    """An adapter holding the corpus, ready to be searched."""
    backend = await make_adapter(request.param, tmp_path, corpus_settings())
    await backend.upsert(corpus_documents(), wait=True)
    await backend.flush()
    try:
        yield backend
    finally:
        await drop_adapter(backend)
