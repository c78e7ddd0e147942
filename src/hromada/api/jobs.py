"""Background jobs as staff see them: where to watch a publish that an import queued."""

from __future__ import annotations

from litestar import Controller, get

from hromada.api.guards import require
from hromada.api.params import RowId
from hromada.auth.permissions import Permission
from hromada.errors import NotFound
from hromada.jobs import service
from hromada.jobs.service import JobOut


class JobController(Controller):
    path = "/api/v1/admin/jobs"
    tags = ["admin"]  # noqa: RUF012
    # Whoever may import may watch what the import queued.
    guards = [require(Permission.IMPORT_DATA)]  # noqa: RUF012

    @get(
        "/{job_id:int}",
        summary="One background job (staff)",
        description=(
            "state: queued (waiting, perhaps for a retry after run_after), running, done, "
            "failed (out of attempts; last_error says why) or superseded (the same work "
            "was queued again and that job does it)."
        ),
    )
    async def get_job(self, job_id: RowId) -> JobOut:
        job = await service.get(job_id)
        if job is None:
            raise NotFound(f"no job {job_id}")
        return job


ROUTES = [JobController]
