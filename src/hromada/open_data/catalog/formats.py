"""Write one version's files in a single pass over the rows: every format, and the row manifest.

The rows are normalised once (by the Table Schema's field types) and written
to ``data.csv``, ``data.jsonl``, ``data.json``, ``data.geojson`` (datasets with
a location), ``data.xlsx`` and ``data.parquet`` side by side, plus ``manifest.tsv``: one line per
row, ``<key as JSON>\\t<sha256 of the row's JSON line>`` in key order. Two
manifests are diffed by merging them line by line, so the change summary needs
no memory proportional to the data. A version's text files (and its manifest) are kept
as content-addressed parts (``catalog.parts``); a filtered download writes plain files.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import hashlib
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq

from hromada.open_data.catalog import parts
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
# Which rows changed from the version before (diff_versions), beside each version's files.
CHANGES = "changes.jsonl"
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


# ``?sep=`` of a CSV download: the published file as written (comma, the default,
# byte for byte), or the same rows for Excel where the list separator is ';'
# (Ukrainian, Russian and most continental locales): a UTF-8 BOM, ';' between cells.
SEPARATORS = ("comma", "semicolon")
UTF8_BOM = b"\xef\xbb\xbf"


def semicolon_csv(binary: IO[bytes], rows_per_chunk: int = 2000) -> Iterator[bytes]:
    """The published CSV in ``binary`` re-delimited with ';' behind a UTF-8 BOM, streamed
    in chunks of rows: the same rows and cells (quoted where a cell holds a ';')."""
    text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    yield UTF8_BOM
    pending = 0
    for row in csv.reader(text):
        writer.writerow(row)
        pending += 1
        if pending >= rows_per_chunk:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
            pending = 0
    if pending:
        yield out.getvalue().encode("utf-8")


@dataclass
class FileInfo:
    sha256: str
    bytes: int


@dataclass
class WriteResult:
    rows: int
    files: dict[str, FileInfo]
    parts: parts.Written


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

    def abort(self) -> None:
        self._file.close()


class _PartedFile:
    """A text file of a version, written as content-addressed parts (``catalog.parts``)."""

    def __init__(self, writer: parts.PartedWriter) -> None:
        self._writer = writer

    def write(self, data: bytes) -> None:
        self._writer.write(data)

    def close(self) -> FileInfo:
        listing = self._writer.close()
        return FileInfo(listing.sha256, listing.size)

    def abort(self) -> None:
        """Parts already stored are collected once no version lists them."""
        self._writer.abort()


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


class ContentHash:
    """The sha256 a version's JSON Lines file of these rows would have (its content
    hash), computed without writing any file: a publish with nothing changed stops here."""

    def __init__(self, dataset: Dataset) -> None:
        self.schema = dataset.schema
        self._names = dataset.schema.names
        self._hash = hashlib.sha256()
        self.rows = 0

    def add(self, row: Row) -> None:
        values = normalise(self.schema, row)
        self._hash.update(_encoder.encode(dict(zip(self._names, values, strict=True))) + b"\n")
        self.rows += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class VersionWriter:
    """Feed it rows in key order with :meth:`add`; :meth:`close` returns hashes and sizes."""

    def __init__(
        self,
        dataset: Dataset,
        directory: Path,
        formats: frozenset[str] | None = None,
        store: Path | None = None,
    ) -> None:
        """``formats`` limits the files written (a filtered download writes one); a version
        writes them all, with the manifest that the next version is compared with.
        With a ``store`` (a version), the text files are kept there as parts and
        ``directory`` gets their listings; without one, they are plain files."""
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
        self.parts = parts.Written()
        self._parted: list[parts.PartedWriter] = []

        def text_file(name: str) -> _HashingFile | _PartedFile:
            if store is None:
                return _HashingFile(directory / name)
            writer = parts.PartedWriter(store, directory, name, self.parts)
            self._parted.append(writer)
            return _PartedFile(writer)

        self._csv: _HashingFile | _PartedFile | None = None
        self._csv_buffer = io.StringIO()
        self._csv_writer = csv.writer(self._csv_buffer, lineterminator="\r\n")
        if "csv" in wanted:
            self._csv = text_file(file_name("csv"))
            self._csv_writer.writerow(names)
        self._jsonl = text_file(file_name("jsonl")) if "jsonl" in wanted else None
        self._json: _HashingFile | _PartedFile | None = None
        if "json" in wanted:
            self._json = text_file(file_name("json"))
            self._json.write(b"[")
        self._geojson: _HashingFile | _PartedFile | None = None
        self._lat = self._lon = self._shape = -1
        if dataset.point is not None or dataset.geometry is not None:
            if dataset.point is not None:
                self._lat = names.index(dataset.point.lat)
                self._lon = names.index(dataset.point.lon)
            if dataset.geometry is not None:
                self._shape = names.index(dataset.geometry)
            if "geojson" in wanted:
                self._geojson = text_file(file_name("geojson"))
                self._geojson.write(b'{"type":"FeatureCollection","features":[')
        self._manifest = text_file(MANIFEST) if every else None
        self._xlsx_path = directory / file_name("xlsx")
        kinds = [
            {"integer": "n", "number": "n", "boolean": "b", "datetime": "t", "date": "d"}.get(
                f.type, "s"
            )
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
        encoded_key = _encoder.encode(list(key))
        if self._manifest is not None:
            self._manifest.write(
                encoded_key + b"\t" + hashlib.sha256(line).hexdigest()[:32].encode() + b"\n"
            )
        if self._xlsx is not None:
            self._xlsx.write_row(values)
        if self._parquet is not None:
            self._parquet.add(values)
        self.rows += 1
        if self._parted and (
            zlib.crc32(encoded_key) % parts.PART_ROWS == 0
            or any(w.pending >= parts.PART_BYTES for w in self._parted)
        ):
            # A part ends here, in every file at once (see ``catalog.parts``).
            self._flush_csv()
            for writer in self._parted:
                writer.cut()

    def _feature(self, values: list[Any]) -> bytes:
        geometry: Any = None
        if self._shape >= 0 and values[self._shape]:
            geometry = msgspec.Raw(str(values[self._shape]).encode())
        elif self._lat >= 0 and values[self._lat] is not None and values[self._lon] is not None:
            lat, lon = values[self._lat], values[self._lon]
            geometry = {"type": "Point", "coordinates": [float(lon), float(lat)]}
        properties = {
            n: v
            for i, (n, v) in enumerate(zip(self._names, values, strict=True))
            if i not in (self._lat, self._lon, self._shape)
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
        return WriteResult(rows=self.rows, files=files, parts=self.parts)

    def abort(self) -> None:
        for handle in (self._csv, self._jsonl, self._json, self._geojson, self._manifest):
            if handle is not None:
                handle.abort()
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


def diff_versions(old: Path | None, new: Path, out: Path) -> Changes:
    """Rows added, changed and removed from the version in folder ``old`` to the one in
    ``new``, and the change file ``out`` that says which, by merging the two versions'
    key-ordered manifests and JSONL files in one pass (constant memory).

    The change file (``CHANGES``) has one JSON object per line, in key order:
    ``{"op": "add"|"change"|"remove", "key": [...], "fields": [...], "line": "..."}``:
    ``fields`` names the columns a change touched; ``line`` is the row's new line of
    ``data.jsonl``, byte for byte (absent on a remove). Applying it to the old version's
    ``data.jsonl`` (drop removed keys, replace changed ones, insert added ones in key
    order) gives the new version's ``data.jsonl`` exactly.
    """
    changes = Changes()
    old_rows = _version_lines(old)
    new_rows = _version_lines(new)
    a = next(old_rows, None)
    b = next(new_rows, None)
    sink = _HashingFile(out)
    try:

        def record(op: str, key: tuple[Any, ...], fields: list[str] | None, line: bytes) -> None:
            entry: dict[str, Any] = {"op": op, "key": list(key)}
            if fields is not None:
                entry["fields"] = fields
            if line:
                entry["line"] = line.decode()
            sink.write(_encoder.encode(entry) + b"\n")

        while a is not None or b is not None:
            if b is None or (a is not None and a[0] < b[0]):
                assert a is not None
                changes.removed += 1
                record("remove", a[0], None, b"")
                a = next(old_rows, None)
            elif a is None or b[0] < a[0]:
                changes.added += 1
                record("add", b[0], None, b[2])
                b = next(new_rows, None)
            else:
                if a[1] != b[1]:
                    changes.changed += 1
                    before, after = msgspec.json.decode(a[2]), msgspec.json.decode(b[2])
                    touched = [c for c in after if before.get(c) != after[c]]
                    touched += [c for c in before if c not in after]
                    record("change", b[0], touched, b[2])
                a = next(old_rows, None)
                b = next(new_rows, None)
    finally:
        info = sink.close()
    # Beside the file: its digest, for the ETag of its download.
    out.with_name(out.name + ".sha256").write_text(info.sha256)
    return changes


def changes_sha256(path: Path) -> str:
    """The digest ``diff_versions`` recorded beside a change file."""
    return path.with_name(path.name + ".sha256").read_text().strip()


def _version_lines(folder: Path | None) -> Iterator[tuple[tuple[Any, ...], bytes, bytes]]:
    """(key, digest, JSONL line) of every row of the version in ``folder``: its manifest and
    its JSONL file hold the rows in the same (key) order, one line each."""
    if folder is None:
        return
    manifest_file = parts.StoredFile(folder, MANIFEST)
    if not manifest_file.exists():
        return
    with (
        parts.StoredFile(folder, file_name("jsonl")).open() as data,
        manifest_file.open() as manifest,
    ):
        for (key, digest), line in zip(_manifest_lines_of(manifest), data, strict=True):
            yield key, digest, line.rstrip(b"\n")


def _manifest_lines_of(handle: IO[bytes]) -> Iterator[tuple[tuple[Any, ...], bytes]]:
    for line in handle:
        key, _, digest = line.rstrip(b"\n").partition(b"\t")
        yield tuple(msgspec.json.decode(key)), digest
