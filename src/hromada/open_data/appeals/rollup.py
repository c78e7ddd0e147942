"""The stats cells: a rollup of every public appeal counted once per dimension
(confidential appeals are never counted: see "Disclosure control" in DESIGN.md),
kept in step by the import and read by the statistics when a query
involves one dimension and no dates.

A cell is (dimension, key, late, judged, resolution bucket) -> count. The
import applies ``rollup_deltas`` of what it replaced and wrote, in its own
transaction; ``rebuild_rollup`` counts everything afresh.
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from hromada import db
from hromada.open_data.appeals.importers import CLOSED_STATUSES
from hromada.open_data.appeals.queries import GROUPS, Where
from hromada.open_data.appeals.schemas import AppealFilters
from hromada.open_data.appeals.tables import AppealStatsCell

# Every appeal is counted once per dimension (the month is the received month).
CELL_DIMS = {
    "district": "district",
    "category": "category",
    "executor": "executor",
    "channel": "channel",
    "status": "status",
    "month": "received_month",
}


# Resolution times are counted in buckets: an hour wide up to two days, six
# hours up to thirty days, a day beyond. Percentiles interpolate inside a
# bucket, so they are exact to within its width.
def bucket_sql(hours: str = "a.resolution_hours") -> str:
    """The resolution bucket of ``hours`` in SQL (NULL: unresolved); see ``bucket_of``."""
    return (
        f"CASE WHEN {hours} < 48 THEN {db.floor_int(hours)} "
        f"WHEN {hours} < 720 THEN 48 + {db.floor_int(f'({hours} - 48) / 6')} * 6 "
        f"ELSE 720 + {db.floor_int(f'({hours} - 720) / 24')} * 24 END"
    )


def bucket_width(start: int) -> int:
    return 1 if start < 48 else (6 if start < 720 else 24)


def bucket_of(hours: float | None) -> int:
    """The resolution bucket of ``hours`` (-1: unresolved); the same as ``bucket_sql``."""
    if hours is None:
        return -1
    if hours < 48:
        return int(hours)
    if hours < 720:
        return 48 + int((hours - 48) / 6) * 6
    return 720 + int((hours - 720) / 24) * 24


def rollup_deltas(
    removed: Iterable[dict[str, Any]], added: Iterable[dict[str, Any]]
) -> collections.Counter[tuple[Any, ...]]:
    """How the stats cells change when ``removed`` rows are replaced by ``added`` ones."""
    deltas: collections.Counter[tuple[Any, ...]] = collections.Counter()
    for rows, sign in ((removed, -1), (added, 1)):
        for row in rows:
            if row["confidential"]:
                continue  # statistics count public appeals only
            judged = row["resolved_at"] is not None and row["deadline_at"] is not None
            tail = (bool(row["late"]), judged, bucket_of(row["resolution_hours"]))
            for dim, column in CELL_DIMS.items():
                value = row[column]
                deltas[(dim, "" if value is None else str(value), *tail)] += sign
    return deltas


_CELL_UPSERT = db.upsert_sql(
    "appeal_stats_cell",
    ("dim", "dim_key", "late", "judged", "bucket", "n"),
    key=("dim", "dim_key", "late", "judged", "bucket"),
    update={"n": "appeal_stats_cell.n + excluded.n"},
)


async def add_to_rollup(deltas: collections.Counter[tuple[Any, ...]]) -> None:
    """Apply ``rollup_deltas`` to the stats cells, inside the import's write transaction."""
    changes = [(*key, n) for key, n in deltas.items() if n]
    if changes:
        await db.execute_many(_CELL_UPSERT, changes)


async def fill_stats_cells() -> None:
    """Count every public appeal into the (empty) stats cells, inside the caller's transaction."""
    bucket = bucket_sql()
    judged = "(a.resolved_at IS NOT NULL AND a.deadline_at IS NOT NULL)"
    for dim, column in CELL_DIMS.items():
        key = f"COALESCE(CAST(a.{column} AS TEXT), '')"
        await AppealStatsCell.raw(
            "INSERT INTO appeal_stats_cell (dim, dim_key, late, judged, bucket, n) "  # noqa: S608
            f"SELECT '{dim}', {key}, a.late, {judged}, COALESCE({bucket}, -1), COUNT(*) "
            "FROM appeal a WHERE a.confidential = false "
            f"GROUP BY {key}, a.late, {judged}, COALESCE({bucket}, -1)"
        ).run()


async def rebuild_rollup() -> None:
    """Count every public appeal into the stats cells afresh (after a bulk load, or to repair)."""
    async with db.write_transaction():
        await AppealStatsCell.raw("DELETE FROM appeal_stats_cell").run()
        await fill_stats_cells()


def rollup_plan(filters: AppealFilters, group_by: Sequence[str]) -> str | None:
    """The stats-cell dimension that answers this query, or None if only a scan can.

    Cells answer a query that involves at most one dimension (grouped by it, filtered
    by it, or both) and no date or overdue filter."""
    if (
        filters.received_from
        or filters.received_to
        or filters.resolved_from
        or filters.resolved_to
        or filters.overdue is not None
        or any(g not in CELL_DIMS for g in group_by)  # the week, the building
    ):
        return None
    dims = set(group_by)
    dims |= {d for d in ("district", "category", "executor", "channel") if getattr(filters, d)}
    if filters.status:
        dims.add("status")
    if len(dims) > 1:
        return None
    return dims.pop() if dims else "status"


def rollup_sql(
    dim: str, filters: AppealFilters, group_by: Sequence[str], where: Where, at: dt.datetime
) -> list[tuple[str, list[Any]]]:
    """The two queries of a stats-cell answer: the cells, and the unresolved appeals past
    their deadline now (which no stored count can know)."""
    grouped = bool(group_by)
    values: list[Any] = [dim]
    clauses = ["c.dim = {}"]
    if dim == "status" and filters.status:
        clauses.append("c.dim_key IN (" + ", ".join("{}" for _ in filters.status) + ")")
        values.extend(filters.status)
    elif dim not in ("month", "status") and getattr(filters, dim, None):
        value = getattr(filters, dim)
        if dim in ("district", "category"):  # codes in the filter, ids in the cells
            value = str(where.values[_filter_index(filters, dim)])
        clauses.append("c.dim_key = {}")
        values.append(value)
    cells = (
        f"SELECT {'c.dim_key AS g0, ' if grouped else ''}c.bucket AS b, SUM(c.n) AS n, "  # noqa: S608
        "SUM(CASE WHEN c.judged THEN c.n ELSE 0 END) AS judged, "
        "SUM(CASE WHEN c.judged AND c.late = false THEN c.n ELSE 0 END) AS on_time, "
        "SUM(CASE WHEN c.late THEN c.n ELSE 0 END) AS overdue "
        f"FROM appeal_stats_cell c WHERE {' AND '.join(clauses)} "
        f"GROUP BY {'c.dim_key, ' if grouped else ''}c.bucket"
    )
    closed = ", ".join(f"'{s}'" for s in CLOSED_STATUSES)
    open_where = [
        *where.parts,
        f"a.resolved_at IS NULL AND a.status NOT IN ({closed}) AND a.deadline_at < {{}}",
    ]
    column = GROUPS[group_by[0]] if grouped else ""
    late_open = (
        f"SELECT {column + ' AS g0, ' if grouped else ''}COUNT(*) AS n FROM appeal a "  # noqa: S608
        f"WHERE {' AND '.join(open_where)}" + (" GROUP BY g0" if grouped else "")
    )
    return [(cells, values), (late_open, [*where.values, at])]


def _filter_index(filters: AppealFilters, dim: str) -> int:
    """Where ``where_of`` put the value of ``dim``'s filter (district and category are ids)."""
    order = [d for d in ("district", "category") if getattr(filters, d)]
    return order.index(dim)


def rollup_key(group: str, value: str) -> Any:
    if group in ("district", "category"):
        return int(value) if value else None
    return value or None
