"""The participation audit log: every state change and staff action, hash-chained.

Petitions and the participatory budget append here inside the transaction that makes
the change, so an entry exists exactly when its change does. Each entry's hash covers
the previous entry's hash and the entry itself (``entry_hash``), so editing, removing or
reordering any published entry changes every hash after it; the head hash, once copied
elsewhere, pins the whole history. Anyone can recompute the chain from
``GET /api/v1/audit`` (see ``verify_entries``); ``hromada audit verify`` does it against
the database.

Staff appear as their role and a pseudonym (an HMAC of their resident id under the
identity secret): the public sees that one moderator made these decisions, not who.
Residents appear only as their role ("author"): their petitions are not linked together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

import msgspec

from hromada import db
from hromada.auth.runtime import identity_secret
from hromada.config import Settings
from hromada.paging import Page, check_limit, decode_cursor, make_page
from hromada.participation.audit.schemas import AuditEntryOut, AuditHead
from hromada.participation.audit.tables import AuditEntry

GENESIS = "0" * 64
MAX_PAGE = 500
_LOCK = "hromada-participation-audit"


class BrokenChain(Exception):
    """The stored log does not recompute: names the first entry that fails."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(f"audit entry {seq}: {reason}")
        self.seq = seq


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    """SHA-256 of the previous hash, a newline, and the entry as canonical JSON (keys
    sorted, no spaces, UTF-8): seq, at (UTC, seconds, Z), domain, subject, action, actor
    and detail."""
    fields = {k: entry[k] for k in ("seq", "at", "domain", "subject", "action", "actor")}
    fields["detail"] = entry["detail"]
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def staff_actor(settings: Settings, role: str, resident_id: int | None) -> str:
    """``role:pseudonym``: the same staff member always gets the same pseudonym; the bare
    role when no resident acted (the admin token, a script)."""
    if not resident_id:
        return role
    digest = hmac.digest(
        identity_secret(settings).encode(), f"audit-actor:{resident_id}".encode(), "sha256"
    )
    return f"{role}:{digest.hex()[:12]}"


async def append(
    *,
    domain: str,
    subject: str,
    action: str,
    actor: str,
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Add one entry; only inside the ``db.write_transaction`` that makes the change, so
    the entry and the change commit or roll back together. Writers take turns on the
    chain's head (an advisory lock on PostgreSQL, the write lock on SQLite). ``at`` is
    now, but for the demo's history, written in the order it happened."""
    if not db.in_write_transaction():
        raise RuntimeError("audit entries are written inside the change's write transaction")
    await db.advisory_xact_lock(_LOCK)
    head = (
        await AuditEntry.select(AuditEntry.seq, AuditEntry.entry_hash)
        .order_by(AuditEntry.seq, ascending=False)
        .first()
    )
    seq = int(head["seq"]) + 1 if head else 1
    prev = str(head["entry_hash"]) if head else GENESIS
    at = (at or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    entry = {
        "seq": seq,
        "at": _stamp(at),
        "domain": domain,
        "subject": subject,
        "action": action,
        "actor": actor,
        "detail": detail or {},
    }
    await AuditEntry.insert(
        AuditEntry(
            seq=seq,
            at=at,
            domain=domain,
            subject=subject,
            action=action,
            actor=actor,
            detail=json.dumps(entry["detail"], ensure_ascii=False, sort_keys=True),
            prev_hash=prev,
            entry_hash=entry_hash(prev, entry),
        )
    )
    return seq


def _out(row: dict[str, Any]) -> AuditEntryOut:
    return AuditEntryOut(
        seq=row["seq"],
        at=_stamp(row["at"]),
        domain=row["domain"],
        subject=row["subject"],
        action=row["action"],
        actor=row["actor"],
        detail=json.loads(row["detail"]),
        prev_hash=row["prev_hash"],
        entry_hash=row["entry_hash"],
    )


async def entries(
    *, subject: str | None = None, limit: int, cursor: str | None
) -> Page[AuditEntryOut]:
    """The log in order, oldest first; ``subject`` ("petition:12") narrows it to one thing
    (its entries still carry the chain's hashes, checkable against the full log)."""
    limit = check_limit(limit, MAX_PAGE)
    where: Any = AuditEntry.seq > 0
    if subject:
        where &= AuditEntry.subject == subject[:64]
    after = decode_cursor(cursor, 1, (int,))
    if after is not None:
        where &= AuditEntry.seq > after[0]
    rows = await AuditEntry.select().where(where).order_by(AuditEntry.seq).limit(limit + 1)
    page = make_page(rows, limit, key=lambda r: [r["seq"]])
    return Page(items=[_out(r) for r in page.items], next_cursor=page.next_cursor)


async def head() -> AuditHead:
    row = await AuditEntry.select().order_by(AuditEntry.seq, ascending=False).first()
    if row is None:
        return AuditHead(entries=0, head_hash=GENESIS, at=None)
    return AuditHead(entries=row["seq"], head_hash=row["entry_hash"], at=_stamp(row["at"]))


def verify_entries(items: Iterable[AuditEntryOut], prev_hash: str = GENESIS, seq: int = 0) -> str:
    """Recompute a run of entries from the one before it; the last hash, or BrokenChain."""
    for item in items:
        if item.seq != seq + 1:
            raise BrokenChain(item.seq, f"follows entry {seq}: an entry is missing")
        if item.prev_hash != prev_hash:
            raise BrokenChain(item.seq, "does not point at the entry before it")
        recomputed = entry_hash(prev_hash, msgspec.structs.asdict(item))
        if recomputed != item.entry_hash:
            raise BrokenChain(item.seq, "its content does not match its hash")
        prev_hash, seq = item.entry_hash, item.seq
    return prev_hash


async def _all_entries() -> AsyncIterator[AuditEntryOut]:
    after = 0
    while True:
        rows = (
            await AuditEntry.select()
            .where(AuditEntry.seq > after)
            .order_by(AuditEntry.seq)
            .limit(MAX_PAGE)
        )
        if not rows:
            return
        for row in rows:
            yield _out(row)
        after = rows[-1]["seq"]


async def verify() -> AuditHead:
    """Recompute the whole stored chain (the CLI's ``hromada audit verify``)."""
    prev, seq = GENESIS, 0
    batch: list[AuditEntryOut] = []
    async for item in _all_entries():
        batch.append(item)
        if len(batch) == MAX_PAGE:
            prev = verify_entries(batch, prev, seq)
            seq = batch[-1].seq
            batch = []
    prev = verify_entries(batch, prev, seq)
    return await head()
