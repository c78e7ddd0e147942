"""A registry declared in a few lines, and the checks every one of its records passes.

A :class:`Registry` is a Frictionless Table Schema (``fields``, the ``key``), an optional
geometry, the shared identifiers among its fields and the fields that are personal. From
that one declaration come its catalogue dataset (every download format, GeoJSON with its
geometry), its REST list and one-record endpoints with filters, its GraphQL type, its
search documents and its imports (``records.py``, ``importing.py``). Personal fields are
kept for the city's staff and never leave: they are not in the published schema, and
nothing that publishes reads the column they are stored in.

:func:`check_record` turns one raw record (from CSV, XLSX or GeoJSON) into a
:class:`CheckedRecord` or says, field by field, what is wrong with it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from hromada.open_data.catalog.model import Field, Text

GeometryKind = Literal["point", "line", "polygon"]

# Shared identifiers and their formats: the same pattern for every registry that holds one.
IDENTIFIER_PATTERNS: dict[str, re.Pattern[str]] = {
    "cadastral": re.compile(r"\d{10}:\d{2}:\d{3}:\d{4}"),
    "edrpou": re.compile(r"\d{8}"),
    "katottg": re.compile(r"UA\d{17}"),
    "building": re.compile(r"[1-9]\d{0,11}"),
    "month": re.compile(r"\d{4}-(0[1-9]|1[0-2])"),
}

# Ukraine and a margin: a point outside this box is a mistake (or lat/lon swapped).
UKRAINE = (44.0, 22.0, 52.5, 40.3)  # south, west, north, east

MAX_TEXT = 2_000
MAX_VERTICES = 20_000
GEOMETRY_TYPES = {
    "point": ("Point",),
    "line": ("LineString", "MultiLineString"),
    "polygon": ("Polygon", "MultiPolygon"),
}
# Columns every registry with a geometry publishes after its own fields.
GEO_COLUMNS = ("lat", "lon")


@dataclass(frozen=True)
class Registry:
    """One registry: what it holds, what is filterable, what never leaves."""

    slug: str
    title: Text
    description: Text
    fields: tuple[Field, ...]
    key: str
    geometry: GeometryKind | None = None
    # field name -> shared identifier kind (a key of IDENTIFIER_PATTERNS)
    identifiers: Mapping[str, str] = field(default_factory=dict)
    # Never published: stored for the staff only.
    personal: tuple[str, ...] = ()
    # A published name field -> the EDRPOU field that must come with it: only a legal
    # entity is named (an individual goes in a personal field).
    legal_names: Mapping[str, str] = field(default_factory=dict)
    # Fields a list can be filtered on with ``?name=value`` (enums and identifiers always are).
    filters: tuple[str, ...] = ()
    # Fields whose words make the search document's title and text.
    title_field: str | None = None
    text_fields: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    themes: tuple[str, ...] = ("REGI",)
    # Inclusive bounds of numeric fields.
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    # Small cells: (count field, fields hidden with it) — a record whose count is under
    # the city's k publishes neither (they are kept with the personal fields) and says
    # so in its ``suppressed`` field.
    small_cells: tuple[str, tuple[str, ...]] | None = None
    # A source's column names (lower case, spaces as _) -> the field; "" leaves it out.
    aliases: Mapping[str, str] = field(default_factory=dict)
    # The field holding an address to match with the buildings registry, if any.
    address_field: str | None = None
    graphql_name: str = ""

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if self.key not in names:
            raise ValueError(f"{self.slug}: key {self.key!r} is not a field")
        if self.key in self.personal:
            raise ValueError(f"{self.slug}: the key cannot be personal")
        reserved = {"district", "geometry", *GEO_COLUMNS, "distance_m"}
        clash = reserved & set(names)
        if clash:
            raise ValueError(f"{self.slug}: {sorted(clash)} are added by hromada, not declared")
        for name in (
            *self.identifiers,
            *self.personal,
            *self.filters,
            *self.text_fields,
            *self.legal_names,
            *self.legal_names.values(),
            *self.ranges,
            *(
                (self.small_cells[0], *self.small_cells[1], "suppressed")
                if self.small_cells
                else ()
            ),
        ):
            if name not in names:
                raise ValueError(f"{self.slug}: {name!r} is not a field")
        for kind in self.identifiers.values():
            if kind not in IDENTIFIER_PATTERNS:
                raise ValueError(f"{self.slug}: unknown identifier kind {kind!r}")
        if not self.graphql_name:
            object.__setattr__(
                self, "graphql_name", "".join(p.capitalize() for p in self.slug.split("-"))
            )

    @property
    def public_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.name not in self.personal)

    @property
    def filter_fields(self) -> tuple[Field, ...]:
        """Fields a list filters on: declared ones, every enum and every identifier."""
        return tuple(
            f
            for f in self.public_fields
            if f.name in self.filters or f.enum or f.name in self.identifiers
        )

    def field(self, name: str) -> Field | None:
        return self.by_name.get(name)

    @functools.cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @functools.cached_property
    def columns(self) -> frozenset[str]:
        """The columns an import takes: the fields, the district and the geometry's."""
        extra = {"district"}
        if self.geometry is not None:
            extra.add("geometry")
        if self.geometry == "point":
            extra.update(GEO_COLUMNS)
        return frozenset(self.by_name) | extra

    @functools.cached_property
    def integer_key(self) -> bool:
        return self.by_name[self.key].type == "integer"


@dataclass
class CheckedRecord:
    key: str
    public: dict[str, Any]
    personal: dict[str, Any]
    district: str | None = None  # as written; resolved against the districts by the importer
    geometry: dict[str, Any] | None = None  # GeoJSON geometry, WGS 84
    bbox: tuple[float, float, float, float] | None = None  # south, west, north, east
    address: str | None = None


@dataclass
class Problem:
    name: str
    message: str


_WHOLE = re.compile(r"[+-]?\d{1,15}")


def _parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("expected a whole number")
        return int(value)
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if not _WHOLE.fullmatch(text):
        raise ValueError("expected a whole number")
    return int(text)


_NUMBER = re.compile(r"[+-]?(\d{1,15}(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?")


def _parse_number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
        if not _NUMBER.fullmatch(text):
            raise ValueError("expected a number (a dot or a comma before the decimals)")
        number = float(text)
    if not math.isfinite(number):
        raise ValueError("expected a finite number")
    return number


_TRUE = {"true", "1", "так", "yes", "t", "y", "+", "да"}
_FALSE = {"false", "0", "ні", "no", "f", "n", "-", "нет"}


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("expected true or false (так/ні)")


_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_MDY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _parse_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    found = _DMY.fullmatch(text)
    slashed = _MDY.fullmatch(text)
    try:
        if found:
            day, month, year = (int(g) for g in found.groups())
            return dt.date(year, month, day).isoformat()
        if slashed:  # slashes are the US order, as spreadsheet exports write it
            month, day, year = (int(g) for g in slashed.groups())
            return dt.date(year, month, day).isoformat()
        return dt.date.fromisoformat(text[:10] if len(text) >= 10 else text).isoformat()
    except ValueError:
        raise ValueError("expected a date (YYYY-MM-DD, DD.MM.YYYY or M/D/YYYY)") from None


def parse_value(spec: Field, value: Any, identifier: str | None = None) -> Any:
    """``value`` as ``spec`` types it, or ``ValueError`` saying what was expected."""
    if spec.type == "integer":
        return _parse_int(value)
    if spec.type == "number":
        return _parse_number(value)
    if spec.type == "boolean":
        return _parse_bool(value)
    if spec.type == "date":
        return _parse_date(value)
    text = str(value).strip() if not isinstance(value, float) else f"{value:g}"
    if len(text) > MAX_TEXT:
        raise ValueError(f"longer than {MAX_TEXT} characters")
    if spec.enum and text not in spec.enum:
        raise ValueError(f"{text[:40]!r} is not one of {', '.join(spec.enum)}")
    if identifier is not None and not IDENTIFIER_PATTERNS[identifier].fullmatch(text):
        raise ValueError(f"{text[:40]!r} is not a valid {identifier} identifier")
    return text


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_point(lat: float, lon: float) -> str | None:
    """Why (lat, lon) cannot be a place in Ukraine, or None."""
    south, west, north, east = UKRAINE
    if south <= lat <= north and west <= lon <= east:
        return None
    if south <= lon <= north and west <= lat <= east:
        return f"latitude {lat} and longitude {lon} look swapped"
    return f"({lat}, {lon}) is outside Ukraine"


def _positions(geometry: dict[str, Any]) -> list[tuple[float, float]]:
    """Every (lon, lat) of a GeoJSON geometry, checked for shape."""
    kind = geometry.get("type")
    coordinates: Any = geometry.get("coordinates")
    depth = {
        "Point": 0,
        "LineString": 1,
        "MultiPoint": 1,
        "Polygon": 2,
        "MultiLineString": 2,
        "MultiPolygon": 3,
    }.get(str(kind))
    if depth is None:
        raise ValueError(f"unsupported geometry type {str(kind)[:30]!r}")
    out: list[tuple[float, float]] = []

    def walk(node: Any, level: int) -> None:
        if len(out) > MAX_VERTICES:
            raise ValueError(f"more than {MAX_VERTICES} vertices")
        if level == 0:
            if (
                not isinstance(node, list)
                or len(node) not in (2, 3)
                or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in node)
            ):
                raise ValueError("a position must be [longitude, latitude]")
            out.append((float(node[0]), float(node[1])))
            return
        if not isinstance(node, list) or not node:
            raise ValueError(f"malformed {kind} coordinates")
        for child in node:
            walk(child, level - 1)

    walk(coordinates, depth)
    if kind == "Polygon" or kind == "MultiPolygon":
        rings: list[Any] = [coordinates] if kind == "Polygon" else coordinates
        for polygon in rings:
            for ring in polygon:
                if len(ring) < 4 or ring[0] != ring[-1]:
                    raise ValueError("a polygon ring must be closed and have at least 4 positions")
    if kind == "LineString" and len(out) < 2:
        raise ValueError("a line needs at least two positions")
    return out


def check_geometry(
    kind: GeometryKind, geometry: Any
) -> tuple[dict[str, Any], tuple[float, float, float, float]]:
    """A valid GeoJSON geometry of ``kind`` inside Ukraine and its bounding box."""
    if not isinstance(geometry, dict):
        raise ValueError("the geometry must be a GeoJSON geometry object")
    allowed = GEOMETRY_TYPES[kind]
    if geometry.get("type") not in allowed:
        raise ValueError(
            f"a {kind} registry takes {' or '.join(allowed)}, not {str(geometry.get('type'))[:30]}"
        )
    positions = _positions(geometry)
    for lon, lat in positions:
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise ValueError("coordinates must be finite numbers")
        problem = check_point(lat, lon)
        if problem:
            raise ValueError(problem)
    lats = [p[1] for p in positions]
    lons = [p[0] for p in positions]
    clean = {"type": geometry["type"], "coordinates": geometry["coordinates"]}
    return clean, (min(lats), min(lons), max(lats), max(lons))


def check_record(
    registry: Registry, raw: Mapping[str, Any], geometry: Any = None, *, k: int = 1
) -> CheckedRecord | list[Problem]:
    """One record checked against its registry's declaration.

    ``raw`` maps column names to values as the file wrote them; ``geometry`` is the
    GeoJSON geometry when the file gave one (a GeoJSON feature); a point registry also
    takes ``lat``/``lon`` columns and any registry a ``geometry`` column of GeoJSON text.
    """
    problems: list[Problem] = []
    public: dict[str, Any] = {}
    personal: dict[str, Any] = {}
    for name in raw:
        if name not in registry.columns:
            problems.append(Problem(name, "unknown column"))
    for spec in registry.fields:
        value = raw.get(spec.name)
        if _empty(value):
            if spec.required or spec.name == registry.key:
                problems.append(Problem(spec.name, "required"))
            parsed = None
        else:
            try:
                parsed = parse_value(spec, value, registry.identifiers.get(spec.name))
            except ValueError as exc:
                problems.append(Problem(spec.name, str(exc)))
                continue
        (personal if spec.name in registry.personal else public)[spec.name] = parsed
    for name, (low, high) in registry.ranges.items():
        value = public.get(name, personal.get(name))
        if value is not None and not low <= value <= high:
            problems.append(Problem(name, f"{value} is not between {low:g} and {high:g}"))
    for name, code in registry.legal_names.items():
        if public.get(name) is not None and public.get(code) is None:
            problems.append(
                Problem(
                    name,
                    f"a name is published only for a legal entity, with its {code}; an "
                    "individual goes in the personal field",
                )
            )
    checked_geometry = None
    bbox = None
    if registry.geometry is not None:
        if geometry is None and not _empty(raw.get("geometry")):
            try:
                geometry = json.loads(str(raw["geometry"]))
            except ValueError:
                problems.append(Problem("geometry", "not GeoJSON"))
                geometry = None
        if geometry is None and registry.geometry == "point":
            lat, lon = raw.get("lat"), raw.get("lon")
            if not _empty(lat) or not _empty(lon):
                # The common case, checked without building and walking a geometry first.
                try:
                    point = _parse_number(lat), _parse_number(lon)
                except ValueError as exc:
                    problems.append(Problem("lat" if _empty(lon) else "lon", str(exc)))
                else:
                    problem = check_point(*point)
                    if problem:
                        problems.append(Problem("geometry", problem))
                    checked_geometry = {"type": "Point", "coordinates": [point[1], point[0]]}
                    bbox = (point[0], point[1], point[0], point[1])
        if geometry is not None:
            try:
                checked_geometry, bbox = check_geometry(registry.geometry, geometry)
            except ValueError as exc:
                problems.append(Problem("geometry", str(exc)))
    if problems:
        return problems
    if registry.small_cells is not None:
        count_field, hidden = registry.small_cells
        count = public.get(count_field)
        small = count is not None and count < k
        public["suppressed"] = small
        if small:
            for name in (count_field, *hidden):
                personal[name] = public[name]
                public[name] = None
    district = raw.get("district")
    address = public.get(registry.address_field) if registry.address_field else None
    return CheckedRecord(
        key=str(public[registry.key]),
        public=public,
        personal=personal,
        district=None if _empty(district) else str(district).strip()[:200],
        geometry=checked_geometry,
        bbox=bbox,
        address=address,
    )
