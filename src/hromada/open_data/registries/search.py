"""What the registries put in the search index: districts, streets and buildings.

Registry records are all public. Their ids in the index are the public keys
(district and street codes, building ids).
"""

from __future__ import annotations

from collections.abc import Sequence

from hromada.open_data.registries import records, service
from hromada.open_data.registries.declared import Registry
from hromada.open_data.registries.kinds import REGISTRIES
from hromada.open_data.registries.tables import RegistryRecord
from hromada.search.port import Document, DocumentType, Field, ValueLoader

_DISTRICT = Field(
    "district", "keyword", filterable=True, facet=True, values=service.district_code_set
)
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
    fields=(
        _ADDRESS,
        _DISTRICT,
        Field(
            "street_kind", "keyword", filterable=True, facet=True, values=service.street_kind_set
        ),
    ),
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
        Field("street", "keyword", filterable=True, values=service.street_code_set),
        Field("floors", "int", filterable=True, sortable=True),
        Field("year_built", "int", filterable=True, sortable=True),
    ),
    load=_buildings,
    scan=service.building_ids,
)


def _enum(registry: Registry, name: str) -> ValueLoader:
    values = registry.by_name[name].enum

    async def load() -> tuple[str, ...]:
        return values

    return load


def declared_document_type(registry: Registry) -> DocumentType:
    """A declared registry's records as search documents: the title field, the text
    fields, the district and every enum (a facet); ids are the stored keys."""
    enums = [f.name for f in registry.public_fields if f.enum]

    async def load(ids: Sequence[str]) -> list[Document]:
        out: list[Document] = []
        for found in await records.records_by_keys(registry, list(ids)):
            title = found.get(registry.title_field or registry.key)
            words = [str(found[n]) for n in registry.text_fields if found.get(n)]
            document: Document = {
                "id": records.sort_key(registry, found[registry.key]),
                "title": str(title if title is not None else found[registry.key]),
                "address": " · ".join(words),
                "district": found.get("district"),
            }
            document.update({name: found.get(name) for name in enums})
            out.append(document)
        return out

    async def scan(after: str | None, limit: int) -> list[str]:
        query = RegistryRecord.select(RegistryRecord.key).where(
            RegistryRecord.registry == registry.slug
        )
        if after is not None:
            query = query.where(RegistryRecord.key > after)
        return [r["key"] for r in await query.order_by(RegistryRecord.key).limit(limit)]

    return DocumentType(
        name=registry.slug,
        label_uk=registry.title.uk,
        label_en=registry.title.en,
        fields=(
            _ADDRESS,
            _DISTRICT,
            *(
                Field(name, "keyword", filterable=True, facet=True, values=_enum(registry, name))
                for name in enums
            ),
        ),
        load=load,
        scan=scan,
    )


DOCUMENT_TYPES = (
    DISTRICT,
    STREET,
    BUILDING,
    *(declared_document_type(registry) for registry in REGISTRIES),
)
