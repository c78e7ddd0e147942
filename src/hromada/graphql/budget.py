"""GraphQL for budget execution: the same service and shapes as REST."""

from __future__ import annotations

import strawberry

from hromada.open_data.budget import service
from hromada.open_data.budget.schemas import LineOut
from hromada.paging import DEFAULT_LIMIT


@strawberry.type(description="One month of one budget line (money: decimal strings, UAH)")
class BudgetLine:
    budget: str
    kind: str = strawberry.field(description="expense or income")
    code: str
    name: str
    fund: str = strawberry.field(description="C general, S special, T total")
    year: int
    month: int
    plan_year: str | None = strawberry.field(description="The year's plan as amended")
    plan_to_date: str | None
    fact_to_date: str | None = strawberry.field(description="Executed since January")
    fact_month: str | None = strawberry.field(description="Executed in this month")
    execution_pct: str | None = strawberry.field(
        description="fact_to_date against plan_to_date, one decimal"
    )

    @classmethod
    def of(cls, out: LineOut) -> BudgetLine:
        return cls(**{name: getattr(out, name) for name in LineOut.__struct_fields__})


@strawberry.type(description="A page of budget lines; pass nextCursor as `after` for the next")
class BudgetLinePage:
    items: list[BudgetLine]
    next_cursor: str | None


@strawberry.type
class BudgetQuery:
    @strawberry.field(description="Budget execution by month, code and fund")
    async def budget_execution(
        self,
        kind: str = "expense",
        budget: str | None = None,
        year: int | None = None,
        month: int | None = None,
        fund: str | None = None,
        code: str | None = None,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
    ) -> BudgetLinePage:
        page = await service.lines(
            kind=kind,
            budget=budget,
            year=year,
            month=month,
            fund=fund,
            code=code,
            limit=first,
            cursor=after,
        )
        return BudgetLinePage(
            items=[BudgetLine.of(line) for line in page.items], next_cursor=page.next_cursor
        )


Query = BudgetQuery
