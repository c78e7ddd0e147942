"""Officials set up a participatory-budget cycle over REST: checked whole before anything
is written, one cycle per slug even when two requests race, and logged."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
from contextlib import closing
from typing import Any

import httpx
import pytest
from tests.auth.conftest import Live

from hromada.participation.budgeting.tables import BudgetCycle, BudgetPool, BudgetProject

SOON = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)


def _points(**changes: Any) -> dict[str, Any]:
    """A cumulative pool: 10 points each, at most 4 on one project."""
    pool = {"slug": "pts", "title": "Бали", "budget": 10, "vote_type": "cumulative"}
    return {**pool, "max_sum_points": 10, "max_points": 4, **changes}


def cycle(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "slug": "pb-2027",
        "title": "Бюджет участі 2027",
        "rule": "mes",
        "voting_opens_at": SOON.isoformat(),
        "voting_closes_at": (SOON + dt.timedelta(days=14)).isoformat(),
        "submission_opens_at": (SOON - dt.timedelta(days=20)).isoformat(),
        "submission_closes_at": (SOON - dt.timedelta(days=10)).isoformat(),
        "pools": [
            {
                "slug": "small",
                "title": "Малі проєкти",
                "budget": 2_000_000,
                "max_picks": 5,
                "one_per_category": True,
                "min_cost": 50_000,
                "max_cost": 500_000,
            },
            {
                "slug": "saltivka",
                "title": "Салтівський район",
                "budget": 1_000_000,
                "district": "saltivskyi",
                "projects": [
                    {
                        "code": "S27-1",
                        "title": "Сквер на Салтівці",
                        "cost": 400_000,
                        "lat": 50.0223,
                        "lon": 36.3438,
                    }
                ],
            },
        ],
    }
    body.update(changes)
    return body


def _official(live: Live) -> tuple[httpx.Client, dict[str, str]]:
    client = live.client()
    live.login(client, "dev-city", "c-petro-1008")
    return client, {"X-CSRF-Token": live.csrf(client)}


async def test_an_official_sets_up_a_cycle(live: Live) -> None:
    petro, csrf = _official(live)
    with closing(petro):
        made = petro.post("/api/v1/pb/cycles", json=cycle(), headers=csrf)
        assert made.status_code == 201, made.text
        out = made.json()
        assert out["slug"] == "pb-2027" and out["phase"] == "upcoming" and len(out["pools"]) == 2
        again = petro.post("/api/v1/pb/cycles", json=cycle(), headers=csrf)
        assert again.status_code == 409 and "exists already" in again.text
        taken = petro.post("/api/v1/pb/cycles", json=cycle(slug="pb-other"), headers=csrf)
        assert taken.status_code == 409 and "S27-1" in taken.text
    pool = (await BudgetPool.select().where(BudgetPool.slug == "small"))[0]
    assert pool["one_per_category"] and (pool["min_cost"], pool["max_cost"]) == (50_000, 500_000)
    assert await BudgetProject.count() == 1
    with live.client() as anonymous:
        trail = anonymous.get("/api/v1/audit", params={"subject": "cycle:pb-2027"}).json()
        assert [e["action"] for e in trail["items"]] == ["created"]
        assert trail["items"][0]["actor"].startswith("official:")
        listed = anonymous.get("/api/v1/pb/cycles").json()["items"]
        assert [c["slug"] for c in listed] == ["pb-2027"]
        small = anonymous.get(f"/api/v1/pb/pools/{out['pools'][0]}").json()
        assert small["one_per_category"] and small["submission_closes_at"]
        assert (small["vote_type"], small["max_sum_points"]) == ("approval", None)
        # A project's place, given with the cycle, is on the pool's ballot (and its map).
        saltivka = anonymous.get(f"/api/v1/pb/pools/{out['pools'][1]}").json()
        assert [(p["lat"], p["lon"]) for p in saltivka["projects"]] == [(50.0223, 36.3438)]


async def test_an_official_sets_up_a_cumulative_pool(live: Live) -> None:
    petro, csrf = _official(live)
    body = cycle(rule="greedy-threshold", pools=[_points(min_picks=1, max_picks=3)])
    with closing(petro):
        made = petro.post("/api/v1/pb/cycles", json=body, headers=csrf)
        assert made.status_code == 201, made.text
        shown = petro.get(f"/api/v1/pb/pools/{made.json()['pools'][0]}").json()
        assert (shown["vote_type"], shown["max_sum_points"], shown["max_points"]) == (
            "cumulative",
            10,
            4,
        )
        trail = petro.get("/api/v1/audit", params={"subject": "cycle:pb-2027"}).json()
        logged = trail["items"][0]["detail"]["pools"]["pts"]
        assert (logged["vote_type"], logged["max_sum_points"]) == ("cumulative", 10)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"slug": "Bad Slug"}, "slug"),
        ({"rule": "dictator"}, "unknown rule"),
        ({"voting_opens_at": "2020-01-01T00:00:00+00:00"}, "in the future"),
        ({"voting_opens_at": SOON.replace(tzinfo=None).isoformat()}, "offset"),
        ({"voting_closes_at": (SOON - dt.timedelta(days=1)).isoformat()}, "close after"),
        ({"submission_closes_at": None}, "both ends"),
        ({"submission_closes_at": (SOON + dt.timedelta(days=1)).isoformat()}, "submission"),
        ({"pools": []}, "1 to 50 pools"),
        ({"pools": [{"slug": "x", "title": "Пул", "budget": 0}]}, "budget of 1"),
        (
            {"pools": [{"slug": "x", "title": "Пул", "budget": 10, "district": "atlantis"}]},
            "no district",
        ),
        ({"pools": [{"slug": "x", "title": "Пул", "budget": 10, "min_cost": 20}]}, "min_cost"),
        (
            {
                "pools": [
                    {"slug": "x", "title": "Пул", "budget": 10, "min_picks": 3, "max_picks": 2}
                ]
            },
            "picks",
        ),
        (
            {
                "pools": [
                    {"slug": "x", "title": "Пул", "budget": 10},
                    {"slug": "x", "title": "Пул", "budget": 10},
                ]
            },
            "share a slug",
        ),
        (
            {
                "pools": [
                    {
                        "slug": "x",
                        "title": "Пул",
                        "budget": 10,
                        "projects": [
                            {"code": "A", "title": "Проєкт", "cost": 5},
                            {"code": "A", "title": "Ще один", "cost": 5},
                        ],
                    }
                ]
            },
            "share a code",
        ),
        (
            {
                "pools": [
                    {
                        "slug": "x",
                        "title": "Пул",
                        "budget": 10,
                        "projects": [{"code": "A", "title": "Проєкт", "cost": 50}],
                    }
                ]
            },
            "cost 1 to",
        ),
        (
            {
                "pools": [
                    {
                        "slug": "x",
                        "title": "Пул",
                        "budget": 10,
                        "projects": [{"code": "../A", "title": "Проєкт", "cost": 5}],
                    }
                ]
            },
            "project code",
        ),
        ({"pools": [{"slug": "x", "title": "Пул", "budget": 2**40}]}, ""),
        ({"pools": [_points(vote_type="borda")]}, '"name":"vote_type"'),
        ({"pools": [_points(max_sum_points=None)]}, '"name":"max_sum_points"'),
        ({"pools": [_points(max_sum_points=0)]}, '"name":"max_sum_points"'),
        ({"pools": [_points(max_sum_points=10**6)]}, "1 to 1000"),
        ({"pools": [_points(max_sum_points=2**70)]}, ""),
        ({"pools": [_points(max_points=11)]}, '"name":"max_points"'),
        ({"pools": [_points(max_points=0)]}, '"name":"max_points"'),
        (
            {"pools": [_points(min_picks=4, max_picks=5, max_sum_points=3, max_points=None)]},
            '"name":"min_picks"',
        ),
        ({"pools": [_points(vote_type="approval")]}, "for a cumulative pool only"),
        ({"pools": [_points(vote_type="approval", max_sum_points=None)]}, '"name":"max_points"'),
        ({"rule": "mes", "pools": [_points()]}, "Equal Shares"),
        (
            {
                "pools": [
                    {
                        "slug": "x",
                        "title": "Пул",
                        "budget": 10,
                        "projects": [{"code": "A", "title": "Проєкт", "cost": 5, "lat": 50.0}],
                    }
                ]
            },
            "project A: lon",
        ),
        (
            {
                "pools": [
                    {
                        "slug": "x",
                        "title": "Пул",
                        "budget": 10,
                        "projects": [
                            {"code": "A", "title": "Проєкт", "cost": 5, "lat": 91, "lon": 30}
                        ],
                    }
                ]
            },
            "project A: lat",
        ),
        (
            {
                "pools": [
                    {
                        "slug": "x",
                        "title": "Пул",
                        "budget": 10,
                        "projects": [
                            {"code": "A", "title": "Проєкт", "cost": 5, "lat": 50, "lon": -181}
                        ],
                    }
                ]
            },
            "project A: lon",
        ),
        ({"owner": "me"}, "owner"),
    ],
)
async def test_a_bad_cycle_is_refused_and_nothing_is_written(
    live: Live, changes: dict[str, Any], fragment: str
) -> None:
    petro, csrf = _official(live)
    with closing(petro):
        answer = petro.post("/api/v1/pb/cycles", json=cycle(**changes), headers=csrf)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert fragment in answer.text
    assert await BudgetCycle.count() == 0 and await BudgetPool.count() == 0


def test_only_officials_set_up_cycles(live: Live) -> None:
    with live.client() as anonymous:
        assert anonymous.post("/api/v1/pb/cycles", json=cycle()).status_code in (401, 403)
    olena = live.client()
    live.login(olena, "dev-city", "c-olena-1001")
    with closing(olena):
        headers = {"X-CSRF-Token": live.csrf(olena)}
        assert olena.post("/api/v1/pb/cycles", json=cycle(), headers=headers).status_code == 403


async def test_two_requests_at_once_make_one_cycle(live: Live) -> None:
    petro, csrf = _official(live)
    with closing(petro), concurrent.futures.ThreadPoolExecutor(4) as workers:
        codes = list(
            workers.map(
                lambda _: petro.post("/api/v1/pb/cycles", json=cycle(), headers=csrf).status_code,
                range(4),
            )
        )
    assert sorted(codes) == [201, 409, 409, 409]
    assert await BudgetCycle.count() == 1
