"""Participatory-budget pages: cycles, a pool and its ballot, the results."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from hromada.auth.guard import principal_of
from hromada.auth.permissions import Permission
from hromada.errors import InvalidInput, NotFound
from hromada.participation.budgeting import service as budgeting
from hromada.web.render import (
    acting_resident,
    page,
    settings_of,
)

MAX_POOLS_LISTED = 30
PoolId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]


@get("/budget", name="web-budget")
async def budget_cycles(request: Request[Any, Any, Any]) -> Template:
    settings = settings_of(request)
    cycles = await budgeting.list_cycles()
    pools: dict[int, Any] = {}
    for cycle in cycles:
        for pool_id in cycle.pools:
            if len(pools) < MAX_POOLS_LISTED:
                pools[pool_id] = await budgeting.get_pool(settings, pool_id, None)
    return page(request, "budget.html", cycles=cycles, pools=pools)


async def _pool_page(
    request: Request[Any, Any, Any],
    pool_id: int,
    *,
    picked: list[str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    settings = settings_of(request)
    resident = principal_of(request).resident_id
    pool = await budgeting.get_pool(settings, pool_id, resident)
    ballot = None
    if resident is not None:
        try:
            ballot = await budgeting.my_ballot(settings, resident, pool_id)
        except NotFound:
            ballot = None
    chosen = picked if picked is not None else (ballot.projects if ballot else [])
    costs = {p.code: p.cost for p in pool.projects}
    return page(
        request,
        "pool.html",
        status_code=status_code,
        pool=pool,
        ballot=ballot,
        chosen=chosen,
        chosen_cost=sum(costs.get(code, 0) for code in chosen),
        error=error,
        cast=request.query_params.get("cast") == "1",
    )


@get("/budget/pools/{pool_id:int}", name="web-pool")
async def pool_page(request: Request[Any, Any, Any], pool_id: PoolId) -> Template:
    return await _pool_page(request, pool_id)


@post("/budget/pools/{pool_id:int}/ballot", name="web-ballot", status_code=303)
async def cast_ballot(request: Request[Any, Any, Any], pool_id: PoolId) -> Response[Any]:
    resident = await acting_resident(request, Permission.VOTE_BUDGET)
    form = await request.form()
    picks = [str(code)[:100] for code in form.getall("projects", [])][: budgeting.MAX_PICKS + 1]
    try:
        await budgeting.cast(settings_of(request), resident, pool_id, picks)
    except InvalidInput as refused:  # the ballot again, as picked, with the reason
        return await _pool_page(
            request, pool_id, picked=picks, error=refused.detail, status_code=422
        )
    return Redirect(f"/budget/pools/{pool_id}?cast=1#ballot", status_code=303)


@get("/budget/pools/{pool_id:int}/results", name="web-results")
async def pool_results(request: Request[Any, Any, Any], pool_id: PoolId) -> Template:
    settings = settings_of(request)
    pool = await budgeting.get_pool(settings, pool_id, None)
    found = await budgeting.results(settings, pool_id)
    titles = {p.code: p.title for p in pool.projects}
    return page(request, "results.html", pool=pool, results=found, titles=titles)


# In the order the router lists them: a fixed path ("/petitions/new") before a typed one.
ROUTES = [budget_cycles, pool_page, cast_ballot, pool_results]
