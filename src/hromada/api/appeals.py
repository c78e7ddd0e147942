"""REST for appeals: the public list, one appeal, statistics, the service catalogue,
and the staff import."""

from __future__ import annotations

import shutil
import tempfile
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter

from hromada.api.downloads import base_url, file_response
from hromada.api.guards import require
from hromada.api.params import RowId, filter_query
from hromada.auth.permissions import Permission
from hromada.config import Settings
from hromada.errors import InvalidInput, TooLarge
from hromada.open_data.appeals import service
from hromada.open_data.appeals.filters import build_filters, split_list
from hromada.open_data.appeals.formats import FORMATS
from hromada.open_data.appeals.schemas import (
    AppealFilters,
    AppealOut,
    CategoryOut,
    ImportReport,
    StatsOut,
)
from hromada.open_data.catalog import service as catalog
from hromada.open_data.catalog.formats import MEDIA_TYPES
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
        "/download/{fmt:str}",
        summary="The appeals the list's filters select, as a file",
        description=(
            "The same filters as the list, in any download format of the appeals dataset "
            "(csv, json, jsonl, geojson, xlsx, parquet): the same anonymised rows, columns and "
            f"cell forms as the full file, at most {catalog.MAX_SUBSET_ROWS:,} rows "
            "(more is a 413 naming the full file). `bom=1` puts a UTF-8 BOM before a CSV."
        ),
        opt={"skip_compression": True},  # file_response compresses, once, when asked
    )
    @filter_query(AppealFilters, build_filters)
    async def download_subset(
        self,
        request: Request[Any, Any, Any],
        fmt: FromPath[str],
        bom: Annotated[bool, QueryParameter(description="UTF-8 BOM before a CSV (Excel)")] = False,
        *,
        filters: AppealFilters,
    ) -> Response[Any]:
        settings = _settings(request)
        subset = await catalog.write_subset(
            settings, "appeals", service.iter_public_rows(filters), fmt, base_url(request)
        )
        try:
            return file_response(
                request,
                subset.path,
                sha256=subset.sha256,
                last_modified=service.now(),
                media_type=MEDIA_TYPES[fmt],
                filename=f"appeals-filtered.{fmt}",
                immutable=False,
                bom=bom and fmt == "csv",
            )
        finally:
            # The response holds the file open (unless it is a HEAD or a 304): the folder can go.
            shutil.rmtree(subset.directory, ignore_errors=True)

    @get("/categories", summary="The service catalogue derived from the appeals")
    async def categories(self) -> dict[str, list[CategoryOut]]:
        return {"items": await service.list_categories()}

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
            "The request body is the file itself (CSV, JSON Lines, Kyiv 1551 API JSON or "
            "the 1551 portal scrape; gzip accepted). One import is one transaction: with a "
            "bad row nothing is written and the answer (422) lists every bad row, unless "
            "allow_rejects=true."
        ),
        request_max_body_size=None,
        status_code=200,
    )
    async def import_appeals(
        self,
        request: Request[Any, Any, Any],
        format: Annotated[str, Query(description="auto, " + ", ".join(FORMATS[1:]))] = "auto",
        allow_rejects: Annotated[bool, Query()] = False,
    ) -> Response[ImportReport]:
        cap = _settings(request).appeals_import_max_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise TooLarge(f"the file is larger than {cap} bytes")
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > cap:
                    raise TooLarge(f"the file is larger than {cap} bytes")
                spool.write(chunk)
            spool.seek(0)
            report = await service.import_file(
                spool,
                fmt=format,
                allow_rejects=allow_rejects,
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
        headers = (
            {"Link": f'</api/v1/admin/jobs/{report.publish_job}>; rel="monitor"'}
            if report.publish_job is not None
            else {}
        )
        return Response(content=report, headers=headers)


# What the app mounts for this domain (hromada.open_data.appeals.domain names this module).
ROUTES = [AppealController, AppealImportController]
