"""Login, logout, the resident's own profile and API keys (thin: the rules are in auth.service)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import Cookie
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect

from hromada.api.access import (
    CSRF_COOKIE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    cookies_of,
)
from hromada.api.guards import require
from hromada.api.params import RowId
from hromada.auth import service
from hromada.auth.guard import principal_of, runtime_of
from hromada.auth.permissions import Permission
from hromada.auth.runtime import AuthRuntime
from hromada.auth.schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    MeOut,
    NotificationsIn,
    NotificationsOut,
    ProviderOut,
)
from hromada.errors import HromadaError

log = logging.getLogger("hromada.auth")


def _base_url(rt: AuthRuntime, request: Request[Any, Any, Any]) -> str:
    if rt.settings.public_url:
        return rt.settings.public_url.rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}"


def _cookie(rt: AuthRuntime, name: str, value: str, **kw: Any) -> Cookie:
    return Cookie(
        key=name,
        value=value,
        httponly=kw.pop("httponly", True),
        samesite="lax",
        secure=not rt.settings.is_development,
        path=kw.pop("path", "/"),
        **kw,
    )


def _expired(rt: AuthRuntime, name: str, path: str = "/", httponly: bool = True) -> Cookie:
    return _cookie(rt, name, "", path=path, httponly=httponly, max_age=0, expires=0)


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]  # noqa: RUF012

    @get("/providers", summary="The identity providers one can log in with")
    async def providers(self, request: Request[Any, Any, Any]) -> dict[str, list[ProviderOut]]:
        rt = runtime_of(request)
        base = _base_url(rt, request)
        return {
            "items": [
                ProviderOut(
                    name=p.config.name,
                    display_name=p.config.label,
                    kind=p.config.kind,
                    login_url=f"{base}/auth/login/{p.config.name}",
                )
                for p in rt.providers.values()
            ]
        }

    @get(
        "/login/{provider:str}",
        summary="Start logging in: redirects to the provider",
        status_code=302,
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        provider: FromPath[str],
        next_url: Annotated[str | None, QueryParameter(name="next")] = None,
    ) -> Redirect:
        rt = runtime_of(request)
        redirect_uri = f"{_base_url(rt, request)}/auth/callback/{provider}"
        pending = await service.begin_login(rt, provider, next_url, redirect_uri)
        return Redirect(
            pending.url,
            status_code=302,
            cookies=[
                _cookie(
                    rt,
                    LOGIN_COOKIE,
                    pending.browser_token,
                    path="/auth/callback",
                    max_age=service.LOGIN_TTL,
                )
            ],
            headers={"Cache-Control": "no-store"},
        )

    @get(
        "/callback/{provider:str}",
        summary="Where the provider sends the browser back",
        status_code=302,
    )
    async def callback(
        self,
        request: Request[Any, Any, Any],
        provider: FromPath[str],
        code: Annotated[str | None, QueryParameter(max_length=4096)] = None,
        login_state: Annotated[str | None, QueryParameter(name="state", max_length=512)] = None,
        error: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> Redirect:
        rt = runtime_of(request)
        cookies = cookies_of(request.headers.get("cookie", ""))
        try:
            done = await service.finish_login(
                rt,
                provider,
                state=login_state,
                code=code,
                error=error,
                browser_token=cookies.get(LOGIN_COOKIE),
                old_session_id=cookies.get(SESSION_COOKIE),
            )
        except HromadaError as exc:  # the reason, never the code, state or token
            log.warning("login through %s refused: %s", provider[:40], exc.detail)
            raise
        return Redirect(
            done.next_url,
            status_code=302,
            cookies=[
                _cookie(rt, SESSION_COOKIE, done.session_id, max_age=rt.settings.session_max_age),
                _cookie(
                    rt,
                    CSRF_COOKIE,
                    service.csrf_token(rt, done.session_id),
                    httponly=False,
                    max_age=rt.settings.session_max_age,
                ),
                _expired(rt, LOGIN_COOKIE, path="/auth/callback"),
            ],
            headers={"Cache-Control": "no-store"},
        )

    @post("/logout", summary="End the session (needs X-CSRF-Token)", status_code=204)
    async def logout(self, request: Request[Any, Any, Any]) -> Response[None]:
        rt = runtime_of(request)
        principal = principal_of(request)
        if principal.session_id:
            await service.end_session(rt, principal.session_id)
        return Response(
            content=None,
            status_code=204,
            cookies=[_expired(rt, SESSION_COOKIE), _expired(rt, CSRF_COOKIE, httponly=False)],
        )


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["auth"]  # noqa: RUF012

    @get(
        "/",
        summary="Who I am: role, eligibility, CSRF token",
        guards=[require(Permission.READ_OWN_PROFILE)],
    )
    async def me(self, request: Request[Any, Any, Any]) -> MeOut:
        return await service.me(runtime_of(request), principal_of(request))

    @put(
        "/notifications",
        summary="E-mail about my petitions and answers to those I signed: on or off "
        "(off until I turn it on; needs X-CSRF-Token)",
        guards=[require(Permission.READ_OWN_PROFILE)],
    )
    async def set_notifications(
        self, request: Request[Any, Any, Any], data: JSONBody[NotificationsIn]
    ) -> NotificationsOut:
        return await service.set_notifications(principal_of(request), data)

    @get(
        "/api-keys",
        summary="My API keys (the keys themselves are never shown again)",
        guards=[require(Permission.MANAGE_OWN_API_KEYS)],
    )
    async def list_keys(self, request: Request[Any, Any, Any]) -> dict[str, list[ApiKeyOut]]:
        return {"items": await service.list_api_keys(runtime_of(request), principal_of(request))}

    @post(
        "/api-keys",
        summary="Create an API key; the answer is the only time it is shown",
        guards=[require(Permission.MANAGE_OWN_API_KEYS)],
        status_code=201,
    )
    async def create_key(
        self, request: Request[Any, Any, Any], data: JSONBody[ApiKeyIn]
    ) -> ApiKeyCreated:
        return await service.create_api_key(runtime_of(request), principal_of(request), data.name)

    @delete(
        "/api-keys/{key_id:int}",
        summary="Revoke an API key",
        guards=[require(Permission.MANAGE_OWN_API_KEYS)],
        status_code=200,
    )
    async def revoke_key(self, request: Request[Any, Any, Any], key_id: RowId) -> ApiKeyOut:
        return await service.revoke_api_key(runtime_of(request), principal_of(request), key_id)


# What the app mounts for this domain (hromada.auth.domain names this module).
ROUTES = [AuthController, MeController]
