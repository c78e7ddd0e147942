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

from hromada.open_data.registries.tables import Building, District, Street
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


async def make_registry() -> dict[str, list[str]]:
    """Two districts, three streets, three buildings; returns their document ids."""
    await District.insert(
        District(code="kyivskyi", name_uk="Київський", name_en="Kyivskyi", lat=50.0, lon=36.2),
        District(
            code="saltivskyi", name_uk="Салтівський", name_en="Saltivskyi", lat=50.0, lon=36.3
        ),
    )
    ids = {r["code"]: r["id"] for r in await District.select(District.id, District.code)}
    await Street.insert(
        Street(code="st-1", kind="вулиця", name="Сумська", district=ids["kyivskyi"]),
        Street(code="st-2", kind="проспект", name="Науки", district=ids["kyivskyi"]),
        Street(
            code="st-3", kind="вулиця", name="Гвардійців-Широнінців", district=ids["saltivskyi"]
        ),
    )
    streets = {r["code"]: r["id"] for r in await Street.select(Street.id, Street.code)}
    await Building.insert(
        *[
            Building(
                street=streets[s],
                district=ids[d],
                number=n,
                lat=50.0,
                lon=36.2,
                floors=f,
                year_built=1960,
            )
            for s, d, n, f in [
                ("st-1", "kyivskyi", "1", 5),
                ("st-1", "kyivskyi", "2А", 9),
                ("st-3", "saltivskyi", "10", 16),
            ]
        ]
    )
    buildings = [str(r["id"]) for r in await Building.select(Building.id)]
    return {"district": list(ids), "street": list(streets), "building": buildings}


# ----------------------------------------------------------------------------
# A fake Meilisearch for contract tests (no Meilisearch server can be installed here).
# It records every request and answers with the response shapes Meilisearch documents
# (summarized task objects with 202, task objects, settings, search responses, error
# objects with message/code/type/link). It holds documents only so that the outage test
# can see what arrived; it does not search.

import json  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import parse_qs, urlsplit  # noqa: E402

DEFAULT_SETTINGS: dict[str, Any] = {
    "displayedAttributes": ["*"],
    "searchableAttributes": ["*"],
    "filterableAttributes": [],
    "sortableAttributes": [],
    "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
    "stopWords": [],
    "nonSeparatorTokens": [],
    "separatorTokens": [],
    "dictionary": [],
    "synonyms": {},
    "distinctAttribute": None,
    "proximityPrecision": "byWord",
    "typoTolerance": {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
        "disableOnWords": [],
        "disableOnAttributes": [],
    },
    "faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "alpha"}},
    "pagination": {"maxTotalHits": 1000},
    "searchCutoffMs": None,
}


def meili_error(message: str, code: str, type_: str) -> dict[str, str]:
    return {
        "message": message,
        "code": code,
        "type": type_,
        "link": f"https://docs.meilisearch.com/errors#{code}",
    }


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeMeili:
    key: str = "master-key"
    requests: list[Recorded] = field(default_factory=list)
    indexes: dict[str, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)
    search_answer: dict[str, Any] | None = None
    fail_next: tuple[int, dict[str, Any]] | None = None
    fail_tasks: bool = False
    delay: float = 0.0
    server: ThreadingHTTPServer | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.requests]

    def start(self) -> FakeMeili:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                record = Recorded(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    json.loads(raw) if raw else None,
                )
                fake.requests.append(record)
                if fake.delay:
                    time.sleep(fake.delay)
                status, answer = fake.answer(record)
                data = json.dumps(answer).encode() if answer is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    # ------------------------------------------------------------------
    def _task(self, index_uid: str | None, kind: str, details: dict[str, Any]) -> dict[str, Any]:
        uid = len(self.tasks)
        now = "2024-01-01T00:00:00.000000Z"
        failed = self.fail_tasks and kind == "documentAdditionOrUpdate"
        self.tasks[uid] = {
            "uid": uid,
            "batchUid": uid,
            "indexUid": index_uid,
            "status": "failed" if failed else "succeeded",
            "type": kind,
            "canceledBy": None,
            "details": details,
            "error": meili_error(
                "Document identifier `a b` is invalid.", "invalid_document_id", "invalid_request"
            )
            if failed
            else None,
            "duration": "PT0.001S",
            "enqueuedAt": now,
            "startedAt": now,
            "finishedAt": now,
        }
        return {
            "taskUid": uid,
            "indexUid": index_uid,
            "status": "enqueued",
            "type": kind,
            "enqueuedAt": now,
        }

    def answer(self, r: Recorded) -> tuple[int, Any]:
        if self.fail_next is not None:
            failure, self.fail_next = self.fail_next, None
            return failure
        if r.path == "/health":
            return 200, {"status": "available"}
        auth = r.headers.get("authorization")
        if auth is None:
            return 401, meili_error(
                "The Authorization header is missing. It must use the bearer authorization method.",
                "missing_authorization_header",
                "auth",
            )
        if auth != f"Bearer {self.key}":
            return 403, meili_error("The provided API key is invalid.", "invalid_api_key", "auth")
        segments = [s for s in r.path.split("/") if s]
        if segments[0] == "tasks" and len(segments) == 2:
            return 200, self.tasks[int(segments[1])]
        if segments == ["indexes"] and r.method == "POST":
            uid = r.body["uid"]
            self.indexes[uid] = {
                "uid": uid,
                "primaryKey": r.body.get("primaryKey"),
                "settings": json.loads(json.dumps(DEFAULT_SETTINGS)),
            }
            self.documents[uid] = {}
            return 202, self._task(uid, "indexCreation", {"primaryKey": r.body.get("primaryKey")})
        uid = segments[1]
        index = self.indexes.get(uid)
        if index is None:
            return 404, meili_error(
                f"Index `{uid}` not found.", "index_not_found", "invalid_request"
            )
        rest = segments[2:]
        docs = self.documents[uid]
        if not rest and r.method == "GET":
            return 200, {
                "uid": uid,
                "primaryKey": index["primaryKey"],
                "createdAt": "2024-01-01T00:00:00.123456Z",
                "updatedAt": "2024-01-01T00:00:00.123456Z",
            }
        if rest == ["settings"] and r.method == "GET":
            return 200, index["settings"]
        if rest == ["settings"] and r.method == "PATCH":
            index["settings"].update(r.body)
            return 202, self._task(uid, "settingsUpdate", r.body)
        if rest == ["stats"]:
            return 200, {
                "numberOfDocuments": len(docs),
                "isIndexing": False,
                "fieldDistribution": {},
            }
        if rest == ["documents"] and r.method == "POST":
            for doc in r.body:
                docs[doc["uid"]] = doc
            return 202, self._task(
                uid,
                "documentAdditionOrUpdate",
                {"receivedDocuments": len(r.body), "indexedDocuments": None},
            )
        if rest == ["documents", "delete-batch"]:
            for doc_uid in r.body:
                docs.pop(doc_uid, None)
            return 202, self._task(uid, "documentDeletion", {"providedIds": len(r.body)})
        if rest == ["documents", "delete"]:
            expression = r.body["filter"]
            doc_type = json.loads(expression.split("=", 1)[1].strip())
            for doc_uid in [k for k, v in docs.items() if v["type"] == doc_type]:
                docs.pop(doc_uid)
            return 202, self._task(uid, "documentDeletion", {"originalFilter": expression})
        if rest == ["search"]:
            return 200, self.search_answer or {
                "hits": [],
                "query": r.body.get("q", ""),
                "processingTimeMs": 0,
                "limit": r.body.get("limit", 20),
                "offset": r.body.get("offset", 0),
                "estimatedTotalHits": 0,
            }
        return 404, meili_error("Not found", "not_found", "invalid_request")


@pytest.fixture
def fake_meili() -> Any:
    fake = FakeMeili().start()
    yield fake
    fake.stop()
