"""The search outbox: how a domain change reaches the index, without losing any.

A domain calls :func:`enqueue` inside the transaction that changes its rows,
so the outbox row commits (or rolls back) with the change. The indexer
(:mod:`hromada.search.indexer`) drains the outbox later, whatever state the
search engine was in when the change happened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from hromada import db
from hromada.search.tables import SearchOutbox

Op = Literal["upsert", "delete", "purge"]
CHUNK = 1000
_INSERT = (
    "INSERT INTO search_outbox (doc_type, doc_id, op, created_at, attempts, last_error) "
    "VALUES ({}, {}, {}, {}, 0, '')"
)


async def enqueue(doc_type: str, ids: Iterable[str | int], op: Op = "upsert") -> int:
    """Record that documents of ``doc_type`` with ``ids`` changed; returns rows written.

    Call it inside the domain's transaction (Piccolo joins the running one).
    ``op`` is a hint: the indexer always reads the document's current state,
    so an upsert of something that is no longer public removes it.
    """
    from hromada.search.registry import document_type

    document_type(doc_type)  # an unknown type is a programming error, caught at once
    now = dt.datetime.now(dt.UTC)
    unique = list(dict.fromkeys(str(i) for i in ids))
    if db.in_write_transaction():
        # Inside the caller's transaction, through its driver: Piccolo's insert builder
        # costs about a millisecond a row, executemany a few microseconds.
        await db.execute_many(_INSERT, [(doc_type, i, op, now) for i in unique])
        return len(unique)
    rows = [
        SearchOutbox(doc_type=doc_type, doc_id=i, op=op, created_at=now, attempts=0) for i in unique
    ]
    for start in range(0, len(rows), CHUNK):
        await SearchOutbox.insert(*rows[start : start + CHUNK]).run()
    return len(rows)


async def pending() -> int:
    return int(await SearchOutbox.count().run())
