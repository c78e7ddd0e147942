from __future__ import annotations

from typing import Any

import msgspec


class SearchHitOut(msgspec.Struct):
    type: str
    id: str
    title: str
    # The document's other public fields (dates as ISO-8601 UTC).
    fields: dict[str, Any]
    # Searchable field -> its text with the matched words in <em>…</em>; long text is cut
    # around the match ("…").
    highlights: dict[str, str]


class SearchPage(msgspec.Struct):
    items: list[SearchHitOut]
    next_cursor: str | None
    total: int
    total_is_estimate: bool
    # Facet field -> value -> documents matching the query and filters with that value.
    facets: dict[str, dict[str, int]]
