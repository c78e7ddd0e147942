"""REST for budget execution; the rules live in ``open_data.budget.service``."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from hromada.open_data.budget import service
from hromada.open_data.budget.schemas import ChangeOut, CodeOut, GroupOut, LineOut
from hromada.paging import DEFAULT_LIMIT, Page


class BudgetController(Controller):
    path = "/api/v1/budget"
    tags = ["budget"]  # noqa: RUF012

    @get(
        "/execution",
        summary="Budget execution by month, code and fund: plans, execution to date and in "
        "the month, execution % (money as decimal strings, UAH)",
    )
    async def execution(
        self,
        kind: Annotated[str, QueryParameter(description="expense or income")] = "expense",
        budget: Annotated[
            str | None, QueryParameter(description="Budget code, 10 digits", max_length=11)
        ] = None,
        year: Annotated[int | None, QueryParameter(ge=1990, le=2100)] = None,
        month: Annotated[int | None, QueryParameter(ge=1, le=12)] = None,
        fund: Annotated[
            str | None, QueryParameter(description="C general, S special, T total")
        ] = None,
        code: Annotated[
            str | None,
            QueryParameter(description="A code or the start of one (its branch)", max_length=8),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE)] = DEFAULT_LIMIT,
        cursor: Annotated[
            str | None, QueryParameter(description="next_cursor of the previous page")
        ] = None,
    ) -> Page[LineOut]:
        return await service.lines(
            kind=kind,
            budget=budget,
            year=year,
            month=month,
            fund=fund,
            code=code,
            limit=limit,
            cursor=cursor,
        )

    @get(
        "/tree",
        summary="A month's figures summed by classification branch (the first LEVEL digits)",
    )
    async def tree(
        self,
        budget: Annotated[str, QueryParameter(description="Budget code", max_length=11)],
        year: Annotated[int, QueryParameter(ge=1990, le=2100)],
        month: Annotated[int, QueryParameter(ge=1, le=12)],
        kind: Annotated[str, QueryParameter(description="expense or income")] = "expense",
        fund: Annotated[str, QueryParameter(description="C, S or T")] = "T",
        level: Annotated[int, QueryParameter(ge=1, le=8)] = 1,
    ) -> dict[str, list[GroupOut]]:
        return {
            "items": await service.tree(
                kind=kind, budget=budget, year=year, month=month, fund=fund, level=level
            )
        }

    @get(
        "/changes",
        summary="Year over year to a month: each code against the year before, largest "
        "changes first",
    )
    async def changes(
        self,
        budget: Annotated[str, QueryParameter(description="Budget code", max_length=11)],
        year: Annotated[int, QueryParameter(ge=1990, le=2100)],
        month: Annotated[int, QueryParameter(ge=1, le=12)],
        kind: Annotated[str, QueryParameter(description="expense or income")] = "expense",
        fund: Annotated[str, QueryParameter(description="C, S or T")] = "T",
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> dict[str, list[ChangeOut]]:
        return {
            "items": await service.changes(
                kind=kind, budget=budget, year=year, month=month, fund=fund, limit=limit
            )
        }

    @get("/codes", summary="Classification codes with their Ukrainian names")
    async def codes(
        self, kind: Annotated[str, QueryParameter(description="expense or income")] = "expense"
    ) -> dict[str, list[CodeOut]]:
        return {"items": await service.codes(kind)}


ROUTES = [BudgetController]
