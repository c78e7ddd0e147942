"""The Open311 GeoReport v2 view of the appeals (read-only), in JSON and XML.

Field names follow https://wiki.open311.org/GeoReport_v2: a service is a
category of the catalogue, a service request is a public appeal. Posting
requests is not offered: appeals arrive through the contact centre.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET

import msgspec

from hromada.errors import InvalidInput, NotFound
from hromada.open_data.appeals import service
from hromada.open_data.appeals.filters import parse_moment, split_list
from hromada.open_data.appeals.schemas import AppealFilters, AppealOut

WINDOW = dt.timedelta(days=90)
MAX_IDS = 100
MAX_CODES = 20
# Numbered pages skip rows with OFFSET inside a window of at most 90 days
# (Kharkiv: ~19,000 requests); this bounds how far a page may reach.
MAX_REACH = 100_000
MAX_MERGED = 10_000
# Open311's request parameters, each the appeal filter it sets (see ``AppealFilters``);
# ``status`` (open or closed) becomes the statuses it covers.
FILTER_OF_PARAMETER: dict[str, str] = {
    "service_code": "category",
    "status": "status",
    "start_date": "received_from",
    "end_date": "received_to",
}

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
    try:
        return _window(start, end, now)
    except OverflowError:  # 0001-01-01T00:00:00+14:00 and the like
        raise InvalidInput("start_date or end_date is out of range") from None


def _window(
    start: str | None, end: str | None, now: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime]:
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


async def service_definition(code: str) -> dict[str, Any]:
    """GeoReport's service definition: no service here takes extra attributes."""
    for category in await service.list_categories():
        if category.code == code:
            return {"service_code": category.code, "attributes": []}
    raise NotFound(f"no service with service_code {code[:40]!r}")


class RequestsPage(msgspec.Struct):
    rows: list[dict[str, Any]]
    more: bool  # another page follows
    # The requested_datetime window the page was cut from: the next page's link
    # names it, so that "the last 90 days" does not move between pages.
    start: dt.datetime | None = None
    end: dt.datetime | None = None


async def requests(
    *,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
    page: int = 1,
    page_size: int = 100,
    max_page_size: int = 500,
) -> RequestsPage:
    """One numbered page of service requests, newest first; ``more`` says another follows."""
    if not 1 <= page_size <= max_page_size:
        raise InvalidInput(f"page_size must be between 1 and {max_page_size}")
    if page < 1 or (page - 1) * page_size >= MAX_REACH:
        raise InvalidInput(f"page must be between 1 and {MAX_REACH // page_size} at this page_size")
    offset = (page - 1) * page_size
    if service_request_id:
        ids = []
        for part in split_list(service_request_id):
            if not part.isascii() or not part.isdigit() or len(part) > 18:
                raise InvalidInput(f"service_request_id {part[:20]!r} is not a request id")
            ids.append(int(part))
        if len(ids) > MAX_IDS:
            raise InvalidInput(f"at most {MAX_IDS} service_request_id values at once")
        by_id = [as_request(a) for a in await service.get_appeals(ids)]
        return RequestsPage(
            rows=by_id[offset : offset + page_size], more=len(by_id) > offset + page_size
        )
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
    codes: list[str | None] = [*dict.fromkeys(split_list(service_code))] or [None]
    if len(codes) > MAX_CODES:
        raise InvalidInput(f"at most {MAX_CODES} service_code values at once")
    known = {c.code for c in await service.list_categories()}
    for code in codes:
        if code is not None and code not in known:
            raise InvalidInput(f"no service with service_code {code[:40]!r}")
    if len(codes) == 1:
        found = await service.list_appeals(
            _filters(codes[0], statuses, begin, finish),
            limit=page_size,
            offset=offset,
        )
        return RequestsPage(
            rows=[as_request(a) for a in found.items],
            more=found.next_cursor is not None,
            start=begin,
            end=finish,
        )
    # Several services: each one's first offset + page_size rows, merged newest first.
    if offset + page_size > MAX_MERGED:
        raise InvalidInput(
            f"with several service_code values pages reach {MAX_MERGED} requests at most: "
            "ask for one service_code at a time to page further"
        )
    merged: list[AppealOut] = []
    for code in codes:
        found = await service.list_appeals(
            _filters(code, statuses, begin, finish),
            limit=offset + page_size + 1,
        )
        merged.extend(found.items)
    merged.sort(key=lambda a: (a.received_at, a.id), reverse=True)
    window_rows = merged[offset : offset + page_size]
    return RequestsPage(
        rows=[as_request(a) for a in window_rows],
        more=len(merged) > offset + page_size,
        start=begin,
        end=finish,
    )


def _filters(
    code: str | None, statuses: tuple[str, ...], begin: dt.datetime, finish: dt.datetime
) -> AppealFilters:
    """The appeal filters Open311's parameters set (``FILTER_OF_PARAMETER``)."""
    asked: dict[str, Any] = {
        "service_code": code,
        "status": statuses,
        "start_date": begin,
        "end_date": finish,
    }
    return AppealFilters(**{FILTER_OF_PARAMETER[name]: value for name, value in asked.items()})


async def one_request(name: str) -> list[dict[str, Any]]:
    if not name.isascii() or not name.isdigit() or len(name) > 18:
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


def service_definition_xml(data: dict[str, Any]) -> bytes:
    top = ET.Element("service_definition")
    ET.SubElement(top, "service_code").text = _text(data["service_code"])
    ET.SubElement(top, "attributes")
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
