"""Participatory-budget pages: cycles, a pool and its ballot, the results."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from hromada.auth.guard import principal_of
from hromada.auth.permissions import Permission, allows
from hromada.errors import InvalidInput, NotFound
from hromada.participation.budgeting import implementation, projects
from hromada.participation.budgeting import service as budgeting
from hromada.participation.budgeting.schemas import AppealIn, CostItem, NewProject, ReviewIn
from hromada.web import i18n
from hromada.web.render import (
    acting_resident,
    form_field,
    language,
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
    picked: dict[str, str] | None = None,
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
    # Each chosen project with its points as shown in the form ("" on an approval ballot).
    chosen: dict[str, str] = {}
    if picked is not None:
        chosen = picked
    elif ballot is not None:
        shown = [str(n) for n in ballot.points] if ballot.points else [""] * len(ballot.projects)
        chosen = dict(zip(ballot.projects, shown, strict=True))
    costs = {p.code: p.cost for p in pool.projects}
    # Every proposal of the pool, with its review, beside the ballot (which shows the approved).
    proposed = await projects.list_projects(pool_id, status=None, limit=50, cursor=None)
    return page(
        request,
        "pool.html",
        status_code=status_code,
        pool=pool,
        ballot=ballot,
        chosen=chosen,
        chosen_cost=sum(costs.get(code, 0) for code in chosen),
        chosen_points=sum(int(n) for n in chosen.values() if n.isdigit() and len(n) < 10),
        error=error,
        cast=request.query_params.get("cast") == "1",
        proposed=proposed.items,
    )


@get("/budget/pools/{pool_id:int}", name="web-pool")
async def pool_page(request: Request[Any, Any, Any], pool_id: PoolId) -> Template:
    return await _pool_page(request, pool_id)


def picked_in_form(form: Any) -> dict[str, str]:
    """A ballot form's choice: each project with its points as written ("" on an approval
    ballot). A cumulative ballot's form has a number field ``points-<code>`` per project:
    an empty field or 0 gives that project no points (it is not named), as an unticked box.
    Shared by the resident's ballot and the official's paper ballot."""
    picks = [str(code)[:100] for code in form.getall("projects", [])][: budgeting.MAX_PICKS + 1]
    given = [
        (key.removeprefix("points-")[:100], str(value).strip()[:20])
        for key, value in form.multi_items()
        if key.startswith("points-") and str(value).strip() not in ("", "0")
    ]
    typed = dict(given[: budgeting.MAX_PICKS + 1])
    return typed or dict.fromkeys(picks, "")


def ballot_of(picked: dict[str, str]) -> tuple[list[str], list[int] | None]:
    """The picks and, when points were written, the points; the pool's rules are the
    domain's (``service.check_ballot``), only "a whole number" is read here."""
    if not any(picked.values()):
        return list(picked), None
    bad = next((code for code, n in picked.items() if not n.isdigit()), None)
    if bad is not None:
        raise InvalidInput(
            f"{bad!r}: points are a whole number",
            code="ballot.points_whole",
            values={"project": bad},
        )
    return list(picked), [int(n) for n in picked.values()]


@post("/budget/pools/{pool_id:int}/ballot", name="web-ballot", status_code=303)
async def cast_ballot(request: Request[Any, Any, Any], pool_id: PoolId) -> Response[Any]:
    resident = await acting_resident(request, Permission.VOTE_BUDGET)
    picked = picked_in_form(await request.form())
    try:
        picks, points = ballot_of(picked)
        await budgeting.cast(settings_of(request), resident, pool_id, picks, points)
    except InvalidInput as refused:  # the ballot again, as picked, with the reason
        return await _pool_page(
            request,
            pool_id,
            picked=picked,
            error=i18n.error_text(language(request), refused),
            status_code=422,
        )
    return Redirect(f"/budget/pools/{pool_id}?cast=1#ballot", status_code=303)


@get("/budget/pools/{pool_id:int}/results", name="web-results")
async def pool_results(request: Request[Any, Any, Any], pool_id: PoolId) -> Template:
    settings = settings_of(request)
    pool = await budgeting.get_pool(settings, pool_id, None)
    found = await budgeting.results(settings, pool_id)
    titles = {p.code: p.title for p in pool.projects}
    return page(request, "results.html", pool=pool, results=found, titles=titles)


ProjectCode = Annotated[str, PathParameter(max_length=32)]
COST_ROWS = 6  # cost lines the form offers (the API takes up to projects.MAX_ITEMS)


def _new_project(form: Any) -> NewProject:
    """The form's fields as a project; a cost that is not a whole number is refused."""
    costs = []
    for i in range(1, COST_ROWS + 1):
        item, cost = form_field(form, f"item_{i}", 200), form_field(form, f"cost_{i}", 20)
        if item is None and cost is None:
            continue
        if cost is None or not cost.strip().isdigit():
            raise InvalidInput(f"cost line {i}: the cost is a whole number of hryvnias")
        costs.append(CostItem(item=item or "", cost=int(cost.strip())))
    return NewProject(
        title=form_field(form, "title", 400) or "",
        description=form_field(form, "description", 20_000) or "",
        category=form_field(form, "category", 200) or "",
        address=form_field(form, "address", 600),
        costs=costs,
    )


@get("/budget/pools/{pool_id:int}/projects/new", name="web-new-project")
async def new_project(request: Request[Any, Any, Any], pool_id: PoolId) -> Template:
    await acting_resident(request, Permission.VOTE_BUDGET)
    pool = await budgeting.get_pool(settings_of(request), pool_id, None)
    return page(request, "new_project.html", pool=pool, form={}, rows=COST_ROWS, error=None)


@post("/budget/pools/{pool_id:int}/projects/new", name="web-submit-project", status_code=303)
async def submit_project(request: Request[Any, Any, Any], pool_id: PoolId) -> Response[Any]:
    resident = await acting_resident(request, Permission.VOTE_BUDGET)
    form = await request.form()
    try:
        made = await projects.submit(resident, pool_id, _new_project(form))
    except InvalidInput as refused:  # the form again, as written, with the reason
        pool = await budgeting.get_pool(settings_of(request), pool_id, None)
        return page(
            request,
            "new_project.html",
            status_code=422,
            pool=pool,
            form={k: form_field(form, k, 20_000) for k in form},
            rows=COST_ROWS,
            error=i18n.error_text(language(request), refused),
        )
    return Redirect(f"/budget/projects/{made.code}", status_code=303)


async def _project_page(
    request: Request[Any, Any, Any], code: str, *, error: str | None = None, status_code: int = 200
) -> Template:
    principal = principal_of(request)
    staff = principal.authenticated and allows(principal.role, Permission.MODERATE)
    found = await projects.get(code, viewer=principal.resident_id, staff=staff)
    return page(
        request,
        "project.html",
        status_code=status_code,
        project=found,
        error=error,
        may_review=principal.authenticated
        and allows(principal.role, Permission.RESPOND_OFFICIALLY)
        and found.status in ("submitted", "appealed"),
        may_appeal=principal.resident_id is not None
        and found.status == "rejected"
        and found.appealed_at is None
        and await projects.is_author(code, principal.resident_id),
        review_codes=projects.REVIEW_CODES,
        steps=await implementation.milestones(code) if found.status == "approved" else [],
    )


def review_of(form: Any) -> ReviewIn:
    """A review form as the domain's decision (shared by a project's page and the staff's
    review queue); the revised cost must be a whole number, the rest is the domain's."""
    cost = form_field(form, "cost", 20)
    if cost is not None and not (cost.strip().isdigit() and len(cost.strip()) <= 12):
        raise InvalidInput(
            "the revised cost is a whole number of hryvnias", code="project.review_cost_whole"
        )
    return ReviewIn(
        feasible=form_field(form, "decision", 10) == "feasible",
        code=form_field(form, "code", 40),
        cost=int(cost) if cost else None,
        note=form_field(form, "note", 8000),
    )


@get("/budget/projects/{code:str}", name="web-project")
async def project_page(request: Request[Any, Any, Any], code: ProjectCode) -> Template:
    return await _project_page(request, code)


@post("/budget/projects/{code:str}/review", name="web-review-project", status_code=303)
async def review_project(request: Request[Any, Any, Any], code: ProjectCode) -> Response[Any]:
    staff = await acting_resident(request, Permission.RESPOND_OFFICIALLY)
    form = await request.form()
    try:
        await projects.review(settings_of(request), staff, code, review_of(form))
    except InvalidInput as refused:
        return await _project_page(
            request, code, error=i18n.error_text(language(request), refused), status_code=422
        )
    return Redirect(f"/budget/projects/{code}", status_code=303)


@post("/budget/projects/{code:str}/appeal", name="web-appeal-project", status_code=303)
async def appeal_project(request: Request[Any, Any, Any], code: ProjectCode) -> Response[Any]:
    resident = await acting_resident(request, Permission.VOTE_BUDGET)
    form = await request.form()
    try:
        await projects.appeal(resident, code, AppealIn(text=form_field(form, "text", 8000) or ""))
    except InvalidInput as refused:
        return await _project_page(
            request, code, error=i18n.error_text(language(request), refused), status_code=422
        )
    return Redirect(f"/budget/projects/{code}", status_code=303)


# In the order the router lists them: a fixed path ("/petitions/new") before a typed one.
ROUTES = [
    budget_cycles,
    pool_page,
    cast_ballot,
    pool_results,
    new_project,
    submit_project,
    project_page,
    review_project,
    appeal_project,
]
