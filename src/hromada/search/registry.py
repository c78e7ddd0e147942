"""Every document type the index holds, as the domains declare them.

Search never imports a domain: the composition root
(:func:`hromada.domains.compose`) hands it every domain's document types
through :func:`install`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from hromada.errors import InvalidInput
from hromada.search.port import DocumentType, IndexSettings, index_settings

# Words people use for the same thing: each group is true in every dataset. Ukrainian and
# Russian words of the city meet here (residents write either); inflected forms meet through
# their dictionary forms (search.morphology), so only dictionary forms are listed. Kept
# short and reviewed: a wrong pair costs precision everywhere.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("опалення", "теплопостачання", "отопление"),
    ("сміття", "відходи", "мусор"),
    ("ліфт", "підйомник", "лифт"),
    ("освітлення", "освещение"),
    ("каналізація", "канализация"),
    ("підʼїзд", "подъезд"),
    ("прибирання", "уборка"),
    ("водопостачання", "водоснабжение"),
)
SYNONYMS: dict[str, tuple[str, ...]] = {
    word: tuple(other for other in group if other != word)
    for group in SYNONYM_GROUPS
    for word in group
}


_types: tuple[DocumentType, ...] | None = None


def install(types: Iterable[DocumentType]) -> None:
    """Make ``types`` the document types the index holds (replacing any before)."""
    global _types
    found = tuple(types)
    names = [t.name for t in found]
    if len(names) != len(set(names)):
        raise ValueError(f"document type names must be unique: {names}")
    _types = found
    settings.cache_clear()


def document_types() -> tuple[DocumentType, ...]:
    if _types is None:
        raise RuntimeError(
            "no document types installed: the composition root calls "
            "hromada.domains.compose() first"
        )
    return _types


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


async def known_values(name: str) -> set[str] | None:
    """Every value the keyword filter ``name`` can take, across the document types that
    have it; None when one of them cannot say (then any value is taken)."""
    loaders = [f.values for t in document_types() for f in t.fields if f.name == name]
    if not loaders or any(loader is None for loader in loaders):
        return None
    known: set[str] = set()
    for loader in loaders:
        if loader is not None:
            known.update(await loader())
    return known
