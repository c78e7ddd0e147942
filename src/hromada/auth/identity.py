"""Who a person is, reduced to what participation needs.

A provider tells us a lot (name, tax number, address, phone...). hromada keeps
only a *person key* — an HMAC-SHA256 under ``HROMADA_IDENTITY_SECRET`` of the
normalised RNOKPP when the provider releases it, else of issuer + subject —
and the few facts eligibility needs. The raw tax number and the address are
used while the login request runs and then dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass, field

_SPACES = re.compile(r"[\s\-]+")
# Words that name a kind of street in a Ukrainian address, with their short forms.
_STREET_WORDS = re.compile(
    r"^(вулиця|вул\.?|провулок|пров\.?|проспект|просп\.?|пр-т|площа|пл\.?|узвіз|"
    r"набережна|наб\.?|вʼїзд|в'їзд|в’їзд|бульвар|бул\.?|шосе|тупик|майдан)\s+",
    re.IGNORECASE,
)
_APOSTROPHES = str.maketrans({"'": "ʼ", "’": "ʼ", "`": "ʼ"})


def normalise_tax_id(raw: str) -> str | None:
    """The canonical form of an RNOKPP (10 digits), or of the passport number a person
    who refused one uses instead; None when it is neither."""
    value = _SPACES.sub("", raw or "").upper()
    if re.fullmatch(r"\d{10}", value):
        return value
    if re.fullmatch(r"[А-ЯІЇЄҐ]{2}\d{6}|\d{9}", value):  # passport book or ID card
        return value
    return None


def rnokpp_checksum_ok(value: str) -> bool:
    if not re.fullmatch(r"\d{10}", value):
        return False
    weights = (-1, 5, 7, 9, 4, 6, 10, 5, 7)
    total = sum(int(d) * w for d, w in zip(value[:9], weights, strict=True))
    return (total % 11) % 10 == int(value[9])


def rnokpp_with_checksum(first_nine: str) -> str:
    weights = (-1, 5, 7, 9, 4, 6, 10, 5, 7)
    total = sum(int(d) * w for d, w in zip(first_nine, weights, strict=True))
    return first_nine + str((total % 11) % 10)


RNOKPP_EPOCH = dt.date(1899, 12, 31)


def birth_date_from_rnokpp(value: str) -> dt.date | None:
    """The first five digits of an RNOKPP count days since 31 December 1899."""
    if not rnokpp_checksum_ok(value):
        return None
    born = RNOKPP_EPOCH + dt.timedelta(days=int(value[:5]))
    return born if born <= dt.date.today() else None


def _mac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def person_key_for_tax_id(secret: str, tax_id: str) -> str:
    return _mac(secret, "rnokpp:" + tax_id)


def subject_key(secret: str, issuer: str, subject: str) -> str:
    """Key of one account at one provider (links, and staff grants made before a login)."""
    return _mac(secret, "sub:" + issuer.rstrip("/") + "\x00" + subject)


@dataclass
class Identity:
    """What one login told us, before it is reduced. Never logged, never stored as is."""

    provider: str
    issuer: str
    subject: str
    display_name: str
    tax_id: str | None = None
    birth_date: dt.date | None = None
    address: str | None = None
    idp_address: str | None = None  # address on an IDP certificate (довідка ВПО)
    roles: list[str] = field(default_factory=list)
    email: str | None = None  # kept only to write to the resident if they agree

    def __repr__(self) -> str:  # keep personal data out of tracebacks and logs
        return f"Identity(provider={self.provider!r})"

    def person_key(self, secret: str) -> str:
        if self.tax_id:
            return person_key_for_tax_id(secret, self.tax_id)
        return subject_key(secret, self.issuer, self.subject)

    def link_key(self, secret: str) -> str:
        return subject_key(secret, self.issuer, self.subject)

    def effective_birth_date(self) -> dt.date | None:
        if self.birth_date:
            return self.birth_date
        if self.tax_id:
            return birth_date_from_rnokpp(self.tax_id)
        return None


_EMAIL = re.compile(r"[^@\s<>\"]{1,64}@[^@\s<>\"]{1,185}\.[A-Za-z]{2,63}")


def parse_email(raw: object, verified: object = True) -> str | None:
    """An address the provider vouches for (OIDC ``email_verified`` not false), or None."""
    if verified is False or not isinstance(raw, str):
        return None
    address = raw.strip()
    return address if len(address) <= 254 and _EMAIL.fullmatch(address) else None


def parse_birth_date(raw: object) -> dt.date | None:
    if not isinstance(raw, str) or not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    return None


def in_community(address: str | None, localities: tuple[str, ...]) -> bool:
    if not address:
        return False
    text = address.translate(_APOSTROPHES).casefold()
    for locality in localities:
        name = locality.translate(_APOSTROPHES).casefold().strip()
        if name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text):
            return True
    return False


def street_candidates(address: str | None) -> list[str]:
    """Street names an address may name ("вул. Сумська, 10" gives "Сумська")."""
    if not address:
        return []
    out = []
    for part in address.translate(_APOSTROPHES).split(","):
        part = part.strip()
        match = _STREET_WORDS.match(part)
        if match:
            out.append(part[match.end() :].strip())
    return out


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class EligibilityRules:
    min_age: int
    allow_idps: bool


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[str]
    age: int | None
    residence: str  # "registered", "idp" or "none"


def eligibility(
    *,
    birth_date: dt.date | None,
    in_community: bool,
    idp_in_community: bool,
    rules: EligibilityRules,
    today: dt.date | None = None,
) -> Eligibility:
    """May this resident sign petitions and vote? The petitions and PB services ask this."""
    today = today or dt.date.today()
    reasons = []
    age = age_on(birth_date, today) if birth_date else None
    if age is None:
        reasons.append("birth date unknown: the identity provider did not release it")
    elif age < rules.min_age:
        reasons.append(f"under {rules.min_age}")
    if in_community:
        residence = "registered"
    elif idp_in_community:
        residence = "idp"
        if not rules.allow_idps:
            reasons.append("internally displaced people may not take part in this community")
    else:
        residence = "none"
        reasons.append("not registered in the community")
    return Eligibility(eligible=not reasons, reasons=reasons, age=age, residence=residence)
