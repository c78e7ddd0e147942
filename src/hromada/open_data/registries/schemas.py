import datetime as dt
from typing import Any

import msgspec

from hromada.open_data.catalog.schemas import PublishJob


class DistrictPlace(msgspec.Struct):
    """A district without its counts: what a relation (an appeal's district) needs."""

    code: str
    name_uk: str
    name_en: str
    lat: float | None  # None while the district has no known centre
    lon: float | None


class DistrictOut(DistrictPlace):
    streets: int
    buildings: int


class DistrictCounts(msgspec.Struct):
    streets: int
    buildings: int


class StreetOut(msgspec.Struct):
    code: str
    kind: str
    name: str
    district: str


class BuildingOut(msgspec.Struct):
    id: int
    number: str
    street: str  # the street's code
    district: str  # the district's code
    floors: int
    year_built: int | None
    lat: float
    lon: float


class RegistryOut(msgspec.Struct, kw_only=True):
    """A declared registry: what it holds and how to filter it."""

    slug: str
    title_uk: str
    title_en: str
    description_uk: str
    description_en: str
    key: str
    geometry: str | None  # point, line, polygon
    fields: list[dict[str, Any]]  # Table Schema field descriptors of the published fields
    filters: list[str]  # query parameters its lists take besides limit and cursor
    records: int
    updated_at: dt.datetime | None
    records_url: str
    features_url: str | None  # GeoJSON for map clients
    dataset: str  # the catalogue dataset (the same slug)


class RecordErrorOut(msgspec.Struct):
    line: int
    column: str
    reason: str


class RegistryImportReportOut(msgspec.Struct, kw_only=True):
    registry: str
    format: str
    read: int
    inserted: int
    updated: int
    removed: int
    unchanged: int
    rejected: int
    applied: bool
    errors: list[RecordErrorOut]
    unmatched_addresses: list[RecordErrorOut]
    # The job publishing the registry's new dataset version (none when nothing changed).
    publish_job: PublishJob | None = None
