"""How a dataset is declared: metadata, a Table Schema and the service query that yields its rows.

A domain declares its datasets in its own ``datasets.py`` as a list of
:class:`Dataset` and names its ``datasets`` function in its ``domain.py`` (``Domain.datasets``).
Nothing else is written per dataset: every format, the CKAN, DCAT and Data
Package views and the versions come from the declaration.

``rows`` is an async iterator factory of row dicts, ordered by the primary key
(strictly increasing), with the schema's field names as keys. Values may be
``str``, ``int``, ``float``, ``Decimal``, ``bool``, ``date``, ``datetime`` or ``None``.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from hromada import db

FieldType = Literal["string", "integer", "number", "boolean", "date", "datetime"]
Row = dict[str, Any]
RowSource = Callable[[], AsyncIterator[Row]]
Fingerprint = Callable[[], Awaitable[str | None]]


def written(*tables: str) -> Fingerprint:
    """The fingerprint of rows read from ``tables`` alone (nothing from the clock): how many
    writes each has had (``db.write_counts``)."""

    async def fingerprint() -> str | None:
        counts = await db.write_counts(tables)
        return None if counts is None else ",".join(f"{t}={n}" for t, n in counts.items())

    return fingerprint


# A fixed namespace so that CKAN ids of packages and resources are the same on every install.
NAMESPACE = uuid.UUID("6f1d3b5e-3c1e-5a8e-9f1e-68726f6d6164")


class Frequency(enum.Enum):
    """Update frequencies of the Ukrainian open-data rules (data.gov.ua's ``update_frequency``).

    The value is what data.gov.ua stores; ``uk`` is the wording of the rules;
    ``eu`` is the EU frequency authority code DCAT-AP uses.
    """

    MORE_THAN_DAILY = "more than once a day"
    DAILY = "once a day"
    WEEKLY = "once a week"
    MONTHLY = "once a month"
    QUARTERLY = "once a quarter"
    HALF_YEARLY = "once a half year"
    YEARLY = "once a year"
    AFTER_CHANGES = "immediately after making changes"
    NO_LONGER_UPDATED = "no longer updated"

    @property
    def uk(self) -> str:
        return _FREQUENCY_UK[self]

    @property
    def eu(self) -> str:
        return _FREQUENCY_EU[self]


_FREQUENCY_UK = {
    Frequency.MORE_THAN_DAILY: "більше одного разу на день",
    Frequency.DAILY: "щодня",
    Frequency.WEEKLY: "щотижня",
    Frequency.MONTHLY: "щомісяця",
    Frequency.QUARTERLY: "щокварталу",
    Frequency.HALF_YEARLY: "кожні пів року",
    Frequency.YEARLY: "щороку",
    Frequency.AFTER_CHANGES: "відразу після внесення змін",
    Frequency.NO_LONGER_UPDATED: "більше не оновлюється",
}
_FREQUENCY_EU = {
    Frequency.MORE_THAN_DAILY: "CONT",
    Frequency.DAILY: "DAILY",
    Frequency.WEEKLY: "WEEKLY",
    Frequency.MONTHLY: "MONTHLY",
    Frequency.QUARTERLY: "QUARTERLY",
    Frequency.HALF_YEARLY: "ANNUAL_2",
    Frequency.YEARLY: "ANNUAL",
    Frequency.AFTER_CHANGES: "IRREG",
    Frequency.NO_LONGER_UPDATED: "NEVER",
}


@dataclass(frozen=True)
class Text:
    """A text in Ukrainian and English."""

    uk: str
    en: str


@dataclass(frozen=True)
class Organisation:
    """A publisher: the city council or one of its bodies."""

    slug: str
    name: Text
    edrpou: str  # ЄДРПОУ code, 8 digits
    url: str = ""
    email: str = ""

    @property
    def ckan_id(self) -> str:
        return str(uuid.uuid5(NAMESPACE, f"organisation:{self.slug}"))


@dataclass(frozen=True)
class Licence:
    id: str  # SPDX id
    ckan_id: str
    title: str
    url: str


CC_BY_4_0 = Licence(
    id="CC-BY-4.0",
    ckan_id="cc-by-4.0",
    title="Creative Commons Attribution 4.0",
    url="https://creativecommons.org/licenses/by/4.0/",
)


@dataclass(frozen=True)
class Field:
    """A Table Schema field: ``name`` is the row key and the CSV column."""

    name: str
    type: FieldType
    title: str = ""
    description: str = ""
    required: bool = False
    enum: tuple[str, ...] = ()

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.title:
            out["title"] = self.title
        if self.description:
            out["description"] = self.description
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class TableSchema:
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate field names in {names}")
        missing = [k for k in self.primary_key if k not in names]
        if missing or not self.primary_key:
            raise ValueError(f"primary key {self.primary_key} must name fields of {names}")

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def descriptor(self) -> dict[str, Any]:
        return {
            "fields": [f.descriptor() for f in self.fields],
            "primaryKey": list(self.primary_key),
            "missingValues": [""],
        }


@dataclass(frozen=True)
class Point:
    """Where a row is: the names of its latitude and longitude fields (WGS 84)."""

    lat: str
    lon: str


@dataclass(frozen=True)
class Coverage:
    """Temporal (ISO dates, either open) and spatial (KATOTTG code) coverage."""

    katottg: str
    place: Text
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Text
    description: Text
    publisher: Organisation
    schema: TableSchema
    rows: RowSource
    coverage: Coverage
    frequency: Frequency
    keywords: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()  # EU data themes (ECON, GOVE, REGI, SOCI, TRAN, ...)
    legal_basis: str = ""
    purpose: str = ""
    responsible_person: str = ""
    contact_email: str = ""
    language: str = "uk"
    licence: Licence = CC_BY_4_0
    point: Point | None = None
    # A string field holding each row's GeoJSON geometry (lines, polygons): the GeoJSON
    # download gives it as the feature's geometry, the point (when declared) otherwise.
    geometry: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # A cheap answer to "can the rows differ from the last time this was asked?": the same
    # answer means the same rows (say, ``db.write_counts`` of the query's tables and what
    # the rows take from the clock); None when it cannot tell. Without one, a publish reads
    # every row to learn that nothing changed.
    fingerprint: Fingerprint | None = None

    def __post_init__(self) -> None:
        if not self.slug or not all(c.isalnum() or c in "-_" for c in self.slug):
            raise ValueError(f"dataset slug {self.slug!r}: use letters, digits, - and _")
        if self.point is not None:
            for name in (self.point.lat, self.point.lon):
                if self.schema.field(name) is None:
                    raise ValueError(f"{self.slug}: point field {name!r} is not in the schema")
        if self.geometry is not None and self.schema.field(self.geometry) is None:
            raise ValueError(f"{self.slug}: geometry field {self.geometry!r} is not in the schema")

    @property
    def ckan_id(self) -> str:
        return str(uuid.uuid5(NAMESPACE, f"dataset:{self.slug}"))

    @property
    def formats(self) -> list[str]:
        out = ["csv", "json", "jsonl", "xlsx", "parquet"]
        if self.point is not None or self.geometry is not None:
            out.insert(2, "geojson")
        return out

    def resource_id(self, fmt: str) -> str:
        return str(uuid.uuid5(NAMESPACE, f"resource:{self.slug}:{fmt}"))


# The EU data themes (http://publications.europa.eu/resource/authority/data-theme) a
# dataset declares are its CKAN groups, as ckanext-dcat maps dcat:theme.
THEME_TITLES = {
    "AGRI": ("Сільське господарство, рибальство, лісове господарство і харчування", "Agriculture"),
    "ECON": ("Економіка і фінанси", "Economy and finance"),
    "EDUC": ("Освіта, культура і спорт", "Education, culture and sport"),
    "ENER": ("Енергетика", "Energy"),
    "ENVI": ("Довкілля", "Environment"),
    "GOVE": ("Уряд і публічний сектор", "Government and public sector"),
    "HEAL": ("Здоров'я", "Health"),
    "INTR": ("Міжнародні питання", "International issues"),
    "JUST": ("Юстиція, правова система і громадська безпека", "Justice and public safety"),
    "REGI": ("Регіони і міста", "Regions and cities"),
    "SOCI": ("Населення і суспільство", "Population and society"),
    "TECH": ("Наука і технології", "Science and technology"),
    "TRAN": ("Транспорт", "Transport"),
}
