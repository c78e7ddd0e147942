"""One bound on every value a client sends that is parsed into a number or a time.

Python parses more than a database stores: ``int("9" * 40)`` is fine until
PostgreSQL's ``integer`` overflows, ``"³".isdigit()`` is true but ``int("³")``
fails, and ``0001-01-01T00:00:00+14:00`` is a valid time whose UTC form lies
before year 1. Every transport parses keys and times through these functions,
so such values are a clear 422 (or a 404 for a key that cannot exist), never
a 500 from deep inside a query.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import zipfile
from decimal import Decimal
from typing import IO, Any

from hromada.errors import FileRefused

# Row keys are 32-bit serials: a bigger number is no row of ours.
MAX_KEY_INT = 2**31 - 1

# Wide enough for any open range a client writes ("from 2999 on" finds nothing, as it
# should), narrow enough that moving to UTC or adding a day never leaves year 1..9999.
EARLIEST = dt.datetime(1000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
_MAX_TIME_TEXT = 40


def parse_key_int(text: str) -> int | None:
    """``text`` as a row key (ASCII digits, 1..MAX_KEY_INT), or None when it cannot be one."""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_KEY_INT else None


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 date or time (``Z`` allowed; without a zone it is UTC) as an aware UTC
    datetime within [EARLIEST, LATEST); ``ValueError`` for anything else."""
    text = text.strip()
    if not text or len(text) > _MAX_TIME_TEXT or not text.isascii():
        raise ValueError("not an ISO 8601 time")
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        moment = moment.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("time out of range") from None
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"time outside {EARLIEST.year}..{LATEST.year - 1}")
    return moment


def in_range(moment: dt.datetime) -> bool:
    """Whether an already parsed time lies within the bounds (for values from GraphQL)."""
    try:
        utc = moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    except OverflowError:
        return False
    return EARLIEST <= utc < LATEST


# Deeper than any request body this API reads (a GraphQL request, CKAN arguments).
MAX_JSON_DEPTH = 32


def load_json(data: str | bytes, *, exact: bool = False) -> Any:
    """A JSON request body, refused with ``json.JSONDecodeError`` (a ``ValueError``) when it
    is not UTF-8, not JSON, or nested deeper than :data:`MAX_JSON_DEPTH`: the parser's own
    recursion limit or a later walk over the value must not turn into a 500. ``exact``
    reads fractions as ``Decimal`` (money: 0.1 stays 0.1)."""
    text = data if isinstance(data, str) else _utf8(data)
    try:
        value = json.loads(text, parse_float=Decimal if exact else None)
    except RecursionError:
        raise json.JSONDecodeError("JSON nested too deeply", text[:0], 0) from None
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise json.JSONDecodeError(f"JSON nested deeper than {MAX_JSON_DEPTH}", "", 0)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return value


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise json.JSONDecodeError(f"body is not UTF-8 ({error.reason})", "", error.start) from None


# ---------------------------------------------------------------------------
# Spreadsheets: an XLSX file is a zip archive, checked on its directory before anything
# is inflated, so a zip bomb or a sheet too big to read in bounded time is refused.

ZIP_MAGIC = b"PK\x03\x04"
XLSX_MAX_UNPACKED = 2 * 1024**3  # every entry together, inflated
XLSX_MAX_SHARED_STRINGS = 256 * 1024**2  # openpyxl holds the shared strings in memory
XLSX_MAX_RATIO = 200  # inflated / deflated, for an entry over a megabyte
XLSX_MAX_ENTRIES = 1000
XLSX_MAX_ROWS = 1_048_576  # Excel's own limit
XLSX_MAX_COLUMNS = 64

_SPOOL_IN_MEMORY = 8 * 1024**2
_CHUNK = 64 * 1024


def check_xlsx_archive(binary: IO[bytes]) -> None:
    """Refuse a zip that is not a workbook or would inflate past ``XLSX_*`` bounds."""
    try:
        with zipfile.ZipFile(binary) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise FileRefused("the file is not an XLSX workbook (not a readable zip archive)") from None
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        raise FileRefused("the file is a zip archive but not an XLSX workbook (no xl/workbook.xml)")
    if len(entries) > XLSX_MAX_ENTRIES:
        raise FileRefused(f"the workbook has more than {XLSX_MAX_ENTRIES} parts")
    unpacked = sum(e.file_size for e in entries)
    if unpacked > XLSX_MAX_UNPACKED:
        raise FileRefused(
            f"the workbook would inflate to {unpacked:,} bytes (more than "
            f"{XLSX_MAX_UNPACKED:,}): split it, or export CSV"
        )
    for entry in entries:
        if entry.file_size > 1024**2 and entry.file_size > XLSX_MAX_RATIO * max(
            entry.compress_size, 1
        ):
            raise FileRefused(
                f"the workbook part {entry.filename[:60]!r} inflates more than "
                f"{XLSX_MAX_RATIO} times: refused as a zip bomb"
            )
        if entry.filename == "xl/sharedStrings.xml" and entry.file_size > XLSX_MAX_SHARED_STRINGS:
            raise FileRefused(
                f"the workbook's shared strings take {entry.file_size:,} bytes (more than "
                f"{XLSX_MAX_SHARED_STRINGS:,}): split it, or export CSV"
            )


def seekable(binary: IO[bytes]) -> IO[bytes]:
    if binary.seekable():
        return binary
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - its reader's
    while chunk := binary.read(_CHUNK):
        spool.write(chunk)
    spool.seek(0)
    return spool
