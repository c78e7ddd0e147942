"""CKAN: what harvesters and ``ckanapi dump groups`` reach for beyond packages, CKAN's API
key headers, and CKAN-shaped errors (429 with Retry-After included), with the real client."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import ckanapi
import httpx
import pytest
from tests.conftest import LiveServer

from hromada.app import create_app
from hromada.auth import service
from hromada.auth.runtime import AuthRuntime
from hromada.auth.service import Principal
from hromada.auth.tables import Resident
from hromada.config import Settings

DAY = 86400


@pytest.fixture
def remote(published: Settings, live_server):
    with ckanapi.RemoteCKAN(live_server.url, user_agent="hromada-tests") as ckan:
        yield ckan


def test_groups_are_the_themes(remote) -> None:
    names = remote.action.group_list()
    assert names == sorted(names) and "regi" in names
    full = remote.action.group_list(all_fields=True)
    regi = next(g for g in full if g["name"] == "regi")
    assert regi["package_count"] == 3 and regi["title"] == "Регіони і міста"
    assert regi["is_organization"] is False and regi["type"] == "group"
    by_count = remote.action.group_list(sort="package_count desc", all_fields=True)
    assert by_count[0]["package_count"] >= by_count[-1]["package_count"]
    assert remote.action.group_list(limit=1, offset=1) == names[1:2]
    shown = remote.action.group_show(id="regi", include_datasets=True)
    assert sorted(p["name"] for p in shown["packages"]) == ["buildings", "districts", "streets"]
    assert remote.action.group_show(id="REGI")["name"] == "regi"
    with pytest.raises(ckanapi.NotFound):
        remote.action.group_show(id="nothing")
    with pytest.raises(ckanapi.ValidationError):
        remote.action.group_list(sort="secret asc")
    # Every package's groups are groups group_list knows.
    for package in remote.action.current_package_list_with_resources():
        assert {g["name"] for g in package["groups"]} <= set(names)


def test_tags_licences_autocomplete_and_recent_packages(remote) -> None:
    tags = remote.action.tag_list()
    assert "вулиці" in tags and tags == sorted(tags)
    assert remote.action.tag_list(query="вулиц") == [t for t in tags if "вулиц" in t]
    assert remote.action.tag_list(all_fields=True)[0]["name"] == tags[0]
    tag = remote.action.tag_show(id="вулиці", include_datasets=True)
    assert [p["name"] for p in tag["packages"]] == ["streets"]
    assert remote.action.tag_show(id=tag["id"])["name"] == "вулиці"
    with pytest.raises(ckanapi.NotFound):
        remote.action.tag_show(id="no-such-tag")

    licences = remote.action.license_list()
    assert [lic["id"] for lic in licences] == ["cc-by-4.0"]
    assert licences[0]["url"].startswith("https://creativecommons.org/")
    package = remote.action.package_show(id="streets")
    assert package["license_id"] in {lic["id"] for lic in licences}

    recent = remote.action.current_package_list_with_resources()
    assert sorted(p["name"] for p in recent) == ["buildings", "districts", "streets"]
    modified = [p["metadata_modified"] for p in recent]
    assert modified == sorted(modified, reverse=True)
    assert all(p["resources"] for p in recent)
    assert len(remote.action.current_package_list_with_resources(limit=2)) == 2
    assert len(remote.action.current_package_list_with_resources(limit=2, page=2)) == 1

    found = remote.action.package_autocomplete(q="stre")
    assert found == [
        {
            "name": "streets",
            "title": package["title"],
            "match_field": "name",
            "match_displayed": "streets",
        }
    ]
    assert remote.action.package_autocomplete(q="") == []
    assert len(remote.action.package_autocomplete(q="s", limit=1)) == 1


def test_datastore_info(remote) -> None:
    package = remote.action.package_show(id="buildings")
    rid = next(r["id"] for r in package["resources"] if r["format"] == "CSV")
    info = remote.action.datastore_info(id=rid)
    assert info["meta"]["count"] == 80
    searched = remote.action.datastore_search(resource_id=rid, limit=0)
    assert [f["id"] for f in info["fields"]] == [f["id"] for f in searched["fields"][1:]]
    assert {"id": "floors", "type": "int"}.items() <= next(
        f for f in info["fields"] if f["id"] == "floors"
    ).items()
    assert info["schema"]["floors"] == "int"
    with pytest.raises(ckanapi.NotFound):
        remote.action.datastore_info(id="nope")
    with pytest.raises(ckanapi.ValidationError):
        remote.action.datastore_info()


@pytest.mark.parametrize(
    ("fq", "names"),
    [
        ("organization:city-council OR organization:other", ["buildings", "districts", "streets"]),
        ("organization:other OR organization:nobody", []),
        ("(name:streets OR name:districts)", ["districts", "streets"]),
        ("organization:(other OR city-council) AND name:b*", ["buildings"]),
        ("+res_format:GeoJSON -(name:districts OR name:nothing)", ["buildings"]),
        ("NOT name:streets AND (tags:вулиці OR res_format:GeoJSON)", ["buildings", "districts"]),
        ("((((name:streets))))", ["streets"]),
        ("name:streets || name:buildings", ["buildings", "streets"]),
        ("вулиць OR будівель", None),
    ],
)
def test_or_and_parentheses_in_queries(remote, fq: str, names: list[str] | None) -> None:
    found = sorted(p["name"] for p in remote.action.package_search(fq=fq, rows=10)["results"])
    if names is not None:
        assert found == names
    else:
        assert found and remote.action.package_search(q=fq)["count"] == len(found)


@pytest.mark.parametrize(
    "fq",
    [
        "(name:streets",
        "name:streets)",
        "name:streets OR",
        "OR name:streets",
        "name:(streets",
        "(" * 200 + "name:streets" + ")" * 200,
        "name:streets AND " * 500,
    ],
)
def test_broken_boolean_queries_are_search_query_errors(remote, fq: str) -> None:
    with pytest.raises(ckanapi.SearchQueryError):
        remote.action.package_search(fq=fq)


@pytest.fixture
async def ckan_key(published: Settings) -> str:
    """A live API key of a resident (made the way the key endpoint makes it)."""
    settings = published
    now = dt.datetime.now(dt.UTC)
    rows = await Resident.insert(
        Resident(
            person_key="ckan-harvester-owner",
            display_name="Harvester owner",
            created_at=now,
            last_login_at=now,
        )
    ).returning(Resident.id)
    principal = Principal(kind="session", resident_id=rows[0]["id"], role="resident")
    created = await service.create_api_key(AuthRuntime(settings), principal, "harvester")
    return created.key


def test_ckan_clients_authenticate_with_their_headers(published: Settings, ckan_key: str) -> None:
    key = ckan_key
    settings = published.replace(rate_limit_anonymous=5, rate_limit_window=DAY)
    with LiveServer(create_app(settings)) as server:
        url = server.url + "/api/3/action/package_list"
        tier_limit = str(next(iter(settings.tiers.values())))
        for headers in ({"Authorization": key}, {"X-CKAN-API-Key": key}, {"X-API-Key": key}):
            answer = httpx.get(url, headers=headers)
            assert answer.status_code == 200, headers
            assert answer.headers["ratelimit-limit"] == tier_limit, headers

        # ckanapi -a sends both headers; it never hits the anonymous limit of 5.
        with ckanapi.RemoteCKAN(server.url, apikey=key) as keyed:
            for _ in range(12):
                assert keyed.action.package_list() == ["buildings", "districts", "streets"]
        # A wrong key is CKAN's Authorization Error, not a problem document.
        with (
            ckanapi.RemoteCKAN(server.url, apikey="hrm_00000000_" + "x" * 43) as wrong,
            pytest.raises(ckanapi.NotAuthorized),
        ):
            wrong.action.package_list()

        # Anonymous: after 5 calls a CKAN-shaped 429 with Retry-After.
        with ckanapi.RemoteCKAN(server.url) as anonymous:
            for _ in range(5):
                anonymous.action.site_read()
            with pytest.raises(ckanapi.CKANAPIError) as refused:
                anonymous.action.site_read()
        assert "429" in str(refused.value)
        answer = httpx.get(url)
        assert answer.status_code == 429
        assert answer.headers["content-type"] == "application/json"
        assert 1 <= int(answer.headers["retry-after"]) <= DAY
        body = answer.json()
        assert body["success"] is False
        assert body["error"]["__type"] == "Rate Limit Error" and body["error"]["message"]
        # The REST API keeps problem details.
        rest = httpx.get(server.url + "/api/v1/districts")
        assert rest.status_code == 429
        assert rest.headers["content-type"] == "application/problem+json"


def test_routing_errors_under_api_3_are_ckan_shaped(published: Settings, live_server) -> None:
    for path in ("/api/3/nothing", "/api/3/action/"):
        answer = httpx.get(live_server.url + path)
        assert answer.status_code == 404, path
        assert answer.json()["success"] is False
        assert answer.json()["error"]["__type"] == "Not Found Error"
    wrong_method = httpx.delete(live_server.url + "/api/3/action/package_list")
    assert wrong_method.status_code == 405 and wrong_method.json()["success"] is False


def test_ckanapi_dump_groups(published: Settings, live_server, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    cli = str(Path(sys.executable).with_name("ckanapi"))
    out = tmp_path / "groups.jsonl"
    done = subprocess.run(
        [cli, "dump", "groups", "--all", "-q", "-r", live_server.url, "-O", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    groups = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert "regi" in {g["name"] for g in groups}
    assert all(g["type"] == "group" for g in groups)
