from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter

from hromada.open_data.registries import service
from hromada.open_data.registries.schemas import DistrictOut, StreetOut
from hromada.paging import DEFAULT_LIMIT, Page
from hromada.search.runtime import backend_of

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


# What the app mounts for this domain (hromada.open_data.registries.domain names this module).
ROUTES = [DistrictController, StreetController]
