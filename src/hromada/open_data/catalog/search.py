"""What the catalogue puts in the search index: every published dataset, by its slug.

A dataset's metadata is declared in code and built from the city's settings, which
a search loader does not have; so each version row keeps the listing it was
published with (``listing``: titles, descriptions, keywords, themes), and the
document is the listing of the dataset's latest version. A dataset is searchable
from its first version on, like it is listed in the catalogue; the publish that
commits a version queues its document in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from hromada.open_data.catalog.model import THEME_TITLES, Dataset
from hromada.open_data.catalog.tables import DatasetVersion
from hromada.search.port import Document, DocumentType, Field

DOC_TYPE = "dataset"


def listing(dataset: Dataset) -> dict[str, Any]:
    """What a version row keeps of its dataset's metadata, for the search document."""
    return {
        "title_uk": dataset.title.uk,
        "title_en": dataset.title.en,
        "description_uk": dataset.description.uk,
        "description_en": dataset.description.en,
        "keywords": list(dataset.keywords),
        "themes": list(dataset.themes),
    }


def _document(slug: str, raw: Any, rows: int) -> Document | None:
    if raw is None:
        return None  # published before listings were kept: indexed from its next version
    data = msgspec.json.decode(raw) if isinstance(raw, str | bytes) else raw
    return {
        "id": slug,
        "title": data["title_uk"],
        "body": data["description_uk"],
        # English words and the keywords are searched too; the body is what a hit shows.
        "name_en": data["title_en"],
        "about": " ".join([data["description_en"], *data["keywords"]]),
        "theme": data["themes"],
        "rows": rows,
    }


async def _load(ids: Sequence[str]) -> list[Document]:
    wanted = [i for i in dict.fromkeys(ids) if 0 < len(i) <= 100]
    if not wanted:
        return []
    rows = await DatasetVersion.raw(
        "SELECT v.slug, v.listing, v.row_count FROM dataset_version v "  # noqa: S608
        f"WHERE v.slug IN ({', '.join('{}' for _ in wanted)}) AND v.number = "
        "(SELECT MAX(w.number) FROM dataset_version w WHERE w.slug = v.slug)",
        *wanted,
    )
    documents = (_document(r["slug"], r["listing"], int(r["row_count"])) for r in rows)
    return [d for d in documents if d is not None]


async def _scan(after: str | None, limit: int) -> list[str]:
    query = DatasetVersion.select(DatasetVersion.slug).distinct()
    if after is not None:
        query = query.where(DatasetVersion.slug > after)
    rows = await query.order_by(DatasetVersion.slug).limit(limit)
    return [r["slug"] for r in rows]


async def _themes() -> tuple[str, ...]:
    return tuple(THEME_TITLES)


DATASET = DocumentType(
    name=DOC_TYPE,
    label_uk="Набір даних",
    label_en="Dataset",
    fields=(
        Field("body", "text", searchable=True, crop=True),
        Field("name_en", "text", searchable=True),
        Field("about", "text", searchable=True, crop=True),
        Field("theme", "keyword", filterable=True, facet=True, values=_themes),
        Field("rows", "int", filterable=True, sortable=True),
    ),
    load=_load,
    scan=_scan,
)
DOCUMENT_TYPES = (DATASET,)
