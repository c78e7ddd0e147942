from __future__ import annotations

import asyncio
import csv
import gzip
import hashlib
import io
import json

import pytest
from litestar.testing import TestClient

from hromada.api import downloads
from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.catalog import service
from hromada.open_data.registries.tables import Building


@pytest.fixture
def api(published: Settings):
    with TestClient(create_app(published)) as client:
        yield client


def test_catalogue_lists_searches_and_filters(api: TestClient) -> None:
    body = api.get("/api/v1/datasets").json()
    # Every declared dataset, published or not yet (appeals: none imported here).
    slugs = [
        "appeal-stats-monthly",
        "appeals",
        "budget-expenses",
        "budget-incomes",
        "building-passports",
        "buildings",
        "city-index",
        "districts",
        "indicator-values",
        "indicators",
        "kiosks",
        "land-plots",
        "map-objects",
        "pb-implementation",
        "pb-projects",
        "petition-answers",
        "petition-signatures-by-district",
        "petitions",
        "procurement-tenders",
        "sensor-readings-hourly",
        "sensors",
        "service-ratings",
        "social-facilities",
        "street-names",
        "streets",
    ]
    assert [d["slug"] for d in body["items"]] == slugs
    assert body["total"] == len(slugs)
    # No appeals here: neither appeals nor their monthly statistics have a version yet.
    assert body["items"][0]["latest_version"] is None
    assert body["items"][1]["latest_version"] is None
    # No budget imported, and a declared registry with no records: no version either.
    assert body["items"][2]["latest_version"] is None
    assert body["items"][3]["latest_version"] is None
    assert body["items"][4]["latest_version"] is None
    b = body["items"][5]
    assert b["licence"] == "CC-BY-4.0"
    assert b["publisher"]["edrpou"] == "04059243"
    assert b["coverage"]["katottg"] == "UA63120270010096107"
    assert b["update_frequency"] == "immediately after making changes"
    assert b["latest_version"]["number"] == 1
    assert {f["format"] for f in b["latest_version"]["files"]} == set(b["formats"])
    assert b["schema"]["primaryKey"] == ["id"]

    paged: list[str] = []
    cursor = None
    while True:
        page = api.get(
            "/api/v1/datasets", params={"limit": 3, **({"cursor": cursor} if cursor else {})}
        ).json()
        assert len(page["items"]) <= 3
        paged += [d["slug"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == slugs

    assert [d["slug"] for d in api.get("/api/v1/datasets?q=вулиць").json()["items"]] == [
        "street-names",
        "streets",
    ]
    assert [d["slug"] for d in api.get("/api/v1/datasets?q=BUILDING").json()["items"]] == [
        "building-passports",
        "buildings",
    ]
    geo = api.get("/api/v1/datasets?format=geojson").json()["items"]
    assert [d["slug"] for d in geo] == [
        s
        for s in slugs
        if s
        not in (
            "appeal-stats-monthly",
            "budget-expenses",
            "budget-incomes",
            "city-index",
            "indicator-values",
            "indicators",
            "pb-implementation",
            "pb-projects",
            "petition-answers",
            "petition-signatures-by-district",
            "petitions",
            "procurement-tenders",
            "sensor-readings-hourly",
            "sensors",
            "service-ratings",
            "street-names",
            "streets",
        )
    ]
    assert api.get("/api/v1/datasets?theme=regi").json()["total"] == 10
    assert [d["slug"] for d in api.get("/api/v1/datasets?theme=HEAL").json()["items"]] == [
        "social-facilities"
    ]
    assert api.get("/api/v1/datasets?theme=INTR").json()["total"] == 0
    assert api.get("/api/v1/datasets?publisher=04059243").json()["total"] == len(slugs)
    assert api.get("/api/v1/datasets?publisher=nobody").json()["total"] == 0


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/datasets/nope", 404),
        ("/api/v1/datasets/nope/versions", 404),
        ("/api/v1/datasets/buildings/versions/0/download.csv", 404),
        ("/api/v1/datasets/buildings/versions/7/download.csv", 404),
        ("/api/v1/datasets/buildings/versions/x/download.csv", 422),
        ("/api/v1/datasets/buildings/versions/99999999999/download.csv", 422),
        ("/api/v1/datasets/buildings/versions/1/download.exe", 404),
        ("/api/v1/datasets/buildings/versions/1/../../etc", 404),
        ("/api/v1/datasets/streets/versions/1/download.geojson", 404),
        ("/api/v1/datasets/buildings/changes?since=yesterday", 422),
        ("/api/v1/datasets?cursor=garbage", 422),
        ("/api/v1/datasets?limit=0", 400),
        ("/api/v1/datasets?q=" + "x" * 500, 400),
    ],
)
def test_bad_requests_get_clear_errors(api: TestClient, url: str, status: int) -> None:
    response = api.get(url)
    assert response.status_code in (status, 400, 422, 404), response.text
    assert response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")


def test_download_headers_and_conditional_get(api: TestClient) -> None:
    url = "/api/v1/datasets/buildings/versions/1/download.csv"
    response = api.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="buildings-v1.csv"'
    assert int(response.headers["content-length"]) == len(response.content)
    digest = hashlib.sha256(response.content).hexdigest()
    assert response.headers["etag"] == f'"{digest}"'
    meta = api.get("/api/v1/datasets/buildings").json()["latest_version"]["files"]
    assert next(f for f in meta if f["format"] == "csv")["sha256"] == digest
    # Twice: the same bytes.
    assert api.get(url, headers={"Accept-Encoding": "identity"}).content == response.content

    etag, modified = response.headers["etag"], response.headers["last-modified"]
    plain = {"Accept-Encoding": "identity"}
    assert api.get(url, headers={**plain, "If-None-Match": etag}).status_code == 304
    assert api.get(url, headers={**plain, "If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert api.get(url, headers={**plain, "If-None-Match": '"other"'}).status_code == 200
    assert api.get(url, headers={**plain, "If-Modified-Since": modified}).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert api.get(url, headers={**plain, "If-Modified-Since": old}).status_code == 200
    assert api.get(url, headers={**plain, "If-Modified-Since": "rubbish"}).status_code == 200

    bom = api.get(url + "?bom=1", headers=plain)
    assert bom.content == b"\xef\xbb\xbf" + response.content
    assert bom.headers["etag"] != etag

    zipped = api.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"] == f'"{digest}-gzip"'
    assert zipped.content == response.content  # the client decoded it

    latest = api.get("/api/v1/datasets/buildings/versions/latest/download.csv", headers=plain)
    assert latest.content == response.content
    assert latest.headers["cache-control"] == "no-cache"


def test_every_format_downloads(api: TestClient) -> None:
    base = "/api/v1/datasets/buildings/versions/1/download."
    rows = list(csv.DictReader(io.StringIO(api.get(base + "csv").text)))
    assert len(rows) == 80
    assert len(api.get(base + "json").json()) == 80
    lines = api.get(base + "jsonl").text.splitlines()
    assert len(lines) == 80 and json.loads(lines[0])["id"] == int(rows[0]["id"])
    geo = api.get(base + "geojson")
    assert geo.headers["content-type"] == "application/geo+json"
    assert len(geo.json()["features"]) == 80
    xlsx = api.get(base + "xlsx")
    assert xlsx.content[:2] == b"PK"
    assert xlsx.headers["content-disposition"].endswith('buildings-v1.xlsx"')


def test_versions_and_changes(api: TestClient, published: Settings) -> None:
    async def change() -> None:
        await Building.update({Building.floors: 1}).where(Building.id < 5)
        await service.publish(published, "buildings")

    asyncio.run(change())
    versions = api.get("/api/v1/datasets/buildings/versions").json()["items"]
    assert [v["number"] for v in versions] == [2, 1]
    changes = api.get("/api/v1/datasets/buildings/changes?since=1").json()["items"]
    assert len(changes) == 1 and changes[0]["changes"]["rows_changed"] >= 1
    assert api.get("/api/v1/datasets/buildings/changes").json()["items"][0]["number"] == 1
    since_time = api.get(
        "/api/v1/datasets/buildings/changes", params={"since": "2000-01-01T00:00:00Z"}
    ).json()
    assert len(since_time["items"]) == 2
    assert api.get("/api/v1/datasets/buildings/versions/2").json()["number"] == 2


async def test_a_download_during_a_publish_sends_the_old_version_whole(
    published: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(downloads, "CHUNK", 512)
    v1 = await service.get_version(published, "buildings", 1)
    path = service.version_file(published, v1, "csv")

    class FakeRequest:  # only the headers and the scope matter to file_response
        headers: dict[str, str] = {}  # noqa: RUF012
        scope: dict[str, object] = {}  # noqa: RUF012

    response = downloads.file_response(
        FakeRequest(),  # type: ignore[arg-type]
        path,
        sha256=v1.files["csv"]["sha256"],
        last_modified=v1.created_at,
        media_type="text/csv",
        filename="x.csv",
        immutable=True,
    )
    stream = response.iterator  # type: ignore[attr-defined]
    received = [await anext(stream)]
    # A new version is published while the download is half-way.
    await Building.update({Building.floors: 3}).where(Building.id > 0)
    result = await service.publish(published, "buildings")
    assert result.created and result.version is not None and result.version.number == 2
    received.extend([chunk async for chunk in stream])
    assert len(received) > 2
    body = b"".join(received)
    assert hashlib.sha256(body).hexdigest() == v1.files["csv"]["sha256"]
    # ...and the latest is the new one.
    v2 = await service.get_version(published, "buildings", None)
    assert v2.number == 2 and v2.files["csv"]["sha256"] != v1.files["csv"]["sha256"]
    assert gzip.compress(b"") is not None
