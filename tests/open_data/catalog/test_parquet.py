"""Parquet downloads: the Table Schema's types and the CSV's rows, read by pandas and DuckDB."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.catalog import service
from hromada.open_data.catalog.formats import ARROW_TYPES
from hromada.open_data.catalog.parts import StoredFile
from hromada.open_data.catalog.registry import get_dataset


@pytest.fixture
def api(published: Settings):
    with TestClient(create_app(published)) as client:
        yield client


def _same_rows_as_csv(parquet: bytes, csv: bytes, schema_types: dict[str, str]) -> None:
    from_parquet = pd.read_parquet(io.BytesIO(parquet))
    dtypes = {n: "string" for n, t in schema_types.items() if t in ("string", "date", "datetime")}
    from_csv = pd.read_csv(io.BytesIO(csv), dtype=dtypes, keep_default_na=False, na_values=[""])
    assert list(from_parquet.columns) == list(from_csv.columns)
    assert len(from_parquet) == len(from_csv) > 0
    for name, kind in schema_types.items():
        left, right = from_parquet[name], from_csv[name]
        if kind == "datetime":
            left = left.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").str.replace(".000000Z", "Z")
        elif kind == "date":
            left = left.astype("string")
        elif kind in ("integer", "number"):
            left, right = left.astype("float64"), right.astype("float64")
        elif kind == "boolean":
            right = right.map({"true": True, "false": False, True: True, False: False})
        (
            pd.testing.assert_series_equal(
                left.reset_index(drop=True).astype(object).where(left.notna(), None),
                right.reset_index(drop=True).astype(object).where(right.notna(), None),
                check_names=False,
                check_dtype=False,
            ),
            name,
        )


@pytest.mark.parametrize("slug", ["buildings", "streets", "districts"])
def test_parquet_has_the_schema_types_and_the_csv_rows(
    api: TestClient, published: Settings, slug: str
) -> None:
    dataset = get_dataset(published, slug)
    assert "parquet" in dataset.formats
    base = f"/api/v1/datasets/{slug}/versions/1/download"
    response = api.get(base + ".parquet")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    parquet = response.content
    csv = api.get(base + ".csv", headers={"accept-encoding": "identity"}).content

    schema = pq.read_schema(io.BytesIO(parquet))
    for field in dataset.schema.fields:
        assert schema.field(field.name).type == ARROW_TYPES[field.type], field.name
        assert schema.field(field.name).nullable == (not field.required), field.name
    types = {f.name: f.type for f in dataset.schema.fields}
    _same_rows_as_csv(parquet, csv, types)


def test_duckdb_reads_the_published_file_with_the_same_rows(
    published: Settings, tmp_path: Path
) -> None:
    dataset = get_dataset(published, "buildings")
    root = Path(service.datasets_root(published))
    files = [p for p in root.rglob("data.parquet") if "buildings" in p.parts]
    assert len(files) == 1
    path = files[0]
    # The CSV is kept as compressed parts: DuckDB reads its bytes as a download gives them.
    csv_path = tmp_path / "data.csv"
    csv_path.write_bytes(StoredFile(path.parent, "data.csv").read_bytes())
    with duckdb.connect() as con:
        from_parquet = con.execute(f"SELECT * FROM read_parquet('{path}') ORDER BY id").fetchall()
        from_csv = con.execute(
            f"SELECT * FROM read_csv('{csv_path}', header=true) ORDER BY id"
        ).fetchall()
        described = dict(
            con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()[i][:2]
            for i in range(len(dataset.schema.fields))
        )
    assert len(from_parquet) == len(from_csv) == 80
    assert [tuple(str(v) for v in row) for row in from_parquet] == [
        tuple(str(v) for v in row) for row in from_csv
    ]
    assert described["id"] == "BIGINT"
    kinds = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN"}
    for field in dataset.schema.fields:
        if field.type in kinds:
            assert described[field.name] == kinds[field.type], field.name


def test_parquet_ranges_and_head(api: TestClient) -> None:
    url = "/api/v1/datasets/buildings/versions/latest/download.parquet"
    whole = api.get(url).content
    assert whole[:4] == b"PAR1" and whole[-4:] == b"PAR1"
    # Parquet readers fetch the footer with a suffix range first.
    tail = api.get(url, headers={"range": "bytes=-8"})
    assert tail.status_code == 206 and tail.content == whole[-8:]
    head = api.head(url, headers={"accept-encoding": "identity"})
    assert int(head.headers["content-length"]) == len(whole)
