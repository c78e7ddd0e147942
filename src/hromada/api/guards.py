"""Route guards built from the one permission check (``hromada.auth.guard``).

    @post("/petitions/{id:int}/signatures", guards=[require(Permission.SIGN_PETITION)])

An anonymous caller gets 401, a caller whose role lacks the permission 403,
and for permissions that need eligibility (signing, voting) a resident who is
not eligible gets 403 with the reasons. The rule is ``auth.guard.authorize``;
GraphQL's ``Requires`` calls the same one.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from hromada.auth.guard import check_permission
from hromada.auth.permissions import Permission


def require(permission: Permission) -> Any:
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        await check_permission(connection, permission)

    guard.__name__ = f"require_{permission.value}"
    return guard
