"""Nothing a client sends makes the server fail: every GET operation of the OpenAPI
document, with crafted values in every path and query parameter, answers below 500;
forged cursors, out-of-range times and ids, and hostile JSON bodies are clear 4xx.

An attacker has unlimited patience, so the crafted values are the ones that broke
parsers before: forged cursors (``["abc"]``, ``[null]``, NaN, huge integers, 5,000
nested brackets), digits that are not ASCII (``³``), times whose UTC form falls
outside year 1..9999, numbers past 64 bits, NUL bytes and very long strings.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from hromada.config import Settings
from hromada.open_data.catalog.service import publish_all


def _forged(key: Any) -> str:
    """A cursor as an attacker would make one: base64 JSON, with or without a signature."""
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


HOSTILE = [
    '["abc"]',
    "[null]",
    "NaN",
    "9" * 40,
    "[" * 5000,
    "³",
    "-1",
    "0",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "x" * 10_000,
    "\x00",
    "%",
    "'; drop table appeal; --",
    "1e309",
    "",
    *(_forged(k) for k in (["abc"], [None], [2**70], [[1]], {"a": 1}, [1, 2, 3])),
    _forged(["abc"]) + ".AAAAAAAAAAAAAAAA",
]


@pytest.fixture
async def hostile_client(
    loaded: tuple[Settings, list[dict[str, Any]]],
) -> Iterator[TestClient[Litestar]]:
    from hromada.app import create_app

    settings, _rows = loaded
    await publish_all(settings)
    # The limits would answer 429 long before the walk ends; they are tested elsewhere.
    unlimited = dataclasses.replace(settings, rate_limit_anonymous=10**9)
    with TestClient(create_app(unlimited)) as client:
        yield client


def _get_operations(client: TestClient[Litestar]) -> list[tuple[str, list[dict[str, Any]]]]:
    schema = client.get("/schema/openapi.json").json()
    return [
        (path, ops["get"].get("parameters", []))
        for path, ops in schema["paths"].items()
        if "get" in ops
    ]


def test_no_get_operation_answers_5xx_to_crafted_values(
    hostile_client: TestClient[Litestar],
) -> None:
    operations = _get_operations(hostile_client)
    assert len(operations) > 20, "the OpenAPI document lists the API's operations"
    failures = []
    requests = 0
    for path, parameters in operations:
        in_path = [p["name"] for p in parameters if p["in"] == "path"]
        in_query = [p["name"] for p in parameters if p["in"] == "query"]
        for value in HOSTILE:
            url = path
            for name in in_path:
                url = url.replace("{" + name + "}", urllib.parse.quote(value, safe="") or "x")
            for name in [*in_query, None]:
                response = hostile_client.get(url, params={name: value} if name else {})
                requests += 1
                if response.status_code >= 500:
                    failures.append((url[:80], name, value[:30], response.status_code))
    assert requests > 1000
    assert failures == []


@pytest.mark.parametrize("path", ["/api/v1/appeals", "/api/v1/datasets"])
def test_cursors_are_tamper_evident(hostile_client: TestClient[Litestar], path: str) -> None:
    first = hostile_client.get(path, params={"limit": 1})
    assert first.status_code == 200, first.text
    cursor = first.json()["next_cursor"]
    assert cursor and "." in cursor
    assert hostile_client.get(path, params={"limit": 1, "cursor": cursor}).status_code == 200
    payload, _, signature = cursor.rpartition(".")
    edited = _forged(["zzz"] * max(1, len(json.loads(base64.urlsafe_b64decode(payload + "==")))))
    for forged in (
        f"{edited}.{signature}",  # another key under the old signature
        f"{payload}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",  # signature edited
        payload,  # the unsigned form cursors had before
        "[" * 5000,
        "x" * 5000,
    ):
        response = hostile_client.get(path, params={"limit": 1, "cursor": forged})
        assert response.status_code == 422, (forged[:40], response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["name"] == "cursor"


@pytest.mark.parametrize("name", ["received_from", "received_to", "resolved_from", "resolved_to"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
@pytest.mark.parametrize("path", ["/api/v1/appeals", "/api/v1/appeals/stats"])
def test_times_out_of_range_are_named(
    hostile_client: TestClient[Litestar], path: str, name: str, value: str
) -> None:
    response = hostile_client.get(path, params={name: value})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["name"] == name


def test_graphql_times_and_cursors_out_of_range(hostile_client: TestClient[Litestar]) -> None:
    query = """query($t: DateTime, $c: String) {
      appeals(filter: {receivedFrom: $t}, after: $c) { edges { cursor } } }"""
    for variables in ({"t": "0001-01-01T00:00:00+14:00"}, {"c": _forged(["abc"])}):
        response = hostile_client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["data"] is None or body["data"].get("appeals") is None
        assert body["errors"], body


@pytest.mark.parametrize("path", ["/api/v1/appeals/2147483648", "/api/v1/appeals/" + "9" * 40])
def test_ids_past_the_key_range_are_client_errors(
    hostile_client: TestClient[Litestar], path: str
) -> None:
    response = hostile_client.get(path)
    assert 400 <= response.status_code < 500, response.text


def test_version_numbers_are_ascii_digits(hostile_client: TestClient[Litestar]) -> None:
    for version in ("³", "１", "9" * 40):
        response = hostile_client.get(f"/api/v1/datasets/appeals/versions/{version}")
        assert response.status_code in (404, 422), (version, response.text)


BODIES = {
    "nested arrays": b'{"query":' + b"[" * 5000 + b"]" * 5000 + b"}",
    "nested objects": b'{"resource_id":"appeals","filters":' + b'{"a":' * 3000 + b"1" + b"}" * 3001,
    "not UTF-8": b'{"query":"{ datasets \xff\xfe }","resource_id":"\xff"}',
    "truncated": b'{"query": ',
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("path", ["/graphql", "/api/3/action/datastore_search"])
def test_hostile_json_bodies_are_400(
    hostile_client: TestClient[Litestar], path: str, body: bytes
) -> None:
    response = hostile_client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text


def test_ckan_filters_are_bounded(hostile_client: TestClient[Litestar]) -> None:
    resource = hostile_client.get("/api/3/action/package_show", params={"id": "appeals"}).json()
    resource_id = resource["result"]["resources"][0]["id"]
    for params in (
        {"filters": "[" * 5000},
        {"filters": '{"district": {"a": 1}}'},
        {"filters": "\x00"},
        {"limit": "9" * 30},
        {"offset": "-5"},
        {"sort": "x" * 5000},
        {"q": "\x00" * 10},
    ):
        response = hostile_client.get(
            "/api/3/action/datastore_search", params={"resource_id": resource_id, **params}
        )
        assert 400 <= response.status_code < 500 or response.status_code == 200, (
            params,
            response.text,
        )
        assert response.json()["success"] is (response.status_code == 200)


async def test_schemathesis_finds_no_server_error(
    loaded: tuple[Settings, list[dict[str, Any]]], tmp_path: Path
) -> None:
    """schemathesis (its ``st`` command, unmodified) generates requests for every operation
    of the OpenAPI document, valid and invalid, against a real server: none may answer 5xx."""
    from tests.conftest import LiveServer

    from hromada.app import create_app

    settings, _rows = loaded
    await publish_all(settings)
    unlimited = dataclasses.replace(
        settings,
        rate_limit_anonymous=10**9,
        rate_limit_writes=10**9,
        rate_limit_writes_per_ip=10**9,
    )
    junit = tmp_path / "schemathesis.xml"
    with LiveServer(create_app(unlimited)) as server:
        command = [
            str(Path(sys.executable).with_name("st")),
            "run",
            f"{server.url}/schema/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "15",
            "--seed",
            "20261203",
            "--request-timeout",
            "20",
            "--report",
            "junit",
            "--report-junit-path",
            str(junit),
        ]
        finished = await asyncio.to_thread(
            subprocess.run, command, capture_output=True, text=True, timeout=600, cwd=tmp_path
        )
    assert finished.returncode == 0, finished.stdout[-4000:] + finished.stderr[-2000:]
    report = junit.read_text()
    assert report.count("<testcase") > 20, "schemathesis ran every operation"


def test_a_genuine_cursor_of_another_list_is_never_a_server_error(
    hostile_client: TestClient[Litestar],
) -> None:
    """Cursors are signed, so an attacker's best cursors are real ones: each list's
    next_cursor is sent to every other list (their keys differ in arity and type)."""
    fill = {"slug": "appeals", "version": "1", "id": "1"}
    lists = []
    for path, parameters in _get_operations(hostile_client):
        names = {p["name"] for p in parameters if p["in"] == "query"}
        in_path = [p["name"] for p in parameters if p["in"] == "path"]
        if "cursor" not in names or any(name not in fill for name in in_path):
            continue
        url = path
        for name in in_path:
            url = url.replace("{" + name + "}", fill[name])
        lists.append((url, "limit" in names))
    cursors = {}
    for url, limited in lists:
        response = hostile_client.get(url, params={"limit": 1} if limited else {})
        if response.status_code == 200 and response.json().get("next_cursor"):
            cursors[url] = response.json()["next_cursor"]
    assert len(cursors) >= 3, cursors  # appeals (two keys), datasets (a slug), rows (four)
    failures = []
    for url, _limited in lists:
        for source, cursor in cursors.items():
            response = hostile_client.get(url, params={"cursor": cursor})
            if response.status_code >= 500:
                failures.append((url, source, response.status_code))
    assert failures == []
