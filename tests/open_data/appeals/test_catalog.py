"""The ``appeals`` open dataset: published after every import, nothing personal in any file."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from frictionless import validate
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.appeals import service as appeals
from hromada.open_data.catalog import datapackage, service
from hromada.open_data.catalog.registry import get_dataset

TOKEN = "t" * 40


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
    results = await service.after_import(settings, "appeals")
    assert results[0].created and results[0].version is not None
    public = [r for r in rows if r["confidential"] == "ні"]
    assert results[0].version.row_count == len(public) < len(rows)

    version = await service.get_version(settings, "appeals", None)
    texts = {
        fmt: service.version_file(settings, version, fmt).read_bytes().decode("utf-8", "replace")
        for fmt in ("csv", "json", "jsonl", "geojson")
    }
    sheet = openpyxl.load_workbook(service.version_file(settings, version, "xlsx")).active
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
    shutil.copy(service.version_file(settings, version, "csv"), tmp_path / "data.csv")
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    # Nothing changed: no new version.
    again = await service.after_import(settings, "appeals")
    assert not again[0].created


def test_staff_import_publishes_a_new_version(
    imported: tuple[Settings, list[dict]], samples: Any
) -> None:
    settings, _rows = imported
    settings = settings.replace(admin_token=TOKEN, rate_limit_anonymous=100_000)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/datasets/appeals").json()["latest_version"] is None
        more = samples.make_rows(40)
        response = client.post(
            "/api/v1/admin/imports/appeals",
            content=samples.to_csv(more),
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert response.status_code == 200, response.text
        latest = client.get("/api/v1/datasets/appeals").json()["latest_version"]
        assert latest["number"] == 1
        assert latest["row_count"] == sum(1 for r in more if r["confidential"] == "ні")
        csv_download = client.get("/api/v1/datasets/appeals/versions/1/download.csv")
        assert csv_download.status_code == 200
        assert csv_download.text.splitlines()[0].startswith("id,source_id,received_at")
