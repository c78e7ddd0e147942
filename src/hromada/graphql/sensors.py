"""GraphQL for the city's sensors: the same service and shapes as REST (devices send their
readings over REST only)."""

from __future__ import annotations

import strawberry

from hromada.graphql.cost import cost
from hromada.open_data.sensors import service
from hromada.open_data.sensors.schemas import ReadingOut, RollupOut, SensorOut
from hromada.paging import DEFAULT_LIMIT


@strawberry.type(description="A city sensor and its last reading (times: ISO-8601 UTC)")
class CitySensor:
    id: int
    code: str
    kind: str = strawberry.field(description="pm25, pm10, noise, traffic, parking or waste")
    title: str
    unit: str
    lat: str | None
    lon: str | None
    district: str = strawberry.field(description="A district's code; empty: not placed")
    status: str = strawberry.field(description="active or retired")
    first_reading_at: str | None
    last_reading_at: str | None
    last_value: str | None

    @classmethod
    def of(cls, out: SensorOut) -> CitySensor:
        return cls(**{name: getattr(out, name) for name in SensorOut.__struct_fields__})


@strawberry.type(description="One reading (value: a decimal string)")
class SensorReading:
    time: str
    value: str
    out_of_range: bool = strawberry.field(description="Outside the kind's plausible range")

    @classmethod
    def of(cls, out: ReadingOut) -> SensorReading:
        return cls(**{name: getattr(out, name) for name in ReadingOut.__struct_fields__})


@strawberry.type(description="An hour or day of a sensor: the plausible readings' figures")
class SensorRollup:
    start: str
    count: int
    min: str | None
    max: str | None
    sum: str
    mean: str | None
    flagged: int = strawberry.field(description="Readings outside the plausible range")
    gap: bool = strawberry.field(description="No reading where one was expected")

    @classmethod
    def of(cls, out: RollupOut) -> SensorRollup:
        return cls(**{name: getattr(out, name) for name in RollupOut.__struct_fields__})


@strawberry.type
class CitySensorPage:
    items: list[CitySensor]
    next_cursor: str | None
    total: int | None


@strawberry.type
class SensorReadingPage:
    items: list[SensorReading]
    next_cursor: str | None


@strawberry.type
class SensorQuery:
    @strawberry.field(description="The city's sensors, by code")
    async def city_sensors(
        self, kind: str | None = None, first: int = DEFAULT_LIMIT, after: str | None = None
    ) -> CitySensorPage:
        page = await service.list_sensors(kind=kind, limit=first, cursor=after)
        return CitySensorPage(
            items=[CitySensor.of(s) for s in page.items],
            next_cursor=page.next_cursor,
            total=page.total,
        )

    @strawberry.field(description="One sensor")
    async def city_sensor(self, id: int) -> CitySensor:
        return CitySensor.of(await service.get_sensor(id))

    @strawberry.field(description="A sensor's readings in a window of at most 31 days")
    async def sensor_readings(
        self,
        sensor: int,
        since: str | None = None,
        until: str | None = None,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
    ) -> SensorReadingPage:
        page = await service.readings(sensor, since=since, until=until, limit=first, cursor=after)
        return SensorReadingPage(
            items=[SensorReading.of(r) for r in page.items], next_cursor=page.next_cursor
        )

    @strawberry.field(
        description="A sensor's hours (span hour, at most 31 days) or days (span day, at most "
        "366), one row each, gaps marked",
        metadata=cost(366),
    )
    async def sensor_rollups(
        self,
        sensor: int,
        span: str = "hour",
        since: str | None = None,
        until: str | None = None,
    ) -> list[SensorRollup]:
        rows = await service.rollups(sensor, span=span, since=since, until=until)
        return [SensorRollup.of(r) for r in rows]


Query = SensorQuery
