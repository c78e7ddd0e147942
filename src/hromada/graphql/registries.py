from __future__ import annotations

import strawberry

from hromada.open_data.registries import service


@strawberry.type(description="An administrative district of the city")
class District:
    code: str
    name_uk: str
    name_en: str
    lat: float
    lon: float
    streets: int
    buildings: int


@strawberry.type
class RegistriesQuery:
    @strawberry.field(description="The city's districts (there are few: not paginated)")
    async def districts(self) -> list[District]:
        return [District(**d.__dict__) for d in await service.list_districts()]
