"""The portal against live servers: hromada under uvicorn and the development identity
provider (the auth tests' fixtures), with a small city, its appeals and every dataset
published, on the engine of the run."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
from tests.auth.conftest import Live, make_live, seed_city

from hromada.config import Settings
from hromada.participation.budgeting.tables import BudgetCycle

APPEALS = 400
NEW_PETITION = {
    "title": "Велодоріжка на проспекті Науки",
    "text": "Просимо облаштувати велосипедну доріжку вздовж проспекту Науки від метро до "
    "парку, з освітленням і безпечними переходами.",
    "district": "shevchenkivskyi",
}


@pytest.fixture(scope="module")
def portal_servers(settings: Settings) -> Iterator[Live]:
    """A threshold of two signatures, so a journey can reach it with the demo people."""
    yield from make_live(settings.replace(petition_threshold=2, petition_open_drafts=5))


@pytest.fixture
async def portal(portal_servers: Live, clean_db: Settings) -> Live:
    from hromada.demo.city import generate_city
    from hromada.open_data.appeals import service
    from hromada.open_data.appeals.demo import generate
    from hromada.open_data.catalog.service import publish_all

    portal_servers.reset()
    await seed_city(clean_db)
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    city = generate_city(clean_db.demo_seed, buildings=0)
    report = await service.import_records(
        generate(city, random.Random(7), APPEALS, now=now), fmt="test"
    )
    assert report.applied, report.errors[:3]
    await publish_all(portal_servers.settings)
    return portal_servers


def session(live: Live, subject: str) -> tuple[httpx.Client, dict[str, str]]:
    client = live.client()
    live.login(client, "dev-city", subject)
    return client, {"X-CSRF-Token": live.csrf(client)}


def published_petition(live: Live, petition: dict[str, str] | None = None) -> int:
    """A petition by Olena, submitted and published by the moderator, through the API."""
    olena, csrf = session(live, "c-olena-1001")
    with closing(olena):
        created = olena.post("/api/v1/petitions", json=petition or NEW_PETITION, headers=csrf)
        assert created.status_code == 201, created.text
        number = int(created.json()["id"])
        assert olena.post(f"/api/v1/petitions/{number}/submit", headers=csrf).status_code == 200
    natalia, staff = session(live, "c-natalia-1007")
    with closing(natalia):
        done = natalia.post(
            f"/api/v1/petitions/{number}/moderation", json={"decision": "publish"}, headers=staff
        )
        assert done.status_code == 200, done.text
    return number


@pytest.fixture
async def voting_pool(portal: Live) -> int:
    """A pool open for voting: 500,000 UAH, up to three picks, the cost capped."""
    from hromada.participation.budgeting import service

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
                "title": "Загальноміські проєкти",
                "budget": 500_000,
                "max_picks": 3,
                "cost_cap": True,
                "projects": [
                    {"code": code, "title": title, "cost": cost, "category": "Благоустрій"}
                    for code, title, cost in (
                        ("B1", "Сквер біля школи", 300_000),
                        ("B2", "Велопарковки біля метро", 250_000),
                        ("B3", "Пандуси до поліклініки", 100_000),
                    )
                ],
            }
        ],
    )
    return ids["city"]


@pytest.fixture
async def points_pool(portal: Live) -> int:
    """A cumulative pool open for voting: 10 points each, at most 6 on one project."""
    from hromada.participation.budgeting import service

    now = dt.datetime.now(dt.UTC)
    ids = await service.create_cycle(
        slug="pb-points",
        title="Бюджет участі балами",
        rule="greedy",
        opens=now - dt.timedelta(days=1),
        closes=now + dt.timedelta(days=1),
        pools=[
            {
                "slug": "points",
                "title": "Проєкти балами",
                "budget": 500_000,
                "max_picks": 3,
                "vote_type": "cumulative",
                "max_sum_points": 10,
                "max_points": 6,
                "projects": [
                    {"code": code, "title": title, "cost": cost, "category": "Благоустрій"}
                    for code, title, cost in (
                        ("P1", "Лавки в парку", 100_000),
                        ("P2", "Дитячий майданчик", 200_000),
                        ("P3", "Освітлення алеї", 150_000),
                    )
                ],
            }
        ],
    )
    return ids["points"]


DESCRIPTION = (
    "Облаштувати спортивний майданчик біля школи: покриття, тренажери, освітлення і лавки "
    "для батьків, відкритий для всіх мешканців району."
)


@pytest.fixture
async def review_pool(portal: Live) -> int:
    """A pool taking projects for an hour more; its vote opens in ten days."""
    from hromada.participation.budgeting import service

    now = dt.datetime.now(dt.UTC)
    ids = await service.create_cycle(
        slug="pb-ideas",
        title="Бюджет участі: ідеї",
        rule="greedy",
        opens=now + dt.timedelta(days=10),
        closes=now + dt.timedelta(days=20),
        submission=(now - dt.timedelta(days=1), now + dt.timedelta(hours=1)),
        pools=[{"slug": "small", "title": "Малі проєкти", "budget": 1_000_000, "projects": []}],
    )
    return ids["small"]


async def close_submission() -> None:
    await BudgetCycle.update(
        {BudgetCycle.submission_closes_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}
    ).where(BudgetCycle.slug == "pb-ideas")


def submit(live: Live, pool: int, title: str, subject: str = "c-olena-1001") -> str:
    client, csrf = session(live, subject)
    with closing(client):
        made = client.post(
            f"/api/v1/pb/pools/{pool}/projects",
            json={
                "title": title,
                "description": DESCRIPTION + ' </textarea><svg onload=alert(2)> "><b>x</b>',
                "category": "Спорт",
                "costs": [{"item": "Покриття <i>", "cost": 120_000}],
            },
            headers=csrf,
        )
        assert made.status_code == 201, made.text
        return str(made.json()["code"])
