"""Appeal statistics: counts, on-time share, resolution-time percentiles and overdue
counts per group, over public appeals only, with groups smaller than k suppressed
and a total that is the sum of the shown groups (see "Disclosure control" in DESIGN.md).

Answered from the stats cells (``rollup``) when a query allows it, otherwise by
one scan of the matching appeals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hromada import db
from hromada.errors import InvalidInput
from hromada.open_data.appeals.queries import (
    GROUPS,
    STAFF_GROUPS,
    Where,
    now,
    overdue_sql,
    where_of,
)
from hromada.open_data.appeals.rollup import (
    bucket_sql,
    bucket_width,
    rollup_key,
    rollup_plan,
    rollup_sql,
)
from hromada.open_data.appeals.schemas import (
    AppealFilters,
    DensityCell,
    DensityOut,
    StatsGroup,
    StatsOut,
)
from hromada.open_data.appeals.tables import Appeal, AppealCategory
from hromada.open_data.registries.tables import Building, District

MAX_GROUPS = 5000


def stats_sql(where: Where, group_by: Sequence[str], at: dt.datetime) -> tuple[str, list[Any]]:
    """One query: counts per (group, resolution bucket). The benchmark runs it bare."""
    keys = [STAFF_GROUPS[g] for g in group_by]  # stats() checked who may group by what
    overdue, overdue_values = overdue_sql(at)
    select_keys = ", ".join(f"{k} AS g{i}" for i, k in enumerate(keys))
    group_keys = ", ".join(f"g{i}" for i in range(len(keys)))
    # Built from constants; values are placeholders.
    sql = (
        f"SELECT {select_keys}{',' if keys else ''} "  # noqa: S608
        f"{bucket_sql()} AS b, "
        "COUNT(*) AS n, "
        "SUM(CASE WHEN a.resolved_at IS NOT NULL AND a.deadline_at IS NOT NULL "
        "THEN 1 ELSE 0 END) AS judged, "
        "SUM(CASE WHEN a.resolved_at IS NOT NULL AND a.deadline_at IS NOT NULL "
        "AND a.late = false THEN 1 ELSE 0 END) AS on_time, "
        f"SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END) AS overdue "
        f"FROM appeal a {where.where()} "
        f"GROUP BY {group_keys}{',' if keys else ''} b"
    )
    # The overdue placeholder comes first in the SELECT list.
    return sql, [*overdue_values, *where.values]


@dataclass
class _Acc:
    count: int = 0
    judged: int = 0
    on_time: int = 0
    overdue: int = 0
    resolved: int = 0

    def __post_init__(self) -> None:
        self.buckets: dict[int, int] = {}

    def add(self, row: dict[str, Any]) -> None:
        n = int(row["n"])
        self.count += n
        self.judged += int(row["judged"] or 0)
        self.on_time += int(row["on_time"] or 0)
        self.overdue += int(row["overdue"] or 0)
        if row["b"] is not None:
            self.resolved += n
            bucket = int(row["b"])
            self.buckets[bucket] = self.buckets.get(bucket, 0) + n

    def merge(self, other: _Acc) -> None:
        self.count += other.count
        self.judged += other.judged
        self.on_time += other.on_time
        self.overdue += other.overdue
        self.resolved += other.resolved
        for bucket, n in other.buckets.items():
            self.buckets[bucket] = self.buckets.get(bucket, 0) + n

    def percentile(self, q: float) -> float | None:
        """Linear interpolation (like percentile_cont) with values spread evenly in a bucket."""
        if not self.resolved:
            return None
        rank = q * (self.resolved - 1)  # 0-based position among sorted values
        seen = 0
        for start in sorted(self.buckets):
            n = self.buckets[start]
            if rank < seen + n:
                inside = (rank - seen + 0.5) / n
                return round(start + inside * bucket_width(start), 1)
            seen += n
        last = max(self.buckets)
        return float(last + bucket_width(last))

    def out(
        self, key: dict[str, str | None], names: dict[str, str | None] | None = None
    ) -> StatsGroup:
        return StatsGroup(
            key=key,
            names=names or {},
            count=self.count,
            resolved=self.resolved,
            on_time_pct=round(100 * self.on_time / self.judged, 1) if self.judged else None,
            median_resolution_hours=self.percentile(0.5),
            p90_resolution_hours=self.percentile(0.9),
            overdue=self.overdue,
        )


async def stats(
    filters: AppealFilters,
    group_by: Sequence[str],
    *,
    k: int,
    use_rollup: bool = True,
    max_groups: int | None = MAX_GROUPS,
    staff: bool = False,
    building: int | None = None,
) -> StatsOut:
    """Counts, on-time share, median and 90th percentile resolution hours and overdue
    counts per group, over public appeals only: free filters could otherwise difference
    confidential appeals out of the counts (the public list answers the same filters).
    Groups of fewer than ``k`` appeals are left out; the total is the sum of the shown
    groups, so it cannot be used to subtract the hidden ones (``suppressed_groups`` says
    how many were hidden, never their count).

    Answered from the rollup when the grouping and filters allow it (one of district,
    category, executor, channel, plus status and month; no date or overdue filter),
    otherwise by scanning the matching appeals. ``staff`` also allows the groupings
    only city staff see (``STAFF_GROUPS``: the building) and the ``building`` filter."""
    group_by = list(dict.fromkeys(group_by))
    allowed = STAFF_GROUPS if staff else GROUPS
    unknown = [g for g in group_by if g not in allowed]
    if unknown or len(group_by) > 3:
        hint = (
            "; per building only for city staff: /api/v1/appeals/stats/buildings"
            if set(unknown) & set(STAFF_GROUPS) - set(GROUPS)
            else ""
        )
        raise InvalidInput(
            f"group_by takes up to three of {', '.join(allowed)}{hint}",
            errors=[{"where": "query", "name": "group_by", "message": "unknown grouping"}],
        )
    at = now()
    where = await where_of(filters, public=True, at=at)
    if building is not None:
        if not staff:
            raise InvalidInput("the building filter is for city staff")
        where.add("a.building = {}", building)
    elif "building" in group_by:
        # Per building: the appeals placed at one (the import counts the others).
        where.add("a.building IS NOT NULL")
    groups: dict[tuple[Any, ...], _Acc] = {}
    plan = rollup_plan(filters, group_by) if use_rollup and building is None else None
    if plan is None:
        sql, values = stats_sql(where, group_by, at)
        for row in await Appeal.raw(sql, *values).run():
            key = tuple(row[f"g{i}"] for i in range(len(group_by)))
            groups.setdefault(key, _Acc()).add(row)
    else:
        for (sql, values), from_rollup in zip(
            rollup_sql(plan, filters, group_by, where, at), (True, False), strict=True
        ):
            for row in await Appeal.raw(sql, *values).run():
                key = tuple(
                    rollup_key(g, row[f"g{i}"]) if from_rollup else row[f"g{i}"]
                    for i, g in enumerate(group_by)
                )
                acc = groups.setdefault(key, _Acc())
                if from_rollup:
                    acc.add({**row, "b": None if row["b"] == -1 else row["b"]})
                else:
                    acc.overdue += int(row["n"])  # unresolved and past the deadline now
    shown = []
    suppressed = 0
    for key, acc in groups.items():
        if acc.count < k:
            suppressed += 1
            continue
        shown.append((key, acc))
    shown.sort(key=lambda item: tuple("" if v is None else str(v) for v in item[0]))
    truncated = max_groups is not None and len(shown) > max_groups
    # Names of the shown groups only: a hidden group's name is looked up nowhere.
    labels = await _group_labels(group_by, dict(shown[:max_groups]))
    # The total of the shown groups only: the total of all groups minus the shown ones
    # would be the hidden groups' count.
    total = _Acc()
    for _key, acc in shown:
        total.merge(acc)
    return StatsOut(
        group_by=group_by,
        k=k,
        groups=[
            acc.out(
                {g: labels[g](v)[0] for g, v in zip(group_by, key, strict=True)},
                {
                    g: labels[g](v)[1]
                    for g, v in zip(group_by, key, strict=True)
                    if g in NAMED_GROUPS
                },
            )
            for key, acc in shown[:max_groups]
        ],
        suppressed_groups=suppressed,
        truncated=truncated,
        total=total.out({}) if total.count >= k else None,
    )


# Groupings whose values are codes with a readable name beside them.
NAMED_GROUPS = ("district", "category", "building")

Label = Callable[[Any], tuple[str | None, str | None]]


async def _group_labels(
    group_by: Sequence[str], groups: dict[tuple[Any, ...], _Acc]
) -> dict[str, Label]:
    """For each grouping, its value as (code, readable name) from what the query grouped by
    (district and category ids; other groupings are their own value, without a name)."""
    labels: dict[str, Label] = {}
    for index, name in enumerate(group_by):
        ids = [key[index] for key in groups if key[index] is not None]
        if name == "district":
            found = {
                r["id"]: (r["code"], r["name_uk"])
                for r in await District.select(District.id, District.code, District.name_uk)
                .where(District.id.is_in(ids or [-1]))
                .run()
            }
        elif name == "category":
            found = {
                r["id"]: (r["code"], r["name"])
                for r in await AppealCategory.select(
                    AppealCategory.id, AppealCategory.code, AppealCategory.name
                )
                .where(AppealCategory.id.is_in(ids or [-1]))
                .run()
            }
        elif name == "building":
            found = {
                r["id"]: (str(r["id"]), f"{r['kind']} {r['street']}, {r['number']}")
                for r in await Building.select(
                    Building.id,
                    Building.number,
                    Building.street.name.as_alias("street"),
                    Building.street.kind.as_alias("kind"),
                )
                .where(Building.id.is_in(ids or [-1]))
                .run()
            }
        else:
            labels[name] = lambda v: (None if v is None else str(v), None)
            continue
        labels[name] = lambda v, m=found: (None, None) if v is None else m.get(v, (None, None))  # type: ignore[misc]
    return labels


STAT_COLUMNS = (
    "count",
    "resolved",
    "on_time_pct",
    "median_resolution_hours",
    "p90_resolution_hours",
    "overdue",
)


def stats_table(out: StatsOut) -> tuple[list[str], list[list[Any]]]:
    """A statistics answer as a table to keep (CSV, XLSX): one row per shown group, its
    codes with their names beside them, then the figures. The same groups as the JSON
    answer: suppressed ones are absent, and there is no total row to subtract from."""
    header: list[str] = []
    for g in out.group_by:
        header.append(g)
        if g in NAMED_GROUPS:
            header.append(f"{g}_name")
    header += STAT_COLUMNS
    rows = []
    for group in out.groups:
        row: list[Any] = []
        for g in out.group_by:
            row.append(group.key.get(g))
            if g in NAMED_GROUPS:
                row.append(group.names.get(g))
        row += [getattr(group, c) for c in STAT_COLUMNS]
        rows.append(row)
    return header, rows


# The monthly statistics dataset: one row per month, district and category, the figures
# that do not change with the day it is published (no overdue count), small cells left out.
UNKNOWN = "unknown"  # the code of "no district" / "no category" (a key cannot be empty)


async def monthly_rows(k: int) -> list[dict[str, Any]]:
    """Every month × district × category group of public appeals with at least ``k``
    appeals, in key order. As in ``stats``, a smaller group is absent and no total is
    given, so nothing can be subtracted back out of the published cells."""
    out = await stats(AppealFilters(), ["month", "district", "category"], k=k, max_groups=None)
    rows = []
    for group in out.groups:
        rows.append(
            {
                "month": group.key["month"],
                "district": group.key.get("district") or UNKNOWN,
                "district_name": group.names.get("district") or "Не визначено",
                "category": group.key.get("category") or UNKNOWN,
                "category_name": group.names.get("category") or "Не визначено",
                "count": group.count,
                "resolved": group.resolved,
                "on_time_pct": group.on_time_pct,
                "median_resolution_hours": group.median_resolution_hours,
            }
        )
    rows.sort(key=lambda r: (r["month"], r["district"], r["category"]))
    return rows


DENSITY_CELLS = (0.005, 0.01, 0.02)  # degrees; 0.01° is about 1.1 km north-south
MAX_CELLS = 10_000


async def density(k: int, cell: float = 0.01) -> DensityOut:
    """How many public appeals fall in each cell of a ``cell``-degree grid (their published,
    already coarsened coordinates), for the map. As in ``stats``: public appeals only, and a
    cell of fewer than ``k`` is left out (``suppressed_cells`` says how many)."""
    if cell not in DENSITY_CELLS:
        raise InvalidInput(
            "cell must be one of " + ", ".join(str(c) for c in DENSITY_CELLS),
            errors=[{"where": "query", "name": "cell", "message": "not a grid size"}],
        )
    y, x = db.floor_int(f"lat / {cell!r}"), db.floor_int(f"lon / {cell!r}")
    rows = await Appeal.raw(
        f"SELECT {y} AS y, {x} AS x, COUNT(*) AS n FROM appeal "  # noqa: S608 - no input
        "WHERE confidential = {} AND lat IS NOT NULL AND lon IS NOT NULL "
        f"GROUP BY {y}, {x} ORDER BY n DESC LIMIT {MAX_CELLS + 1}",
        False,
    ).run()
    shown = [r for r in rows[:MAX_CELLS] if int(r["n"]) >= k]
    return DensityOut(
        cell_degrees=cell,
        k=k,
        cells=[
            DensityCell(
                lat=round((int(r["y"]) + 0.5) * cell, 6),
                lon=round((int(r["x"]) + 0.5) * cell, 6),
                count=int(r["n"]),
            )
            for r in shown
        ],
        suppressed_cells=len(rows[:MAX_CELLS]) - len(shown),
    )
