"""Route guards built from the one permission table (``hromada.auth.permissions``).

    @post("/petitions/{id:int}/signatures", guards=[require(Permission.SIGN_PETITION)])

An anonymous caller gets 401, a caller whose role lacks the permission 403,
and for permissions that need eligibility (signing, voting) a resident who is
not eligible gets 403 with the reasons.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from hromada.api.access import principal_of, runtime_of
from hromada.auth import service
from hromada.auth.permissions import NEEDS_ELIGIBILITY, Permission, allows
from hromada.errors import Forbidden, Unauthenticated


async def check_permission(
    connection: ASGIConnection[Any, Any, Any, Any], permission: Permission
) -> None:
    principal = principal_of(connection)
    if not principal.authenticated:
        raise Unauthenticated("log in first (GET /auth/providers lists the ways)")
    if not allows(principal.role, permission):
        raise Forbidden(
            f"your role ({principal.role}) may not {permission.value.replace('_', ' ')}"
        )
    if permission in NEEDS_ELIGIBILITY:
        if principal.resident_id is None:
            raise Forbidden("only a resident may do this")
        verdict = await service.resident_eligibility(runtime_of(connection), principal.resident_id)
        if not verdict.eligible:
            raise Forbidden("you are not eligible: " + "; ".join(verdict.reasons))


def require(permission: Permission) -> Any:
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        await check_permission(connection, permission)

    guard.__name__ = f"require_{permission.value}"
    return guard
