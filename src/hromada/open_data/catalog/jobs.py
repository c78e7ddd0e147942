"""Publishing as a background job: the one way an import gets its new version published.

An import calls :func:`queue_publish` inside its own transaction, so the job
exists exactly when the imported rows do; a worker then runs
:func:`publish_job`, off the request loop. Publishing is idempotent (the same
content makes no new version), so a retried or repeated job is harmless.
"""

from __future__ import annotations

from typing import Any

from hromada.config import Settings
from hromada.jobs import service as jobs

PUBLISH = "catalog.publish"


async def queue_publish(slug: str) -> int:
    """Queue publishing ``slug``; returns the job id. Asked twice while it waits, one job."""
    return await jobs.enqueue(PUBLISH, {"slug": slug}, dedupe_key=f"{PUBLISH}:{slug}")


async def publish_job(settings: Settings, payload: dict[str, Any]) -> None:
    from hromada.open_data.catalog.retention import apply_policy
    from hromada.open_data.catalog.service import publish

    slug = str(payload["slug"])
    if (await publish(settings, slug)).created:
        await apply_policy(settings, slug)
