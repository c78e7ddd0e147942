"""After the vote: how each funded project is being built, step by step.

Officials record milestones of a project the cycle's official rule funded (planned,
tender with its ProZorro id, contracted, in progress, done or failed), with how far
along it is and what was spent so far. Progress and spending never go backwards, a
done or failed project takes no more steps, and every step is in the audit log and
the ``pb-implementation`` dataset.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

from hromada import db
from hromada.config import Settings
from hromada.errors import Conflict, NotFound
from hromada.participation import texts
from hromada.participation.audit import service as audit
from hromada.participation.budgeting import service
from hromada.participation.budgeting.schemas import MilestoneIn, MilestoneOut
from hromada.participation.budgeting.tables import BudgetMilestone, BudgetProject

STAGES = ("planned", "tender", "contracted", "in_progress", "done", "failed")
FINAL = ("done", "failed")
# ProZorro tender ids: UA-2026-03-14-000123-a.
PROZORRO_ID = re.compile(r"UA-\d{4}-\d{2}-\d{2}-\d{6}-[a-z]")
OVERSPEND = 3  # spending beyond three times the project's cost is a typing error


def _out(row: dict[str, Any]) -> MilestoneOut:
    return MilestoneOut(
        stage=row["stage"],
        percent=row["percent"],
        spent=row["spent"],
        prozorro_id=row["prozorro_id"],
        note=row["note"],
        recorded_at=row["recorded_at"],
    )


async def _steps(project_id: int) -> list[dict[str, Any]]:
    return (
        await BudgetMilestone.select()
        .where(BudgetMilestone.project == project_id)
        .order_by(BudgetMilestone.id)
    )


async def milestones(code: str) -> list[MilestoneOut]:
    """A project's implementation so far, oldest step first (public)."""
    project = await BudgetProject.select().where(BudgetProject.code == code).first()
    if project is None or project["status"] == "hidden":
        raise NotFound(f"no project {code[:40]!r}")
    return [_out(r) for r in await _steps(project["id"])]


async def record(
    settings: Settings, staff_id: int | None, code: str, step: MilestoneIn
) -> list[MilestoneOut]:
    """Officials: the next step of a funded project; the whole implementation after it."""
    if step.stage not in STAGES:
        raise texts.bad("stage", "one of " + ", ".join(STAGES))
    if not 0 <= step.percent <= 100:
        raise texts.bad("percent", "0 to 100")
    if step.stage == "done" and step.percent != 100:
        raise texts.bad("percent", "a done project is 100 percent done")
    if step.prozorro_id is not None and not PROZORRO_ID.fullmatch(step.prozorro_id):
        raise texts.bad("prozorro_id", "a ProZorro tender id: UA-2026-03-14-000123-a")
    note = texts.checked_text("note", step.note, (1, 2000), lines=True) if step.note else None
    project = await BudgetProject.select().where(BudgetProject.code == code).first()
    if project is None or project["status"] != "approved":
        raise NotFound(f"no project {code[:40]!r} on a ballot")
    outcome = await service.results(settings, project["pool"])  # closed, or 409 / 503
    if code not in {p.code for p in outcome.projects if p.selected}:
        raise Conflict(f"project {code} was not funded by the cycle's rule: it has no works")
    if not 0 <= step.spent <= OVERSPEND * project["cost"]:
        raise texts.bad("spent", f"0 to {OVERSPEND * project['cost']:,} UAH")
    async with db.write_transaction():
        await db.advisory_xact_lock(f"hromada-pb-project:{code}")
        steps = await _steps(project["id"])
        last = steps[-1] if steps else None
        if last is not None:
            if last["stage"] in FINAL:
                raise Conflict(f"project {code} is {last['stage']}: it takes no more steps")
            if step.percent < last["percent"] or step.spent < last["spent"]:
                raise Conflict(
                    f"progress and spending never go back: project {code} is at "
                    f"{last['percent']}% with {last['spent']:,} UAH spent"
                )
        prozorro = step.prozorro_id or (last["prozorro_id"] if last else None)
        await BudgetMilestone.insert(
            BudgetMilestone(
                project=project["id"],
                stage=step.stage,
                percent=step.percent,
                spent=step.spent,
                prozorro_id=prozorro,
                note=note,
                recorded_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            )
        )
        actor = audit.staff_actor(settings, "official", staff_id)
        await audit.append(
            domain="budgeting",
            subject=f"project:{code}",
            action=f"implementation:{step.stage}",
            actor=actor,
            detail={"percent": step.percent, "spent": step.spent, "prozorro_id": prozorro},
        )
    return [_out(r) for r in await _steps(project["id"])]


async def iter_implementation_rows() -> AsyncIterator[dict[str, Any]]:
    """The implementation dataset: every recorded step of every funded project, in order."""
    after = 0
    while True:
        rows = (
            await BudgetMilestone.select(
                BudgetMilestone.id,
                BudgetMilestone.project.code.as_alias("code"),
                BudgetMilestone.project.title.as_alias("title"),
                BudgetMilestone.project.cost.as_alias("cost"),
                BudgetMilestone.stage,
                BudgetMilestone.percent,
                BudgetMilestone.spent,
                BudgetMilestone.prozorro_id,
                BudgetMilestone.recorded_at,
            )
            .where(BudgetMilestone.id > after)
            .order_by(BudgetMilestone.id)
            .limit(500)
        )
        if not rows:
            return
        for row in rows:
            yield {
                "step": row["id"],
                "code": row["code"],
                "title": row["title"],
                "cost": row["cost"],
                "stage": row["stage"],
                "percent": row["percent"],
                "spent": row["spent"],
                "prozorro_id": row["prozorro_id"],
                "recorded_at": row["recorded_at"],
            }
        after = rows[-1]["id"]
