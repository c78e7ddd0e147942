"""GraphQL for the participatory budget: cycles, a pool with its projects, a closed pool's
results, and ``castBallot`` / ``myBallot`` through the same service as REST (the access
layer applies CSRF and the write limit to a mutation as to a REST write)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.tools import merge_types
from strawberry.types import Info

from hromada.auth.guard import principal_of
from hromada.auth.permissions import Permission
from hromada.bounds import MAX_KEY_INT
from hromada.errors import InvalidInput, NotFound
from hromada.graphql.auth import acting_resident, requires
from hromada.participation.budgeting import implementation, projects, service


@strawberry.type(description="A participatory-budget cycle")
class BudgetCycle:
    slug: str
    title: str
    rule: str = strawberry.field(description="greedy, greedy-no-skip, greedy-threshold or mes")
    phase: str = strawberry.field(description="upcoming, voting or closed")
    voting_opens_at: dt.datetime
    voting_closes_at: dt.datetime
    pools: list[int]


@strawberry.type(description="A project on the ballot")
class BudgetProject:
    code: str
    title: str
    description: str
    category: str
    cost: int = strawberry.field(description="UAH")
    votes: int | None = strawberry.field(
        description="Ballots naming it; hidden (null) while voting is open"
    )
    points: int | None = strawberry.field(
        description="A cumulative pool's points given to it; null while voting is open"
    )
    lat: float | None = strawberry.field(description="Where it would be built (WGS 84)")
    lon: float | None = strawberry.field(description="Where it would be built (WGS 84)")


@strawberry.type(description="A pool: a budget, its area and its projects")
class BudgetPool:
    id: int
    cycle: str
    slug: str
    title: str
    budget: int
    district: str | None
    min_picks: int
    max_picks: int
    cost_cap: bool
    one_per_category: bool
    vote_type: str = strawberry.field(
        description="approval (pick projects) or cumulative (give them points)"
    )
    max_sum_points: int | None = strawberry.field(description="Cumulative: each voter's points")
    max_points: int | None = strawberry.field(
        description="Cumulative: at most on one project (null: up to maxSumPoints)"
    )
    phase: str
    voting_opens_at: dt.datetime
    voting_closes_at: dt.datetime
    turnout: int
    projects: list[BudgetProject]


@strawberry.type(description="A project's outcome under the cycle's rule")
class BudgetProjectResult:
    code: str
    votes: int = strawberry.field(description="Ballots naming it")
    points: int | None = strawberry.field(
        description="A cumulative pool's points given to it (what the rules rank)"
    )
    cost: int
    selected: bool
    explanation: str


@strawberry.type(description="What one rule funds")
class BudgetRuleResult:
    rule: str
    official: bool
    selected: list[str]
    spent: int


@strawberry.type(description="A closed pool's results, recomputable from its ballots file")
class BudgetResults:
    pool: int
    rule: str
    ballots: int
    projects: list[BudgetProjectResult]
    rules: list[BudgetRuleResult]


def _fields(cls: Any, out: Any, **more: Any) -> Any:
    names = [n for n in cls.__annotations__ if n not in more]
    return cls(**{n: getattr(out, n) for n in names}, **more)


@strawberry.type
class BudgetingQuery:
    @strawberry.field(description="Participatory-budget cycles, newest first")
    async def budget_cycles(self) -> list[BudgetCycle]:
        return [_fields(BudgetCycle, c) for c in await service.list_cycles()]

    @strawberry.field(description="A pool and its projects (null: no such pool)")
    async def budget_pool(self, info: Info[Any, Any], id: int) -> BudgetPool | None:
        if not 1 <= id <= MAX_KEY_INT:
            return None
        try:
            out = await service.get_pool(
                info.context.settings, id, principal_of(info.context.request).resident_id
            )
        except NotFound:
            return None
        projects = [_fields(BudgetProject, p) for p in out.projects]
        return _fields(BudgetPool, out, projects=projects)

    @strawberry.field(
        description="A closed pool's results (null until they are computed after the close; "
        "an error while it still votes)"
    )
    async def budget_results(self, info: Info[Any, Any], pool: int) -> BudgetResults | None:
        from hromada.errors import Unavailable

        if not 1 <= pool <= MAX_KEY_INT:
            return None
        try:
            out = await service.results(info.context.settings, pool)
        except (NotFound, Unavailable):
            return None
        return _fields(
            BudgetResults,
            out,
            projects=[_fields(BudgetProjectResult, p) for p in out.projects],
            rules=[_fields(BudgetRuleResult, r) for r in out.rules],
        )


@strawberry.type(description="One step of a funded project's implementation")
class BudgetMilestone:
    stage: str = strawberry.field(
        description="planned, tender, contracted, in_progress, done or failed"
    )
    percent: int
    spent: int = strawberry.field(description="UAH spent so far")
    prozorro_id: str | None = strawberry.field(
        description="The tender's tenderID; once imported, procurementTender(id: prozorroId) "
        "and /api/v1/procurement/tenders/{prozorro_id} give it"
    )
    note: str | None
    recorded_at: dt.datetime


@strawberry.type(description="A project residents proposed, with its review")
class BudgetProposal:
    code: str
    pool: int
    status: str = strawberry.field(description="submitted, approved, rejected or appealed")
    title: str
    description: str
    category: str
    address: str | None
    cost: int = strawberry.field(description="UAH")
    review_code: str | None
    review_reason: str | None
    review_note: str | None
    appeal_text: str | None
    milestones: list[BudgetMilestone]


@strawberry.type
class ProposalQuery:
    @strawberry.field(description="A pool's projects in every public status, by code")
    async def budget_proposals(
        self, pool: int, status: str | None = None, first: int = 50, after: str | None = None
    ) -> list[BudgetProposal]:
        if not 1 <= pool <= MAX_KEY_INT:
            return []
        page = await projects.list_projects(pool, status=status, limit=first, cursor=after)
        return [await _proposal(p) for p in page.items]

    @strawberry.field(description="One project with its review and implementation (or null)")
    async def budget_proposal(self, info: Info[Any, Any], code: str) -> BudgetProposal | None:
        try:
            found = await projects.get(code, viewer=principal_of(info.context.request).resident_id)
        except NotFound:
            return None
        return await _proposal(found)


async def _proposal(found: Any) -> BudgetProposal:
    steps = await implementation.milestones(found.code) if found.status == "approved" else []
    return _fields(
        BudgetProposal,
        found,
        milestones=[_fields(BudgetMilestone, m) for m in steps],
    )


@strawberry.type(description="My ballot in a pool; keep the receipt to find it after the vote")
class BudgetBallot:
    pool: int
    projects: list[str]
    points: list[int] | None = strawberry.field(
        description="A cumulative ballot's points, aligned with projects"
    )
    cast_at: dt.datetime
    receipt: str
    voter: str


@strawberry.type
class BudgetingMutation:
    @strawberry.mutation(
        description="Cast or change my ballot (the last before the close counts); a "
        "cumulative pool takes points for each project, in the order of projects",
        extensions=requires(Permission.VOTE_BUDGET),
    )
    async def cast_ballot(
        self,
        info: Info[Any, Any],
        pool: int,
        projects: list[str],
        points: list[int] | None = None,
    ) -> BudgetBallot:
        if len(projects) > service.MAX_PICKS:
            raise InvalidInput(f"at most {service.MAX_PICKS} projects")
        if points is not None and len(points) > service.MAX_PICKS:
            raise InvalidInput(f"at most {service.MAX_PICKS} numbers of points")
        done = await service.cast(
            info.context.settings, acting_resident(info), pool, projects, points
        )
        return _fields(BudgetBallot, done)


@strawberry.type
class MyBallotQuery:
    @strawberry.field(
        description="My ballot in a pool with its receipt (null: not voted there)",
        extensions=requires(Permission.VOTE_BUDGET),
    )
    async def my_ballot(self, info: Info[Any, Any], pool: int) -> BudgetBallot | None:
        try:
            found = await service.my_ballot(info.context.settings, acting_resident(info), pool)
        except NotFound:
            return None
        return _fields(BudgetBallot, found)


Query = merge_types("BudgetingQuery", (BudgetingQuery, MyBallotQuery, ProposalQuery))
Mutation = BudgetingMutation
