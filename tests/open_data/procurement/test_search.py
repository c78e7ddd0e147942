"""Tenders are search documents: found by the words of their title or procuring entity,
filtered by status, entity and year, sorted by expected value; a re-import with no newer
copy queues nothing; the winners (an individual entrepreneur among them) are not in them."""

from __future__ import annotations

import json
from pathlib import Path

from litestar.testing import TestClient

from hromada.config import Settings
from hromada.open_data.procurement.importing import import_file
from hromada.search.tables import SearchOutbox

from ...conftest import wait_for  # type: ignore[import-not-found]
from .test_procurement import FOP_CODE, FOP_NAME, MAX, SCHOOL, city_tenders, envelope, tender


def _hits(client: TestClient, **params: str) -> list[dict]:
    response = client.get("/api/v1/search", params={"type": "tender", **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_tenders_are_found_filtered_and_sorted(clean_db: Settings, tmp_path: Path) -> None:
    tenders = [*city_tenders(), tender(6, title="Закупівля шкільних автобусів", entity=SCHOOL)]
    report = await import_file(envelope(*tenders), max_bytes=MAX)
    assert report.inserted == 6
    from hromada.app import create_app

    app = create_app(clean_db.replace(search_dir=str(tmp_path / "search")))
    with TestClient(app) as client:
        assert wait_for(lambda: len(_hits(client, limit="50")) == 6), _hits(client, limit="50")
        # An inflected word of the title ("автобусами" for "автобусів").
        assert [h["id"] for h in _hits(client, q="автобусами")] == [f"{6:032x}"]
        # The procuring entity's name and the public tender number are searched too.
        assert len(_hits(client, q="Управління освіти", limit="50")) == 6
        assert _hits(client, q="UA-2024-03-14-000003-a")[0]["id"] == f"{3:032x}"
        tendering = _hits(client, tender_status="active.tendering")
        assert [h["id"] for h in tendering] == [f"{3:032x}"]
        school = {h["id"] for h in _hits(client, entity_edrpou=SCHOOL, limit="50")}
        assert school == {f"{n:032x}" for n in (4, 5, 6)}
        by_value = _hits(client, sort="-expected_uah", limit="50")
        values = [h["fields"]["expected_uah"] for h in by_value]
        assert values == sorted(values, reverse=True) and values[0] == 100_000
        assert [h["fields"]["year"] for h in _hits(client, year="2023")] == [2023]
        refused = client.get("/api/v1/search", params={"type": "tender", "tender_status": "nope"})
        assert refused.status_code == 422, refused.text
        everything = json.dumps(_hits(client, limit="50"), ensure_ascii=False)
        assert FOP_CODE not in everything and FOP_NAME not in everything


async def test_an_unchanged_reimport_queues_no_documents(clean_db: Settings) -> None:
    await import_file(envelope(*city_tenders()), max_bytes=MAX)
    queued = await SearchOutbox.count().where(SearchOutbox.doc_type == "tender")
    assert queued == 5
    await import_file(envelope(*city_tenders()), max_bytes=MAX)
    assert await SearchOutbox.count().where(SearchOutbox.doc_type == "tender") == queued
