"""Petition types (HROMADA_PETITION_TYPES): which one a petition is, and who may take
part in it. The format and its checks live in ``hromada.petition_types``."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hromada.auth.identity import EligibilityRules, eligibility
from hromada.auth.tables import Resident
from hromada.config import Settings
from hromada.errors import Forbidden, InvalidInput
from hromada.petition_types import PetitionType


def chosen(settings: Settings, name: str | None) -> PetitionType:
    """The type a new petition asks for (the first type when it names none)."""
    kinds = settings.petition_kinds
    if name is None:
        return kinds[0]
    for kind in kinds:
        if kind.name == name:
            return kind
    known = ", ".join(k.name for k in kinds)
    raise InvalidInput(
        f"no petition type {name[:40]!r}: use {known}",
        errors=[{"where": "body", "name": "kind", "message": f"one of {known}"}],
    )


def of_petition(settings: Settings, name: str) -> PetitionType:
    """The type of a stored petition. A type since removed from the settings keeps the
    general rules (its threshold and co-sponsors were copied into the petition)."""
    for kind in settings.petition_kinds:
        if kind.name == name:
            return kind
    return dataclasses.replace(settings.petition_kinds[0], name=name, withdrawal=False)


async def check_eligible(settings: Settings, kind: PetitionType, resident_id: int) -> None:
    """Forbidden when ``kind`` is narrower than the login's eligibility (which the guard
    already checked) and this resident falls outside it."""
    if (kind.min_age, kind.allow_idps) == (
        settings.eligibility_min_age,
        settings.eligibility_allow_idps,
    ):
        return
    row = (
        await Resident.select(Resident.birth_date, Resident.in_community, Resident.idp_in_community)
        .where(Resident.id == resident_id)
        .first()
    )
    if row is None:
        raise Forbidden("this account no longer exists; log in again", code="account.gone")
    birth = row["birth_date"]
    if isinstance(birth, str):
        birth = dt.date.fromisoformat(birth)
    found = eligibility(
        birth_date=birth,
        in_community=bool(row["in_community"]),
        idp_in_community=bool(row["idp_in_community"]),
        rules=EligibilityRules(min_age=kind.min_age, allow_idps=kind.allow_idps),
    )
    if not found.eligible:
        raise Forbidden(
            f"{kind.title_en} is open to fewer people than the login allows: "
            + "; ".join(found.reasons),
            code="petition.not_eligible",
            values={"type_uk": kind.title_uk, "type_en": kind.title_en},
        )
