"""A version's spreadsheet and Parquet files: kept whole (not as parts), and written in a
process of their own while the publishing process writes the text files.

The two writers cost about as much per row as all the text files together, and a row
reaches them already normalised (``formats.Normaliser``): the publisher sends its rows' values
in pickled batches down a pipe to a helper process (``processes.fresh_context``), which
writes ``data.xlsx`` and ``data.parquet`` into the version's working folder and answers
their sizes and hashes when the rows end. Both cores work at once; the bytes are the ones
the same writers give in the publishing process (``WholeFiles``, which a filtered download
uses, and which the helper runs).

This module imports nothing of the database layer, so the helper loads it and pyarrow and
nothing else. A helper that dies (killed, out of memory) breaks the pipe: the publisher
raises ``WriterFailed`` at its next batch or at the end, and the publish fails like any
other, its working folder removed and no version made. A publisher that dies closes its
end of the pipe, and the helper stops at its next read.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hromada.open_data.catalog.xlsx import XlsxWriter
from hromada.processes import fresh_context

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from hromada.open_data.catalog.model import TableSchema

_BUFFER = 1 << 20
XLSX = "data.xlsx"
PARQUET = "data.parquet"
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
# Table Schema types as the spreadsheet's cell kinds (``xlsx.CELL_WRITERS``); text otherwise.
_XLSX_KINDS = {"integer": "n", "number": "n", "boolean": "b", "datetime": "t", "date": "d"}
# Rows sent to the helper at once: large enough that a batch costs one pickle and one
# write, small enough that the publisher holds a few hundred kilobytes of them.
BATCH_ROWS = 2000
# How often a publisher waiting for the helper's answer checks that it still lives.
_ALIVE_EVERY = 0.5


@dataclass
class FileInfo:
    sha256: str
    bytes: int


class WriterFailed(RuntimeError):
    """The process writing the spreadsheet and Parquet files stopped or failed."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_BUFFER):
            digest.update(chunk)
    return digest.hexdigest()


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


@dataclass(frozen=True)
class Spec:
    """What the whole files of one folder are: plain values, so a helper needs no model."""

    directory: Path
    names: tuple[str, ...]
    types: tuple[str, ...]  # Table Schema types, in column order
    sheet_title: str
    xlsx: bool
    parquet: pa.Schema | None

    @classmethod
    def of(cls, schema: TableSchema, sheet_title: str, directory: Path, wanted: set[str]) -> Spec:
        return cls(
            directory=directory,
            names=tuple(schema.names),
            types=tuple(f.type for f in schema.fields),
            sheet_title=sheet_title,
            xlsx="xlsx" in wanted,
            parquet=arrow_schema(schema) if "parquet" in wanted else None,
        )

    @property
    def any(self) -> bool:
        return self.xlsx or self.parquet is not None


class ParquetPart:
    """Columns of the rows since the last row group, written out every ``PARQUET_ROW_GROUP``."""

    def __init__(self, types: Sequence[str], schema: pa.Schema, path: Path) -> None:
        self._types = list(types)
        self._schema = schema
        self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")
        self._columns: list[list[Any]] = [[] for _ in self._types]
        self.path = path

    def add_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        """Rows of normalised values; a row group ends after every ``PARQUET_ROW_GROUP``
        rows, wherever the batches end."""
        start = 0
        while start < len(rows):
            room = PARQUET_ROW_GROUP - len(self._columns[0])
            chunk = rows[start : start + room]
            start += len(chunk)
            for column, values in zip(self._columns, zip(*chunk, strict=True), strict=True):
                column.extend(values)
            if len(self._columns[0]) >= PARQUET_ROW_GROUP:
                self.flush()

    def flush(self) -> None:
        if self._columns and self._columns[0]:
            arrays = [
                _arrow_array(kind, column, field.type)
                for kind, column, field in zip(
                    self._types, self._columns, self._schema, strict=True
                )
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


def _arrow_array(kind: str, values: list[Any], arrow_type: pa.DataType) -> pa.Array:
    """A column of normalised values as its Parquet type, converted by Arrow in one call.
    (``pyarrow.compute`` is imported with this module, not at the first cast: it makes its
    functions when imported, a second or two that a helper forked from a server that
    loaded this module does not pay.)"""
    if kind in ("datetime", "date"):
        # ISO 8601 text (a moment with Z, a day): Arrow reads it as ``fromisoformat`` would.
        return pc.cast(pa.array(values, pa.string()), arrow_type)
    if kind == "number" and not all(v is None or type(v) is float for v in values):
        # Decimals and integers (Arrow refuses an integer a double cannot hold exactly).
        values = [None if v is None else float(v) for v in values]
    return pa.array(values, type=arrow_type)


class WholeFiles:
    """The spreadsheet and Parquet files, written in this process: ``add`` each row's
    normalised values, ``close`` for their sizes and hashes by format."""

    def __init__(self, spec: Spec) -> None:
        self._xlsx_path = spec.directory / XLSX
        self._xlsx = (
            XlsxWriter(
                self._xlsx_path,
                spec.names,
                spec.sheet_title,
                [_XLSX_KINDS.get(t, "s") for t in spec.types],
            )
            if spec.xlsx
            else None
        )
        self._parquet = (
            ParquetPart(spec.types, spec.parquet, spec.directory / PARQUET)
            if spec.parquet is not None
            else None
        )

        self._batch: list[list[Any]] = []

    def add(self, values: list[Any]) -> None:
        self._batch.append(values)
        if len(self._batch) >= BATCH_ROWS:
            self.add_rows(self._batch)
            self._batch = []

    def add_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        if self._xlsx is not None:
            self._xlsx.write_rows(rows)
        if self._parquet is not None:
            self._parquet.add_rows(rows)

    def close(self) -> dict[str, FileInfo]:
        if self._batch:
            self.add_rows(self._batch)
            self._batch = []
        files: dict[str, FileInfo] = {}
        if self._xlsx is not None:
            self._xlsx.close()
            files["xlsx"] = FileInfo(sha256_of(self._xlsx_path), self._xlsx_path.stat().st_size)
        if self._parquet is not None:
            files["parquet"] = self._parquet.close()
        return files

    def abort(self) -> None:
        if self._parquet is not None:
            self._parquet.abort()
        if self._xlsx is not None:
            with contextlib.suppress(Exception):  # the folder is thrown away anyway
                self._xlsx.close()


class WholeFilesProcess:
    """``WholeFiles`` in a helper process, with the same three calls: rows are sent in
    batches (the pipe's own buffer is what lets the two sides run at once), and ``close``
    waits for the helper's answer."""

    def __init__(self, spec: Spec) -> None:
        context = fresh_context([__name__])
        self._conn, theirs = context.Pipe()
        self._process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(theirs, spec), name="hromada-whole-files", daemon=True
        )
        self._process.start()
        theirs.close()  # the helper holds the other end; a dead helper then breaks the pipe
        self._batch: list[list[Any]] = []

    def add(self, values: list[Any]) -> None:
        self._batch.append(values)
        if len(self._batch) >= BATCH_ROWS:
            self._send()

    def _send(self) -> None:
        data = pickle.dumps(self._batch, protocol=pickle.HIGHEST_PROTOCOL)
        self._batch = []
        try:
            self._conn.send_bytes(data)
        except OSError:  # BrokenPipeError, ConnectionResetError: the helper is gone
            raise self._failure() from None

    def close(self) -> dict[str, FileInfo]:
        if self._batch:
            self._send()
        try:
            self._conn.send_bytes(b"")  # no more rows
            while not self._conn.poll(_ALIVE_EVERY):
                if not self._process.is_alive():
                    raise self._failure()
            answer, value = self._conn.recv()
        except (OSError, EOFError):
            raise self._failure() from None
        finally:
            self._conn.close()
        self._process.join()
        if answer != "done":
            raise WriterFailed(f"writing the spreadsheet and Parquet files failed: {value}")
        files: dict[str, FileInfo] = value
        return files

    def abort(self) -> None:
        """Stop the helper, whatever it was doing (its files are thrown away)."""
        self._conn.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join()

    def _failure(self) -> WriterFailed:
        """What became of a helper whose pipe broke: an error it sent, or its end."""
        with contextlib.suppress(OSError, EOFError, ValueError):
            if not self._conn.closed and self._conn.poll(0):
                answer, value = self._conn.recv()
                if answer == "failed":
                    return WriterFailed(
                        f"writing the spreadsheet and Parquet files failed: {value}"
                    )
        self._process.join(5)
        return WriterFailed(
            "the process writing the spreadsheet and Parquet files stopped "
            f"(exit code {self._process.exitcode})"
        )


def _serve(conn: Connection, spec: Spec) -> None:
    """The helper: batches of rows until an empty message, then the files' sizes and hashes."""
    writer = WholeFiles(spec)
    try:
        while data := conn.recv_bytes():
            writer.add_rows(pickle.loads(data))  # noqa: S301 - from the process that started it
        files = writer.close()
    except EOFError:  # the publisher is gone: nothing waits for these files
        writer.abort()
        return
    except Exception as exc:
        writer.abort()
        with contextlib.suppress(OSError):
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("done", files))
