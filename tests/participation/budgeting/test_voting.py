"""Voting in the participatory budget over real HTTP with real logins through the
development identity provider: one ballot per resident and pool, changeable until the
close, validated against the pool's rules, counts hidden while open; after the close,
results by every rule and a Pabulib file that recomputes to the same winners and in
which a voter finds their ballot by the receipt."""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import datetime as dt
import hashlib
import io
import time
from contextlib import closing
from typing import Any

import httpx
import pytest
from tests.auth.conftest import Live

from hromada.config import Settings
from hromada.participation.budgeting import rules, service
from hromada.participation.budgeting.pabulib import parse
from hromada.participation.budgeting.tables import BudgetBallot, BudgetCycle


def _projects(prefix: str, costs: list[int]) -> list[dict[str, Any]]:
    return [
        {"code": f"{prefix}{i}", "title": f"Проєкт {prefix}{i}", "cost": cost, "category": "Спорт"}
        for i, cost in enumerate(costs, start=1)
    ]


@pytest.fixture
async def pools(live: Live, city: Settings) -> dict[str, int]:
    now = dt.datetime.now(dt.UTC)
    ids = await service.create_cycle(
        slug="pb-now",
        title="Бюджет участі",
        rule="greedy",
        opens=now - dt.timedelta(days=1),
        closes=now + dt.timedelta(days=1),
        pools=[
            {
                "slug": "city",
                "title": "Загальноміські",
                "budget": 1_000_000,
                "min_picks": 1,
                "max_picks": 3,
                "projects": [
                    *_projects("A", [400_000, 300_000, 250_000, 200_000, 150_000]),
                    {"code": "AX", "title": "Відхилений", "cost": 1000, "status": "rejected"},
                ],
            },
            {
                "slug": "capped",
                "title": "З обмеженням вартості",
                "budget": 500_000,
                "max_picks": 3,
                "cost_cap": True,
                "projects": _projects("B", [300_000, 250_000, 100_000]),
            },
            {
                "slug": "kinds",
                "title": "Один проєкт на категорію",
                "budget": 1_000_000,
                "max_picks": 3,
                "one_per_category": True,
                "projects": [
                    {"code": "K1", "title": "Стадіон", "cost": 100, "category": "Спорт"},
                    {"code": "K2", "title": "Басейн", "cost": 100, "category": "Спорт"},
                    {"code": "K3", "title": "Бібліотека", "cost": 100, "category": "Освіта"},
                ],
            },
            {
                "slug": "saltivka",
                "title": "Салтівський район",
                "budget": 300_000,
                "district": "saltivskyi",
                "projects": _projects("S", [100_000, 90_000]),
            },
        ],
    )
    later = await service.create_cycle(
        slug="pb-later",
        title="Наступний",
        rule="mes",
        opens=now + dt.timedelta(days=10),
        closes=now + dt.timedelta(days=20),
        pools=[{"slug": "city", "title": "x", "budget": 10, "projects": _projects("L", [5])}],
    )
    return {**ids, "later": later["city"]}


def _session(live: Live, subject: str) -> tuple[httpx.Client, dict[str, str]]:
    client = live.client()
    live.login(client, "dev-city", subject)
    return client, {"X-CSRF-Token": live.csrf(client)}


def test_one_ballot_changeable_counts_hidden_and_own_order(
    live: Live, pools: dict[str, int]
) -> None:
    pool = pools["city"]
    olena, csrf = _session(live, "c-olena-1001")
    anonymous = live.client()
    with closing(olena), anonymous:
        first = olena.post(
            f"/api/v1/pb/pools/{pool}/ballot", json={"projects": ["A2", "A1"]}, headers=csrf
        )
        assert first.status_code == 200, first.text
        ballot = first.json()
        assert ballot["projects"] == ["A1", "A2"]
        assert ballot["voter"] == hashlib.sha256(ballot["receipt"].encode()).hexdigest()[:16]
        changed = olena.post(
            f"/api/v1/pb/pools/{pool}/ballot", json={"projects": ["A3"]}, headers=csrf
        )
        assert changed.status_code == 200 and changed.json()["receipt"] == ballot["receipt"]
        assert olena.get(f"/api/v1/pb/pools/{pool}/ballot").json()["projects"] == ["A3"]
        public = anonymous.get(f"/api/v1/pb/pools/{pool}").json()
        assert public["phase"] == "voting" and public["turnout"] == 1
        assert all(p["votes"] is None for p in public["projects"])
        assert [p["code"] for p in public["projects"]] == ["A1", "A2", "A3", "A4", "A5"]
        mine = [p["code"] for p in olena.get(f"/api/v1/pb/pools/{pool}").json()["projects"]]
        assert sorted(mine) == ["A1", "A2", "A3", "A4", "A5"]
        again = [p["code"] for p in olena.get(f"/api/v1/pb/pools/{pool}").json()["projects"]]
        assert mine == again  # the same order each time for the same resident
        assert anonymous.get(f"/api/v1/pb/pools/{pool}/results").status_code == 409
        assert anonymous.get(f"/api/v1/pb/pools/{pool}/ballots.pb").status_code == 409


@pytest.mark.parametrize(
    ("pool_name", "body", "status", "fragment"),
    [
        ("city", {"projects": []}, 422, "pick from 1 to 3"),
        ("city", {"projects": ["A1", "A2", "A3", "A4"]}, 422, "pick from 1 to 3"),
        ("city", {"projects": ["A1", "A1"]}, 422, "twice"),
        ("city", {"projects": ["B1"]}, 422, "not a project on this pool"),
        ("city", {"projects": ["AX"]}, 422, "not a project on this pool"),
        ("city", {"projects": ["x" * 5000]}, 422, "not a project"),
        ("city", {"projects": ["A1\x00"]}, 422, "not a project"),
        ("city", {"projects": ["A1", "A2\x00"]}, 422, "not a project"),
        ("city", {"projects": ["x"] * 5000}, 422, "at most"),
        ("city", {"projects": "A1"}, 422, "Expected `array`"),
        ("city", {"projects": ["A1"], "extra": 1}, 422, "extra"),
        ("capped", {"projects": ["B1", "B2"]}, 422, "more than the pool's"),
        ("saltivka", {"projects": ["S1"]}, 403, "saltivskyi"),
        ("kinds", {"projects": ["K1", "K2"]}, 422, "one project per category"),
        ("later", {"projects": ["L1"]}, 409, "opens at"),
    ],
)
def test_a_bad_ballot_is_refused_and_changes_nothing(
    live: Live, pools: dict[str, int], pool_name: str, body: Any, status: int, fragment: str
) -> None:
    pool = pools[pool_name]
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        response = olena.post(f"/api/v1/pb/pools/{pool}/ballot", json=body, headers=csrf)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert fragment in response.text
        assert olena.get(f"/api/v1/pb/pools/{pool}/ballot").status_code == 404


def test_voting_needs_a_resident_and_the_csrf_token(live: Live, pools: dict[str, int]) -> None:
    pool = pools["city"]
    anonymous = live.client()
    olena, _ = _session(live, "c-olena-1001")
    with anonymous, closing(olena):
        assert anonymous.post(
            f"/api/v1/pb/pools/{pool}/ballot", json={"projects": ["A1"]}
        ).status_code in (401, 403)
        no_csrf = olena.post(f"/api/v1/pb/pools/{pool}/ballot", json={"projects": ["A1"]})
        assert no_csrf.status_code == 403
        assert anonymous.get("/api/v1/pb/pools/999999").status_code == 404
    taras, csrf = _session(live, "c-taras-1002")
    with closing(taras):
        ok = taras.post(
            f"/api/v1/pb/pools/{pools['saltivka']}/ballot", json={"projects": ["S1"]}, headers=csrf
        )
        assert ok.status_code == 200, ok.text  # Taras lives in Saltivskyi
        mixed = taras.post(
            f"/api/v1/pb/pools/{pools['kinds']}/ballot",
            json={"projects": ["K1", "K3"]},
            headers=csrf,
        )
        assert mixed.status_code == 200, mixed.text  # one of each category


@pytest.mark.parametrize(
    ("subject", "reason"),
    [("c-maksym-1004", "under 16"), ("c-andrii-1005", "not registered in the community")],
)
def test_an_ineligible_resident_cannot_vote(
    live: Live, pools: dict[str, int], subject: str, reason: str
) -> None:
    client, csrf = _session(live, subject)
    with closing(client):
        refused = client.post(
            f"/api/v1/pb/pools/{pools['city']}/ballot", json={"projects": ["A1"]}, headers=csrf
        )
        assert refused.status_code == 403, refused.text
        assert reason in refused.text
    with live.client() as anonymous:
        assert anonymous.get(f"/api/v1/pb/pools/{pools['city']}").json()["turnout"] == 0


async def test_a_hundred_concurrent_ballots_of_one_resident_leave_one(
    live: Live, pools: dict[str, int]
) -> None:
    pool = pools["city"]
    olena, csrf = _session(live, "c-olena-1001")
    picks = [["A1"], ["A2"], ["A1", "A3"], ["A4", "A5"]]

    def cast(i: int) -> int:
        return olena.post(
            f"/api/v1/pb/pools/{pool}/ballot", json={"projects": picks[i % 4]}, headers=csrf
        ).status_code

    with closing(olena), concurrent.futures.ThreadPoolExecutor(16) as executor:
        statuses = list(executor.map(cast, range(100)))
    assert statuses == [200] * 100
    assert await BudgetBallot.count().where(BudgetBallot.pool == pool) == 1


async def test_after_the_close_results_and_ballots_recompute(
    live: Live, pools: dict[str, int]
) -> None:
    pool = pools["city"]
    receipts = {}
    for subject, picks in (
        ("c-olena-1001", ["A1", "A2"]),
        ("c-taras-1002", ["A1", "A3"]),
        ("c-iryna-1003", ["A2", "A5"]),
    ):
        client, csrf = _session(live, subject)
        with closing(client):
            answer = client.post(
                f"/api/v1/pb/pools/{pool}/ballot", json={"projects": picks}, headers=csrf
            )
            assert answer.status_code == 200, answer.text
            receipts[subject] = answer.json()
    # The clock moves past the close (the phase is read from it on every request).
    await BudgetCycle.update(
        {BudgetCycle.voting_closes_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
    ).where(BudgetCycle.slug == "pb-now")
    anonymous = live.client()
    with anonymous:
        olena, csrf = _session(live, "c-olena-1001")
        with closing(olena):
            late = olena.post(
                f"/api/v1/pb/pools/{pool}/ballot", json={"projects": ["A4"]}, headers=csrf
            )
            assert late.status_code == 409 and "closed at" in late.text
        # The first ask after the close starts the computation off the request path.
        first = anonymous.get(f"/api/v1/pb/pools/{pool}/results")
        assert first.status_code == 503 and first.headers["Retry-After"]
        assert "being computed" in first.json()["detail"]
        answer = first
        deadline = time.monotonic() + 30
        while answer.status_code == 503 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)  # the server's jobs worker computes every rule once
            answer = anonymous.get(f"/api/v1/pb/pools/{pool}/results")
        assert answer.status_code == 200, answer.text
        results = answer.json()
        assert results["ballots"] == 3 and results["rule"] == "greedy"
        votes = {p["code"]: p["votes"] for p in results["projects"]}
        assert votes == {"A1": 2, "A2": 2, "A3": 1, "A4": 0, "A5": 1}
        official = next(r for r in results["rules"] if r["official"])
        assert official["selected"] == ["A2", "A1", "A5"]  # ties: cheaper first; A3 did not fit
        assert {r["rule"] for r in results["rules"]} == set(rules.RULES)
        a3 = next(p for p in results["projects"] if p["code"] == "A3")
        assert not a3["selected"] and a3["explanation"]
        shown = anonymous.get(f"/api/v1/pb/pools/{pool}").json()
        assert {p["code"]: p["votes"] for p in shown["projects"]} == votes

        text = anonymous.get(f"/api/v1/pb/pools/{pool}/ballots.pb")
        assert text.status_code == 200
        instance = parse(text.content)
        assert set(instance.selected() or []) == set(official["selected"])
        for rule in rules.RULES:
            again = rules.compute(instance, rule)
            listed = next(r for r in results["rules"] if r["rule"] == rule)
            assert again.selected == listed["selected"], rule
        by_voter = {b.voter: list(b.projects) for b in instance.ballots}
        for ballot in receipts.values():
            voter = hashlib.sha256(ballot["receipt"].encode()).hexdigest()[:16]
            assert by_voter[voter] == ballot["projects"]
        assert "c-olena" not in text.text and "resident" not in text.text

        # GraphQL gives the same results, the pool and the cycles.
        query = (
            "query($p: Int!) { budgetResults(pool: $p) { ballots rule projects { code votes "
            "selected } rules { rule official selected } } budgetPool(id: $p) { phase turnout "
            "projects { code votes } } budgetCycles { slug phase } }"
        )
        graph = anonymous.post("/graphql", json={"query": query, "variables": {"p": pool}})
        data = graph.json()["data"]
        assert data["budgetResults"]["ballots"] == 3
        assert {p["code"]: p["votes"] for p in data["budgetResults"]["projects"]} == votes
        assert [r["selected"] for r in data["budgetResults"]["rules"] if r["official"]] == [
            official["selected"]
        ]
        assert data["budgetPool"]["phase"] == "closed" and data["budgetPool"]["turnout"] == 3
        assert {c["slug"]: c["phase"] for c in data["budgetCycles"]} == {
            "pb-now": "closed",
            "pb-later": "upcoming",
        }
        missing = anonymous.post("/graphql", json={"query": query, "variables": {"p": 10**9}})
        assert missing.json()["data"]["budgetResults"] is None

        # The projects dataset agrees with the results, and says nothing before a close.
        from hromada.open_data.catalog.service import publish

        assert (await publish(live.settings, "pb-projects")).created
        package = anonymous.get("/api/v1/datasets/pb-projects/datapackage.json").json()
        table = anonymous.get(package["resources"][0]["path"])
        assert table.status_code == 200
        rows = {r["code"]: r for r in csv.DictReader(io.StringIO(table.text))}
        assert "AX" not in rows  # refused projects are not on the ballot
        for project in results["projects"]:
            row = rows[project["code"]]
            assert int(row["votes"]) == project["votes"]
            assert (row["selected"] == "true") == project["selected"]
        assert rows["L1"]["votes"] == "" and rows["L1"]["selected"] == ""  # not yet voted
        assert rows["B1"]["votes"] == "0"  # its pool closed with the cycle: no votes


CAST = (
    "mutation($pool: Int!, $projects: [String!]!) "
    "{ castBallot(pool: $pool, projects: $projects) { projects receipt } }"
)
MINE = "query($pool: Int!) { myBallot(pool: $pool) { projects receipt } }"


async def test_graphql_casts_the_same_ballot_as_rest(live: Live, pools: dict[str, int]) -> None:
    pool = pools["capped"]
    with live.client() as anonymous:
        refused = anonymous.post(
            "/graphql", json={"query": CAST, "variables": {"pool": pool, "projects": ["B3"]}}
        ).json()
        assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    taras, csrf = _session(live, "c-taras-1002")
    with closing(taras):

        def gql(query: str, **variables: Any) -> Any:
            answer = taras.post(
                "/graphql", json={"query": query, "variables": variables}, headers=csrf
            )
            assert answer.status_code == 200, answer.text
            return answer.json()

        assert gql(MINE, pool=pool)["data"]["myBallot"] is None
        too_dear = gql(CAST, pool=pool, projects=["B1", "B2"])
        assert "more than the pool" in too_dear["errors"][0]["message"]
        cast = gql(CAST, pool=pool, projects=["B3", "B1"])["data"]["castBallot"]
        assert cast["projects"] == ["B1", "B3"]
        rest = taras.get(f"/api/v1/pb/pools/{pool}/ballot").json()
        assert (rest["projects"], rest["receipt"]) == (cast["projects"], cast["receipt"])
        assert gql(MINE, pool=pool)["data"]["myBallot"] == cast
        changed = gql(CAST, pool=pool, projects=["B2"])["data"]["castBallot"]
        assert changed == {"projects": ["B2"], "receipt": cast["receipt"]}
        many = gql(CAST, pool=pool, projects=["B1"] * 60)
        assert "at most" in many["errors"][0]["message"]
        no_token = taras.post(
            "/graphql", json={"query": CAST, "variables": {"pool": pool, "projects": ["B2"]}}
        )
        assert no_token.status_code == 403
    assert await BudgetBallot.count().where(BudgetBallot.pool == pool) == 1  # one ballot, changed
