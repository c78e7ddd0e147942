"""Streaming an immutable file: ETag, Last-Modified, conditional GET, gzip on request.

Everything that can fail (404, 304) is decided before the ``Stream`` is
returned: once streaming starts the status is fixed. The file is opened
before the response starts, so a version published meanwhile cannot change
what this response sends.
"""

from __future__ import annotations

import datetime
import email.utils
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any

import anyio.to_thread
from litestar import Request, Response
from litestar.response import Stream

CHUNK = 256 * 1024
BOM = b"\xef\xbb\xbf"


def base_url(request: Request[Any, Any, Any]) -> str:
    settings = request.app.state["settings"]
    if settings.public_url:
        return str(settings.public_url).rstrip("/")
    return str(request.base_url).rstrip("/")


def http_date(moment: datetime.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(datetime.UTC), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


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


async def _chunks(handle: IO[bytes], prefix: bytes, gzip: bool) -> AsyncIterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31) if gzip else None
    try:
        if prefix:
            yield compressor.compress(prefix) if compressor else prefix
        while True:
            chunk = await anyio.to_thread.run_sync(handle.read, CHUNK)
            if not chunk:
                break
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


def file_response(
    request: Request[Any, Any, Any],
    path: Path,
    *,
    sha256: str,
    last_modified: datetime.datetime,
    media_type: str,
    filename: str,
    immutable: bool,
    bom: bool = False,
) -> Response[Any]:
    gzip = accepts_gzip(request)
    etag = '"' + sha256 + ("-bom" if bom else "") + ("-gzip" if gzip else "") + '"'
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Vary": "Accept-Encoding",
        "Cache-Control": "public, max-age=31536000, immutable" if immutable else "no-cache",
    }
    if_none_match = request.headers.get("if-none-match")
    if_modified_since = request.headers.get("if-modified-since")
    if (if_none_match is not None and _etag_matches(if_none_match, etag)) or (
        if_none_match is None
        and if_modified_since is not None
        and _not_modified_since(if_modified_since, last_modified)
    ):
        return Response(content=b"", status_code=304, headers=headers)
    handle = open(path, "rb")  # noqa: SIM115 - closed by the stream
    prefix = BOM if bom else b""
    headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if gzip:
        headers["Content-Encoding"] = "gzip"
    else:
        headers["Content-Length"] = str(path.stat().st_size + len(prefix))
    return Stream(_chunks(handle, prefix, gzip), media_type=media_type, headers=headers)
