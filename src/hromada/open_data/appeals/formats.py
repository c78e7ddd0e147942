"""Readers for the three appeal sources, streamed in bounded memory.

Every reader turns a binary stream into ``Record``s: the line a record starts
on and its fields under hromada's canonical names, still as the source wrote
them. Checking values is the importer's job; a reader only refuses a file
that is not what it claims to be (binary, not UTF-8, a header that is not an
appeals header, a line or record longer than ``MAX_RECORD_CHARS``), by
raising :class:`FileRefused`.

Formats:

``csv``            hromada's CSV (UTF-8 with or without BOM, comma or semicolon)
``xlsx``           the same columns in the first sheet of an Excel workbook
``jsonl``          hromada's JSON Lines, one appeal object per line
``kyiv1551-api``   Kyiv 1551 open-data API: the monthly JSON array (or JSON Lines)
``kyiv1551-2015``  the 2013–2015 scrape of the 1551 portal (CSV)
``auto``           decided from the first bytes and the header

An XLSX file is a zip archive: it is opened only after its directory was checked
against ``XLSX_LIMITS`` (a zip bomb or a sheet too big to read in bounded time is
refused before a byte is inflated), then read with openpyxl in read-only mode (with
defusedxml, so no DTD tricks), one row at a time.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from hromada.bounds import (
    XLSX_MAX_COLUMNS,
    XLSX_MAX_ROWS,
    ZIP_MAGIC,
    check_xlsx_archive,
    load_json,
    seekable,
)
from hromada.errors import FileRefused, InvalidInput

FORMATS = ("auto", "csv", "xlsx", "jsonl", "kyiv1551-api", "kyiv1551-2015")
MAX_RECORD_CHARS = 200_000
SNIFF_BYTES = 64 * 1024

COLUMNS = (
    "id",
    "received_at",
    "channel",
    "category",
    "district",
    "address",
    "text",
    "status",
    "executor",
    "deadline_at",
    "resolved_at",
    "confidential",
    "lat",
    "lon",
    "answer",
)
REQUIRED = ("id", "received_at")
# Without these an appeal cannot be placed in a district, counted by category or followed
# by status: a header-based file (CSV) lacking any of them is refused unless the caller
# allows it explicitly (``allow_missing``).
USEFUL = ("district", "category", "status")

# Header names a city's export may use, folded by ``_header_key``.
HEADER_ALIASES: dict[str, str] = {
    **{c: c for c in COLUMNS},
    "category_group": "category_group",
    "номер": "id",
    "ід": "id",
    "№": "id",
    "номер_звернення": "id",
    "дата_надходження": "received_at",
    "надійшло": "received_at",
    "дата_звернення": "received_at",
    "канал": "channel",
    "канал_надходження": "channel",
    "категорія": "category",
    "група": "category_group",
    "район": "district",
    "адреса": "address",
    "текст": "text",
    "зміст": "text",
    "текст_звернення": "text",
    "статус": "status",
    "виконавець": "executor",
    "термін": "deadline_at",
    "термін_виконання": "deadline_at",
    "контрольна_дата": "deadline_at",
    "дата_виконання": "resolved_at",
    "вирішено": "resolved_at",
    "дата_вирішення": "resolved_at",
    "конфіденційне": "confidential",
    "конфіденційно": "confidential",
    "конфіденційність": "confidential",
    "широта": "lat",
    "довгота": "lon",
    "відповідь": "answer",
}

KYIV_2015_HEADER = ("CallCode", "CallDate", "CallZType", "CallZText")
KYIV_API_KEYS = ("receivedDateTime", "accrualMethod", "organizationName")


@dataclass
class Record:
    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    # A problem found while reading this one record (bad JSON, wrong field count).
    problem: str | None = None


def _header_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().strip('"').lower())


# ---------------------------------------------------------------------------
# Opening: gzip, binary and encoding checks


def _rewound(binary: IO[bytes], head: bytes) -> IO[bytes]:
    """``binary`` from its start again, after ``head`` was read from it."""
    if binary.seekable():
        binary.seek(binary.tell() - len(head))
        return binary
    return io.BufferedReader(_Prefixed(head, binary))


def open_text(binary: IO[bytes]) -> tuple[IO[str], bytes]:
    """A text stream over ``binary`` (gzip is unpacked) and its first bytes.

    Works on streams that cannot seek (an upload): the sniffed bytes are put
    back in front of the rest.
    """
    head = _read_up_to(binary, 2)
    stream: Any = _Prefixed(head, binary)
    if head == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=stream, mode="rb")
    sniff = _read_up_to(stream, SNIFF_BYTES)
    if not sniff.strip():
        raise FileRefused("the file is empty")
    if _looks_binary(sniff):
        raise FileRefused("the file is binary (it is full of control bytes), not CSV, JSON or XLSX")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sniff, final=False)
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"the file is not UTF-8 text (undecodable byte at offset {exc.start}); from Excel, "
            'save it as "CSV UTF-8" or upload the .xlsx itself'
        ) from None
    except (OSError, EOFError) as exc:
        raise FileRefused(f"the file cannot be read: {exc}") from None
    buffered = io.BufferedReader(_Prefixed(sniff, stream), buffer_size=SNIFF_BYTES)
    text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="strict", newline="")
    return text, sniff


_CONTROL_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13)) + b"\x7f"


def _looks_binary(sniff: bytes) -> bool:
    """Text has at most a stray control byte (real exports do have a few NULs)."""
    controls = len(sniff) - len(sniff.translate(None, _CONTROL_BYTES))
    return controls > max(8, len(sniff) // 200)


def _read_up_to(stream: IO[bytes], size: int) -> bytes:
    parts = []
    while size > 0:
        try:
            data = stream.read(size)
        except (OSError, EOFError) as exc:
            raise FileRefused(f"the file cannot be read: {exc}") from None
        if not data:
            break
        parts.append(data)
        size -= len(data)
    return b"".join(parts)


class _Prefixed(io.RawIOBase):
    """``prefix`` then the rest of ``stream``; closing it leaves ``stream`` open."""

    def __init__(self, prefix: bytes, stream: IO[bytes]) -> None:
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        try:
            data = self._stream.read(len(buffer))
        except (OSError, EOFError) as exc:
            raise FileRefused(f"the file cannot be read: {exc}") from None
        n = len(data)
        buffer[:n] = data
        return n

    def tell(self) -> int:
        return self._stream.tell() - len(self._prefix)


# File name endings that are never an appeals file in a format hromada reads, and what to do.
_REFUSED_ENDINGS = {
    ".xls": "an Excel 97-2003 workbook: save it as .xlsx or as CSV UTF-8",
    ".ods": "an OpenDocument spreadsheet: save it as .xlsx or as CSV UTF-8",
    ".pdf": "a PDF document: export the appeals as CSV",
    ".doc": "a Word document: export the appeals as CSV",
    ".docx": "a Word document: export the appeals as CSV",
}


XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def format_of_upload(filename: str | None, media_type: str | None) -> str:
    """The format an upload's file name or media type implies: ``xlsx`` for a workbook,
    else ``auto`` (the first bytes decide between the text formats); a name that is
    never an appeals file is refused, saying what to send instead."""
    name = (filename or "").strip().lower().replace("\\", "/").rsplit("/", 1)[-1]
    for ending, reason in _REFUSED_ENDINGS.items():
        if name.endswith(ending):
            raise FileRefused(f"{filename!r} is {reason}")
    if name.endswith(".xlsx") or (media_type or "").lower() == XLSX_MEDIA_TYPE:
        return "xlsx"
    return "auto"


def format_of_form(
    asked: str, fields: dict[str, str], filename: str | None, media_type: str | None
) -> str:
    """The format to read an uploaded form's file in: ``asked`` (the query's) or the form's
    ``format`` field, else what the file's name says (``auto`` leaves it to the first
    bytes). The form takes the file and ``format`` alone: any other field is refused."""
    rest = dict(fields)
    form_format = rest.pop("format", None) or None
    if rest:
        raise InvalidInput(
            "unknown form field(s) "
            + ", ".join(repr(name[:40]) for name in rest)
            + ": the form takes the file and `format`; allow_rejects and allow_missing "
            "go in the query string"
        )
    if form_format and asked != "auto" and form_format != asked:
        raise InvalidInput(
            f"the query says format={asked!r} and the form {form_format!r}: send one"
        )
    chosen = form_format or asked
    if chosen not in FORMATS:
        raise InvalidInput(f"unknown format {chosen[:40]!r}: use one of {', '.join(FORMATS)}")
    named = format_of_upload(filename, media_type)
    return named if chosen == "auto" else chosen


def detect(sniff: bytes) -> str:
    text = sniff.decode("utf-8", errors="ignore").lstrip("\ufeff").lstrip()
    if text.startswith("["):
        return "kyiv1551-api"
    if text.startswith("{"):
        first = text.split("\n", 1)[0]
        return "kyiv1551-api" if any(f'"{k}"' in first for k in KYIV_API_KEYS) else "jsonl"
    header = text.split("\n", 1)[0]
    if all(name in header for name in KYIV_2015_HEADER):
        return "kyiv1551-2015"
    return "csv"


# ---------------------------------------------------------------------------
# Lines and records with a length cap


def capped_lines(text: IO[str], start_line: int = 1) -> Iterator[str]:
    """Physical lines (ends kept), refusing one longer than ``MAX_RECORD_CHARS``."""
    number = start_line
    while True:
        try:
            line = text.readline(MAX_RECORD_CHARS + 1)
        except UnicodeDecodeError:
            raise FileRefused(f"line {number} is not UTF-8 text") from None
        if not line:
            return
        if len(line) > MAX_RECORD_CHARS:
            raise FileRefused(
                f"line {number} is longer than {MAX_RECORD_CHARS} characters: not an appeals file"
            )
        if "\x00" in line:
            # Real exports carry a stray NUL inside a text now and then; a binary
            # file is caught by the sniff in ``open_text``.
            line = line.replace("\x00", "")
        number += 1
        yield line


def read(
    binary: IO[bytes], fmt: str = "auto", *, allow_missing: bool = False
) -> tuple[str, Iterator[Record]]:
    """The format actually read and the records of ``binary``.

    ``allow_missing`` accepts a CSV header without the ``USEFUL`` columns.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    head = _read_up_to(binary, len(ZIP_MAGIC))
    if fmt == "xlsx" or (fmt == "auto" and head == ZIP_MAGIC):
        return "xlsx", _read_xlsx(_rewound(binary, head), allow_missing=allow_missing)
    text, sniff = open_text(_rewound(binary, head))
    if fmt == "auto":
        fmt = detect(sniff)
    if fmt == "csv":
        records = _read_hromada_csv(text, allow_missing=allow_missing)
    elif fmt == "jsonl":
        records = _read_hromada_jsonl(text)
    elif fmt == "kyiv1551-2015":
        records = _read_kyiv_2015(text)
    else:
        records = _read_kyiv_api(text, sniff)
    return fmt, records


# ---------------------------------------------------------------------------
# hromada CSV and JSON Lines


def _csv_rows(text: IO[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    lines = capped_lines(text)
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    csv.field_size_limit(MAX_RECORD_CHARS)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileRefused(f"line {start}: not readable as CSV ({exc})") from None
        yield start, row


def _map_header(names: list[str], *, what: str, allow_missing: bool = True) -> list[str]:
    mapped = [HEADER_ALIASES.get(_header_key(n), "") for n in names]
    unknown = [n for n, m in zip(names, mapped, strict=True) if not m]
    missing = [c for c in REQUIRED if c not in mapped]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if unknown:
            shown = ", ".join(repr(u[:40]) for u in unknown[:5])
            parts.append(f"unknown {shown}" + (" …" if len(unknown) > 5 else ""))
        raise FileRefused(
            f"the {what} is not an appeals header ({'; '.join(parts)}); expected the columns "
            + ", ".join(COLUMNS)
        )
    seen: set[str] = set()
    for name in mapped:
        if name in seen:
            raise FileRefused(f"the {what} names the column {name!r} twice")
        seen.add(name)
    lacking = [c for c in USEFUL if c not in seen]
    if lacking and not allow_missing:
        raise FileRefused(
            f"the {what} lacks the column(s) {', '.join(lacking)}: without them an appeal "
            "cannot be placed in a district, counted by category or followed by status. Add "
            "them, or import anyway by allowing it explicitly (API: allow_missing=true, "
            "command line: --allow-missing)",
            errors=[{"where": what, "name": c, "message": "missing column"} for c in lacking],
        )
    return mapped


def _read_hromada_csv(text: IO[str], *, allow_missing: bool) -> Iterator[Record]:
    first = text.readline(MAX_RECORD_CHARS + 1)
    if len(first) > MAX_RECORD_CHARS:
        raise FileRefused(f"line 1 is longer than {MAX_RECORD_CHARS} characters")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=delimiter), [])
    columns = _map_header(header, what="header", allow_missing=allow_missing)
    width = len(columns)
    for line, row in _csv_rows(text, delimiter):
        line += 1  # the header was line 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            yield Record(line, problem=f"expected {width} fields, found {len(row)}")
            continue
        yield Record(line, dict(zip(columns, row, strict=True)))


def _read_hromada_jsonl(text: IO[str]) -> Iterator[Record]:
    checked = False
    for number, raw in enumerate(capped_lines(text), start=1):
        if not raw.strip():
            continue
        try:
            value = load_json(raw)
        except ValueError as exc:
            if not checked:
                raise FileRefused(f"line {number} is not JSON: {exc}") from None
            yield Record(number, problem=f"not JSON ({exc})")
            continue
        if not isinstance(value, dict):
            if not checked:
                raise FileRefused(f"line {number} is not a JSON object")
            yield Record(number, problem="not a JSON object")
            continue
        columns = _map_header([str(k) for k in value], what=f"object on line {number}")
        checked = True
        yield Record(number, dict(zip(columns, value.values(), strict=True)))


# ---------------------------------------------------------------------------
# XLSX: hromada's columns in the first sheet of a workbook


def _xlsx_cell(value: Any) -> Any:
    """A cell as the importer's checks take it: text stripped, numbers and dates kept."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)  # an id typed as a number: 1551.0 is "1551"
    return value


def _read_xlsx(binary: IO[bytes], *, allow_missing: bool) -> Iterator[Record]:
    import openpyxl  # only an XLSX import pays for it

    binary = seekable(binary)
    check_xlsx_archive(binary)
    binary.seek(0)
    try:
        workbook = openpyxl.load_workbook(binary, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise FileRefused(f"the XLSX workbook cannot be read ({type(exc).__name__})") from None
    return _xlsx_records(workbook, allow_missing=allow_missing)


def _xlsx_records(workbook: Any, *, allow_missing: bool) -> Iterator[Record]:
    try:
        if not workbook.worksheets:
            raise FileRefused("the workbook has no sheet")
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # a declared A1:XFD1048576 must not pad every row
        rows = sheet.iter_rows(values_only=True, max_col=XLSX_MAX_COLUMNS + 1)
        try:
            first = next(rows)
        except StopIteration:
            raise FileRefused("the first sheet of the workbook is empty") from None
        header = list(first)
        while header and (header[-1] is None or str(header[-1]).strip() == ""):
            header.pop()
        if len(header) > XLSX_MAX_COLUMNS:
            raise FileRefused(f"the first sheet has more than {XLSX_MAX_COLUMNS} columns")
        columns = _map_header(
            ["" if h is None else str(h) for h in header],
            what="header row of the first sheet",
            allow_missing=allow_missing,
        )
        width = len(columns)
        for number, row in enumerate(rows, start=2):
            if number > XLSX_MAX_ROWS:
                raise FileRefused(f"the first sheet has more than {XLSX_MAX_ROWS:,} rows")
            if row.count(None) == len(row):
                continue  # a gap in the sheet (openpyxl pads one): skipped at C speed
            cells = [_xlsx_cell(v) for v in row]
            extra = [v for v in cells[width:] if v not in (None, "")]
            cells = (cells + [None] * width)[:width]
            if not any(v not in (None, "") for v in cells) and not extra:
                continue
            if extra:
                yield Record(number, problem=f"values beyond the {width} header columns")
                continue
            yield Record(
                number,
                {c: (None if v == "" else v) for c, v in zip(columns, cells, strict=True)},
            )
    except FileRefused:
        raise
    except Exception as exc:  # a broken sheet surfaces while iterating (XML, zip, values)
        raise FileRefused(f"the XLSX workbook cannot be read ({type(exc).__name__})") from None
    finally:
        workbook.close()


# ---------------------------------------------------------------------------
# Kyiv 1551 open-data API

_TOKENS = re.compile(r'[\\"{}\[\]\n]')


def iter_json_objects(text: IO[str]) -> Iterator[tuple[int, str]]:
    """(line, text) of every object in a JSON array or a stream of JSON objects.

    A scanner over strings and brackets: it never holds more than one record
    (capped at ``MAX_RECORD_CHARS``), so a monthly dump of 100 MB streams.
    """
    record_depth: int | None = None
    depth = 0
    in_string = False
    carry_escape = False  # a backslash ended the previous chunk
    line = 1
    pieces: list[str] = []
    size = 0
    record_line = 0
    inside = False  # within a record
    while True:
        try:
            chunk = text.read(65536)
        except UnicodeDecodeError:
            raise FileRefused(f"line {line} is not UTF-8 text") from None
        if not chunk:
            break
        skip_at = 0 if carry_escape else -1
        carry_escape = False
        begin = 0 if inside else -1
        for match in _TOKENS.finditer(chunk):
            i = match.start()
            mark = match.group()
            if i == skip_at:
                continue
            if mark == "\n":
                line += 1
                continue
            if in_string:
                if mark == "\\":
                    skip_at = i + 1
                    if skip_at == len(chunk):
                        carry_escape = True
                elif mark == '"':
                    in_string = False
                continue
            if mark == '"':
                in_string = True
            elif mark in "{[":
                if record_depth is None:
                    record_depth = 1 if mark == "[" else 0
                if depth == record_depth and mark == "{":
                    begin = i
                    inside = True
                    record_line = line
                    pieces = []
                    size = 0
                depth += 1
            else:
                depth -= 1
                if depth < 0:
                    raise FileRefused(f"line {line}: unbalanced JSON brackets")
                if inside and depth == record_depth:
                    pieces.append(chunk[begin : i + 1])
                    if size + i + 1 - begin > MAX_RECORD_CHARS:
                        raise FileRefused(
                            f"the record starting on line {record_line} is longer than "
                            f"{MAX_RECORD_CHARS} characters: not an appeals file"
                        )
                    yield record_line, "".join(pieces)
                    pieces = []
                    inside = False
                    begin = -1
        if inside:
            pieces.append(chunk[begin:])
            size += len(chunk) - begin
            if size > MAX_RECORD_CHARS:
                raise FileRefused(
                    f"the record starting on line {record_line} is longer than "
                    f"{MAX_RECORD_CHARS} characters: not an appeals file"
                )
    if in_string or depth != 0:
        raise FileRefused(f"the JSON ends in the middle of a record (line {line})")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if value == "" or value.lower() == "null":
            return None
    return value


_RDA = re.compile(r"\(([^()]*?)\s*(?:РДА|райдержадміністрац\w*)\)", re.IGNORECASE)


def kyiv_api_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """Canonical fields of one 1551 API record (``"null"`` strings and padding dropped)."""
    get = {k: _clean(v) for k, v in obj.items()}
    street = get.get("addressThoroughfare")
    parts = [
        street,
        get.get("addressLocatorDesignator"),
        get.get("addressLocatorBuilding"),
    ]
    address = ", ".join(str(p) for p in parts if p) if street else None
    district = get.get("addressAdminUnitL3") or get.get("addressAdminUnitL4")
    organisation = get.get("organizationName")
    if not district and isinstance(organisation, str):
        found = _RDA.search(organisation)
        if found:
            district = found.group(1)
    source_id = get.get("uid") or get.get("Id")
    return {
        "id": None if source_id is None else str(source_id),
        "received_at": get.get("receivedDateTime"),
        "channel": get.get("accrualMethod"),
        "category_group": get.get("kind"),
        "category": get.get("content") or get.get("kind"),
        "district": district,
        "district_inferred": True,
        "address": address,
        "status": get.get("status"),
        "executor": organisation,
        "answer": get.get("result"),
        "confidential": False,
    }


def _read_kyiv_api(text: IO[str], sniff: bytes) -> Iterator[Record]:
    first_char = sniff.decode("utf-8", errors="ignore").lstrip("\ufeff").lstrip()[:1]
    if first_char not in ("[", "{"):
        raise FileRefused("a Kyiv 1551 API file is a JSON array or JSON Lines of objects")
    checked = False
    for line, raw in iter_json_objects(text):
        try:
            obj = load_json(raw)
        except ValueError as exc:
            yield Record(line, problem=f"not JSON ({exc})")
            continue
        if not checked:
            if not any(k in obj for k in KYIV_API_KEYS) or "receivedDateTime" not in obj:
                raise FileRefused(
                    f"the record on line {line} is not a Kyiv 1551 API record (no receivedDateTime)"
                )
            checked = True
        yield Record(line, kyiv_api_fields(obj))


# ---------------------------------------------------------------------------
# Kyiv 1551 portal scrape, 2013–2015

_OFFICIAL = re.compile(r"\s*\[[^\]]*\]\s*$")


def _read_kyiv_2015(text: IO[str]) -> Iterator[Record]:
    rows = _csv_rows(text, ",")
    try:
        _, header = next(rows)
    except StopIteration:
        raise FileRefused("the file is empty") from None
    missing = [name for name in KYIV_2015_HEADER if name not in header]
    if missing:
        raise FileRefused("not the 1551 portal scrape: its header lacks " + ", ".join(missing))
    width = len(header)
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            yield Record(line, problem=f"expected {width} fields, found {len(row)}")
            continue
        raw = dict(zip(header, row, strict=True))
        get = {k: _clean(v) for k, v in raw.items()}
        executor = get.get("CallZManager")
        if isinstance(executor, str):
            # "КП ”ЖЕО - 109” [Прізвище Ім'я По батькові]": the official's name is dropped.
            executor = _OFFICIAL.sub("", executor) or None
        public = get.get("PublicAgree")
        yield Record(
            line,
            {
                "id": get.get("CallCode"),
                "received_at": get.get("CallDate"),
                "deadline_at": get.get("CallZCdate"),
                "status": get.get("StatusTitle"),
                "category": get.get("CallZType"),
                "executor": executor,
                "text": get.get("CallZText"),
                "lat": get.get("PX"),
                "lon": get.get("PY"),
                "confidential": public is not None and public != "1",
            },
        )
