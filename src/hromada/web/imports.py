"""The staff's imports page: the publishing each import queued, newest first, and a form
that imports an appeals file as the REST import does (``appeals.service.import_file``),
answered with its report: counts, and every bad row by line when nothing was written."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.response import Template

from hromada import uploads
from hromada.auth.guard import check_permission
from hromada.auth.permissions import Permission
from hromada.errors import InvalidInput, TooLarge, status_of
from hromada.jobs import service as jobs
from hromada.open_data.appeals import service as appeals
from hromada.open_data.appeals.formats import FORMATS, format_of_form
from hromada.open_data.appeals.schemas import ImportReport
from hromada.open_data.catalog.jobs import PUBLISH
from hromada.web import i18n
from hromada.web.render import LIST_LIMIT, Query, language, page, settings_of

REPORT_ERRORS_SHOWN = 100  # bad rows listed on the page; the rest are counted
# The form's own fields, beside what the import reads (the file and its ``format``).
FORM_OPTIONS = ("csrf_token", "allow_rejects", "allow_missing")


async def _imports_page(
    request: Request[Any, Any, Any],
    *,
    cursor: str | None = None,
    report: ImportReport | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    recent = await jobs.recent(PUBLISH, limit=LIST_LIMIT, cursor=cursor)
    return page(
        request,
        "staff_imports.html",
        status_code=status_code,
        recent=recent,
        formats=FORMATS,
        report=report,
        shown_errors=report.errors[:REPORT_ERRORS_SHOWN] if report else [],
        error=error,
        max_mb=settings_of(request).appeals_import_max_bytes // (1024 * 1024),
    )


@get("/staff/imports", name="web-staff-imports")
async def imports(
    request: Request[Any, Any, Any],
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Template:
    await check_permission(request, Permission.IMPORT_DATA)
    return await _imports_page(request, cursor=cursor)


@post(
    "/staff/imports/appeals",
    name="web-staff-import-appeals",
    status_code=200,
    request_max_body_size=None,  # ``uploads.receive`` caps it at the import's own limit
)
async def import_appeals(request: Request[Any, Any, Any]) -> Template:
    """One import is one transaction: with a bad row nothing is written (unless the form
    allows rejects) and the page lists the rows, as the API's 422 does."""
    await check_permission(request, Permission.IMPORT_DATA)
    settings = settings_of(request)
    try:
        upload = await uploads.receive(request, max_bytes=settings.appeals_import_max_bytes)
        with upload.file:
            options = {name: upload.fields.pop(name, "") for name in FORM_OPTIONS}
            fmt = format_of_form("auto", upload.fields, upload.filename, upload.content_type)
            report = await appeals.import_file(
                upload.file,
                fmt=fmt,
                allow_rejects=options["allow_rejects"] == "1",
                allow_missing=options["allow_missing"] == "1",
            )
    except (InvalidInput, TooLarge) as refused:
        return await _imports_page(
            request,
            error=i18n.error_text(language(request), refused),
            status_code=status_of(refused),
        )
    return await _imports_page(request, report=report, status_code=200 if report.applied else 422)


ROUTES = [imports, import_appeals]
