"""Paper ballots entered by officials by the voter's tax number: the same person key an
online login gives, so a paper and an online ballot can never both count, whichever
comes first; the tax number is never stored or logged."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
from contextlib import closing
from typing import Any

import httpx
import pytest
from tests.auth.conftest import Live

from hromada.auth.identity import RNOKPP_EPOCH, rnokpp_with_checksum
from hromada.auth.tables import Resident
from hromada.config import Settings
from hromada.devidp.people import demo_people
from hromada.participation.audit.tables import AuditEntry
from hromada.participation.budgeting import service
from hromada.participation.budgeting.tables import BudgetBallot, BudgetCycle


def tax_id(born: dt.date, serial: int = 4321) -> str:
    return rnokpp_with_checksum(f"{(born - RNOKPP_EPOCH).days:05d}{serial:04d}")


def person(settings: Settings, key: str) -> Any:
    return next(p for p in demo_people(settings.demo_seed) if p.key == key)


@pytest.fixture
async def pools(live: Live, city: Settings) -> dict[str, int]:
    now = dt.datetime.now(dt.UTC)
    projects = [{"code": f"Q{i}", "title": f"Проєкт {i}", "cost": 100} for i in (1, 2, 3)]
    return await service.create_cycle(
        slug="pb-paper",
        title="Бюджет участі",
        rule="greedy",
        opens=now - dt.timedelta(days=1),
        closes=now + dt.timedelta(days=1),
        pools=[
            {"slug": "city", "title": "Місто", "budget": 1000, "projects": projects},
            {
                "slug": "saltivka",
                "title": "Салтівка",
                "budget": 1000,
                "district": "saltivskyi",
                "projects": [{"code": "S9", "title": "Сквер", "cost": 100}],
            },
        ],
    )


def _session(live: Live, subject: str) -> tuple[httpx.Client, dict[str, str]]:
    client = live.client()
    live.login(client, "dev-city", subject)
    return client, {"X-CSRF-Token": live.csrf(client)}


def _paper(live: Live, pool: int, **body: Any) -> httpx.Response:
    petro, csrf = _session(live, "c-petro-1008")  # an official
    with closing(petro):
        return petro.post(f"/api/v1/pb/pools/{pool}/paper-ballots", json=body, headers=csrf)


async def test_a_paper_voter_has_one_voice_and_a_receipt(
    live: Live, pools: dict[str, int], city: Settings
) -> None:
    taras = person(city, "taras")
    entered = _paper(live, pools["city"], tax_id=taras.tax_id, projects=["Q2", "Q1"])
    assert entered.status_code == 201, entered.text
    receipt = entered.json()["receipt"]
    again = _paper(live, pools["city"], tax_id=taras.tax_id, projects=["Q3"])
    assert again.status_code == 409 and "one voice" in again.text
    client, csrf = _session(live, "c-taras-1002")
    with closing(client):
        online = client.post(
            f"/api/v1/pb/pools/{pools['city']}/ballot", json={"projects": ["Q3"]}, headers=csrf
        )
        assert online.status_code == 409 and "on paper" in online.text
        mine = client.get(f"/api/v1/pb/pools/{pools['city']}/ballot").json()
        assert mine["projects"] == ["Q1", "Q2"] and mine["receipt"] == receipt
    olena = person(city, "olena")
    client, csrf = _session(live, "c-olena-1001")
    with closing(client):
        assert (
            client.post(
                f"/api/v1/pb/pools/{pools['city']}/ballot", json={"projects": ["Q1"]}, headers=csrf
            ).status_code
            == 200
        )
    late = _paper(live, pools["city"], tax_id=olena.tax_id, projects=["Q3"])
    assert late.status_code == 409, "she voted online"
    assert await BudgetBallot.count().where(BudgetBallot.pool == pools["city"]) == 2
    # The tax numbers are nowhere: not in the residents, not in the audit log.
    for row in await AuditEntry.select(AuditEntry.detail):
        assert taras.tax_id not in str(row["detail"]) and olena.tax_id not in str(row["detail"])
    for row in await Resident.select():
        assert taras.tax_id not in str(row.values())


async def test_someone_who_never_logged_in_votes_on_paper(
    live: Live, pools: dict[str, int]
) -> None:
    born = dt.date(1960, 5, 17)
    entered = _paper(live, pools["saltivka"], tax_id=tax_id(born), projects=["S9"],
                     district="saltivskyi")  # fmt: skip
    assert entered.status_code == 201, entered.text
    made = await Resident.select().where(Resident.display_name == "")
    assert len(made) == 1, "a resident row for the paper voter, named at their first login"
    assert made[0]["birth_date"] in (born, born.isoformat())
    assert made[0]["district_code"] == "saltivskyi"
    with live.client() as anonymous:
        trail = anonymous.get("/api/v1/audit", params={"subject": f"pool:{pools['saltivka']}"})
        entries = trail.json()["items"]
        assert [e["action"] for e in entries] == ["paper_ballot"]
        assert entries[0]["detail"] == {"voter": entered.json()["voter"]}
        assert entries[0]["actor"].startswith("official:")


@pytest.mark.parametrize(
    ("pool", "body", "status", "fragment"),
    [
        ("city", {"tax_id": "1234567890", "projects": ["Q1"]}, 422, "check digit"),
        ("city", {"tax_id": "12345", "projects": ["Q1"]}, 422, "RNOKPP"),
        ("city", {"tax_id": "х" * 10, "projects": ["Q1"]}, 422, "RNOKPP"),
        ("city", {"tax_id": "young", "projects": ["Q1"]}, 403, "at least"),
        ("city", {"tax_id": "adult", "projects": []}, 422, "pick from"),
        ("city", {"tax_id": "adult", "projects": ["S9"]}, 422, "not a project"),
        ("city", {"tax_id": "adult", "projects": ["Q1", "Q1"]}, 422, "twice"),
        ("city", {"tax_id": "adult", "projects": ["Q1"], "name": "x"}, 422, "name"),
        ("saltivka", {"tax_id": "adult", "projects": ["S9"]}, 403, "saltivskyi"),
        ("saltivka", {"tax_id": "adult", "projects": ["S9"], "district": "kyivskyi"}, 403, ""),
    ],
)
async def test_a_bad_paper_ballot_is_refused_and_changes_nothing(
    live: Live,
    pools: dict[str, int],
    pool: str,
    body: dict[str, Any],
    status: int,
    fragment: str,
) -> None:
    today = dt.date.today()
    body = dict(body)
    if body["tax_id"] == "young":
        body["tax_id"] = tax_id(today.replace(year=today.year - 12))
    elif body["tax_id"] == "adult":
        body["tax_id"] = tax_id(dt.date(1970, 1, 1))
    answer = _paper(live, pools[pool], **body)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert fragment in answer.text
    assert await BudgetBallot.count() == 0


async def test_only_officials_and_only_while_voting(live: Live, pools: dict[str, int]) -> None:
    body = {"tax_id": tax_id(dt.date(1970, 1, 1)), "projects": ["Q1"]}
    url = f"/api/v1/pb/pools/{pools['city']}/paper-ballots"
    with live.client() as anonymous:
        assert anonymous.post(url, json=body).status_code in (401, 403)
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        assert olena.post(url, json=body, headers=csrf).status_code == 403
    await BudgetCycle.update(
        {BudgetCycle.voting_closes_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
    ).where(BudgetCycle.slug == "pb-paper")
    closed = _paper(live, pools["city"], **body)
    assert closed.status_code == 409 and "not open for voting" in closed.text


async def test_paper_and_online_at_once_leave_one_ballot(
    live: Live, pools: dict[str, int], city: Settings
) -> None:
    iryna = person(city, "iryna")
    client, csrf = _session(live, "c-iryna-1003")
    petro, staff = _session(live, "c-petro-1008")
    url = f"/api/v1/pb/pools/{pools['city']}"
    with closing(client), closing(petro):

        def online(_: int) -> int:
            return client.post(f"{url}/ballot", json={"projects": ["Q1"]}, headers=csrf).status_code

        def on_paper(_: int) -> int:
            body = {"tax_id": iryna.tax_id, "projects": ["Q2"]}
            return petro.post(f"{url}/paper-ballots", json=body, headers=staff).status_code

        with concurrent.futures.ThreadPoolExecutor(8) as workers:
            futures = [workers.submit(online if i % 2 else on_paper, i) for i in range(8)]
            codes = [f.result() for f in futures]
    assert set(codes) <= {200, 201, 409}, codes
    rows = await BudgetBallot.select().where(BudgetBallot.pool == pools["city"])
    assert len(rows) == 1
    if rows[0]["paper"]:
        assert rows[0]["picks"] == '["Q2"]' and 200 not in codes[codes.index(201) :]
