"""What procurement puts in the search index: every stored tender, by its ProZorro id.

A tender is public in ProZorro itself, so every stored one is a document. Winners are
not in it: an individual entrepreneur is never published by name, and a legal entity
winner is found through the tender's page, not by search."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from hromada.open_data.procurement.tables import Tender
from hromada.search.port import Document, DocumentType, Field

DOC_TYPE = "tender"
_ID_LENGTH = 32  # ProZorro's ids: 32 lowercase hex digits


async def _statuses() -> Collection[str]:
    # Read when asked: the import queues this type's documents, so it imports this module.
    from hromada.open_data.procurement.importing import STATUSES

    return STATUSES


async def _load(ids: Sequence[str]) -> list[Document]:
    wanted = [i for i in dict.fromkeys(ids) if len(i) == _ID_LENGTH]
    if not wanted:
        return []
    rows = await Tender.select(
        Tender.id,
        Tender.tender_id,
        Tender.title,
        Tender.status,
        Tender.entity_edrpou,
        Tender.entity_name,
        Tender.cpv,
        Tender.expected_amount,
        Tender.year,
    ).where(Tender.id.is_in(wanted))
    return [
        {
            "id": r["id"],
            "title": r["title"],
            # The procuring entity's name and the tender's public number are searched too.
            "body": f"{r['entity_name']} · {r['tender_id']}",
            "tender_status": r["status"],
            "entity_edrpou": r["entity_edrpou"],
            "cpv": r["cpv"] or "",
            "expected_uah": r["expected_amount"] // 100,  # whole hryvnias: a sort key
            "year": r["year"],
        }
        for r in rows
    ]


async def _scan(after: str | None, limit: int) -> list[str]:
    query = Tender.select(Tender.id)
    if after is not None:
        query = query.where(Tender.id > after)
    return [r["id"] for r in await query.order_by(Tender.id).limit(limit)]


TENDER = DocumentType(
    name=DOC_TYPE,
    label_uk="Закупівля (ProZorro)",
    label_en="Tender (ProZorro)",
    fields=(
        Field("body", "text", searchable=True, crop=True),
        Field("tender_status", "keyword", filterable=True, facet=True, values=_statuses),
        Field("entity_edrpou", "keyword", filterable=True),
        Field("cpv", "keyword", filterable=True),
        Field("expected_uah", "int", filterable=True, sortable=True),
        Field("year", "int", filterable=True, sortable=True),
    ),
    load=_load,
    scan=_scan,
)
DOCUMENT_TYPES = (TENDER,)
