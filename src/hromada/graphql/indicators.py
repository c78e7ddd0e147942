"""GraphQL for the city's indicators and index: the same service and shapes as REST."""

from __future__ import annotations

import strawberry

from hromada.open_data.indicators import service
from hromada.open_data.indicators.schemas import IndexOut, IndicatorOut, ValueOut
from hromada.paging import DEFAULT_LIMIT


@strawberry.type(description="An indicator of the city index (numbers: decimal strings)")
class CityIndicator:
    code: str
    title_uk: str
    title_en: str
    unit: str
    direction: str = strawberry.field(description="higher or lower (is better)")
    periodicity: str = strawberry.field(description="year, quarter or month")
    source: str
    worst: str = strawberry.field(description="The value that scores 0")
    best: str = strawberry.field(description="The value that scores 100")
    weight: str = strawberry.field(description="Its weight in the index (0: left out)")

    @classmethod
    def of(cls, out: IndicatorOut) -> CityIndicator:
        return cls(**{name: getattr(out, name) for name in IndicatorOut.__struct_fields__})


@strawberry.type(description="An indicator's value for a period and place")
class IndicatorValue:
    indicator: str
    period: str
    district: str = strawberry.field(description="A district's code; empty: the whole city")
    value: str

    @classmethod
    def of(cls, out: ValueOut) -> IndicatorValue:
        return cls(**{name: getattr(out, name) for name in ValueOut.__struct_fields__})


@strawberry.type(description="The city index (0-100) of a period and place")
class CityIndex:
    period: str
    district: str = strawberry.field(description="A district's code; empty: the whole city")
    index: str | None
    indicators_counted: int
    indicators_total: int
    indicators: list[str]

    @classmethod
    def of(cls, out: IndexOut) -> CityIndex:
        return cls(**{name: getattr(out, name) for name in IndexOut.__struct_fields__})


@strawberry.type
class CityIndicatorPage:
    items: list[CityIndicator]
    next_cursor: str | None


@strawberry.type
class IndicatorValuePage:
    items: list[IndicatorValue]
    next_cursor: str | None


@strawberry.type
class CityIndexPage:
    items: list[CityIndex]
    next_cursor: str | None


@strawberry.type
class IndicatorQuery:
    @strawberry.field(description="The indicators of the city index, by code")
    async def city_indicators(
        self, first: int = DEFAULT_LIMIT, after: str | None = None
    ) -> CityIndicatorPage:
        page = await service.list_indicators(limit=first, cursor=after)
        return CityIndicatorPage(
            items=[CityIndicator.of(i) for i in page.items], next_cursor=page.next_cursor
        )

    @strawberry.field(description="An indicator's values, oldest period first")
    async def indicator_values(
        self,
        code: str,
        district: str | None = None,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
    ) -> IndicatorValuePage:
        page = await service.values(code, district=district, limit=first, cursor=after)
        return IndicatorValuePage(
            items=[IndicatorValue.of(v) for v in page.items], next_cursor=page.next_cursor
        )

    @strawberry.field(description="The city index by period and district (published method)")
    async def city_index(
        self,
        period: str | None = None,
        district: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> CityIndexPage:
        page = await service.city_index(period=period, district=district, limit=first, cursor=after)
        return CityIndexPage(
            items=[CityIndex.of(i) for i in page.items], next_cursor=page.next_cursor
        )


Query = IndicatorQuery
