"""The resident's own pages: who I am and whether I may take part, API keys, logging out."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from hromada.auth import service as auth_service
from hromada.auth.guard import check_permission, principal_of, runtime_of
from hromada.auth.permissions import Permission
from hromada.web.render import (
    base_url,
    form_field,
    page,
)


@get("/me", name="web-me")
async def me_page(request: Request[Any, Any, Any]) -> Template:
    rt = runtime_of(request)
    principal = principal_of(request)
    me = None
    if principal.resident_id is not None:
        me = await auth_service.me(rt, principal)
    providers = [{"name": p.config.name, "label": p.config.label} for p in rt.providers.values()]
    # Where the login comes back to: a path the login itself accepts (one rule), else here.
    wanted = request.query_params.get("next")
    next_path = wanted if wanted and auth_service.safe_next(wanted) == wanted else "/me"
    return page(request, "me.html", me=me, providers=providers, next_path=next_path)


@get("/me/api-keys", name="web-api-keys")
async def api_keys(request: Request[Any, Any, Any]) -> Template:
    await check_permission(request, Permission.MANAGE_OWN_API_KEYS)
    keys = await auth_service.list_api_keys(runtime_of(request), principal_of(request))
    return page(request, "api_keys.html", keys=keys, created=None, base=base_url(request))


@post("/me/api-keys", name="web-create-api-key", status_code=200)
async def create_api_key(request: Request[Any, Any, Any]) -> Template:
    """The new key is shown on this one page and never again (only its hash is kept)."""
    await check_permission(request, Permission.MANAGE_OWN_API_KEYS)
    rt, principal = runtime_of(request), principal_of(request)
    form = await request.form()
    created = await auth_service.create_api_key(rt, principal, form_field(form, "name", 200) or "")
    keys = await auth_service.list_api_keys(rt, principal)
    return page(request, "api_keys.html", keys=keys, created=created, base=base_url(request))


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


# In the order the router lists them: a fixed path ("/petitions/new") before a typed one.
ROUTES = [me_page, api_keys, create_api_key, revoke_api_key, logout]
