"""Petition pages: the list, one petition and signing it, writing one, my petitions, and the
staff's moderation queue and answers."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from hromada.auth.guard import check_permission, principal_of
from hromada.auth.permissions import Permission, allows
from hromada.errors import InvalidInput, Unavailable
from hromada.participation.petitions import rules as petition_rules
from hromada.participation.petitions import service as petitions
from hromada.participation.petitions.schemas import Answer, Moderation, NewPetition
from hromada.search.runtime import backend_of
from hromada.web import i18n
from hromada.web.render import (
    LIST_LIMIT,
    Query,
    acting_resident,
    form_field,
    language,
    page,
    settings_of,
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
            error = i18n.error_text(language(request), refused)
        except Unavailable:  # the form still works; only the check waits for search
            error = i18n.translate(language(request), "new.search_unavailable")
    return page(
        request,
        "new_petition.html",
        title=title or "",
        text="",
        similar=similar,
        error=error,
        kinds=petitions.petition_types(settings_of(request)),
        kind=None,
    )


@post("/petitions/new", name="web-create-petition", status_code=303)
async def create_petition(request: Request[Any, Any, Any]) -> Response[Any]:
    """Write and send to moderation in one step (the API keeps draft and submit apart)."""
    resident = await acting_resident(request, Permission.SIGN_PETITION)
    form = await request.form()
    title = form_field(form, "title", 400) or ""
    text = form_field(form, "text", 20_000) or ""
    kind = form_field(form, "kind", 40)
    settings = settings_of(request)
    try:
        draft = await petitions.create(
            settings, resident, NewPetition(title=title, text=text, kind=kind)
        )
        await petitions.submit(settings, resident, draft.id)
    except InvalidInput as refused:  # the form again, as written, with the reason
        return page(
            request,
            "new_petition.html",
            status_code=422,
            title=title,
            text=text,
            similar=[],
            error=i18n.error_text(language(request), refused),
            kinds=petitions.petition_types(settings),
            kind=kind,
        )
    return Redirect(f"/petitions/{draft.id}", status_code=303)


@get("/petitions/mine", name="web-my-petitions")
async def my_petitions(
    request: Request[Any, Any, Any],
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Template:
    resident = await acting_resident(request, Permission.READ_OWN_PROFILE)
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
    resident = await acting_resident(request, Permission.SIGN_PETITION)
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


@post("/staff/petitions/{petition_id:int}/moderation", name="web-moderate", status_code=303)
async def moderate_petition(
    request: Request[Any, Any, Any],
    petition_id: Annotated[int, PathParameter(ge=1, le=2**31 - 1)],
) -> Redirect:
    await check_permission(request, Permission.MODERATE)
    form = await request.form()
    decision = form_field(form, "decision", 20)
    if decision not in ("publish", "reject"):
        raise InvalidInput("decision must be publish or reject")
    await petitions.moderate(
        settings_of(request),
        petition_id,
        Moderation(
            decision=decision,  # type: ignore[arg-type]  # checked just above
            code=form_field(form, "code", 50),
            note=form_field(form, "note", 2000),
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
    kind = form_field(form, "kind", 20)
    if kind not in petition_rules.ANSWER_KINDS:
        raise InvalidInput("kind must be one of " + ", ".join(petition_rules.ANSWER_KINDS))
    await petitions.answer(
        settings_of(request),
        petition_id,
        Answer(kind=kind, text=form_field(form, "text", 20_000) or ""),  # type: ignore[arg-type]
        staff_id=principal_of(request).resident_id,
    )
    return Redirect(f"/petitions/{petition_id}", status_code=303)


# In the order the router lists them: a fixed path ("/petitions/new") before a typed one.
ROUTES = [
    petition_list,
    new_petition,
    create_petition,
    my_petitions,
    petition_page,
    sign_petition,
    moderation_queue,
    moderate_petition,
    answer_petition,
]
