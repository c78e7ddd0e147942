"""E-petitions: create, moderate, sign once, reach the threshold, answer.

Every rule is here; REST and GraphQL translate. The public state is derived from
the stored status, the clock and the count (``rules.state``), so a petition is
closed at its deadline and under consideration at its threshold without a job.
Signing is one insert, unique per petition and resident (a composite unique
index): a hundred concurrent duplicates leave one signature and no error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import AsyncIterator, Sequence
from typing import Any

import msgspec

from hromada import db
from hromada.config import Settings
from hromada.errors import Conflict, InvalidInput, NotFound, TooMany
from hromada.open_data.catalog.jobs import queue_publish
from hromada.open_data.registries.tables import District
from hromada.paging import Page, check_limit, decode_cursor, make_page
from hromada.participation import texts
from hromada.participation.audit import service as audit
from hromada.participation.petitions import kinds, notices, rules
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
from hromada.petition_types import PetitionType
from hromada.search import outbox
from hromada.search import service as search_service
from hromada.search.port import SearchBackend

TITLE = (10, 200)
TEXT = (50, 10_000)
ADDRESSEE = (2, 200)
MAX_PAGE = 100
PUBLISHED_WITH = {
    "published": ("petitions",),
    "rejected": ("petitions",),
    "answered": ("petitions", "petition-answers", "petition-signatures-by-district"),
}
# A signature that saw at least threshold - THRESHOLD_WINDOW others asks the queue to check
# whether the threshold is reached (one queued check per petition). The signature that
# crosses it saw fewer than the threshold, and more than threshold - WINDOW unless that
# many signatures were uncommitted at the same moment, far more than a server's
# connections allow; below the window signing never touches the queue.
THRESHOLD_WINDOW = 200
# The window of ``petition_signatures_per_day``.
SIGNING_WINDOW = dt.timedelta(days=1)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


_bad = texts.bad


def _checked_text(name: str, value: str, bounds: tuple[int, int]) -> str:
    return texts.checked_text(name, value, bounds, lines=name == "text")


async def _district_id(code: str | None) -> int | None:
    if not code:
        return None
    found = await District.select(District.id).where(District.code == code).first()
    if found is None:
        raise _bad("district", "unknown district code", f"no district with code {code[:64]!r}")
    return int(found["id"])


async def create(settings: Settings, resident_id: int, new: NewPetition) -> PetitionOut:
    title = _checked_text("title", new.title, TITLE)
    text = _checked_text("text", new.text, TEXT)
    addressee = _checked_text("addressee", new.addressee, ADDRESSEE)
    texts.refuse_personal_data("petition", title, text)
    district = await _district_id(new.district)
    kind = kinds.chosen(settings, new.kind)
    await kinds.check_eligible(settings, kind, resident_id)
    async with db.write_transaction():
        pending = await Petition.count().where(
            (Petition.author == resident_id) & Petition.status.is_in(["draft", "moderation"])
        )
        if pending >= settings.petition_open_drafts:
            raise Conflict(
                f"you already have {pending} petitions in draft or moderation: submit or wait "
                "for those first",
                code="petition.too_many_drafts",
                values={"pending": pending},
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
                    kind=kind.name,
                    threshold=kind.threshold,
                    cosponsors=kind.cosponsors,
                    created_at=now(),
                )
            ).returning(Petition.id)
        )[0]
        # No audit entry: a draft is its author's alone (to anyone else it does not
        # exist), and a public entry would show that it does. Submitting is the first.
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
        raise NotFound(
            f"no petition {petition_id}", code="petition.not_found", values={"number": petition_id}
        )
    return row


async def submit(settings: Settings, resident_id: int, petition_id: int) -> PetitionOut:
    """A draft goes to moderation, or first to its co-sponsors when its type needs them."""
    async with db.write_transaction():
        row = await _petition(petition_id)
        if row["author"] != resident_id:
            raise NotFound(
                f"no petition {petition_id}",
                code="petition.not_found",
                values={"number": petition_id},
            )
        if row["status"] != "draft":
            raise Conflict(
                f"petition {petition_id} is {row['status']}, not a draft",
                code="petition.not_draft",
                values={"number": petition_id},
            )
        if row["cosponsors"] > 0:
            # Reachable by its link (not listed) until enough residents back it.
            await Petition.update({Petition.status: "cosponsoring"}).where(
                Petition.id == petition_id
            )
            await _log(petition_id, "cosponsoring", "author", needed=row["cosponsors"])
            await notices.to_author(petition_id, resident_id, "cosponsoring")
        else:
            await _to_moderation(settings, petition_id, resident_id, "author")
    return await get(settings, petition_id, viewer=resident_id)


async def _to_moderation(settings: Settings, petition_id: int, author_id: int, actor: str) -> None:
    at = now()
    due = rules.add_working_days(at, settings.petition_moderation_days, settings.petition_holidays)
    await Petition.update(
        {Petition.status: "moderation", Petition.submitted_at: at, Petition.moderation_due: due}
    ).where(Petition.id == petition_id)
    await _log(petition_id, "submitted", actor, moderation_due=due.isoformat())
    await notices.to_author(petition_id, author_id, "submitted")


async def _log(petition_id: int, action: str, actor: str, **detail: Any) -> None:
    """The audit entry of a state change; a petition the public sees is re-indexed with it."""
    if action in ("published", "rejected", "answered"):
        await outbox.enqueue("petition", [petition_id])
        # The datasets follow the change (one waiting job per dataset, however many
        # changes); the counts in them also follow a daily `hromada publish`.
        for slug in PUBLISHED_WITH[action]:
            await queue_publish(slug)
    await audit.append(
        domain="petitions",
        subject=f"petition:{petition_id}",
        action=action,
        actor=actor,
        detail=detail,
    )


async def moderate(
    settings: Settings, petition_id: int, decision: Moderation, *, staff_id: int | None
) -> PetitionOut:
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
                Petition.closes_at: at
                + dt.timedelta(days=kinds.of_petition(settings, row["kind"]).days),
            }
        else:
            values = {
                Petition.status: "rejected",
                Petition.rejection_code: decision.code,
                Petition.rejection_note: note,
            }
        await Petition.update(values).where(Petition.id == petition_id)
        moderator = audit.staff_actor(settings, "moderator", staff_id)
        if decision.decision == "publish":
            await _log(petition_id, "published", moderator)
            await notices.to_author(petition_id, row["author"], "published")
        else:
            await _log(petition_id, "rejected", moderator, code=decision.code, note=note)
            await notices.to_author(petition_id, row["author"], "rejected")
    return await get(settings, petition_id)


async def sign(settings: Settings, resident_id: int, petition_id: int) -> SignatureOut:
    """One signature per resident: a repeat (or a hundred at once) changes nothing.

    Three statements on the way in: the petition, its count up to the threshold (bounded
    work, however many have signed), and one insert that takes the signer's district from
    their resident row, under the unique index on (petition, resident). A petition still
    gathering co-sponsors takes them the same way (``_cosponsor``)."""
    async with db.write_transaction():
        row = (
            await Petition.select(
                Petition.status,
                Petition.closes_at,
                Petition.threshold,
                Petition.author,
                Petition.kind,
                Petition.cosponsors,
            )
            .where(Petition.id == petition_id)
            .first()
        )
        if row is None:
            raise NotFound(
                f"no petition {petition_id}",
                code="petition.not_found",
                values={"number": petition_id},
            )
        kind = kinds.of_petition(settings, row["kind"])
        if row["status"] == "cosponsoring":
            return await _cosponsor(settings, petition_id, row, kind, resident_id)
        at = now()
        before = await _count_up_to(petition_id, row["threshold"])
        if row["status"] != "open" or (row["closes_at"] is not None and at >= row["closes_at"]):
            if row["status"] in ("draft", "moderation") and row["author"] != resident_id:
                raise NotFound(
                    f"no petition {petition_id}",
                    code="petition.not_found",
                    values={"number": petition_id},
                )
            current = rules.state(
                row["status"],
                closes_at=row["closes_at"],
                signatures=before,
                threshold=row["threshold"],
                now=at,
            )
            raise Conflict(
                f"petition {petition_id} is {current}: it takes no signatures",
                code="petition.not_signable",
                values={"number": petition_id},
            )
        await kinds.check_eligible(settings, kind, resident_id)
        signed_at, inserted = await _insert_signature(settings, petition_id, resident_id, at)
        if inserted and row["threshold"] - THRESHOLD_WINDOW <= before < row["threshold"]:
            await notices.check_threshold(petition_id)
    return SignatureOut(petition=petition_id, signed=inserted, signed_at=signed_at)


async def _insert_signature(
    settings: Settings, petition_id: int, resident_id: int, at: dt.datetime
) -> tuple[dt.datetime, bool]:
    """The signature's time, and whether it is new (False: this resident had signed).

    A resident adds at most ``petition_signatures_per_day`` signatures in any 24 hours: the
    insert counts them in the same statement, and the one past the limit is refused with
    ``TooMany``. A repeat of a signature already made is never refused, so retries stay
    idempotent. The resident's lock, taken first, makes the count exact under concurrent
    signing (each statement then sees what the one before committed).
    """
    limit = settings.petition_signatures_per_day
    sql = (
        "INSERT INTO petition_signature (petition, resident, district_code, signed_at) "
        "SELECT {}, id, district_code, {} FROM resident WHERE id = {}"
    )
    args: list[Any] = [petition_id, at, resident_id]
    if limit:
        await db.advisory_xact_lock(f"hromada-signer:{resident_id}")
        sql += (
            " AND (SELECT count(*) FROM (SELECT 1 FROM petition_signature WHERE resident = {} "
            "AND signed_at > {} LIMIT {}) AS recent) < {}"
        )
        args += [resident_id, at - SIGNING_WINDOW, limit, limit]
    sql += " ON CONFLICT (petition, resident) DO NOTHING RETURNING signed_at"
    inserted = await PetitionSignature.raw(sql, *args).run()
    if inserted:
        return db.instant(inserted[0]["signed_at"]), True
    earlier = await _signed_at(petition_id, resident_id)
    if earlier is not None:
        return earlier, False
    if limit:
        await _refuse_past_limit(resident_id, at, limit)
    # Not signed and not at the limit: no resident row, the session outlived its account.
    raise NotFound("this account no longer exists; log in again", code="account.gone")


async def _refuse_past_limit(resident_id: int, at: dt.datetime, limit: int) -> None:
    """``TooMany`` when the resident has ``limit`` signatures in the 24 hours before ``at``,
    with the seconds until the oldest of them leaves the window; reads at most ``limit``
    rows."""
    recent = await PetitionSignature.raw(
        "SELECT signed_at FROM petition_signature WHERE resident = {} AND signed_at > {} "
        "ORDER BY signed_at DESC LIMIT {}",
        resident_id,
        at - SIGNING_WINDOW,
        limit,
    ).run()
    if len(recent) < limit:
        return
    free_at = db.instant(recent[-1]["signed_at"]) + SIGNING_WINDOW
    wait = max(1, math.ceil((free_at - at).total_seconds()))
    raise TooMany(
        f"you have added {limit} signatures in the last 24 hours, the most one resident may: "
        f"try again in {_duration(wait)}",
        retry_after=wait,
        code="signing.daily_limit",
        values={"limit": limit, "hours": max(1, -(-wait // 3600))},
    )


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes = max(1, math.ceil(rest / 60)) if rest else 0
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


async def _has_signed(petition_id: int, resident_id: int | None) -> bool:
    if resident_id is None:
        return False
    return bool(
        await PetitionSignature.exists().where(
            (PetitionSignature.petition == petition_id)
            & (PetitionSignature.resident == resident_id)
        )
    )


async def _signed_at(petition_id: int, resident_id: int) -> dt.datetime | None:
    mine = (
        await PetitionSignature.select(PetitionSignature.signed_at)
        .where(
            (PetitionSignature.petition == petition_id)
            & (PetitionSignature.resident == resident_id)
        )
        .first()
    )
    return None if mine is None else db.instant(mine["signed_at"])


async def _cosponsor(
    settings: Settings,
    petition_id: int,
    row: dict[str, Any],
    kind: PetitionType,
    resident_id: int,
) -> SignatureOut:
    """Back a petition before moderation (inside ``sign``'s transaction). A co-sponsor's
    support is their signature, counted once the petition opens; the one that completes
    the co-sponsors sends it to moderation, exactly once (under the petition's lock)."""
    if row["author"] == resident_id:
        raise Conflict(
            "the author cannot co-sponsor their own petition: share its link instead",
            code="cosponsor.own_petition",
        )
    await kinds.check_eligible(settings, kind, resident_id)
    await db.advisory_xact_lock(f"hromada-petition:{petition_id}")
    status = await Petition.select(Petition.status).where(Petition.id == petition_id).first()
    if status is None or status["status"] != "cosponsoring":
        raise Conflict(
            f"petition {petition_id} has its co-sponsors: it is in moderation now",
            code="cosponsor.complete",
            values={"number": petition_id},
        )
    signed_at, inserted = await _insert_signature(settings, petition_id, resident_id, now())
    if inserted and await _count_up_to(petition_id, row["cosponsors"]) >= row["cosponsors"]:
        await _to_moderation(settings, petition_id, row["author"], "system")
    return SignatureOut(petition=petition_id, signed=inserted, signed_at=signed_at)


async def withdraw(settings: Settings, resident_id: int, petition_id: int) -> bool:
    """Take a signature (or a co-sponsorship) back, where the petition's type allows it,
    while the petition is short of its threshold; True when one was removed."""
    async with db.write_transaction():
        row = (
            await Petition.select(
                Petition.status, Petition.closes_at, Petition.threshold, Petition.author,
                Petition.kind,
            )
            .where(Petition.id == petition_id)
            .first()
        )  # fmt: skip
        if row is None or (
            row["status"] in ("draft", "moderation") and row["author"] != resident_id
        ):
            raise NotFound(
                f"no petition {petition_id}",
                code="petition.not_found",
                values={"number": petition_id},
            )
        kind = kinds.of_petition(settings, row["kind"])
        if not kind.withdrawal:
            raise Conflict(
                f"signatures on a petition of type {kind.name!r} are final: the community's "
                "rules allow no withdrawal",
                code="signature.final_by_rules",
            )
        await db.advisory_xact_lock(f"hromada-petition:{petition_id}")
        current = rules.state(
            row["status"],
            closes_at=row["closes_at"],
            signatures=await _count_up_to(petition_id, row["threshold"]),
            threshold=row["threshold"],
            now=now(),
        )
        if current not in ("open", "cosponsoring"):
            raise Conflict(
                f"petition {petition_id} is {current}: its signatures are final",
                code="signature.final",
                values={"number": petition_id},
            )
        removed = (
            await PetitionSignature.delete()
            .where(
                (PetitionSignature.petition == petition_id)
                & (PetitionSignature.resident == resident_id)
            )
            .returning(PetitionSignature.id)
        )
    return bool(removed)


async def _count_up_to(petition_id: int, limit: int) -> int:
    """Signatures of a petition, counted no further than ``limit``."""
    rows = await PetitionSignature.raw(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM petition_signature WHERE petition = {} "
        "LIMIT {}) AS first_ones",
        petition_id,
        limit,
    ).run()
    return int(rows[0]["n"])


async def answer(
    settings: Settings, petition_id: int, reply: Answer, *, staff_id: int | None
) -> PetitionOut:
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
        official = audit.staff_actor(settings, "official", staff_id)
        await _log(
            petition_id,
            "answered",
            official,
            kind=reply.kind,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
        await notices.to_author(petition_id, row["author"], "answered")
        await notices.to_signers(petition_id)
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
        kind=row["kind"],
        cosponsors_needed=row["cosponsors"],
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


def petition_types(settings: Settings) -> list[PetitionType]:
    """The types a new petition may take (the first is the default), with their rules."""
    return list(settings.petition_kinds)


async def get(
    settings: Settings, petition_id: int, *, viewer: int | None = None, staff: bool = False
) -> PetitionOut:
    """A petition with its counts by district. Drafts and petitions in moderation are
    seen by their author (and staff) only, and one in moderation by its co-sponsors too:
    to anyone else they do not exist."""
    row = await _petition(petition_id)
    hidden = row["status"] in ("draft", "moderation") and not staff and row["author"] != viewer
    if hidden and not (row["status"] == "moderation" and await _has_signed(petition_id, viewer)):
        raise NotFound(
            f"no petition {petition_id}", code="petition.not_found", values={"number": petition_id}
        )
    out = await _out(settings, row, (await counts([petition_id])).get(petition_id, 0), now())
    out.by_district = await by_district(petition_id)
    return out


class PetitionFilters(msgspec.Struct, kw_only=True):
    """What a list of petitions may be narrowed by (REST and GraphQL pass these)."""

    status: str | None = None
    district: str | None = None
    addressee: str | None = None
    reached: bool | None = None  # reached its threshold (open or answered)
    overdue: bool | None = None  # under consideration past its answer deadline
    q: str | None = None  # words, through the search index


async def _addressees_like(wanted: str) -> list[str]:
    """The stored addressees equal to ``wanted`` but for case and spacing. Compared here,
    not in SQL: SQLite's LIKE folds the case of ASCII letters only."""
    key = " ".join(wanted.split()).casefold()
    rows = await Petition.select(Petition.addressee).distinct()
    return [r["addressee"] for r in rows if " ".join(r["addressee"].split()).casefold() == key]


async def _reached_open(settings: Settings) -> dict[int, dt.datetime]:
    """Open petitions that reached their threshold, with their answer deadlines (one
    grouped query over the signatures of open petitions)."""
    rows = await PetitionSignature.raw(
        "SELECT s.petition AS id, p.threshold AS threshold FROM petition_signature s "
        "JOIN petition p ON p.id = s.petition WHERE p.status = 'open' "
        "GROUP BY s.petition, p.threshold HAVING COUNT(*) >= p.threshold"
    ).run()
    due: dict[int, dt.datetime] = {}
    for r in rows:
        reached = await _reached_at(int(r["id"]), int(r["threshold"]))
        if reached is not None:
            due[int(r["id"])] = rules.add_working_days(
                reached, settings.petition_answer_days, settings.petition_holidays
            )
    return due


async def list_petitions(
    settings: Settings,
    filters: PetitionFilters | None = None,
    *,
    queue: bool = False,
    limit: int,
    cursor: str | None,
    search: SearchBackend | None = None,
) -> Page[PetitionOut]:
    """Public petitions, newest first (with ``q``: most relevant first); ``queue`` (staff)
    lists those waiting for moderation. ``status`` filters on the stored status (open,
    answered, rejected); the page shows each petition's derived state."""
    f = filters or PetitionFilters()
    limit = check_limit(limit, MAX_PAGE)
    stored = ("moderation",) if queue else ("open", "answered", "rejected")
    if f.status is not None:
        if queue or f.status not in stored:
            raise InvalidInput(
                f"status must be one of {', '.join(stored)}",
                errors=[{"where": "query", "name": "status", "message": "unknown status"}],
            )
        stored = (f.status,)
    where: Any = Petition.status.is_in(list(stored))
    if f.district:
        where &= Petition.district == await _district_id(f.district)
    if f.addressee:
        where &= Petition.addressee.is_in(await _addressees_like(f.addressee) or [""])
    if f.reached is not None or f.overdue is not None:
        open_due = await _reached_open(settings)
        reached_ids = list(open_due)
        if f.overdue is not None:
            at = now()
            late = [i for i, due in open_due.items() if at > due]
            where &= (
                Petition.id.is_in(late or [0]) if f.overdue else Petition.id.not_in(late or [0])
            )
        if f.reached is True:
            where &= Petition.id.is_in(reached_ids or [0]) | (Petition.status == "answered")
        elif f.reached is False:
            where &= Petition.id.not_in(reached_ids or [0]) & (Petition.status != "answered")
    if f.q:
        return await _found(settings, f, where, limit, cursor, search)
    after = decode_cursor(cursor, 1, (int,))
    if after is not None:
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
    return Page(items=await _outs(settings, page.items), next_cursor=page.next_cursor)


async def of_author(
    settings: Settings, resident_id: int, *, limit: int, cursor: str | None
) -> Page[PetitionOut]:
    """The resident's own petitions in every state (drafts and those in moderation too),
    newest first: what only their author may see."""
    limit = check_limit(limit, MAX_PAGE)
    after = decode_cursor(cursor, 1, (int,))
    query = Petition.select(
        *Petition.all_columns(), Petition.district.code.as_alias("district_code")
    ).where(Petition.author == resident_id)
    if after:
        query = query.where(Petition.id < int(after[0]))
    rows = await query.order_by(Petition.id, ascending=False).limit(limit + 1)
    page = make_page(rows, limit, lambda r: (r["id"],))
    return Page(items=await _outs(settings, page.items), next_cursor=page.next_cursor)


async def _outs(settings: Settings, rows: list[dict[str, Any]]) -> list[PetitionOut]:
    counted = await counts([r["id"] for r in rows])
    at = now()
    return [await _out(settings, r, counted.get(r["id"], 0), at) for r in rows]


async def _found(
    settings: Settings,
    f: PetitionFilters,
    where: Any,
    limit: int,
    cursor: str | None,
    search: SearchBackend | None,
) -> Page[PetitionOut]:
    """``q``: the search index's page of petition numbers, most relevant first; only the
    filters the index knows (status, district) combine with words."""
    if f.addressee or f.reached is not None or f.overdue is not None:
        raise InvalidInput(
            "q combines with status and district only",
            errors=[{"where": "query", "name": "q", "message": "with status and district only"}],
        )
    if search is None:
        raise RuntimeError("searching petitions needs the search backend")
    ids, next_cursor, _ = await search_service.search_ids(
        search,
        "petition",
        q=f.q or "",
        filters={"petition_status": (f.status,) if f.status else (),
                 "district": (f.district,) if f.district else ()},
        limit=limit,
        cursor=cursor,
    )  # fmt: skip
    numbers = [int(i) for i in ids]
    rows = await Petition.select(
        *Petition.all_columns(), Petition.district.code.as_alias("district_code")
    ).where(where & Petition.id.is_in(numbers or [0]))
    order = {n: i for i, n in enumerate(numbers)}
    rows.sort(key=lambda r: order[r["id"]])
    return Page(items=await _outs(settings, rows), next_cursor=next_cursor)


async def similar(
    settings: Settings, search: SearchBackend, *, title: str, limit: int = 5
) -> list[PetitionOut]:
    """Open petitions that look like ``title``: shown before a new one is submitted, so a
    resident can sign an existing petition instead of starting a duplicate."""
    words = " ".join(title.split())[:200]
    if len(words) < 3:
        raise _bad("title", "at least 3 characters", "title must be at least 3 characters")
    page = await list_petitions(
        settings,
        PetitionFilters(status="open", q=words),
        limit=limit,
        cursor=None,
        search=search,
    )
    return page.items


async def signers(
    settings: Settings, petition_id: int, *, limit: int, cursor: str | None
) -> Page[SignerOut]:
    """The public list of signers (the law makes it public), names in the style of the
    petition's type; a petition gathering co-sponsors lists them."""
    row = await _petition(petition_id)
    if row["status"] in ("draft", "moderation"):
        raise NotFound(
            f"no petition {petition_id}", code="petition.not_found", values={"number": petition_id}
        )
    style = kinds.of_petition(settings, row["kind"]).signer_name
    limit = check_limit(limit, 500)
    after = decode_cursor(cursor, 1, (int,))
    where: Any = PetitionSignature.petition == petition_id
    if after is not None:
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
                name=rules.public_name(r["name"], style),
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


async def iter_answer_rows() -> AsyncIterator[dict[str, Any]]:
    """The answers dataset: every answered petition with the council's answer, by id."""
    after = 0
    while True:
        rows = (
            await Petition.select(
                Petition.id,
                Petition.title,
                Petition.answer_kind,
                Petition.answer_text,
                Petition.answered_at,
            )
            .where((Petition.status == "answered") & (Petition.id > after))
            .order_by(Petition.id)
            .limit(500)
        )
        if not rows:
            return
        counted = await counts([r["id"] for r in rows])
        for row in rows:
            yield {**row, "signatures": counted.get(row["id"], 0)}
        after = rows[-1]["id"]


async def iter_district_rows() -> AsyncIterator[dict[str, Any]]:
    """Signatures of every published petition by the signers' districts (one grouped query
    per 500 petitions); signers whose district is not known are counted as unknown."""
    after = 0
    while True:
        ids = [
            int(r["id"])
            for r in await Petition.select(Petition.id)
            .where(Petition.status.is_in(["open", "answered", "rejected"]) & (Petition.id > after))
            .order_by(Petition.id)
            .limit(500)
        ]
        if not ids:
            return
        marks = ", ".join("{}" for _ in ids)
        rows = await PetitionSignature.raw(
            "SELECT petition, district_code, COUNT(*) AS n FROM petition_signature "  # noqa: S608
            f"WHERE petition IN ({marks}) GROUP BY petition, district_code "
            "ORDER BY petition, district_code",
            *ids,
        ).run()
        for r in rows:
            yield {
                "petition": int(r["petition"]),
                "district": r["district_code"] or "unknown",
                "signatures": int(r["n"]),
            }
        after = ids[-1]
