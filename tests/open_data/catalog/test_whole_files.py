"""The spreadsheet and Parquet files written in a helper process: the same bytes as in the
publishing process, and a helper that dies or fails fails the publish cleanly."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import multiprocessing
import os
import signal
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hromada.config import Settings
from hromada.errors import NotFound
from hromada.open_data.catalog import formats, parts, registry, service, whole_files, xlsx
from hromada.open_data.catalog.formats import Normaliser, VersionWriter
from hromada.open_data.catalog.model import Dataset, Field, Frequency, Point, TableSchema, Text
from hromada.open_data.catalog.registry import city_of

KYIV = datetime.timezone(datetime.timedelta(hours=3))
SCHEMA = TableSchema(
    fields=(
        Field("k", "integer", required=True),
        Field("s", "string"),
        Field("n", "number"),
        Field("b", "boolean"),
        Field("t", "datetime"),
        Field("d", "date"),
        Field("lat", "number"),
        Field("lon", "number"),
    ),
    primary_key=("k",),
)


def _hostile_rows(count: int) -> list[dict[str, Any]]:
    """Every kind of value a cell writer treats apart: escapes, control characters, NaN
    and infinities, decimals, big integers, zones, dates before Excel's calendar is right."""
    texts = ["a&b<c>", "x\x01y", "ґ'ʼ", 5, None, 'q"uote,\n', "\ufffe", "plain"]
    numbers = [Decimal("1.50"), 2, 2.5, float("nan"), float("inf"), None, 10**20, -0.0]
    moments = [
        datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
        datetime.datetime(1899, 1, 1, 1, 1, 1, 5),
        datetime.datetime(2024, 3, 3, 3, 3, 3, 123456, tzinfo=KYIV),
        None,
    ]
    days = [datetime.date(2024, 2, 29), datetime.date(1, 1, 1), datetime.datetime(2020, 1, 1, 5)]
    return [
        {
            "k": i,
            "s": texts[i % len(texts)],
            "n": numbers[i % len(numbers)],
            "b": [True, False, None, 1][i % 4],
            "t": moments[i % len(moments)],
            "d": days[i % len(days)] if i % 5 else None,
            "lat": 50.0 + i / 1e4,
            "lon": None if i % 9 == 0 else 30.5,
        }
        for i in range(1, count + 1)
    ]


def _dataset(rows: list[dict[str, Any]], slug: str = "toy") -> Dataset:
    async def source():
        for row in rows:
            yield row

    city = city_of(Settings())
    return Dataset(
        slug=slug,
        title=Text("Т", "T"),
        description=Text("Т", "T"),
        publisher=city.council,
        coverage=city.coverage(),
        frequency=Frequency.DAILY,
        schema=SCHEMA,
        rows=source,
        point=Point("lat", "lon"),
    )


def _write(folder: Path, rows: list[dict[str, Any]], separate_process: bool) -> dict[str, str]:
    folder.mkdir()
    writer = VersionWriter(
        _dataset(rows),
        folder,
        store=parts.store_of(folder.parent),
        separate_process=separate_process,
    )
    for row in rows:
        writer.add(row)
    writer.close()
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_helper_writes_the_bytes_this_process_writes(tmp_path: Path) -> None:
    # More rows than a batch, so several batches cross the pipe.
    rows = _hostile_rows(2 * whole_files.BATCH_ROWS + 123)
    here = _write(tmp_path / "here", rows, separate_process=False)
    there = _write(tmp_path / "there", rows, separate_process=True)
    assert "data.xlsx" in here and "data.parquet" in here
    assert here == there
    assert not [p for p in multiprocessing.active_children() if p.name == "hromada-whole-files"]


def test_a_sheet_written_by_columns_is_the_sheet_written_by_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Short sheets, so the batches also cross from one sheet to the next.
    monkeypatch.setattr(xlsx, "SHEET_MAX_ROWS", 700)
    normalise = Normaliser(SCHEMA)
    rows = [normalise(r) for r in _hostile_rows(2000)]
    kinds = ["n", "s", "n", "b", "t", "d", "n", "n"]
    by_rows = xlsx.XlsxWriter(tmp_path / "rows.xlsx", SCHEMA.names, "t", kinds)
    for values in rows:
        by_rows.write_row(values)
    by_rows.close()
    by_columns = xlsx.XlsxWriter(tmp_path / "columns.xlsx", SCHEMA.names, "t", kinds)
    for start in range(0, len(rows), 333):
        by_columns.write_rows(rows[start : start + 333])
    by_columns.close()
    assert (tmp_path / "rows.xlsx").read_bytes() == (tmp_path / "columns.xlsx").read_bytes()


def test_parquet_columns_converted_by_arrow_hold_the_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whole_files, "PARQUET_ROW_GROUP", 400)
    normalise = Normaliser(SCHEMA)
    source = _hostile_rows(1000)
    rows = [normalise(r) for r in source]
    schema = whole_files.arrow_schema(SCHEMA)
    part = whole_files.ParquetPart([f.type for f in SCHEMA.fields], schema, tmp_path / "p")
    for start in range(0, len(rows), 300):  # batches that do not end where groups do
        part.add_rows(rows[start : start + 300])
    part.close()
    stored = pq.ParquetFile(tmp_path / "p")
    assert [stored.metadata.row_group(i).num_rows for i in range(3)] == [400, 400, 200]
    table = stored.read()
    for row, got in zip(source, table.to_pylist(), strict=True):
        moment = row["t"]
        if moment is not None:
            moment = (moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)).astimezone(
                datetime.UTC
            )
        day = row["d"].date() if isinstance(row["d"], datetime.datetime) else row["d"]
        assert got["t"] == moment
        assert got["d"] == day
        expected = None if row["n"] is None else float(row["n"])
        assert got["n"] == expected or (expected != expected and got["n"] != got["n"])
    assert table.schema.field("t").type == pa.timestamp("us", tz="UTC")


def test_a_helper_whose_publisher_died_stops(tmp_path: Path) -> None:
    spec = whole_files.Spec.of(SCHEMA, "toy", tmp_path, {"xlsx", "parquet"})
    helper = whole_files.WholeFilesProcess(spec)
    helper.add(Normaliser(SCHEMA)(_hostile_rows(1)[0]))
    helper._conn.close()  # what the publisher's death does to its end of the pipe
    helper._process.join(30)
    assert helper._process.exitcode == 0


def _patch(monkeypatch: pytest.MonkeyPatch, dataset: Dataset) -> None:
    real = registry.get_dataset
    monkeypatch.setattr(
        service,
        "get_dataset",
        lambda settings, slug: dataset if slug == dataset.slug else real(settings, slug),
    )


def _nothing_left(settings: Settings, slug: str) -> None:
    root = service.datasets_root(settings) / slug
    # No working folder, no lock, no version folder: only the store, and nothing a version
    # does not list stays in it.
    assert [p.name for p in root.iterdir()] == ["parts"]
    assert parts.collect(root) is not None
    assert [p for p in (root / "parts").rglob("*") if p.is_file() and p.name != ".lock"] == []
    assert not [p for p in multiprocessing.active_children() if p.name == "hromada-whole-files"]


async def test_a_killed_helper_fails_the_publish_cleanly(
    small_city: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _hostile_rows(6 * whole_files.BATCH_ROWS)

    async def rows_that_kill_the_helper():
        for row in rows:
            if row["k"] == 3 * whole_files.BATCH_ROWS:
                # Killed as the OOM killer would: no chance to answer.
                helpers = [
                    p for p in multiprocessing.active_children() if p.name == "hromada-whole-files"
                ]
                assert len(helpers) == 1
                os.kill(helpers[0].pid, signal.SIGKILL)
                helpers[0].join(10)
            yield row

    dataset = dataclasses.replace(_dataset(rows), rows=rows_that_kill_the_helper)
    _patch(monkeypatch, dataset)
    started = time.monotonic()
    with pytest.raises(whole_files.WriterFailed, match="stopped"):
        await service.publish(small_city, "toy")
    assert time.monotonic() - started < 60
    with pytest.raises(NotFound):
        await service.get_version(small_city, "toy", None)
    _nothing_left(small_city, "toy")


async def test_an_error_in_the_helper_fails_the_publish_with_its_message(
    small_city: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # JSON and CSV hold any integer; Parquet's int64 does not: only the helper fails.
    rows = _hostile_rows(3000)
    rows[2500]["k"] = 2**70
    rows[2501:] = []
    dataset = _dataset(rows)
    _patch(monkeypatch, dataset)
    with pytest.raises(whole_files.WriterFailed, match="OverflowError"):
        await service.publish(small_city, "toy")
    with pytest.raises(NotFound):
        await service.get_version(small_city, "toy", None)
    _nothing_left(small_city, "toy")


async def test_a_published_version_is_written_through_the_helper(
    small_city: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The publish path starts a helper, and its files are the ones the version lists."""
    started: list[whole_files.Spec] = []

    class Counted(whole_files.WholeFilesProcess):
        def __init__(self, spec: whole_files.Spec) -> None:
            started.append(spec)
            super().__init__(spec)

    monkeypatch.setattr(formats, "WholeFilesProcess", Counted)
    result = await service.publish(small_city, "buildings")
    assert result.version is not None
    assert len(started) == 1
    version = await service.get_version(small_city, "buildings", None)
    for fmt in ("xlsx", "parquet"):
        stored = service.version_file(small_city, version, fmt)
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == version.files[fmt]["sha256"]
    assert pq.read_table(stored.path).num_rows == version.row_count == 80
