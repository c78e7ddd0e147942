"""Receiving an uploaded file: the raw request body, or one file of a multipart form.

Staff send a file the way their tool does: a script posts the file as the body
(``curl --data-binary``), a browser form or Postman sends ``multipart/form-data``
with a file field and perhaps a ``format`` field. Either way the bytes are spooled
(memory, then disk) under a size cap while they arrive, and nothing is handed on
until the whole request has been read and found well-formed: a broken or hostile
upload is refused before the import starts, so it writes nothing.

The multipart parser is ``multipart`` (the one Litestar uses), in strict mode, with
limits on headers, parts and field sizes; Litestar's ``request.form()`` is not used
because it has no size cap of its own.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import IO, Any

from litestar import Request
from litestar.exceptions import HTTPException
from multipart import (
    MultipartError,
    MultipartSegment,
    ParserLimitReached,
    PushMultipartParser,
)

from hromada.errors import InvalidInput, TooLarge

SPOOL_IN_MEMORY = 8 * 1024 * 1024
MAX_PARTS = 8  # one file and a few small fields
MAX_FIELD_BYTES = 1024  # a form field (not the file) is a short option such as the format
FORM_OVERHEAD = MAX_PARTS * (MAX_FIELD_BYTES + 5 * 1024)  # boundaries, part headers, fields
# RFC 2046 §5.1.1: 1 to 70 characters from this set, not ending in a space.
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
# Media types that are never an appeals file; anything else is left to the format's own checks.
# (``application/x-www-form-urlencoded`` is not among them: it is what ``curl --data-binary``
# labels a file with unless told otherwise.)
_NEVER_A_FILE = ("image/", "audio/", "video/", "font/", "model/", "multipart/")


@dataclass
class Upload:
    """The received file (positioned at its start) and what the request said about it."""

    file: IO[bytes]
    filename: str | None = None
    content_type: str | None = None
    # Form fields other than the file (multipart only), by name.
    fields: dict[str, str] = field(default_factory=dict)


def _unsupported(detail: str) -> HTTPException:
    return HTTPException(status_code=415, detail=detail)


def _refuse_media_type(media_type: str, *, what: str) -> None:
    if media_type.startswith(_NEVER_A_FILE):
        raise _unsupported(
            f"{what} is {media_type}, which is not an appeals file: send the file as the body, "
            "or as the file field of a multipart/form-data form"
        )


async def _capped(request: Request[Any, Any, Any], cap: int) -> AsyncIterator[bytes]:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise TooLarge(f"the upload is larger than {cap} bytes")
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise TooLarge(f"the upload is larger than {cap} bytes")
        yield chunk


async def receive(request: Request[Any, Any, Any], *, max_bytes: int) -> Upload:
    """The file of ``request``, at most ``max_bytes``, spooled; the caller closes it.

    Raises ``TooLarge`` (413), ``InvalidInput`` (422) for a malformed form, and a
    415 for a media type that cannot be an appeals file.
    """
    media_type, options = request.content_type
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - the caller closes it
    try:
        if media_type == "multipart/form-data":
            upload = await _receive_form(request, options.get("boundary"), spool, max_bytes)
        else:
            _refuse_media_type(media_type, what="the body")
            async for chunk in _capped(request, max_bytes):
                spool.write(chunk)
            upload = Upload(spool, content_type=media_type or None)
        spool.seek(0)
        return upload
    except BaseException:
        spool.close()
        raise


async def _receive_form(
    request: Request[Any, Any, Any], boundary: str | None, spool: IO[bytes], max_bytes: int
) -> Upload:
    if not boundary:
        raise InvalidInput("a multipart/form-data body needs a boundary in its Content-Type")
    if not _BOUNDARY.fullmatch(boundary):
        raise InvalidInput(
            "the multipart boundary is not valid (1 to 70 letters, digits or '()+_,-./:=? ')"
        )
    upload = Upload(spool)
    files = 0
    file_bytes = 0
    segment: MultipartSegment | None = None
    in_file = False
    value = bytearray()
    parser = PushMultipartParser(
        boundary,
        max_header_size=4096,
        max_header_count=8,
        max_segment_count=MAX_PARTS,
        strict=True,
    )
    try:
        async for chunk in _capped(request, max_bytes + FORM_OVERHEAD):
            for event in parser.parse(chunk):
                if isinstance(event, MultipartSegment):
                    segment = event
                    if segment.disposition != "form-data" or not segment.name:
                        raise InvalidInput("every part of the form needs a form-data field name")
                    in_file = segment.filename is not None
                    if in_file:
                        files += 1
                        if files > 1:
                            raise InvalidInput(
                                "the form carries more than one file: send one appeals file "
                                "per import"
                            )
                        if segment.content_type:
                            _refuse_media_type(segment.content_type, what="the file")
                        upload.filename = segment.filename
                        upload.content_type = segment.content_type
                    value.clear()
                elif event:
                    if in_file:
                        file_bytes += len(event)
                        if file_bytes > max_bytes:
                            raise TooLarge(f"the file is larger than {max_bytes} bytes")
                        spool.write(event)
                    else:
                        value += event
                        if len(value) > MAX_FIELD_BYTES:
                            name = segment.name if segment else ""
                            raise InvalidInput(
                                f"the form field {name!r} is longer than {MAX_FIELD_BYTES} "
                                "bytes (is the file sent without a filename?)"
                            )
                elif segment is not None:
                    if not in_file:
                        if segment.name in upload.fields:
                            raise InvalidInput(f"the form names the field {segment.name!r} twice")
                        try:
                            upload.fields[segment.name] = value.decode("utf-8").strip()
                        except UnicodeDecodeError:
                            raise InvalidInput(
                                f"the form field {segment.name!r} is not UTF-8 text"
                            ) from None
                    segment = None
        for _ in parser.parse(b""):  # the end of the body: the form must be complete
            pass
    except ParserLimitReached as exc:
        raise InvalidInput(f"the multipart form is too complex ({exc})") from None
    except MultipartError as exc:
        raise InvalidInput(f"the body is not a well-formed multipart form ({exc})") from None
    if not parser.closed or parser.error is not None:
        raise InvalidInput("the multipart form ends before its closing boundary")
    if files == 0:
        raise InvalidInput(
            "the form carries no file: add the appeals file as a file field "
            "(Content-Disposition with a filename)"
        )
    return upload
