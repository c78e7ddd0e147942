"""The appeals dataset as Parquet: datetimes as UTC timestamps, the CSV's rows, nothing personal."""

from __future__ import annotations

import io
import shutil
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tests.open_data.catalog.test_parquet import _same_rows_as_csv

from hromada.config import Settings
from hromada.open_data.appeals import service as appeals
from hromada.open_data.catalog import service
from hromada.open_data.catalog.registry import get_dataset


async def test_appeals_parquet(kyiv: Settings, samples: Any) -> None:
    rows = samples.make_rows(40)
    report = await appeals.import_file(io.BytesIO(samples.to_csv(rows)))
    assert report.applied, report.errors
    try:
        await service.publish(kyiv, "appeals")
        version = await service.get_version(kyiv, "appeals", None)
        parquet = service.version_file(kyiv, version, "parquet").read_bytes()
        csv = service.version_file(kyiv, version, "csv").read_bytes()
        dataset = get_dataset(kyiv, "appeals")
        schema = pq.read_schema(io.BytesIO(parquet))
        assert schema.field("received_at").type == pa.timestamp("us", tz="UTC")
        types = {f.name: f.type for f in dataset.schema.fields}
        _same_rows_as_csv(parquet, csv, types)
        frame = pd.read_parquet(io.BytesIO(parquet))
        assert len(frame) == version.row_count
        assert str(frame["received_at"].dt.tz) == "UTC"
        text = frame.astype(str).to_csv()
        for value in samples.personal_values():
            assert value not in text, value
    finally:
        shutil.rmtree(service.datasets_root(kyiv), ignore_errors=True)
