"""Staff access before roles exist: one guard, a bearer token from ``HROMADA_ADMIN_TOKEN``.

Swapping this guard for a role check is the whole change when roles arrive.
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from hromada.config import Settings
from hromada.errors import NotFound, Unauthenticated


def require_admin_token(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Let the request through only with ``Authorization: Bearer <HROMADA_ADMIN_TOKEN>``.

    No token configured means staff endpoints are off: they answer 404.
    """
    settings: Settings = connection.app.state["settings"]
    expected = settings.admin_token
    if not expected:
        raise NotFound(f"Nothing at {connection.url.path}")
    scheme, _sep, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), expected.encode()
    ):
        raise Unauthenticated("a staff bearer token is required (Authorization: Bearer …)")
