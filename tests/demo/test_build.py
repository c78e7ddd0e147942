from __future__ import annotations

import time

from litestar.testing import TestClient

from hromada import db, domains
from hromada.app import create_app
from hromada.config import Settings
from hromada.demo.build import MARKER, build_demo


async def test_demo_builds_once_and_serves(base_settings: Settings, tmp_path) -> None:
    settings = base_settings.replace(environment="demo", data_dir=tmp_path, database_url="")
    try:
        started = time.perf_counter()
        assert await build_demo(settings, domains.demo_parts()) is True
        assert time.perf_counter() - started < 60
        assert (tmp_path / MARKER).is_file()
        assert await build_demo(settings, domains.demo_parts()) is False  # already there
        with TestClient(create_app(settings)) as client:
            districts = client.get("/api/v1/districts").json()["items"]
            streets = client.get("/api/v1/streets", params={"limit": 500}).json()
    finally:
        db.use_database(base_settings)
    assert len(districts) == 9
    assert all(d["buildings"] > 0 for d in districts)
    assert len(streets["items"]) == 400
    assert streets["next_cursor"] is None
