"""What goes in and out of the appeals service.

Two shapes here are declarations that every other shape derives from:

- ``AppealOut``, the 21 public fields of an appeal: the REST item, the GraphQL
  ``Appeal`` type, the dataset's columns (``datasets.py``) and the SQL select of
  every appeals query (``queries.py``) are built from it. ``extra`` carries the
  dataset title (``title``), whether the dataset marks it required, and the SQL
  it is read from (``sql``; none for the fields computed when read).
- ``AppealFilters``, the ten filters: REST query parameters, GraphQL filter
  arguments and the search fields ``q`` combines with are built from it; Open311's
  parameters and CKAN's column filters map onto it (checked by tests). ``extra``
  carries ``search``, the search document field a filter maps onto when it combines
  with ``q`` (absent: it cannot), and ``column``, the public field it filters.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from hromada.open_data.appeals.importers import STATUSES
from hromada.open_data.catalog.schemas import PublishJob
from hromada.shapes import field_names


def _public(title: str, sql: str | None, *, required: bool = False) -> Any:
    return msgspec.Meta(extra={"title": title, "sql": sql, "required": required})


class AppealOut(msgspec.Struct):
    """One published appeal. ``text``, ``answer`` and ``street`` are anonymised;
    ``lat``/``lon`` are the centre of a ~100 m grid cell."""

    id: Annotated[int, _public("Ідентифікатор звернення", "a.id", required=True)]
    source_id: Annotated[
        str, _public("Номер звернення в системі-джерелі", "a.source_id", required=True)
    ]
    received_at: Annotated[
        dt.datetime, _public("Час надходження (UTC)", "a.received_at", required=True)
    ]
    deadline_at: Annotated[dt.datetime | None, _public("Контрольний строк (UTC)", "a.deadline_at")]
    resolved_at: Annotated[dt.datetime | None, _public("Час виконання (UTC)", "a.resolved_at")]
    status: Annotated[str, _public("Стан", "a.status", required=True)]
    closed: Annotated[bool, _public("Закрите", None)]
    overdue: Annotated[bool, _public("Прострочене на час публікації", None)]
    resolution_hours: Annotated[float | None, _public("Годин до виконання", "a.resolution_hours")]
    channel: Annotated[str | None, _public("Канал надходження", "a.channel")]
    category_code: Annotated[str | None, _public("Код категорії", "c.code")]
    category: Annotated[str | None, _public("Категорія", "c.name")]
    category_group: Annotated[str | None, _public("Група категорій", "c.group_name")]
    district_code: Annotated[str | None, _public("Код району", "d.code")]
    district: Annotated[str | None, _public("Район", "d.name_uk")]
    street: Annotated[str | None, _public("Вулиця (без номера будинку)", "a.street")]
    lat: Annotated[float | None, _public("Широта центру клітинки ~100 м (WGS 84)", "a.lat")]
    lon: Annotated[float | None, _public("Довгота центру клітинки ~100 м (WGS 84)", "a.lon")]
    executor: Annotated[str | None, _public("Виконавець", "a.executor")]
    text: Annotated[str | None, _public("Текст звернення (знеособлений)", "a.text")]
    answer: Annotated[str | None, _public("Відповідь (знеособлена)", "a.answer")]


# The public columns of an appeal, in the order every output uses
# (REST items, GraphQL, Open311 and bulk downloads via ``iter_public_rows``).
PUBLIC_COLUMNS: tuple[str, ...] = field_names(AppealOut)


class CategoryOut(msgspec.Struct):
    """An entry of the service catalogue (Open311 ``service``)."""

    code: str
    name: str
    group: str | None
    appeals: int


def _filter(
    description: str | None = None, *, search: str | None = None, column: str | None = None
) -> Any:
    return msgspec.Meta(description=description, extra={"search": search, "column": column})


class AppealFilters(msgspec.Struct, kw_only=True):
    """Filters shared by the list, the statistics, GraphQL, Open311, CKAN and downloads."""

    district: Annotated[
        str | None,
        _filter(
            "District code (see /api/v1/districts).", search="district", column="district_code"
        ),
    ] = None
    category: Annotated[
        str | None,
        _filter(
            "Category code (see /api/v1/appeals/categories).",
            search="category",
            column="category_code",
        ),
    ] = None
    status: Annotated[
        tuple[str, ...],
        _filter(
            "Comma-separated statuses: " + ", ".join(STATUSES) + ".",
            search="status",
            column="status",
        ),
    ] = ()
    channel: Annotated[str | None, _filter(column="channel")] = None
    executor: Annotated[str | None, _filter(column="executor")] = None
    received_from: Annotated[
        dt.datetime | None,
        _filter("ISO 8601 date or time, inclusive.", search="received_at"),
    ] = None
    received_to: Annotated[
        dt.datetime | None,
        _filter("ISO 8601 date or time, exclusive.", search="received_at"),
    ] = None
    resolved_from: Annotated[dt.datetime | None, _filter()] = None
    resolved_to: Annotated[dt.datetime | None, _filter()] = None
    overdue: Annotated[bool | None, _filter()] = None


class StatsGroup(msgspec.Struct):
    key: dict[str, str | None]
    count: int
    resolved: int
    on_time_pct: float | None
    median_resolution_hours: float | None
    p90_resolution_hours: float | None
    overdue: int
    # The readable name beside each code of ``key`` (districts and categories).
    names: dict[str, str | None] = msgspec.field(default_factory=dict)


class StatsOut(msgspec.Struct):
    group_by: list[str]
    k: int
    groups: list[StatsGroup]
    suppressed_groups: int
    truncated: bool
    total: StatsGroup | None
    # Said in every answer: statistics count public appeals only (DESIGN.md, "Disclosure control").
    counts: str = "public appeals only"


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
    # Public appeals whose address named a registry building, and those whose address
    # named none (a house missing from the registry, or an address in another shape).
    buildings_matched: int = 0
    buildings_unmatched: int = 0
    seconds: float = 0.0
    errors: list[RowErrorOut] = msgspec.field(default_factory=list)
    errors_truncated: bool = False
    # The background job publishing the new version (none when nothing was applied).
    publish_job: int | None = None


class ImportAnswer(ImportReport, kw_only=True):
    """What the staff import endpoint answers: the report, with the publish job's address
    in place of its bare id (a new version is being published; none when nothing applied)."""

    publish_job: PublishJob | None = None  # type: ignore[assignment]


class DensityCell(msgspec.Struct):
    lat: float  # the cell's centre
    lon: float
    count: int


class DensityOut(msgspec.Struct):
    """Public appeals per grid cell; cells of fewer than ``k`` are left out."""

    cell_degrees: float
    k: int
    cells: list[DensityCell]
    suppressed_cells: int
    counts: str = "public appeals only"
