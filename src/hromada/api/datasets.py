"""The dataset catalogue over REST: datasets, versions, changes, downloads, Data Package."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, QueryParameter

from hromada.api.downloads import base_url, file_response
from hromada.bounds import parse_key_int
from hromada.errors import InvalidInput, NotFound
from hromada.open_data.catalog import datapackage, dcat, service
from hromada.open_data.catalog.formats import MEDIA_TYPES
from hromada.open_data.catalog.registry import get_dataset
from hromada.open_data.catalog.schemas import DatasetOut, VersionOut
from hromada.paging import DEFAULT_LIMIT, Page, check_limit

MAX_LIMIT = 500


def _version_number(version: str) -> int | None:
    if version == "latest":
        return None
    number = parse_key_int(version)
    if number is not None:
        return number
    raise InvalidInput(
        "version must be a version number or 'latest'",
        errors=[{"where": "path", "name": "version", "message": "not a version number"}],
    )


class DatasetController(Controller):
    path = "/api/v1/datasets"
    tags = ["datasets"]  # noqa: RUF012

    @get("/", summary="The dataset catalogue: search by text, filter by theme, publisher, format")
    async def list_datasets(
        self,
        request: Request[Any, Any, Any],
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        theme: Annotated[str | None, QueryParameter(max_length=50)] = None,
        publisher: Annotated[
            str | None, QueryParameter(max_length=100, description="slug or EDRPOU code")
        ] = None,
        format_: Annotated[
            str | None, QueryParameter(name="format", max_length=20, description="e.g. geojson")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, QueryParameter()] = None,
    ) -> Page[DatasetOut]:
        return await service.list_datasets(
            request.app.state["settings"],
            q=q,
            theme=theme,
            publisher=publisher,
            fmt=format_,
            limit=check_limit(limit, MAX_LIMIT),
            cursor=cursor,
            base_url=base_url(request),
        )

    @get("/{slug:str}", summary="One dataset with its metadata and latest version")
    async def get_dataset(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> DatasetOut:
        return await service.get_dataset_out(request.app.state["settings"], slug, base_url(request))

    @get("/{slug:str}/versions", summary="Versions of a dataset, newest first")
    async def list_versions(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, QueryParameter()] = None,
    ) -> Page[VersionOut]:
        return await service.list_versions(
            request.app.state["settings"],
            slug,
            limit=check_limit(limit, MAX_LIMIT),
            cursor=cursor,
            base_url=base_url(request),
        )

    @get("/{slug:str}/versions/{version:str}", summary="One version (a number or latest)")
    async def get_version(
        self, request: Request[Any, Any, Any], slug: FromPath[str], version: FromPath[str]
    ) -> VersionOut:
        found = await service.get_version(
            request.app.state["settings"], slug, _version_number(version)
        )
        return found.out(base_url(request))

    @get(
        "/{slug:str}/changes",
        summary="Versions after `since` (a version number or an ISO time) with their changes",
    )
    async def changes(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        since: Annotated[str | None, QueryParameter(max_length=40)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, QueryParameter()] = None,
    ) -> Page[VersionOut]:
        return await service.changes_since(
            request.app.state["settings"],
            slug,
            since,
            limit=check_limit(limit, MAX_LIMIT),
            cursor=cursor,
            base_url=base_url(request),
        )

    @get("/{slug:str}/datapackage.json", summary="Frictionless Data Package of the latest version")
    async def datapackage_latest(
        self, request: Request[Any, Any, Any], slug: FromPath[str]
    ) -> Response[dict[str, Any]]:
        return await _datapackage(request, slug, None)

    @get(
        "/{slug:str}/versions/{version:str}/{filename:str}",
        summary="Download a version: download.{csv,json,jsonl,geojson,xlsx,parquet} "
        "or datapackage.json",
        description="Streams the whole version. `?bom=1` adds a byte-order mark to CSV for "
        "Excel. Conditional GET with ETag / Last-Modified; gzip with Accept-Encoding.",
        opt={"skip_compression": True},
    )
    async def download(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        version: FromPath[str],
        filename: FromPath[str],
        bom: Annotated[bool, QueryParameter()] = False,
    ) -> Response[Any]:
        number = _version_number(version)
        settings = request.app.state["settings"]
        if filename == "datapackage.json":
            return await _datapackage(request, slug, number)
        stem, _, fmt = filename.partition(".")
        if stem != "download" or fmt not in MEDIA_TYPES:
            raise NotFound(
                f"no file {filename!r}: use download.csv, download.json, download.jsonl, "
                "download.geojson, download.xlsx, download.parquet or datapackage.json"
            )
        found = await service.get_version(settings, slug, number)
        path = service.version_file(settings, found, fmt)
        return file_response(
            request,
            path,
            sha256=found.files[fmt]["sha256"],
            last_modified=found.created_at,
            media_type=MEDIA_TYPES[fmt],
            filename=f"{slug}-v{found.number}.{fmt}",
            immutable=number is not None,
            bom=bom and fmt == "csv",
        )


async def _datapackage(
    request: Request[Any, Any, Any], slug: str, number: int | None
) -> Response[dict[str, Any]]:
    settings = request.app.state["settings"]
    dataset = get_dataset(settings, slug)
    found = await service.get_version(settings, slug, number)
    return Response(
        content=datapackage.descriptor(dataset, found, base_url(request)),
        media_type="application/json",
        headers={"ETag": f'"dp-{found.content_sha256[:32]}-{found.number}"'},
    )


class DcatController(Controller):
    path = "/"
    tags = ["datasets"]  # noqa: RUF012

    @get(
        "/catalog.jsonld",
        summary="The catalogue in DCAT-AP 3 (JSON-LD), paged with hydra:next",
        media_type="application/ld+json",
    )
    async def jsonld(
        self,
        request: Request[Any, Any, Any],
        page: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=dcat.MAX_PER_PAGE)] = dcat.MAX_PER_PAGE,
    ) -> Response[Any]:
        return await _dcat(request, "jsonld", page, per_page)

    @get(
        "/catalog.ttl",
        summary="The catalogue in DCAT-AP 3 (Turtle), paged with hydra:next",
        media_type="text/turtle",
    )
    async def turtle(
        self,
        request: Request[Any, Any, Any],
        page: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=dcat.MAX_PER_PAGE)] = dcat.MAX_PER_PAGE,
    ) -> Response[Any]:
        return await _dcat(request, "ttl", page, per_page)

    @get(
        "/catalog.rdf",
        summary="The catalogue in DCAT-AP 3 (RDF/XML), paged with hydra:next",
        media_type="application/rdf+xml",
    )
    async def rdfxml(
        self,
        request: Request[Any, Any, Any],
        page: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=dcat.MAX_PER_PAGE)] = dcat.MAX_PER_PAGE,
    ) -> Response[Any]:
        return await _dcat(request, "rdf", page, per_page)


async def _dcat(
    request: Request[Any, Any, Any], fmt: str, page: int, per_page: int
) -> Response[Any]:
    settings = request.app.state["settings"]
    body, pages = await dcat.catalog_page(settings, base_url(request), fmt, page, per_page)
    if page > pages:
        raise NotFound(f"the catalogue has {pages} page(s) of {per_page}")
    if fmt == "ttl":
        # Litestar adds "; charset=utf-8" to text/* itself: naming it here said it twice.
        return Response(content=str(body), media_type="text/turtle")
    if fmt == "rdf":
        return Response(content=body, media_type="application/rdf+xml")
    return Response(content=body, media_type="application/ld+json")


# What the app mounts for this domain (hromada.open_data.catalog.domain names this module).
ROUTES = [DatasetController, DcatController]
