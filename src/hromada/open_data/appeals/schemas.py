"""What goes in and out of the appeals service."""

from __future__ import annotations

import datetime as dt

import msgspec

# The public columns of an appeal, in the order every output uses
# (REST items, GraphQL, Open311 and bulk downloads via ``iter_public_rows``).
PUBLIC_COLUMNS: tuple[str, ...] = (
    "id",
    "source_id",
    "received_at",
    "deadline_at",
    "resolved_at",
    "status",
    "closed",
    "overdue",
    "resolution_hours",
    "channel",
    "category_code",
    "category",
    "category_group",
    "district_code",
    "district",
    "street",
    "lat",
    "lon",
    "executor",
    "text",
    "answer",
)


class AppealOut(msgspec.Struct):
    """One published appeal. ``text``, ``answer`` and ``street`` are anonymised;
    ``lat``/``lon`` are the centre of a ~100 m grid cell."""

    id: int
    source_id: str
    received_at: dt.datetime
    deadline_at: dt.datetime | None
    resolved_at: dt.datetime | None
    status: str
    closed: bool
    overdue: bool
    resolution_hours: float | None
    channel: str | None
    category_code: str | None
    category: str | None
    category_group: str | None
    district_code: str | None
    district: str | None
    street: str | None
    lat: float | None
    lon: float | None
    executor: str | None
    text: str | None
    answer: str | None


class CategoryOut(msgspec.Struct):
    """An entry of the service catalogue (Open311 ``service``)."""

    code: str
    name: str
    group: str | None
    appeals: int


class AppealFilters(msgspec.Struct, kw_only=True):
    """Filters shared by the list, the statistics, GraphQL, Open311 and downloads."""

    district: str | None = None  # district code
    category: str | None = None  # category code
    status: tuple[str, ...] = ()
    channel: str | None = None
    executor: str | None = None
    received_from: dt.datetime | None = None
    received_to: dt.datetime | None = None
    resolved_from: dt.datetime | None = None
    resolved_to: dt.datetime | None = None
    overdue: bool | None = None


class StatsGroup(msgspec.Struct):
    key: dict[str, str | None]
    count: int
    resolved: int
    on_time_pct: float | None
    median_resolution_hours: float | None
    p90_resolution_hours: float | None
    overdue: int


class StatsOut(msgspec.Struct):
    group_by: list[str]
    k: int
    groups: list[StatsGroup]
    suppressed_groups: int
    truncated: bool
    total: StatsGroup | None


class RowErrorOut(msgspec.Struct):
    line: int
    column: str | None
    reason: str


class ImportReport(msgspec.Struct, kw_only=True):
    """What an import did. ``applied`` is false when bad rows stopped it: then nothing changed."""

    format: str
    applied: bool = True
    read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    # Records repeated whole (same id, same content) in the file: read once.
    repeated: int = 0
    seconds: float = 0.0
    errors: list[RowErrorOut] = msgspec.field(default_factory=list)
    errors_truncated: bool = False
    # The background job publishing the new version (none when nothing was applied).
    publish_job: int | None = None
