"""What the sensor network puts in the search index: every sensor, by its code (a sensor
holds nothing personal; a retired one stays findable with its readings)."""

from __future__ import annotations

from collections.abc import Sequence

from hromada.open_data.sensors.kinds import KINDS
from hromada.open_data.sensors.tables import Sensor
from hromada.search.port import Document, DocumentType, Field

DOC_TYPE = "sensor"


async def _kinds() -> tuple[str, ...]:
    return tuple(KINDS)


async def _load(ids: Sequence[str]) -> list[Document]:
    codes = [i for i in dict.fromkeys(ids) if 0 < len(i) <= 32]
    if not codes:
        return []
    rows = await Sensor.select(Sensor.code, Sensor.kind, Sensor.title, Sensor.status).where(
        Sensor.code.is_in(codes)
    )
    return [
        {
            "id": r["code"],
            "title": r["title"],
            "body": f"{KINDS[r['kind']].title_uk} {KINDS[r['kind']].title_en} "
            f"{KINDS[r['kind']].unit} {r['code']}",
            "sensor_kind": r["kind"],
            "sensor_status": r["status"],
        }
        for r in rows
    ]


async def _scan(after: str | None, limit: int) -> list[str]:
    query = Sensor.select(Sensor.code)
    if after is not None:
        query = query.where(Sensor.code > after)
    return [r["code"] for r in await query.order_by(Sensor.code).limit(limit)]


SENSOR = DocumentType(
    name=DOC_TYPE,
    label_uk="Датчик",
    label_en="Sensor",
    fields=(
        Field("body", "text", searchable=True),
        Field("sensor_kind", "keyword", filterable=True, facet=True, values=_kinds),
        Field("sensor_status", "keyword", filterable=True),
    ),
    load=_load,
    scan=_scan,
)
DOCUMENT_TYPES = (SENSOR,)
