"""Who is calling and whether they may: the one check REST and GraphQL both call.

The access layer (``hromada.api.access``) records the principal on the
request before any handler runs; :func:`principal_of` reads it back from any
Litestar connection, a REST request or the one GraphQL resolvers see.
:func:`authorize` is the rule itself, read from the one permission table
(:mod:`hromada.auth.permissions`): the REST guard (``hromada.api.guards.require``)
and the GraphQL permission (``hromada.graphql.auth.Requires``) only translate
its answer, so the two transports cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection

from hromada.auth import service
from hromada.auth.permissions import NEEDS_ELIGIBILITY, Permission, allows
from hromada.auth.runtime import AuthRuntime
from hromada.auth.service import ANONYMOUS, Principal
from hromada.errors import Forbidden, Unauthenticated

# Where the access layer keeps the principal in the ASGI scope's state.
PRINCIPAL_KEY = "hromada_principal"


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    state = connection.scope.get("state") or {}
    principal = state.get(PRINCIPAL_KEY)
    return principal if isinstance(principal, Principal) else ANONYMOUS


def runtime_of(connection: ASGIConnection[Any, Any, Any, Any]) -> AuthRuntime:
    runtime: AuthRuntime = connection.app.state["auth"]
    return runtime


async def authorize(
    principal: Principal, permission: Permission, runtime: Callable[[], AuthRuntime]
) -> None:
    """Return if ``principal`` may do ``permission``; raise ``Unauthenticated`` or ``Forbidden``.

    Anonymous: 401. A role below the permission's: 403. For permissions that
    need eligibility (signing, voting): 403 with the reasons unless eligible
    (only then is ``runtime`` asked for the runtime, to read the resident).
    """
    if not principal.authenticated:
        raise Unauthenticated("log in first (GET /auth/providers lists the ways)")
    if not allows(principal.role, permission):
        raise Forbidden(
            f"your role ({principal.role}) may not {permission.value.replace('_', ' ')}"
        )
    if permission in NEEDS_ELIGIBILITY:
        if principal.resident_id is None:
            raise Forbidden("only a resident may do this")
        verdict = await service.resident_eligibility(runtime(), principal.resident_id)
        if not verdict.eligible:
            raise Forbidden("you are not eligible: " + "; ".join(verdict.reasons))


async def check_permission(
    connection: ASGIConnection[Any, Any, Any, Any], permission: Permission
) -> None:
    """:func:`authorize` for the caller of ``connection``."""
    await authorize(principal_of(connection), permission, lambda: runtime_of(connection))
