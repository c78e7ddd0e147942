"""REST for the participatory budget: cycles, pools with their projects, my ballot, and
after the vote closes the results and the published ballots. Rules live in
``participation.budgeting.service``; this file translates."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.params import JSONBody, PathParameter, QueryParameter

from hromada.api.guards import require
from hromada.api.params import RowId
from hromada.auth.guard import principal_of
from hromada.auth.permissions import Permission, allows
from hromada.config import Settings
from hromada.errors import Forbidden
from hromada.paging import Page
from hromada.participation.budgeting import cycles, implementation, paper, projects, service
from hromada.participation.budgeting.schemas import (
    AppealIn,
    BallotIn,
    BallotOut,
    CycleIn,
    CycleOut,
    HideIn,
    MilestoneIn,
    MilestoneOut,
    NewProject,
    PaperBallotIn,
    PoolOut,
    ResultsOut,
    ReviewIn,
    SubmittedProjectOut,
)


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state["settings"]
    return settings


def _resident(request: Request[Any, Any, Any]) -> int:
    resident = principal_of(request).resident_id
    if resident is None:
        raise Forbidden("only a logged-in resident may vote")
    return resident


class BudgetController(Controller):
    path = "/api/v1/pb"
    tags = ["participatory budget"]  # noqa: RUF012

    @get("/cycles", summary="Participatory-budget cycles and their phases")
    async def cycles(self) -> Page[CycleOut]:
        items = await service.list_cycles()
        return Page(items=items, next_cursor=None, total=len(items))

    @post(
        "/cycles",
        summary="Set up a cycle: voting and submission windows, pools, projects (officials)",
        description="Voting must open in the future (the rules freeze then). Pools: budget, "
        "district (only its residents vote), min/max picks, cost cap, one project per "
        "category, `vote_type` approval or cumulative (with `max_sum_points` per voter and "
        "optionally `max_points` per project; a greedy rule), the cost range of submitted "
        "projects, and any projects staff enter (on the ballot at once). 409 for a slug or "
        "project code that exists.",
        guards=[require(Permission.MANAGE_BUDGET)],
        status_code=201,
    )
    async def set_up_cycle(
        self, request: Request[Any, Any, Any], data: JSONBody[CycleIn]
    ) -> CycleOut:
        return await cycles.set_up(_settings(request), principal_of(request).resident_id, data)

    @get(
        "/pools/{pool_id:int}",
        summary="A pool and its projects",
        description=(
            "While voting is open each project's `votes` is null (the turnout is shown), and a "
            "logged-in resident gets the projects in an order of their own."
        ),
    )
    async def pool(self, request: Request[Any, Any, Any], pool_id: RowId) -> PoolOut:
        return await service.get_pool(
            _settings(request), pool_id, principal_of(request).resident_id
        )

    @post(
        "/pools/{pool_id:int}/ballot",
        summary="Cast or change my ballot (a logged-in resident)",
        description=(
            "One ballot per resident and pool: sending another replaces it until the closing "
            "second. A cumulative pool (`vote_type`) takes `points`, a whole number for each "
            "of `projects` in the same order, 1 to `max_points` each and `max_sum_points` in "
            "all; an approval pool takes none. The answer carries the receipt; after the vote "
            "closes the published ballots list yours under `voter` = the first 16 hex digits "
            "of sha256(receipt)."
        ),
        status_code=200,
        # Eligible residents only (age, residence), as GraphQL's castBallot and the portal.
        guards=[require(Permission.VOTE_BUDGET)],
    )
    async def cast(
        self, request: Request[Any, Any, Any], pool_id: RowId, data: JSONBody[BallotIn]
    ) -> BallotOut:
        return await service.cast(
            _settings(request), _resident(request), pool_id, data.projects, data.points
        )

    @post(
        "/pools/{pool_id:int}/paper-ballots",
        summary="Enter a paper ballot for a person by their tax number (officials)",
        description="At a service centre, after checking the voter's passport: `tax_id` "
        "(RNOKPP, never stored: it becomes the same person key an online login gives, so "
        "one person has one ballot whichever way they vote), `district` of registration for "
        "district pools, and the `projects` marked (with their `points` in a cumulative "
        "pool). 409 when the person voted already; the answer's receipt is for the voter to "
        "take home.",
        guards=[require(Permission.RESPOND_OFFICIALLY)],
        status_code=201,
    )
    async def paper_ballot(
        self, request: Request[Any, Any, Any], pool_id: RowId, data: JSONBody[PaperBallotIn]
    ) -> BallotOut:
        return await paper.enter(
            _settings(request), principal_of(request).resident_id, pool_id, data
        )

    @get("/pools/{pool_id:int}/ballot", summary="My ballot in a pool, with its receipt")
    async def my_ballot(self, request: Request[Any, Any, Any], pool_id: RowId) -> BallotOut:
        return await service.my_ballot(_settings(request), _resident(request), pool_id)

    @get(
        "/pools/{pool_id:int}/results",
        summary="Results by every rule, with a reason for each project (after the vote)",
    )
    async def results(self, request: Request[Any, Any, Any], pool_id: RowId) -> ResultsOut:
        return await service.results(_settings(request), pool_id)

    @get(
        "/pools/{pool_id:int}/ballots.pb",
        summary="The pool's anonymised ballots as a Pabulib file (after the vote)",
        media_type="text/plain; charset=utf-8",
    )
    async def ballots(self, request: Request[Any, Any, Any], pool_id: RowId) -> Response[bytes]:
        body = await service.ballots_file(_settings(request), pool_id)
        return Response(
            body,
            media_type="text/plain; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="pool-{pool_id}.pb"'},
        )


ProjectCode = Annotated[str, PathParameter(max_length=32, description="A project's code")]


class ProjectController(Controller):
    """Projects residents submit, officials review and authors may appeal."""

    path = "/api/v1/pb"
    tags = ["participatory budget"]  # noqa: RUF012

    @get("/review-codes", summary="The grounds on which a project is found not feasible")
    async def review_codes(self) -> dict[str, dict[str, str]]:
        return {"review": projects.REVIEW_CODES, "hide": projects.HIDE_CODES}

    @get(
        "/pools/{pool_id:int}/projects",
        summary="Every public project of a pool: submitted, approved, rejected, appealed",
    )
    async def list_projects(
        self,
        pool_id: RowId,
        status: Annotated[str | None, QueryParameter(max_length=16)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        cursor: Annotated[str | None, QueryParameter(max_length=500)] = None,
    ) -> Page[SubmittedProjectOut]:
        return await projects.list_projects(pool_id, status=status, limit=limit, cursor=cursor)

    @post(
        "/pools/{pool_id:int}/projects",
        summary="Submit a project (an eligible resident, while the cycle takes submissions)",
        guards=[require(Permission.VOTE_BUDGET)],
        status_code=201,
    )
    async def submit(
        self, request: Request[Any, Any, Any], pool_id: RowId, data: JSONBody[NewProject]
    ) -> SubmittedProjectOut:
        return await projects.submit(_resident(request), pool_id, data)

    @get("/projects/{code:str}", summary="One project with its costs, review and appeal")
    async def get_project(
        self, request: Request[Any, Any, Any], code: ProjectCode
    ) -> SubmittedProjectOut:
        principal = principal_of(request)
        return await projects.get(
            code,
            viewer=principal.resident_id,
            staff=principal.authenticated and allows(principal.role, Permission.MODERATE),
        )

    @put(
        "/projects/{code:str}",
        summary="Rewrite my project (its author, while the cycle takes submissions)",
        guards=[require(Permission.VOTE_BUDGET)],
    )
    async def edit(
        self, request: Request[Any, Any, Any], code: ProjectCode, data: JSONBody[NewProject]
    ) -> SubmittedProjectOut:
        return await projects.edit(_resident(request), code, data)

    @post(
        "/projects/{code:str}/review",
        summary="Feasible (at a revised cost) or not, on a coded ground (officials)",
        guards=[require(Permission.RESPOND_OFFICIALLY)],
        status_code=200,
    )
    async def review(
        self, request: Request[Any, Any, Any], code: ProjectCode, data: JSONBody[ReviewIn]
    ) -> SubmittedProjectOut:
        return await projects.review(
            _settings(request), principal_of(request).resident_id, code, data
        )

    @post(
        "/projects/{code:str}/appeal",
        summary="Contest a rejection once, within the appeal window (its author)",
        guards=[require(Permission.VOTE_BUDGET)],
        status_code=200,
    )
    async def appeal(
        self, request: Request[Any, Any, Any], code: ProjectCode, data: JSONBody[AppealIn]
    ) -> SubmittedProjectOut:
        return await projects.appeal(_resident(request), code, data)

    @post(
        "/projects/{code:str}/hide",
        summary="Take an abusive project out of public view (moderators)",
        guards=[require(Permission.MODERATE)],
        status_code=200,
    )
    async def hide(
        self, request: Request[Any, Any, Any], code: ProjectCode, data: JSONBody[HideIn]
    ) -> SubmittedProjectOut:
        return await projects.hide(
            _settings(request), principal_of(request).resident_id, code, data
        )


class ImplementationController(Controller):
    """How funded projects are being built."""

    path = "/api/v1/pb/projects"
    tags = ["participatory budget"]  # noqa: RUF012

    @get(
        "/{code:str}/milestones",
        summary="A funded project's implementation, step by step",
        description="A step's `prozorro_id` is its tender's tenderID (UA-2026-03-14-000123-a); "
        "once the tender is imported from ProZorro it is at "
        "`/api/v1/procurement/tenders/{prozorro_id}` (404 until then).",
    )
    async def milestones(self, code: ProjectCode) -> list[MilestoneOut]:
        return await implementation.milestones(code)

    @post(
        "/{code:str}/milestones",
        summary="Record the next step of a funded project (officials)",
        description="Stages: planned, tender (with `prozorro_id`), contracted, in_progress, "
        "done (100 percent) or failed; `percent` and `spent` (UAH so far) never go back, "
        "and a done or failed project takes no more steps.",
        guards=[require(Permission.RESPOND_OFFICIALLY)],
        status_code=201,
    )
    async def record(
        self, request: Request[Any, Any, Any], code: ProjectCode, data: JSONBody[MilestoneIn]
    ) -> list[MilestoneOut]:
        return await implementation.record(
            _settings(request), principal_of(request).resident_id, code, data
        )


# What the app mounts for this domain (hromada.participation.budgeting.domain names this module).
ROUTES = [BudgetController, ProjectController, ImplementationController]
