"""A filtered subset as a file: the list's filters on a download URL, in every format,
with the same rows as the list and the same columns as the published file."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.catalog import service as catalog
from hromada.open_data.catalog.service import publish_all

FILTERS = {"district": "kyiv-darnytskyi", "status": "resolved,in_progress"}


@pytest.fixture
async def city(loaded: tuple[Settings, list[dict[str, Any]]]) -> Iterator[TestClient[Litestar]]:
    settings = loaded[0].replace(rate_limit_anonymous=100_000)
    await publish_all(settings)
    with TestClient(create_app(settings)) as client:
        yield client


def _listed_ids(client: TestClient[Litestar], params: dict[str, str]) -> list[Any]:
    ids: list[Any] = []
    cursor = ""
    while True:
        page = client.get(
            "/api/v1/appeals", params={**params, "sort": "id", "limit": 100, "cursor": cursor}
        ).json()
        ids.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return ids


def _frame(fmt: str, body: bytes) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)
    if fmt == "jsonl":
        return pd.read_json(io.BytesIO(body), lines=True, dtype=False)
    if fmt == "json":
        return pd.DataFrame(json.loads(body))
    if fmt == "xlsx":
        return pd.read_excel(io.BytesIO(body), dtype=str)
    if fmt == "geojson":
        return pd.DataFrame([f["properties"] for f in json.loads(body)["features"]])
    return pd.read_parquet(io.BytesIO(body))


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "geojson", "xlsx", "parquet"])
def test_a_filtered_file_has_the_list_rows_and_the_full_file_columns(
    city: TestClient[Litestar], fmt: str
) -> None:
    expected = _listed_ids(city, FILTERS)
    assert 0 < len(expected) < 100, "the filter selects a real subset"
    response = city.get(f"/api/v1/appeals/download/{fmt}", params=FILTERS)
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    frame = _frame(fmt, response.content)
    assert sorted(frame["id"].astype(str)) == sorted(str(i) for i in expected)
    full = city.get(f"/api/v1/datasets/appeals/versions/latest/download.{fmt}")
    assert full.status_code == 200
    assert list(frame.columns) == list(_frame(fmt, full.content).columns)


def test_csv_cells_are_those_of_the_published_file(city: TestClient[Litestar]) -> None:
    subset = city.get("/api/v1/appeals/download/csv", params=FILTERS).text.splitlines()
    full = set(city.get("/api/v1/datasets/appeals/versions/latest/download.csv").text.splitlines())
    assert len(subset) > 1
    assert all(line in full for line in subset)  # header and rows, byte for byte


def test_no_filter_gives_every_public_appeal(city: TestClient[Litestar]) -> None:
    body = city.get("/api/v1/appeals/download/jsonl").content
    assert len(body.splitlines()) == len(_listed_ids(city, {}))
    bommed = city.get("/api/v1/appeals/download/csv", params={"bom": "1"}).content
    assert bommed.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    ("path", "params", "status", "name"),
    [
        ("/api/v1/appeals/download/exe", {}, 422, "format"),
        ("/api/v1/appeals/download/csv", {"district": "atlantis"}, 422, "district"),
        ("/api/v1/appeals/download/csv", {"received_from": "yesterday"}, 422, "received_from"),
        ("/api/v1/appeals/download/csv", {"status": "lost"}, 422, "status"),
    ],
)
def test_bad_requests_are_refused_before_any_byte(
    city: TestClient[Litestar], path: str, params: dict[str, str], status: int, name: str
) -> None:
    response = city.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["name"] == name


def test_too_many_rows_names_the_full_file(
    city: TestClient[Litestar], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog, "MAX_SUBSET_ROWS", 5)
    response = city.get("/api/v1/appeals/download/csv")
    assert response.status_code == 413, response.text
    assert "/api/v1/datasets/appeals/versions/latest/download.csv" in response.json()["detail"]


def test_no_temporary_folder_is_left(city: TestClient[Litestar]) -> None:
    def folders() -> set[Path]:
        return set(Path(tempfile.gettempdir()).glob("hromada-subset-*"))

    before = folders()
    for fmt in ("csv", "xlsx", "parquet"):
        assert city.get(f"/api/v1/appeals/download/{fmt}", params=FILTERS).status_code == 200
    assert city.head("/api/v1/appeals/download/csv").status_code == 200
    assert folders() <= before
