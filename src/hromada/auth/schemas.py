"""What the auth domain hands out."""

from __future__ import annotations

import datetime as dt

import msgspec


class ProviderOut(msgspec.Struct):
    name: str
    display_name: str
    kind: str
    login_url: str


class EligibilityOut(msgspec.Struct):
    eligible: bool
    reasons: list[str]
    age: int | None
    residence: str  # registered, idp or none
    min_age: int
    idps_allowed: bool


class MeOut(msgspec.Struct):
    id: int
    display_name: str
    role: str
    permissions: list[str]
    district: str | None
    in_community: bool
    idp_in_community: bool
    birth_date: dt.date | None
    eligibility: EligibilityOut
    providers: list[str]
    authenticated_by: str  # session, api_key or admin_token
    csrf_token: str | None = None
    session_expires_at: dt.datetime | None = None
    notifications: NotificationsOut | None = None


class NotificationsIn(msgspec.Struct, forbid_unknown_fields=True):
    email: bool


class NotificationsOut(msgspec.Struct):
    """Whether I get e-mail about my petitions and the answers to those I signed, and the
    address my identity provider gave (mine to see, nobody else's)."""

    email: bool
    address: str | None


class ApiKeyOut(msgspec.Struct):
    id: int
    name: str
    prefix: str
    tier: str
    limit_per_window: int
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiKeyCreated(msgspec.Struct):
    id: int
    name: str
    prefix: str
    tier: str
    key: str  # shown once; only its hash is kept
    note: str = "Store this key now: hromada keeps only its hash and cannot show it again."


class ApiKeyIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str


class GrantOut(msgspec.Struct):
    subject: str
    role: str
    resident_id: int | None
