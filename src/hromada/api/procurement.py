"""REST for procurement; the rules live in ``open_data.procurement.service``."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import FromPath, QueryParameter

from hromada.open_data.procurement import service
from hromada.open_data.procurement.savings import RULE
from hromada.open_data.procurement.schemas import SavingsPage, TenderOut
from hromada.paging import DEFAULT_LIMIT, Page

CURSOR = QueryParameter(description="next_cursor of the previous page")


class ProcurementController(Controller):
    path = "/api/v1/procurement"
    tags = ["procurement"]  # noqa: RUF012

    @get(
        "/tenders",
        summary="Tenders imported from ProZorro, by procuring entity, year, status and CPV "
        "(money as decimal strings with their currency; winners named only as legal entities)",
    )
    async def tenders(
        self,
        entity: Annotated[
            str | None,
            QueryParameter(description="The procuring entity's EDRPOU code", max_length=8),
        ] = None,
        year: Annotated[
            int | None, QueryParameter(description="Created in (Kyiv time)", ge=2000, le=2100)
        ] = None,
        status: Annotated[
            str | None, QueryParameter(description="ProZorro status, e.g. complete", max_length=48)
        ] = None,
        cpv: Annotated[
            str | None,
            QueryParameter(
                description="A CPV code's digits or their start (its branch)", max_length=8
            ),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE)] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, CURSOR] = None,
    ) -> Page[TenderOut]:
        return await service.tenders(
            entity=entity, year=year, status=status, cpv=cpv, limit=limit, cursor=cursor
        )

    @get(
        "/tenders/{ident:str}",
        summary="One tender by its ProZorro id (32 hex digits) or its tenderID "
        "(UA-2024-03-14-000123-a, as a participatory-budget milestone's prozorro_id gives it)",
    )
    async def tender(self, ident: FromPath[str]) -> TenderOut:
        return await service.tender(ident)

    @get("/savings", summary="Savings per procuring entity or per year. " + RULE)
    async def savings(
        self,
        group: Annotated[str, QueryParameter(description="entity or year")] = "entity",
        entity: Annotated[
            str | None, QueryParameter(description="Only this EDRPOU code", max_length=8)
        ] = None,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE)] = service.MAX_PAGE,
        cursor: Annotated[str | None, CURSOR] = None,
    ) -> SavingsPage:
        return await service.savings(
            group=group, entity=entity, year=year, limit=limit, cursor=cursor
        )


ROUTES = [ProcurementController]
