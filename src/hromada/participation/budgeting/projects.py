"""Projects residents submit to a participatory-budget cycle, and their review.

A project is written by an eligible resident while the cycle takes submissions, and
edited by its author until then; officials review it between the close of submission
and the opening of the vote (feasible, possibly at a revised cost, or not, on a coded
ground); the author may appeal a rejection once, within ``APPEAL_DAYS`` of it and
before the vote; moderators hide abuse. Only approved projects are on the ballot, and
nothing about a pool's projects changes once its vote has opened. Every staff decision
and every appeal goes into the participation audit log.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hromada import db
from hromada.config import Settings
from hromada.errors import Conflict, Forbidden, InvalidInput, NotFound
from hromada.paging import Page, check_limit, decode_cursor, make_page
from hromada.participation import places, texts
from hromada.participation.audit import service as audit
from hromada.participation.budgeting import service
from hromada.participation.budgeting.schemas import (
    AppealIn,
    CostItem,
    HideIn,
    NewProject,
    ReviewIn,
    SubmittedProjectOut,
)
from hromada.participation.budgeting.search import DOC_TYPE, PUBLIC
from hromada.participation.budgeting.tables import BudgetPool, BudgetProject
from hromada.search import outbox

TITLE = (10, 200)
DESCRIPTION = (50, 10_000)
ADDRESS = (3, 300)
MAX_ITEMS = 30
MAX_COST = 10**10  # UAH: beyond any city's budget, within every integer column
PER_RESIDENT = 5  # projects one resident may submit to a cycle
APPEAL_DAYS = 5

# Grounds on which officials find a project not feasible (Ukrainian PB regulations).
REVIEW_CODES: dict[str, str] = {
    "not_city_property": "об'єкт не є комунальною власністю громади",
    "outside_competence": "не належить до повноважень органів місцевого самоврядування",
    "over_budget": "вартість перевищує обсяг пулу або межі вартості проєкту",
    "already_funded": "вже фінансується з міського бюджету",
    "technically_infeasible": "технічно неможливо реалізувати за рік",
    "conflicts_with_plans": "суперечить генеральному плану чи іншим рішенням ради",
    "not_public_benefit": "не має загальної користі для громади",
}
HIDE_CODES: dict[str, str] = {
    "abuse": "образливий або заборонений зміст",
    "advertising": "реклама",
    "duplicate": "повторює інший проєкт",
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _taking_submissions(pool: dict[str, Any], at: dt.datetime) -> None:
    opens, closes = pool["submission_opens"], pool["submission_closes"]
    if opens is None or closes is None:
        raise Conflict(f"cycle {pool['cycle_slug']} takes no projects from residents")
    if not opens <= at < closes:
        raise Conflict(
            f"cycle {pool['cycle_slug']} takes projects from {opens:%Y-%m-%d %H:%M} to "
            f"{closes:%Y-%m-%d %H:%M} UTC"
        )


def _checked(pool: dict[str, Any], new: NewProject) -> dict[str, Any]:
    title = texts.checked_text("title", new.title, TITLE)
    description = texts.checked_text("description", new.description, DESCRIPTION, lines=True)
    category = texts.checked_text("category", new.category, (1, 100))
    address = texts.checked_text("address", new.address, ADDRESS) if new.address else None
    lat, lon = texts.point(new.lat, new.lon)
    texts.refuse_personal_data("project", title, description)
    if not 1 <= len(new.costs) <= MAX_ITEMS:
        raise texts.bad("costs", f"1 to {MAX_ITEMS} items")
    items: list[dict[str, Any]] = []
    for item in new.costs:
        name = texts.checked_text("costs", item.item, (2, 200))
        if not 1 <= item.cost <= MAX_COST:
            raise texts.bad("costs", f"each item costs 1 to {MAX_COST:,} UAH")
        items.append({"item": name, "cost": item.cost})
    cost = sum(i["cost"] for i in items)
    low = pool["min_cost"] or 1
    high = min(pool["max_cost"] or pool["budget"], pool["budget"])
    if not low <= cost <= high:
        raise texts.bad(
            "costs",
            f"{low:,} to {high:,} UAH in this pool",
            f"the project costs {cost:,} UAH; pool {pool['slug']!r} takes projects of "
            f"{low:,} to {high:,} UAH",
        )
    return {
        "title": title,
        "description": description,
        "category": category,
        "address": address,
        "lat": lat,
        "lon": lon,
        "cost_items": json.dumps(items, ensure_ascii=False),
        "cost": cost,
    }


async def _placed(pool: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A project with an address and no point gets the point of the one registry building
    its address names (``participation.places``); the proposer's own point always wins."""
    if values["lat"] is None and values["address"]:
        found = await places.locate(values["address"], pool["district_code"])
        if found is not None:
            values = {**values, "lat": found[0], "lon": found[1]}
    return values


async def submit(resident: int, pool_id: int, new: NewProject) -> SubmittedProjectOut:
    """A resident's new project in ``pool_id``, while its cycle takes submissions."""
    pool = await service.pool_row(pool_id)
    _taking_submissions(pool, _now())  # said first: no text needs fixing for a closed call
    values = await _placed(pool, _checked(pool, new))
    async with db.write_transaction():
        # One pool's codes are numbered in order; two submissions at once get two numbers.
        await db.advisory_xact_lock(f"hromada-pb-pool:{pool_id}")
        at = _now()
        _taking_submissions(pool, at)
        mine = await BudgetProject.count().where(
            (BudgetProject.author == resident)
            & BudgetProject.pool.is_in(
                BudgetPool.select(BudgetPool.id).where(BudgetPool.cycle == pool["cycle"])
            )
        )
        if mine >= PER_RESIDENT:
            raise Conflict(f"you have submitted {mine} projects to this cycle, the most allowed")
        number = await BudgetProject.count().where(BudgetProject.pool == pool_id) + 1
        code = f"P{pool_id}-{number:03d}"
        await BudgetProject.insert(
            BudgetProject(
                pool=pool_id,
                code=code,
                status="submitted",
                author=resident,
                submitted_at=at,
                **values,
            )
        )
        await _log(code, "submitted", "author", cost=values["cost"])
    return await get(code, viewer=resident)


async def edit(resident: int, code: str, new: NewProject) -> SubmittedProjectOut:
    """The author rewrites their project while the cycle still takes submissions."""
    async with db.write_transaction():
        row = await _project(code)
        if row["author"] != resident:
            raise Forbidden(f"project {code} is not yours to edit")
        if row["status"] != "submitted":
            raise Conflict(f"project {code} is {row['status']}: it can no longer be edited")
        pool = await service.pool_row(row["pool"])
        _taking_submissions(pool, _now())
        values = await _placed(pool, _checked(pool, new))
        changes: dict[Any, Any] = dict(values)
        await BudgetProject.update(changes).where(BudgetProject.code == code)
        await _log(code, "edited", "author", cost=values["cost"])
    return await get(code, viewer=resident)


async def _reviewable(code: str, statuses: tuple[str, ...]) -> tuple[dict[str, Any], Any]:
    row = await _project(code)
    pool = await service.pool_row(row["pool"])
    at = _now()
    if at >= pool["opens"]:
        raise Conflict(
            f"the vote on project {code}'s pool has opened: its projects are final",
            code="project.final",
            values={"project": code},
        )
    if row["status"] not in statuses:
        raise Conflict(
            f"project {code} is {row['status']}, not {' or '.join(statuses)}",
            code="project.not_in_step",
            values={"project": code},
        )
    return row, pool


async def review(
    settings: Settings, staff_id: int | None, code: str, decision: ReviewIn
) -> SubmittedProjectOut:
    """Officials: feasible (on the ballot, at ``cost`` when revised) or not, on a coded
    ground; a project whose author appealed is reviewed once more, finally."""
    note = (
        texts.checked_text("note", decision.note, (1, 4000), lines=True) if decision.note else None
    )
    if not decision.feasible and decision.code not in REVIEW_CODES:
        raise texts.bad(
            "code",
            "a rejection names its ground: " + ", ".join(REVIEW_CODES),
            code="project.review_ground",
        )
    async with db.write_transaction():
        row, pool = await _reviewable(code, ("submitted", "appealed"))
        if pool["submission_closes"] is not None and _now() < pool["submission_closes"]:
            raise Conflict(
                f"projects are reviewed after submission closes "
                f"({pool['submission_closes']:%Y-%m-%d %H:%M} UTC)",
                code="project.review_early",
                values={"closes": f"{pool['submission_closes']:%d.%m.%Y %H:%M} UTC"},
            )
        values: dict[Any, Any] = {
            BudgetProject.status: "approved" if decision.feasible else "rejected",
            BudgetProject.review_code: None if decision.feasible else decision.code,
            BudgetProject.review_note: note,
            BudgetProject.reviewed_at: _now(),
        }
        if decision.feasible and decision.cost is not None:
            if not 1 <= decision.cost <= pool["budget"]:
                raise texts.bad(
                    "cost",
                    f"1 to {pool['budget']:,} UAH (the pool's budget)",
                    code="project.review_cost",
                    budget=pool["budget"],
                )
            values[BudgetProject.cost] = decision.cost
        await BudgetProject.update(values).where(BudgetProject.code == code)
        await _log(
            code,
            "approved" if decision.feasible else "rejected",
            audit.staff_actor(settings, "official", staff_id),
            code=decision.code if not decision.feasible else None,
            cost=decision.cost if decision.feasible else None,
            after_appeal=row["status"] == "appealed",
        )
    return await get(code, staff=True)


async def appeal(resident: int, code: str, request: AppealIn) -> SubmittedProjectOut:
    """The author contests a rejection: once, within ``APPEAL_DAYS`` days of it."""
    text = texts.checked_text("text", request.text, (20, 4000), lines=True)
    texts.refuse_personal_data("appeal", text)
    async with db.write_transaction():
        row, _pool = await _reviewable(code, ("rejected",))
        if row["author"] != resident:
            raise Forbidden(f"only the author of project {code} may appeal")
        if row["appealed_at"] is not None:
            raise Conflict(f"project {code} was appealed once already: that review was final")
        due = row["reviewed_at"] + dt.timedelta(days=APPEAL_DAYS)
        if _now() >= due:
            raise Conflict(
                f"the appeal window of project {code} closed at {due:%Y-%m-%d %H:%M} UTC"
            )
        await BudgetProject.update(
            {
                BudgetProject.status: "appealed",
                BudgetProject.appeal_text: text,
                BudgetProject.appealed_at: _now(),
            }
        ).where(BudgetProject.code == code)
        await _log(code, "appealed", "author")
    return await get(code, viewer=resident)


async def hide(
    settings: Settings, staff_id: int | None, code: str, request: HideIn
) -> SubmittedProjectOut:
    """Moderators: take an abusive project out of public view (before the vote)."""
    if request.code not in HIDE_CODES:
        raise texts.bad("code", "one of " + ", ".join(HIDE_CODES), code="project.hide_ground")
    async with db.write_transaction():
        await _reviewable(code, ("submitted", "rejected", "appealed", "approved"))
        await BudgetProject.update(
            {BudgetProject.status: "hidden", BudgetProject.review_code: request.code}
        ).where(BudgetProject.code == code)
        await _log(
            code, "hidden", audit.staff_actor(settings, "moderator", staff_id), code=request.code
        )
    return await get(code, staff=True)


async def _log(project: str, action: str, actor: str, **detail: Any) -> None:
    """The audit entry of a change; the project's search document follows it."""
    await outbox.enqueue(DOC_TYPE, [project])
    await audit.append(
        domain="budgeting",
        subject=f"project:{project}",
        action=action,
        actor=actor,
        detail={k: v for k, v in detail.items() if v is not None},
    )


async def _project(code: str) -> dict[str, Any]:
    if not 0 < len(code) <= 32:
        raise NotFound("no such project")
    row = await BudgetProject.select().where(BudgetProject.code == code).first()
    if row is None:
        raise NotFound(f"no project {code!r}", code="project.not_found", values={"project": code})
    for name in ("submitted_at", "reviewed_at", "appealed_at"):
        row[name] = db.instant(row[name])
    return row


def _out(row: dict[str, Any]) -> SubmittedProjectOut:
    items = json.loads(row["cost_items"]) if row["cost_items"] else []
    hidden = row["status"] == "hidden"
    return SubmittedProjectOut(
        code=row["code"],
        pool=row["pool"],
        status=row["status"],
        title=row["title"],
        description=row["description"],
        category=row["category"],
        address=row["address"],
        lat=row["lat"],
        lon=row["lon"],
        cost=row["cost"],
        costs=[CostItem(item=i["item"], cost=i["cost"]) for i in items],
        submitted_at=row["submitted_at"],
        reviewed_at=row["reviewed_at"],
        review_code=None if hidden else row["review_code"],
        review_reason=REVIEW_CODES.get(row["review_code"] or "") if not hidden else None,
        review_note=row["review_note"],
        appeal_text=row["appeal_text"],
        appealed_at=row["appealed_at"],
    )


async def is_author(code: str, resident: int) -> bool:
    return bool(
        await BudgetProject.exists().where(
            (BudgetProject.code == code) & (BudgetProject.author == resident)
        )
    )


async def get(code: str, *, viewer: int | None = None, staff: bool = False) -> SubmittedProjectOut:
    """A project; a hidden one only to staff and its author."""
    row = await _project(code)
    if row["status"] == "hidden" and not staff and row["author"] != viewer:
        raise NotFound(f"no project {code!r}", code="project.not_found", values={"project": code})
    return _out(row)


async def list_projects(
    pool_id: int, *, status: str | None, limit: int, cursor: str | None
) -> Page[SubmittedProjectOut]:
    """Every public project of a pool in code order (submitted, on review, approved,
    rejected, appealed): the whole field, not only what reached the ballot."""
    await service.pool_row(pool_id)
    if status is not None and status not in PUBLIC:
        raise InvalidInput(
            f"status must be one of {', '.join(PUBLIC)}",
            errors=[{"where": "query", "name": "status", "message": "unknown status"}],
        )
    limit = check_limit(limit, 100)
    after = decode_cursor(cursor, 1, (str,))
    where: Any = (BudgetProject.pool == pool_id) & BudgetProject.status.is_in(
        [status] if status else list(PUBLIC)
    )
    if after is not None:
        where &= BudgetProject.code > after[0]
    rows = await BudgetProject.select().where(where).order_by(BudgetProject.code).limit(limit + 1)
    page = make_page(rows, limit, key=lambda r: [r["code"]])
    return Page(items=[_out(r) for r in page.items], next_cursor=page.next_cursor)
