"""The participatory budget's share of the demo city: last year's closed cycle with a few
thousand ballots (results and the published ballots to recompute), and this year's cycle
open for voting, in which the demo people can vote."""

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
    out = []
    for i in range(count):
        category, title, cost = _IDEAS[i % len(_IDEAS)]
        out.append(
            {
                "code": f"{prefix}-{i + 1:03d}",
                "title": title.format(n=i + 1),
                "category": category,
                "cost": int(cost * rng.uniform(0.6, 1.6)) // 1000 * 1000,
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
        await service.store_results(pool)  # every rule, once: the results page serves them
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
