"""The ``appeals`` open dataset: published after every import, nothing personal in any file."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from frictionless import validate
from litestar.testing import TestClient

from hromada import domains
from hromada.app import create_app
from hromada.config import Settings
from hromada.jobs.worker import Worker
from hromada.open_data.appeals import service as appeals
from hromada.open_data.catalog import datapackage, service
from hromada.open_data.catalog.registry import get_dataset

TOKEN = "t" * 40


def wait_for(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


@pytest.fixture
async def imported(kyiv: Settings, samples: Any) -> AsyncIterator[tuple[Settings, list[dict]]]:
    rows = samples.make_rows(30)
    report = await appeals.import_file(io.BytesIO(samples.to_csv(rows)))
    assert report.applied, report.errors
    yield kyiv, rows
    shutil.rmtree(service.datasets_root(kyiv), ignore_errors=True)


async def test_import_then_publish_has_only_public_anonymised_rows(
    imported: tuple[Settings, list[dict]], samples: Any, tmp_path: Path
) -> None:
    settings, rows = imported
    # The import queued the publish job; a worker runs it.
    assert await Worker(settings, domains.jobs()).run_until_empty() == 1
    version = await service.get_version(settings, "appeals", None)
    public = [r for r in rows if r["confidential"] == "ні"]
    assert version.number == 1
    assert version.row_count == len(public) < len(rows)

    texts = {
        fmt: service.version_file(settings, version, fmt).read_bytes().decode("utf-8", "replace")
        for fmt in ("csv", "json", "jsonl", "geojson")
    }
    xlsx = service.version_file(settings, version, "xlsx").read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    texts["xlsx"] = json.dumps(list(sheet.iter_rows(values_only=True)), default=str)
    for value in samples.personal_values():
        for fmt, text in texts.items():
            assert value not in text, (value, fmt)
    confidential = {r["id"] for r in rows if r["confidential"] == "так"}
    published = {json.loads(line)["source_id"] for line in texts["jsonl"].splitlines()}
    assert not confidential & published

    # The Data Package and its CSV pass frictionless (datetimes, booleans, numbers).
    descriptor = datapackage.descriptor(get_dataset(settings, "appeals"), version, "")
    descriptor["resources"][0]["path"] = "data.csv"
    (tmp_path / "data.csv").write_bytes(service.version_file(settings, version, "csv").read_bytes())
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    # Nothing changed: no new version.
    again = await service.publish(settings, "appeals")
    assert not again.created


def test_staff_import_publishes_a_new_version(
    imported: tuple[Settings, list[dict]], samples: Any
) -> None:
    settings, _rows = imported
    settings = settings.replace(admin_token=TOKEN, rate_limit_anonymous=100_000)
    # The fixture's import queued a publish: version 1.
    assert asyncio.run(Worker(settings, domains.jobs()).run_until_empty()) == 1
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/datasets/appeals").json()["latest_version"]["number"] == 1
        more = samples.make_rows(40)
        response = client.post(
            "/api/v1/admin/imports/appeals",
            content=samples.to_csv(more),
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert response.status_code == 200, response.text
        # The answer comes before the new version: a job publishes it, watched at the Link.
        job_id = response.json()["publish_job"]["id"]
        job_url = f"/api/v1/admin/jobs/{job_id}"
        assert response.json()["publish_job"]["url"] == f"http://testserver.local{job_url}"
        assert response.headers["link"] == f'<{job_url}>; rel="monitor"'
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert client.get(job_url).status_code == 401
        assert wait_for(lambda: client.get(job_url, headers=auth).json()["state"] == "done")
        job = client.get(job_url, headers=auth).json()
        assert job["kind"] == "catalog.publish" and job["payload"] == {"slug": "appeals"}
        assert client.get("/api/v1/admin/jobs/999999", headers=auth).status_code == 404
        latest = client.get("/api/v1/datasets/appeals").json()["latest_version"]
        assert latest["number"] == 2
        assert latest["row_count"] == sum(1 for r in more if r["confidential"] == "ні")
        csv_download = client.get("/api/v1/datasets/appeals/versions/1/download.csv")
        assert csv_download.status_code == 200
        assert csv_download.text.splitlines()[0].startswith("id,source_id,received_at")
