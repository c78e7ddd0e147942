"""The participatory budget's share of the demo city: last year's closed cycle with a few
thousand ballots (results and the published ballots to recompute) and its funded projects
being built, this year's cycle open for voting, in which the demo people can vote, and
next year's taking residents' projects (a few submitted already)."""

from __future__ import annotations

import datetime as dt
import json

from hromada import db
from hromada.demo.parts import DemoContext
from hromada.participation.budgeting import service

# Ballots of the closed cycle come from residents the demo does not otherwise create:
# their ids start here, far above any resident a login creates in the demo.
DEMO_VOTERS_FROM = 10_000_000
CLOSED_BALLOTS = 3_000

_IDEAS = (
    ("Благоустрій", "Сквер біля школи № {n}", 900_000),
    ("Спорт", "Спортивний майданчик у дворі на вулиці № {n}", 650_000),
    ("Освіта", "Сучасний кабінет STEM у ліцеї № {n}", 480_000),
    ("Безпека", "Освітлення пішохідного переходу № {n}", 210_000),
    ("Культура", "Літній кінотеатр у парку № {n}", 350_000),
    ("Доступність", "Пандуси до поліклініки № {n}", 300_000),
    ("Екологія", "Станції сортування сміття, район № {n}", 420_000),
    ("Транспорт", "Велопарковки біля станцій метро, лінія № {n}", 260_000),
)


def _projects(prefix: str, count: int, rng_seed: str) -> list[dict[str, object]]:
    import random

    rng = random.Random(rng_seed)
    # Points inside central Kharkiv, the demo city, from their own sequence (the costs
    # stay what they were).
    where = random.Random(f"{rng_seed}:map")
    out = []
    for i in range(count):
        category, title, cost = _IDEAS[i % len(_IDEAS)]
        out.append(
            {
                "code": f"{prefix}-{i + 1:03d}",
                "title": title.format(n=i + 1),
                "category": category,
                "cost": int(cost * rng.uniform(0.6, 1.6)) // 1000 * 1000,
                "lat": round(where.uniform(49.96, 50.04), 5),
                "lon": round(where.uniform(36.18, 36.32), 5),
            }
        )
    return out


class BudgetingDemo:
    name = "budgeting"

    async def populate(self, ctx: DemoContext) -> None:
        rng = ctx.rng("budgeting")
        today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        last = today.year - 1
        closed = await service.create_cycle(
            slug=f"pb-{last}",
            title=f"Бюджет участі {last}",
            rule="mes",
            opens=dt.datetime(last, 9, 1, tzinfo=dt.UTC),
            closes=dt.datetime(last, 9, 30, 21, tzinfo=dt.UTC),
            pools=[
                {
                    "slug": "city",
                    "title": "Загальноміські проєкти",
                    "budget": 4_000_000,
                    "max_picks": 5,
                    "projects": _projects(f"{last}-C", 18, f"{ctx.settings.demo_seed}:c"),
                }
            ],
        )
        pool = closed["city"]
        projects = _projects(f"{last}-C", 18, f"{ctx.settings.demo_seed}:c")
        weights = [rng.uniform(0.2, 3.0) for _ in projects]
        cast_at = dt.datetime(last, 9, 15, 12, tzinfo=dt.UTC)
        rows = []
        for i in range(CLOSED_BALLOTS):
            picks: set[str] = set()
            for _ in range(rng.randint(1, 5)):
                picks.add(str(rng.choices(projects, weights)[0]["code"]))
            rows.append((pool, DEMO_VOTERS_FROM + i, json.dumps(sorted(picks)), cast_at))
        async with db.write_transaction():
            await db.bulk_upsert(
                "budget_ballot",
                ("pool", "resident", "picks", "cast_at"),
                rows,
                key=("pool", "resident"),
            )
        ctx.progress("ballots", CLOSED_BALLOTS, CLOSED_BALLOTS)
        outcome = await service.store_results(pool)  # every rule, once, for the results page
        await _build(ctx, [p.code for p in outcome.projects if p.selected])
        await service.create_cycle(
            slug=f"pb-{today.year}",
            title=f"Бюджет участі {today.year}",
            rule="mes",
            opens=today - dt.timedelta(days=3),
            closes=today + dt.timedelta(days=60),
            pools=[
                {
                    "slug": "city",
                    "title": "Загальноміські проєкти",
                    "budget": 5_000_000,
                    "max_picks": 5,
                    "projects": _projects(f"{today.year}-C", 12, f"{ctx.settings.demo_seed}:o"),
                }
            ],
        )

        await _call_for_projects(ctx, today)


# How far along last year's funded projects are: (stage, percent, share of the cost spent).
_PROGRESS = (
    (("planned", 0, 0.0),),
    (("planned", 0, 0.0), ("tender", 0, 0.0)),
    (("planned", 0, 0.0), ("tender", 0, 0.0), ("contracted", 10, 0.2)),
    (("planned", 0, 0.0), ("tender", 0, 0.0), ("contracted", 10, 0.2), ("in_progress", 55, 0.5)),
    (("planned", 0, 0.0), ("tender", 0, 0.0), ("contracted", 15, 0.2), ("done", 100, 0.97)),
)


async def _build(ctx: DemoContext, funded: list[str]) -> None:
    """Last year's funded projects at every stage of being built, through the same
    service (and audit log) as an official's entries."""
    from hromada.participation.budgeting import implementation
    from hromada.participation.budgeting.schemas import MilestoneIn
    from hromada.participation.budgeting.tables import BudgetProject

    costs = {
        r["code"]: r["cost"]
        for r in await BudgetProject.select(BudgetProject.code, BudgetProject.cost).where(
            BudgetProject.code.is_in(funded or [""])
        )
    }
    for index, code in enumerate(funded):
        for step, (stage, percent, share) in enumerate(_PROGRESS[index % len(_PROGRESS)]):
            await implementation.record(
                ctx.settings,
                None,
                code,
                MilestoneIn(
                    stage=stage,
                    percent=percent,
                    spent=int(costs[code] * share),
                    # The procurement demo's tenders for budget projects carry these ids.
                    prozorro_id=f"UA-{dt.date.today().year}-01-15-{index:06d}-a"
                    if step == 1
                    else None,
                ),
            )


_SUBMITTED = (
    ("Тіньові навіси на дитячому майданчику", "Благоустрій", 180_000),
    ("Бібліотечний куточок у сквері", "Культура", 95_000),
    ("Безпечний перехід біля гімназії", "Безпека", 240_000),
)


async def _call_for_projects(ctx: DemoContext, today: dt.datetime) -> None:
    """Next year's cycle, taking residents' projects now, with a few in already."""
    from hromada.auth.tables import Resident
    from hromada.participation.budgeting import projects
    from hromada.participation.budgeting.schemas import CostItem, NewProject

    pools = await service.create_cycle(
        slug=f"pb-{today.year + 1}",
        title=f"Бюджет участі {today.year + 1}: приймаємо проєкти",
        rule="mes",
        opens=today + dt.timedelta(days=90),
        closes=today + dt.timedelta(days=120),
        submission=(today - dt.timedelta(days=5), today + dt.timedelta(days=40)),
        pools=[
            {
                "slug": "small",
                "title": "Малі проєкти",
                "budget": 3_000_000,
                "max_picks": 5,
                "one_per_category": True,
                "min_cost": 50_000,
                "max_cost": 500_000,
                "projects": [],
            }
        ],
    )
    authors = await Resident.select(Resident.id).order_by(Resident.id).limit(len(_SUBMITTED))
    for (title, category, cost), author in zip(_SUBMITTED, authors, strict=False):
        await projects.submit(
            int(author["id"]),
            pools["small"],
            NewProject(
                title=title,
                description=f"{title}: пропозиція мешканців, з кошторисом і місцем на мапі "
                "району. Проєкт відкритий для всіх і не потребує утримання понад звичайне.",
                category=category,
                costs=[
                    CostItem(item="Матеріали й обладнання", cost=cost * 7 // 10),
                    CostItem(item="Роботи", cost=cost - cost * 7 // 10),
                ],
            ),
        )
