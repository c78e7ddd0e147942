"""GraphQL side of identity: ``me``, and ``Requires(permission)`` for any field.

    @strawberry.field(extensions=[PermissionExtension(permissions=[Requires(Permission.MODERATE)])])

The check is the one the REST guards call (``hromada.auth.guard``), which
reads the one permission table, so REST and GraphQL cannot disagree.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension

from graphql import GraphQLError
from hromada.auth import service
from hromada.auth.guard import check_permission, principal_of, runtime_of
from hromada.auth.permissions import Permission
from hromada.errors import Forbidden, HromadaError, Unauthenticated


class Requires(BasePermission):
    message = "not allowed"

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        try:
            await check_permission(info.context.request, self.permission)
        except HromadaError as exc:
            code = "UNAUTHENTICATED" if isinstance(exc, Unauthenticated) else "FORBIDDEN"
            raise GraphQLError(exc.detail, extensions={"code": code}) from None
        return True


def acting_resident(info: strawberry.Info) -> int:
    """The resident doing a mutation that ``requires`` a resident's permission."""
    resident = principal_of(info.context.request).resident_id
    if resident is None:  # the permission lets only residents through
        raise Forbidden("only a resident may do this")
    return resident


def requires(permission: Permission) -> list[FieldExtension]:
    return [PermissionExtension(permissions=[Requires(permission)], fail_silently=False)]


@strawberry.type(description="Whether the resident may sign petitions and vote, and why not")
class Eligibility:
    eligible: bool
    reasons: list[str]
    age: int | None
    residence: str


@strawberry.type(description="The logged-in resident")
class Me:
    id: int
    display_name: str
    role: str
    permissions: list[str]
    district: str | None
    providers: list[str]
    eligibility: Eligibility


@strawberry.type
class AuthQuery:
    @strawberry.field(
        description="Who is asking (needs a session or an API key)",
        extensions=requires(Permission.READ_OWN_PROFILE),
    )
    async def me(self, info: strawberry.Info) -> Me:
        request = info.context.request
        out = await service.me(runtime_of(request), principal_of(request))
        e = out.eligibility
        return Me(
            id=out.id,
            display_name=out.display_name,
            role=out.role,
            permissions=out.permissions,
            district=out.district,
            providers=out.providers,
            eligibility=Eligibility(
                eligible=e.eligible, reasons=e.reasons, age=e.age, residence=e.residence
            ),
        )


# The name the schema looks for (see hromada.graphql.schema).
Query = AuthQuery
