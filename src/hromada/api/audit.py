"""REST for the participation audit log: the entries in order and the chain's head.
The rules (and how to recompute a hash) live in ``participation.audit.service``."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from hromada.paging import DEFAULT_LIMIT, Page
from hromada.participation.audit import service
from hromada.participation.audit.schemas import AuditEntryOut, AuditHead


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]  # noqa: RUF012

    @get(
        "/",
        summary="Every state change and staff action of petitions and the participatory "
        "budget, oldest first, each hash chained to the one before",
        description='entry_hash = SHA-256(prev_hash + "\\n" + canonical JSON of seq, at, '
        "domain, subject, action, actor and detail: keys sorted, no spaces, UTF-8). The "
        "first entry's prev_hash is 64 zeros.",
    )
    async def list_entries(
        self,
        subject: Annotated[
            str | None,
            QueryParameter(description='One thing\'s entries, e.g. "petition:12"', max_length=64),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE)] = DEFAULT_LIMIT,
        cursor: Annotated[
            str | None, QueryParameter(description="next_cursor of the previous page")
        ] = None,
    ) -> Page[AuditEntryOut]:
        return await service.entries(subject=subject, limit=limit, cursor=cursor)

    @get("/head", summary="The number of entries and the latest hash, which pins them all")
    async def head(self) -> AuditHead:
        return await service.head()


ROUTES = [AuditController]
