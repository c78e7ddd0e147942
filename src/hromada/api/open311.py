"""Open311 GeoReport v2 (read-only): discovery, services and requests, as .json or .xml."""

from __future__ import annotations

from typing import Annotated, Any

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


def _answer(fmt: str, data: Any, *, root: str = "", item: str = "") -> Response[Any]:
    if fmt == "json":
        return Response(content=data, media_type="application/json")
    body = open311.discovery_xml(data) if root == "discovery" else open311.to_xml(root, item, data)
    return Response(content=body, media_type="text/xml; charset=utf-8")


class Open311Controller(Controller):
    path = "/open311/v2"
    tags = ["open311"]  # noqa: RUF012

    @get(
        "/{resource:str}",
        summary="discovery, services or requests (.json or .xml)",
        description="GeoReport v2. requests takes service_request_id, service_code, "
        "start_date, end_date (90 days at most, the last 90 days by default), status "
        "(open, closed) and page_size.",
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
        page_size: Annotated[int, Query(ge=1)] = 100,
    ) -> Response[Any]:
        stem, fmt = _split(resource)
        if stem == "discovery":
            base = str(request.base_url).rstrip("/")
            return _answer(fmt, open311.discovery(base), root="discovery")
        if stem == "services":
            return _answer(fmt, await open311.services(), root="services", item="service")
        if stem == "requests":
            rows = await open311.requests(
                service_request_id=service_request_id,
                service_code=service_code,
                start_date=start_date,
                end_date=end_date,
                status=status,
                page_size=page_size,
                max_page_size=request.app.state["settings"].api_max_page_size,
            )
            return _answer(fmt, rows, root="service_requests", item="request")
        raise NotFound(f"no Open311 resource {stem[:40]!r}")

    @get("/requests/{name:str}", summary="One service request (.json or .xml)")
    async def one_request(self, name: FromPath[str]) -> Response[Any]:
        stem, fmt = _split(name)
        rows = await open311.one_request(stem)
        return _answer(fmt, rows, root="service_requests", item="request")


# What the app mounts for this domain (hromada.open_data.appeals.domain names this module).
ROUTES = [Open311Controller]
