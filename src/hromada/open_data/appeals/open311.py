"""The Open311 GeoReport v2 view of the appeals (read-only), in JSON and XML.

Field names follow https://wiki.open311.org/GeoReport_v2: a service is a
category of the catalogue, a service request is a public appeal. Posting
requests is not offered: appeals arrive through the contact centre.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET

from hromada.errors import InvalidInput, NotFound
from hromada.open_data.appeals import service
from hromada.open_data.appeals.filters import parse_moment, split_list
from hromada.open_data.appeals.schemas import AppealFilters, AppealOut

WINDOW = dt.timedelta(days=90)
MAX_IDS = 100

SERVICE_FIELDS = (
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
)
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)


def discovery(base_url: str) -> dict[str, Any]:
    return {
        "changeset": "2026-11-24T00:00:00Z",
        "contact": "Open data team of the city",
        "key_service": "Read-only: no API key is needed.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": f"{base_url}/open311/v2",
                "changeset": "2026-11-24T00:00:00Z",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }


async def services() -> list[dict[str, Any]]:
    return [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": c.name,
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": c.group or "",
        }
        for c in await service.list_categories()
    ]


def _w3c(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_request(appeal: AppealOut) -> dict[str, Any]:
    return {
        "service_request_id": str(appeal.id),
        "status": "closed" if appeal.closed else "open",
        "status_notes": appeal.answer,
        "service_name": appeal.category,
        "service_code": appeal.category_code,
        "description": appeal.text,
        "agency_responsible": appeal.executor,
        "service_notice": None,
        "requested_datetime": _w3c(appeal.received_at),
        "updated_datetime": _w3c(appeal.resolved_at or appeal.received_at),
        "expected_datetime": _w3c(appeal.deadline_at),
        "address": appeal.street,
        "address_id": None,
        "zipcode": None,
        "lat": appeal.lat,
        "long": appeal.lon,
        "media_url": None,
    }


def window(
    start: str | None, end: str | None, *, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The requested_datetime window: 90 days at most, the last 90 days by default."""
    begin = parse_moment("start_date", start)
    finish = parse_moment("end_date", end)
    if begin is None and finish is None:
        finish = now or service.now()
        begin = finish - WINDOW
    elif begin is None:
        assert finish is not None
        begin = finish - WINDOW
    elif finish is None:
        finish = begin + WINDOW
    if finish < begin:
        raise InvalidInput("end_date is before start_date")
    if finish - begin > WINDOW:
        raise InvalidInput("start_date and end_date may not span more than 90 days")
    return begin, finish


async def requests(
    *,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
    page_size: int = 100,
    max_page_size: int = 500,
) -> list[dict[str, Any]]:
    if not 1 <= page_size <= max_page_size:
        raise InvalidInput(f"page_size must be between 1 and {max_page_size}")
    if service_request_id:
        ids = []
        for part in split_list(service_request_id)[:MAX_IDS]:
            if not part.isdigit():
                raise InvalidInput(f"service_request_id {part[:20]!r} is not a request id")
            ids.append(int(part))
        return [as_request(a) for a in await service.get_appeals(ids)]
    begin, finish = window(start_date, end_date)
    wanted_status = split_list(status)
    for value in wanted_status:
        if value not in ("open", "closed"):
            raise InvalidInput(f"status is open or closed, not {value[:20]!r}")
    statuses: tuple[str, ...] = ()
    if len(set(wanted_status)) == 1:
        statuses = (
            service.CLOSED_STATUSES
            if wanted_status[0] == "closed"
            else tuple(s for s in service.STATUSES if s not in service.CLOSED_STATUSES)
        )
    codes: list[str | None] = [*split_list(service_code)] or [None]
    results: list[dict[str, Any]] = []
    for code in codes:
        page = await service.list_appeals(
            AppealFilters(category=code, status=statuses, received_from=begin, received_to=finish),
            limit=page_size,
        )
        results.extend(as_request(a) for a in page.items)
    results.sort(key=lambda r: r["requested_datetime"], reverse=True)
    return results[:page_size]


async def one_request(name: str) -> list[dict[str, Any]]:
    if not name.isdigit():
        raise NotFound(f"no service request {name[:40]!r}")
    return [as_request(await service.get_appeal(int(name)))]


# ---------------------------------------------------------------------------
# XML


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_xml(root: str, item: str, rows: list[dict[str, Any]]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            ET.SubElement(element, key).text = _text(value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")


def discovery_xml(data: dict[str, Any]) -> bytes:
    top = ET.Element("discovery")
    for key in ("changeset", "contact", "key_service"):
        ET.SubElement(top, key).text = _text(data[key])
    endpoints = ET.SubElement(top, "endpoints")
    for endpoint in data["endpoints"]:
        element = ET.SubElement(endpoints, "endpoint")
        for key in ("specification", "url", "changeset", "type"):
            ET.SubElement(element, key).text = _text(endpoint[key])
        formats = ET.SubElement(element, "formats")
        for fmt in endpoint["formats"]:
            ET.SubElement(formats, "format").text = fmt
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
