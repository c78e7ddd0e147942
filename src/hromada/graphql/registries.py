"""GraphQL for the registries: districts (with their streets), streets and buildings."""

from __future__ import annotations

import strawberry

from hromada.open_data.registries import service
from hromada.open_data.registries.schemas import DistrictOut


@strawberry.type(description="An administrative district of the city")
class District:
    code: str
    name_uk: str
    name_en: str
    lat: float
    lon: float
    street_count: int = strawberry.field(description="How many streets it has")
    building_count: int = strawberry.field(description="How many buildings it has")

    @classmethod
    def of(cls, d: DistrictOut) -> District:
        return cls(
            code=d.code,
            name_uk=d.name_uk,
            name_en=d.name_en,
            lat=d.lat,
            lon=d.lon,
            street_count=d.streets,
            building_count=d.buildings,
        )


@strawberry.type
class RegistriesQuery:
    @strawberry.field(description="The city's districts (there are few: not paginated)")
    async def districts(self) -> list[District]:
        return [District.of(d) for d in await service.list_districts()]


# The name the schema looks for (see hromada.graphql.schema).
Query = RegistriesQuery
