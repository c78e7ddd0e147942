"""Staff uploads to the appeals import: the raw body, or a multipart form as a browser or
Postman sends it; the answer names the publish job; hostile forms are clear 4xx, and
nothing is written."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.appeals.tables import Appeal

TOKEN = "u" * 40
URL = "/api/v1/admin/imports/appeals"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CAP = 64 * 1024


@pytest.fixture
def staff(loaded: tuple[Settings, Any]) -> Iterator[TestClient[Litestar]]:
    settings = loaded[0].replace(
        admin_token=TOKEN, rate_limit_anonymous=100_000, appeals_import_max_bytes=CAP
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _new_rows(samples: Any, count: int = 12) -> list[dict[str, Any]]:
    rows = samples.make_rows(count, seed=3)
    for row in rows:
        row["id"] = "U-" + row["id"]
    return rows


def _without(rows: list[dict[str, Any]], *columns: str) -> bytes:
    out = io.StringIO()
    names = [c for c in rows[0] if c not in columns]
    writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _published_ids(client: TestClient[Litestar]) -> set[str]:
    listed = client.get("/api/v1/appeals", params={"limit": 500})
    assert listed.status_code == 200 and listed.json()["next_cursor"] is None
    return {item["source_id"] for item in listed.json()["items"]}


def _problem(response: Any, status: int, fragment: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert fragment in response.json()["detail"], response.json()["detail"]


def test_a_form_upload_imports_and_names_the_publish_job(
    samples: Any, staff: TestClient[Litestar]
) -> None:
    rows = _new_rows(samples)
    response = staff.post(
        URL, files={"file": ("звернення.csv", samples.to_csv(rows), "text/csv")}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["format"], body["imported"], body["applied"]) == ("csv", 12, True)
    job = body["publish_job"]
    assert job["url"].endswith(f"/api/v1/admin/jobs/{job['id']}")
    assert response.headers["link"] == f'</api/v1/admin/jobs/{job["id"]}>; rel="monitor"'
    watched = staff.get(f"/api/v1/admin/jobs/{job['id']}", headers=AUTH)
    assert watched.status_code == 200
    assert watched.json()["kind"] == "catalog.publish"
    # The format as a form field, as a Postman form sends it; the same rows again.
    again = staff.post(
        URL,
        files={"file": ("export", samples.to_csv(rows), "application/octet-stream")},
        data={"format": "csv"},
        headers=AUTH,
    )
    assert again.status_code == 200, again.text
    assert again.json()["unchanged"] == 12
    # What `curl --data-binary @file` sends: the file labelled as a URL-encoded form.
    curl = staff.post(
        URL,
        content=samples.to_csv(rows),
        headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert curl.status_code == 200, curl.text
    assert curl.json()["unchanged"] == 12
    # A JSON Lines file, its format decided from the content.
    lines = staff.post(
        URL, files={"upload": ("a.jsonl", samples.to_jsonl(rows[:3]), "")}, headers=AUTH
    )
    assert lines.status_code == 200, lines.text
    assert lines.json()["format"] == "jsonl"


def test_a_csv_without_the_useful_columns_needs_allow_missing(
    samples: Any, staff: TestClient[Litestar]
) -> None:
    rows = _new_rows(samples, 5)
    data = _without(rows, "district", "status")
    before = staff.get("/api/v1/appeals", params={"limit": 1}).json()
    for send in (
        {"content": data},
        {"files": {"file": ("a.csv", data, "text/csv")}},
    ):
        refused = staff.post(URL, headers=AUTH, **send)
        _problem(refused, 422, "district, status")
        assert "allow_missing=true" in refused.json()["detail"]
        assert {e["name"] for e in refused.json()["errors"]} == {"district", "status"}
    assert staff.get("/api/v1/appeals", params={"limit": 1}).json() == before
    allowed = staff.post(URL, content=data, params={"allow_missing": "true"}, headers=AUTH)
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["imported"] == 5


def _form(boundary: str, *parts: tuple[str, str | None, str | None, bytes], end: bool = True):
    chunks = []
    for name, filename, content_type, payload in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        chunks.append(head.encode() + b"\r\n" + payload + b"\r\n")
    if end:
        chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)


def _multipart(boundary: str) -> dict[str, str]:
    return {**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_hostile_uploads_are_clear_4xx_and_write_nothing(
    samples: Any, staff: TestClient[Litestar]
) -> None:
    data = samples.to_csv(_new_rows(samples, 6))
    huge = samples.to_csv(_new_rows(samples, 400))
    assert len(huge) > CAP
    before = _published_ids(staff)
    cases: list[tuple[dict[str, Any], int, str]] = [
        # A form without a file: a URL-encoded form is read as the file it is not, and a
        # multipart form with no file field.
        ({"data": {"format": "csv"}, "files": {}}, 422, "not an appeals header"),
        (
            {"content": _form("b0", ("format", None, None, b"csv")), "headers": _multipart("b0")},
            422,
            "no file",
        ),
        # Two files.
        (
            {
                "files": [
                    ("file", ("a.csv", data, "text/csv")),
                    ("more", ("b.csv", data, "text/csv")),
                ]
            },
            422,
            "more than one file",
        ),
        # Too large: as a form and as the body (the existing cap).
        ({"files": {"file": ("big.csv", huge, "text/csv")}}, 413, "larger than"),
        ({"content": huge}, 413, "larger than"),
        # Wrong content types: of the body, of the file, of the file's name.
        ({"content": data, "headers": {**AUTH, "Content-Type": "image/png"}}, 415, "image/png"),
        ({"files": {"file": ("a.png", data, "image/png")}}, 415, "the file is image/png"),
        ({"files": {"file": ("appeals.xls", data, "application/vnd.ms-excel")}}, 422, ".xlsx"),
        (
            {"content": data, "headers": {**AUTH, "Content-Type": "multipart/mixed; boundary=x"}},
            415,
            "multipart/mixed",
        ),
        # Boundary tricks: none, too long, one the body does not use, a body cut short,
        # a part without a name, a file sent as a plain field.
        (
            {"content": data, "headers": {**AUTH, "Content-Type": "multipart/form-data"}},
            422,
            "boundary",
        ),
        (
            {
                "content": _form("x" * 80, ("f", "a.csv", None, data)),
                "headers": _multipart("x" * 80),
            },
            422,
            "boundary is not valid",
        ),
        (
            {"content": _form("other", ("f", "a.csv", None, data)), "headers": _multipart("b1")},
            422,
            "multipart",
        ),
        (
            {
                "content": _form("b2", ("f", "a.csv", None, data), end=False),
                "headers": _multipart("b2"),
            },
            422,
            "multipart",
        ),
        (
            {"content": _form("b3", ("", "a.csv", None, data)), "headers": _multipart("b3")},
            422,
            "field name",
        ),
        (
            {"content": _form("b4", ("file", None, None, data)), "headers": _multipart("b4")},
            422,
            "longer than",
        ),
        (
            {
                "content": _form("b5", *[(f"f{i}", None, None, b"1") for i in range(20)]),
                "headers": _multipart("b5"),
            },
            422,
            "too complex",
        ),
        # A field the form does not take, a format it does not know, two formats.
        (
            {"files": {"file": ("a.csv", data, "text/csv")}, "data": {"allow_rejects": "true"}},
            422,
            "query string",
        ),
        (
            {"files": {"file": ("a.csv", data, "text/csv")}, "data": {"format": "pdf"}},
            422,
            "unknown format",
        ),
        (
            {
                "files": {"file": ("a.csv", data, "text/csv")},
                "data": {"format": "jsonl"},
                "params": {"format": "csv"},
            },
            422,
            "send one",
        ),
    ]
    for send, status, fragment in cases:
        send = dict(send)
        headers = send.pop("headers", AUTH)
        response = staff.post(URL, headers=headers, **send)
        _problem(response, status, fragment)
    # Hostile or not, without a staff key nothing is read.
    assert staff.post(URL, files={"file": ("a.csv", data, "text/csv")}).status_code == 401
    assert _published_ids(staff) == before


def test_the_form_upload_counts_once_in_the_database(
    samples: Any, loaded: tuple[Settings, Any]
) -> None:
    """Behind the API: a hostile form left the table as it was; a good one added its rows."""
    settings = loaded[0].replace(admin_token=TOKEN, rate_limit_anonymous=100_000)
    data = samples.to_csv(_new_rows(samples, 7))
    with TestClient(create_app(settings)) as client:
        cut = client.post(
            URL, content=_form("z", ("f", "a.csv", None, data), end=False), headers=_multipart("z")
        )
        assert cut.status_code == 422
    assert asyncio.run(Appeal.count().run()) == 100
    with TestClient(create_app(settings)) as client:
        ok = client.post(URL, files={"file": ("a.csv", data, "text/csv")}, headers=AUTH)
        assert ok.status_code == 200, ok.text
    assert asyncio.run(Appeal.count().run()) == 107
