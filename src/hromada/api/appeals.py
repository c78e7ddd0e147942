"""REST for appeals: the public list, one appeal, statistics, the service catalogue,
and the staff import."""

from __future__ import annotations

import shutil
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter

from hromada import uploads
from hromada.api.downloads import (
    SEP_DESCRIPTION,
    base_url,
    file_response,
    separator,
    table_bytes,
)
from hromada.api.guards import require
from hromada.api.params import RowId, filter_query
from hromada.auth.permissions import Permission
from hromada.config import Settings
from hromada.errors import InvalidInput
from hromada.open_data.appeals import service
from hromada.open_data.appeals.filters import build_filters, split_list
from hromada.open_data.appeals.formats import FORMATS, format_of_form
from hromada.open_data.appeals.schemas import (
    AppealFilters,
    AppealOut,
    CategoryOut,
    DensityOut,
    ImportAnswer,
    ImportReport,
    StatsOut,
)
from hromada.open_data.catalog import service as catalog
from hromada.open_data.catalog.formats import MEDIA_TYPES
from hromada.open_data.catalog.schemas import PublishJob
from hromada.paging import DEFAULT_LIMIT, Page
from hromada.search.runtime import backend_of

Query = QueryParameter


def _settings(request: Request[Any, Any, Any]) -> Settings:
    return request.app.state["settings"]


class AppealController(Controller):
    path = "/api/v1/appeals"
    tags = ["appeals"]  # noqa: RUF012

    @get("/", summary="Published appeals, newest first (keyset pagination)")
    @filter_query(AppealFilters, build_filters)
    async def list_appeals(
        self,
        request: Request[Any, Any, Any],
        filters: AppealFilters,
        q: Annotated[
            str | None,
            Query(
                description="Words in the appeal (typos forgiven), through search: most "
                "relevant first; combines with district, category, status and received_*",
                max_length=200,
            ),
        ] = None,
        sort: Annotated[
            str, Query(description="-received_at (default), received_at, id or -id")
        ] = "-received_at",
        limit: Annotated[int, Query(ge=1)] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, Query()] = None,
    ) -> Page[AppealOut]:
        found = await service.find_appeals(
            filters,
            q=q,
            search=backend_of(request.app.state),
            sort=sort,
            limit=limit,
            max_limit=_settings(request).api_max_page_size,
            cursor=cursor,
        )
        return found.page

    @get(
        "/density",
        summary="Public appeals per grid cell, for a map (cells below k suppressed)",
    )
    async def appeal_density(
        self,
        request: Request[Any, Any, Any],
        cell: Annotated[
            float,
            Query(description="Cell size in degrees: 0.005, 0.01 (default) or 0.02"),
        ] = 0.01,
    ) -> DensityOut:
        return await service.density(_settings(request).appeals_k, cell)

    @get("/stats", summary="Appeal statistics by group (small groups suppressed)")
    @filter_query(AppealFilters, build_filters)
    async def appeal_stats(
        self,
        request: Request[Any, Any, Any],
        group_by: Annotated[
            str,
            Query(
                description="Up to three of: " + ", ".join(service.GROUPS) + " (comma-separated)"
            ),
        ] = "district",
        *,
        filters: AppealFilters,
    ) -> StatsOut:
        return await service.stats(filters, split_list(group_by), k=_settings(request).appeals_k)

    @get(
        ["/stats.csv", "/stats.xlsx"],
        summary="Appeal statistics as a file to keep (CSV or XLSX)",
        description="The same groups as `/stats` with the same filters and `group_by` (public "
        "appeals only; groups below k left out; no total row): one row per group, each "
        "code with its name beside it (`district`, `district_name`, …), then the figures.",
        opt={"skip_compression": True},
    )
    @filter_query(AppealFilters, build_filters)
    async def appeal_stats_file(
        self,
        request: Request[Any, Any, Any],
        group_by: Annotated[
            str,
            Query(
                description="Up to three of: " + ", ".join(service.GROUPS) + " (comma-separated)"
            ),
        ] = "district",
        *,
        filters: AppealFilters,
    ) -> Response[bytes]:
        out = await service.stats(filters, split_list(group_by), k=_settings(request).appeals_k)
        header, rows = service.stats_table(out)
        fmt = request.url.path.rpartition(".")[2]
        name = "appeal-stats-" + "-".join(out.group_by)
        return Response(
            table_bytes(fmt, header, rows),
            media_type=MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
        )

    @get(
        "/stats/buildings",
        summary="Appeal statistics per building, for city staff (small groups suppressed)",
        description="The mayor's per-building view: public appeals counted per registry "
        "building their address named (matched at import, before the house number is "
        "dropped), most appeals first, with the list's filters and up to two more "
        "groupings (`group_by=category,month`); `building` narrows to one building. Groups "
        "under k are left out as in `/stats`. Officials and admins only: the public appeal "
        "keeps its street, and a public per-building count would place it at its house.",
        guards=[require(Permission.READ_BUILDING_STATS)],
    )
    @filter_query(AppealFilters, build_filters)
    async def building_stats(
        self,
        request: Request[Any, Any, Any],
        group_by: Annotated[
            str, Query(description="Up to two more of: " + ", ".join(service.GROUPS))
        ] = "",
        building: Annotated[
            int | None, Query(ge=1, le=2**31 - 1, description="One building's id")
        ] = None,
        *,
        filters: AppealFilters,
    ) -> StatsOut:
        out = await service.stats(
            filters,
            ["building", *split_list(group_by)],
            k=_settings(request).appeals_k,
            staff=True,
            building=building,
        )
        out.groups.sort(key=lambda g: -g.count)
        return out

    @get(
        "/download/{fmt:str}",
        summary="The appeals the list's filters select, as a file",
        description=(
            "The same filters as the list, in any download format of the appeals dataset "
            "(csv, json, jsonl, geojson, xlsx, parquet): the same anonymised rows, columns and "
            f"cell forms as the full file, at most {catalog.MAX_SUBSET_ROWS:,} rows "
            "(more is a 413 naming the full file). `bom=1` puts a UTF-8 BOM before a CSV; "
            "`sep=semicolon` gives the CSV for Excel in a ';' locale (and a BOM)."
        ),
        opt={"skip_compression": True},  # file_response compresses, once, when asked
    )
    @filter_query(AppealFilters, build_filters)
    async def download_subset(
        self,
        request: Request[Any, Any, Any],
        fmt: FromPath[str],
        bom: Annotated[bool, QueryParameter(description="UTF-8 BOM before a CSV (Excel)")] = False,
        sep: Annotated[str, QueryParameter(description=SEP_DESCRIPTION)] = "comma",
        q: Annotated[
            str | None,
            Query(
                description="Words, as the list's q: the appeals search finds, most relevant "
                "first (at most what search reaches; more is a 413)",
                max_length=200,
            ),
        ] = None,
        *,
        filters: AppealFilters,
    ) -> Response[Any]:
        transform, variant = separator(fmt, sep)
        settings = _settings(request)
        rows = (
            service.iter_found_rows(filters, q=q, search=backend_of(request.app.state))
            if q and q.strip()
            else service.iter_public_rows(filters)
        )
        subset = await catalog.write_subset(settings, "appeals", rows, fmt, base_url(request))
        try:
            return file_response(
                request,
                subset.path,
                sha256=subset.sha256,
                last_modified=service.now(),
                media_type=MEDIA_TYPES[fmt],
                filename=f"appeals-filtered.{fmt}",
                immutable=False,
                bom=bom and fmt == "csv" and transform is None,
                transform=transform,
                variant=variant,
            )
        finally:
            # The response holds the file open (unless it is a HEAD or a 304): the folder can go.
            shutil.rmtree(subset.directory, ignore_errors=True)

    @get("/categories", summary="The service catalogue derived from the appeals")
    async def categories(self) -> Page[CategoryOut]:
        # A few hundred at most: one page, with the list shape of every other list.
        return Page(items=await service.list_categories(), next_cursor=None)

    @get("/{appeal_id:int}", summary="One published appeal")
    async def get_appeal(self, appeal_id: RowId) -> AppealOut:
        return await service.get_appeal(appeal_id)


class AppealImportController(Controller):
    path = "/api/v1/admin/imports/appeals"
    tags = ["admin"]  # noqa: RUF012
    # Officials and admins (a logged-in session with its CSRF token, or scripts with the
    # HROMADA_ADMIN_TOKEN bearer, which acts as an admin API key).
    guards = [require(Permission.IMPORT_DATA)]  # noqa: RUF012

    @post(
        "/",
        summary="Import an appeals file (staff)",
        description=(
            "Send the file as the request body (`curl --data-binary @file`), or as the one "
            "file field of a `multipart/form-data` form (a browser form, Postman), where a "
            "`format` field may name its format; otherwise the format comes from the query, "
            "the file's name and its first bytes. CSV (comma or semicolon), XLSX, JSON Lines, "
            "Kyiv 1551 API JSON or the "
            "1551 portal scrape; gzip accepted. One import is one transaction: with a bad row "
            "nothing is written and the answer (422) lists every bad row, unless "
            "allow_rejects=true. A CSV without the district, category or status column is "
            "refused unless allow_missing=true. The answer names the job that publishes the "
            'new version (`publish_job`, also `Link: <url>; rel="monitor"`).'
        ),
        request_max_body_size=None,
        status_code=200,
    )
    async def import_appeals(
        self,
        request: Request[Any, Any, Any],
        format: Annotated[str, Query(description="auto, " + ", ".join(FORMATS[1:]))] = "auto",
        allow_rejects: Annotated[bool, Query()] = False,
        allow_missing: Annotated[
            bool,
            Query(description="Import a CSV that lacks the district, category or status column"),
        ] = False,
    ) -> Response[ImportAnswer]:
        upload = await uploads.receive(
            request, max_bytes=_settings(request).appeals_import_max_bytes
        )
        with upload.file:
            report = await service.import_file(
                upload.file,
                fmt=format_of_form(format, upload.fields, upload.filename, upload.content_type),
                allow_rejects=allow_rejects,
                allow_missing=allow_missing,
            )
        if not report.applied:
            raise InvalidInput(
                f"{report.rejected} bad row(s); nothing was imported",
                errors=[
                    {"where": "body", "line": e.line, "name": e.column or "", "message": e.reason}
                    for e in report.errors
                ],
            )
        # The import queued a job that publishes the new version off the request loop
        # (a worker, in this process or another): staff watch it at the Link.
        job = None
        headers = {}
        if report.publish_job is not None:
            path = f"/api/v1/admin/jobs/{report.publish_job}"
            job = PublishJob(id=report.publish_job, url=base_url(request) + path)
            headers["Link"] = f'<{path}>; rel="monitor"'
        answer = ImportAnswer(
            **{f: getattr(report, f) for f in ImportReport.__struct_fields__ if f != "publish_job"},
            publish_job=job,
        )
        return Response(content=answer, headers=headers)


# What the app mounts for this domain (hromada.open_data.appeals.domain names this module).
ROUTES = [AppealController, AppealImportController]
