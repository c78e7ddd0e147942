from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import FromPath, QueryParameter

from hromada.open_data.registries import service
from hromada.open_data.registries.schemas import DistrictOut, StreetOut
from hromada.paging import DEFAULT_LIMIT, Page, check_limit

MAX_LIMIT = 500


class DistrictController(Controller):
    path = "/api/v1/districts"
    tags = ["registries"]  # noqa: RUF012

    @get("/", summary="The city's districts")
    async def list_districts(self) -> dict[str, list[DistrictOut]]:
        return {"items": await service.list_districts()}

    @get("/{code:str}", summary="One district")
    async def get_district(self, code: FromPath[str]) -> DistrictOut:
        return await service.get_district(code)


class StreetController(Controller):
    path = "/api/v1/streets"
    tags = ["registries"]  # noqa: RUF012

    @get("/", summary="Streets, optionally in one district")
    async def list_streets(
        self,
        district: Annotated[str | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, QueryParameter()] = None,
    ) -> Page[StreetOut]:
        return await service.list_streets(
            district=district, limit=check_limit(limit, MAX_LIMIT), cursor=cursor
        )
