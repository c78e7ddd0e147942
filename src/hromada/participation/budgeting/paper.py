"""Paper ballots, entered by an official at a service centre.

The voter shows a passport; the official enters the tax number (RNOKPP), the district
of the voter's registration and the projects marked on paper (in a cumulative pool, with
the points written beside them). The tax number becomes the same person key an online
login gives (``auth.identity``), so the person has one ballot per pool whichever way they
voted: a paper ballot is refused when they voted online, and once entered it is final (an
online cast cannot replace it). The tax number is never stored; the voter takes the
receipt home, as an online voter does.
"""

from __future__ import annotations

import datetime as dt
import json

from hromada import db
from hromada.auth.identity import (
    age_on,
    birth_date_from_rnokpp,
    person_key_for_tax_id,
    rnokpp_checksum_ok,
)
from hromada.auth.runtime import identity_secret
from hromada.auth.tables import Resident
from hromada.config import Settings
from hromada.errors import Conflict, Forbidden
from hromada.participation import texts
from hromada.participation.audit import service as audit
from hromada.participation.budgeting import service
from hromada.participation.budgeting.schemas import BallotOut, PaperBallotIn
from hromada.participation.budgeting.tables import BudgetBallot, BudgetBallotEvent


async def _resident_for(settings: Settings, tax_id: str, district: str | None) -> int:
    """The resident with this tax number's person key, made if they never logged in.

    Two officials entering the same person's ballot at once both find no resident: the
    insert yields to the one that commits first (the unique person key), and the one
    that yielded reads the row it made, so its ballot then meets the one-ballot rule."""
    key = person_key_for_tax_id(identity_secret(settings), tax_id)
    found = await Resident.select(Resident.id).where(Resident.person_key == key).first()
    if found is not None:
        return int(found["id"])
    now = dt.datetime.now(dt.UTC)
    rows = (
        await Resident.insert(
            Resident(
                person_key=key,
                display_name="",  # filled in by their first login, if they ever log in
                birth_date=birth_date_from_rnokpp(tax_id),
                district_code=district,
                in_community=True,  # the official saw the registration
                created_at=now,
                last_login_at=now,
            )
        )
        .on_conflict(target=Resident.person_key, action="DO NOTHING")
        .returning(Resident.id)
    )
    if not rows:
        made = await Resident.select(Resident.id).where(Resident.person_key == key).first()
        assert made is not None, "the conflicting insert committed its row"
        return int(made["id"])
    return int(rows[0]["id"])


async def enter(
    settings: Settings, staff_id: int | None, pool_id: int, ballot: PaperBallotIn
) -> BallotOut:
    """Officials: a paper ballot for the person with ``ballot.tax_id``; its receipt."""
    if not rnokpp_checksum_ok(ballot.tax_id):
        raise texts.bad(
            "tax_id", "ten digits with a valid check digit (RNOKPP)", code="paper.tax_id"
        )
    born = birth_date_from_rnokpp(ballot.tax_id)
    age = age_on(born, dt.date.today()) if born else None
    if age is None or age < settings.eligibility_min_age:
        raise Forbidden(
            f"the voter must be at least {settings.eligibility_min_age}",
            code="paper.too_young",
            values={"age": settings.eligibility_min_age},
        )
    district = texts.checked_text("district", ballot.district, (1, 64)) if ballot.district else None
    async with db.write_transaction():
        pool = await service.pool_row(pool_id)
        at = service.now()
        if service.phase_at(pool["opens"], pool["closes"], at) != "voting":
            raise Conflict(
                f"pool {pool_id} is not open for voting",
                code="paper.not_voting",
                values={"number": pool_id},
            )
        if pool["district_code"] is not None and district != pool["district_code"]:
            raise Forbidden(
                f"only residents of district {pool['district_code']} vote in this pool",
                code="pool.district_only",
            )
        codes, given = service.check_ballot(
            pool,
            await service.picked_projects(pool_id, ballot.projects),
            ballot.projects,
            ballot.points,
        )
        resident = await _resident_for(settings, ballot.tax_id, district)
        ordered = json.dumps(codes, ensure_ascii=False)
        stored = None if given is None else json.dumps(given)
        written = await BudgetBallot.raw(
            "INSERT INTO budget_ballot (pool, resident, picks, points, cast_at, paper) "
            "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT (pool, resident) DO NOTHING RETURNING id",
            pool_id,
            resident,
            ordered,
            stored,
            at,
            True,
        ).run()
        if not written:
            raise Conflict(
                f"this person has already voted in pool {pool_id}: one voice each",
                code="paper.already_voted",
                values={"number": pool_id},
            )
        receipt = service.receipt_of(settings, pool_id, resident)
        voter = service.voter_of(receipt)
        await BudgetBallotEvent.insert(
            BudgetBallotEvent(pool=pool_id, voter=voter, picks=ordered, points=stored, cast_at=at)
        )
        actor = audit.staff_actor(settings, "official", staff_id)
        await audit.append(
            domain="budgeting",
            subject=f"pool:{pool_id}",
            action="paper_ballot",
            actor=actor,
            detail={"voter": voter},
        )
    return BallotOut(
        pool=pool_id, projects=codes, points=given, cast_at=at, receipt=receipt, voter=voter
    )
