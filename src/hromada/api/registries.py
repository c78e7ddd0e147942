from __future__ import annotations

import dataclasses
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter

from hromada import uploads
from hromada.api.downloads import base_url
from hromada.api.guards import require
from hromada.api.params import RowId
from hromada.auth.permissions import Permission
from hromada.errors import InvalidInput
from hromada.open_data.catalog.schemas import PublishJob
from hromada.open_data.registries import importing, records, service
from hromada.open_data.registries.kinds import REGISTRIES
from hromada.open_data.registries.schemas import (
    BuildingOut,
    DistrictOut,
    RecordErrorOut,
    RegistryImportReportOut,
    RegistryOut,
    StreetOut,
)
from hromada.paging import DEFAULT_LIMIT, Page
from hromada.search.runtime import backend_of

MAX_LIMIT = 500
MAX_FEATURES = 5_000
Query = QueryParameter
# What every declared registry's list takes besides its own field filters.
_COMMON = {"district", "bbox", "near", "radius", "limit", "cursor", "simplify"}
_FILTERS_DOC = "; ".join(
    f"{r.slug}: " + ", ".join(f.name for f in r.filter_fields) for r in REGISTRIES
)


class DistrictController(Controller):
    path = "/api/v1/districts"
    tags = ["registries"]  # noqa: RUF012

    @get("/", summary="The city's districts")
    async def list_districts(self) -> Page[DistrictOut]:
        # A city has a handful of districts: one page, with the list shape of every other list.
        items = await service.list_districts()
        return Page(items=items, next_cursor=None, total=len(items))

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


class BuildingController(Controller):
    path = "/api/v1/buildings"
    tags = ["registries"]  # noqa: RUF012

    @get("/", summary="Buildings, optionally in one district or on one street, by id")
    async def list_buildings(
        self,
        district: Annotated[str | None, QueryParameter(max_length=100)] = None,
        street: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> Page[BuildingOut]:
        return await service.page_buildings(
            district=district, street=street, limit=limit, cursor=cursor
        )

    @get("/{building_id:int}", summary="One building")
    async def get_building(self, building_id: RowId) -> BuildingOut:
        return await service.get_building(building_id)


async def _record_query(request: Request[Any, Any, Any], slug: str) -> records.RecordQuery:
    """The list's filters from the query string, checked by the one query's rules: a
    parameter that is neither common nor one of the registry's filters is a 422."""
    registry = records.registry_or_404(slug)
    params = request.query_params
    repeated = [name for name in params if len(params.getall(name)) > 1]
    if repeated:
        raise InvalidInput(f"give {repeated[0][:40]!r} once")
    radius = params.get("radius")
    try:
        radius_m = float(radius) if radius is not None else None
    except ValueError:
        raise InvalidInput("radius is a number of metres") from None
    return await records.check_query(
        registry,
        district=params.get("district") or None,
        bbox=params.get("bbox") or None,
        near=params.get("near") or None,
        radius=radius_m,
        equals={k: v for k, v in params.items() if k not in _COMMON},
    )


_GEO_PARAMS = (
    "`bbox=west,south,east,north` (degrees), `near=lat,lon` with `radius` (metres, at most "
    f"{records.MAX_RADIUS_M}), `district` (a code), and the registry's own fields "
    f"({_FILTERS_DOC}) as `?field=value`; an unknown parameter is a 422."
)


class RegistryController(Controller):
    path = "/api/v1/registries"
    tags = ["registries"]  # noqa: RUF012

    @get("/", summary="The declared registries: their fields, filters and sizes")
    async def list_registries(self) -> Page[RegistryOut]:
        items = await records.list_registries()
        return Page(items=items, next_cursor=None, total=len(items))

    @get("/{slug:str}", summary="One registry's declaration")
    async def get_registry(self, slug: FromPath[str]) -> RegistryOut:
        records.registry_or_404(slug)
        return next(r for r in await records.list_registries() if r.slug == slug)

    @get(
        "/{slug:str}/records",
        summary="A registry's records in key order, filtered",
        description="Filters: " + _GEO_PARAMS,
    )
    async def list_records(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
    ) -> Page[dict[str, Any]]:
        query = await _record_query(request, slug)
        return await records.page_records(query, limit=limit, cursor=cursor)

    @get("/{slug:str}/records/{key:str}", summary="One record by its key")
    async def get_record(self, slug: FromPath[str], key: FromPath[str]) -> dict[str, Any]:
        return await records.get_record(records.registry_or_404(slug), key)

    @get(
        "/{slug:str}/features",
        summary="A registry's records as GeoJSON for map clients",
        description=(
            "A FeatureCollection (RFC 7946) of up to `limit` features in key order, with the "
            "list's filters; `next_cursor` (and a `Link: rel=next`) gives the next part. "
            "`simplify` (metres) thins lines and polygons for drawing. Filters: " + _GEO_PARAMS
        ),
        media_type="application/geo+json",
    )
    async def features(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        limit: Annotated[int, Query(ge=1, le=MAX_FEATURES)] = 1_000,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
        simplify: Annotated[float | None, Query(description="tolerance in metres")] = None,
    ) -> Response[dict[str, Any]]:
        query = await _record_query(request, slug)
        if query.registry.geometry is None:
            raise InvalidInput(f"{slug} has no geometry: use /records")
        tolerance = records.tolerance_degrees(simplify)
        page = await records.page_records(query, limit=limit, cursor=cursor)
        body: dict[str, Any] = {
            "type": "FeatureCollection",
            "features": [records.feature(query.registry, r, tolerance) for r in page.items],
            "next_cursor": page.next_cursor,
        }
        headers = {}
        if page.next_cursor:
            following = {**dict(request.query_params), "cursor": page.next_cursor}
            headers["Link"] = f'<{request.url.path}?{urlencode(following)}>; rel="next"'
        return Response(body, headers=headers, media_type="application/geo+json")


class RegistryImportController(Controller):
    path = "/api/v1/admin/imports/registries"
    tags = ["admin"]  # noqa: RUF012
    guards = [require(Permission.IMPORT_DATA)]  # noqa: RUF012

    @post(
        "/{slug:str}",
        summary="Import a registry file (staff)",
        description=(
            "CSV (UTF-8 or Windows-1251, comma or semicolon), XLSX or a GeoJSON "
            "FeatureCollection, as the body or the file field of a multipart form. All or "
            "nothing: with one bad record nothing is written and the answer (422) lists "
            "every bad one by line. Records are updated by key; `replace=true` also removes "
            "those the file no longer has. Addresses that match no building are reported."
        ),
        request_max_body_size=None,
        status_code=200,
    )
    async def import_registry(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        format: Annotated[str, Query(description="auto, csv, xlsx, geojson")] = "auto",
        replace: Annotated[bool, Query()] = False,
    ) -> Response[RegistryImportReportOut]:
        registry = records.registry_or_404(slug)
        settings = request.app.state["settings"]
        upload = await uploads.receive(request, max_bytes=settings.registry_import_max_bytes)
        with upload.file:
            if set(upload.fields) - {"format"}:
                raise InvalidInput("the form takes the file and `format` only")
            fmt = upload.fields.get("format") or format
            report = await importing.import_file(
                registry, upload.file, k=settings.appeals_k, fmt=fmt, replace=replace
            )
        out = RegistryImportReportOut(
            **{
                k: v
                for k, v in dataclasses.asdict(report).items()
                if k not in ("errors", "unmatched_addresses", "publish_job")
            },
            errors=[RecordErrorOut(e.line, e.column, e.reason) for e in report.errors],
            unmatched_addresses=[
                RecordErrorOut(e.line, e.column, e.reason) for e in report.unmatched_addresses
            ],
        )
        if not report.applied:
            raise InvalidInput(
                f"{report.rejected} bad record(s); nothing was imported",
                errors=[
                    {"where": "body", "line": e.line, "name": e.column, "message": e.reason}
                    for e in report.errors
                ],
            )
        headers = {}
        if report.publish_job is not None:
            path = f"/api/v1/admin/jobs/{report.publish_job}"
            out.publish_job = PublishJob(id=report.publish_job, url=base_url(request) + path)
            headers["Link"] = f'<{path}>; rel="monitor"'
        return Response(out, headers=headers)


# What the app mounts for this domain (hromada.open_data.registries.domain names this module).
ROUTES = [
    DistrictController,
    StreetController,
    BuildingController,
    RegistryController,
    RegistryImportController,
]
