"""GraphQL for appeals: the same filters and statistics as REST, through the same service."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from hromada.errors import InvalidInput
from hromada.graphql.connections import PageInfo  # one PageInfo type per schema
from hromada.graphql.cost import STATS_COST, cost
from hromada.graphql.declared import declared
from hromada.graphql.lean import LEAN_RESOLVE, lean
from hromada.graphql.loaders import ready, selects
from hromada.graphql.registries import District
from hromada.open_data.appeals import service
from hromada.open_data.appeals.filters import build_filters
from hromada.open_data.appeals.schemas import AppealFilters, AppealOut, StatsGroup
from hromada.paging import DEFAULT_LIMIT
from hromada.search.runtime import backend_of


def _district(root: AppealOut, context: Any) -> Any:
    if root.district_code is None:
        return None
    # Primed by the list for its whole page: read synchronously, no await per row.
    return ready(context.loaders.district, root.district_code)


# Lean: resolvers hand over the service's AppealOut structs as they are and
# strawberry reads their attributes; only the district relation has a resolver.
@lean
@strawberry.type(description="A published appeal: anonymised text, coarse location")
@declared(AppealOut, exclude=("district",))
class Appeal:
    # One field per public field of an appeal, as ``AppealOut`` declares them, except
    # ``district``: here it is the relation to the district below.

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, AppealOut | cls)

    @classmethod
    def of(cls, out: AppealOut) -> Appeal:
        return out  # type: ignore[return-value]  # read by attribute, like an Appeal

    @strawberry.field(
        description="The district (from the district registry)",
        metadata={LEAN_RESOLVE: _district},
    )
    def district(self, root: AppealOut, info: Info[Any, Any]) -> District | None:
        return _district(root, info.context)


@lean
@strawberry.type
class AppealEdge:
    cursor: str
    node: Appeal


@lean
@strawberry.type(description="A keyset connection: pass pageInfo.endCursor as `after`")
class AppealConnection:
    edges: list[AppealEdge]
    page_info: PageInfo


@strawberry.input
@declared(AppealFilters, input=True)
class AppealFilter:
    # One argument per appeal filter, as ``AppealFilters`` declares them.

    def to_filters(self) -> AppealFilters:
        return build_filters(**{f: getattr(self, f) for f in AppealFilters.__struct_fields__})


@strawberry.enum
class AppealGroup(Enum):
    DISTRICT = "district"
    CATEGORY = "category"
    STATUS = "status"
    EXECUTOR = "executor"
    CHANNEL = "channel"
    MONTH = "month"
    WEEK = "week"


@strawberry.enum
class AppealSort(Enum):
    RECEIVED_DESC = "-received_at"
    RECEIVED_ASC = "received_at"
    ID_ASC = "id"
    ID_DESC = "-id"


@strawberry.type
class GroupKey:
    name: str
    value: str | None
    label: str | None = strawberry.field(
        default=None, description="The readable name of the value (districts and categories)"
    )


@strawberry.type
class AppealStatsGroup:
    key: list[GroupKey]
    count: int
    resolved: int
    on_time_pct: float | None
    median_resolution_hours: float | None
    p90_resolution_hours: float | None
    overdue: int

    @classmethod
    def of(cls, group: StatsGroup) -> AppealStatsGroup:
        return cls(
            key=[GroupKey(name=k, value=v, label=group.names.get(k)) for k, v in group.key.items()],
            count=group.count,
            resolved=group.resolved,
            on_time_pct=group.on_time_pct,
            median_resolution_hours=group.median_resolution_hours,
            p90_resolution_hours=group.p90_resolution_hours,
            overdue=group.overdue,
        )


@strawberry.type
class AppealStats:
    group_by: list[str]
    k: int
    groups: list[AppealStatsGroup]
    suppressed_groups: int
    truncated: bool
    total: AppealStatsGroup | None
    counts: str = strawberry.field(
        description="What is counted: public appeals only (confidential ones never)"
    )


@strawberry.type
class AppealCategory:
    code: str
    name: str
    group: str | None
    appeals: int


@strawberry.type
class AppealsQuery:
    @strawberry.field(description="Published appeals, newest first (keyset pagination)")
    async def appeals(
        self,
        info: Info,
        filter: AppealFilter | None = None,
        q: Annotated[
            str | None,
            strawberry.argument(
                description="Words in the appeal (typos forgiven), through search: most "
                "relevant first (sort is then ignored); combines with district, category, "
                "status and received_*"
            ),
        ] = None,
        sort: AppealSort = AppealSort.RECEIVED_DESC,
        first: int | None = None,
        after: str | None = None,
        last: Annotated[
            int | None,
            strawberry.argument(description="The last rows of the list, or those just before"),
        ] = None,
        before: Annotated[
            str | None,
            strawberry.argument(description="With `last`: the rows just before this cursor"),
        ] = None,
    ) -> AppealConnection:
        backward = last is not None or before is not None
        if first is not None and backward:
            raise InvalidInput(
                "page forwards (first/after) or backwards (last/before), not both",
                errors=[{"where": "arguments", "name": "last", "message": "with first"}],
            )
        if backward and after is not None:
            raise InvalidInput(
                "after pages forwards: use before with last",
                errors=[{"where": "arguments", "name": "after", "message": "with last"}],
            )
        size = last if backward else first
        found = await service.find_appeals(
            filter.to_filters() if filter else AppealFilters(),
            q=q,
            search=backend_of(info.context.request.app.state),
            sort=sort.value,
            limit=DEFAULT_LIMIT if size is None else size,
            max_limit=info.context.settings.api_max_page_size,
            cursor=before if backward else after,
            backward=backward,
        )
        page = found.page
        # Strawberry builds the selection anew on every access (about 0.3 ms for this one).
        selected = info.selected_fields
        district = ("appeals", "edges", "node", "district")
        if selects(selected, *district):
            # Primed for the whole page: rows are read one after another, so a load per
            # row would not batch.
            codes = sorted({a.district_code for a in page.items if a.district_code})
            await info.context.loaders.district.load_many(codes)
            if selects(selected, *district, "streetCount") or selects(
                selected, *district, "buildingCount"
            ):
                await info.context.loaders.district_counts.load_many(codes)
        items = page.items
        if selects(selected, "appeals", "edges", "cursor"):
            cursors = found.cursors
        else:
            # A signed cursor costs microseconds a row; an edge's unselected field is never
            # read, so only the page's ends get theirs.
            cursors = [""] * len(items)
        edges = [
            AppealEdge(cursor=cursor, node=Appeal.of(a))
            for a, cursor in zip(items, cursors, strict=True)
        ]
        return AppealConnection(
            edges=edges,
            page_info=PageInfo(
                # Travelling backwards, next_cursor says rows remain before the page.
                has_next_page=before is not None if backward else page.next_cursor is not None,
                has_previous_page=page.next_cursor is not None if backward else after is not None,
                start_cursor=found.cursor_of(items[0]) if items else None,
                end_cursor=found.cursor_of(items[-1]) if items else None,
            ),
        )

    @strawberry.field(description="One published appeal, or null")
    async def appeal(self, id: int) -> Appeal | None:
        found = await service.get_appeals([id])
        return Appeal.of(found[0]) if found else None

    @strawberry.field(
        description="Statistics of public appeals by group; groups below k appeals are suppressed",
        metadata=cost(STATS_COST),  # a scan of the appeals, not a page of rows
    )
    async def appeal_stats(
        self,
        info: Info,
        group_by: list[AppealGroup],
        filter: AppealFilter | None = None,
    ) -> AppealStats:
        filters = filter.to_filters() if filter else AppealFilters()
        out = await service.stats(
            filters, [g.value for g in group_by], k=info.context.settings.appeals_k
        )
        return AppealStats(
            group_by=out.group_by,
            k=out.k,
            groups=[AppealStatsGroup.of(g) for g in out.groups],
            suppressed_groups=out.suppressed_groups,
            truncated=out.truncated,
            total=AppealStatsGroup.of(out.total) if out.total else None,
            counts=out.counts,
        )

    @strawberry.field(description="The service catalogue derived from the appeals")
    async def appeal_categories(self) -> list[AppealCategory]:
        return [
            AppealCategory(code=c.code, name=c.name, group=c.group, appeals=c.appeals)
            for c in await service.list_categories()
        ]


# The name the schema looks for (see hromada.graphql.schema).
Query = AppealsQuery
