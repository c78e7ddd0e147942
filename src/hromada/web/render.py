"""Pages as Litestar templates: one Jinja environment, the reader's language, the
session's CSRF token, and the security headers every page carries."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from litestar import Request
from litestar.datastructures import Cookie, ResponseHeader
from litestar.params import QueryParameter
from litestar.response import Template

from hromada.auth import service as auth_service
from hromada.auth.guard import check_permission, principal_of, runtime_of
from hromada.auth.permissions import Permission
from hromada.config import Settings
from hromada.errors import NotFound
from hromada.web import assets, i18n

TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def content_security_policy(tile_origin: str = "") -> str:
    """No inline script or style anywhere: what a user writes can never run, even if an
    escape were missed. Forms post only here; no other site may frame a page. Images come
    from here, and from the basemap's tile server (``Settings.map_tile_origin``) alone."""
    images = f"'self' data: {tile_origin}".rstrip()
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src {images}; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


# For what the router answers besides pages (static files, redirects): no basemap there.
CONTENT_SECURITY_POLICY = content_security_policy()
OTHER_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
SECURITY_HEADERS = [
    ResponseHeader(name="Content-Security-Policy", value=CONTENT_SECURITY_POLICY),
    *(ResponseHeader(name=name, value=value) for name, value in OTHER_SECURITY_HEADERS.items()),
]


@pass_context
def _t(context: Any, key: str, **values: object) -> str:
    return i18n.translate(context["lang"], key, **values)


def _number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u202f")  # a narrow no-break space groups thousands


def _date(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return "—"
    return value.strftime("%d.%m.%Y")


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(t=_t, static=assets.url, number=_number, date=_date, urlencode=urlencode)
    return env


def language(request: Request[Any, Any, Any]) -> str:
    return i18n.choose(
        request.query_params.get("lang"),
        request.cookies.get(i18n.LANG_COOKIE),
        request.headers.get("accept-language", ""),
    )


LIST_LIMIT = 30
Query = QueryParameter  # every query value is bounded as on the API


def base_url(request: Request[Any, Any, Any]) -> str:
    settings = settings_of(request)
    return str(settings.public_url or request.base_url).rstrip("/")


def form_field(form: Any, name: str, limit: int) -> str | None:
    """A form field as text cut to ``limit``, or None when it is missing or empty."""
    value = form.get(name)
    return str(value)[:limit] if value not in (None, "") else None


async def acting_resident(request: Request[Any, Any, Any], permission: Permission) -> int:
    """The resident doing this, after the API's one permission check (which lets only a
    resident through for these permissions)."""
    await check_permission(request, permission)
    resident = principal_of(request).resident_id
    if resident is None:
        raise NotFound("log in first")
    return resident


def settings_of(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state["settings"]
    return settings


def page(
    request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any
) -> Template:
    """``template`` with what every page needs: language, who is reading, CSRF token."""
    lang = language(request)
    principal = principal_of(request)
    csrf = None
    if principal.session_id:
        csrf = auth_service.csrf_token(runtime_of(request), principal.session_id)
    other = [code for code in i18n.LANGUAGES if code != lang]
    cookies = []
    if request.query_params.get("lang") in i18n.LANGUAGES:
        cookies.append(
            Cookie(
                key=i18n.LANG_COOKIE,
                value=lang,
                max_age=365 * 24 * 3600,
                samesite="lax",
                httponly=True,
                secure=not settings_of(request).is_development,
            )
        )
    return Template(
        template_name=template,
        context={
            "lang": lang,
            "other_languages": other,
            "path": request.url.path,
            "query": dict(request.query_params),
            "signed_in": principal.resident_id is not None,
            "role": principal.role,
            "csrf_token": csrf,
            "map_tiles": settings_of(request).map_tiles,
            "map_attribution": settings_of(request).map_attribution,
            **context,
        },
        status_code=status_code,
        cookies=cookies,
        # Also here, not only on the router: the app renders its own 404 page for browsers.
        headers={
            "Cache-Control": "private, no-cache",
            "Vary": "Cookie, Accept-Language",
            "Content-Security-Policy": content_security_policy(
                settings_of(request).map_tile_origin
            ),
            **OTHER_SECURITY_HEADERS,
        },
    )
