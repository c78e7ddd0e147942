"""The portal's pages. Each one calls the domain services the JSON API calls, with the
same bounds, and renders the answer; forms post back here (PRG: post, redirect, get).

CSRF: a form sends the session's token as ``csrf_token``; the access layer checks it
as it checks ``X-CSRF-Token`` on the API (``api.access``), before any handler runs.
"""

from __future__ import annotations

import asyncio
import math
from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.params import FromPath, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from hromada.auth import service as auth_service
from hromada.auth.guard import check_permission, principal_of, runtime_of
from hromada.auth.permissions import Permission, allows
from hromada.errors import HromadaError, InvalidInput, NotFound, Unavailable, status_of
from hromada.open_data.appeals import service as appeals
from hromada.open_data.appeals.schemas import AppealFilters
from hromada.open_data.catalog import ckan
from hromada.open_data.catalog import service as catalog
from hromada.open_data.catalog.registry import get_dataset
from hromada.open_data.registries import kinds, records
from hromada.participation.budgeting import service as budgeting
from hromada.participation.petitions import rules as petition_rules
from hromada.participation.petitions import service as petitions
from hromada.participation.petitions.schemas import Answer, Moderation, NewPetition
from hromada.search.runtime import backend_of
from hromada.web import assets, i18n
from hromada.web.render import SECURITY_HEADERS, language, page, settings_of

PREVIEW_ROWS = 20
LIST_LIMIT = 30
DASHBOARD_CATEGORIES = 15
DASHBOARD_MONTHS = 24
Query = QueryParameter  # every query value is bounded as on the API


def _base(request: Request[Any, Any, Any]) -> str:
    settings = settings_of(request)
    return str(settings.public_url or request.base_url).rstrip("/")


@get("/", name="web-home")
async def home(request: Request[Any, Any, Any]) -> Template:
    settings = settings_of(request)
    datasets = await catalog.list_datasets(
        settings,
        q=None,
        theme=None,
        publisher=None,
        fmt=None,
        limit=6,
        cursor=None,
        base_url=_base(request),
    )
    latest = await petitions.list_petitions(settings, limit=3, cursor=None)
    return page(request, "home.html", datasets=datasets, petitions=latest.items)


@get("/data", name="web-catalogue")
async def catalogue(
    request: Request[Any, Any, Any],
    q: Annotated[str | None, Query(max_length=200)] = None,
    theme: Annotated[str | None, Query(max_length=50)] = None,
    format_: Annotated[str | None, Query(name="format", max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Template:
    settings = settings_of(request)
    found = await catalog.list_datasets(
        settings,
        q=q,
        theme=theme,
        publisher=None,
        fmt=format_,
        limit=LIST_LIMIT,
        cursor=cursor,
        base_url=_base(request),
    )
    facets = catalog.facets(settings, q=q, theme=theme, fmt=format_)
    return page(
        request,
        "catalogue.html",
        found=found,
        facets=facets,
        q=q or "",
        theme=theme,
        fmt=format_,
    )


@get("/data/{slug:str}", name="web-dataset")
async def dataset_page(
    request: Request[Any, Any, Any],
    slug: Annotated[str, PathParameter(max_length=200)],
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Template:
    settings = settings_of(request)
    base = _base(request)
    out = await catalog.get_dataset_out(settings, slug, base)
    versions = await catalog.list_versions(settings, slug, limit=10, cursor=None, base_url=base)
    dataset = get_dataset(settings, slug)
    preview: dict[str, Any] | None = None
    preview_error = None
    latest = await catalog.latest_version(slug)
    if latest is not None and "csv" in dataset.formats:
        params: dict[str, Any] = {
            "resource_id": dataset.resource_id("csv"),
            "limit": PREVIEW_ROWS,
            "records_format": "lists",
        }
        if q:
            params["q"] = q
        try:
            preview = await asyncio.to_thread(
                ckan.datastore_search_sync, settings, dataset, latest, params
            )
        except (ckan.CkanValidationError, ckan.CkanSearchQueryError) as exc:
            preview_error = str(exc)
    return page(
        request,
        "dataset.html",
        dataset=out,
        versions=versions.items,
        preview=preview,
        preview_error=preview_error,
        q=q or "",
        base=base,
        csv_resource=dataset.resource_id("csv") if "csv" in dataset.formats else None,
    )


HEATING_REGISTRIES = (kinds.BUILDING_PASSPORTS, kinds.SOCIAL_FACILITIES)
HEATING_LISTED = 20
MAP_WIDTH = 640  # the SVG's own units; it scales to the screen
MAP_LEVELS = 5


def grid_map(cells: list[Any], cell: float) -> dict[str, Any] | None:
    """The density cells as rectangles of an SVG (longitude shrunk by the cosine of the
    latitude, so a cell is as wide as it is on the ground) with a level 1..5 each."""
    if not cells:
        return None
    lats = [c.lat for c in cells]
    lons = [c.lon for c in cells]
    shrink = math.cos(math.radians(sum(lats) / len(lats)))
    west, north = min(lons) - cell / 2, max(lats) + cell / 2
    span_x = (max(lons) - min(lons) + cell) * shrink
    span_y = max(lats) - min(lats) + cell
    scale = MAP_WIDTH / span_x
    most = max(c.count for c in cells)
    rects = [
        {
            "x": round((c.lon - cell / 2 - west) * shrink * scale, 1),
            "y": round((north - c.lat - cell / 2) * scale, 1),
            "w": round(cell * shrink * scale, 1),
            "h": round(cell * scale, 1),
            "level": max(1, math.ceil(c.count / most * MAP_LEVELS)),
            "cell": c,
        }
        for c in cells
    ]
    return {"width": MAP_WIDTH, "height": round(span_y * scale, 1), "rects": rects}


@get("/dashboard", name="web-dashboard")
async def dashboard(request: Request[Any, Any, Any]) -> Template:
    k = settings_of(request).appeals_k
    everything = AppealFilters()
    by_month = await appeals.stats(everything, ["month"], k=k)
    by_district = await appeals.stats(everything, ["district"], k=k)
    by_category = await appeals.stats(everything, ["category"], k=k)
    months = sorted(by_month.groups, key=lambda g: g.key["month"] or "")[-DASHBOARD_MONTHS:]
    categories = sorted(by_category.groups, key=lambda g: -g.count)[:DASHBOARD_CATEGORIES]
    districts = sorted(by_district.groups, key=lambda g: -g.count)
    density = await appeals.density(k)
    heating = []
    for registry in HEATING_REGISTRIES:
        counts = await records.count_by(registry, "heating")
        if any(value is not None for value in counts):
            cut = await records.page_records(
                records.RecordQuery(registry=registry, equals={"heating": "disconnected"}),
                limit=HEATING_LISTED,
                cursor=None,
            )
            heating.append({"registry": registry, "counts": counts, "off": cut})
    return page(
        request,
        "dashboard.html",
        total=by_month.total,
        months=months,
        most_in_a_month=max((g.count for g in months), default=0),
        districts=districts,
        categories=categories,
        k=k,
        density=density,
        heating=heating,
        grid=grid_map(density.cells, density.cell_degrees),
    )


@get("/petitions", name="web-petitions")
async def petition_list(
    request: Request[Any, Any, Any],
    status: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Template:
    found = await petitions.list_petitions(
        settings_of(request),
        petitions.PetitionFilters(status=status or None, q=q or None),
        limit=LIST_LIMIT,
        cursor=cursor,
        search=backend_of(request.app.state),
    )
    return page(request, "petitions.html", found=found, status=status or "", q=q or "")


@get("/petitions/new", name="web-new-petition")
async def new_petition(
    request: Request[Any, Any, Any],
    title: Annotated[str | None, Query(max_length=200)] = None,
) -> Template:
    """The form; with ``title`` (the "check" button, no script needed) the open petitions
    it may duplicate, to sign one of those instead."""
    await check_permission(request, Permission.SIGN_PETITION)
    similar = []
    error = None
    if title and title.strip():
        try:
            similar = await petitions.similar(
                settings_of(request), backend_of(request.app.state), title=title
            )
        except InvalidInput as refused:
            error = refused.detail
        except Unavailable:  # the form still works; only the check waits for search
            error = i18n.translate(language(request), "new.search_unavailable")
    return page(
        request, "new_petition.html", title=title or "", text="", similar=similar, error=error
    )


@post("/petitions/new", name="web-create-petition", status_code=303)
async def create_petition(request: Request[Any, Any, Any]) -> Response[Any]:
    """Write and send to moderation in one step (the API keeps draft and submit apart)."""
    await check_permission(request, Permission.SIGN_PETITION)
    resident = principal_of(request).resident_id
    if resident is None:  # check_permission lets only residents through
        raise NotFound("log in first")
    form = await request.form()
    title = _field(form, "title", 400) or ""
    text = _field(form, "text", 20_000) or ""
    settings = settings_of(request)
    try:
        draft = await petitions.create(settings, resident, NewPetition(title=title, text=text))
        await petitions.submit(settings, resident, draft.id)
    except InvalidInput as refused:  # the form again, as written, with the reason
        return page(
            request,
            "new_petition.html",
            status_code=422,
            title=title,
            text=text,
            similar=[],
            error=refused.detail,
        )
    return Redirect(f"/petitions/{draft.id}", status_code=303)


@get("/petitions/mine", name="web-my-petitions")
async def my_petitions(
    request: Request[Any, Any, Any],
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Template:
    await check_permission(request, Permission.READ_OWN_PROFILE)
    resident = principal_of(request).resident_id
    if resident is None:  # check_permission lets only residents through
        raise NotFound("log in first")
    mine = await petitions.of_author(
        settings_of(request), resident, limit=LIST_LIMIT, cursor=cursor
    )
    return page(request, "my_petitions.html", found=mine)


def _staff(request: Request[Any, Any, Any]) -> bool:
    principal = principal_of(request)
    return principal.authenticated and allows(principal.role, Permission.MODERATE)


@get("/petitions/{petition_id:int}", name="web-petition")
async def petition_page(
    request: Request[Any, Any, Any],
    petition_id: Annotated[int, PathParameter(ge=1, le=2**31 - 1)],
    signed: Annotated[str | None, Query(max_length=10)] = None,
) -> Template:
    viewer = principal_of(request).resident_id
    found = await petitions.get(
        settings_of(request), petition_id, viewer=viewer, staff=_staff(request)
    )
    return page(request, "petition.html", petition=found, signed=signed)


@post(
    "/petitions/{petition_id:int}/sign",
    name="web-sign",
    status_code=303,
)
async def sign_petition(
    request: Request[Any, Any, Any],
    petition_id: Annotated[int, PathParameter(ge=1, le=2**31 - 1)],
) -> Redirect:
    await check_permission(request, Permission.SIGN_PETITION)  # the API's one rule
    resident = principal_of(request).resident_id
    if resident is None:  # check_permission lets only residents through
        raise NotFound("log in first")
    done = await petitions.sign(settings_of(request), resident, petition_id)
    outcome = "new" if done.signed else "again"
    return Redirect(f"/petitions/{petition_id}?signed={outcome}#sign", status_code=303)


@get("/staff/petitions", name="web-staff-petitions")
async def moderation_queue(
    request: Request[Any, Any, Any],
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Template:
    await check_permission(request, Permission.MODERATE)
    settings = settings_of(request)
    queue = await petitions.list_petitions(settings, queue=True, limit=LIST_LIMIT, cursor=cursor)
    waiting = await petitions.list_petitions(
        settings,
        petitions.PetitionFilters(reached=True, status="open"),
        limit=LIST_LIMIT,
        cursor=None,
    )
    may_answer = allows(principal_of(request).role, Permission.RESPOND_OFFICIALLY)
    return page(
        request,
        "staff_petitions.html",
        queue=queue,
        waiting=[p for p in waiting.items if p.answer is None],
        codes=petition_rules.REJECTION_CODES,
        kinds=petition_rules.ANSWER_KINDS,
        may_answer=may_answer,
        done=request.query_params.get("done"),
    )


def _field(form: Any, name: str, limit: int) -> str | None:
    value = form.get(name)
    return str(value)[:limit] if value not in (None, "") else None


@post("/staff/petitions/{petition_id:int}/moderation", name="web-moderate", status_code=303)
async def moderate_petition(
    request: Request[Any, Any, Any],
    petition_id: Annotated[int, PathParameter(ge=1, le=2**31 - 1)],
) -> Redirect:
    await check_permission(request, Permission.MODERATE)
    form = await request.form()
    decision = _field(form, "decision", 20)
    if decision not in ("publish", "reject"):
        raise InvalidInput("decision must be publish or reject")
    await petitions.moderate(
        settings_of(request),
        petition_id,
        Moderation(
            decision=decision,  # type: ignore[arg-type]  # checked just above
            code=_field(form, "code", 50),
            note=_field(form, "note", 2000),
        ),
        staff_id=principal_of(request).resident_id,
    )
    return Redirect(f"/staff/petitions?done={decision}", status_code=303)


@post("/staff/petitions/{petition_id:int}/answer", name="web-answer", status_code=303)
async def answer_petition(
    request: Request[Any, Any, Any],
    petition_id: Annotated[int, PathParameter(ge=1, le=2**31 - 1)],
) -> Redirect:
    await check_permission(request, Permission.RESPOND_OFFICIALLY)
    form = await request.form()
    kind = _field(form, "kind", 20)
    if kind not in petition_rules.ANSWER_KINDS:
        raise InvalidInput("kind must be one of " + ", ".join(petition_rules.ANSWER_KINDS))
    await petitions.answer(
        settings_of(request),
        petition_id,
        Answer(kind=kind, text=_field(form, "text", 20_000) or ""),  # type: ignore[arg-type]
        staff_id=principal_of(request).resident_id,
    )
    return Redirect(f"/petitions/{petition_id}", status_code=303)


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
    await check_permission(request, Permission.VOTE_BUDGET)  # the API's one rule
    resident = principal_of(request).resident_id
    if resident is None:  # check_permission lets only residents through
        raise NotFound("log in first")
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


@get("/me", name="web-me")
async def me_page(request: Request[Any, Any, Any]) -> Template:
    rt = runtime_of(request)
    principal = principal_of(request)
    me = None
    if principal.resident_id is not None:
        me = await auth_service.me(rt, principal)
    providers = [{"name": p.config.name, "label": p.config.label} for p in rt.providers.values()]
    return page(request, "me.html", me=me, providers=providers)


@get("/me/api-keys", name="web-api-keys")
async def api_keys(request: Request[Any, Any, Any]) -> Template:
    await check_permission(request, Permission.MANAGE_OWN_API_KEYS)
    keys = await auth_service.list_api_keys(runtime_of(request), principal_of(request))
    return page(request, "api_keys.html", keys=keys, created=None, base=_base(request))


@post("/me/api-keys", name="web-create-api-key", status_code=200)
async def create_api_key(request: Request[Any, Any, Any]) -> Template:
    """The new key is shown on this one page and never again (only its hash is kept)."""
    await check_permission(request, Permission.MANAGE_OWN_API_KEYS)
    rt, principal = runtime_of(request), principal_of(request)
    form = await request.form()
    created = await auth_service.create_api_key(rt, principal, _field(form, "name", 200) or "")
    keys = await auth_service.list_api_keys(rt, principal)
    return page(request, "api_keys.html", keys=keys, created=created, base=_base(request))


@post("/me/api-keys/{key_id:int}/revoke", name="web-revoke-api-key", status_code=303)
async def revoke_api_key(
    request: Request[Any, Any, Any],
    key_id: Annotated[int, PathParameter(ge=1, le=2**31 - 1)],
) -> Redirect:
    await check_permission(request, Permission.MANAGE_OWN_API_KEYS)
    await auth_service.revoke_api_key(runtime_of(request), principal_of(request), key_id)
    return Redirect("/me/api-keys", status_code=303)


@post("/logout", name="web-logout", status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    rt = runtime_of(request)
    principal = principal_of(request)
    if principal.session_id:
        await auth_service.end_session(rt, principal.session_id)
    secure = not rt.settings.is_development
    gone = [
        Cookie(key=name, value="", max_age=0, expires=0, path="/", samesite="lax", secure=secure)
        for name in ("hromada_session", "hromada_csrf")
    ]
    return Redirect("/", status_code=303, cookies=gone)


@get("/static/{name:str}", name="web-static", sync_to_thread=False)
def static_file(name: FromPath[str]) -> Response[bytes]:
    path = assets.by_hashed_name().get(name)
    if path is None:
        raise NotFound(f"no static file {name[:80]}")
    return Response(
        path.read_bytes(),
        media_type=assets.MEDIA_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


def error_page(request: Request[Any, Any, Any], exc: Exception) -> Template:
    if isinstance(exc, HromadaError):
        status, detail = status_of(exc), exc.detail
    elif isinstance(exc, HTTPException):
        status, detail = exc.status_code, str(exc.detail)
    else:
        status, detail = 500, ""
    return page(request, "error.html", status_code=status, status=status, detail=detail)


def router() -> Router:
    return Router(
        path="/",
        route_handlers=[
            home,
            catalogue,
            dataset_page,
            dashboard,
            petition_list,
            new_petition,
            create_petition,
            my_petitions,
            petition_page,
            sign_petition,
            moderation_queue,
            moderate_petition,
            answer_petition,
            budget_cycles,
            pool_page,
            cast_ballot,
            pool_results,
            me_page,
            api_keys,
            create_api_key,
            revoke_api_key,
            logout,
            static_file,
        ],
        include_in_schema=False,
        response_headers=SECURITY_HEADERS,
        exception_handlers={HromadaError: error_page, HTTPException: error_page},
    )
