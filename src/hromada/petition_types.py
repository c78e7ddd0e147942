"""Petition types as configured in ``HROMADA_PETITION_TYPES``.

A community's statute may know more than one kind of e-petition (to the council, to
the mayor, a youth petition) with its own rules. A JSON object, one entry per type;
every key is optional and falls back to the general setting named beside it::

    {"city":  {"title_uk": "Петиція до міської ради", "title_en": "Petition to the council"},
     "youth": {"title_uk": "Молодіжна петиція", "threshold": 150, "days": 30,
               "cosponsors": 3, "withdrawal": true, "min_age": 18,
               "signer_name": "initials"}}

- ``threshold`` (HROMADA_PETITION_THRESHOLD), ``days`` (HROMADA_PETITION_DAYS);
- ``cosponsors``: residents who must back a petition before it goes to moderation
  (default 0: straight to moderation);
- ``withdrawal``: whether a signer may take a signature back while the petition is
  open and short of its threshold (default false, as the law reads);
- ``min_age`` (HROMADA_ELIGIBILITY_MIN_AGE), ``allow_idps``
  (HROMADA_ELIGIBILITY_ALLOW_IDPS): who may write, back and sign one. A type may narrow
  who takes part, never widen it: the login's eligibility is the floor;
- ``signer_name`` (HROMADA_PETITION_SIGNER_NAME): how signers appear on its list.

Empty (the default): one type, ``city``, with the general settings. The first type is
the default of a new petition. It is a setting's format, so it sits beside ``config``
(which checks it when it loads) rather than in the petitions domain (which reads it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

SIGNER_NAMES = ("given-initial", "initials", "full")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_KEYS = {
    "title_uk",
    "title_en",
    "threshold",
    "days",
    "cosponsors",
    "withdrawal",
    "min_age",
    "allow_idps",
    "signer_name",
}


class PetitionTypesError(ValueError):
    pass


@dataclass(frozen=True)
class PetitionType:
    name: str
    title_uk: str
    title_en: str
    threshold: int
    days: int
    cosponsors: int
    withdrawal: bool
    min_age: int
    allow_idps: bool
    signer_name: str


def _int(name: str, key: str, value: Any, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise PetitionTypesError(f"type {name!r}: {key} must be a whole number {low}..{high}")
    return value


def _bool(name: str, key: str, value: Any) -> bool:
    if type(value) is not bool:
        raise PetitionTypesError(f"type {name!r}: {key} must be true or false")
    return value


def parse_types(
    raw: str,
    *,
    threshold: int,
    days: int,
    min_age: int,
    allow_idps: bool,
    signer_name: str,
) -> tuple[PetitionType, ...]:
    """The configured types in order (the first is the default); the general settings
    fill what a type leaves out. Raises PetitionTypesError naming what is wrong."""
    general = PetitionType(
        name="city",
        title_uk="Петиція до міської ради",
        title_en="Petition to the city council",
        threshold=threshold,
        days=days,
        cosponsors=0,
        withdrawal=False,
        min_age=min_age,
        allow_idps=allow_idps,
        signer_name=signer_name,
    )
    if not raw.strip():
        return (general,)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise PetitionTypesError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise PetitionTypesError('expected an object of types, e.g. {"city": {}}')
    out = []
    for name, spec in data.items():
        if not _NAME.fullmatch(name):
            raise PetitionTypesError(f"type name {name[:40]!r}: use a-z, 0-9, - and _")
        if not isinstance(spec, dict):
            raise PetitionTypesError(f"type {name!r}: expected an object")
        unknown = sorted(set(spec) - _KEYS)
        if unknown:
            raise PetitionTypesError(
                f"type {name!r}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})"
            )
        kind_min_age = _int(name, "min_age", spec.get("min_age", min_age), 0, 150)
        if kind_min_age < min_age:
            raise PetitionTypesError(
                f"type {name!r}: min_age {kind_min_age} is below HROMADA_ELIGIBILITY_MIN_AGE "
                f"({min_age}); a type may narrow who takes part, not widen it"
            )
        kind_idps = _bool(name, "allow_idps", spec.get("allow_idps", allow_idps))
        if kind_idps and not allow_idps:
            raise PetitionTypesError(
                f"type {name!r}: allow_idps while HROMADA_ELIGIBILITY_ALLOW_IDPS is false; a "
                "type may narrow who takes part, not widen it"
            )
        style = spec.get("signer_name", signer_name)
        if style not in SIGNER_NAMES:
            raise PetitionTypesError(
                f"type {name!r}: signer_name must be one of {', '.join(SIGNER_NAMES)}"
            )
        title_uk = spec.get("title_uk", name)
        title_en = spec.get("title_en", title_uk)
        for title in (title_uk, title_en):
            if not isinstance(title, str) or not 0 < len(title) <= 200:
                raise PetitionTypesError(f"type {name!r}: titles are text of 1..200 characters")
        out.append(
            PetitionType(
                name=name,
                title_uk=str(title_uk),
                title_en=str(title_en),
                threshold=_int(name, "threshold", spec.get("threshold", threshold), 1, 10**7),
                days=_int(name, "days", spec.get("days", days), 1, 3660),
                cosponsors=_int(name, "cosponsors", spec.get("cosponsors", 0), 0, 1000),
                withdrawal=_bool(name, "withdrawal", spec.get("withdrawal", False)),
                min_age=kind_min_age,
                allow_idps=kind_idps,
                signer_name=style,
            )
        )
    return tuple(out)
