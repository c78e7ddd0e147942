"""E-petitions: create, moderate, sign once, reach the threshold, answer.

Every rule is here; REST and GraphQL translate. The public state is derived from
the stored status, the clock and the count (``rules.state``), so a petition is
closed at its deadline and under consideration at its threshold without a job.
Signing is one insert, unique per petition and resident (a composite unique
index): a hundred concurrent duplicates leave one signature and no error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from typing import Any

from hromada import db
from hromada.auth.tables import Resident
from hromada.config import Settings
from hromada.errors import Conflict, InvalidInput, NotFound
from hromada.open_data.appeals.anonymise import get_anonymiser
from hromada.open_data.registries.tables import District
from hromada.paging import Page, check_limit, decode_cursor, make_page
from hromada.participation.petitions import rules
from hromada.participation.petitions.schemas import (
    Answer,
    AnswerOut,
    DistrictCount,
    Moderation,
    NewPetition,
    PetitionOut,
    RejectionOut,
    SignatureOut,
    SignerOut,
)
from hromada.participation.petitions.tables import Petition, PetitionSignature

TITLE = (10, 200)
TEXT = (50, 10_000)
ADDRESSEE = (2, 200)
MAX_PAGE = 100


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _bad(name: str, message: str, detail: str | None = None) -> InvalidInput:
    return InvalidInput(
        detail or f"{name}: {message}", errors=[{"where": "body", "name": name, "message": message}]
    )


def _checked_text(name: str, value: str, bounds: tuple[int, int]) -> str:
    text = " ".join(value.split()) if name != "text" else value.strip()
    low, high = bounds
    if not low <= len(text) <= high:
        raise _bad(
            name, f"{low} to {high} characters", f"{name} must be {low} to {high} characters"
        )
    if "\x00" in text:
        raise _bad(name, "no NUL characters")
    return text


async def _district_id(code: str | None) -> int | None:
    if not code:
        return None
    found = await District.select(District.id).where(District.code == code).first()
    if found is None:
        raise _bad("district", "unknown district code", f"no district with code {code[:64]!r}")
    return int(found["id"])


def _personal_data(title: str, text: str) -> None:
    """The appeals anonymiser's detector on what the author wrote: a petition is published
    whole, so someone else's phone, e-mail or name is refused rather than published."""
    findings = get_anonymiser().find(title + "\n" + text)
    if findings:
        kinds = sorted({f.kind for f in findings})
        raise InvalidInput(
            "the petition seems to contain personal data of other people ("
            + ", ".join(kinds)
            + "): remove it and send again",
            errors=[
                {"where": "body", "name": "text", "message": f"{f.kind} at {f.start}..{f.end}"}
                for f in findings[:20]
            ],
        )


async def create(settings: Settings, resident_id: int, new: NewPetition) -> PetitionOut:
    title = _checked_text("title", new.title, TITLE)
    text = _checked_text("text", new.text, TEXT)
    addressee = _checked_text("addressee", new.addressee, ADDRESSEE)
    _personal_data(title, text)
    district = await _district_id(new.district)
    async with db.write_transaction():
        pending = await Petition.count().where(
            (Petition.author == resident_id) & Petition.status.is_in(["draft", "moderation"])
        )
        if pending >= settings.petition_open_drafts:
            raise Conflict(
                f"you already have {pending} petitions in draft or moderation: submit or wait "
                "for those first"
            )
        row = (
            await Petition.insert(
                Petition(
                    title=title,
                    text=text,
                    addressee=addressee,
                    author=resident_id,
                    district=district,
                    status="draft",
                    threshold=settings.petition_threshold,
                    created_at=now(),
                )
            ).returning(Petition.id)
        )[0]
    return await get(settings, int(row["id"]), viewer=resident_id)


async def _petition(petition_id: int) -> dict[str, Any]:
    row = (
        await Petition.select(
            *Petition.all_columns(), Petition.district.code.as_alias("district_code")
        )
        .where(Petition.id == petition_id)
        .first()
    )
    if row is None:
        raise NotFound(f"no petition {petition_id}")
    return row


async def submit(settings: Settings, resident_id: int, petition_id: int) -> PetitionOut:
    async with db.write_transaction():
        row = await _petition(petition_id)
        if row["author"] != resident_id:
            raise NotFound(f"no petition {petition_id}")
        if row["status"] != "draft":
            raise Conflict(f"petition {petition_id} is {row['status']}, not a draft")
        at = now()
        due = rules.add_working_days(
            at, settings.petition_moderation_days, settings.petition_holidays
        )
        await Petition.update(
            {Petition.status: "moderation", Petition.submitted_at: at, Petition.moderation_due: due}
        ).where(Petition.id == petition_id)
    return await get(settings, petition_id, viewer=resident_id)


async def moderate(settings: Settings, petition_id: int, decision: Moderation) -> PetitionOut:
    if decision.decision == "reject" and decision.code not in rules.REJECTION_CODES:
        raise _bad(
            "code",
            "a rejection names its ground",
            "a rejection needs a code: " + ", ".join(rules.REJECTION_CODES),
        )
    note = _checked_text("note", decision.note, (1, 2000)) if decision.note else None
    async with db.write_transaction():
        row = await _petition(petition_id)
        if row["status"] != "moderation":
            raise Conflict(f"petition {petition_id} is {row['status']}, not in moderation")
        at = now()
        if decision.decision == "publish":
            values: dict[Any, Any] = {
                Petition.status: "open",
                Petition.opened_at: at,
                Petition.closes_at: at + dt.timedelta(days=settings.petition_days),
            }
        else:
            values = {
                Petition.status: "rejected",
                Petition.rejection_code: decision.code,
                Petition.rejection_note: note,
            }
        await Petition.update(values).where(Petition.id == petition_id)
    return await get(settings, petition_id)


async def sign(settings: Settings, resident_id: int, petition_id: int) -> SignatureOut:
    """One signature per resident: a repeat (or a hundred at once) changes nothing."""
    async with db.write_transaction():
        row = await _petition(petition_id)
        at = now()
        counted = (await counts([petition_id])).get(petition_id, 0)
        current = rules.state(
            row["status"],
            closes_at=row["closes_at"],
            signatures=counted,
            threshold=row["threshold"],
            now=at,
        )
        if row["status"] != "open" or (row["closes_at"] is not None and at >= row["closes_at"]):
            if current in ("draft", "moderation") and row["author"] != resident_id:
                raise NotFound(f"no petition {petition_id}")
            raise Conflict(f"petition {petition_id} is {current}: it takes no signatures")
        resident = (
            await Resident.select(Resident.district_code).where(Resident.id == resident_id).first()
        )
        inserted = (
            await PetitionSignature.insert(
                PetitionSignature(
                    petition=petition_id,
                    resident=resident_id,
                    district_code=(resident or {}).get("district_code"),
                    signed_at=at,
                )
            )
            .on_conflict(
                target=(PetitionSignature.petition, PetitionSignature.resident), action="DO NOTHING"
            )
            .returning(PetitionSignature.id)
        )
        mine = (
            await PetitionSignature.select(PetitionSignature.signed_at)
            .where(
                (PetitionSignature.petition == petition_id)
                & (PetitionSignature.resident == resident_id)
            )
            .first()
        )
    assert mine is not None  # inserted now, or by an earlier (or concurrent) request
    return SignatureOut(petition=petition_id, signed=bool(inserted), signed_at=mine["signed_at"])


async def answer(settings: Settings, petition_id: int, reply: Answer) -> PetitionOut:
    text = _checked_text("text", reply.text, (20, 20_000))
    async with db.write_transaction():
        row = await _petition(petition_id)
        signatures = (await counts([petition_id])).get(petition_id, 0)
        current = rules.state(
            row["status"],
            closes_at=row["closes_at"],
            signatures=signatures,
            threshold=row["threshold"],
            now=now(),
        )
        if current != "under_consideration":
            raise Conflict(
                f"petition {petition_id} is {current}: only one that reached its "
                "threshold is answered"
            )
        await Petition.update(
            {Petition.status: "answered", Petition.answer_kind: reply.kind,
             Petition.answer_text: text, Petition.answered_at: now()}
        ).where(Petition.id == petition_id)  # fmt: skip
    return await get(settings, petition_id)


# ---------------------------------------------------------------------------- reading


async def counts(petition_ids: Sequence[int]) -> dict[int, int]:
    """Signatures per petition, from the signature rows (one grouped query)."""
    if not petition_ids:
        return {}
    marks = ", ".join("{}" for _ in petition_ids)  # placeholders only
    rows = await PetitionSignature.raw(
        f"SELECT petition, COUNT(*) AS n FROM petition_signature WHERE petition IN ({marks}) "  # noqa: S608
        "GROUP BY petition",
        *petition_ids,
    )
    return {int(r["petition"]): int(r["n"]) for r in rows}


async def by_district(petition_id: int) -> list[DistrictCount]:
    rows = await PetitionSignature.raw(
        "SELECT district_code, COUNT(*) AS n FROM petition_signature WHERE petition = {} "
        "GROUP BY district_code ORDER BY COUNT(*) DESC, district_code",
        petition_id,
    )
    return [DistrictCount(district=r["district_code"], signatures=int(r["n"])) for r in rows]


async def _reached_at(petition_id: int, threshold: int) -> dt.datetime | None:
    """When the threshold-th signature came: exact, from the rows."""
    row = (
        await PetitionSignature.select(PetitionSignature.signed_at)
        .where(PetitionSignature.petition == petition_id)
        .order_by(PetitionSignature.id)
        .offset(threshold - 1)
        .limit(1)
        .first()
    )
    return row["signed_at"] if row else None


async def _out(
    settings: Settings | None, row: dict[str, Any], signatures: int, at: dt.datetime
) -> PetitionOut:
    """``settings`` gives the answer deadline; without them (the dataset) it is left out."""
    current = rules.state(
        row["status"],
        closes_at=row["closes_at"],
        signatures=signatures,
        threshold=row["threshold"],
        now=at,
    )
    reached = (
        await _reached_at(row["id"], row["threshold"]) if signatures >= row["threshold"] else None
    )
    answer_due = (
        rules.add_working_days(reached, settings.petition_answer_days, settings.petition_holidays)
        if reached is not None and settings is not None
        else None
    )
    return PetitionOut(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        addressee=row["addressee"],
        district=row["district_code"],
        state=current,
        signatures=signatures,
        threshold=row["threshold"],
        created_at=row["created_at"],
        submitted_at=row["submitted_at"],
        moderation_due=row["moderation_due"],
        moderation_overdue=current == "moderation"
        and row["moderation_due"] is not None
        and at > row["moderation_due"],
        opened_at=row["opened_at"],
        closes_at=row["closes_at"],
        threshold_reached_at=reached,
        answer_due=answer_due,
        answer_overdue=current == "under_consideration"
        and answer_due is not None
        and at > answer_due,
        answer=AnswerOut(row["answer_kind"], row["answer_text"], row["answered_at"])
        if row["status"] == "answered"
        else None,
        rejection=RejectionOut(
            row["rejection_code"],
            rules.REJECTION_CODES[row["rejection_code"]],
            row["rejection_note"],
        )
        if row["status"] == "rejected"
        else None,
    )


async def get(
    settings: Settings, petition_id: int, *, viewer: int | None = None, staff: bool = False
) -> PetitionOut:
    """A petition with its counts by district. Drafts and petitions in moderation are
    seen by their author (and staff) only: to anyone else they do not exist."""
    row = await _petition(petition_id)
    if row["status"] in ("draft", "moderation") and not staff and row["author"] != viewer:
        raise NotFound(f"no petition {petition_id}")
    out = await _out(settings, row, (await counts([petition_id])).get(petition_id, 0), now())
    out.by_district = await by_district(petition_id)
    return out


async def list_petitions(
    settings: Settings,
    *,
    status: str | None = None,
    district: str | None = None,
    queue: bool = False,
    limit: int,
    cursor: str | None,
) -> Page[PetitionOut]:
    """Public petitions, newest first; ``queue`` (staff) lists those waiting for moderation.
    ``status`` filters on the stored status (open, answered, rejected); the page shows
    each petition's derived state."""
    limit = check_limit(limit, MAX_PAGE)
    stored = ("moderation",) if queue else ("open", "answered", "rejected")
    if status is not None:
        if queue or status not in stored:
            raise InvalidInput(
                f"status must be one of {', '.join(stored)}",
                errors=[{"where": "query", "name": "status", "message": "unknown status"}],
            )
        stored = (status,)
    where: Any = Petition.status.is_in(list(stored))
    if district:
        where &= Petition.district == await _district_id(district)
    after = decode_cursor(cursor, 1)
    if after is not None:
        if not isinstance(after[0], int):
            raise InvalidInput("cursor is not one this API issued")
        where &= Petition.id < after[0]
    rows = (
        await Petition.select(
            *Petition.all_columns(), Petition.district.code.as_alias("district_code")
        )
        .where(where)
        .order_by(Petition.id, ascending=False)
        .limit(limit + 1)
    )
    page = make_page(rows, limit, key=lambda r: [r["id"]])
    counted = await counts([r["id"] for r in page.items])
    at = now()
    items = [await _out(settings, r, counted.get(r["id"], 0), at) for r in page.items]
    return Page(items=items, next_cursor=page.next_cursor)


async def signers(petition_id: int, *, limit: int, cursor: str | None) -> Page[SignerOut]:
    """The public list of signers (the law makes it public), names shortened."""
    row = await _petition(petition_id)
    if row["status"] in ("draft", "moderation"):
        raise NotFound(f"no petition {petition_id}")
    limit = check_limit(limit, 500)
    after = decode_cursor(cursor, 1)
    where: Any = PetitionSignature.petition == petition_id
    if after is not None:
        if not isinstance(after[0], int):
            raise InvalidInput("cursor is not one this API issued")
        where &= PetitionSignature.id > after[0]
    rows = (
        await PetitionSignature.select(
            PetitionSignature.id,
            PetitionSignature.signed_at,
            PetitionSignature.district_code,
            PetitionSignature.resident.display_name.as_alias("name"),
        )
        .where(where)
        .order_by(PetitionSignature.id)
        .limit(limit + 1)
    )
    page = make_page(rows, limit, key=lambda r: [r["id"]])
    return Page(
        items=[
            SignerOut(
                name=rules.public_name(r["name"]),
                district=r["district_code"],
                signed_at=r["signed_at"],
            )
            for r in page.items
        ],
        next_cursor=page.next_cursor,
    )


async def iter_public_rows() -> AsyncIterator[dict[str, Any]]:
    """The petitions dataset: every published petition with its count, by id."""
    after = 0
    while True:
        rows = (
            await Petition.select(
                *Petition.all_columns(), Petition.district.code.as_alias("district_code")
            )
            .where(Petition.status.is_in(["open", "answered", "rejected"]) & (Petition.id > after))
            .order_by(Petition.id)
            .limit(500)
        )
        if not rows:
            return
        counted = await counts([r["id"] for r in rows])
        at = now()
        for row in rows:
            out = await _out(None, row, counted.get(row["id"], 0), at)
            yield {
                "id": out.id,
                "title": out.title,
                "addressee": out.addressee,
                "district": out.district,
                "state": out.state,
                "signatures": out.signatures,
                "threshold": out.threshold,
                "opened_at": out.opened_at,
                "closes_at": out.closes_at,
                "threshold_reached_at": out.threshold_reached_at,
                "answer_kind": out.answer.kind if out.answer else None,
                "answered_at": out.answer.answered_at if out.answer else None,
            }
        after = rows[-1]["id"]
