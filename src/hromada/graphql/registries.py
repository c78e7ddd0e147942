"""GraphQL for the registries: districts, streets and buildings, relations as objects.

The types are lean: a resolver returns the service's msgspec structs as they
are and strawberry reads their attributes; only relations and global ids
have resolvers, and every relation goes through the request's DataLoaders.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from hromada.graphql.connections import Node, PageInfo, cut, global_id, window
from hromada.graphql.lean import lean
from hromada.graphql.registry_records import build_query
from hromada.open_data.registries import service
from hromada.open_data.registries.schemas import (
    BuildingOut,
    DistrictCounts,
    DistrictOut,
    DistrictPlace,
    StreetOut,
)

MAX_FIRST = 500


@lean
@strawberry.type(description="An administrative district of the city")
class District(Node):
    code: str
    name_uk: str
    name_en: str
    lat: float | None = strawberry.field(description="Latitude of its centre, when known")
    lon: float | None = strawberry.field(description="Longitude of its centre, when known")

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, DistrictPlace | cls)

    @strawberry.field  # type: ignore[misc]  # Node's id, computed from the root
    def id(self, root: DistrictPlace) -> strawberry.ID:  # type: ignore[override]
        return global_id("District", root.code)

    @strawberry.field(description="How many streets it has")
    async def street_count(self, root: DistrictPlace, info: Info[Any, Any]) -> int:
        return (await _counts(root, info)).streets

    @strawberry.field(description="How many buildings it has")
    async def building_count(self, root: DistrictPlace, info: Info[Any, Any]) -> int:
        return (await _counts(root, info)).buildings

    @strawberry.field(description="Its streets by code (keyset-paged)")
    async def streets(
        self,
        root: DistrictPlace,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> StreetConnection:
        w = window(first=first, after=after, last=last, before=before, maximum=MAX_FIRST)
        rows = await info.context.loaders.district_streets.load((root.code, w))
        page = cut(rows, w, lambda s: (s.code,))
        return StreetConnection(
            edges=[
                StreetEdge(cursor=c, node=s) for s, c in zip(page.items, page.cursors, strict=True)
            ],
            page_info=page.page_info,
        )


async def _counts(root: DistrictPlace, info: Info[Any, Any]) -> DistrictCounts:
    # A listed district has its counts already; a relation's district loads them only
    # when a query asks (one batched query for every district of the response).
    if isinstance(root, DistrictOut):
        return DistrictCounts(streets=root.streets, buildings=root.buildings)
    counts: DistrictCounts = await info.context.loaders.district_counts.load(root.code)
    return counts


# Streets and buildings keep their parents' codes under other Python names: the
# GraphQL fields of those names are the parent objects.
@lean
@strawberry.type(description="A street of the city")
class Street(Node):
    code: str
    kind: str = strawberry.field(description="вулиця, проспект, провулок, площа, ...")
    name: str = strawberry.field(description="The name without its kind")

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, StreetOut | cls)

    @strawberry.field  # type: ignore[misc]  # Node's id, computed from the root
    def id(self, root: StreetOut) -> strawberry.ID:  # type: ignore[override]
        return global_id("Street", root.code)

    @strawberry.field(description="The district's code")
    def district_code(self, root: StreetOut) -> str:
        return root.district

    @strawberry.field
    async def district(self, root: StreetOut, info: Info[Any, Any]) -> District | None:
        return await info.context.loaders.district.load(root.district)

    @strawberry.field(description="Its buildings by id (keyset-paged)")
    async def buildings(
        self,
        root: StreetOut,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> BuildingConnection:
        w = window(
            first=first, after=after, last=last, before=before, maximum=MAX_FIRST, key=(int,)
        )
        rows = await info.context.loaders.street_buildings.load((root.code, w))
        page = cut(rows, w, lambda b: (b.id,))
        return BuildingConnection(
            edges=[
                BuildingEdge(cursor=c, node=b)
                for b, c in zip(page.items, page.cursors, strict=True)
            ],
            page_info=page.page_info,
        )


@lean
@strawberry.type(description="A building of the city")
class Building(Node):
    number: str
    floors: int
    year_built: int | None
    lat: float
    lon: float

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, BuildingOut | cls)

    @strawberry.field  # type: ignore[misc]  # Node's id, computed from the root
    def id(self, root: BuildingOut) -> strawberry.ID:  # type: ignore[override]
        return global_id("Building", root.id)

    @strawberry.field(description="Its number in the buildings registry (REST, search)")
    def building_id(self, root: BuildingOut) -> int:
        return root.id

    @strawberry.field(description="The street's code")
    def street_code(self, root: BuildingOut) -> str:
        return root.street

    @strawberry.field(description="The district's code")
    def district_code(self, root: BuildingOut) -> str:
        return root.district

    @strawberry.field
    async def street(self, root: BuildingOut, info: Info[Any, Any]) -> Street | None:
        return await info.context.loaders.street.load(root.street)

    @strawberry.field
    async def district(self, root: BuildingOut, info: Info[Any, Any]) -> District | None:
        return await info.context.loaders.district.load(root.district)


@strawberry.type
class StreetEdge:
    cursor: str
    node: Street


@strawberry.type
class StreetConnection:
    edges: list[StreetEdge]
    page_info: PageInfo


@strawberry.type
class BuildingEdge:
    cursor: str
    node: Building


@strawberry.type
class BuildingConnection:
    edges: list[BuildingEdge]
    page_info: PageInfo


# Every declared registry's list and one-record fields (building-passports, map-objects, ...).
DeclaredRegistriesQuery = build_query(District, Building)


@strawberry.type
class RegistriesQuery(DeclaredRegistriesQuery):  # type: ignore[misc,valid-type]
    @strawberry.field(description="The city's districts (there are few: not paginated)")
    async def districts(self) -> list[District]:
        return await service.list_districts()  # type: ignore[return-value]

    @strawberry.field(description="One district by code, or null")
    async def district(self, info: Info[Any, Any], code: str) -> District | None:
        return await info.context.loaders.district.load(code)

    @strawberry.field(description="Streets by code (keyset-paged), optionally of one district")
    async def streets(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        district: str | None = None,
    ) -> StreetConnection:
        w = window(first=first, after=after, last=last, before=before, maximum=MAX_FIRST)
        rows = await service.window_streets(
            district=district,
            limit=w.limit + 1,
            after=w.after[0] if w.after else None,
            before=w.before[0] if w.before else None,
            backward=w.backward,
        )
        page = cut(rows, w, lambda s: (s.code,))
        return StreetConnection(
            edges=[
                StreetEdge(cursor=c, node=s)  # type: ignore[arg-type]
                for s, c in zip(page.items, page.cursors, strict=True)
            ],
            page_info=page.page_info,
        )

    @strawberry.field(description="One street by code, or null")
    async def street(self, info: Info[Any, Any], code: str) -> Street | None:
        return await info.context.loaders.street.load(code)

    @strawberry.field(description="Buildings by id (keyset-paged), optionally of a district/street")
    async def buildings(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        district: str | None = None,
        street: str | None = None,
    ) -> BuildingConnection:
        w = window(
            first=first, after=after, last=last, before=before, maximum=MAX_FIRST, key=(int,)
        )
        rows = await service.list_buildings(
            district=district,
            street=street,
            limit=w.limit + 1,
            after=w.after[0] if w.after else None,
            before=w.before[0] if w.before else None,
            backward=w.backward,
        )
        page = cut(rows, w, lambda b: (b.id,))
        return BuildingConnection(
            edges=[
                BuildingEdge(cursor=c, node=b)  # type: ignore[arg-type]
                for b, c in zip(page.items, page.cursors, strict=True)
            ],
            page_info=page.page_info,
        )

    @strawberry.field(description="One building by its registry number, or null")
    async def building(self, info: Info[Any, Any], building_id: int) -> Building | None:
        return await info.context.loaders.building.load(building_id)


# The name the schema looks for (see hromada.graphql.schema).
Query = RegistriesQuery
