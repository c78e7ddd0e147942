"""REST for the participatory budget: cycles, pools with their projects, my ballot, and
after the vote closes the results and the published ballots. Rules live in
``participation.budgeting.service``; this file translates."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody

from hromada.api.guards import require
from hromada.api.params import RowId
from hromada.auth.guard import principal_of
from hromada.auth.permissions import Permission
from hromada.config import Settings
from hromada.errors import Forbidden
from hromada.paging import Page
from hromada.participation.budgeting import service
from hromada.participation.budgeting.schemas import (
    BallotIn,
    BallotOut,
    CycleOut,
    PoolOut,
    ResultsOut,
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
            "second. The answer carries the receipt; after the vote closes the published "
            "ballots list yours under `voter` = the first 16 hex digits of sha256(receipt)."
        ),
        status_code=200,
        # Eligible residents only (age, residence), as GraphQL's castBallot and the portal.
        guards=[require(Permission.VOTE_BUDGET)],
    )
    async def cast(
        self, request: Request[Any, Any, Any], pool_id: RowId, data: JSONBody[BallotIn]
    ) -> BallotOut:
        return await service.cast(_settings(request), _resident(request), pool_id, data.projects)

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


# What the app mounts for this domain (hromada.participation.budgeting.domain names this module).
ROUTES = [BudgetController]
