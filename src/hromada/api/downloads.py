"""Streaming an immutable file: ETag, Last-Modified, conditional GET, gzip, byte ranges.

Everything that can fail (404, 304, 416) is decided before the ``Stream`` is
returned: once streaming starts the status is fixed. The file is opened
before the response starts, so a version published meanwhile cannot change
what this response sends.

Byte ranges (RFC 9110 section 14) let ``curl -C -`` and ``wget -c`` resume a
100 MB download on a bad mobile link. One range is served as 206; several
ranges in one request are answered with the whole file (the RFC allows a
server to ignore ``Range``, and no download client asks for several). A
range is always of the identity encoding: a client resuming wants the bytes
of the file, not of one gzip stream.
"""

from __future__ import annotations

import csv
import datetime
import email.utils
import io
import re
import tempfile
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import IO, Any

import anyio.to_thread
from litestar import Request, Response
from litestar.response import Stream

from hromada.api.conditional import etag_matches, is_head
from hromada.api.errors import problem
from hromada.errors import InvalidInput
from hromada.open_data.catalog.formats import SEPARATORS, semicolon_csv
from hromada.open_data.catalog.parts import StoredFile
from hromada.open_data.catalog.xlsx import XlsxWriter

CHUNK = 256 * 1024
BOM = b"\xef\xbb\xbf"
# Rewrites a file as it streams: the file in, the bytes to send out, chunk by chunk.
Transform = Callable[[IO[bytes]], Iterator[bytes]]


SEP_DESCRIPTION = (
    "CSV only: comma (the published file, byte for byte) or semicolon (for Excel where the "
    "list separator is ';', as in the Ukrainian locale: ';' between cells, a UTF-8 BOM)"
)


def separator(fmt: str, sep: str) -> tuple[Transform | None, str]:
    """What ``?sep=`` asks of a download: the file as published (``comma``), or the CSV
    for Excel with ';' (``semicolon``: ``catalog.formats.semicolon_csv``)."""
    if sep not in SEPARATORS:
        raise InvalidInput(f"unknown sep {sep[:20]!r}: use {' or '.join(SEPARATORS)}")
    if sep == "comma":
        return None, ""
    if fmt != "csv":
        raise InvalidInput(f"sep={sep} is for CSV downloads, not {fmt}")
    return semicolon_csv, sep


def base_url(request: Request[Any, Any, Any]) -> str:
    settings = request.app.state["settings"]
    if settings.public_url:
        return str(settings.public_url).rstrip("/")
    return str(request.base_url).rstrip("/")


def http_date(moment: datetime.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(datetime.UTC), usegmt=True)


_RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")


class Unsatisfiable(Exception):
    """A single byte range that starts past the end of the file."""


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The one byte range asked for, as (first, last) inclusive; None means the whole file.

    A header that is not a single well-formed ``bytes=`` range is ignored, as
    RFC 9110 says; a well-formed one that cannot be met raises ``Unsatisfiable``.
    """
    match = _RANGE.fullmatch(header.strip().replace(" ", ""))
    if match is None:
        return None
    first_s, last_s = match.groups()
    if not first_s:
        if not last_s:
            return None
        suffix = int(last_s)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - suffix), size - 1
    first = int(first_s)
    last = int(last_s) if last_s else None
    if last is not None and last < first:
        return None
    if first >= size:
        raise Unsatisfiable
    if last is None:
        last = size - 1
    return first, min(last, size - 1)


def _if_range_holds(header: str, etag: str, last_modified: datetime.datetime) -> bool:
    value = header.strip()
    if value.startswith(('"', "W/")):
        # If-Range needs a strong match: a weak tag never validates a range.
        return not value.startswith("W/") and value == etag
    try:
        since = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return False
    if since is None:
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=datetime.UTC)
    return last_modified.replace(microsecond=0) == since


def _not_modified_since(header: str, last_modified: datetime.datetime) -> bool:
    try:
        since = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since is None:
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=datetime.UTC)
    return last_modified.replace(microsecond=0) <= since


def accepts_gzip(request: Request[Any, Any, Any]) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


async def _nothing() -> AsyncIterator[bytes]:
    empty: tuple[bytes, ...] = ()
    for chunk in empty:  # an async generator that yields nothing (a HEAD's empty body)
        yield chunk


async def _transformed(handle: IO[bytes], transform: Transform, gzip: bool) -> AsyncIterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31) if gzip else None
    chunks = transform(handle)
    done = object()
    try:
        while True:
            chunk = await anyio.to_thread.run_sync(next, chunks, done)
            if chunk is done:
                break
            assert isinstance(chunk, bytes)
            out = compressor.compress(chunk) if compressor else chunk
            if out:
                yield out
        if compressor is not None:
            yield compressor.flush()
    finally:
        handle.close()


async def _chunks(
    handle: IO[bytes], prefix: bytes, gzip: bool, remaining: int | None = None
) -> AsyncIterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31) if gzip else None
    try:
        if prefix:
            yield compressor.compress(prefix) if compressor else prefix
        while remaining is None or remaining > 0:
            size = CHUNK if remaining is None else min(CHUNK, remaining)
            chunk = await anyio.to_thread.run_sync(handle.read, size)
            if not chunk:
                break
            if remaining is not None:
                remaining -= len(chunk)
            if compressor is None:
                yield chunk
            else:
                out = compressor.compress(chunk)
                if out:
                    yield out
        if compressor is not None:
            yield compressor.flush()
    finally:
        handle.close()


async def _stored_gzip(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    done = object()
    while True:
        chunk = await anyio.to_thread.run_sync(next, chunks, done)
        if chunk is done:
            return
        assert isinstance(chunk, bytes)
        yield chunk


def file_response(
    request: Request[Any, Any, Any],
    file: StoredFile | Path,
    *,
    sha256: str,
    last_modified: datetime.datetime,
    media_type: str,
    filename: str,
    immutable: bool,
    bom: bool = False,
    transform: Transform | None = None,
    variant: str = "",
) -> Response[Any]:
    """``transform`` rewrites the file as it streams (``variant`` names it in the ETag);
    such a response has no length known in advance and no byte ranges. A file kept as
    parts is sent gzip-encoded as stored (``catalog.parts``): no compression per request."""
    stored = file if isinstance(file, StoredFile) else StoredFile(file.parent, file.name)
    range_header = request.headers.get("range") if transform is None else None
    gzip = accepts_gzip(request) and range_header is None
    etag = (
        '"'
        + sha256
        + ("-bom" if bom else "")
        + (f"-{variant}" if variant else "")
        + ("-gzip" if gzip else "")
        + '"'
    )
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Vary": "Accept-Encoding",
        "Cache-Control": "public, max-age=31536000, immutable" if immutable else "no-cache",
        "Accept-Ranges": "bytes" if transform is None else "none",
    }
    if_none_match = request.headers.get("if-none-match")
    if_modified_since = request.headers.get("if-modified-since")
    if (if_none_match is not None and etag_matches(if_none_match, etag)) or (
        if_none_match is None
        and if_modified_since is not None
        and _not_modified_since(if_modified_since, last_modified)
    ):
        return Response(content=b"", status_code=304, headers=headers)
    prefix = BOM if bom else b""
    size = stored.size + len(prefix)
    wanted: tuple[int, int] | None = None
    if range_header is not None:
        if_range = request.headers.get("if-range")
        if if_range is None or _if_range_holds(if_range, etag, last_modified):
            try:
                wanted = parse_range(range_header, size)
            except Unsatisfiable:
                return problem(
                    416,
                    f"the range {range_header[:100]!r} starts past the end of the file "
                    f"({size} bytes)",
                    request=request,
                    headers={**headers, "Content-Range": f"bytes */{size}"},
                )
    headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    status = 200
    if transform is not None:
        if gzip:
            headers["Content-Encoding"] = "gzip"
        if is_head(request.scope):
            return Stream(_nothing(), media_type=media_type, headers=headers)
        return Stream(
            _transformed(stored.open(), transform, gzip), media_type=media_type, headers=headers
        )
    stored_gzip = stored.gzip_size if gzip and not prefix else None
    if gzip:
        headers["Content-Encoding"] = "gzip"
        if stored_gzip is not None:
            headers["Content-Length"] = str(stored_gzip)
    elif wanted is None:
        headers["Content-Length"] = str(size)
    else:
        first, last = wanted
        status = 206
        headers["Content-Length"] = str(last - first + 1)
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    if is_head(request.scope):
        return Stream(_nothing(), status_code=status, media_type=media_type, headers=headers)
    if stored_gzip is not None:
        return Stream(_stored_gzip(stored.gzip_chunks()), media_type=media_type, headers=headers)
    handle = stored.open()
    if wanted is None:
        return Stream(_chunks(handle, prefix, gzip), media_type=media_type, headers=headers)
    first, last = wanted
    head_part = prefix[first : last + 1]
    offset = max(0, first - len(prefix))
    remaining = last + 1 - max(first, len(prefix))
    handle.seek(offset)
    return Stream(
        _chunks(handle, head_part, False, max(0, remaining)),
        status_code=206,
        media_type=media_type,
        headers=headers,
    )


def table_bytes(fmt: str, header: list[str], rows: list[list[Any]]) -> bytes:
    """A small table (a statistics answer) as CSV (UTF-8 with a BOM, for Excel) or XLSX,
    written whole: it is bounded by the answer it comes from."""
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return "\ufeff".encode() + text.getvalue().encode()
    with tempfile.TemporaryDirectory(prefix="hromada-table-") as folder:
        path = Path(folder) / "table.xlsx"
        sheet = XlsxWriter(path, header, sheet_title="stats")
        for row in rows:
            sheet.write_row(row)
        sheet.close()
        return path.read_bytes()
