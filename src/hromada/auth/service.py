"""Residents, login sessions, staff grants and API keys: the rules and their queries."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec

from hromada import db
from hromada.auth.identity import Identity, eligibility, in_community, street_candidates
from hromada.auth.permissions import ROLES, STAFF_ROLES, highest, permissions_of
from hromada.auth.runtime import AuthRuntime
from hromada.auth.schemas import (
    ApiKeyCreated,
    ApiKeyOut,
    EligibilityOut,
    GrantOut,
    MeOut,
    NotificationsIn,
    NotificationsOut,
)
from hromada.auth.store import hashed
from hromada.auth.tables import ApiKey, Resident, ResidentLink, RoleGrant
from hromada.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated

log = logging.getLogger("hromada.auth")

LOGIN_TTL = 600  # seconds a browser has to come back from the provider
TOUCH_EVERY = 60  # seconds between writes that extend an idle session
DEFAULT_NEXT = "/api/v1/me"
MAX_KEYS_PER_RESIDENT = 20
API_KEY_PREFIX = "hrm"
_API_KEY = re.compile(r"^hrm_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- who is asking ----------------------------------------------------------
@dataclass
class Principal:
    kind: Literal["anonymous", "session", "api_key", "admin_token", "device"] = "anonymous"
    resident_id: int | None = None
    role: str = ""
    session_id: str | None = field(default=None, repr=False)
    session: dict[str, Any] | None = field(default=None, repr=False)
    api_key_id: int | None = None
    tier: str | None = None
    device_id: int | None = None  # a sensor, by its device key: it may send its readings only

    @property
    def authenticated(self) -> bool:
        return self.kind != "anonymous"


ANONYMOUS = Principal()


# -- next= ---------------------------------------------------------------------
def safe_next(value: str | None) -> str:
    """A local path to go to after login; anything else becomes the default.

    Only "/path?query" on this site: no scheme, no host, no "//" or "/\\"
    (browsers read both as another host), no control characters.
    """
    if not value or len(value) > 2000:
        return DEFAULT_NEXT
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return DEFAULT_NEXT
    if any(c in value for c in "\\\r\n\t\x00") or any(ord(c) < 32 for c in value):
        return DEFAULT_NEXT
    return value


# -- login -------------------------------------------------------------------
@dataclass
class PendingLogin:
    url: str
    browser_token: str  # goes into a cookie: the callback must come from this browser


async def begin_login(
    rt: AuthRuntime, provider_name: str, next_url: str | None, redirect_uri: str
) -> PendingLogin:
    provider = rt.providers.get(provider_name)
    if provider is None:
        raise NotFound(f"no identity provider named {provider_name!r}")
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    browser_token = secrets.token_urlsafe(32)
    url = await provider.start(redirect_uri, state, nonce, verifier)
    await rt.store.put(
        hashed("login", state),
        {
            "provider": provider_name,
            "nonce": nonce,
            "verifier": verifier,
            "next": safe_next(next_url),
            "redirect_uri": redirect_uri,
            "browser": hashlib.sha256(browser_token.encode()).hexdigest(),
        },
        LOGIN_TTL,
    )
    return PendingLogin(url=url, browser_token=browser_token)


@dataclass
class FinishedLogin:
    session_id: str
    next_url: str
    resident_id: int


async def finish_login(
    rt: AuthRuntime,
    provider_name: str,
    *,
    state: str | None,
    code: str | None,
    error: str | None,
    browser_token: str | None,
    old_session_id: str | None,
) -> FinishedLogin:
    if not state:
        raise Unauthenticated("login failed: the provider sent no state")
    # Single use: whatever happens next, this state cannot be used again.
    pending = await rt.store.pop(hashed("login", state))
    if pending is None or pending["provider"] != provider_name:
        raise Unauthenticated(
            "login failed: unknown or expired state (start again from /auth/login)"
        )
    expected = pending["browser"]
    given = hashlib.sha256((browser_token or "").encode()).hexdigest()
    if not hmac.compare_digest(expected, given):
        raise Unauthenticated("login failed: this login was started in another browser")
    if error:
        raise Unauthenticated(f"login failed: the provider said {error[:60]!r}")
    if not code:
        raise Unauthenticated("login failed: the provider sent no code")
    provider = rt.providers[provider_name]
    identity = await provider.finish(
        code, pending["redirect_uri"], pending["nonce"], pending["verifier"]
    )
    resident_id = await upsert_resident(rt, identity)
    if old_session_id:  # never carry a session across a login (fixation)
        await end_session(rt, old_session_id)
    session_id = await create_session(rt, resident_id, identity.roles, provider_name)
    log.info("login: resident %s through %s", resident_id, provider_name)
    return FinishedLogin(session_id=session_id, next_url=pending["next"], resident_id=resident_id)


async def upsert_resident(rt: AuthRuntime, identity: Identity) -> int:
    """The resident this login is, created or updated; two providers, one tax number: one."""
    from hromada.open_data.registries.service import district_of_street

    person_key = identity.person_key(rt.secret)
    link_key = identity.link_key(rt.secret)
    registered = in_community(identity.address, rt.settings.community_localities)
    idp_here = not registered and in_community(
        identity.idp_address, rt.settings.community_localities
    )
    district = None
    if registered:
        district = await district_of_street(street_candidates(identity.address))
    elif idp_here:
        district = await district_of_street(street_candidates(identity.idp_address))
    facts = {
        "display_name": identity.display_name or "—",
        "birth_date": identity.effective_birth_date(),
        "district_code": district,
        "in_community": registered,
        "idp_in_community": idp_here,
        "last_login_at": _now(),
        "email": identity.email,
    }
    for attempt in range(3):
        try:
            async with db.write_transaction():
                return await _upsert(person_key, link_key, identity.provider, facts)
        except Exception as exc:  # a concurrent first login inserted the same keys
            if attempt == 2 or "unique" not in str(exc).lower():
                raise
    raise AssertionError("unreachable")


async def _upsert(person_key: str, link_key: str, provider: str, facts: dict[str, Any]) -> int:
    link = (
        await ResidentLink.select(ResidentLink.id, ResidentLink.resident)
        .where(ResidentLink.subject_key == link_key)
        .first()
    )
    resident_id: int | None = link["resident"] if link else None
    if resident_id is None:
        row = await Resident.select(Resident.id).where(Resident.person_key == person_key).first()
        resident_id = row["id"] if row else None
    if resident_id is None:
        rows = await Resident.insert(
            Resident(person_key=person_key, created_at=_now(), **facts)
        ).returning(Resident.id)
        resident_id = int(rows[0]["id"])
    else:
        await Resident.update(dict(facts)).where(Resident.id == resident_id)  # type: ignore[arg-type]
    if link is None:
        await ResidentLink.insert(
            ResidentLink(
                resident=resident_id,
                provider=provider,
                subject_key=link_key,
                created_at=_now(),
                last_login_at=_now(),
            )
        )
    else:
        await ResidentLink.update({ResidentLink.last_login_at: _now()}).where(
            ResidentLink.id == link["id"]
        )
    return resident_id


# -- sessions -----------------------------------------------------------------
def csrf_token(rt: AuthRuntime, session_id: str) -> str:
    """The CSRF token of a session: derived, so nothing more is stored."""
    mac = hmac.new(rt.secret.encode(), b"csrf:" + session_id.encode(), hashlib.sha256)
    return mac.hexdigest()


def csrf_ok(rt: AuthRuntime, session_id: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(rt, session_id), given or "")


async def create_session(
    rt: AuthRuntime, resident_id: int, claim_roles: list[str], provider: str
) -> str:
    session_id = secrets.token_urlsafe(32)
    now = time.time()
    await rt.store.put(
        hashed("session", session_id),
        {
            "resident": resident_id,
            "roles": [r for r in claim_roles if r in STAFF_ROLES],
            "provider": provider,
            "created": now,
            "seen": now,
        },
        min(rt.settings.session_idle_timeout, rt.settings.session_max_age),
    )
    return session_id


async def resolve_session(rt: AuthRuntime, session_id: str) -> dict[str, Any] | None:
    """The live session, its idle timer restarted; None once idle or too old."""
    if not session_id or len(session_id) > 100:
        return None
    key = hashed("session", session_id)
    data = await rt.store.get(key)
    if data is None:
        return None
    now = time.time()
    age = now - float(data["created"])
    if age >= rt.settings.session_max_age or now - float(data["seen"]) >= (
        rt.settings.session_idle_timeout
    ):
        await rt.store.delete(key)
        return None
    if now - float(data["seen"]) >= TOUCH_EVERY:
        data["seen"] = now
        ttl = min(rt.settings.session_idle_timeout, int(rt.settings.session_max_age - age))
        await rt.store.put(key, data, max(1, ttl))
    return data


async def end_session(rt: AuthRuntime, session_id: str) -> None:
    await rt.store.delete(hashed("session", session_id))


def session_expires_at(rt: AuthRuntime, data: dict[str, Any]) -> dt.datetime:
    ends = min(
        float(data["created"]) + rt.settings.session_max_age,
        float(data["seen"]) + rt.settings.session_idle_timeout,
    )
    return dt.datetime.fromtimestamp(ends, dt.UTC)


# -- roles -----------------------------------------------------------------------
_GRANTS_SQL = (
    "SELECT role FROM role_grant WHERE subject_key IN ("
    "SELECT person_key FROM resident WHERE id = {} "
    "UNION SELECT subject_key FROM resident_link WHERE resident = {})"
)


async def role_of(resident_id: int, claim_roles: list[str]) -> str:
    rows = await RoleGrant.raw(_GRANTS_SQL, resident_id, resident_id)
    return highest({*claim_roles, *(r["role"] for r in rows)})


async def _resolve_subject(rt: AuthRuntime, subject: str) -> tuple[str, int | None]:
    """``resident:ID`` or ``PROVIDER:SUBJECT`` -> (key grants are stored under, resident id)."""
    kind, sep, rest = subject.partition(":")
    if not sep or not rest:
        raise InvalidInput(
            "subject must be resident:ID or PROVIDER:SUBJECT (the provider's name from "
            "HROMADA_OIDC_PROVIDERS and the person's subject there)"
        )
    if kind == "resident":
        if not rest.isdigit():
            raise InvalidInput("resident:ID needs a number")
        row = await Resident.select(Resident.person_key).where(Resident.id == int(rest)).first()
        if row is None:
            raise NotFound(f"no resident {rest}")
        return str(row["person_key"]), int(rest)
    from hromada.auth.identity import subject_key

    provider = rt.providers.get(kind)
    if provider is None:
        raise NotFound(f"no identity provider named {kind!r}")
    issuer = str(getattr(provider, "issuer", None) or getattr(provider, "base", ""))
    key = subject_key(rt.secret, issuer, rest)
    link = (
        await ResidentLink.select(ResidentLink.resident)
        .where(ResidentLink.subject_key == key)
        .first()
    )
    return key, (int(link["resident"]) if link else None)


async def grant_role(rt: AuthRuntime, subject: str, role: str) -> GrantOut:
    if role not in STAFF_ROLES:
        raise InvalidInput(f"role must be one of {', '.join(STAFF_ROLES)}")
    key, resident_id = await _resolve_subject(rt, subject)
    await RoleGrant.insert(RoleGrant(subject_key=key, role=role, granted_at=_now())).on_conflict(
        target=(RoleGrant.subject_key, RoleGrant.role), action="DO NOTHING"
    )
    return GrantOut(subject=subject, role=role, resident_id=resident_id)


async def revoke_role(rt: AuthRuntime, subject: str, role: str) -> bool:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(STAFF_ROLES)}")
    key, resident_id = await _resolve_subject(rt, subject)
    keys = [key]
    if resident_id is not None:
        person = (
            await Resident.select(Resident.person_key).where(Resident.id == resident_id).first()
        )
        if person is not None:
            keys.append(str(person["person_key"]))
        keys += [
            r["subject_key"]
            for r in await ResidentLink.select(ResidentLink.subject_key).where(
                ResidentLink.resident == resident_id
            )
        ]
    rows = (
        await RoleGrant.delete()
        .where(RoleGrant.subject_key.is_in(keys), RoleGrant.role == role)
        .returning(RoleGrant.id)
    )
    return bool(rows)


# -- the resident's own view -------------------------------------------------------
async def set_notifications(principal: Principal, choice: NotificationsIn) -> NotificationsOut:
    """Turn e-mail on or off. On needs an address from the identity provider: without one
    there is nothing to agree to, and the answer says where the address comes from."""
    if principal.resident_id is None:
        raise Unauthenticated("log in first (GET /auth/providers lists the ways)")
    async with db.write_transaction():
        row = (
            await Resident.select(Resident.email)
            .where(Resident.id == principal.resident_id)
            .first()
        )
        if row is None:
            raise Unauthenticated("this account no longer exists; log in again")
        if choice.email and not row["email"]:
            raise Conflict(
                "your identity provider gave no verified e-mail address: add one there and "
                "log in again to turn e-mail on"
            )
        await Resident.update({Resident.email_notifications: choice.email}).where(
            Resident.id == principal.resident_id
        )
    return NotificationsOut(email=choice.email, address=row["email"])


async def me(rt: AuthRuntime, principal: Principal) -> MeOut:
    if principal.resident_id is None:
        raise Unauthenticated("log in first (GET /auth/providers lists the ways)")
    row = await Resident.select().where(Resident.id == principal.resident_id).first()
    if row is None:
        raise Unauthenticated("this account no longer exists; log in again")
    links = await ResidentLink.select(ResidentLink.provider).where(
        ResidentLink.resident == principal.resident_id
    )
    birth = row["birth_date"]
    if isinstance(birth, str):
        birth = dt.date.fromisoformat(birth)
    verdict = eligibility(
        birth_date=birth,
        in_community=bool(row["in_community"]),
        idp_in_community=bool(row["idp_in_community"]),
        rules=rt.rules,
    )
    role = principal.role or "resident"
    return MeOut(
        id=row["id"],
        display_name=row["display_name"],
        role=role,
        permissions=permissions_of(role),
        district=row["district_code"],
        in_community=bool(row["in_community"]),
        idp_in_community=bool(row["idp_in_community"]),
        birth_date=birth,
        eligibility=EligibilityOut(
            eligible=verdict.eligible,
            reasons=verdict.reasons,
            age=verdict.age,
            residence=verdict.residence,
            min_age=rt.rules.min_age,
            idps_allowed=rt.rules.allow_idps,
        ),
        providers=sorted({r["provider"] for r in links}),
        authenticated_by=principal.kind,
        notifications=NotificationsOut(
            email=bool(row["email_notifications"]), address=row["email"]
        ),
        csrf_token=csrf_token(rt, principal.session_id) if principal.session_id else None,
        session_expires_at=(
            session_expires_at(rt, principal.session) if principal.session else None
        ),
    )


async def resident_eligibility(rt: AuthRuntime, resident_id: int) -> EligibilityOut:
    """For the petitions and PB services: may this resident take part now?"""
    return (await me(rt, Principal(kind="session", resident_id=resident_id))).eligibility


# -- API keys ------------------------------------------------------------------------
def _key_hash(raw: str) -> str:
    # Keys are 256-bit random: a plain SHA-256 cannot be reversed or guessed.
    return hashlib.sha256(raw.encode()).hexdigest()


def looks_like_api_key(raw: str) -> bool:
    return bool(_API_KEY.match(raw))


def _key_out(rt: AuthRuntime, row: dict[str, Any]) -> ApiKeyOut:
    out = msgspec.convert(
        {**row, "limit_per_window": rt.settings.tiers.get(row["tier"], 0)},
        ApiKeyOut,
        strict=False,
    )
    return out


async def create_api_key(
    rt: AuthRuntime, principal: Principal, name: str, tier: str | None = None
) -> ApiKeyCreated:
    if principal.kind != "session" or principal.resident_id is None:
        raise Forbidden("API keys are created from a logged-in browser session, not with a key")
    name = name.strip()
    if not 1 <= len(name) <= 100 or any(ord(c) < 32 for c in name):
        raise InvalidInput(
            "name must be 1 to 100 printable characters",
            errors=[{"where": "body", "name": "name", "message": "1..100 characters"}],
        )
    tiers = rt.settings.tiers
    tier = tier or next(iter(tiers))
    if tier not in tiers:
        raise InvalidInput(f"no tier named {tier!r}")
    async with db.write_transaction():
        active = await ApiKey.count().where(
            ApiKey.resident == principal.resident_id, ApiKey.revoked_at.is_null()
        )
        if active >= MAX_KEYS_PER_RESIDENT:
            raise Conflict(
                f"you already have {MAX_KEYS_PER_RESIDENT} active keys: revoke one first"
            )
        prefix = secrets.token_hex(4)
        raw = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        rows = await ApiKey.insert(
            ApiKey(
                resident=principal.resident_id,
                name=name,
                prefix=f"{API_KEY_PREFIX}_{prefix}",
                key_hash=_key_hash(raw),
                tier=tier,
                created_at=_now(),
            )
        ).returning(ApiKey.id)
    return ApiKeyCreated(
        id=int(rows[0]["id"]), name=name, prefix=f"{API_KEY_PREFIX}_{prefix}", tier=tier, key=raw
    )


_KEY_COLUMNS = (
    ApiKey.id,
    ApiKey.name,
    ApiKey.prefix,
    ApiKey.tier,
    ApiKey.created_at,
    ApiKey.last_used_at,
    ApiKey.revoked_at,
)


async def list_api_keys(rt: AuthRuntime, principal: Principal) -> list[ApiKeyOut]:
    if principal.resident_id is None:
        raise Unauthenticated("log in first")
    rows = (
        await ApiKey.select(*_KEY_COLUMNS)
        .where(ApiKey.resident == principal.resident_id)
        .order_by(ApiKey.id)
    )
    return [_key_out(rt, r) for r in rows]


async def revoke_api_key(rt: AuthRuntime, principal: Principal, key_id: int) -> ApiKeyOut:
    if principal.kind != "session" or principal.resident_id is None:
        raise Forbidden("API keys are revoked from a logged-in browser session")
    async with db.write_transaction():
        row = (
            await ApiKey.select(*_KEY_COLUMNS)
            .where(ApiKey.id == key_id, ApiKey.resident == principal.resident_id)
            .first()
        )
        if row is None:
            raise NotFound(f"you have no API key {key_id}")
        if row["revoked_at"] is None:
            row["revoked_at"] = _now()
            await ApiKey.update({ApiKey.revoked_at: row["revoked_at"]}).where(ApiKey.id == key_id)
    return _key_out(rt, row)


@dataclass
class KeyInfo:
    id: int
    resident_id: int
    tier: str


async def lookup_api_key(raw: str) -> KeyInfo | None:
    """The live key ``raw`` is, or None (unknown, malformed or revoked)."""
    if not looks_like_api_key(raw):
        return None
    row = (
        await ApiKey.select(
            ApiKey.id, ApiKey.resident, ApiKey.tier, ApiKey.revoked_at, ApiKey.last_used_at
        )
        .where(ApiKey.key_hash == _key_hash(raw))
        .first()
    )
    if row is None or row["revoked_at"] is not None:
        return None
    last = row["last_used_at"]
    if isinstance(last, str):
        last = dt.datetime.fromisoformat(last)
    if last is None or _now() - (last if last.tzinfo else last.replace(tzinfo=dt.UTC)) > (
        dt.timedelta(minutes=5)
    ):
        await ApiKey.update({ApiKey.last_used_at: _now()}).where(ApiKey.id == row["id"])
    return KeyInfo(id=row["id"], resident_id=row["resident"], tier=row["tier"])
