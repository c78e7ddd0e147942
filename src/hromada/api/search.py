"""``GET /api/v1/search``: every public document, by words, filters and facets."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter

from hromada.search import service
from hromada.search.runtime import backend_of
from hromada.search.schemas import SearchPage

RESERVED = frozenset({"q", "type", "facets", "sort", "limit", "cursor"})


class SearchController(Controller):
    path = "/api/v1/search"
    tags = ["search"]  # noqa: RUF012

    @get(
        "/",
        summary="Search every public document",
        description=(
            "Words are matched with typos forgiven (one from 5 letters, two from 9) and the "
            "last word as a prefix; the three Ukrainian apostrophes are one. Any other query "
            "parameter is a filter: "
            + service.describe_filters()
            + ". Repeat a filter or separate values with commas for any of them. Hits carry "
            "highlights (`<em>…</em>`); `facets=district,category` counts values over all "
            "matches. Answers 503 while the search engine is unreachable."
        ),
        responses={503: ResponseSpec(data_container=dict, description="Search engine down")},
    )
    async def search(
        self,
        request: Request[Any, Any, Any],
        state: State,
        q: Annotated[str, QueryParameter(description="Words to look for", max_length=200)] = "",
        doc_type: Annotated[
            list[str] | None,
            QueryParameter(name="type", description="Document types, e.g. street,building"),
        ] = None,
        facets: Annotated[
            str | None, QueryParameter(description="Comma-separated facet fields")
        ] = None,
        sort: Annotated[
            str | None, QueryParameter(description="A sortable field, `-field` descending")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_LIMIT)] = (service.DEFAULT_LIMIT),
        cursor: Annotated[str | None, QueryParameter()] = None,
    ) -> SearchPage:
        params = request.query_params
        raw = {k: params.getall(k) for k in params if k not in RESERVED}
        return await service.search(
            backend_of(state),
            q=q,
            types=doc_type,
            raw_filters=raw,
            facets=[facets] if facets else None,
            sort=sort,
            limit=limit,
            cursor=cursor,
        )


# What the app mounts for this domain (hromada.search.domain names this module).
ROUTES = [SearchController]
