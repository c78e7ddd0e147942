"""Cumulative pools over real HTTP with real logins: each voter spreads points over the
projects, every malformed points list is refused naming the field with nothing written,
one ballot per resident even under concurrent casts; after the close the greedy rules
rank by points (the Method of Equal Shares is not computed for them) and the published
Pabulib file carries the points, recomputes to the same winners and lets a voter find
their points by the receipt."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import json
import time
from contextlib import closing
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.auth.conftest import Live

from hromada.config import Settings
from hromada.participation.budgeting import rules, service
from hromada.participation.budgeting.pabulib import parse
from hromada.participation.budgeting.tables import BudgetBallot, BudgetBallotEvent, BudgetCycle

COSTS = {"C1": 600_000, "C2": 500_000, "C3": 300_000, "C4": 200_000}


@pytest.fixture
async def pools(live: Live, city: Settings) -> dict[str, int]:
    now = dt.datetime.now(dt.UTC)
    return await service.create_cycle(
        slug="pb-points",
        title="Бюджет участі балами",
        rule="greedy",
        opens=now - dt.timedelta(days=1),
        closes=now + dt.timedelta(days=1),
        pools=[
            {
                "slug": "points",
                "title": "Бали",
                "budget": 1_000_000,
                "max_picks": 4,
                "vote_type": "cumulative",
                "max_sum_points": 10,
                "max_points": 6,
                "projects": [
                    {"code": code, "title": f"Проєкт {code}", "cost": cost, "category": "Спорт"}
                    for code, cost in COSTS.items()
                ],
            },
            {
                "slug": "ticks",
                "title": "Галочки",
                "budget": 1_000_000,
                "projects": [{"code": "T1", "title": "Проєкт T1", "cost": 100}],
            },
        ],
    )


def _session(live: Live, subject: str) -> tuple[httpx.Client, dict[str, str]]:
    client = live.client()
    live.login(client, "dev-city", subject)
    return client, {"X-CSRF-Token": live.csrf(client)}


def test_a_cumulative_ballot_is_cast_changed_and_shown(live: Live, pools: dict[str, int]) -> None:
    pool = pools["points"]
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        shown = olena.get(f"/api/v1/pb/pools/{pool}").json()
        assert (shown["vote_type"], shown["max_sum_points"], shown["max_points"]) == (
            "cumulative",
            10,
            6,
        )
        first = olena.post(
            f"/api/v1/pb/pools/{pool}/ballot",
            json={"projects": ["C2", "C1"], "points": [4, 6]},
            headers=csrf,
        )
        assert first.status_code == 200, first.text
        ballot = first.json()
        assert (ballot["projects"], ballot["points"]) == (["C1", "C2"], [6, 4])
        mine = olena.get(f"/api/v1/pb/pools/{pool}/ballot").json()
        assert (mine["projects"], mine["points"]) == (["C1", "C2"], [6, 4])
        changed = olena.post(
            f"/api/v1/pb/pools/{pool}/ballot",
            json={"projects": ["C3"], "points": [5]},
            headers=csrf,
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["receipt"] == ballot["receipt"]
        mine = olena.get(f"/api/v1/pb/pools/{pool}/ballot").json()
        assert (mine["projects"], mine["points"]) == (["C3"], [5])
        assert all(
            p["points"] is None for p in olena.get(f"/api/v1/pb/pools/{pool}").json()["projects"]
        )
        ticks = olena.post(
            f"/api/v1/pb/pools/{pools['ticks']}/ballot", json={"projects": ["T1"]}, headers=csrf
        )
        assert ticks.status_code == 200 and ticks.json()["points"] is None  # unchanged


@pytest.mark.parametrize(
    ("pool_name", "body", "fragment"),
    [
        ("points", {"projects": ["C1"]}, "cumulative vote"),
        ("points", {"projects": ["C1"], "points": None}, "cumulative vote"),
        ("points", {"projects": ["C1"], "points": [2.5]}, "Expected `int`"),
        # A whole number sent as "3" or 3.0 is read as 3, as every integer of the API is
        # (Litestar decodes leniently); anything not whole is refused.
        ("points", {"projects": ["C1"], "points": ["2.5"]}, "Expected `int`"),
        ("points", {"projects": ["C1"], "points": ["three"]}, "Expected `int`"),
        ("points", {"projects": ["C1"], "points": [True]}, "Expected `int`"),
        ("points", {"projects": ["C1"], "points": [-1]}, "from 1 to 6 points, not -1"),
        ("points", {"projects": ["C1"], "points": [0]}, "from 1 to 6 points, not 0"),
        ("points", {"projects": ["C1"], "points": [7]}, "from 1 to 6 points, not 7"),
        (
            "points",
            {"projects": ["C1"], "points": [10**30]},
            "from 1 to 6 points, not a number that large",
        ),
        ("points", b'{"projects": ["C1"], "points": [1e400]}', "out of range"),
        ("points", {"projects": ["C1", "C2"], "points": [6, 5]}, "11 points given, more than"),
        ("points", {"projects": ["C1", "C2"], "points": [3]}, "1 numbers of points for 2"),
        ("points", {"projects": ["C1"], "points": [1] * 5000}, "numbers of points"),
        ("points", {"projects": ["C1", "C1"], "points": [2, 2]}, "picked twice"),
        ("points", {"projects": ["ZZ"], "points": [1]}, "not a project on this pool"),
        ("points", {"projects": ["T1"], "points": [1]}, "not a project on this pool"),
        ("points", {"projects": [], "points": []}, "pick from 1 to 4"),
        ("points", {"projects": ["C1"], "points": {"C1": 3}}, "Expected `array"),
        ("ticks", {"projects": ["T1"], "points": [1]}, "approval vote"),
    ],
)
async def test_bad_points_are_refused_naming_the_field_and_write_nothing(
    live: Live, pools: dict[str, int], pool_name: str, body: Any, fragment: str
) -> None:
    pool = pools[pool_name]
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        url = f"/api/v1/pb/pools/{pool}/ballot"
        if isinstance(body, bytes):  # what json.dumps cannot write
            headers = {**csrf, "Content-Type": "application/json"}
            response = olena.post(url, content=body, headers=headers)
            # A number no JSON reader holds is a body that does not parse: 400, as anywhere
            # in the API, with where it is.
            assert response.status_code == 400, response.text
        else:
            response = olena.post(url, json=body, headers=csrf)
            assert response.status_code == 422, response.text
            named = {e.get("name") or e.get("key") for e in response.json().get("errors", [])}
            assert any("points" in str(n) or "projects" in str(n) for n in named), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert fragment in response.text
        assert olena.get(f"/api/v1/pb/pools/{pool}/ballot").status_code == 404
    assert await BudgetBallot.count() == 0 and await BudgetBallotEvent.count() == 0


async def test_concurrent_cumulative_casts_of_one_resident_leave_one_whole_ballot(
    live: Live, pools: dict[str, int]
) -> None:
    pool = pools["points"]
    olena, csrf = _session(live, "c-olena-1001")
    ballots = [(["C1"], [6]), (["C2", "C3"], [5, 5]), (["C1", "C4"], [1, 2]), (["C4"], [3])]

    def cast(i: int) -> int:
        picks, points = ballots[i % 4]
        return olena.post(
            f"/api/v1/pb/pools/{pool}/ballot",
            json={"projects": picks, "points": points},
            headers=csrf,
        ).status_code

    with closing(olena), concurrent.futures.ThreadPoolExecutor(16) as executor:
        statuses = list(executor.map(cast, range(60)))
    assert statuses == [200] * 60
    rows = await BudgetBallot.select().where(BudgetBallot.pool == pool)
    assert len(rows) == 1
    # The stored points belong to the stored picks: never one cast's picks with another's.
    assert (json.loads(rows[0]["picks"]), json.loads(rows[0]["points"])) in ballots


CAST = (
    "mutation($pool: Int!, $projects: [String!]!, $points: [Int!]) "
    "{ castBallot(pool: $pool, projects: $projects, points: $points) { projects points receipt } }"
)


def test_graphql_casts_points_as_rest_does(live: Live, pools: dict[str, int]) -> None:
    pool = pools["points"]
    taras, csrf = _session(live, "c-taras-1002")
    with closing(taras):

        def gql(**variables: Any) -> Any:
            answer = taras.post(
                "/graphql", json={"query": CAST, "variables": variables}, headers=csrf
            )
            assert answer.status_code == 200, answer.text
            return answer.json()

        missing = gql(pool=pool, projects=["C1"])
        assert "cumulative vote" in missing["errors"][0]["message"]
        over = gql(pool=pool, projects=["C1", "C2"], points=[6, 6])
        assert "more than the 10" in over["errors"][0]["message"]
        huge = gql(pool=pool, projects=["C1"], points=[2**40])
        assert huge["errors"] and "Int" in huge["errors"][0]["message"]
        to_ticks = gql(pool=pools["ticks"], projects=["T1"], points=[1])
        assert "approval vote" in to_ticks["errors"][0]["message"]
        done = gql(pool=pool, projects=["C4", "C1"], points=[4, 6])["data"]["castBallot"]
        assert (done["projects"], done["points"]) == (["C1", "C4"], [6, 4])
        rest = taras.get(f"/api/v1/pb/pools/{pool}/ballot").json()
        assert (rest["points"], rest["receipt"]) == (done["points"], done["receipt"])
        pool_query = "query($p: Int!) { budgetPool(id: $p) { voteType maxSumPoints maxPoints } }"
        shown = taras.post(
            "/graphql", json={"query": pool_query, "variables": {"p": pool}}, headers=csrf
        )
        assert shown.json()["data"]["budgetPool"] == {
            "voteType": "cumulative",
            "maxSumPoints": 10,
            "maxPoints": 6,
        }


BALLOTS = {  # greedy by points funds C1 and C4; by how many named them, C4, C3 and C2
    "c-olena-1001": (["C1", "C4"], [6, 4]),
    "c-taras-1002": (["C1", "C3", "C4"], [6, 3, 1]),
    "c-iryna-1003": (["C2", "C3"], [6, 1]),
}


async def _results(client: httpx.Client, pool: int) -> Any:
    url = f"/api/v1/pb/pools/{pool}/results"
    answer = await asyncio.to_thread(client.get, url)
    deadline = time.monotonic() + 30
    while answer.status_code == 503 and time.monotonic() < deadline:
        await asyncio.sleep(0.2)  # the server's jobs worker computes the rules once
        answer = await asyncio.to_thread(client.get, url)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_after_the_close_points_decide_and_the_file_recomputes(
    live: Live, pools: dict[str, int], tmp_path: Path
) -> None:
    pool = pools["points"]
    receipts = {}
    for subject, (picks, points) in BALLOTS.items():
        client, csrf = _session(live, subject)
        with closing(client):
            answer = client.post(
                f"/api/v1/pb/pools/{pool}/ballot",
                json={"projects": picks, "points": points},
                headers=csrf,
            )
            assert answer.status_code == 200, answer.text
            receipts[subject] = answer.json()
    await BudgetCycle.update(
        {BudgetCycle.voting_closes_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
    ).where(BudgetCycle.slug == "pb-points")
    with live.client() as anonymous:
        results = await _results(anonymous, pool)
        assert results["ballots"] == 3
        by_code = {p["code"]: p for p in results["projects"]}
        assert {c: p["points"] for c, p in by_code.items()} == {
            "C1": 12,
            "C2": 6,
            "C3": 4,
            "C4": 5,
        }
        assert {c: p["votes"] for c, p in by_code.items()} == {"C1": 2, "C2": 1, "C3": 2, "C4": 2}
        official = next(r for r in results["rules"] if r["official"])
        assert official["selected"] == ["C1", "C4"]
        # Greedy by points; the Method of Equal Shares is not computed for points here.
        assert {r["rule"] for r in results["rules"]} == set(rules.GREEDY_RULES)
        no_skip = next(r for r in results["rules"] if r["rule"] == "greedy-no-skip")
        assert no_skip["selected"] == ["C1"]  # C2 (6 points) did not fit: the rule stops
        shown = anonymous.get(f"/api/v1/pb/pools/{pool}").json()
        assert {p["code"]: p["points"] for p in shown["projects"]} == {
            c: p["points"] for c, p in by_code.items()
        }

        text = anonymous.get(f"/api/v1/pb/pools/{pool}/ballots.pb")
        assert text.status_code == 200
        assert "vote_type;cumulative" in text.text and "max_sum_points;10" in text.text
        assert "max_points;6" in text.text and "voter_id;vote;points" in text.text
        instance = parse(text.content)
        assert instance.vote_type == "cumulative"
        assert set(instance.selected() or []) == {"C1", "C4"}
        assert {p.id: p.score for p in instance.projects.values()} == {
            "C1": 12,
            "C2": 6,
            "C3": 4,
            "C4": 5,
        }
        for rule in rules.GREEDY_RULES:
            listed = next(r for r in results["rules"] if r["rule"] == rule)
            assert rules.compute(instance, rule).selected == listed["selected"], rule
        # The file's ballots alone (without its votes and score columns) give the same.
        unscored = parse(text.content.replace(b";votes;score;", b";-;--;"))
        assert rules.compute(unscored, "greedy").selected == official["selected"]
        # Each voter finds their own points under the id their receipt gives.
        by_voter = {b.voter: (list(b.projects), list(b.points or ())) for b in instance.ballots}
        for ballot in receipts.values():
            voter = hashlib.sha256(ballot["receipt"].encode()).hexdigest()[:16]
            assert by_voter[voter] == (ballot["projects"], [Fraction(n) for n in ballot["points"]])

        query = (
            "query($p: Int!) { budgetResults(pool: $p) { projects { code votes points } "
            "rules { rule official selected } } }"
        )
        graph = anonymous.post("/graphql", json={"query": query, "variables": {"p": pool}})
        data = graph.json()["data"]["budgetResults"]
        assert {p["code"]: p["points"] for p in data["projects"]}["C1"] == 12

        from hromada.open_data.catalog.service import publish

        assert (await publish(live.settings, "pb-projects")).created
        package = anonymous.get("/api/v1/datasets/pb-projects/datapackage.json").json()
        table = anonymous.get(package["resources"][0]["path"]).text
        assert "points" in table.splitlines()[0]
        assert any(line.startswith("C1,") and ",12," in line for line in table.splitlines())

    pabutools = pytest.importorskip("pabutools.election")
    from pabutools.election.satisfaction import AdditiveSatisfaction
    from pabutools.rules import greedy_utilitarian_welfare

    def points_times_cost(instance: Any, profile: Any, ballot: Any, project: Any, _: Any) -> Any:
        # Greedy by points is greedy by welfare per cost when a project's worth to a voter
        # is its points times its cost.
        return ballot.get(project, 0) * project.cost

    class PointsSat(AdditiveSatisfaction):  # type: ignore[misc]
        def __init__(self, instance: Any, profile: Any, ballot: Any) -> None:
            super().__init__(instance, profile, ballot, points_times_cost)

    path = tmp_path / "pool.pb"
    path.write_bytes(text.content)
    theirs_instance, profile = pabutools.parse_pabulib(str(path))
    theirs = greedy_utilitarian_welfare(theirs_instance, profile, sat_class=PointsSat)
    assert sorted(str(p.name) for p in theirs) == sorted(official["selected"])


async def test_a_paper_ballot_carries_its_points(
    live: Live, pools: dict[str, int], city: Settings
) -> None:
    from hromada.devidp.people import demo_people

    iryna = next(p for p in demo_people(city.demo_seed) if p.key == "iryna")
    petro, csrf = _session(live, "c-petro-1008")  # an official
    url = f"/api/v1/pb/pools/{pools['points']}/paper-ballots"
    with closing(petro):
        ticks = petro.post(url, json={"tax_id": iryna.tax_id, "projects": ["C1"]}, headers=csrf)
        assert ticks.status_code == 422 and "cumulative vote" in ticks.text
        over = {"tax_id": iryna.tax_id, "projects": ["C1", "C2"], "points": [6, 6]}
        refused = petro.post(url, json=over, headers=csrf)
        assert refused.status_code == 422 and "more than the 10" in refused.text
        assert await BudgetBallot.count() == 0
        body = {"tax_id": iryna.tax_id, "projects": ["C2", "C1"], "points": [3, 6]}
        entered = petro.post(url, json=body, headers=csrf)
        assert entered.status_code == 201, entered.text
        assert (entered.json()["projects"], entered.json()["points"]) == (["C1", "C2"], [6, 3])
    client, csrf = _session(live, "c-iryna-1003")
    with closing(client):
        mine = client.get(f"/api/v1/pb/pools/{pools['points']}/ballot").json()
        assert (mine["points"], mine["receipt"]) == ([6, 3], entered.json()["receipt"])
