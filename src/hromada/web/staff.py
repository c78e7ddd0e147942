"""Staff pages of the participatory budget: the review queue of submitted projects (with
the appeals of rejected ones and hiding abuse) and paper ballots entered at a service
centre. Every decision is the domain's (``budgeting.projects``, ``budgeting.paper``),
called as the REST API calls it; a refusal is shown in the reader's language."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from hromada.auth.guard import check_permission, principal_of
from hromada.auth.permissions import Permission, allows
from hromada.errors import Conflict, Forbidden, HromadaError, InvalidInput, status_of
from hromada.participation.budgeting import paper, projects
from hromada.participation.budgeting import service as budgeting
from hromada.participation.budgeting.schemas import HideIn, PaperBallotIn
from hromada.web import i18n
from hromada.web.budget import ballot_of, picked_in_form, review_of
from hromada.web.render import Query, form_field, language, page, settings_of

MAX_POOLS_LISTED = 30
# A queue page holds a review form per project: ten of them, each with the start of its
# description and its first cost lines, keep the page well under 100 KB.
QUEUE_PAGE = 10
DESCRIPTION_SHOWN = 600
COST_LINES_SHOWN = 10
MAX_BALLOT_PROJECTS = 200  # a paper ballot lists every project on it; no pool has more
# The steps of the queue a member of staff works through; hidden projects are out of view.
QUEUES = ("submitted", "appealed", "rejected", "approved")
PoolId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
ProjectCode = Annotated[str, PathParameter(max_length=32)]
# What a member of staff may be refused for, shown beside the form rather than as a page.
REFUSALS = (InvalidInput, Conflict, Forbidden)


async def _pools() -> list[dict[str, Any]]:
    """The pools of every cycle, newest cycle first, with their phase (at most 30)."""
    rows: list[dict[str, Any]] = []
    at = budgeting.now()
    for cycle in reversed(await budgeting.list_cycles()):
        for pool_id in cycle.pools:
            if len(rows) >= MAX_POOLS_LISTED:
                return rows
            row = await budgeting.pool_row(pool_id)
            row["phase"] = budgeting.phase_at(row["opens"], row["closes"], at)
            row["cycle_title"] = cycle.title
            rows.append(row)
    return rows


def _role_allows(request: Request[Any, Any, Any], permission: Permission) -> bool:
    principal = principal_of(request)
    return principal.authenticated and allows(principal.role, permission)


async def _queue_page(
    request: Request[Any, Any, Any],
    *,
    pool_id: int | None,
    status: str,
    cursor: str | None,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    pools = await _pools()
    chosen = pool_id or next(
        (p["id"] for p in pools if p["phase"] == "upcoming"), pools[0]["id"] if pools else None
    )
    found = None
    pool = None
    if chosen is not None:
        pool = await budgeting.pool_row(chosen)
        found = await projects.list_projects(chosen, status=status, limit=QUEUE_PAGE, cursor=cursor)
    return page(
        request,
        "staff_projects.html",
        status_code=status_code,
        pools=pools,
        pool=pool,
        status=status,
        queues=QUEUES,
        found=found,
        error=error,
        done=request.query_params.get("done"),
        may_review=_role_allows(request, Permission.RESPOND_OFFICIALLY),
        review_codes=projects.REVIEW_CODES,
        hide_codes=projects.HIDE_CODES,
        description_chars=DESCRIPTION_SHOWN,
        cost_lines=COST_LINES_SHOWN,
    )


@get("/staff/projects", name="web-staff-projects")
async def review_queue(
    request: Request[Any, Any, Any],
    pool: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    status: Annotated[str, Query(max_length=20)] = "submitted",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Template:
    """Moderators see the queue (and may hide); officials review."""
    await check_permission(request, Permission.MODERATE)
    if status not in QUEUES:
        raise InvalidInput("status must be one of " + ", ".join(QUEUES))
    return await _queue_page(request, pool_id=pool, status=status, cursor=cursor)


async def _back_to_queue(
    request: Request[Any, Any, Any], code: str, done: str, refused: HromadaError | None
) -> Response[Any]:
    """After a decision: the queue the project was in, with what happened."""
    project = await projects.get(code, staff=True)
    if refused is not None:
        return await _queue_page(
            request,
            pool_id=project.pool,
            status=project.status if project.status in QUEUES else "submitted",
            cursor=None,
            error=i18n.error_text(language(request), refused),
            status_code=status_of(refused),
        )
    return Redirect(
        f"/staff/projects?pool={project.pool}&status={_queue_of(project.status)}&done={done}",
        status_code=303,
    )


def _queue_of(status: str) -> str:
    return "submitted" if status in ("approved", "rejected", "hidden") else status


@post("/staff/projects/{code:str}/review", name="web-staff-review", status_code=303)
async def review_project(request: Request[Any, Any, Any], code: ProjectCode) -> Response[Any]:
    await check_permission(request, Permission.RESPOND_OFFICIALLY)
    form = await request.form()
    try:
        decision = review_of(form)
        await projects.review(
            settings_of(request), principal_of(request).resident_id, code, decision
        )
    except REFUSALS as refused:
        return await _back_to_queue(request, code, "", refused)
    return await _back_to_queue(
        request, code, "feasible" if decision.feasible else "rejected", None
    )


@post("/staff/projects/{code:str}/hide", name="web-staff-hide", status_code=303)
async def hide_project(request: Request[Any, Any, Any], code: ProjectCode) -> Response[Any]:
    await check_permission(request, Permission.MODERATE)
    form = await request.form()
    try:
        await projects.hide(
            settings_of(request),
            principal_of(request).resident_id,
            code,
            HideIn(code=form_field(form, "code", 40) or ""),
        )
    except REFUSALS as refused:
        return await _back_to_queue(request, code, "", refused)
    return await _back_to_queue(request, code, "hidden", None)


async def _ballot_page(
    request: Request[Any, Any, Any],
    pool_id: int | None,
    *,
    picked: dict[str, str] | None = None,
    district: str = "",
    receipt: Any = None,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    pools = [p for p in await _pools() if p["phase"] == "voting"]
    chosen = pool_id or (pools[0]["id"] if pools else None)
    pool = await budgeting.pool_row(chosen) if chosen is not None else None
    on_ballot = await budgeting.approved_projects(chosen) if chosen is not None else []
    return page(
        request,
        "staff_ballots.html",
        status_code=status_code,
        pools=pools,
        pool=pool,
        on_ballot=on_ballot[:MAX_BALLOT_PROJECTS],
        picked=picked or {},
        district=district,
        receipt=receipt,
        error=error,
    )


@get("/staff/ballots", name="web-staff-ballots")
async def paper_ballots(
    request: Request[Any, Any, Any],
    pool: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Template:
    await check_permission(request, Permission.RESPOND_OFFICIALLY)
    return await _ballot_page(request, pool)


@post("/staff/ballots/{pool_id:int}", name="web-staff-enter-ballot", status_code=200)
async def enter_paper_ballot(request: Request[Any, Any, Any], pool_id: PoolId) -> Template:
    """The receipt is shown once, on this answer: the voter takes it home. The tax number
    goes to the domain and is never shown again (not even when the form is refused)."""
    await check_permission(request, Permission.RESPOND_OFFICIALLY)
    form = await request.form()
    picked = picked_in_form(form)
    district = form_field(form, "district", 64) or ""
    try:
        picks, points = ballot_of(picked)
        ballot = PaperBallotIn(
            tax_id=(form_field(form, "tax_id", 20) or "").strip(),
            projects=picks,
            points=points,
            district=district or None,
        )
        done = await paper.enter(
            settings_of(request), principal_of(request).resident_id, pool_id, ballot
        )
    except REFUSALS as refused:
        return await _ballot_page(
            request,
            pool_id,
            picked=picked,
            district=district,
            error=i18n.error_text(language(request), refused),
            status_code=status_of(refused),
        )
    return await _ballot_page(request, pool_id, receipt=done)


ROUTES = [
    review_queue,
    review_project,
    hide_project,
    paper_ballots,
    enter_paper_ballot,
]
