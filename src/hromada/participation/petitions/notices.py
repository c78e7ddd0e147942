"""E-mail about petitions: to the author at every state change, to signers when the answer
is published; only to residents who turned e-mail on, at the address their identity
provider gave.

The outbox is the jobs queue: a notice row and its job are written in the transaction of
the change, so a change that rolls back owes nothing and one that commits cannot lose its
mail. The send job retries while the SMTP server is away (``MAIL_ATTEMPTS`` with the
worker's backoff, about a day); a notice is marked done in the same step that sent it,
and a notice already done is never sent again. The one window left, a worker dying
between the server's acceptance and that mark, repeats a message with the same
Message-ID, which mail systems treat as one message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from hromada import db, mail
from hromada.auth.tables import Resident
from hromada.config import Settings
from hromada.jobs import service as jobs
from hromada.participation.petitions.tables import Petition, PetitionNotice, PetitionSignature

SEND = "petitions.email"
FAN_OUT = "petitions.email-signers"
THRESHOLD = "petitions.threshold"
MAIL_ATTEMPTS = 150  # with the worker's backoff (capped at 10 minutes): about a day
FAN_OUT_BATCH = 500

_SUBJECTS = {
    "author:cosponsoring": "Петиція «{title}» чекає на співавторів",
    "author:submitted": "Петицію «{title}» надіслано на модерацію",
    "author:published": "Петицію «{title}» оприлюднено: збір підписів триває",
    "author:rejected": "Петицію «{title}» не оприлюднено",
    "author:threshold": "Петиція «{title}» набрала потрібну кількість підписів",
    "author:answered": "Відповідь на петицію «{title}»",
    "signer:answered": "Відповідь на петицію «{title}», яку ви підписали",
}
_ANSWER_KINDS = {"supported": "підтримано", "partly": "підтримано частково",
                 "not_supported": "не підтримано"}  # fmt: skip


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


async def _owe(petition_id: int, resident_ids: list[int], event: str) -> list[int]:
    """Notices for those of ``resident_ids`` who have e-mail on, each once; their ids."""
    if not resident_ids:
        return []
    wanting = [
        int(r["id"])
        for r in await Resident.select(Resident.id).where(
            Resident.id.is_in(resident_ids) & (Resident.email_notifications == True)  # noqa: E712
        )
    ]
    if not wanting:
        return []
    rows = [(petition_id, r, event, _now()) for r in wanting]
    placeholders = ", ".join("({}, {}, {}, {})" for _ in rows)
    created = await PetitionNotice.raw(
        "INSERT INTO petition_notice (petition, resident, event, created_at) "  # noqa: S608
        f"VALUES {placeholders} ON CONFLICT (petition, resident, event) DO NOTHING RETURNING id",
        *[v for row in rows for v in row],
    ).run()
    ids = [int(r["id"]) for r in created]
    for notice in ids:
        await jobs.enqueue(SEND, {"notice": notice}, max_attempts=MAIL_ATTEMPTS)
    return ids


async def to_author(petition_id: int, author_id: int, event: str) -> None:
    """Inside the change's write transaction: the author is owed a mail about ``event``."""
    await _owe(petition_id, [author_id], f"author:{event}")


async def check_threshold(petition_id: int) -> None:
    """Inside a signature's transaction: once it commits, a job counts the signatures and
    owes the author the "threshold reached" mail if they are enough. The job runs after
    the commit that crosses the threshold, so the crossing is never missed by a race."""
    await jobs.enqueue(
        THRESHOLD, {"petition": petition_id}, dedupe_key=f"{THRESHOLD}:{petition_id}"
    )


async def threshold_reached(settings: Settings, payload: dict[str, Any]) -> None:
    petition_id = int(payload["petition"])
    petition = (
        await Petition.select(Petition.author, Petition.threshold, Petition.status)
        .where(Petition.id == petition_id)
        .first()
    )
    if petition is None:
        return
    signed = await PetitionSignature.count().where(PetitionSignature.petition == petition_id)
    if signed >= petition["threshold"]:
        async with db.write_transaction():
            await to_author(petition_id, petition["author"], "threshold")


async def to_signers(petition_id: int) -> None:
    """Inside the answer's write transaction: a job that owes every signer a mail. One job,
    not thousands of rows in the request: it works through the signers in batches."""
    await jobs.enqueue(FAN_OUT, {"petition": petition_id}, dedupe_key=f"{FAN_OUT}:{petition_id}")


async def fan_out(settings: Settings, payload: dict[str, Any]) -> None:
    """The signers' notices, a batch per transaction; a re-run adds only what is missing."""
    petition_id = int(payload["petition"])
    after = 0
    while True:
        batch = (
            await PetitionSignature.select(PetitionSignature.id, PetitionSignature.resident)
            .where((PetitionSignature.petition == petition_id) & (PetitionSignature.id > after))
            .order_by(PetitionSignature.id)
            .limit(FAN_OUT_BATCH)
        )
        if not batch:
            return
        async with db.write_transaction():
            await _owe(petition_id, [int(r["resident"]) for r in batch], "signer:answered")
        after = int(batch[-1]["id"])


def _link(settings: Settings, petition_id: int) -> str:
    base = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    return f"{base}/api/v1/petitions/{petition_id}"


def _body(settings: Settings, event: str, petition: dict[str, Any], name: str) -> str:
    title = petition["title"]
    lines = [f"Добрий день, {name}!", ""]
    kind = event.split(":", 1)[1]
    if kind == "cosponsoring":
        lines.append(f"Вашу петицію «{title}» має підтримати {petition['cosponsors']} "
                     "співавторів, перш ніж її буде надіслано на модерацію. Поділіться "
                     "посиланням нижче: кожен, хто її підтримає, також її підписує.")  # fmt: skip
    elif kind == "submitted":
        lines.append(f"Вашу петицію «{title}» отримано. Її буде оприлюднено або відхилено "
                     f"з пояснень не пізніше {petition['moderation_due']:%d.%m.%Y}.")  # fmt: skip
    elif kind == "published":
        lines.append(f"Вашу петицію «{title}» оприлюднено. Збір підписів триває до "
                     f"{petition['closes_at']:%d.%m.%Y}; потрібно {petition['threshold']} "
                     "підписів.")  # fmt: skip
    elif kind == "rejected":
        lines.append(f"Вашу петицію «{title}» не оприлюднено. Підстава: "
                     f"{petition['rejection_code']}.")  # fmt: skip
        if petition["rejection_note"]:
            lines.append(petition["rejection_note"])
    elif kind == "threshold":
        lines.append(f"Петиція «{title}» набрала {petition['threshold']} підписів. Рада має "
                     "розглянути її протягом десяти робочих днів.")  # fmt: skip
    else:
        verdict = _ANSWER_KINDS.get(petition["answer_kind"] or "", "")
        lines.append(f"На петицію «{title}» надано відповідь: {verdict}.")
        lines += ["", petition["answer_text"] or ""]
    lines += [
        "",
        f"Петиція: {_link(settings, petition['id'])}",
        "",
        "Ви отримали цей лист, бо ввімкнули сповіщення електронною поштою. Вимкнути: "
        'PUT /api/v1/me/notifications {"email": false}.',
    ]
    return "\n".join(lines)


def _message_id(settings: Settings, notice: dict[str, Any]) -> str:
    domain = urlsplit(settings.public_url).hostname or "hromada.local"
    event = notice["event"].replace(":", ".")
    return f"<petition-{notice['petition']}.{event}.{notice['resident']}@{domain}>"


async def send(settings: Settings, payload: dict[str, Any]) -> None:
    """Send one notice, once. Raises (so the queue retries) while SMTP is not there."""
    notice = (
        await PetitionNotice.select().where(PetitionNotice.id == int(payload["notice"])).first()
    )
    if notice is None or notice["done_at"] is not None:
        return
    resident = (
        await Resident.select(Resident.email, Resident.email_notifications, Resident.display_name)
        .where(Resident.id == notice["resident"])
        .first()
    )
    if resident is None or not resident["email_notifications"] or not resident["email"]:
        outcome = "skipped"  # turned off since: their choice now wins
    else:
        petition = await Petition.select().where(Petition.id == notice["petition"]).first()
        if petition is None:
            return
        parts = str(resident["display_name"]).split()
        name = parts[1] if len(parts) > 1 else (parts[0] if parts else "")
        message = mail.message(
            settings,
            to=resident["email"],
            subject=_SUBJECTS[notice["event"]].format(title=petition["title"]),
            body=_body(settings, notice["event"], petition, name),
            message_id=_message_id(settings, notice),
        )
        await mail.send(settings, message)
        outcome = "sent"
    async with db.write_transaction():
        await PetitionNotice.update(
            {PetitionNotice.done_at: _now(), PetitionNotice.outcome: outcome}
        ).where((PetitionNotice.id == notice["id"]) & PetitionNotice.done_at.is_null())
