"""The portal's pages. Each one calls the domain services the JSON API calls, with the
same bounds, and renders the answer; forms post back here (PRG: post, redirect, get).

CSRF: a form sends the session's token as ``csrf_token``; the access layer checks it
as it checks ``X-CSRF-Token`` on the API (``api.access``), before any handler runs.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.response import Template

from hromada.errors import HromadaError, NotFound, status_of
from hromada.web import account, assets, budget, data, i18n, imports, staff
from hromada.web import petitions as petition_pages
from hromada.web.render import SECURITY_HEADERS, language, page


@get("/static/{name:str}", name="web-static", sync_to_thread=False)
def static_file(name: FromPath[str]) -> Response[bytes]:
    asset = assets.by_hashed_name().get(name)
    if asset is None:
        raise NotFound(f"no static file {name[:80]}")
    return Response(
        asset.body,
        media_type=asset.media_type,
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


def error_page(request: Request[Any, Any, Any], exc: Exception) -> Template:
    if isinstance(exc, HromadaError):
        status, detail = status_of(exc), i18n.error_text(language(request), exc)
    elif isinstance(exc, HTTPException):
        status, detail = exc.status_code, str(exc.detail)
    else:
        status, detail = 500, ""
    return page(request, "error.html", status_code=status, status=status, detail=detail)


def router() -> Router:
    return Router(
        path="/",
        route_handlers=[
            *data.ROUTES,
            *petition_pages.ROUTES,
            *budget.ROUTES,
            *account.ROUTES,
            *staff.ROUTES,
            *imports.ROUTES,
            static_file,
        ],
        include_in_schema=False,
        response_headers=SECURITY_HEADERS,
        exception_handlers={HromadaError: error_page, HTTPException: error_page},
    )
