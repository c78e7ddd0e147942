"""GraphQL ``search``: the same service call as ``GET /api/v1/search``, hits as a union."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from hromada.search import service
from hromada.search.runtime import backend_of
from hromada.search.schemas import SearchHitOut


@strawberry.type(description="A district found by search")
class DistrictDocument:
    id: str = strawberry.field(description="The district's code")
    title: str
    name_en: str | None

    @classmethod
    def from_hit(cls, hit: SearchHitOut) -> DistrictDocument:
        return cls(id=hit.id, title=hit.title, name_en=hit.fields.get("name_en"))


@strawberry.type(description="A street found by search")
class StreetDocument:
    id: str = strawberry.field(description="The street's code")
    title: str
    address: str | None
    district: str | None
    street_kind: str | None

    @classmethod
    def from_hit(cls, hit: SearchHitOut) -> StreetDocument:
        f = hit.fields
        return cls(
            id=hit.id,
            title=hit.title,
            address=f.get("address"),
            district=f.get("district"),
            street_kind=f.get("street_kind"),
        )


@strawberry.type(description="A building found by search")
class BuildingDocument:
    id: str
    title: str
    address: str | None
    district: str | None
    street: str | None
    floors: int | None
    year_built: int | None

    @classmethod
    def from_hit(cls, hit: SearchHitOut) -> BuildingDocument:
        f = hit.fields
        return cls(
            id=hit.id,
            title=hit.title,
            address=f.get("address"),
            district=f.get("district"),
            street=f.get("street"),
            floors=f.get("floors"),
            year_built=f.get("year_built"),
        )


@strawberry.type(description="A published appeal found by search (anonymised text)")
class AppealDocument:
    id: str = strawberry.field(description="The appeal's id, as in /api/v1/appeals/{id}")
    title: str = strawberry.field(description="Its category")
    body: str | None
    address: str | None
    category: str | None = strawberry.field(description="Category code")
    district: str | None
    status: str | None
    received_at: str | None

    @classmethod
    def from_hit(cls, hit: SearchHitOut) -> AppealDocument:
        f = hit.fields
        return cls(
            id=hit.id,
            title=hit.title,
            body=f.get("body"),
            address=f.get("address"),
            category=f.get("category"),
            district=f.get("district"),
            status=f.get("status"),
            received_at=f.get("received_at"),
        )


@strawberry.type(description="A published dataset found by search")
class DatasetDocument:
    id: str = strawberry.field(description="The dataset's slug, as in dataset(slug:)")
    title: str
    body: str | None = strawberry.field(description="Its description (Ukrainian)")
    name_en: str | None = strawberry.field(description="Its English title")
    theme: list[str] = strawberry.field(description="EU data themes")
    rows: int | None

    @classmethod
    def from_hit(cls, hit: SearchHitOut) -> DatasetDocument:
        f = hit.fields
        theme = f.get("theme") or []
        return cls(
            id=hit.id,
            title=hit.title,
            body=f.get("body"),
            name_en=f.get("name_en"),
            theme=[theme] if isinstance(theme, str) else list(theme),
            rows=f.get("rows"),
        )


@strawberry.type(description="A document of a type this schema has no own type for yet")
class OtherDocument:
    type: str
    id: str
    title: str

    @classmethod
    def from_hit(cls, hit: SearchHitOut) -> OtherDocument:
        return cls(type=hit.type, id=hit.id, title=hit.title)


SearchDocument = Annotated[
    AppealDocument
    | DistrictDocument
    | StreetDocument
    | BuildingDocument
    | DatasetDocument
    | OtherDocument,
    strawberry.union("SearchDocument", description="Any public document search can find"),
]

DOCUMENT_TYPES: dict[str, Any] = {
    "appeal": AppealDocument,
    "district": DistrictDocument,
    "street": StreetDocument,
    "building": BuildingDocument,
    "dataset": DatasetDocument,
}


@strawberry.type
class Highlight:
    field: str
    html: str = strawberry.field(description="The field's text with matches in <em>…</em>")


@strawberry.type
class SearchHit:
    type: str
    document: SearchDocument
    highlights: list[Highlight]


@strawberry.type
class FacetValue:
    value: str
    count: int


@strawberry.type
class Facet:
    field: str
    values: list[FacetValue]


@strawberry.type
class SearchPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class SearchResults:
    hits: list[SearchHit]
    facets: list[Facet]
    estimated_total: int
    page_info: SearchPageInfo


@strawberry.input(description="Documents whose FIELD has any of VALUES")
class SearchFilter:
    field: str
    values: list[str]


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description=(
            "Every public document by words (typos forgiven, last word a prefix), filters "
            "and facets; the same hits as GET /api/v1/search. Range filters: field "
            "`<name>_from` / `<name>_to`."
        )
    )
    async def search(
        self,
        info: Info[Any, Any],
        q: str = "",
        types: list[str] | None = None,
        filters: list[SearchFilter] | None = None,
        facets: list[str] | None = None,
        sort: str | None = None,
        first: int = service.DEFAULT_LIMIT,
        after: str | None = None,
    ) -> SearchResults:
        raw: dict[str, list[str]] = {}
        for f in filters or []:
            raw.setdefault(f.field, []).extend(f.values)
        page = await service.search(
            backend_of(info.context.request.app.state),
            q=q,
            types=types,
            raw_filters=raw,
            facets=facets,
            sort=sort,
            limit=first,
            cursor=after,
        )
        hits = [
            SearchHit(
                type=h.type,
                document=DOCUMENT_TYPES.get(h.type, OtherDocument).from_hit(h),
                highlights=[Highlight(field=k, html=v) for k, v in h.highlights.items()],
            )
            for h in page.items
        ]
        return SearchResults(
            hits=hits,
            facets=[
                Facet(
                    field=name,
                    values=[FacetValue(value=v, count=c) for v, c in values.items()],
                )
                for name, values in page.facets.items()
            ],
            estimated_total=page.total,
            page_info=SearchPageInfo(
                has_next_page=page.next_cursor is not None, end_cursor=page.next_cursor
            ),
        )


# The name the schema looks for (see hromada.graphql.schema).
Query = SearchQuery
