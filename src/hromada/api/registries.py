from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter

from hromada.api.params import RowId
from hromada.open_data.registries import service
from hromada.open_data.registries.schemas import BuildingOut, DistrictOut, StreetOut
from hromada.paging import DEFAULT_LIMIT, Page
from hromada.search.runtime import backend_of

MAX_LIMIT = 500


class DistrictController(Controller):
    path = "/api/v1/districts"
    tags = ["registries"]  # noqa: RUF012

    @get("/", summary="The city's districts")
    async def list_districts(self) -> Page[DistrictOut]:
        # A city has a handful of districts: one page, with the list shape of every other list.
        items = await service.list_districts()
        return Page(items=items, next_cursor=None, total=len(items))

    @get("/{code:str}", summary="One district")
    async def get_district(self, code: FromPath[str]) -> DistrictOut:
        return await service.get_district(code)


class StreetController(Controller):
    path = "/api/v1/streets"
    tags = ["registries"]  # noqa: RUF012

    @get(
        "/",
        summary="Streets, optionally in one district",
        description=(
            "With `q`, streets matching these words (typos forgiven, through search), "
            "most relevant first; without it, in code order."
        ),
    )
    async def list_streets(
        self,
        state: State,
        district: Annotated[str | None, QueryParameter()] = None,
        q: Annotated[
            str | None, QueryParameter(description="Words in the street's name", max_length=200)
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, QueryParameter()] = None,
    ) -> Page[StreetOut]:
        return await service.find_streets(
            district=district,
            q=q,
            search=backend_of(state),
            limit=limit,
            max_limit=MAX_LIMIT,
            cursor=cursor,
        )


class BuildingController(Controller):
    path = "/api/v1/buildings"
    tags = ["registries"]  # noqa: RUF012

    @get("/", summary="Buildings, optionally in one district or on one street, by id")
    async def list_buildings(
        self,
        district: Annotated[str | None, QueryParameter(max_length=100)] = None,
        street: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> Page[BuildingOut]:
        return await service.page_buildings(
            district=district, street=street, limit=limit, cursor=cursor
        )

    @get("/{building_id:int}", summary="One building")
    async def get_building(self, building_id: RowId) -> BuildingOut:
        return await service.get_building(building_id)


# What the app mounts for this domain (hromada.open_data.registries.domain names this module).
ROUTES = [DistrictController, StreetController, BuildingController]
