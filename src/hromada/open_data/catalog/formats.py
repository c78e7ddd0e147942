"""Write one version's files in a single pass over the rows: every format, and the row manifest.

The rows are normalised once (by the Table Schema's field types) and written
to ``data.csv``, ``data.jsonl``, ``data.json``, ``data.geojson`` (datasets with
a location), ``data.xlsx`` and ``data.parquet`` side by side, plus ``manifest.tsv``: one line per
row, ``<key as JSON>\\t<sha256 of the row's JSON line>`` in key order. Two
manifests are diffed by merging them line by line, so the change summary needs
no memory proportional to the data.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq

from hromada.open_data.catalog.model import Dataset, Row, TableSchema
from hromada.open_data.catalog.xlsx import XlsxWriter

MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "jsonl": "application/jsonl",
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    # Registered in 2024: https://www.iana.org/assignments/media-types/application/vnd.apache.parquet
    "parquet": "application/vnd.apache.parquet",
}
CKAN_FORMATS = {
    "csv": "CSV",
    "json": "JSON",
    "jsonl": "JSONL",
    "geojson": "GeoJSON",
    "xlsx": "XLSX",
    "parquet": "Parquet",
}
MANIFEST = "manifest.tsv"
_BUFFER = 1 << 20

_encoder = msgspec.json.Encoder(decimal_format="number")


class SchemaMismatch(ValueError):
    """A service query yielded a row that does not fit its dataset's declaration."""


def file_name(fmt: str) -> str:
    return f"data.{fmt}"


def _utc(value: datetime.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


def normalise(schema: TableSchema, row: Row) -> list[Any]:
    """The row's values in schema order, as JSON-ready values of the declared types."""
    out: list[Any] = []
    for f in schema.fields:
        value = row.get(f.name)
        if value is None:
            out.append(None)
            continue
        kind = f.type
        if kind == "string":
            out.append(value if isinstance(value, str) else str(value))
        elif kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise SchemaMismatch(f"{f.name}: expected an integer, got {value!r}")
            out.append(value)
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                raise SchemaMismatch(f"{f.name}: expected a number, got {value!r}")
            out.append(value)
        elif kind == "boolean":
            out.append(bool(value))
        elif kind == "datetime":
            if not isinstance(value, datetime.datetime):
                raise SchemaMismatch(f"{f.name}: expected a datetime, got {value!r}")
            out.append(_utc(value))
        elif kind == "date":
            if isinstance(value, datetime.datetime):
                value = value.date()
            if not isinstance(value, datetime.date):
                raise SchemaMismatch(f"{f.name}: expected a date, got {value!r}")
            out.append(value.isoformat())
        else:  # pragma: no cover - Literal covers it
            out.append(value)
    return out


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


@dataclass
class FileInfo:
    sha256: str
    bytes: int


@dataclass
class WriteResult:
    rows: int
    files: dict[str, FileInfo]


class _HashingFile:
    """A buffered binary file that hashes what it writes."""

    def __init__(self, path: Path) -> None:
        self._file: IO[bytes] = open(path, "wb", buffering=_BUFFER)  # noqa: SIM115
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._hash.update(data)
        self._file.write(data)
        self.size += len(data)

    def close(self) -> FileInfo:
        self._file.flush()
        self._file.close()
        return FileInfo(self._hash.hexdigest(), self.size)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_BUFFER):
            digest.update(chunk)
    return digest.hexdigest()


# Table Schema types as Parquet (Arrow) types: what pandas, DuckDB and polars read typed.
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),
}
# Rows per Parquet row group: bounded memory while writing, and readers can skip groups.
PARQUET_ROW_GROUP = 50_000


def arrow_schema(schema: TableSchema) -> pa.Schema:
    return pa.schema(
        [
            pa.field(
                f.name,
                ARROW_TYPES[f.type],
                nullable=not f.required,
                metadata={"description": f.description, "title": f.title},
            )
            for f in schema.fields
        ]
    )


class ParquetPart:
    """Columns of the rows since the last row group, written out every ``PARQUET_ROW_GROUP``."""

    def __init__(self, schema: TableSchema, path: Path) -> None:
        self._types = [f.type for f in schema.fields]
        self._schema = arrow_schema(schema)
        self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")
        self._columns: list[list[Any]] = [[] for _ in schema.fields]
        self.path = path

    def add(self, values: list[Any]) -> None:
        for column, kind, value in zip(self._columns, self._types, values, strict=True):
            if value is not None:
                if kind == "datetime":  # normalised to ISO text with Z: back to a moment
                    value = datetime.datetime.fromisoformat(value[:-1]).replace(tzinfo=datetime.UTC)
                elif kind == "date":
                    value = datetime.date.fromisoformat(value)
                elif kind == "number":
                    value = float(value)
            column.append(value)
        if len(self._columns[0]) >= PARQUET_ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if self._columns and self._columns[0]:
            arrays = [
                pa.array(column, type=field.type)
                for column, field in zip(self._columns, self._schema, strict=True)
            ]
            self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
            for column in self._columns:
                column.clear()

    def close(self) -> FileInfo:
        self.flush()
        self._writer.close()
        return FileInfo(sha256_of(self.path), self.path.stat().st_size)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._writer.close()


class VersionWriter:
    """Feed it rows in key order with :meth:`add`; :meth:`close` returns hashes and sizes."""

    def __init__(
        self, dataset: Dataset, directory: Path, formats: frozenset[str] | None = None
    ) -> None:
        """``formats`` limits the files written (a filtered download writes one); a version
        writes them all, with the manifest that the next version is compared with."""
        self.dataset = dataset
        self.schema = dataset.schema
        self.directory = directory
        every = formats is None
        wanted = set(MEDIA_TYPES) if formats is None else set(formats)
        names = self.schema.names
        self._names = names
        self._key_index = [names.index(k) for k in self.schema.primary_key]
        self._last_key: tuple[Any, ...] | None = None
        self.rows = 0
        self._csv: _HashingFile | None = None
        self._csv_buffer = io.StringIO()
        self._csv_writer = csv.writer(self._csv_buffer, lineterminator="\r\n")
        if "csv" in wanted:
            self._csv = _HashingFile(directory / file_name("csv"))
            self._csv_writer.writerow(names)
        self._jsonl = _HashingFile(directory / file_name("jsonl")) if "jsonl" in wanted else None
        self._json: _HashingFile | None = None
        if "json" in wanted:
            self._json = _HashingFile(directory / file_name("json"))
            self._json.write(b"[")
        self._geojson: _HashingFile | None = None
        if dataset.point is not None:
            self._lat = names.index(dataset.point.lat)
            self._lon = names.index(dataset.point.lon)
            if "geojson" in wanted:
                self._geojson = _HashingFile(directory / file_name("geojson"))
                self._geojson.write(b'{"type":"FeatureCollection","features":[')
        self._manifest = open(directory / MANIFEST, "wb", buffering=_BUFFER) if every else None  # noqa: SIM115
        self._xlsx_path = directory / file_name("xlsx")
        kinds = [
            {"integer": "n", "number": "n", "boolean": "b"}.get(f.type, "s")
            for f in self.schema.fields
        ]
        self._xlsx = (
            XlsxWriter(self._xlsx_path, names, dataset.slug, kinds) if "xlsx" in wanted else None
        )
        self._parquet = (
            ParquetPart(self.schema, directory / file_name("parquet"))
            if "parquet" in wanted
            else None
        )
        self._pending_csv = 0

    def add(self, row: Row) -> None:
        values = normalise(self.schema, row)
        key = tuple(values[i] for i in self._key_index)
        if any(k is None for k in key):
            raise SchemaMismatch(f"{self.dataset.slug}: a row has an empty primary key: {row!r}")
        if self._last_key is not None and not key > self._last_key:
            raise SchemaMismatch(
                f"{self.dataset.slug}: rows must come in strictly increasing key order; "
                f"{key!r} came after {self._last_key!r}"
            )
        self._last_key = key
        record = dict(zip(self._names, values, strict=True))
        line = _encoder.encode(record)
        if self._jsonl is not None:
            self._jsonl.write(line + b"\n")
        if self._json is not None:
            self._json.write((b",\n" if self.rows else b"\n") + line)
        if self._geojson is not None:
            self._geojson.write((b",\n" if self.rows else b"\n") + self._feature(values))
        if self._csv is not None:
            self._csv_writer.writerow([csv_cell(v) for v in values])
            self._pending_csv += 1
            if self._pending_csv >= 1000:
                self._flush_csv()
        if self._manifest is not None:
            self._manifest.write(
                _encoder.encode(list(key)) + b"\t" + hashlib.sha256(line).hexdigest()[:32].encode()
            )
            self._manifest.write(b"\n")
        if self._xlsx is not None:
            self._xlsx.write_row(values)
        if self._parquet is not None:
            self._parquet.add(values)
        self.rows += 1

    def _feature(self, values: list[Any]) -> bytes:
        lat, lon = values[self._lat], values[self._lon]
        geometry = (
            None
            if lat is None or lon is None
            else {"type": "Point", "coordinates": [float(lon), float(lat)]}
        )
        properties = {
            n: v
            for i, (n, v) in enumerate(zip(self._names, values, strict=True))
            if i not in (self._lat, self._lon)
        }
        return _encoder.encode({"type": "Feature", "geometry": geometry, "properties": properties})

    def _flush_csv(self) -> None:
        if self._csv is not None:
            self._csv.write(self._csv_buffer.getvalue().encode("utf-8"))
        self._csv_buffer.seek(0)
        self._csv_buffer.truncate()
        self._pending_csv = 0

    def close(self) -> WriteResult:
        self._flush_csv()
        files: dict[str, FileInfo] = {}
        if self._csv is not None:
            files["csv"] = self._csv.close()
        if self._jsonl is not None:
            files["jsonl"] = self._jsonl.close()
        if self._json is not None:
            self._json.write(b"\n]\n" if self.rows else b"]\n")
            files["json"] = self._json.close()
        if self._geojson is not None:
            self._geojson.write(b"\n]}\n" if self.rows else b"]}\n")
            files["geojson"] = self._geojson.close()
        if self._manifest is not None:
            self._manifest.close()
        if self._xlsx is not None:
            self._xlsx.close()
            files["xlsx"] = FileInfo(sha256_of(self._xlsx_path), self._xlsx_path.stat().st_size)
        if self._parquet is not None:
            files["parquet"] = self._parquet.close()
        return WriteResult(rows=self.rows, files=files)

    def abort(self) -> None:
        for handle in (self._csv, self._jsonl, self._json, self._geojson):
            if handle is not None:
                handle._file.close()
        if self._manifest is not None:
            self._manifest.close()
        if self._parquet is not None:
            self._parquet.abort()
        if self._xlsx is not None:
            with contextlib.suppress(Exception):  # the directory is thrown away anyway
                self._xlsx.close()


# ----------------------------------------------------------------------------------------
# Manifests and their diff


@dataclass
class Changes:
    added: int = 0
    changed: int = 0
    removed: int = 0


def _manifest_lines(path: Path | None) -> Iterator[tuple[tuple[Any, ...], bytes]]:
    if path is None or not path.is_file():
        return
    with open(path, "rb", buffering=_BUFFER) as handle:
        for line in handle:
            key, _, digest = line.rstrip(b"\n").partition(b"\t")
            yield tuple(msgspec.json.decode(key)), digest


def diff_manifests(old: Path | None, new: Path) -> Changes:
    """Rows added, changed and removed from ``old`` to ``new``, merging two key-ordered files."""
    changes = Changes()
    old_iter = _manifest_lines(old)
    new_iter = _manifest_lines(new)
    a = next(old_iter, None)
    b = next(new_iter, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            changes.removed += 1
            a = next(old_iter, None)
        elif a is None or b[0] < a[0]:
            changes.added += 1
            b = next(new_iter, None)
        else:
            if a[1] != b[1]:
                changes.changed += 1
            a = next(old_iter, None)
            b = next(new_iter, None)
    return changes
