from __future__ import annotations

import datetime
from typing import Any

import msgspec


class PublishJob(msgspec.Struct, kw_only=True):
    """The background job publishing a new version after an import, and where staff watch it."""

    id: int
    url: str


class FileOut(msgspec.Struct):
    format: str
    media_type: str
    sha256: str
    bytes: int
    url: str


class ChangesOut(msgspec.Struct):
    rows_added: int
    rows_changed: int
    rows_removed: int


class RowChangeOut(msgspec.Struct, omit_defaults=True):
    """One row that differs from the version before: added, changed or removed."""

    op: str  # add, change, remove
    key: list[Any]  # the row's primary key
    fields: list[str] | None = None  # the columns a change touched
    row: dict[str, Any] | None = None  # the row as it is now (not on a remove)


class VersionOut(msgspec.Struct):
    number: int
    created_at: datetime.datetime
    row_count: int
    changes: ChangesOut
    files: list[FileOut]
    # Kept by the retention policy whatever its age (a cited version).
    pinned: bool = False
    # When the retention policy removed its files; its URLs then answer 410 (a tombstone).
    pruned_at: datetime.datetime | None = None


class OrganisationOut(msgspec.Struct):
    slug: str
    name_uk: str
    name_en: str
    edrpou: str


class CoverageOut(msgspec.Struct):
    katottg: str
    place_uk: str
    place_en: str
    start: str | None
    end: str | None


class FieldOut(msgspec.Struct, omit_defaults=True):
    name: str
    type: str
    title: str = ""
    description: str = ""


class DatasetOut(msgspec.Struct):
    slug: str
    title_uk: str
    title_en: str
    description_uk: str
    description_en: str
    publisher: OrganisationOut
    licence: str
    licence_url: str
    keywords: list[str]
    themes: list[str]
    update_frequency: str
    update_frequency_uk: str
    coverage: CoverageOut
    legal_basis: str
    purpose: str
    responsible_person: str
    contact_email: str
    language: str
    formats: list[str]
    schema: dict[str, object]
    latest_version: VersionOut | None
    versions: int
    datapackage_url: str


class PublishOut(msgspec.Struct):
    slug: str
    created: bool
    version: VersionOut | None
