"""The one query over declared registries' records, behind every transport.

REST, GraphQL, GeoJSON, the catalogue's dataset rows and the search documents all read
records here, so a filter means the same everywhere and only ``data`` (the published
fields) is ever read: the ``personal`` column appears in no query of this module.

Filters: ``district`` (a code of the districts registry), ``bbox`` (west, south, east,
north in degrees: the GeoJSON and OGC order), ``near`` + ``radius`` (metres, at most
``MAX_RADIUS_M``) and equality on the registry's filter fields. The radius test in SQL is
the equirectangular distance to the record's point (or its geometry's box centre):
within 0.5 % of the great-circle distance at city scale, on both engines without
extensions; the answer gives the great-circle ``distance_m``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hromada import db
from hromada.errors import InvalidInput, NotFound
from hromada.open_data.registries.declared import (
    GEO_COLUMNS,
    Registry,
    check_point,
    parse_value,
)
from hromada.open_data.registries.kinds import REGISTRIES, registry_of
from hromada.open_data.registries.schemas import RegistryOut
from hromada.open_data.registries.tables import District, RegistryExtent, RegistryRecord
from hromada.paging import Page, decode_cursor, encode_cursor

MAX_RADIUS_M = 50_000
METRES_PER_DEGREE = 111_320.0
EARTH_RADIUS_M = 6_371_008.8
# Parameters every list takes besides the registry's own filters.
PAGING = ("limit", "cursor")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


def registry_or_404(slug: str) -> Registry:
    registry = registry_of(slug)
    if registry is None:
        raise NotFound(
            f"no registry {slug[:60]!r}; the registries are "
            + ", ".join(r.slug for r in REGISTRIES)
        )
    return registry


def sort_key(registry: Registry, value: Any) -> str:
    """The stored key: integer keys zero-padded so that text order is number order."""
    if registry.integer_key:
        return f"{int(value):020d}"
    return str(value)


@dataclass
class RecordQuery:
    """A checked filter over one registry."""

    registry: Registry
    district: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # south, west, north, east
    near: tuple[float, float] | None = None  # lat, lon
    radius_m: float | None = None
    equals: dict[str, Any] = field(default_factory=dict)


def _floats(text: str, count: int, name: str) -> list[float]:
    parts = text.split(",")
    if len(parts) != count:
        raise InvalidInput(f"{name} takes {count} comma-separated numbers")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InvalidInput(f"{name} takes {count} comma-separated numbers") from None
    if not all(math.isfinite(v) for v in values):
        raise InvalidInput(f"{name}: numbers must be finite")
    return values


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    west, south, east, north = _floats(text, 4, "bbox")
    if not (-90 <= south <= north <= 90 and -180 <= west <= east <= 180):
        raise InvalidInput(
            "bbox is west,south,east,north in degrees (longitude first), with west ≤ east "
            "and south ≤ north"
        )
    return south, west, north, east


def parse_near(text: str) -> tuple[float, float]:
    lat, lon = _floats(text, 2, "near")
    problem = check_point(lat, lon)
    if problem:
        raise InvalidInput(f"near is latitude,longitude: {problem}")
    return lat, lon


async def check_query(
    registry: Registry,
    *,
    district: str | None = None,
    bbox: str | None = None,
    near: str | None = None,
    radius: float | None = None,
    equals: Mapping[str, str] | None = None,
) -> RecordQuery:
    """Every filter checked, or a 422 naming the one that is wrong."""
    query = RecordQuery(registry)
    if bbox:
        if registry.geometry is None:
            raise InvalidInput(f"{registry.slug} has no geometry: bbox does not apply")
        query.bbox = parse_bbox(bbox)
    if near or radius is not None:
        if registry.geometry is None:
            raise InvalidInput(f"{registry.slug} has no geometry: near does not apply")
        if not near or radius is None:
            raise InvalidInput("near and radius go together (near=lat,lon&radius=metres)")
        if not (0 < radius <= MAX_RADIUS_M) or not math.isfinite(radius):
            raise InvalidInput(f"radius is in metres, above 0 and at most {MAX_RADIUS_M}")
        query.near = parse_near(near)
        query.radius_m = radius
    if district:
        if not await District.exists().where(District.code == district):
            raise InvalidInput(
                f"unknown district {district[:60]!r}",
                errors=[{"where": "query", "name": "district", "message": "unknown code"}],
            )
        query.district = district
    allowed = {f.name: f for f in registry.filter_fields}
    for name, value in (equals or {}).items():
        spec = allowed.get(name)
        if spec is None:
            raise InvalidInput(
                f"{registry.slug} cannot be filtered on {name[:40]!r}; its filters are "
                + ", ".join(["district", *allowed, "bbox", "near", "radius"]),
                errors=[{"where": "query", "name": name[:40], "message": "unknown filter"}],
            )
        try:
            query.equals[name] = parse_value(spec, value, registry.identifiers.get(name))
        except ValueError as exc:
            raise InvalidInput(
                f"{name}: {exc}", errors=[{"where": "query", "name": name, "message": str(exc)}]
            ) from None
    return query


def _json_field(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a field name: {name!r}")
    if db.dialect() == "postgres":
        return f"(data::jsonb ->> '{name}')"
    return f"json_extract(data, '$.{name}')"


def _json_value(value: Any) -> Any:
    """A filter value as the engine's JSON extraction gives it back."""
    if db.dialect() == "postgres":
        if isinstance(value, bool):
            return "true" if value else "false"
        return json.dumps(value) if isinstance(value, float) else str(value)
    return int(value) if isinstance(value, bool) else value


async def _extent(slug: str) -> tuple[int, float, float]:
    rows = await RegistryExtent.select(
        RegistryExtent.records, RegistryExtent.half_lat, RegistryExtent.half_lon
    ).where(RegistryExtent.registry == slug)
    if not rows:
        return 0, 0.0, 0.0
    return rows[0]["records"], rows[0]["half_lat"], rows[0]["half_lon"]


async def _where(query: RecordQuery) -> tuple[list[str], list[Any]]:
    clauses = ["registry = {}"]
    args: list[Any] = [query.registry.slug]
    if query.district:
        clauses.append("district = {}")
        args.append(query.district)
    if query.bbox or query.near:
        _, half_lat, half_lon = await _extent(query.registry.slug)
    if query.bbox:
        south, west, north, east = query.bbox
        # The centre's range (indexed) first, then the boxes that really overlap.
        clauses.append("lat BETWEEN {} AND {} AND lon BETWEEN {} AND {}")
        args += [south - half_lat, north + half_lat, west - half_lon, east + half_lon]
        clauses.append("max_lat >= {} AND min_lat <= {} AND max_lon >= {} AND min_lon <= {}")
        args += [south, north, west, east]
    if query.near and query.radius_m:
        lat0, lon0 = query.near
        dlat = query.radius_m / METRES_PER_DEGREE
        kx = METRES_PER_DEGREE * math.cos(math.radians(lat0))
        dlon = query.radius_m / kx
        clauses.append("lat BETWEEN {} AND {} AND lon BETWEEN {} AND {}")
        args += [lat0 - dlat, lat0 + dlat, lon0 - dlon, lon0 + dlon]
        clauses.append(
            "((lat - {}) * {}) * ((lat - {}) * {}) + ((lon - {}) * {}) * ((lon - {}) * {}) <= {}"
        )
        args += [lat0, METRES_PER_DEGREE] * 2 + [lon0, kx] * 2 + [query.radius_m**2]
    for name, value in query.equals.items():
        clauses.append(f"{_json_field(name)} = {{}}")
        args.append(_json_value(value))
    return clauses, args


def great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def record_out(
    registry: Registry, row: Mapping[str, Any], query: RecordQuery | None = None
) -> dict[str, Any]:
    """A stored row as every transport shows it: the published fields, the district,
    the point, the geometry (lines and polygons), and the distance for a radius query."""
    out: dict[str, Any] = json.loads(row["data"])
    out["district"] = row["district"]
    if registry.geometry is not None:
        out["lat"], out["lon"] = row["lat"], row["lon"]
        if registry.geometry != "point":
            out["geometry"] = json.loads(row["geometry"]) if row["geometry"] else None
    if query is not None and query.near and row["lat"] is not None:
        out["distance_m"] = round(great_circle_m(*query.near, row["lat"], row["lon"]), 1)
    return out


_COLUMNS = "key, district, lat, lon, geometry, data"


async def page_records(
    query: RecordQuery, *, limit: int, cursor: str | None
) -> Page[dict[str, Any]]:
    """One page of records in key order; ``total`` when no filter makes it costly."""
    # The cursor names its registry: a genuine cursor of another registry is a 422.
    after = decode_cursor(cursor, 2, (str, str))
    if after and after[0] != query.registry.slug:
        raise InvalidInput(
            f"this cursor belongs to the {after[0]} list, not {query.registry.slug}",
            errors=[{"where": "query", "name": "cursor", "message": "another list's cursor"}],
        )
    clauses, args = await _where(query)
    if after:
        clauses.append("key > {}")
        args.append(after[1])
    where = " AND ".join(clauses)
    sql = f"SELECT {_COLUMNS} FROM registry_record WHERE {where} ORDER BY key LIMIT {{}}"  # noqa: S608
    rows = await RegistryRecord.raw(sql, *args, limit + 1).run()
    more = len(rows) > limit
    rows = rows[:limit]
    filtered = query.district or query.bbox or query.near or query.equals
    total = None if filtered else (await _extent(query.registry.slug))[0]
    return Page(
        items=[record_out(query.registry, r, query) for r in rows],
        next_cursor=encode_cursor([query.registry.slug, rows[-1]["key"]])
        if more and rows
        else None,
        total=total,
    )


async def count_by(registry: Registry, name: str) -> dict[str | None, int]:
    """How many records of ``registry`` hold each value of field ``name`` (one grouped
    query; for an enumerated field such as ``heating`` the answer is a handful of rows)."""
    if name not in {f.name for f in registry.fields}:
        raise InvalidInput(f"{registry.slug} has no field {name!r}")
    column = _json_field(name)
    rows = await RegistryRecord.raw(
        f"SELECT {column} AS v, COUNT(*) AS n FROM registry_record "  # noqa: S608
        f"WHERE registry = {{}} GROUP BY {column}",
        registry.slug,
    ).run()
    return {r["v"]: int(r["n"]) for r in rows}


async def get_record(registry: Registry, key: str) -> dict[str, Any]:
    try:
        stored = sort_key(registry, key)
    except ValueError:
        raise NotFound(f"no {registry.slug} record {key[:60]!r}") from None
    rows = await RegistryRecord.raw(
        f"SELECT {_COLUMNS} FROM registry_record WHERE registry = {{}} AND key = {{}}",  # noqa: S608
        registry.slug,
        stored,
    ).run()
    if not rows:
        raise NotFound(f"no {registry.slug} record {key[:60]!r}")
    return record_out(registry, rows[0])


async def records_by_keys(registry: Registry, keys: list[str]) -> list[dict[str, Any]]:
    """Records by stored key, in the order asked; unknown keys left out."""
    if not keys:
        return []
    where, args = db.in_values("key", keys)
    rows = await RegistryRecord.raw(
        f"SELECT {_COLUMNS} FROM registry_record WHERE registry = {{}} AND {where}",  # noqa: S608
        registry.slug,
        *args,
    ).run()
    by_key = {r["key"]: r for r in rows}
    return [record_out(registry, by_key[k]) for k in keys if k in by_key]


async def iter_records(registry: Registry, chunk: int = 2_000) -> AsyncIterator[dict[str, Any]]:
    """Every record in key order, ``chunk`` rows per query (bounded memory)."""
    after: str | None = None
    while True:
        if after is None:
            rows = await RegistryRecord.raw(
                f"SELECT {_COLUMNS} FROM registry_record WHERE registry = {{}} "  # noqa: S608
                "ORDER BY key LIMIT {}",
                registry.slug,
                chunk,
            ).run()
        else:
            rows = await RegistryRecord.raw(
                f"SELECT {_COLUMNS} FROM registry_record WHERE registry = {{}} AND key > {{}} "  # noqa: S608
                "ORDER BY key LIMIT {}",
                registry.slug,
                after,
                chunk,
            ).run()
        for row in rows:
            yield record_out(registry, row)
        if len(rows) < chunk:
            return
        after = rows[-1]["key"]


def dataset_row(registry: Registry, record: dict[str, Any]) -> dict[str, Any]:
    """A record as its catalogue dataset's row: lines and polygons carry their geometry
    as GeoJSON text (the GeoJSON download gives it as the feature's geometry)."""
    record = dict(record)
    for spec in registry.public_fields:
        if spec.type == "date" and record.get(spec.name) is not None:
            record[spec.name] = dt.date.fromisoformat(record[spec.name])
    if registry.geometry not in (None, "point"):
        geometry = record.get("geometry")
        record["geometry"] = json.dumps(geometry) if geometry else None
    return record


# ----------------------------------------------------------------------------------------
# GeoJSON for map clients


def simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas–Peucker on a line of [lon, lat] positions; ``tolerance`` in degrees."""
    if len(points) < 3 or tolerance <= 0:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first][:2], points[last][:2]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            x, y = points[i][:2]
            if norm == 0:
                distance = math.hypot(x - x1, y - y1)
            else:
                distance = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm
            if distance > worst:
                worst, index = distance, i
        if index >= 0 and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify_geometry(geometry: dict[str, Any], tolerance: float) -> dict[str, Any]:
    kind, coordinates = geometry["type"], geometry["coordinates"]

    def ring(positions: list[list[float]]) -> list[list[float]]:
        out = simplify(positions, tolerance)
        return out if len(out) >= 4 else positions  # a ring stays a ring

    if kind == "LineString":
        coordinates = simplify(coordinates, tolerance)
    elif kind == "MultiLineString":
        coordinates = [simplify(line, tolerance) for line in coordinates]
    elif kind == "Polygon":
        coordinates = [ring(r) for r in coordinates]
    elif kind == "MultiPolygon":
        coordinates = [[ring(r) for r in polygon] for polygon in coordinates]
    return {"type": kind, "coordinates": coordinates}


def feature(registry: Registry, record: dict[str, Any], tolerance: float = 0.0) -> dict[str, Any]:
    properties = {k: v for k, v in record.items() if k not in (*GEO_COLUMNS, "geometry")}
    geometry: dict[str, Any] | None
    if registry.geometry == "point":
        lat, lon = record.get("lat"), record.get("lon")
        geometry = None if lat is None else {"type": "Point", "coordinates": [lon, lat]}
    else:
        geometry = record.get("geometry")
        if geometry and tolerance > 0:
            geometry = simplify_geometry(geometry, tolerance)
    return {
        "type": "Feature",
        "id": str(record[registry.key]),
        "geometry": geometry,
        "properties": properties,
    }


def tolerance_degrees(simplify_m: float | None) -> float:
    if simplify_m is None:
        return 0.0
    if not (0 <= simplify_m <= 1_000) or not math.isfinite(simplify_m):
        raise InvalidInput("simplify is a tolerance in metres, from 0 to 1000")
    return simplify_m / METRES_PER_DEGREE


async def list_registries() -> list[RegistryOut]:
    extents = {
        r["registry"]: r
        for r in await RegistryExtent.select(
            RegistryExtent.registry, RegistryExtent.records, RegistryExtent.updated_at
        )
    }
    out = []
    for registry in REGISTRIES:
        extent = extents.get(registry.slug)
        filters = ["district", *(f.name for f in registry.filter_fields)]
        if registry.geometry is not None:
            filters += ["bbox", "near", "radius"]
        base = f"/api/v1/registries/{registry.slug}"
        out.append(
            RegistryOut(
                slug=registry.slug,
                title_uk=registry.title.uk,
                title_en=registry.title.en,
                description_uk=registry.description.uk,
                description_en=registry.description.en,
                key=registry.key,
                geometry=registry.geometry,
                fields=[f.descriptor() for f in registry.public_fields],
                filters=filters,
                records=extent["records"] if extent else 0,
                updated_at=extent["updated_at"] if extent else None,
                records_url=f"{base}/records",
                features_url=f"{base}/features" if registry.geometry else None,
                dataset=registry.slug,
            )
        )
    return out
