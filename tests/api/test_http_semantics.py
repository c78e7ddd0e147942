"""HEAD on every GET route, byte ranges on downloads, ETags and 304 on JSON answers.

Ranges are also driven with the real ``curl -C -`` against a real server: a
download cut in the middle is resumed and ends byte for byte equal.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings

CSV = "/api/v1/datasets/buildings/versions/1/download.csv"


@pytest.fixture
def api(published: Settings):
    # Every GET route twice (GET and HEAD) is more than an anonymous client's window allows.
    with TestClient(create_app(published.replace(rate_limit_anonymous=100_000))) as client:
        yield client


def _get_routes(app: Litestar) -> list[str]:
    paths = []
    for route in app.routes:
        methods = getattr(route, "methods", set())
        if "GET" in methods and "{" not in route.path and route.path != "/graphql":
            paths.append(route.path)
    return paths


def test_head_answers_on_every_get_route_with_the_get_headers(api: TestClient) -> None:
    paths = _get_routes(api.app)
    assert "/api/v1/datasets" in paths and "/catalog.ttl" in paths
    for path in [*paths, "/api/v1/datasets/buildings", CSV]:
        got = api.get(path)
        head = api.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        assert head.headers.get("etag") == got.headers.get("etag"), path
        if "content-length" in got.headers and "content-encoding" not in got.headers:
            assert head.headers["content-length"] == got.headers["content-length"], path


def test_head_on_a_missing_thing_is_404_without_a_body(api: TestClient) -> None:
    head = api.head("/api/v1/datasets/nothing-here")
    assert head.status_code == 404 and head.content == b""
    assert api.head("/api/v1/datasets/buildings/versions/99/download.csv").status_code == 404


def test_head_of_a_download_does_not_send_the_file(api: TestClient) -> None:
    full = api.get(CSV, headers={"accept-encoding": "identity"})
    head = api.head(CSV, headers={"accept-encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(full.content) > 1000
    assert head.headers["accept-ranges"] == "bytes"
    ranged = api.head(CSV, headers={"range": "bytes=10-19"})
    assert ranged.status_code == 206 and ranged.headers["content-range"].startswith("bytes 10-19/")


def test_byte_ranges(api: TestClient) -> None:
    full = api.get(CSV, headers={"accept-encoding": "identity"}).content
    size = len(full)
    etag = api.get(CSV, headers={"accept-encoding": "identity"}).headers["etag"]

    part = api.get(CSV, headers={"range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == full[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    assert part.headers["content-length"] == "100"
    # A range is of the identity encoding even when the client accepts gzip.
    part_gz = api.get(CSV, headers={"range": "bytes=100-199", "accept-encoding": "gzip"})
    assert part_gz.status_code == 206 and "content-encoding" not in part_gz.headers
    assert part_gz.content == full[100:200]

    assert api.get(CSV, headers={"range": f"bytes={size - 10}-"}).content == full[-10:]
    assert api.get(CSV, headers={"range": "bytes=-25"}).content == full[-25:]
    over = api.get(CSV, headers={"range": f"bytes=5-{size * 10}"})
    assert over.status_code == 206 and over.content == full[5:]

    bad = api.get(CSV, headers={"range": f"bytes={size}-"})
    assert bad.status_code == 416
    assert bad.headers["content-range"] == f"bytes */{size}"
    assert bad.headers["content-type"] == "application/problem+json"
    assert api.get(CSV, headers={"range": "bytes=-0"}).status_code == 416

    # Malformed or multiple ranges are ignored: the whole file, 200.
    for header in ("bytes=abc", "lines=1-2", "bytes=5-1", "bytes=0-1,5-6", "bytes=" + "9" * 40):
        whole = api.get(CSV, headers={"range": header, "accept-encoding": "identity"})
        assert whole.status_code == 200, header
        assert whole.content == full, header

    # If-Range: the range only while the file is still the one the client has.
    same = api.get(CSV, headers={"range": "bytes=0-9", "if-range": etag})
    assert same.status_code == 206 and same.content == full[:10]
    changed = api.get(
        CSV, headers={"range": "bytes=0-9", "if-range": '"other"', "accept-encoding": "identity"}
    )
    assert changed.status_code == 200 and changed.content == full
    weak = api.get(CSV, headers={"range": "bytes=0-9", "if-range": "W/" + etag})
    assert weak.status_code == 200
    modified = api.get(CSV).headers["last-modified"]
    dated = api.get(CSV, headers={"range": "bytes=0-9", "if-range": modified})
    assert dated.status_code == 206 and dated.content == full[:10]
    old = api.get(CSV, headers={"range": "bytes=0-9", "if-range": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert old.status_code == 200


def test_byte_ranges_cover_the_excel_byte_order_mark(api: TestClient) -> None:
    full = api.get(CSV + "?bom=1", headers={"accept-encoding": "identity"}).content
    assert full.startswith(b"\xef\xbb\xbf")
    for first, last in ((0, 1), (1, 10), (2, 3), (3, 40), (0, len(full) - 1)):
        part = api.get(CSV + "?bom=1", headers={"range": f"bytes={first}-{last}"})
        assert part.status_code == 206
        assert part.content == full[first : last + 1], (first, last)


def test_json_answers_carry_etags_and_answer_304(api: TestClient) -> None:
    for path in (
        "/api/v1/datasets",
        "/api/v1/datasets/buildings",
        "/api/v1/datasets/buildings/versions",
        "/api/v1/districts",
        "/catalog.jsonld",
    ):
        first = api.get(path)
        assert first.status_code == 200, path
        etag = first.headers["etag"]
        assert etag.startswith('W/"'), path
        again = api.get(path, headers={"if-none-match": etag})
        assert again.status_code == 304, path
        assert again.content == b"" and again.headers["etag"] == etag
        # The gzip and identity encodings are one content: one (weak) tag.
        zipped = api.get(path, headers={"accept-encoding": "gzip", "if-none-match": etag})
        assert zipped.status_code == 304, path
        assert api.get(path, headers={"if-none-match": '"something-else"'}).status_code == 200
        assert api.head(path, headers={"if-none-match": etag}).status_code == 304
    # Another page, another tag.
    one = api.get("/api/v1/datasets", params={"limit": 1}).headers["etag"]
    assert one != api.get("/api/v1/datasets").headers["etag"]
    # Errors are not tagged.
    assert "etag" not in api.get("/api/v1/datasets/nothing").headers


def test_datapackage_answers_if_none_match_with_304(api: TestClient) -> None:
    for path in (
        "/api/v1/datasets/buildings/datapackage.json",
        "/api/v1/datasets/buildings/versions/1/datapackage.json",
    ):
        first = api.get(path)
        etag = first.headers["etag"]
        again = api.get(path, headers={"if-none-match": etag})
        assert again.status_code == 304, path
        assert again.headers["etag"] == etag and again.content == b""
        assert api.get(path, headers={"if-none-match": f"{etag}, W/{etag}"}).status_code == 304
        assert api.get(path, headers={"if-none-match": '"x"'}).status_code == 200


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_resumes_a_cut_download(published: Settings, live_server, tmp_path: Path) -> None:
    url = live_server.url + CSV
    whole = httpx.get(url).content
    assert len(whole) > 2000
    target = tmp_path / "buildings.csv"
    target.write_bytes(whole[:1234])  # what arrived before the link dropped
    done = subprocess.run(
        ["curl", "-sS", "--fail", "-C", "-", "-o", str(target), url],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(whole).digest()

    # A HEAD through curl (what link checkers send) answers 200 with the length.
    head = subprocess.run(
        ["curl", "-sS", "-I", url], capture_output=True, timeout=60, check=True, text=True
    )
    assert head.stdout.startswith("HTTP/1.1 200")
    assert f"content-length: {len(whole)}" in head.stdout.lower()
    assert "accept-ranges: bytes" in head.stdout.lower()

    # Asking to resume past the end: curl reports the server's 416 as a failure.
    target.write_bytes(whole + b"extra")
    past = subprocess.run(
        ["curl", "-sS", "-C", "-", "-o", str(target), "-w", "%{http_code}", url],
        capture_output=True,
        timeout=60,
        check=False,
        text=True,
    )
    assert past.stdout.strip() == "416"


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed")
def test_wget_continues_a_cut_download(published: Settings, live_server, tmp_path: Path) -> None:
    url = live_server.url + CSV
    whole = httpx.get(url).content
    target = tmp_path / "download.csv"
    target.write_bytes(whole[:777])
    done = subprocess.run(
        ["wget", "-q", "-c", "-O", str(target), url],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == whole
