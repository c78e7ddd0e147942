"""Projects residents submit to the participatory budget, over real HTTP with real logins:
submit and edit while the cycle takes them, review by officials (with a coded ground or
a revised cost), one appeal within its window, moderators hiding abuse, the audit trail,
and nothing changing once the vote opens."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
from contextlib import closing
from typing import Any

import httpx
import pytest
from tests.auth.conftest import Live

from hromada.config import Settings
from hromada.participation.budgeting import service
from hromada.participation.budgeting.tables import BudgetCycle, BudgetProject

DESCRIPTION = (
    "Облаштувати спортивний майданчик біля школи: покриття, тренажери, освітлення і лавки "
    "для батьків, відкритий для всіх мешканців району."
)


def project(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Спортмайданчик біля школи №5",
        "description": DESCRIPTION,
        "category": "Спорт",
        "address": "вул. Сумська, 12",
        "costs": [{"item": "Покриття", "cost": 120_000}, {"item": "Тренажери", "cost": 80_000}],
    }
    body.update(changes)
    return body


@pytest.fixture
async def pool(live: Live, city: Settings) -> int:
    now = dt.datetime.now(dt.UTC)
    ids = await service.create_cycle(
        slug="pb-ideas",
        title="Бюджет участі: ідеї",
        rule="greedy",
        opens=now + dt.timedelta(days=10),
        closes=now + dt.timedelta(days=20),
        submission=(now - dt.timedelta(days=1), now + dt.timedelta(hours=1)),
        pools=[
            {
                "slug": "small",
                "title": "Малі проєкти",
                "budget": 1_000_000,
                "min_cost": 10_000,
                "max_cost": 300_000,
                "projects": [],
            }
        ],
    )
    return ids["small"]


async def _close_submission() -> None:
    await BudgetCycle.update(
        {BudgetCycle.submission_closes_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}
    ).where(BudgetCycle.slug == "pb-ideas")


def _session(live: Live, subject: str) -> tuple[httpx.Client, dict[str, str]]:
    client = live.client()
    live.login(client, "dev-city", subject)
    return client, {"X-CSRF-Token": live.csrf(client)}


def _submit(live: Live, pool: int, subject: str = "c-olena-1001", **changes: Any) -> str:
    client, csrf = _session(live, subject)
    with closing(client):
        made = client.post(
            f"/api/v1/pb/pools/{pool}/projects", json=project(**changes), headers=csrf
        )
        assert made.status_code == 201, made.text
        return str(made.json()["code"])


async def test_submit_edit_review_appeal_and_the_trail(live: Live, pool: int) -> None:
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        made = olena.post(f"/api/v1/pb/pools/{pool}/projects", json=project(), headers=csrf)
        assert made.status_code == 201, made.text
        body = made.json()
        code = body["code"]
        assert body["status"] == "submitted" and body["cost"] == 200_000
        assert [c["item"] for c in body["costs"]] == ["Покриття", "Тренажери"]
        edited = olena.put(
            f"/api/v1/pb/projects/{code}",
            json=project(costs=[{"item": "Покриття", "cost": 150_000}]),
            headers=csrf,
        )
        assert edited.status_code == 200 and edited.json()["cost"] == 150_000
    taras, taras_csrf = _session(live, "c-taras-1002")
    with closing(taras):
        foreign = taras.put(f"/api/v1/pb/projects/{code}", json=project(), headers=taras_csrf)
        assert foreign.status_code == 403
    with live.client() as anonymous:
        listed = anonymous.get(f"/api/v1/pb/pools/{pool}/projects").json()["items"]
        assert [p["code"] for p in listed] == [code]
        # Not on the ballot until an official finds it feasible.
        assert anonymous.get(f"/api/v1/pb/pools/{pool}").json()["projects"] == []

    petro, staff = _session(live, "c-petro-1008")  # an official
    with closing(petro):
        early = petro.post(
            f"/api/v1/pb/projects/{code}/review", json={"feasible": True}, headers=staff
        )
        assert early.status_code == 409 and "after submission closes" in early.text
        await _close_submission()
        olena, csrf = _session(live, "c-olena-1001")
        with closing(olena):
            late = olena.put(f"/api/v1/pb/projects/{code}", json=project(), headers=csrf)
            assert late.status_code == 409
        no_ground = petro.post(
            f"/api/v1/pb/projects/{code}/review", json={"feasible": False}, headers=staff
        )
        assert no_ground.status_code == 422
        rejected = petro.post(
            f"/api/v1/pb/projects/{code}/review",
            json={"feasible": False, "code": "not_city_property", "note": "Земля приватна."},
            headers=staff,
        )
        assert rejected.status_code == 200, rejected.text
        assert rejected.json()["status"] == "rejected"
        assert rejected.json()["review_reason"].startswith("об'єкт не є комунальною")

    taras, taras_csrf = _session(live, "c-taras-1002")
    with closing(taras):
        not_author = taras.post(
            f"/api/v1/pb/projects/{code}/appeal",
            json={"text": "Ділянка належить громаді, ось рішення ради."},
            headers=taras_csrf,
        )
        assert not_author.status_code == 403
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        appealed = olena.post(
            f"/api/v1/pb/projects/{code}/appeal",
            json={"text": "Ділянка належить громаді: рішення ради №123 від 2024 року."},
            headers=csrf,
        )
        assert appealed.status_code == 200 and appealed.json()["status"] == "appealed"
    petro, staff = _session(live, "c-petro-1008")
    with closing(petro):
        approved = petro.post(
            f"/api/v1/pb/projects/{code}/review",
            json={"feasible": True, "cost": 140_000},
            headers=staff,
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "approved" and approved.json()["cost"] == 140_000
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        twice = olena.post(
            f"/api/v1/pb/projects/{code}/appeal", json={"text": "x" * 30}, headers=csrf
        )
        assert twice.status_code == 409
    with live.client() as anonymous:
        ballot = anonymous.get(f"/api/v1/pb/pools/{pool}").json()["projects"]
        assert [(p["code"], p["cost"]) for p in ballot] == [(code, 140_000)]
        trail = anonymous.get("/api/v1/audit", params={"subject": f"project:{code}"}).json()
        actions = [e["action"] for e in trail["items"]]
        assert actions == ["submitted", "edited", "rejected", "appealed", "approved"]
        assert all(e["actor"].startswith("official:") for e in trail["items"] if e["action"] in
                   ("rejected", "approved"))  # fmt: skip

    # Once the vote opens, its projects are final.
    await BudgetCycle.update(
        {BudgetCycle.voting_opens_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}
    ).where(BudgetCycle.slug == "pb-ideas")
    natalia, mod = _session(live, "c-natalia-1007")
    with closing(natalia):
        frozen = natalia.post(
            f"/api/v1/pb/projects/{code}/hide", json={"code": "abuse"}, headers=mod
        )
        assert frozen.status_code == 409 and "final" in frozen.text


async def test_an_appeal_comes_within_its_window(live: Live, pool: int) -> None:
    code = _submit(live, pool)
    await _close_submission()
    petro, staff = _session(live, "c-petro-1008")
    with closing(petro):
        assert (
            petro.post(
                f"/api/v1/pb/projects/{code}/review",
                json={"feasible": False, "code": "already_funded"},
                headers=staff,
            ).status_code
            == 200
        )
    await BudgetProject.update(
        {BudgetProject.reviewed_at: dt.datetime.now(dt.UTC) - dt.timedelta(days=6)}
    ).where(BudgetProject.code == code)
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        late = olena.post(
            f"/api/v1/pb/projects/{code}/appeal", json={"text": "Прошу переглянути рішення."},
            headers=csrf,
        )  # fmt: skip
        assert late.status_code == 409 and "appeal window" in late.text


def test_moderators_hide_abuse(live: Live, pool: int) -> None:
    code = _submit(live, pool)
    natalia, mod = _session(live, "c-natalia-1007")
    with closing(natalia):
        bad = natalia.post(f"/api/v1/pb/projects/{code}/hide", json={"code": "x"}, headers=mod)
        assert bad.status_code == 422
        hidden = natalia.post(
            f"/api/v1/pb/projects/{code}/hide", json={"code": "advertising"}, headers=mod
        )
        assert hidden.status_code == 200 and hidden.json()["status"] == "hidden"
        assert natalia.get(f"/api/v1/pb/projects/{code}").status_code == 200  # staff see it
    with live.client() as anonymous:
        assert anonymous.get(f"/api/v1/pb/projects/{code}").status_code == 404
        assert anonymous.get(f"/api/v1/pb/pools/{pool}/projects").json()["items"] == []
    olena, _ = _session(live, "c-olena-1001")
    with closing(olena):
        assert olena.get(f"/api/v1/pb/projects/{code}").json()["status"] == "hidden"
    taras, _ = _session(live, "c-taras-1002")
    with closing(taras):
        csrf = {"X-CSRF-Token": live.csrf(taras)}
        hide = taras.post(f"/api/v1/pb/projects/{code}/hide", json={"code": "abuse"}, headers=csrf)
        assert hide.status_code == 403


def test_the_proposers_point_is_kept_and_shown(live: Live, pool: int) -> None:
    code = _submit(live, pool, lat=49.9935, lon=36.2304)
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        shown = olena.get(f"/api/v1/pb/projects/{code}").json()
        assert (shown["lat"], shown["lon"]) == (49.9935, 36.2304)
        moved = olena.put(f"/api/v1/pb/projects/{code}", json=project(lat=50, lon=36), headers=csrf)
        assert moved.status_code == 200 and (moved.json()["lat"], moved.json()["lon"]) == (50, 36)
        cleared = olena.put(f"/api/v1/pb/projects/{code}", json=project(), headers=csrf)
        assert (cleared.json()["lat"], cleared.json()["lon"]) == (None, None)


async def test_an_address_is_placed_through_the_buildings_registry(live: Live, pool: int) -> None:
    """No point given: the one registry building the address names places the project. A
    street name two districts share places nothing in a city-wide pool (never a guess)."""
    from hromada.open_data.registries.tables import Building, District, Street

    districts = [r["id"] for r in await District.select(District.id).order_by(District.id)]
    streets = (
        ("s-sumska", "Сумська", districts[0]),
        ("s-nauky-1", "Науки", districts[0]),
        ("s-nauky-2", "Науки", districts[1]),
    )
    for n, (code, name, district) in enumerate(streets):
        street = await Street.insert(
            Street(code=code, kind="вулиця", name=name, district=district)
        ).returning(Street.id)
        await Building.insert(
            Building(
                street=street[0]["id"],
                district=district,
                number="12",
                lat=50.0 + n / 100,
                lon=36.2,
                floors=5,
            )
        )
    placed = _submit(live, pool, address="вул. Сумська, 12")
    shared = _submit(live, pool, "c-taras-1002", address="проспект Науки, 12")
    unknown = _submit(live, pool, "c-iryna-1003", address="вул. Невідома, 1")
    with live.client() as anonymous:
        shown = {
            code: anonymous.get(f"/api/v1/pb/projects/{code}").json()
            for code in (placed, shared, unknown)
        }
    assert (shown[placed]["lat"], shown[placed]["lon"]) == (50.0, 36.2)
    assert (shown[shared]["lat"], shown[unknown]["lat"]) == (None, None)
    # The proposer's own point wins over the address.
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        own = olena.put(
            f"/api/v1/pb/projects/{placed}", json=project(lat=49.9, lon=36.3), headers=csrf
        )
        assert (own.json()["lat"], own.json()["lon"]) == (49.9, 36.3)


async def test_the_ballots_points_in_rest_and_graphql(live: Live, city: Settings) -> None:
    now = dt.datetime.now(dt.UTC)
    ids = await service.create_cycle(
        slug="pb-map",
        title="Бюджет участі на мапі",
        rule="greedy",
        opens=now - dt.timedelta(days=1),
        closes=now + dt.timedelta(days=1),
        pools=[
            {
                "slug": "map",
                "title": "Проєкти з місцем",
                "budget": 1_000_000,
                "projects": [
                    {"code": "M1", "title": "Сквер", "cost": 1000, "lat": 49.99, "lon": 36.23},
                    {"code": "M2", "title": "Без місця", "cost": 1000},
                ],
            }
        ],
    )
    pool = ids["map"]
    with live.client() as anonymous:
        rest = anonymous.get(f"/api/v1/pb/pools/{pool}").json()["projects"]
        assert {p["code"]: (p["lat"], p["lon"]) for p in rest} == {
            "M1": (49.99, 36.23),
            "M2": (None, None),
        }
        query = "query($p: Int!) { budgetPool(id: $p) { projects { code lat lon } } }"
        graph = anonymous.post("/graphql", json={"query": query, "variables": {"p": pool}})
        points = {
            p["code"]: (p["lat"], p["lon"]) for p in graph.json()["data"]["budgetPool"]["projects"]
        }
        assert points == {"M1": (49.99, 36.23), "M2": (None, None)}


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (project(title="Коротко"), 422, "title must be"),
        (project(description="Замало."), 422, "description must be"),
        (
            project(description=DESCRIPTION + " Дзвоніть Петренку Івану: +380 67 123 45 67."),
            422,
            "personal data",
        ),
        (project(costs=[]), 422, "1 to 30 items"),
        (project(costs=[{"item": "Все", "cost": 5_000}]), 422, "10,000 to 300,000"),
        (project(costs=[{"item": "Все", "cost": 400_000}]), 422, "10,000 to 300,000"),
        (project(costs=[{"item": "Все", "cost": 0}]), 422, "each item costs"),
        (project(costs=[{"item": "Все", "cost": 10**30}]), 422, ""),
        (project(costs=[{"item": "Все", "cost": "5"}]), 422, ""),
        (project(costs=[{"item": f"Річ {i}", "cost": 1000} for i in range(31)]), 422, "30 items"),
        (project(extra=1), 422, "extra"),
        (project(category=""), 422, "category must be"),
        (project(title="Майданчик\x00біля школи"), 422, "NUL"),
        (project(lat=50.0), 422, "lon"),
        (project(lon=36.2), 422, "lat"),
        (project(lat=91, lon=36.2), 422, "lat"),
        (project(lat=50.0, lon=-180.5), 422, "lon"),
        (project(lat="north", lon=36.2), 422, "lat"),
        (project(lat=50.0, lon="x" * 100_000), 422, "lon"),
        (project(lat=True, lon=36.2), 422, "lat"),
        (project(lat=[50], lon=36.2), 422, "lat"),
    ],
)
def test_a_bad_project_is_refused_and_nothing_is_written(
    live: Live, pool: int, body: dict[str, Any], status: int, fragment: str
) -> None:
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        answer = olena.post(f"/api/v1/pb/pools/{pool}/projects", json=body, headers=csrf)
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert fragment in answer.text
        assert olena.get(f"/api/v1/pb/pools/{pool}/projects").json()["items"] == []


def test_who_may_submit_and_when(live: Live, pool: int) -> None:
    with live.client() as anonymous:
        assert anonymous.post(f"/api/v1/pb/pools/{pool}/projects", json=project()).status_code in (
            401,
            403,
        )
    maksym, csrf = _session(live, "c-maksym-1004")  # 15 years old
    with closing(maksym):
        assert (
            maksym.post(
                f"/api/v1/pb/pools/{pool}/projects", json=project(), headers=csrf
            ).status_code
            == 403
        )
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        assert olena.post(f"/api/v1/pb/pools/{pool}/projects", json=project()).status_code == 403
        for _ in range(5):
            assert (
                olena.post(
                    f"/api/v1/pb/pools/{pool}/projects", json=project(), headers=csrf
                ).status_code
                == 201
            )
        sixth = olena.post(f"/api/v1/pb/pools/{pool}/projects", json=project(), headers=csrf)
        assert sixth.status_code == 409 and "most allowed" in sixth.text
        assert olena.get("/api/v1/pb/pools/999999/projects").status_code == 404
        assert olena.get("/api/v1/pb/projects/" + "x" * 40).status_code in (400, 404, 422)
        assert olena.get("/api/v1/pb/projects/nope").status_code == 404


async def test_a_cycle_without_a_submission_window_takes_none(live: Live, city: Settings) -> None:
    now = dt.datetime.now(dt.UTC)
    ids = await service.create_cycle(
        slug="pb-staff",
        title="Проєкти від виконкому",
        rule="greedy",
        opens=now + dt.timedelta(days=1),
        closes=now + dt.timedelta(days=2),
        pools=[{"slug": "city", "title": "x", "budget": 100_000, "projects": []}],
    )
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        refused = olena.post(
            f"/api/v1/pb/pools/{ids['city']}/projects", json=project(), headers=csrf
        )
        assert refused.status_code == 409 and "takes no projects" in refused.text


def test_concurrent_submissions_get_distinct_codes(live: Live, pool: int) -> None:
    authors = ["c-olena-1001", "c-taras-1002", "c-iryna-1003", "c-svitlana-1006"]
    with concurrent.futures.ThreadPoolExecutor(4) as workers:
        codes = list(workers.map(lambda who: _submit(live, pool, who), authors))
    assert len(set(codes)) == 4


async def test_the_portal_takes_reviews_and_appeals_a_project(live: Live, pool: int) -> None:
    olena, headers = _session(live, "c-olena-1001")
    token = headers["X-CSRF-Token"]
    with closing(olena):
        page = olena.get(f"/budget/pools/{pool}", params={"lang": "en"}).text
        assert "Propose a project" in page
        head = page.split("</title>")[0]
        assert "<title>" in head and "<section" not in head, "the title is the pool's title"
        assert olena.get(f"/budget/pools/{pool}/projects/new").status_code == 200
        fields = {
            "csrf_token": token,
            "title": "Спортмайданчик біля школи №5",
            "category": "Спорт",
            "description": DESCRIPTION,
            "item_1": "Покриття",
            "cost_1": "п'ять",
        }
        kept = olena.post(f"/budget/pools/{pool}/projects/new", data=fields)
        assert kept.status_code == 422 and "whole number" in kept.text
        assert "Спортмайданчик біля школи №5" in kept.text, "the form comes back as written"
        made = olena.post(f"/budget/pools/{pool}/projects/new", data={**fields, "cost_1": "150000"})
        assert made.status_code == 303, made.text
        where = made.headers["location"]
        shown = olena.get(where, params={"lang": "en"}).text
        assert "Submitted, waiting for review" in shown and "150,000" in shown.replace(
            "\u202f", ","
        )
    code = where.rsplit("/", 1)[1]
    with live.client() as anonymous:
        assert code in anonymous.get(f"/budget/pools/{pool}").text
    await _close_submission()
    petro, staff = _session(live, "c-petro-1008")
    with closing(petro):
        form = petro.get(where, params={"lang": "en"}).text
        assert "Decision on the project" in form
        reviewed = petro.post(
            f"{where}/review",
            data={"csrf_token": staff["X-CSRF-Token"], "decision": "infeasible",
                  "code": "over_budget"},
        )  # fmt: skip
        assert reviewed.status_code == 303, reviewed.text
    olena, headers = _session(live, "c-olena-1001")
    with closing(olena):
        shown = olena.get(where, params={"lang": "en"}).text
        assert "Rejected" in shown and "Disagree with the decision" in shown
        appealed = olena.post(
            f"{where}/appeal",
            data={"csrf_token": headers["X-CSRF-Token"], "text": "Кошторис завищено: ось ціни."},
        )
        assert appealed.status_code == 303
        assert "Appealed, under review again" in olena.get(where, params={"lang": "en"}).text
