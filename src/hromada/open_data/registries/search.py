"""What the registries put in the search index: districts, streets and buildings.

Registry records are all public. Their ids in the index are the public keys
(district and street codes, building ids).
"""

from __future__ import annotations

from collections.abc import Sequence

from hromada.open_data.registries import service
from hromada.search.port import Document, DocumentType, Field

_DISTRICT = Field("district", "keyword", filterable=True, facet=True)
_ADDRESS = Field("address", "text", searchable=True)


async def _streets(ids: Sequence[str]) -> list[Document]:
    return await service.street_documents(list(ids))


async def _buildings(ids: Sequence[str]) -> list[Document]:
    return await service.building_documents(list(ids))


async def _districts(ids: Sequence[str]) -> list[Document]:
    return await service.district_documents(list(ids))


DISTRICT = DocumentType(
    name="district",
    label_uk="Район",
    label_en="District",
    fields=(Field("name_en", "text", searchable=True), _DISTRICT),
    load=_districts,
    scan=service.district_codes,
)

STREET = DocumentType(
    name="street",
    label_uk="Вулиця",
    label_en="Street",
    fields=(_ADDRESS, _DISTRICT, Field("street_kind", "keyword", filterable=True, facet=True)),
    load=_streets,
    scan=service.street_codes,
)

BUILDING = DocumentType(
    name="building",
    label_uk="Будинок",
    label_en="Building",
    fields=(
        _ADDRESS,
        _DISTRICT,
        Field("street", "keyword", filterable=True),
        Field("floors", "int", filterable=True, sortable=True),
        Field("year_built", "int", filterable=True, sortable=True),
    ),
    load=_buildings,
    scan=service.building_ids,
)

DOCUMENT_TYPES = (DISTRICT, STREET, BUILDING)
