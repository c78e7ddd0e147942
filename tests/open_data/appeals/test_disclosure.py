"""The attacks of issue 11, scripted against the real HTTP API (REST and GraphQL,
Open311): an anonymous client must learn nothing about confidential appeals.

- differencing: statistics minus the public list over any window, district and status;
- subtraction: the total minus the shown groups when some groups are suppressed;
- existence: a category used only by confidential appeals in any value list.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.appeals import service
from hromada.open_data.catalog.service import publish_all

SECRET_CATEGORY = "Скарга на сусіда-посадовця"
SECRET_CHANNEL = "голубина пошта"
GROUPINGS = ["district", "category", "status", "month", "week", "executor", "channel"]
STATS_QUERY = """query($g: [AppealGroup!]!, $f: AppealFilter) {
  appealStats(groupBy: $g, filter: $f) {
    counts suppressedGroups total { count } groups { count }
  }
}"""


@pytest.fixture
async def imported(samples: Any, kyiv: Settings) -> tuple[Settings, list[dict[str, Any]]]:
    """60 appeals, a dozen of them confidential; two confidential ones use a category
    no public appeal uses."""
    rows = samples.make_rows(60, confidential_every=5)  # i % 5 == 3: twelve confidential
    secret = [r for r in rows if r["confidential"] == "так"]
    assert len(secret) == 12
    for row in secret[:2]:
        row["category"] = SECRET_CATEGORY
        row["channel"] = SECRET_CHANNEL
        row["executor"] = "КП Таємне управління"
    report = await service.import_file(io.BytesIO(samples.to_csv(rows)))
    assert report.applied, report.errors
    return kyiv, rows


@pytest.fixture
def city(
    imported: tuple[Settings, list[dict[str, Any]]],
) -> Iterator[tuple[TestClient[Litestar], list[dict[str, Any]]]]:
    settings = imported[0].replace(rate_limit_anonymous=100_000)
    with TestClient(create_app(settings)) as client:
        yield client, imported[1]


def _public_count(client: TestClient[Litestar], params: dict[str, Any]) -> int:
    count, cursor = 0, ""
    while True:
        body = client.get("/api/v1/appeals", params={**params, "cursor": cursor, "limit": 100})
        assert body.status_code == 200, body.text
        count += len(body.json()["items"])
        cursor = body.json()["next_cursor"]
        if not cursor:
            return count


def _stats(client: TestClient[Litestar], params: dict[str, Any]) -> dict[str, Any]:
    response = client.get("/api/v1/appeals/stats", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["counts"] == "public appeals only"
    return body


def _stats_total(client: TestClient[Litestar], params: dict[str, Any]) -> int:
    """What an attacker reads off the stats: the total, or the shown groups' sum with k=5."""
    body = _stats(client, params)
    return body["total"]["count"] if body["total"] else 0


def test_differencing_learns_nothing(
    city: tuple[TestClient[Litestar], list[dict[str, Any]]],
) -> None:
    client, rows = city
    secret = [r for r in rows if r["confidential"] == "так"]
    # Windows around every confidential appeal, alone and with its district and status:
    # the statistics never count more than the public list holds.
    for row in secret:
        at = dt.datetime.fromisoformat(row["received_at"])
        for width in (dt.timedelta(hours=8), dt.timedelta(days=3), dt.timedelta(days=30)):
            window = {
                "received_from": (at - width).isoformat(),
                "received_to": (at + width).isoformat(),
            }
            for extra in ({}, {"status": row["status"]}):
                params = {**window, **extra}
                listed = _public_count(client, params)
                shown = _stats_total(client, {**params, "group_by": "status"})
                assert shown <= listed, (params, shown, listed)
                assert shown in (0, listed)  # either all public ones, or suppressed
    # With no window at all, totals equal the public list exactly, per district too.
    assert _stats_total(client, {"group_by": "status"}) == _public_count(client, {}) == 48
    # A binary search on received_to finds no confidential minute: the difference
    # between stats and list is zero for every probe.
    lo = dt.datetime.fromisoformat(rows[0]["received_at"])
    hi = dt.datetime.fromisoformat(rows[-1]["received_at"]) + dt.timedelta(hours=1)
    for _ in range(8):
        mid = lo + (hi - lo) / 2
        params = {"received_to": mid.isoformat()}
        listed = _public_count(client, params)
        shown = _stats_total(client, {**params, "group_by": "status"})
        assert shown in (0, listed)
        lo = mid


def test_subtraction_learns_nothing(
    city: tuple[TestClient[Litestar], list[dict[str, Any]]],
) -> None:
    client, _rows = city
    for grouping in [*GROUPINGS, "district,status", "category,month"]:
        body = _stats(client, {"group_by": grouping})
        shown = sum(g["count"] for g in body["groups"])
        total = body["total"]["count"] if body["total"] else 0
        # The total is the sum of the shown groups: nothing to subtract.
        assert total == shown, (grouping, body)
        assert all(g["count"] >= body["k"] for g in body["groups"])
    suppressed = _stats(client, {"group_by": "week,district"})
    assert suppressed["suppressed_groups"] > 0
    # The same through GraphQL.
    for grouping in (["DISTRICT"], ["CATEGORY"], ["WEEK", "DISTRICT"]):
        answer = client.post("/graphql", json={"query": STATS_QUERY, "variables": {"g": grouping}})
        data = answer.json()
        assert "errors" not in data, data
        stats = data["data"]["appealStats"]
        assert stats["counts"] == "public appeals only"
        total = stats["total"]["count"] if stats["total"] else 0
        assert total == sum(g["count"] for g in stats["groups"])


def test_existence_learns_nothing(
    city: tuple[TestClient[Litestar], list[dict[str, Any]]],
) -> None:
    client, _rows = city
    texts = [
        client.get("/api/v1/appeals/categories").text,
        client.get("/open311/v2/services.json").text,
        client.post("/graphql", json={"query": "{ appealCategories { code name } }"}).text,
    ]
    for grouping in ("category", "category,status"):
        texts.append(client.get("/api/v1/appeals/stats", params={"group_by": grouping}).text)
    for text in texts:
        assert SECRET_CATEGORY not in text, text[:300]
    # The category is as absent as a missing one.
    code = service.category_code(SECRET_CATEGORY)
    assert client.get(f"/open311/v2/services/{code}.json").status_code == 404
    assert client.get(f"/api/v1/appeals/categories/{code}").status_code == 404


def test_filters_are_no_existence_probe(
    city: tuple[TestClient[Litestar], list[dict[str, Any]]],
) -> None:
    """A filter on a category only confidential appeals use answers exactly as a filter
    on a code that never existed: the same status, the same problem, everywhere."""
    client, _rows = city
    secret = service.category_code(SECRET_CATEGORY)
    missing = service.category_code("Категорія, якої ніколи не було")
    for path in ("/api/v1/appeals", "/api/v1/appeals/stats", "/open311/v2/requests.json"):
        key = "service_code" if path.startswith("/open311") else "category"
        answers = []
        for code in (secret, missing):
            response = client.get(path, params={key: code})
            body = response.json()
            if isinstance(body, dict):
                body.pop("request_id", None)
                body.pop("instance", None)
                body = json.loads(json.dumps(body).replace(code, "<code>"))
            else:
                body = json.loads(json.dumps(body).replace(code, "<code>"))
            answers.append((response.status_code, body))
        assert answers[0] == answers[1], (path, answers)
    query = """query($c: String) { appeals(filter: {category: $c}) { edges { cursor } } }"""
    graphql = [
        client.post("/graphql", json={"query": query, "variables": {"c": code}}).json()
        for code in (secret, missing)
    ]
    assert json.dumps(graphql[0]).replace(secret, "<code>") == json.dumps(graphql[1]).replace(
        missing, "<code>"
    )


async def _confidential_only(column: str) -> str:
    """A stored value of ``column`` that only confidential appeals have (as written, after
    the anonymiser): what an attacker would try to confirm through a filter."""
    from hromada.open_data.appeals.tables import Appeal

    rows = await Appeal.raw(
        f"SELECT {column} AS v FROM appeal GROUP BY {column} "
        "HAVING MIN(CASE WHEN confidential THEN 1 ELSE 0 END) = 1"
    ).run()
    assert rows, f"the fixture gives some {column} to confidential appeals only"
    return str(rows[0]["v"])


def _answer(response: Any, value: str) -> tuple[int, Any]:
    """A response with the probed value, request ids and times taken out."""
    text = response.text.replace(value, "<value>")
    if "json" not in response.headers.get("content-type", ""):
        return response.status_code, text
    body = json.loads(text)
    if isinstance(body, dict):
        for noise in ("request_id", "instance", "help"):
            body.pop(noise, None)
        if isinstance(body.get("result"), dict):
            body["result"].pop("_links", None)
    return response.status_code, body


async def test_every_filter_is_no_existence_probe(
    imported: tuple[Settings, list[dict[str, Any]]],
    city: tuple[TestClient[Litestar], list[dict[str, Any]]],
) -> None:
    """Every free-valued filter (category, channel, executor) answers a value only
    confidential appeals have exactly as one nobody ever used: in the list, the
    statistics, the filtered download, GraphQL, Open311 and CKAN's datastore."""
    client, _rows = city
    probes = {
        "category": (service.category_code(SECRET_CATEGORY), "no-such-category"),
        "channel": (await _confidential_only("channel"), "канал, якого не було"),
        "executor": (await _confidential_only("executor"), "КП Якого Не Було"),
    }
    assert probes["channel"][0] == SECRET_CHANNEL
    await publish_all(imported[0])  # the published table behind CKAN's datastore
    package = client.get("/api/3/action/package_show", params={"id": "appeals"}).json()
    assert package["success"], package
    datastore = next(r["id"] for r in package["result"]["resources"] if r.get("datastore_active"))
    graphql_list = "query($f: AppealFilter) { appeals(filter: $f) { edges { cursor } } }"
    graphql_stats = STATS_QUERY
    for name, (secret, missing) in probes.items():
        per_value: list[list[tuple[int, Any]]] = []
        for value in (secret, missing):
            answers = [
                _answer(client.get("/api/v1/appeals", params={name: value}), value),
                _answer(client.get("/api/v1/appeals/stats", params={name: value}), value),
                _answer(client.get("/api/v1/appeals/download/csv", params={name: value}), value),
                _answer(
                    client.post(
                        "/graphql",
                        json={"query": graphql_list, "variables": {"f": {name: value}}},
                    ),
                    value,
                ),
                *(
                    _answer(
                        client.post(
                            "/graphql",
                            json={
                                "query": graphql_stats,
                                "variables": {"g": [grouping.upper()], "f": {name: value}},
                            },
                        ),
                        value,
                    )
                    for grouping in GROUPINGS
                ),
            ]
            filters = json.dumps({name: value}, ensure_ascii=False)
            answers.append(
                _answer(
                    client.get(
                        "/api/3/action/datastore_search",
                        params={"resource_id": datastore, "filters": filters},
                    ),
                    value,
                )
            )
            per_value.append(answers)
        for found, never in zip(*per_value, strict=True):
            assert found == never, (name, found, never)
