"""REST for the city's sensors: the registry, device ingest, readings and rollups.

The rules live in ``open_data.sensors``; this module reads the body, asks the access layer
to count the batch against the device's readings budget, and hands the checked readings on.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.params import JSONBody, QueryParameter

from hromada.api.access import charge_readings
from hromada.api.guards import require
from hromada.api.params import RowId
from hromada.auth.guard import principal_of, runtime_of
from hromada.auth.permissions import Permission
from hromada.errors import Forbidden, InvalidInput, Unauthenticated
from hromada.open_data.sensors import batch, service
from hromada.open_data.sensors.schemas import (
    IngestOut,
    KindOut,
    ReadingOut,
    RollupOut,
    SensorIn,
    SensorKeyOut,
    SensorOut,
)
from hromada.paging import DEFAULT_LIMIT, Page

Cursor = Annotated[str | None, QueryParameter(description="next_cursor of the previous page")]
Since = Annotated[
    str | None,
    QueryParameter(description="Start of the window, ISO-8601 with a zone", max_length=64),
]
Until = Annotated[
    str | None,
    QueryParameter(description="End of the window (excluded); default: now", max_length=64),
]


class SensorController(Controller):
    path = "/api/v1/sensors"
    tags = ["sensors"]  # noqa: RUF012

    @get("/", summary="The city's sensors, by code, with their last reading")
    async def list_(
        self,
        kind: Annotated[
            str | None,
            QueryParameter(description="pm25, pm10, noise, traffic, parking, waste", max_length=16),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE)] = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Page[SensorOut]:
        return await service.list_sensors(kind=kind, limit=limit, cursor=cursor)

    @get("/kinds", summary="What the sensors measure: units and plausible ranges")
    async def kinds(self) -> list[KindOut]:
        return service.kinds()

    @get("/{sensor_id:int}", summary="One sensor")
    async def one(self, sensor_id: RowId) -> SensorOut:
        return await service.get_sensor(sensor_id)

    @get(
        "/{sensor_id:int}/readings",
        summary="A sensor's readings in a window of at most 31 days, oldest first",
        description="Default window: the last day. Out-of-range readings are kept and flagged.",
    )
    async def readings(
        self,
        sensor_id: RowId,
        since: Since = None,
        until: Until = None,
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE)] = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Page[ReadingOut]:
        return await service.readings(
            sensor_id, since=since, until=until, limit=limit, cursor=cursor
        )

    @get(
        "/{sensor_id:int}/rollups",
        summary="A sensor's hours (at most 31 days) or days (at most 366), one row each",
        description="count, min, max, sum and mean of the plausible readings, `flagged` the "
        "out-of-range ones; an empty bucket where a reading was expected is a `gap`.",
    )
    async def rollups(
        self,
        sensor_id: RowId,
        span: Annotated[str, QueryParameter(description="hour or day", max_length=8)] = "hour",
        since: Since = None,
        until: Until = None,
    ) -> list[RollupOut]:
        return await service.rollups(sensor_id, span=span, since=since, until=until)

    @post(
        "/{sensor_id:int}/readings",
        summary="Send readings (the sensor's device, with its key in X-Device-Key)",
        description=(
            f'JSON `{{"readings": [{{"time": "2026-05-01T10:00:00Z", "value": 12.5}}]}}` '
            f"or `text/csv` lines `time,value`; at most {batch.MAX_BATCH} readings and "
            f"{batch.MAX_BODY} bytes. All or nothing: a malformed row, a value that is not a "
            f"finite number or a time more than {batch.CLOCK_SKEW} s ahead refuses the batch "
            "(422 naming the rows). A reading the sensor already sent (same second) is not "
            "written again, so a batch may be resent after a timeout. A value outside the "
            "kind's plausible range is kept and flagged. Over the device's readings budget: "
            "429 with Retry-After, nothing written."
        ),
        request_max_body_size=batch.MAX_BODY,
        status_code=200,
    )
    async def ingest(self, request: Request[Any, Any, Any], sensor_id: RowId) -> IngestOut:
        principal = principal_of(request)
        if principal.kind != "device":
            raise Unauthenticated("send the sensor's device key in the X-Device-Key header")
        if principal.device_id != sensor_id:
            raise Forbidden("this device key belongs to another sensor")
        media = request.content_type[0]
        body = await request.body()
        if media == "text/csv":
            readings = batch.parse_csv(body, time.time())
        elif media == "application/json":
            readings = batch.parse_json(body, time.time())
        else:
            raise InvalidInput(
                "send application/json or text/csv",
                errors=[{"where": "header", "name": "content-type", "message": media[:64]}],
            )
        await charge_readings(runtime_of(request), sensor_id, len(readings))
        return await service.ingest(sensor_id, readings)

    @post(
        "/",
        summary="Register a sensor (staff); the answer holds its device key, shown once",
        guards=[require(Permission.MANAGE_SENSORS)],
        status_code=201,
    )
    async def register(self, data: JSONBody[SensorIn]) -> SensorKeyOut:
        return await service.register(data)

    @post(
        "/{sensor_id:int}/key",
        summary="Give a sensor a new device key (staff); the old one stops working",
        guards=[require(Permission.MANAGE_SENSORS)],
        status_code=201,
    )
    async def rotate_key(self, sensor_id: RowId) -> SensorKeyOut:
        return await service.rotate_key(sensor_id)

    @delete(
        "/{sensor_id:int}/key",
        summary="Revoke a sensor's device key (staff)",
        guards=[require(Permission.MANAGE_SENSORS)],
        status_code=200,
    )
    async def revoke_key(self, sensor_id: RowId) -> SensorOut:
        return await service.revoke_key(sensor_id)

    @post(
        "/{sensor_id:int}/retire",
        summary="Retire a sensor (staff): it keeps its readings, loses its key",
        guards=[require(Permission.MANAGE_SENSORS)],
        status_code=200,
    )
    async def retire(self, sensor_id: RowId) -> SensorOut:
        return await service.retire(sensor_id)


ROUTES = [SensorController]
