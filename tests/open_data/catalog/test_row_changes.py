"""Which rows a version changed: a paged endpoint and a change file that, applied to the
version before, gives the new version's JSONL byte for byte."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.catalog import service
from hromada.open_data.registries.tables import Building


def apply_changes(old_jsonl: bytes, changes: bytes, key_of: Any) -> bytes:
    """The documented procedure: rows are in key order; drop removed keys, replace changed
    ones by the record's line, insert added ones where their key sorts."""
    records = [json.loads(line) for line in changes.splitlines()]
    old = [line for line in old_jsonl.splitlines()]
    out: list[bytes] = []
    i = 0
    for record in records:
        key = record["key"]
        while i < len(old) and key_of(old[i]) < key:
            out.append(old[i])
            i += 1
        if record["op"] == "add":
            out.append(record["line"].encode())
        elif record["op"] == "change":
            assert key_of(old[i]) == key
            out.append(record["line"].encode())
            i += 1
        else:
            assert key_of(old[i]) == key
            i += 1
    out.extend(old[i:])
    return b"".join(line + b"\n" for line in out)


@pytest.fixture
async def two_versions(small_city: Settings) -> Settings:
    await service.publish(small_city, "buildings")
    ids = [r["id"] for r in await Building.select(Building.id).order_by(Building.id)]
    await Building.update({Building.floors: 99, Building.number: "3Б"}).where(Building.id == ids[3])
    await Building.delete().where(Building.id == ids[10])
    template = (await Building.select().where(Building.id == ids[0]))[0]
    template.pop("id")
    await Building.insert(Building(**{**template, "number": "777"}))
    second = await service.publish(small_city, "buildings")
    assert second.created
    return small_city


@pytest.fixture
def client(two_versions: Settings) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(two_versions.replace(rate_limit_anonymous=100_000))) as c:
        yield c


def test_the_change_file_turns_version_one_into_version_two(
    client: TestClient[Litestar],
) -> None:
    base = "/api/v1/datasets/buildings/versions"
    v1 = client.get(f"{base}/1/download.jsonl").content
    v2 = client.get(f"{base}/2/download.jsonl").content
    changes = client.get(f"{base}/2/changes.jsonl")
    assert changes.status_code == 200
    assert changes.headers["etag"]
    records = [json.loads(line) for line in changes.content.splitlines()]
    assert sorted(r["op"] for r in records) == ["add", "change", "remove"]
    changed = next(r for r in records if r["op"] == "change")
    assert sorted(changed["fields"]) == ["floors", "number"]
    assert apply_changes(v1, changes.content, lambda line: [json.loads(line)["id"]]) == v2
    # Version 1's changes are its every row, added.
    first = client.get(f"{base}/1/changes.jsonl").content.splitlines()
    assert len(first) == 80 and {json.loads(r)["op"] for r in first} == {"add"}
    assert apply_changes(b"", b"\n".join(first), lambda line: [json.loads(line)["id"]]) == v1


def test_the_paged_list_walks_the_same_records(client: TestClient[Litestar]) -> None:
    base = "/api/v1/datasets/buildings/versions"
    lines = client.get(f"{base}/1/changes.jsonl").content.splitlines()
    file_records = [json.loads(line) for line in lines]
    walked: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = client.get(f"{base}/1/rows", params={"limit": 7, "cursor": cursor}).json()
        assert len(page["items"]) <= 7
        walked += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [(w["op"], w["key"]) for w in walked] == [(r["op"], r["key"]) for r in file_records]
    assert all(w["row"] == json.loads(r["line"]) for w, r in zip(walked, file_records, strict=True))
    latest = client.get(f"{base}/latest/rows").json()["items"]
    assert {item["op"] for item in latest} == {"add", "change", "remove"}
    removed = next(item for item in latest if item["op"] == "remove")
    assert "row" not in removed and "fields" not in removed


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/datasets/buildings/versions/9/rows", 404),
        ("/api/v1/datasets/nope/versions/1/rows", 404),
        ("/api/v1/datasets/buildings/versions/x/rows", 422),
        ("/api/v1/datasets/buildings/versions/1/rows?limit=0", 422),
        ("/api/v1/datasets/buildings/versions/1/rows?cursor=W10", 422),
        ("/api/v1/datasets/buildings/versions/9/changes.jsonl", 404),
    ],
)
def test_bad_requests_are_clear(client: TestClient[Litestar], path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_cursor_of_another_list_is_refused(client: TestClient[Litestar]) -> None:
    # A real, signed cursor from another paged list: its key is not a byte offset here.
    other = client.get("/api/v1/datasets/buildings/versions", params={"limit": 1}).json()
    assert other["next_cursor"]
    response = client.get(
        "/api/v1/datasets/buildings/versions/1/rows", params={"cursor": other["next_cursor"]}
    )
    assert response.status_code == 422
    # Nor does version 2's page go on from version 1's cursor.
    first = client.get("/api/v1/datasets/buildings/versions/1/rows", params={"limit": 2}).json()[
        "next_cursor"
    ]
    crossed = client.get("/api/v1/datasets/buildings/versions/2/rows", params={"cursor": first})
    assert crossed.status_code == 422
