"""Every document type the index holds, gathered from the domains that declare them.

A new dataset adds its ``search.py`` declaration to :func:`document_types`.
"""

from __future__ import annotations

import functools

from hromada.errors import InvalidInput
from hromada.search.port import DocumentType, IndexSettings, index_settings

# Words people use for the same thing. Kept short and specific: each pair must
# be true in every dataset.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "теплопостачання": ("опалення",),
    "опалення": ("теплопостачання",),
    "ліфт": ("підйомник",),
    "сміття": ("відходи",),
    "відходи": ("сміття",),
}


@functools.cache
def document_types() -> tuple[DocumentType, ...]:
    from hromada.open_data.appeals.search import DOCUMENT_TYPES as appeals
    from hromada.open_data.registries.search import DOCUMENT_TYPES as registries

    types = (*appeals, *registries)
    names = [t.name for t in types]
    if len(names) != len(set(names)):
        raise ValueError(f"document type names must be unique: {names}")
    return types


def document_type(name: str) -> DocumentType:
    for doc_type in document_types():
        if doc_type.name == name:
            return doc_type
    known = ", ".join(t.name for t in document_types())
    raise InvalidInput(
        f"no document type {name!r}; types: {known}",
        errors=[{"where": "query", "name": "type", "message": f"one of {known}"}],
    )


@functools.cache
def settings() -> IndexSettings:
    return index_settings(document_types(), SYNONYMS)
