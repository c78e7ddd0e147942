"""Residents, their provider links, staff grants, API keys and the server-side store.

Nothing here holds a tax number, a token or a session id in clear: person and
subject keys are HMACs, API keys and session ids are stored as SHA-256 hashes.
"""

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Resident(Table, tablename="resident"):
    """One person, however many providers they log in through."""

    id = Serial(primary_key=True)
    person_key = Varchar(length=64, unique=True, index=True)
    display_name = Varchar(length=300)  # public on petition signatory lists, by law
    birth_date = Date(null=True, default=None)
    district_code = Varchar(length=64, null=True, default=None)
    in_community = Boolean(default=False)
    idp_in_community = Boolean(default=False)
    created_at = Timestamptz()
    last_login_at = Timestamptz()
    # Private: the provider's address, used only while ``email_notifications`` is on
    # (the resident's own choice, off by default); never published or exported.
    email = Varchar(length=254, null=True, default=None)
    email_notifications = Boolean(default=False)


class ResidentLink(Table, tablename="resident_link"):
    """An account at one provider, linked to a resident (key = HMAC of issuer + subject)."""

    id = Serial(primary_key=True)
    resident = ForeignKey(references=Resident, index=True)
    provider = Varchar(length=32)
    subject_key = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz()
    last_login_at = Timestamptz()


class RoleGrant(Table, tablename="role_grant"):
    """A staff role granted with `hromada users grant`, keyed by person or subject key."""

    id = Serial(primary_key=True)
    subject_key = Varchar(length=64, index=True)
    role = Varchar(length=16)
    granted_at = Timestamptz()


class ApiKey(Table, tablename="api_key"):
    id = Serial(primary_key=True)
    resident = ForeignKey(references=Resident, index=True)
    name = Varchar(length=100)
    prefix = Varchar(length=16, unique=True, index=True)
    key_hash = Varchar(length=64, unique=True, index=True)
    tier = Varchar(length=32)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class AuthEntry(Table, tablename="auth_entry"):
    """Sessions and pending logins when no Redis is configured (key = hash, value = JSON)."""

    id = Serial(primary_key=True)
    key = Varchar(length=80, unique=True, index=True)
    value = Text()
    expires_at = Timestamptz(index=True)
