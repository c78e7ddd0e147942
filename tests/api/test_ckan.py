"""The CKAN Action API, driven by the real ``ckanapi`` client over HTTP."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import ckanapi
import httpx
import pytest

from hromada.config import Settings


@pytest.fixture
def remote(published: Settings, live_server):
    with ckanapi.RemoteCKAN(live_server.url, user_agent="hromada-tests") as ckan:
        yield ckan


def test_site_and_status(remote) -> None:
    assert remote.action.site_read() is True
    status = remote.action.status_show()
    assert status["ckan_version"].startswith("2.")
    assert "datastore" in status["extensions"]


def test_package_show_has_the_fields_data_gov_ua_has(remote, shared_data: Path) -> None:
    names = remote.action.package_list()
    assert names == ["buildings", "districts", "streets"]
    ours = remote.action.package_show(id="buildings")
    assert remote.action.package_show(id=ours["id"])["name"] == "buildings"
    for path in sorted((shared_data / "datagovua_ckan_metadata").glob("*.json")):
        real = json.loads(path.read_text(encoding="utf-8"))["result"]
        # data.gov.ua's own additions beyond CKAN and its custom fields are not required.
        missing = set(real) - set(ours) - {"is_datapackage"}
        assert not missing, f"{path.name}: {missing}"
        for key in ("organization",):
            assert not set(real[key]) - set(ours[key]), key
        assert not set(real["tags"][0]) - set(ours["tags"][0])
        resource_missing = set(real["resources"][0]) - set(ours["resources"][0])
        assert resource_missing <= {"action", "file_hash_sum"}, resource_missing
        for key, value in real.items():
            if key in ours and value is not None and ours[key] is not None:
                assert type(ours[key]) is type(value), key
    assert ours["license_id"] == "cc-by-4.0"
    assert ours["update_frequency"] == "immediately after making changes"
    assert ours["organization"]["name"] == "city-council"
    formats = {r["format"] for r in ours["resources"]}
    assert formats == {"CSV", "JSON", "JSONL", "GeoJSON", "XLSX", "Parquet"}
    extras = {e["key"]: e["value"] for e in ours["extras"]}
    assert extras["spatial_katottg"] == "UA63120270010096107"
    assert extras["edrpou"] == "04059243"


def test_package_search_pages_like_the_ckan_harvester(remote) -> None:
    # CKAN's harvester: rows=100, start=N, sort=id asc, until an empty page. Here rows=1
    # as well, so that there is more than one page to walk.
    for rows in (100, 1):
        seen, start = [], 0
        while True:
            page = remote.action.package_search(rows=rows, start=start, sort="id asc")
            if not page["results"]:
                break
            seen.extend(p["id"] for p in page["results"])
            start += len(page["results"])
        assert seen == sorted(seen) and len(seen) == len(set(seen)) == 3
        assert page["count"] == 3


def test_package_search_filters(remote) -> None:
    search = remote.action.package_search
    assert search(q="*:*")["count"] == 3
    assert search(q="вулиць")["count"] == 1
    assert search(q="building register")["results"][0]["name"] == "buildings"
    assert search(fq="metadata_modified:[2000-01-01T00:00:00Z TO *]")["count"] == 3
    assert search(fq="metadata_modified:[2000-01-01T00:00:00.000Z TO *]")["count"] == 3
    assert search(fq="metadata_modified:[2999-01-01T00:00:00Z TO *]")["count"] == 0
    assert search(fq="metadata_modified:[NOW-1DAY TO NOW+1DAY]")["count"] == 3
    assert search(fq="organization:city-council")["count"] == 3
    assert search(fq="-organization:city-council")["count"] == 0
    assert search(fq="organization:other")["count"] == 0
    assert search(fq="+organization:city-council +res_format:GeoJSON")["count"] == 2
    assert search(fq='tags:"вулиці"')["count"] == 1
    assert search(fq="name:build*")["count"] == 1
    assert search(fq="+dataset_type:dataset")["count"] == 3
    names = [p["name"] for p in search(sort="name desc")["results"]]
    assert names == ["streets", "districts", "buildings"]
    assert search(rows=5000)["count"] == 3  # clamped to 1000, as CKAN does
    facets = search(**{"facet.field": '["organization", "res_format", "tags"]'})
    items = {i["name"]: i["count"] for i in facets["search_facets"]["res_format"]["items"]}
    assert items["CSV"] == 3 and items["GeoJSON"] == 2
    assert facets["facets"]["organization"] == {"city-council": 3}
    org_item = facets["search_facets"]["organization"]["items"][0]
    assert org_item["display_name"] == "Харківська міська рада"


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"fq": "metadata_modified:[yesterday TO *]"}, ckanapi.SearchQueryError),
        ({"fq": "nosuchfield:1"}, ckanapi.SearchQueryError),
        ({"fq": "(organization:a OR organization:b"}, ckanapi.SearchQueryError),
        ({"sort": "name sideways"}, ckanapi.SearchQueryError),
        ({"sort": "secret asc"}, ckanapi.SearchQueryError),
        ({"rows": -1}, ckanapi.ValidationError),
        ({"rows": "many"}, ckanapi.ValidationError),
        ({"start": -5}, ckanapi.ValidationError),
        ({"facet.field": '{"a": 1}'}, ckanapi.ValidationError),
    ],
)
def test_package_search_rejects_bad_queries_clearly(remote, params, error) -> None:
    with pytest.raises(error):
        remote.action.package_search(**params)


def test_organizations_and_resources(remote) -> None:
    assert remote.action.organization_list() == ["city-council"]
    orgs = remote.action.organization_list(all_fields=True)
    assert orgs[0]["package_count"] == 3 and orgs[0]["edrpou"] == "04059243"
    org = remote.action.organization_show(id="city-council", include_datasets=True)
    assert len(org["packages"]) == 3
    assert remote.action.organization_show(id=org["id"])["name"] == "city-council"
    package = remote.action.package_show(id="streets")
    resource = remote.action.resource_show(id=package["resources"][0]["id"])
    assert resource == package["resources"][0]
    with pytest.raises(ckanapi.NotFound):
        remote.action.package_show(id="nope")
    with pytest.raises(ckanapi.NotFound):
        remote.action.resource_show(id="nope")
    with pytest.raises(ckanapi.NotFound):
        remote.action.organization_show(id="nope")
    with pytest.raises(ckanapi.ValidationError):
        remote.action.package_show()


def test_datastore_search(remote, live_server) -> None:
    package = remote.action.package_show(id="buildings")
    rid = next(r["id"] for r in package["resources"] if r["format"] == "CSV")
    dump = httpx.get(f"{live_server.url}/datastore/dump/{rid}")
    assert dump.status_code == 200
    rows = list(csv.DictReader(io.StringIO(dump.text)))
    assert len(rows) == 80

    everything = remote.action.datastore_search(resource_id=rid, limit=1000)
    assert everything["total"] == 80 and len(everything["records"]) == 80
    assert everything["fields"][0] == {"id": "_id", "type": "int"}
    assert {"id": "floors", "type": "int"} in everything["fields"]
    assert [r["_id"] for r in everything["records"]] == list(range(1, 81))

    page = remote.action.datastore_search(resource_id=rid, limit=10, offset=70)
    assert [r["_id"] for r in page["records"]] == list(range(71, 81))

    district = rows[0]["district"]
    filtered = remote.action.datastore_search(resource_id=rid, filters={"district": district})
    assert filtered["total"] == sum(1 for r in rows if r["district"] == district)
    assert all(r["district"] == district for r in filtered["records"])

    name = rows[0]["street_name"]
    found = remote.action.datastore_search(resource_id=rid, q=name, limit=1000)
    assert found["total"] >= 1
    assert all(
        name.casefold() in json.dumps(r, ensure_ascii=False).casefold() for r in found["records"]
    )

    tallest = remote.action.datastore_search(
        resource_id=rid, sort="floors desc, id asc", limit=3, fields="id,floors"
    )
    top = sorted(rows, key=lambda r: (-int(r["floors"]), int(r["id"])))[:3]
    assert [r["id"] for r in tallest["records"]] == [int(r["id"]) for r in top]
    assert set(tallest["records"][0]) == {"id", "floors"}

    quick = remote.action.datastore_search(resource_id=rid, limit=5, include_total=False)
    assert "total" not in quick and len(quick["records"]) == 5

    with pytest.raises(ckanapi.NotFound):
        remote.action.datastore_search(resource_id="nope")
    with pytest.raises(ckanapi.ValidationError):
        remote.action.datastore_search()
    with pytest.raises(ckanapi.ValidationError):
        remote.action.datastore_search(resource_id=rid, filters={"nope": 1})
    with pytest.raises(ckanapi.ValidationError):
        remote.action.datastore_search(resource_id=rid, sort="nope asc")
    with pytest.raises(ckanapi.ValidationError):
        remote.action.datastore_search(resource_id=rid, fields="id,nope")
    with pytest.raises(ckanapi.ValidationError):
        remote.action.datastore_search(resource_id=rid, limit=-1)


def test_envelope_and_errors_over_plain_http(published: Settings, live_server) -> None:
    base = live_server.url
    for prefix in ("/api/3/action/", "/api/action/"):
        ok = httpx.get(base + prefix + "package_list")
        assert ok.status_code == 200
        body = ok.json()
        assert body["success"] is True and body["help"].endswith("help_show?name=package_list")
    get = httpx.get(base + "/api/3/action/package_search", params={"q": "вулиць", "rows": "1"})
    assert get.json()["result"]["count"] == 1
    unknown = httpx.get(base + "/api/3/action/no_such_action")
    assert unknown.status_code == 400
    assert unknown.json() == "Bad request - Action name not known: no_such_action"
    bad_json = httpx.post(
        base + "/api/3/action/package_show",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert bad_json.status_code == 400 and "JSON Error" in bad_json.json()
    not_object = httpx.post(base + "/api/3/action/package_show", json=[1, 2])
    assert not_object.status_code == 400
    write = httpx.post(base + "/api/3/action/package_create", json={"name": "x"})
    assert write.status_code == 403
    assert write.json()["error"]["__type"] == "Authorization Error"
    missing = httpx.post(base + "/api/3/action/package_show", json={"id": "nope"})
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "__type": "Not Found Error",
        "message": "Not found: Dataset not found",
    }
    invalid = httpx.post(base + "/api/3/action/package_show", json={})
    assert invalid.status_code == 409
    assert invalid.json()["error"] == {"__type": "Validation Error", "id": ["Missing value"]}
    form = httpx.post(base + "/api/3/action/package_show", data={"id": "streets"})
    assert form.json()["result"]["name"] == "streets"
    help_ = httpx.get(base + "/api/3/action/help_show", params={"name": "package_search"})
    assert "rows" in help_.json()["result"]
    assert httpx.get(base + "/datastore/dump/nope").status_code == 404


def _ckanapi_cli() -> list[str]:
    return [str(Path(sys.executable).with_name("ckanapi"))]


def test_ckanapi_command_line(published: Settings, live_server, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    search = subprocess.run(
        [*_ckanapi_cli(), "action", "package_search", "-r", live_server.url],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    assert json.loads(search.stdout)["count"] == 3
    out = tmp_path / "datasets.jsonl"
    subprocess.run(
        [*_ckanapi_cli(), "dump", "datasets", "--all", "-q", "-r", live_server.url, "-O", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    dumped = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(d["name"] for d in dumped) == ["buildings", "districts", "streets"]
    assert all(d["num_resources"] == len(d["resources"]) for d in dumped)
