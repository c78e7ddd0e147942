"""Excel users: real dates in the XLSX downloads, a semicolon CSV for a Ukrainian-locale
Excel, and XLSX or semicolon CSV imports for staff (API and CLI) through the same checks
and anonymiser as CSV; hostile workbooks are refused clearly."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from tests.open_data.appeals.test_cli import _hromada

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.appeals.formats import COLUMNS
from hromada.open_data.appeals.tables import Appeal
from hromada.open_data.catalog import service as catalog
from hromada.open_data.catalog.service import publish_all

TOKEN = "x" * 40
AUTH = {"Authorization": f"Bearer {TOKEN}"}
URL = "/api/v1/admin/imports/appeals"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIMES = ("received_at", "deadline_at", "resolved_at")
FILTERS = {"district": "kyiv-darnytskyi"}


@pytest.fixture
async def city(loaded: tuple[Settings, list[dict[str, Any]]]) -> Iterator[TestClient[Litestar]]:
    settings = loaded[0].replace(rate_limit_anonymous=100_000, admin_token=TOKEN)
    await publish_all(settings)
    with TestClient(create_app(settings)) as client:
        yield client


# ---------------------------------------------------------------------------
# Downloads


@pytest.mark.parametrize("subset", [False, True])
def test_xlsx_downloads_carry_real_dates(city: TestClient[Litestar], subset: bool) -> None:
    if subset:
        xlsx = city.get("/api/v1/appeals/download/xlsx", params=FILTERS)
        csv = city.get("/api/v1/appeals/download/csv", params=FILTERS)
    else:
        xlsx = city.get("/api/v1/datasets/appeals/versions/latest/download.xlsx")
        csv = city.get("/api/v1/datasets/appeals/versions/latest/download.csv")
    assert xlsx.status_code == csv.status_code == 200
    frame = pd.read_excel(io.BytesIO(xlsx.content))
    text = pd.read_csv(io.BytesIO(csv.content), dtype=str, keep_default_na=False)
    assert len(frame) == len(text) > 0
    for column in TIMES:
        assert pd.api.types.is_datetime64_any_dtype(frame[column]), frame[column].dtype
        # The same instants as the CSV's (UTC), to the second.
        expected = pd.to_datetime(text[column].replace("", None), utc=True).dt.tz_localize(None)
        got = frame[column].dt.round("s")
        assert got.astype(str).tolist() == expected.astype(str).tolist()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(2, header.index("received_at") + 1)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm:ss"
    # Numbers stay numbers and text stays text.
    assert isinstance(sheet.cell(2, header.index("id") + 1).value, int)
    assert isinstance(sheet.cell(2, header.index("category") + 1).value, str)


def test_the_semicolon_csv_is_the_same_rows_for_excel(city: TestClient[Litestar]) -> None:
    full = "/api/v1/datasets/appeals/versions/latest/download.csv"
    plain = city.get(full)
    assert plain.status_code == 200
    # The default CSV is unchanged, byte for byte: the published file itself.
    version = asyncio.run(catalog.get_version(city.app.state["settings"], "appeals", None))
    on_disk = catalog.version_file(city.app.state["settings"], version, "csv").read_bytes()
    assert plain.content == on_disk
    assert city.get(full, params={"sep": "comma"}).content == on_disk
    excel = city.get(full, params={"sep": "semicolon"})
    assert excel.status_code == 200, excel.text
    assert excel.content.startswith(b"\xef\xbb\xbf" + b"id;source_id;received_at")
    assert excel.headers["content-type"].startswith("text/csv")
    assert excel.headers["accept-ranges"] == "none"
    assert excel.headers["etag"] != plain.headers["etag"]
    comma = pd.read_csv(io.BytesIO(plain.content), dtype=str, keep_default_na=False)
    semi = pd.read_csv(
        io.BytesIO(excel.content), sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    assert semi.equals(comma)
    # Conditional GET, HEAD, gzip and a Range header (ignored: the whole file) still work.
    etag = excel.headers["etag"]
    again = city.get(full, params={"sep": "semicolon"}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert city.head(full, params={"sep": "semicolon"}).status_code == 200
    zipped = city.get(full, params={"sep": "semicolon"}, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == excel.content
    ranged = city.get(full, params={"sep": "semicolon"}, headers={"Range": "bytes=0-9"})
    assert ranged.status_code == 200 and ranged.content == excel.content
    # A filtered subset in the same form.
    subset = city.get("/api/v1/appeals/download/csv", params={**FILTERS, "sep": "semicolon"})
    assert subset.status_code == 200 and subset.content.startswith(b"\xef\xbb\xbfid;")
    # Unknown separators and separators on other formats are named.
    for url, params in (
        (full, {"sep": "tab"}),
        ("/api/v1/datasets/appeals/versions/latest/download.xlsx", {"sep": "semicolon"}),
        ("/api/v1/appeals/download/json", {"sep": "semicolon"}),
    ):
        refused = city.get(url, params=params)
        assert refused.status_code == 422, refused.text
        assert "sep" in refused.json()["detail"]


# ---------------------------------------------------------------------------
# Imports


def _workbook(rows: list[dict[str, Any]], header: list[str] | None = None) -> bytes:
    """A workbook as a city's staff make it: Ukrainian header names, real date cells."""
    names = header or list(COLUMNS)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(names)
    for row in rows:
        values = []
        for name in names:
            value = row.get(name, "")
            if name in TIMES and value:
                # Excel keeps local time without a zone: Kyiv time, as the import reads it.
                moment = dt.datetime.fromisoformat(value).astimezone(
                    dt.timezone(dt.timedelta(hours=2))
                )
                value = moment.replace(tzinfo=None)
            elif name in ("lat", "lon") and value:
                value = float(value)
            values.append(value if value != "" else None)
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _stored() -> list[dict[str, Any]]:
    """Every stored appeal but the 100 the fixture loaded (confidential ones keep only a
    hash of their id)."""
    rows = asyncio.run(Appeal.select().run())
    return [r for r in rows if r["id"] > 100]


def _excel_rows(samples: Any, count: int) -> list[dict[str, Any]]:
    rows = samples.make_rows(count, seed=11)
    for row in rows:
        row["id"] = "X-" + row["id"]
    return rows


def test_staff_import_xlsx_and_semicolon_csv_through_the_same_checks(
    samples: Any, city: TestClient[Litestar]
) -> None:
    rows = _excel_rows(samples, 20)
    book = _workbook(rows)
    # As the body, with the workbook's media type; as a form with a .xlsx name; by its bytes.
    for send in (
        {"content": book, "headers": {**AUTH, "Content-Type": XLSX}},
        {"files": {"file": ("звернення.xlsx", book, "application/octet-stream")}},
        {"content": book},
    ):
        response = city.post(URL, **{"headers": AUTH, **send})
        assert response.status_code == 200, response.text
        assert response.json()["format"] == "xlsx"
    assert response.json()["unchanged"] == 20
    stored = _stored()
    assert len(stored) == 20
    dump = json.dumps(stored, default=str, ensure_ascii=False)
    for value in samples.personal_values():
        assert value not in dump, value
    confidential = [r for r in stored if r["confidential"]]
    assert confidential and all(r["text"] is None and r["street"] is None for r in confidential)
    # The dates are the same instants as the CSV says.
    first = next(r for r in stored if r["source_id"] == "X-T-00000")
    assert first["received_at"].astimezone(dt.UTC) == dt.datetime.fromisoformat(
        rows[0]["received_at"]
    )
    # A semicolon CSV with a BOM, as Excel saves "CSV UTF-8" in a Ukrainian locale.
    more = _excel_rows(samples, 25)[20:]
    semicolon = samples.to_csv(more, delimiter=";", bom=True)
    answer = city.post(
        URL, files={"file": ("export.csv", semicolon, "application/vnd.ms-excel")}, headers=AUTH
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["format"], answer.json()["imported"]) == ("csv", 5)
    assert len(_stored()) == 25
    # A bad row in a workbook is named by its Excel row number.
    rows[4]["district"] = "Атлантида"
    rows[6]["received_at"] = ""
    bad = city.post(URL, content=_workbook(rows), headers=AUTH)
    assert bad.status_code == 422
    named = {(e["line"], e["name"]) for e in bad.json()["errors"]}
    assert named == {(6, "district"), (8, "received_at")}


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _parts(book: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_hostile_workbooks_are_refused_and_write_nothing(
    samples: Any, city: TestClient[Litestar]
) -> None:
    rows = _excel_rows(samples, 3)
    book = _workbook(rows)
    parts = _parts(book)
    sheet = "xl/worksheets/sheet1.xml"
    bomb = dict(parts)
    bomb[sheet] = parts[sheet].replace(b"<sheetData>", b"<sheetData>" + b" " * (40 * 1024**2))
    entity = dict(parts)
    entity[sheet] = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        + parts[sheet].split(b"?>", 1)[-1].replace(b"<sheetData>", b"<sheetData>&b;", 1)
    )
    wide = _workbook(rows, [*COLUMNS, *(f"extra{i}" for i in range(60))])
    # A tiny file whose one row sits past Excel's last row, the sheet declaring the
    # widest dimension: refused without padding a million rows to 16,384 columns.
    tall = dict(parts)
    far = 1_048_577
    tall[sheet] = re.sub(
        rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', parts[sheet]
    ).replace(
        b"</sheetData>",
        f'<row r="{far}"><c r="A{far}" t="inlineStr"><is><t>1</t></is></c></row>'.encode()
        + b"</sheetData>",
    )
    cases = [
        (_zip(bomb), "zip bomb"),
        (_zip(entity), "cannot be read"),
        (_zip({"readme.txt": b"hello"}), "not an XLSX workbook"),
        (book[: len(book) // 2], "not an XLSX workbook"),
        (wide, "more than 64 columns"),
        (_zip(tall), "more than 1,048,576 rows"),
        (_workbook(rows, ["id", "received_at", "text"]), "district, category, status"),
        (_workbook([], ["name", "age"]), "not an appeals header"),
    ]
    for data, fragment in cases:
        response = city.post(URL, content=data, headers={**AUTH, "Content-Type": XLSX})
        assert response.status_code == 422, (fragment, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert fragment in response.json()["detail"], response.json()["detail"]
    # A text file named .xlsx is refused as what it is not.
    named = city.post(
        URL, files={"file": ("a.xlsx", samples.to_csv(rows), "text/csv")}, headers=AUTH
    )
    assert named.status_code == 422 and "not an XLSX workbook" in named.json()["detail"]
    assert _stored() == []
    # The missing columns may be allowed explicitly.
    thin = _workbook(rows, ["id", "received_at", "text"])
    allowed = city.post(URL, content=thin, params={"allow_missing": "true"}, headers=AUTH)
    assert allowed.status_code == 200, allowed.text
    assert len(_stored()) == 3


def test_cli_imports_xlsx_and_semicolon_csv(samples: Any, tmp_path: Path) -> None:
    assert _hromada(tmp_path, "import", "districts", "kyiv").returncode == 0
    rows = _excel_rows(samples, 12)
    book = tmp_path / "appeals.xlsx"
    book.write_bytes(_workbook(rows[:8]))
    result = _hromada(tmp_path, "import", "appeals", str(book))
    assert result.returncode == 0, result.stderr
    assert "xlsx: read 8, imported 8" in result.stdout
    again = _hromada(tmp_path, "import", "appeals", str(book), "--format", "xlsx")
    assert "unchanged 8" in again.stdout
    semicolon = tmp_path / "appeals.csv"
    semicolon.write_bytes(samples.to_csv(rows[8:], delimiter=";", bom=True))
    result = _hromada(tmp_path, "import", "appeals", str(semicolon))
    assert result.returncode == 0, result.stderr
    assert "imported 4" in result.stdout
    thin = tmp_path / "thin.xlsx"
    thin.write_bytes(_workbook(rows, ["id", "received_at"]))
    refused = _hromada(tmp_path, "import", "appeals", str(thin))
    assert refused.returncode != 0 and "--allow-missing" in refused.stderr
    bomb = tmp_path / "bomb.xlsx"
    parts = _parts(book.read_bytes())
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<sheetData>", b"<sheetData>" + b" " * (8 * 1024**2))
    bomb.write_bytes(_zip(parts))
    refused = _hromada(tmp_path, "import", "appeals", str(bomb))
    assert refused.returncode != 0 and "zip bomb" in refused.stderr
    assert "Traceback" not in refused.stderr
