"""REST, GraphQL and Open311 over the same imported appeals."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.appeals import service
from hromada.open_data.appeals.open311 import REQUEST_FIELDS, SERVICE_FIELDS
from hromada.open_data.appeals.tables import Appeal

TOKEN = "s3cret-token-for-tests"


@pytest.fixture
def api(loaded: tuple[Settings, list[dict[str, Any]]]) -> Iterator[TestClient[Litestar]]:
    settings = loaded[0].replace(admin_token=TOKEN, rate_limit_anonymous=100_000)
    with TestClient(create_app(settings)) as client:
        yield client


def _walk(client: TestClient[Litestar], **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = client.get("/api/v1/appeals", params={**params, "cursor": cursor or ""})
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            return items


def test_list_pages_through_every_public_appeal(api: TestClient[Litestar]) -> None:
    items = _walk(api, limit=7)
    assert len(items) == 90  # 10 of 100 are confidential
    assert len({i["id"] for i in items}) == 90
    received = [i["received_at"] for i in items]
    assert received == sorted(received, reverse=True)
    ascending = _walk(api, limit=11, sort="received_at")
    assert [i["id"] for i in ascending] == [i["id"] for i in reversed(items)]
    first = items[0]
    assert set(first) >= {"source_id", "overdue", "resolution_hours", "category_code", "street"}


def test_filters(api: TestClient[Litestar], loaded: tuple[Settings, list[dict[str, Any]]]) -> None:
    everything = _walk(api, limit=100)
    district = _walk(api, district="kyiv-darnytskyi", limit=100)
    assert district and all(i["district_code"] == "kyiv-darnytskyi" for i in district)
    resolved = _walk(api, status="resolved,rejected", limit=100)
    assert {i["status"] for i in resolved} == {"resolved", "rejected"}
    overdue = _walk(api, overdue="true", limit=100)
    not_overdue = _walk(api, overdue="false", limit=100)
    assert overdue and all(i["overdue"] for i in overdue)
    assert len(overdue) + len(not_overdue) == len(everything)
    code = everything[0]["category_code"]
    assert all(i["category_code"] == code for i in _walk(api, category=code, limit=100))
    middle = everything[45]["received_at"]
    newer = _walk(api, received_from=middle, limit=100)
    assert all(i["received_at"] >= middle for i in newer) and len(newer) == 46
    channel = _walk(api, channel="сайт", limit=100)
    assert channel and all(i["channel"] == "сайт" for i in channel)
    assert _walk(api, executor="нікого", limit=100) == []
    resolved_range = _walk(api, resolved_from="2000-01-01", resolved_to="2100-01-01", limit=100)
    assert all(i["resolved_at"] for i in resolved_range) and resolved_range


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 100000},
        {"cursor": "not-a-cursor"},
        {"sort": "text"},
        {"status": "lost"},
        {"district": "atlantis"},
        {"received_from": "yesterday"},
        {"received_from": "2026-02-01", "received_to": "2026-01-01"},
        {"overdue": "maybe"},
    ],
)
def test_bad_list_parameters_are_problems(api: TestClient[Litestar], params: dict) -> None:
    response = api.get("/api/v1/appeals", params=params)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_one_appeal_and_confidential_ones_are_absent(api: TestClient[Litestar]) -> None:
    public = _walk(api, limit=100)
    one = api.get(f"/api/v1/appeals/{public[0]['id']}")
    assert one.status_code == 200 and one.json() == public[0]
    public_ids = {i["id"] for i in public}
    for appeal_id in range(1, 130):
        response = api.get(f"/api/v1/appeals/{appeal_id}")
        assert response.status_code == (200 if appeal_id in public_ids else 404)
    assert api.get("/api/v1/appeals/abc").status_code in (400, 404)


async def test_no_confidential_appeal_is_reachable(
    api: TestClient[Litestar], loaded: tuple[Settings, list[dict[str, Any]]]
) -> None:
    confidential_ids = {
        r["id"]
        for r in await Appeal.select(Appeal.id).where(Appeal.confidential == True).run()  # noqa: E712
    }
    assert len(confidential_ids) == 10
    seen: set[int] = set()
    for params in (
        {},
        {"status": "resolved"},
        {"overdue": "true"},
        {"overdue": "false"},
        {"district": "kyiv-holosiivskyi"},
        {"sort": "id"},
        {"sort": "-id"},
    ):
        seen |= {i["id"] for i in _walk(api, limit=50, **params)}
    assert not seen & confidential_ids
    gql = api.post(
        "/graphql",
        json={"query": "{ appeals(first: 500) { edges { node { id } } } }"},
    ).json()
    assert not {e["node"]["id"] for e in gql["data"]["appeals"]["edges"]} & confidential_ids
    for appeal_id in confidential_ids:
        assert api.get(f"/api/v1/appeals/{appeal_id}").status_code == 404
        assert api.get(f"/open311/v2/requests/{appeal_id}.json").status_code == 404
        body = api.post("/graphql", json={"query": f"{{ appeal(id: {appeal_id}) {{ id }} }}"})
        assert body.json()["data"]["appeal"] is None
    ids = ",".join(str(i) for i in confidential_ids)
    assert api.get("/open311/v2/requests.json", params={"service_request_id": ids}).json() == []
    rows = [row async for row in service.iter_public_rows()]
    assert len(rows) == 90 and not {r["id"] for r in rows} & confidential_ids


def test_no_personal_value_in_any_output(samples: Any, api: TestClient[Litestar]) -> None:
    outputs = [
        api.get("/api/v1/appeals", params={"limit": 500}).text,
        api.get("/api/v1/appeals/stats", params={"group_by": "district,status"}).text,
        api.get("/api/v1/appeals/categories").text,
        api.get("/open311/v2/requests.json", params={"page_size": 500}).text,
        api.get("/open311/v2/requests.xml", params={"page_size": 500}).text,
        api.get("/open311/v2/services.json").text,
        api.post(
            "/graphql",
            json={
                "query": "{ appeals(first: 500) { edges { node { text answer street executor "
                "sourceId lat lon } } } }"
            },
        ).text,
    ]
    decoded = [json.loads(o) if o.startswith(("{", "[")) else o for o in outputs]
    text = "\n".join(json.dumps(d, ensure_ascii=False) for d in decoded)
    assert "[ТЕЛЕФОН]" in text  # the texts are there, scrubbed
    for value in samples.personal_values():
        assert value not in text, value
    assert "кв. 1" not in text and "Хрещатик, 1" not in text


def test_stats(api: TestClient[Litestar]) -> None:
    body = api.get("/api/v1/appeals/stats", params={"group_by": "status"}).json()
    groups = {g["key"]["status"]: g for g in body["groups"]}
    # Public appeals only (the design: DESIGN.md, "Disclosure control").
    assert sum(g["count"] for g in groups.values()) == 90
    assert body["total"]["count"] == 90 and body["k"] == 5
    assert body["counts"] == "public appeals only"
    resolved = groups["resolved"]
    assert resolved["resolved"] == resolved["count"] == 30
    assert 10 <= resolved["median_resolution_hours"] <= 160
    assert resolved["median_resolution_hours"] <= resolved["p90_resolution_hours"]
    assert 0 <= resolved["on_time_pct"] <= 100
    assert groups["registered"]["median_resolution_hours"] is None
    by_week = api.get("/api/v1/appeals/stats", params={"group_by": "week,district"}).json()
    assert by_week["suppressed_groups"] > 0
    assert all(g["count"] >= 5 for g in by_week["groups"])
    for group in ("district", "category", "executor", "month", "channel"):
        response = api.get("/api/v1/appeals/stats", params={"group_by": group})
        assert response.status_code == 200, response.text
    assert api.get("/api/v1/appeals/stats", params={"group_by": "text"}).status_code == 422


def test_stats_name_their_codes_and_come_as_files(api: TestClient[Litestar]) -> None:
    import io

    import pandas as pd

    params = {"group_by": "district,status", "status": "resolved,in_progress,registered"}
    body = api.get("/api/v1/appeals/stats", params=params).json()
    assert body["groups"]
    districts = {d["code"]: d["name_uk"] for d in api.get("/api/v1/districts").json()["items"]}
    categories = {
        c["code"]: c["name"] for c in api.get("/api/v1/appeals/categories").json()["items"]
    }
    for group in body["groups"]:
        assert group["names"]["district"] == districts[group["key"]["district"]]
        assert "status" not in group["names"]
    by_category = api.get("/api/v1/appeals/stats", params={"group_by": "category"}).json()
    assert by_category["groups"]
    for group in by_category["groups"]:
        assert group["names"]["category"] == categories[group["key"]["category"]]
    # The same groups as files: CSV (for Excel: a BOM) and XLSX, loaded as pandas would.
    csv_answer = api.get("/api/v1/appeals/stats.csv", params=params)
    assert csv_answer.status_code == 200, csv_answer.text
    assert csv_answer.content.startswith("\ufeff".encode())
    assert "attachment" in csv_answer.headers["content-disposition"]
    xlsx_answer = api.get("/api/v1/appeals/stats.xlsx", params=params)
    assert xlsx_answer.status_code == 200
    for frame in (
        pd.read_csv(io.BytesIO(csv_answer.content), encoding="utf-8-sig", dtype={"status": str}),
        pd.read_excel(io.BytesIO(xlsx_answer.content)),
    ):
        assert list(frame.columns[:3]) == ["district", "district_name", "status"]
        assert len(frame) == len(body["groups"])
        assert frame["count"].tolist() == [g["count"] for g in body["groups"]]
        assert frame["district_name"].tolist() == [g["names"]["district"] for g in body["groups"]]
        assert int(frame["count"].sum()) == body["total"]["count"]  # no total row
    # Suppression holds in the files as in the answer: no group below k.
    by_week = pd.read_csv(
        io.BytesIO(api.get("/api/v1/appeals/stats.csv", params={"group_by": "week"}).content),
        encoding="utf-8-sig",
    )
    assert (by_week["count"] >= 5).all()
    assert api.get("/api/v1/appeals/stats.csv", params={"group_by": "text"}).status_code == 422
    gql = api.post(
        "/graphql",
        json={
            "query": "{ appealStats(groupBy: [DISTRICT]) { groups { key { name value label } } } }"
        },
    ).json()
    labels = {
        k["value"]: k["label"] for g in gql["data"]["appealStats"]["groups"] for k in g["key"]
    }
    assert labels and all(labels[code] == districts[code] for code in labels)


def test_stats_suppress_small_groups_even_when_filtered(api: TestClient[Litestar]) -> None:
    one = _walk(api, limit=1)[0]
    body = api.get(
        "/api/v1/appeals/stats",
        params={
            "group_by": "district",
            "received_from": one["received_at"],
            "received_to": (
                dt.datetime.fromisoformat(one["received_at"]) + dt.timedelta(seconds=1)
            ).isoformat(),
        },
    ).json()
    assert body["groups"] == [] and body["total"] is None and body["suppressed_groups"] == 1


def test_stats_percentiles_match_the_data(
    api: TestClient[Litestar], loaded: tuple[Settings, list[dict[str, Any]]]
) -> None:
    rows = loaded[1]
    hours = sorted(
        (
            dt.datetime.fromisoformat(r["resolved_at"])
            - dt.datetime.fromisoformat(r["received_at"])
        ).total_seconds()
        / 3600
        for r in rows
        if r["resolved_at"] and r["confidential"] == "ні"
    )
    n = len(hours)
    exact_median = (hours[(n - 1) // 2] + hours[n // 2]) / 2
    body = api.get("/api/v1/appeals/stats", params={"group_by": "status"}).json()
    total = body["total"]
    # Buckets are 6 hours wide above two days: the figure is within one bucket.
    assert abs(total["median_resolution_hours"] - exact_median) <= 6


def test_categories(api: TestClient[Litestar]) -> None:
    items = api.get("/api/v1/appeals/categories").json()["items"]
    assert len(items) == 4 and sum(i["appeals"] for i in items) == 90


# ---------------------------------------------------------------------------
# GraphQL


def test_graphql_connection_and_stats(api: TestClient[Litestar]) -> None:
    query = """
    query($after: String) {
      appeals(first: 40, after: $after, filter: {status: ["resolved"]}) {
        edges { cursor node { id status overdue district { code } } }
        pageInfo { hasNextPage endCursor }
      }
    }"""
    seen = []
    after = None
    while True:
        body = api.post("/graphql", json={"query": query, "variables": {"after": after}}).json()
        assert "errors" not in body, body
        connection = body["data"]["appeals"]
        seen.extend(e["node"]["id"] for e in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    rest = {i["id"] for i in _walk(api, status="resolved", limit=100)}
    assert set(seen) == rest
    stats = api.post(
        "/graphql",
        json={
            "query": "{ appealStats(groupBy: [DISTRICT]) { k suppressedGroups total { count } "
            "groups { key { name value } count medianResolutionHours p90ResolutionHours "
            "onTimePct overdue } } }"
        },
    ).json()
    assert "errors" not in stats, stats
    rest_stats = api.get("/api/v1/appeals/stats", params={"group_by": "district"}).json()
    assert stats["data"]["appealStats"]["total"]["count"] == rest_stats["total"]["count"]
    assert len(stats["data"]["appealStats"]["groups"]) == len(rest_stats["groups"])
    too_many = api.post(
        "/graphql", json={"query": "{ appeals(first: 100000) { edges { cursor } } }"}
    )
    assert "errors" in too_many.json()


# ---------------------------------------------------------------------------
# Open311


def test_open311_json(api: TestClient[Litestar]) -> None:
    discovery = api.get("/open311/v2/discovery.json").json()
    assert discovery["endpoints"][0]["specification"].endswith("GeoReport_v2")
    services = api.get("/open311/v2/services.json").json()
    assert len(services) == 4 and set(services[0]) == set(SERVICE_FIELDS)
    requests = api.get("/open311/v2/requests.json", params={"page_size": 500}).json()
    assert len(requests) == 90
    for request in requests:
        assert list(request) == list(REQUEST_FIELDS)
        assert request["status"] in ("open", "closed")
        assert request["requested_datetime"].endswith("Z")
    code = services[0]["service_code"]
    some = api.get("/open311/v2/requests.json", params={"service_code": code}).json()
    assert some and all(r["service_code"] == code for r in some)
    closed = api.get("/open311/v2/requests.json", params={"status": "closed"}).json()
    assert closed and all(r["status"] == "closed" for r in closed)
    one = requests[0]["service_request_id"]
    assert api.get(f"/open311/v2/requests/{one}.json").json() == [requests[0]]
    old = api.get("/open311/v2/requests.json", params={"start_date": "2010-01-01T00:00:00Z"}).json()
    assert old == []  # 2010-01-01 plus the 90-day window
    too_wide = api.get(
        "/open311/v2/requests.json",
        params={"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"},
    )
    assert too_wide.status_code == 400  # GeoReport v2 answers bad input with 400
    assert api.get("/open311/v2/requests.csv").status_code == 404
    assert api.get("/open311/v2/requests/abc.json").status_code == 404


def test_open311_xml(api: TestClient[Litestar]) -> None:
    response = api.get("/open311/v2/requests.xml", params={"page_size": 20})
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert len(requests) == 20
    assert [child.tag for child in requests[0]] == list(REQUEST_FIELDS)
    services = ET.fromstring(api.get("/open311/v2/services.xml").content)
    assert services.tag == "services" and len(services.findall("service")) == 4
    discovery = ET.fromstring(api.get("/open311/v2/discovery.xml").content)
    assert discovery.find("endpoints/endpoint/specification") is not None


# ---------------------------------------------------------------------------
# Staff import


def test_staff_import(samples: Any, api: TestClient[Litestar]) -> None:
    data = samples.to_csv(samples.make_rows(130))
    url = "/api/v1/admin/imports/appeals"
    assert api.post(url, content=data).status_code == 401
    wrong = api.post(url, content=data, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.headers["content-type"].startswith("application/problem+json")
    ok = api.post(url, content=data, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200, ok.text
    # The fixture moved the first 100 into the last month: they are updated back.
    assert ok.json()["imported"] == 30 and ok.json()["updated"] == 100
    rows = samples.make_rows(5)
    rows[2]["district"] = "Атлантида"
    bad = api.post(url, content=samples.to_csv(rows), headers={"Authorization": f"Bearer {TOKEN}"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["line"] == 4
    binary = api.post(
        url, content=bytes(range(256)) * 50, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert binary.status_code == 422 and "binary" in binary.json()["detail"]


def test_staff_import_needs_a_staff_role(loaded: tuple[Settings, Any]) -> None:
    # No admin token configured: only officials and admins who logged in may import
    # (tests/auth/test_roles.py logs one in); anonymous callers are told to log in.
    with TestClient(create_app(loaded[0])) as client:
        response = client.post("/api/v1/admin/imports/appeals", content=b"id,received_at\n")
        assert response.status_code == 401


def test_staff_import_size_cap(samples: Any, loaded: tuple[Settings, Any]) -> None:
    settings = loaded[0].replace(
        admin_token=TOKEN, appeals_import_max_bytes=4096, rate_limit_anonymous=100_000
    )
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/api/v1/admin/imports/appeals",
            content=samples.to_csv(samples.make_rows(100)),
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert response.status_code == 413


async def test_the_monthly_statistics_dataset_matches_the_stats_answer(
    api: TestClient[Litestar], loaded: tuple[Settings, list[dict[str, Any]]]
) -> None:
    """``appeal-stats-monthly``: month × district × category with names, each cell what
    ``/stats`` answers for the same grouping, no cell under k, no totals."""
    import csv
    import io

    from hromada.open_data.catalog.service import publish

    settings = loaded[0]
    result = await publish(settings, "appeal-stats-monthly")
    assert result.version is not None
    text = api.get("/api/v1/datasets/appeal-stats-monthly/versions/latest/download.csv").text
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    stats = api.get("/api/v1/appeals/stats", params={"group_by": "month,district,category"}).json()
    expected = {
        (g["key"]["month"], g["key"]["district"] or "unknown", g["key"]["category"] or "unknown"): g
        for g in stats["groups"]
    }
    assert rows and len(rows) == len(expected)
    for row in rows:
        group = expected[(row["month"], row["district"], row["category"])]
        assert int(row["count"]) == group["count"] >= settings.appeals_k
        assert row["district_name"] == (group["names"].get("district") or "Не визначено")
        assert row["category_name"] == (group["names"].get("category") or "Не визначено")
    # Cells under k exist in this data and are absent from the file.
    assert stats["suppressed_groups"] > 0
    schema = api.get("/api/v1/datasets/appeal-stats-monthly").json()["schema"]
    assert schema["primaryKey"] == ["month", "district", "category"]
