"""Imports a city runs itself into a declared registry: CSV, XLSX or GeoJSON, all or nothing.

A file is read whole (it is bounded by the caller: the staff API's and the command's
``registry_import_max_bytes``), every record is checked against the registry's
declaration, districts are resolved by code or name, building ids checked against the
buildings registry and addresses matched to it; with one bad record nothing is written
and the report lists every bad one by line (a GeoJSON feature's number). A good file is
upserted by key in one transaction (``replace`` also removes the records the file no
longer has), which queues the new dataset version and the search updates.

CSV: UTF-8 (with or without BOM) or Windows-1251, comma or semicolon, a header of the
registry's field names (case and spaces forgiven) plus ``district``, ``lat``, ``lon``
and ``geometry`` (GeoJSON text) where they apply.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import msgspec

from hromada import db
from hromada.bounds import (
    XLSX_MAX_COLUMNS,
    XLSX_MAX_ROWS,
    ZIP_MAGIC,
    check_xlsx_archive,
    load_json,
    seekable,
)
from hromada.errors import FileRefused, InvalidInput
from hromada.open_data.catalog.jobs import queue_publish
from hromada.open_data.registries.declared import (
    CheckedRecord,
    Registry,
    check_record,
)
from hromada.open_data.registries.records import sort_key
from hromada.open_data.registries.tables import Building, District, RegistryRecord
from hromada.search import outbox

FORMATS = ("auto", "csv", "xlsx", "geojson")
MAX_RECORDS = 1_000_000
MAX_CELL = 100_000
MAX_REPORTED = 1_000
_CHUNK = 1024 * 1024


@dataclass
class RecordError:
    line: int
    column: str
    reason: str


@dataclass
class RegistryImportReport:
    registry: str
    format: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    rejected: int = 0
    applied: bool = False
    errors: list[RecordError] = field(default_factory=list)
    # Addresses that matched no building (the record is imported without a building).
    unmatched_addresses: list[RecordError] = field(default_factory=list)
    publish_job: int | None = None


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _header_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().strip('"').lower())


# ---------------------------------------------------------------------------------------
# Reading


def _text_of(binary: IO[bytes]) -> tuple[IO[str], str]:
    """The file as text: UTF-8 when every byte of it is, else Windows-1251 (what Excel
    in Ukraine saves as "CSV"); the whole file is checked, not a sniff of its start."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding = "utf-8-sig"
    try:
        while chunk := binary.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "cp1251"
    binary.seek(0)
    return io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline=""), encoding


def _header(registry: Registry, names: list[str]) -> list[str]:
    known = registry.columns
    # A source's own column names map to the registry's; one mapped to "" is left out.
    mapped = [registry.aliases.get(_header_key(n), _header_key(n)) for n in names]
    unknown = [n for n, m in zip(names, mapped, strict=True) if m and m not in known]
    if unknown:
        shown = ", ".join(repr(str(u)[:40]) for u in unknown[:5])
        raise FileRefused(
            f"unknown column(s) {shown} for {registry.slug}; its columns are "
            + ", ".join(sorted(known)),
            errors=[
                {"where": "header", "name": str(u)[:40], "message": "unknown column"}
                for u in unknown[:20]
            ],
        )
    if registry.key not in mapped:
        raise FileRefused(f"the header has no {registry.key!r} column (the registry's key)")
    seen: set[str] = set()
    for name in mapped:
        if name and name in seen:
            raise FileRefused(f"the header names the column {name!r} twice")
        seen.add(name)
    return mapped


Raw = tuple[int, dict[str, Any], Any]  # line, values by column, GeoJSON geometry or None


def _csv_records(registry: Registry, text: IO[str]) -> Iterator[Raw]:
    csv.field_size_limit(MAX_CELL)
    try:
        first = text.readline(MAX_CELL)
    except UnicodeDecodeError:
        raise FileRefused("the file is neither UTF-8 nor Windows-1251 text") from None
    delimiter = ";" if first.count(";") > first.count(",") else ","
    columns = _header(registry, next(csv.reader([first], delimiter=delimiter), []))
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    while True:
        line = reader.line_num + 2
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FileRefused(f"line {line}: not readable as CSV ({exc})") from None
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            yield line, {}, f"expected {len(columns)} fields, found {len(row)}"
            continue
        values = dict(zip(columns, row, strict=True))
        values.pop("", None)
        yield line, values, None


def _xlsx_records(registry: Registry, binary: IO[bytes]) -> Iterator[Raw]:
    import openpyxl  # only an XLSX import pays for it

    binary = seekable(binary)
    check_xlsx_archive(binary)
    binary.seek(0)
    try:
        workbook = openpyxl.load_workbook(binary, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise FileRefused(f"the XLSX workbook cannot be read ({type(exc).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True, max_col=XLSX_MAX_COLUMNS + 1)
        header = list(next(rows, ()))
        while header and (header[-1] is None or str(header[-1]).strip() == ""):
            header.pop()
        if not header:
            raise FileRefused("the first sheet of the workbook is empty")
        columns = _header(registry, ["" if h is None else str(h) for h in header])
        for number, row in enumerate(rows, start=2):
            if number > XLSX_MAX_ROWS:
                raise FileRefused(f"the first sheet has more than {XLSX_MAX_ROWS:,} rows")
            cells = list(row[: len(columns)]) + [None] * (len(columns) - len(row))
            if all(c is None or str(c).strip() == "" for c in cells):
                continue
            if any(c not in (None, "") for c in row[len(columns) :]):
                yield number, {}, f"values beyond the {len(columns)} header columns"
                continue
            values = dict(zip(columns, cells, strict=True))
            values.pop("", None)
            yield number, values, None
    except FileRefused:
        raise
    except Exception as exc:  # a broken sheet surfaces while iterating
        raise FileRefused(f"the XLSX workbook cannot be read ({type(exc).__name__})") from None
    finally:
        workbook.close()


def _geojson_records(registry: Registry, binary: IO[bytes]) -> Iterator[Raw]:
    if registry.geometry is None:
        raise FileRefused(f"{registry.slug} has no geometry: import it as CSV or XLSX")
    try:
        document = load_json(binary.read())
    except ValueError as exc:
        raise FileRefused(f"the file is not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise FileRefused("a GeoJSON import is a FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise FileRefused("the FeatureCollection has no features list")
    known = set(registry.by_name) | {"district"}
    for number, item in enumerate(features, start=1):
        if not isinstance(item, dict) or item.get("type") != "Feature":
            yield number, {}, "not a GeoJSON Feature"
            continue
        properties = item.get("properties") or {}
        if not isinstance(properties, dict):
            yield number, {}, "properties must be an object"
            continue
        values = {
            registry.aliases.get(_header_key(k), _header_key(k)): v for k, v in properties.items()
        }
        values.pop("", None)
        unknown = [k for k in values if k not in known]
        if unknown:
            yield number, {}, "unknown properties " + ", ".join(repr(k[:40]) for k in unknown[:5])
            continue
        if isinstance(values.get(registry.key), int | float) and not isinstance(
            values.get(registry.key), bool
        ):
            values[registry.key] = str(values[registry.key])
        yield number, values, item.get("geometry") or {}


def read_file(
    registry: Registry, binary: IO[bytes], fmt: str = "auto"
) -> tuple[str, Iterator[Raw]]:
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    binary = seekable(binary)
    head = binary.read(64)
    binary.seek(0)
    if not head.strip():
        raise FileRefused("the file is empty")
    if fmt == "auto":
        if head.startswith(ZIP_MAGIC):
            fmt = "xlsx"
        elif head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            fmt = "geojson"
        else:
            fmt = "csv"
    if fmt == "xlsx":
        return fmt, _xlsx_records(registry, binary)
    if fmt == "geojson":
        return fmt, _geojson_records(registry, binary)
    if head.startswith(ZIP_MAGIC) or b"\x00" in head:
        raise FileRefused("the file is binary, not CSV")
    text, _ = _text_of(binary)
    return fmt, _csv_records(registry, text)


# ---------------------------------------------------------------------------------------
# Matching


_STREET_WORDS = {
    "вул", "вулиця", "просп", "проспект", "пров", "провулок", "пл", "площа", "бульв",
    "бульвар", "б-р", "узвіз", "наб", "набережна", "шосе", "тупик", "проїзд", "м", "місто",
    "буд", "будинок", "ул", "улица", "пр", "пер", "переулок", "д", "дом",
}  # fmt: skip
_TOKEN = re.compile(r"[\w'ʼ’/-]+")
_NUMBER = re.compile(r"\d+[а-яіїєґa-z]?(?:/\d+[а-яіїєґa-z]?)?")


def address_key(text: str) -> str | None:
    """``"вул. Сумська, 12"`` → ``"сумська|12"``: the street's name words and the number."""
    tokens = [t.replace("'", "ʼ").replace("’", "ʼ") for t in _TOKEN.findall(text.lower())]
    number_at = next(
        (i for i in range(len(tokens) - 1, -1, -1) if _NUMBER.fullmatch(tokens[i])), None
    )
    if number_at is None:
        return None
    words = [t for t in tokens[:number_at] if t.strip("-") not in _STREET_WORDS]
    if not words:
        return None
    return " ".join(words) + "|" + tokens[number_at]


async def _building_index() -> tuple[dict[str, int], dict[int, tuple[float, float, str]]]:
    rows = await Building.select(
        Building.id,
        Building.number,
        Building.lat,
        Building.lon,
        Building.street.name.as_alias("street_name"),
        Building.district.code.as_alias("district"),
    )
    by_address: dict[str, int] = {}
    by_id: dict[int, tuple[float, float, str]] = {}
    for r in rows:
        key = address_key(f"{r['street_name']} {r['number']}")
        if key is not None:
            by_address.setdefault(key, r["id"])
        by_id[r["id"]] = (r["lat"], r["lon"], r["district"])
    return by_address, by_id


async def _district_index() -> dict[str, str]:
    out: dict[str, str] = {}
    for d in await District.select(District.code, District.name_uk, District.name_en):
        out[d["code"].lower()] = d["code"]
        out[d["name_uk"].lower()] = d["code"]
        out[d["name_uk"].lower().removesuffix(" район").strip()] = d["code"]
        out[d["name_en"].lower()] = d["code"]
    return out


# ---------------------------------------------------------------------------------------
# Importing


async def import_file(
    registry: Registry, binary: IO[bytes], *, k: int, fmt: str = "auto", replace: bool = False
) -> RegistryImportReport:
    """Check every record of the file; write them all (or, with one bad, none). ``k`` is
    the city's smallest published count (``appeals_k``), for registries of small cells."""
    fmt, raws = read_file(registry, binary, fmt)
    return await import_records(registry, raws, fmt=fmt, k=k, replace=replace)


async def import_records(
    registry: Registry, raws: Iterable[Raw], *, fmt: str, k: int, replace: bool = False
) -> RegistryImportReport:
    """Check ``raws`` (line, values by column, GeoJSON geometry, or a problem text in its
    place); write them all, or with one bad, none. Files and the demo come through here."""
    report = RegistryImportReport(registry=registry.slug, format=fmt)
    districts = await _district_index()
    by_address, buildings = await _building_index()
    building_field = next((n for n, k in registry.identifiers.items() if k == "building"), None)
    checked: dict[str, tuple[int, CheckedRecord, str | None, int | None]] = {}

    def bad(line: int, column: str, reason: str) -> None:
        report.rejected += 1
        if len(report.errors) < MAX_REPORTED:
            report.errors.append(RecordError(line, column, reason))

    for line, values, extra in raws:
        report.read += 1
        if report.read > MAX_RECORDS:
            raise FileRefused(f"more than {MAX_RECORDS:,} records: split the file")
        if isinstance(extra, str):
            bad(line, "", extra)
            continue
        result = check_record(registry, values, extra if extra else None, k=k)
        if isinstance(result, list):
            report.rejected += 1
            for problem in result[: max(0, MAX_REPORTED - len(report.errors))]:
                report.errors.append(RecordError(line, problem.name, problem.message))
            continue
        stored = sort_key(registry, result.key)
        if stored in checked:
            bad(
                line,
                registry.key,
                f"duplicate key: line {checked[stored][0]} has {result.key!r} too",
            )
            continue
        district = None
        if result.district is not None:
            # A street or network may run through several districts ("A;B"): each must be
            # known; the record then has no single district, and a registry that declares
            # ``districts`` lists their codes there.
            names = [n.strip() for n in result.district.split(";") if n.strip()]
            codes = [districts.get(n.lower()) for n in names]
            unknown = [n for n, c in zip(names, codes, strict=True) if c is None]
            if unknown:
                bad(line, "district", f"unknown district {unknown[0][:60]!r}")
                continue
            if len(codes) == 1:
                district = codes[0]
            if "districts" in registry.by_name:
                result.public["districts"] = ";".join(c for c in codes if c)
        building_id: int | None = None
        if building_field is not None:
            building_id = int(result.public[building_field])
            if building_id not in buildings:
                bad(line, building_field, f"no building {building_id} in the buildings registry")
                continue
        elif result.address:
            found = address_key(result.address)
            building_id = by_address.get(found) if found else None
            if building_id is None and len(report.unmatched_addresses) < MAX_REPORTED:
                report.unmatched_addresses.append(
                    RecordError(
                        line,
                        registry.address_field or "",
                        f"no building at {result.address[:100]!r}",
                    )
                )
        if building_id is not None:
            lat, lon, building_district = buildings[building_id]
            district = district or building_district
            if result.geometry is None and registry.geometry == "point":
                result.geometry = {"type": "Point", "coordinates": [lon, lat]}
                result.bbox = (lat, lon, lat, lon)
        checked[stored] = (line, result, district, building_id)
    if report.rejected:
        return report
    await _write(registry, checked, report, replace=replace)
    return report


async def _write(
    registry: Registry,
    checked: dict[str, tuple[int, CheckedRecord, str | None, int | None]],
    report: RegistryImportReport,
    *,
    replace: bool,
) -> None:
    now = dt.datetime.now(dt.UTC)
    columns = (
        "registry", "key", "district", "building_id", "lat", "lon", "min_lat", "min_lon",
        "max_lat", "max_lon", "geometry", "data", "personal", "updated_at",
    )  # fmt: skip
    rows: list[tuple[Any, ...]] = []
    for stored, (_, record, district, building_id) in sorted(checked.items()):
        box = record.bbox
        lat = lon = None
        if box is not None:
            lat, lon = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        rows.append(
            (
                registry.slug,
                stored,
                district,
                building_id,
                lat,
                lon,
                *(box if box is not None else (None, None, None, None)),
                _json(record.geometry) if record.geometry else None,
                _json(record.public),
                _json(record.personal)
                if any(v is not None for v in record.personal.values())
                else None,
                now,
            )
        )
    async with db.write_transaction():
        await db.advisory_xact_lock(f"registry:{registry.slug}")
        before = {
            r["key"]: (r["data"], r["district"], r["geometry"], r["personal"])
            for r in await RegistryRecord.raw(
                "SELECT key, data, district, geometry, personal FROM registry_record "
                "WHERE registry = {}",
                registry.slug,
            ).run()
        }
        changed = []
        for row in rows:
            old = before.get(row[1])
            if old is None:
                report.inserted += 1
                changed.append(row)
            elif old != (row[11], row[2], row[10], row[12]):
                report.updated += 1
                changed.append(row)
            else:
                report.unchanged += 1
        await db.bulk_upsert("registry_record", columns, changed, key=("registry", "key"))
        gone = [k for k in before if k not in checked] if replace else []
        for start in range(0, len(gone), 5_000):
            where, args = db.in_values("key", gone[start : start + 5_000])
            await RegistryRecord.raw(
                f"DELETE FROM registry_record WHERE registry = {{}} AND {where}",  # noqa: S608
                registry.slug,
                *args,
            ).run()
        report.removed = len(gone)
        await refresh_extent(registry.slug, now)
        if changed or gone:
            report.publish_job = await queue_publish(registry.slug)
            await outbox.enqueue(registry.slug, [r[1] for r in changed])
            if gone:
                await outbox.enqueue(registry.slug, gone, "delete")
    report.applied = True


async def refresh_extent(slug: str, now: dt.datetime) -> None:
    """Recount a registry and its largest record box (inside the writing transaction)."""
    found = await RegistryRecord.raw(
        "SELECT COUNT(*) AS n, MAX(max_lat - min_lat) AS h, MAX(max_lon - min_lon) AS w "
        "FROM registry_record WHERE registry = {}",
        slug,
    ).run()
    n, h, w = found[0]["n"], found[0]["h"] or 0.0, found[0]["w"] or 0.0
    await RegistryRecord.raw(
        db.upsert_sql(
            "registry_extent",
            ("registry", "records", "half_lat", "half_lon", "updated_at"),
            key=("registry",),
        ),
        slug,
        n,
        h / 2,
        w / 2,
        now,
    ).run()
