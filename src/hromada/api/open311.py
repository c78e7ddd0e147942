"""Open311 GeoReport v2 (read-only): discovery, services and requests, as .json or .xml.

``requests`` is paged as common GeoReport servers do (``page``, ``page_size``)
and says so: a ``Link`` header with ``rel="next"`` while more follow (its URL
pins the date window), so a client never takes a page for everything. Errors
leave in Open311's shape (``api.errors`` and ``api.error_shapes``), 400 for bad input.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, QueryParameter

from hromada.errors import NotFound
from hromada.open_data.appeals import open311

Query = QueryParameter


def _split(name: str) -> tuple[str, str]:
    stem, dot, fmt = name.rpartition(".")
    if not dot or fmt not in ("json", "xml"):
        raise NotFound(f"Open311 resources end in .json or .xml, not {name[:40]!r}")
    return stem, fmt


def _answer(
    fmt: str,
    data: Any,
    *,
    root: str = "",
    item: str = "",
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    if fmt == "json":
        return Response(content=data, media_type="application/json", headers=headers)
    if root == "discovery":
        body = open311.discovery_xml(data)
    elif root == "service_definition":
        body = open311.service_definition_xml(data)
    else:
        body = open311.to_xml(root, item, data)
    return Response(content=body, media_type="text/xml; charset=utf-8", headers=headers)


def _w3c(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"


def _links(request: Request[Any, Any, Any], found: open311.RequestsPage, page: int) -> str:
    """RFC 8288 links to the neighbouring pages, the date window pinned."""
    query = {k: v for k, v in request.query_params.items() if k != "page"}
    if found.start is not None and found.end is not None:
        # A window at the edge of the calendar cannot be written: links without pins.
        with contextlib.suppress(OverflowError):
            query["start_date"], query["end_date"] = _w3c(found.start), _w3c(found.end)
    url = str(request.url).split("?", 1)[0]
    links = []
    for rel, number in (("first", 1), ("prev", page - 1), ("next", page + 1)):
        if rel == "prev" and page == 1:
            continue
        if rel == "next" and not found.more:
            continue
        links.append(f'<{url}?{urlencode({**query, "page": number})}>; rel="{rel}"')
    return ", ".join(links)


class Open311Controller(Controller):
    path = "/open311/v2"
    tags = ["open311"]  # noqa: RUF012

    @get(
        "/{resource:str}",
        summary="discovery, services or requests (.json or .xml)",
        description="GeoReport v2. requests takes service_request_id, service_code, "
        "start_date, end_date (90 days at most, the last 90 days by default), status "
        "(open, closed), page (from 1) and page_size; a Link header names the next page "
        "while there is one.",
    )
    async def resource(
        self,
        request: Request[Any, Any, Any],
        resource: FromPath[str],
        service_request_id: Annotated[str | None, Query()] = None,
        service_code: Annotated[str | None, Query()] = None,
        start_date: Annotated[str | None, Query()] = None,
        end_date: Annotated[str | None, Query()] = None,
        status: Annotated[str | None, Query(name="status")] = None,
        jurisdiction_id: Annotated[str | None, Query()] = None,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=1_000_000)] = 100,
    ) -> Response[Any]:
        stem, fmt = _split(resource)
        if stem == "discovery":
            base = str(request.base_url).rstrip("/")
            return _answer(fmt, open311.discovery(base), root="discovery")
        if stem == "services":
            return _answer(fmt, await open311.services(), root="services", item="service")
        if stem == "requests":
            found = await open311.requests(
                service_request_id=service_request_id,
                service_code=service_code,
                start_date=start_date,
                end_date=end_date,
                status=status,
                page=page,
                page_size=page_size,
                max_page_size=request.app.state["settings"].api_max_page_size,
            )
            return _answer(
                fmt,
                found.rows,
                root="service_requests",
                item="request",
                headers={"Link": _links(request, found, page)},
            )
        raise NotFound(f"no Open311 resource {stem[:40]!r}")

    @get("/services/{name:str}", summary="A service definition (.json or .xml)")
    async def service_definition(self, name: FromPath[str]) -> Response[Any]:
        stem, fmt = _split(name)
        found = await open311.service_definition(stem)
        return _answer(fmt, found, root="service_definition")

    @get("/requests/{name:str}", summary="One service request (.json or .xml)")
    async def one_request(self, name: FromPath[str]) -> Response[Any]:
        stem, fmt = _split(name)
        rows = await open311.one_request(stem)
        return _answer(fmt, rows, root="service_requests", item="request")


# What the app mounts for this domain (hromada.open_data.appeals.domain names this module).
ROUTES = [Open311Controller]
