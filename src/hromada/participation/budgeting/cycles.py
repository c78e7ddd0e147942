"""Staff set up a participatory-budget cycle: its windows, pools and (optionally) the
projects staff enter themselves. Everything is checked before anything is written, and
the cycle is written in one transaction by ``service.create_cycle`` (which also logs
what the vote will be over), so a refused request leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import re

from hromada.config import Settings
from hromada.open_data.registries.tables import District
from hromada.participation import texts
from hromada.participation.audit import service as audit
from hromada.participation.budgeting import service
from hromada.participation.budgeting.schemas import CycleIn, CycleOut

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
MAX_POOLS = 50
MAX_PROJECTS = 500
MAX_UAH = 2**31 - 1


def _instant(name: str, value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise texts.bad(name, "a time with its offset, e.g. 2027-03-01T00:00:00+02:00")
    return value.astimezone(dt.UTC)


async def set_up(settings: Settings, staff_id: int | None, cycle: CycleIn) -> CycleOut:
    """A new cycle whose vote opens in the future (``create_cycle`` refuses a slug or a
    project code that exists, under a lock, so two requests at once cannot both make one)."""
    if not SLUG.fullmatch(cycle.slug):
        raise texts.bad("slug", "a-z, 0-9 and -, up to 64 characters")
    title = texts.checked_text("title", cycle.title, (3, 300))
    opens = _instant("voting_opens_at", cycle.voting_opens_at)
    closes = _instant("voting_closes_at", cycle.voting_closes_at)
    if opens <= service.now():
        raise texts.bad("voting_opens_at", "in the future: the rules freeze when voting opens")
    submission = None
    if (cycle.submission_opens_at is None) != (cycle.submission_closes_at is None):
        raise texts.bad("submission_closes_at", "both ends of the submission window, or none")
    if cycle.submission_opens_at is not None and cycle.submission_closes_at is not None:
        submission = (
            _instant("submission_opens_at", cycle.submission_opens_at),
            _instant("submission_closes_at", cycle.submission_closes_at),
        )
    if not 1 <= len(cycle.pools) <= MAX_POOLS:
        raise texts.bad("pools", f"1 to {MAX_POOLS} pools")
    districts = {r["code"] for r in await District.select(District.code)}
    pools = []
    codes: list[str] = []
    for pool in cycle.pools:
        if not SLUG.fullmatch(pool.slug):
            raise texts.bad("pools", f"pool slug {pool.slug[:64]!r}: a-z, 0-9 and -")
        if not 1 <= pool.budget <= MAX_UAH:
            raise texts.bad("pools", f"pool {pool.slug}: a budget of 1 to {MAX_UAH:,} UAH")
        if pool.district is not None and pool.district not in districts:
            raise texts.bad("pools", f"pool {pool.slug}: no district {pool.district[:64]!r}")
        low, high = pool.min_cost or 1, pool.max_cost or pool.budget
        if not 1 <= low <= high <= pool.budget:
            raise texts.bad("pools", f"pool {pool.slug}: 1 ≤ min_cost ≤ max_cost ≤ budget")
        if len(pool.projects) > MAX_PROJECTS:
            raise texts.bad("pools", f"pool {pool.slug}: at most {MAX_PROJECTS} projects")
        projects = []
        for project in pool.projects:
            if not CODE.fullmatch(project.code):
                raise texts.bad("pools", f"project code {project.code[:32]!r}: letters, digits")
            if not 1 <= project.cost <= pool.budget:
                raise texts.bad("pools", f"project {project.code}: cost 1 to the pool's budget")
            codes.append(project.code)
            lat, lon = texts.point(project.lat, project.lon, f"project {project.code}: ")
            projects.append(
                {
                    "lat": lat,
                    "lon": lon,
                    "code": project.code,
                    "title": texts.checked_text("pools", project.title, (3, 300)),
                    "cost": project.cost,
                    "category": texts.checked_text("pools", project.category, (0, 100)),
                    "description": texts.checked_text(
                        "pools", project.description, (0, 10_000), lines=True
                    ),
                }
            )
        pools.append(
            {
                "slug": pool.slug,
                "title": texts.checked_text("pools", pool.title, (3, 300)),
                "budget": pool.budget,
                "district": pool.district,
                "min_picks": pool.min_picks,
                "max_picks": pool.max_picks,
                "cost_cap": pool.cost_cap,
                "one_per_category": pool.one_per_category,
                "vote_type": pool.vote_type,
                "max_sum_points": pool.max_sum_points,
                "max_points": pool.max_points,
                "min_cost": pool.min_cost,
                "max_cost": pool.max_cost,
                "projects": projects,
            }
        )
    if len({p["slug"] for p in pools}) != len(pools):
        raise texts.bad("pools", "two pools share a slug")
    if len(set(codes)) != len(codes):
        raise texts.bad("pools", "two projects share a code")
    await service.create_cycle(
        slug=cycle.slug,
        title=title,
        rule=cycle.rule,
        opens=opens,
        closes=closes,
        pools=pools,
        submission=submission,
        actor=audit.staff_actor(settings, "official", staff_id),
    )
    return next(c for c in await service.list_cycles() if c.slug == cycle.slug)
