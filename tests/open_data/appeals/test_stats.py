"""Statistics from the rollup agree with a scan of the appeals, through every kind of write."""

from __future__ import annotations

import io
from typing import Any

import pytest

from hromada.config import Settings
from hromada.open_data.appeals import service
from hromada.open_data.appeals.schemas import AppealFilters
from hromada.open_data.appeals.tables import AppealStatsCell

GROUPINGS = [
    ["district"],
    ["category"],
    ["status"],
    ["month"],
    ["executor"],
    ["channel"],
    ["district", "status"],
    ["category", "month"],
    ["week"],
    [],
]


async def _agree(k: int = 1) -> None:
    categories = await service.list_categories()
    filters = [
        AppealFilters(),
        AppealFilters(district="kyiv-darnytskyi"),
        AppealFilters(status=("resolved", "rejected")),
        AppealFilters(category=categories[0].code),
        AppealFilters(channel="сайт"),
    ]
    for f in filters:
        for group_by in GROUPINGS:
            plan = service.rollup_plan(f, group_by)
            rolled = await service.stats(f, group_by, k=k)
            scanned = await service.stats(f, group_by, k=k, use_rollup=False)
            assert rolled == scanned, (f, group_by, plan)


async def test_rollup_matches_scan_through_imports(samples: Any, kyiv: Settings) -> None:
    rows = samples.make_rows(120)
    await service.import_file(io.BytesIO(samples.to_csv(rows)))
    assert await AppealStatsCell.count().run() > 0
    await _agree()
    await _agree(k=5)
    # Updates: statuses, resolutions, a district, a confidentiality flip each way.
    for i in range(0, 120, 7):
        rows[i]["status"] = "resolved"
        rows[i]["resolved_at"] = "2026-03-01T00:00:00+00:00"
    rows[1]["district"] = "Печерський"
    rows[3]["confidential"] = "ні"  # was confidential
    rows[4]["confidential"] = "так"
    report = await service.import_file(io.BytesIO(samples.to_csv(rows)))
    assert report.updated > 10
    await _agree()
    # A rebuild from scratch gives the same counts as the increments did.
    before = await service.stats(AppealFilters(), ["district", "status"], k=1)
    await service.rebuild_rollup()
    assert await service.stats(AppealFilters(), ["district", "status"], k=1) == before


@pytest.mark.parametrize(
    ("filters", "group_by", "expected"),
    [
        (AppealFilters(), ["district"], "district"),
        (AppealFilters(), ["status", "month"], None),
        (AppealFilters(), [], "status"),
        (AppealFilters(status=("resolved",)), ["status"], "status"),
        (AppealFilters(), ["month"], "month"),
        (AppealFilters(district="x"), ["category"], None),
        (AppealFilters(executor="x"), ["executor"], "executor"),
        (AppealFilters(overdue=True), ["district"], None),
        (AppealFilters(), ["week"], None),
    ],
)
def test_rollup_plan(filters: AppealFilters, group_by: list[str], expected: str | None) -> None:
    assert service.rollup_plan(filters, group_by) == expected
