"""The dataset catalogue over REST: datasets, versions, changes, downloads, Data Package."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from hromada.api.downloads import SEP_DESCRIPTION, base_url, file_response, separator
from hromada.bounds import parse_key_int
from hromada.errors import InvalidInput, NotFound
from hromada.open_data.catalog import datapackage, dcat, service, urls
from hromada.open_data.catalog.formats import CHANGES, MEDIA_TYPES, changes_sha256
from hromada.open_data.catalog.registry import get_dataset
from hromada.open_data.catalog.schemas import DatasetOut, RowChangeOut, VersionOut
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

    @get(
        "/{slug:str}/versions/{version:str}/rows",
        summary="Which rows a version added, changed or removed (a number or latest)",
        description="In key order, a page at a time: `op` (add, change, remove), the row's "
        "`key`, the `fields` a change touched and the `row` as it is now. The whole list "
        "is the version's change file, `changes.jsonl`.",
    )
    async def row_changes(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        version: FromPath[str],
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, QueryParameter()] = None,
    ) -> Page[RowChangeOut]:
        settings = request.app.state["settings"]
        found = await service.get_version(settings, slug, _version_number(version))
        return await asyncio.to_thread(
            service.row_changes,
            settings,
            found,
            limit=check_limit(limit, MAX_LIMIT),
            cursor=cursor,
        )

    @get("/{slug:str}/datapackage.json", summary="Frictionless Data Package of the latest version")
    async def datapackage_latest(
        self, request: Request[Any, Any, Any], slug: FromPath[str]
    ) -> Response[dict[str, Any]]:
        return await _datapackage(request, slug, None)

    @get(
        "/{slug:str}/versions/{version:str}/{filename:str}",
        summary="Download a version: download.{csv,json,jsonl,geojson,xlsx,parquet}, "
        "datapackage.json or changes.jsonl (the rows it changed)",
        description="Streams the whole version. `?bom=1` adds a byte-order mark to CSV for "
        "Excel; `?sep=semicolon` gives the CSV for Excel where the list separator is ';' "
        "(Ukrainian locale): ';' between cells and a UTF-8 BOM, the same rows (no byte "
        "ranges). Conditional GET with ETag / Last-Modified; gzip with Accept-Encoding.",
        opt={"skip_compression": True},
    )
    async def download(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        version: FromPath[str],
        filename: FromPath[str],
        bom: Annotated[bool, QueryParameter()] = False,
        sep: Annotated[str, QueryParameter(description=SEP_DESCRIPTION)] = "comma",
    ) -> Response[Any]:
        number = _version_number(version)
        settings = request.app.state["settings"]
        if filename == "datapackage.json":
            return await _datapackage(request, slug, number)
        if filename == CHANGES:
            found = await service.get_version(settings, slug, number)
            path = service.changes_file(settings, found)
            return file_response(
                request,
                path,
                sha256=changes_sha256(path),
                last_modified=found.created_at,
                media_type="application/jsonl",
                filename=f"{slug}-v{found.number}-changes.jsonl",
                immutable=number is not None,
            )
        stem, _, fmt = filename.partition(".")
        if stem != "download" or fmt not in MEDIA_TYPES:
            raise NotFound(
                f"no file {filename!r}: use download.csv, download.json, download.jsonl, "
                "download.geojson, download.xlsx, download.parquet, datapackage.json or "
                "changes.jsonl"
            )
        transform, variant = separator(fmt, sep)
        found = await service.get_version(settings, slug, number)
        stored = service.version_file(settings, found, fmt)
        return file_response(
            request,
            stored,
            sha256=found.files[fmt]["sha256"],
            last_modified=found.created_at,
            media_type=MEDIA_TYPES[fmt],
            filename=f"{slug}-v{found.number}.{fmt}",
            immutable=number is not None,
            bom=bom and fmt == "csv" and transform is None,
            transform=transform,
            variant=variant,
        )


async def _datapackage(
    request: Request[Any, Any, Any], slug: str, number: int | None
) -> Response[dict[str, Any]]:
    settings = request.app.state["settings"]
    dataset = get_dataset(settings, slug)
    found = await service.get_version(settings, slug, number)
    found.check_available("datapackage.json")
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

    @get(
        "/catalog",
        summary="The catalogue's own IRI: a 303 to its Turtle, RDF/XML or JSON-LD by Accept",
        status_code=303,
    )
    async def catalog(self, request: Request[Any, Any, Any]) -> Redirect:
        fmt = _negotiate(request)
        return _see_other(urls.catalog(base_url(request), fmt))

    @get(
        "/organisations/{name:str}",
        summary="A publisher's IRI: a 303 by Accept to its description, "
        "which is {slug}.ttl, {slug}.rdf or {slug}.jsonld",
    )
    async def organisation(
        self, request: Request[Any, Any, Any], name: FromPath[str]
    ) -> Response[Any] | Redirect:
        slug, dot, ext = name.rpartition(".")
        settings = request.app.state["settings"]
        base = base_url(request)
        if not (dot and ext in dcat.MEDIA):
            slug, ext = name, ""
        body = dcat.publisher_document(settings, base, slug, ext or "jsonld")
        if body is None:
            raise NotFound(f"no publisher {slug!r} in the catalogue")
        if not ext:
            return _see_other(f"{urls.organisation(base, slug)}.{_negotiate(request)}")
        return _rdf(body, ext)


def _negotiate(request: Request[Any, Any, Any]) -> str:
    """The serialisation the client asks for (``Accept``), JSON-LD when it names none."""
    # JSON-LD first: what */* and a browser's Accept get.
    by_type = {
        media: fmt for fmt, media in sorted(dcat.MEDIA.items(), key=lambda f: f[0] != "jsonld")
    }
    try:
        best = request.accept.best_match(list(by_type), default=dcat.MEDIA["jsonld"])
    except (ValueError, ArithmeticError):  # Litestar's parser fails on q=1e999
        return "jsonld"
    return by_type.get(best or "", "jsonld")


def _see_other(location: str) -> Redirect:
    return Redirect(location, status_code=303, headers={"Vary": "Accept"})


def _rdf(body: str | bytes | dict[str, Any], fmt: str) -> Response[Any]:
    # Litestar adds "; charset=utf-8" to text/* itself: naming it here too said it twice.
    content = str(body) if fmt == "ttl" else body
    return Response(content=content, media_type=dcat.MEDIA[fmt])


async def _dcat(
    request: Request[Any, Any, Any], fmt: str, page: int, per_page: int
) -> Response[Any]:
    settings = request.app.state["settings"]
    body, pages = await dcat.catalog_page(settings, base_url(request), fmt, page, per_page)
    if page > pages:
        raise NotFound(f"the catalogue has {pages} page(s) of {per_page}")
    return _rdf(body, fmt)


# What the app mounts for this domain (hromada.open_data.catalog.domain names this module).
ROUTES = [DatasetController, DcatController]
