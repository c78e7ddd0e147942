"""Who may do what: the one table every guard (REST and GraphQL) reads.

Roles are ordered: each role may do everything the roles before it may.
A domain that needs a new permission adds a row here and checks it with
``hromada.api.guards.require`` (REST) or ``hromada.graphql.auth.Requires``
(GraphQL); nothing else decides access.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Role = Literal["resident", "moderator", "official", "admin"]
ROLES: tuple[Role, ...] = ("resident", "moderator", "official", "admin")
STAFF_ROLES: tuple[Role, ...] = ("moderator", "official", "admin")


class Permission(StrEnum):
    READ_OWN_PROFILE = "read_own_profile"
    MANAGE_OWN_API_KEYS = "manage_own_api_keys"
    SIGN_PETITION = "sign_petition"
    VOTE_BUDGET = "vote_budget"
    MODERATE = "moderate"  # petitions, projects, comments
    RESPOND_OFFICIALLY = "respond_officially"  # official responses, project review
    IMPORT_DATA = "import_data"  # appeals and registries imports
    READ_BUILDING_STATS = "read_building_stats"  # appeals counted per building
    MANAGE_BUDGET = "manage_budget"  # set up participatory-budget cycles
    MANAGE_SENSORS = "manage_sensors"  # register sensors, rotate and revoke device keys
    MANAGE_ROLES = "manage_roles"


# Lowest role that holds a permission.
PERMISSIONS: dict[Permission, Role] = {
    Permission.READ_OWN_PROFILE: "resident",
    Permission.MANAGE_OWN_API_KEYS: "resident",
    Permission.SIGN_PETITION: "resident",
    Permission.VOTE_BUDGET: "resident",
    Permission.MODERATE: "moderator",
    Permission.RESPOND_OFFICIALLY: "official",
    Permission.IMPORT_DATA: "official",
    Permission.READ_BUILDING_STATS: "official",
    Permission.MANAGE_BUDGET: "official",
    Permission.MANAGE_SENSORS: "official",
    Permission.MANAGE_ROLES: "admin",
}

# Permissions that also need the resident to be eligible (age, residence).
NEEDS_ELIGIBILITY: frozenset[Permission] = frozenset(
    {Permission.SIGN_PETITION, Permission.VOTE_BUDGET}
)


def rank(role: str) -> int:
    return ROLES.index(role) if role in ROLES else -1


def highest(roles: list[str] | set[str]) -> Role:
    known = [r for r in roles if r in ROLES]
    return max(known, key=rank) if known else "resident"


def allows(role: str, permission: Permission) -> bool:
    return rank(role) >= rank(PERMISSIONS[permission])


def permissions_of(role: str) -> list[str]:
    return [p.value for p in Permission if allows(role, p)]
