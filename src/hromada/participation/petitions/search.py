"""What petitions put in the search index: every published petition (open, answered or
refused), by its number. The count is not in the document: it changes with every
signature, and the index is for finding a petition, not for counting."""

from __future__ import annotations

from collections.abc import Sequence

from hromada.open_data.registries.service import district_code_set
from hromada.participation.petitions.tables import Petition
from hromada.search.port import Document, DocumentType, Field

PUBLISHED = ("open", "answered", "rejected")


async def _statuses() -> tuple[str, ...]:
    return PUBLISHED


async def _load(ids: Sequence[str]) -> list[Document]:
    numbers = [int(i) for i in ids if i.isdigit() and len(i) < 12]
    if not numbers:
        return []
    rows = await Petition.select(
        Petition.id,
        Petition.title,
        Petition.text,
        Petition.status,
        Petition.district.code.as_alias("district"),
    ).where(Petition.id.is_in(numbers) & Petition.status.is_in(list(PUBLISHED)))
    return [
        {
            "id": str(r["id"]),
            "title": r["title"],
            "body": r["text"],
            "district": r["district"],
            "petition_status": r["status"],
        }
        for r in rows
    ]


async def _scan(after: str | None, limit: int) -> list[str]:
    query = Petition.select(Petition.id).where(Petition.status.is_in(list(PUBLISHED)))
    if after is not None:
        query = query.where(Petition.id > int(after))
    return [str(r["id"]) for r in await query.order_by(Petition.id).limit(limit)]


PETITION = DocumentType(
    name="petition",
    label_uk="Петиція",
    label_en="Petition",
    fields=(
        Field("body", "text", searchable=True, crop=True),
        Field("district", "keyword", filterable=True, facet=True, values=district_code_set),
        Field("petition_status", "keyword", filterable=True, facet=True, values=_statuses),
    ),
    load=_load,
    scan=_scan,
)
DOCUMENT_TYPES = (PETITION,)
