"""The search engine goes down: search answers 503, everything else works, and once it is
back the outbox catches up with nothing lost.

The engine here is the fake Meilisearch of the contract tests (conftest.py), reached over
real HTTP by the real adapter and the app's own background indexer: stopping the fake
server is the outage.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from hromada import db
from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.registries.tables import District, Street
from hromada.search.outbox import enqueue
from hromada.search.tables import SearchOutbox

from .conftest import FakeMeili, make_registry  # type: ignore[import-not-found]


def wait_for(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def street_uids(fake: FakeMeili) -> set[str]:
    docs = fake.documents.get("hromada", {})
    return {uid for uid, d in docs.items() if d["type"] == "street"}


async def add_street(code: str) -> None:
    """A domain change: the row and its outbox entry in one transaction."""
    async with db.write_transaction():
        district = await District.select(District.id).first()
        assert district is not None
        await Street.insert(
            Street(code=code, kind="вулиця", name=f"Нова {code}", district=district["id"])
        )
        await enqueue("street", [code])


def test_outage_then_catch_up(clean_db: Settings, fake_meili: FakeMeili, tmp_path: Path) -> None:
    asyncio.run(make_registry())
    settings = clean_db.replace(
        meili_url=fake_meili.url, meili_key=fake_meili.key, search_dir=str(tmp_path / "s")
    )
    with TestClient(create_app(settings)) as client:
        # A new index: the indexer creates it and sends every public document.
        assert wait_for(
            lambda: street_uids(fake_meili) == {"street-st-1", "street-st-2", "street-st-3"}
        )
        assert wait_for(lambda: asyncio.run(SearchOutbox.count().run()) == 0)
        assert client.get("/ready").json()["checks"]["search"] == "ok"

        fake_meili.stop()
        response = client.get("/api/v1/search", params={"q": "сумська"})
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert "does not answer" in response.json()["detail"]
        assert client.get("/api/v1/districts").status_code == 200
        assert client.get("/api/v1/streets").json()["items"]
        ready = client.get("/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["database"] == "ok"

        asyncio.run(add_street("st-new-1"))
        asyncio.run(add_street("st-new-2"))

        async def attempts() -> int:
            rows = await SearchOutbox.select(SearchOutbox.attempts)
            return min((r["attempts"] for r in rows), default=0)

        assert wait_for(lambda: asyncio.run(attempts()) >= 1), "the indexer never tried"
        assert asyncio.run(SearchOutbox.count().run()) == 2  # nothing dropped while down

        fake_meili.start()  # the same port, the same stored documents
        assert wait_for(lambda: asyncio.run(SearchOutbox.count().run()) == 0), "outbox not drained"
        assert street_uids(fake_meili) == {
            "street-st-1",
            "street-st-2",
            "street-st-3",
            "street-st-new-1",
            "street-st-new-2",
        }
        assert client.get("/ready").json()["checks"]["search"] == "ok"
        assert client.get("/api/v1/search", params={"q": "x"}).status_code == 200
