"""How funded projects are built: officials record milestones of what the cycle's rule
funded, progress and spending never go back, a finished project takes no more steps;
public over REST, in the audit log and in the pb-implementation dataset."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import closing
from typing import Any

import httpx
import pytest
from tests.auth.conftest import Live
from tests.open_data.procurement.test_procurement import tender

from hromada.config import Settings
from hromada.open_data.catalog.service import iter_rows, publish
from hromada.open_data.procurement.importing import import_file
from hromada.participation.budgeting import service
from hromada.participation.budgeting.tables import BudgetBallot, BudgetCycle


@pytest.fixture
async def funded(live: Live, city: Settings) -> dict[str, int]:
    """A closed pool of 700,000 UAH: A1 and A2 funded by greedy, A3 did not fit."""
    now = dt.datetime.now(dt.UTC)
    ids = await service.create_cycle(
        slug="pb-built",
        title="Минулорічний бюджет",
        rule="greedy",
        opens=now - dt.timedelta(days=30),
        closes=now + dt.timedelta(days=1),
        pools=[
            {
                "slug": "city",
                "title": "Місто",
                "budget": 700_000,
                "max_picks": 3,
                "projects": [
                    {"code": "A1", "title": "Сквер", "cost": 400_000},
                    {"code": "A2", "title": "Бібліотека", "cost": 300_000},
                    {"code": "A3", "title": "Фонтан", "cost": 250_000},
                ],
            },
            {"slug": "open", "title": "Ще триває", "budget": 10, "projects": []},
        ],
    )
    at = now - dt.timedelta(days=2)
    picks = [["A1", "A2", "A3"], ["A1", "A2"], ["A1"]]
    await BudgetBallot.insert(
        *[
            BudgetBallot(pool=ids["city"], resident=9000 + i, picks=json.dumps(p), cast_at=at)
            for i, p in enumerate(picks)
        ]
    )
    await BudgetCycle.update({BudgetCycle.voting_closes_at: now - dt.timedelta(days=1)}).where(
        BudgetCycle.slug == "pb-built"
    )
    outcome = await service.store_results(ids["city"])
    assert [p.code for p in outcome.projects if p.selected] == ["A1", "A2"]
    return ids


def _session(live: Live, subject: str) -> tuple[httpx.Client, dict[str, str]]:
    client = live.client()
    live.login(client, "dev-city", subject)
    return client, {"X-CSRF-Token": live.csrf(client)}


def _step(client: httpx.Client, csrf: dict[str, str], code: str, **step: Any) -> httpx.Response:
    return client.post(f"/api/v1/pb/projects/{code}/milestones", json=step, headers=csrf)


async def test_a_funded_project_is_built_step_by_step(
    live: Live, funded: dict[str, int], city: Settings
) -> None:
    petro, csrf = _session(live, "c-petro-1008")  # an official
    with closing(petro):
        plan = [
            {"stage": "planned", "percent": 0, "spent": 0},
            {"stage": "tender", "percent": 0, "spent": 0, "prozorro_id": "UA-2026-03-14-000123-a"},
            {"stage": "contracted", "percent": 10, "spent": 50_000},
            {"stage": "in_progress", "percent": 60, "spent": 250_000, "note": "Плитку покладено."},
            {"stage": "done", "percent": 100, "spent": 395_000},
        ]
        for step in plan:
            answer = _step(petro, csrf, "A1", **step)
            assert answer.status_code == 201, answer.text
        steps = answer.json()
        assert [s["stage"] for s in steps] == [s["stage"] for s in plan]
        assert steps[-1]["prozorro_id"] == "UA-2026-03-14-000123-a", "kept from the tender on"
        after = _step(petro, csrf, "A1", stage="in_progress", percent=100, spent=395_000)
        assert after.status_code == 409 and "no more steps" in after.text
        assert _step(petro, csrf, "A2", stage="planned", percent=0, spent=0).status_code == 201
        back = _step(petro, csrf, "A2", stage="in_progress", percent=0, spent=0)
        assert back.status_code == 201
        lower = _step(petro, csrf, "A2", stage="in_progress", percent=50, spent=100_000)
        assert lower.status_code == 201
        undo = _step(petro, csrf, "A2", stage="in_progress", percent=40, spent=120_000)
        assert undo.status_code == 409 and "never go back" in undo.text
        unfunded = _step(petro, csrf, "A3", stage="planned", percent=0, spent=0)
        assert unfunded.status_code == 409 and "not funded" in unfunded.text
    with live.client() as anonymous:
        public = anonymous.get("/api/v1/pb/projects/A1/milestones")
        assert public.status_code == 200 and len(public.json()) == 5
        trail = anonymous.get("/api/v1/audit", params={"subject": "project:A1"}).json()["items"]
        built = [e["action"] for e in trail if e["action"].startswith("implementation:")]
        assert built == [f"implementation:{s['stage']}" for s in plan]
        # The milestone's ProZorro id leads to its tender once the tender is imported.
        prozorro_id = public.json()[-1]["prozorro_id"]
        tender_url = f"/api/v1/procurement/tenders/{prozorro_id}"
        assert anonymous.get(tender_url).status_code == 404, "not imported yet"
        bought = tender(123) | {"tenderID": prozorro_id}
        await import_file(json.dumps({"data": bought}).encode(), max_bytes=2**20)
        found = anonymous.get(tender_url)
        assert found.status_code == 200 and found.json()["tender_id"] == prozorro_id
        page = anonymous.get("/budget/projects/A1", params={"lang": "en"}).text
        assert "Implementation" in page and "UA-2026-03-14-000123-a" in page
        query = (
            '{ budgetProposal(code: "A1") { code status cost milestones { stage percent } } '
            f'budgetProposals(pool: {funded["city"]}, status: "approved") {{ code }} }}'
        )
        data = anonymous.post("/graphql", json={"query": query}).json()["data"]
        assert data["budgetProposal"]["milestones"][-1] == {"stage": "done", "percent": 100}
        assert [p["code"] for p in data["budgetProposals"]] == ["A1", "A2", "A3"]
        bad = anonymous.post(
            "/graphql", json={"query": '{ budgetProposals(pool: 1, status: "x") { code } }'}
        ).json()
        assert bad["errors"] and "status must be" in bad["errors"][0]["message"]
    done = await publish(city, "pb-implementation")
    assert done.created and done.version is not None
    rows = list(iter_rows(city, await _latest(city)))
    assert [(r["code"], r["stage"]) for r in rows][:5] == [("A1", s["stage"]) for s in plan]
    assert len(rows) == 8


async def _latest(settings: Settings) -> Any:
    from hromada.open_data.catalog.service import get_version

    return await get_version(settings, "pb-implementation", None)


@pytest.mark.parametrize(
    ("step", "fragment"),
    [
        ({"stage": "built", "percent": 0, "spent": 0}, "stage"),
        ({"stage": "planned", "percent": 101, "spent": 0}, "0 to 100"),
        ({"stage": "planned", "percent": -1, "spent": 0}, "0 to 100"),
        ({"stage": "done", "percent": 90, "spent": 0}, "100 percent"),
        ({"stage": "planned", "percent": 0, "spent": -5}, "spent"),
        ({"stage": "planned", "percent": 0, "spent": 10**12}, "spent"),
        ({"stage": "tender", "percent": 0, "spent": 0, "prozorro_id": "123"}, "ProZorro"),
        ({"stage": "planned", "percent": 0, "spent": 0, "x": 1}, ""),
        ({"stage": "planned", "percent": 0, "spent": 0, "note": "\x00"}, "NUL"),
    ],
)
def test_a_bad_step_is_refused_and_nothing_is_written(
    live: Live, funded: dict[str, int], step: dict[str, Any], fragment: str
) -> None:
    petro, csrf = _session(live, "c-petro-1008")
    with closing(petro):
        answer = _step(petro, csrf, "A1", **step)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert fragment in answer.text
        assert petro.get("/api/v1/pb/projects/A1/milestones").json() == []


def test_only_officials_record_and_only_after_the_vote(live: Live, funded: dict[str, int]) -> None:
    step = {"stage": "planned", "percent": 0, "spent": 0}
    with live.client() as anonymous:
        assert anonymous.post("/api/v1/pb/projects/A1/milestones", json=step).status_code in (
            401,
            403,
        )
        assert anonymous.get("/api/v1/pb/projects/NOPE/milestones").status_code == 404
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        assert _step(olena, csrf, "A1", **step).status_code == 403
    petro, csrf = _session(live, "c-petro-1008")
    with closing(petro):
        assert _step(petro, csrf, "NOPE", **step).status_code == 404
        assert petro.post("/api/v1/pb/projects/A1/milestones", json=step).status_code == 403
