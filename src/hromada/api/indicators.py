"""REST for the city's indicators and index; the rules live in ``open_data.indicators``."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import FromPath, QueryParameter

from hromada.open_data.indicators import service
from hromada.open_data.indicators.schemas import IndexOut, IndicatorOut, MethodOut, ValueOut
from hromada.paging import DEFAULT_LIMIT, Page

Cursor = Annotated[str | None, QueryParameter(description="next_cursor of the previous page")]


class IndicatorController(Controller):
    path = "/api/v1/indicators"
    tags = ["indicators"]  # noqa: RUF012

    @get("/", summary="The indicators of the city index, by code")
    async def list_(
        self,
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE)] = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Page[IndicatorOut]:
        return await service.list_indicators(limit=limit, cursor=cursor)

    @get("/{code:str}", summary="One indicator: title, unit, direction, goalposts and weight")
    async def one(self, code: FromPath[str]) -> IndicatorOut:
        return await service.get_indicator(code)

    @get("/{code:str}/values", summary="An indicator's values, oldest period first")
    async def values(
        self,
        code: FromPath[str],
        district: Annotated[
            str | None,
            QueryParameter(description="A district's code; empty: the whole city", max_length=64),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE)] = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Page[ValueOut]:
        return await service.values(code, district=district, limit=limit, cursor=cursor)


class CityIndexController(Controller):
    path = "/api/v1/city-index"
    tags = ["indicators"]  # noqa: RUF012

    @get(
        "/",
        summary="The city index (0-100) by period and district, with the indicators counted; "
        "computed by the published method from the published values",
    )
    async def index(
        self,
        period: Annotated[
            str | None,
            QueryParameter(description="2025, 2025-Q1 or 2025-03", max_length=16),
        ] = None,
        district: Annotated[
            str | None,
            QueryParameter(description="A district's code; empty: the whole city", max_length=64),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_INDEX_PAGE)] = 20,
        cursor: Cursor = None,
    ) -> Page[IndexOut]:
        return await service.city_index(
            period=period, district=district, limit=limit, cursor=cursor
        )

    @get("/method", summary="How the index is computed, with every indicator's goalposts")
    async def method(self) -> MethodOut:
        return await service.method()


ROUTES = [IndicatorController, CityIndexController]
