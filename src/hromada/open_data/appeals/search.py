"""What appeals put in the search index: public appeals only, anonymised as published.

Confidential appeals never reach the index: the loader is ``get_appeals``, which
leaves them out, and an appeal that becomes confidential is removed (its public
id is queued by the import and found gone).
"""

from __future__ import annotations

from hromada.open_data.appeals import service
from hromada.open_data.appeals.documents import category_codes, statuses
from hromada.open_data.registries.service import district_code_set
from hromada.search.port import DocumentType, Field

APPEAL = DocumentType(
    name="appeal",
    label_uk="Звернення",
    label_en="Appeal",
    fields=(
        Field("body", "text", searchable=True, crop=True),
        Field("address", "text", searchable=True),
        Field("category", "keyword", filterable=True, facet=True, values=category_codes),
        Field("district", "keyword", filterable=True, facet=True, values=district_code_set),
        Field("status", "keyword", filterable=True, facet=True, values=statuses),
        Field("received_at", "date", filterable=True, sortable=True),
    ),
    load=service.search_documents,
    scan=service.public_ids,
)

DOCUMENT_TYPES = (APPEAL,)
