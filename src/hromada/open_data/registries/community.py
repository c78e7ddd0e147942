"""The community an installation serves, set from the KATOTTG codifier.

``hromada city set UA63120270010096107`` (or a name, ``Харків``) finds the
територіальна громада in the codifier (Кодифікатор адміністративно-територіальних
одиниць та територій територіальних громад), and writes, in one transaction, the
community, its settlements and its districts into the registry:

- the districts are the city districts (category B) the codifier lists for the
  community (Kharkiv's nine, Kyiv's ten);
- a community without city districts (most of them: Ivano-Frankivsk, with its
  villages and starosta districts) gets one district per settlement, since the
  codifier does not list starosta districts and every settlement belongs to one.

Appeals, petitions and participatory-budget pools refer to these districts. A
GeoJSON file of boundaries (``--boundaries``) gives districts their outlines and
centres; features are matched to districts by name.

The codifier shipped in ``data/katottg.csv.gz`` is the KSE Loc Data Hub copy (MIT,
see ``data/README.md``); ``--codifier`` reads a newer one in the same layout.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hromada import db
from hromada.errors import InvalidInput
from hromada.open_data.registries.tables import Community, District, Settlement

CODIFIER = Path(__file__).with_name("data") / "katottg.csv.gz"
CODE = re.compile(r"^UA\d{17}$")
COLUMNS = (
    "Перший рівень",
    "Другий рівень",
    "Третій рівень",
    "Четвертий рівень",
    "Додатковий рівень",
    "Категорія об’єкта",
    "Назва об’єкта",
)
SETTLEMENT_CATEGORIES = ("M", "T", "C", "X")
MAX_BOUNDARIES_BYTES = 50 * 1024 * 1024
# Ukraine's extent with a margin: a point outside is a mistake (often lat/lon swapped).
UKRAINE = (22.0, 44.0, 40.5, 52.5)  # west, south, east, north


@dataclass(frozen=True)
class Unit:
    code: str
    category: str
    name: str
    oblast: str  # codes of the levels above, "" where none
    raion: str
    hromada: str


@dataclass
class Codifier:
    units: list[Unit]
    by_code: dict[str, Unit] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_code = {u.code: u for u in self.units}

    def name(self, code: str) -> str:
        unit = self.by_code.get(code)
        return unit.name if unit else ""


@dataclass(frozen=True)
class Area:
    """A district of the community as it will be written to the registry."""

    code: str
    katottg: str
    name_uk: str
    name_en: str


@dataclass(frozen=True)
class Plan:
    community: Unit
    oblast: str
    raion: str
    settlements: list[Unit]
    districts: list[Area]
    districts_are_settlements: bool


def read_codifier(path: Path | None = None) -> Codifier:
    """The codifier as units; a file in another layout is a clear error."""
    source = path or CODIFIER
    raw = source.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = tuple(h.strip() for h in next(reader, ()))
    if header[:7] != COLUMNS:
        raise InvalidInput(
            f"{source.name} is not a KATOTTG codifier: expected the columns {', '.join(COLUMNS)}"
        )
    units = []
    for row in reader:
        if len(row) < 7:
            continue
        l1, l2, l3, l4, extra, category, name = (c.strip() for c in row[:7])
        if category == "K":  # Kyiv, Sevastopol: the first level is the community itself
            units.append(Unit(l1, "K", name, l1, "", l1))
            continue
        if category == "B" and l1 == l2 == l3:  # a district of a K city
            units.append(Unit(extra, "B", name, l1, "", l1))
            continue
        code = extra or l4 or l3 or l2 or l1
        units.append(Unit(code, category, name, l1, l2, l3))
    return Codifier(units)


def _fold(name: str) -> str:
    text = name.casefold().replace("'", "").replace("’", "").replace("ʼ", "").replace("`", "")
    text = re.sub(r"\b(міська|селищна|сільська|територіальна|громада|тг|м\.|місто)\b", " ", text)
    return " ".join(text.split())


def find_community(codifier: Codifier, query: str) -> Unit:
    """The community a code (of the community or of any of its settlements or districts)
    or a name (of the community or of its main settlement) names."""
    query = query.strip()
    if CODE.match(query):
        unit = codifier.by_code.get(query)
        if unit is None:
            raise InvalidInput(f"{query} is not in the KATOTTG codifier")
        if unit.category in ("O", "P"):
            raise InvalidInput(
                f"{query} ({unit.name}) is an oblast or a raion, not a community: "
                "give the code of the community or of its city"
            )
        return unit if unit.category in ("H", "K") else codifier.by_code[unit.hromada]
    wanted = _fold(query)
    found: dict[str, Unit] = {}
    for unit in codifier.units:
        if _fold(unit.name) != wanted:
            continue
        if unit.category in ("H", "K"):
            found[unit.code] = unit
        elif unit.category in ("M", "T"):
            found[unit.hromada] = codifier.by_code[unit.hromada]
    if not found:
        raise InvalidInput(f"no community or town named {query!r} in the KATOTTG codifier")
    if len(found) > 1:
        listed = "; ".join(
            f"{u.code} {u.name} ({codifier.name(u.raion)} р-н, {codifier.name(u.oblast)} обл.)"
            for u in list(found.values())[:10]
        )
        raise InvalidInput(f"{query!r} names {len(found)} communities: give the code: {listed}")
    return next(iter(found.values()))


def plan(codifier: Codifier, community: Unit) -> Plan:
    members = [u for u in codifier.units if u.hromada == community.code and u is not community]
    settlements = [u for u in members if u.category in SETTLEMENT_CATEGORIES]
    if community.category == "K":
        settlements = [Unit(community.code, "M", community.name, community.code, "", "")]
    city_districts = [u for u in members if u.category == "B"]
    from_settlements = not city_districts
    sources = city_districts or settlements
    slugs = [slug(u.name) for u in sources]
    areas = [
        Area(
            # A name two settlements share gets the tail of its code to stay unique.
            code=s if slugs.count(s) == 1 else f"{s}-{u.code[-7:].lower()}",
            katottg=u.code,
            name_uk=u.name,
            name_en=transliterate(u.name),
        )
        for u, s in zip(sources, slugs, strict=True)
    ]
    return Plan(
        community=community,
        oblast=codifier.name(community.oblast),
        raion=codifier.name(community.raion),
        settlements=settlements,
        districts=areas,
        districts_are_settlements=from_settlements,
    )


@dataclass(frozen=True)
class Outline:
    geometry: dict[str, Any]
    lat: float
    lon: float


def read_boundaries(path: Path, districts: list[Area]) -> dict[str, Outline]:
    """Outlines by district code from a GeoJSON FeatureCollection, matched by name.

    Every feature must name a district; every coordinate must lie in Ukraine."""
    if path.stat().st_size > MAX_BOUNDARIES_BYTES:
        raise InvalidInput(f"{path.name} is larger than {MAX_BOUNDARIES_BYTES // 2**20} MB")
    from hromada.bounds import load_json

    try:
        document = load_json(path.read_bytes())
    except ValueError as error:
        raise InvalidInput(f"{path.name} is not GeoJSON: {error}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise InvalidInput(f"{path.name} is not a GeoJSON FeatureCollection")
    by_name = {_fold(d.name_uk): d for d in districts}
    outlines: dict[str, Outline] = {}
    problems = []
    for number, feature in enumerate(document.get("features") or [], start=1):
        properties = (feature or {}).get("properties") or {}
        names = [v for k, v in properties.items() if isinstance(v, str) and _NAME_KEY.search(k)]
        district = next((by_name[_fold(n)] for n in names if _fold(n) in by_name), None)
        if district is None:
            problems.append(f"feature {number} ({', '.join(names) or 'no name'}) names no district")
            continue
        geometry = feature.get("geometry") or {}
        try:
            rings = _outer_rings(geometry)
            lat, lon = _centre(rings)
        except ValueError as error:
            problems.append(f"feature {number} ({district.name_uk}): {error}")
            continue
        outlines[district.code] = Outline(geometry=geometry, lat=lat, lon=lon)
    if problems:
        raise InvalidInput(
            f"{path.name}: {len(problems)} feature(s) refused, nothing was written",
            errors=[{"where": "file", "name": path.name, "message": p} for p in problems[:50]],
        )
    return outlines


_NAME_KEY = re.compile(r"(^name|district|adm\d_ua|^назва)", re.IGNORECASE)


def _outer_rings(geometry: dict[str, Any]) -> list[list[tuple[float, float]]]:
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    polygons = (
        [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else None
    )
    if not isinstance(polygons, list) or not polygons:
        raise ValueError("the geometry is not a Polygon or MultiPolygon")
    rings = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon or len(polygon[0]) < 4:
            raise ValueError("a polygon needs a ring of at least four positions")
        ring = []
        for position in polygon[0]:
            if (
                not isinstance(position, list)
                or len(position) < 2
                or not all(isinstance(c, int | float) for c in position[:2])
            ):
                raise ValueError("a position is not [longitude, latitude]")
            lon, lat = float(position[0]), float(position[1])
            west, south, east, north = UKRAINE
            if not (west <= lon <= east and south <= lat <= north):
                swapped = west <= lat <= east and south <= lon <= north
                hint = " (latitude and longitude swapped?)" if swapped else ""
                raise ValueError(f"[{position[0]}, {position[1]}] lies outside Ukraine{hint}")
            ring.append((lon, lat))
        rings.append(ring)
    return rings


def _centre(rings: list[list[tuple[float, float]]]) -> tuple[float, float]:
    """The area-weighted centroid of the outer rings (planar; fine at a city's scale)."""
    total = cx = cy = 0.0
    for ring in rings:
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            cross = x0 * y1 - x1 * y0
            total += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    if abs(total) < 1e-12:
        raise ValueError("the polygon has no area")
    return round(cy / (3 * total), 6), round(cx / (3 * total), 6)


@dataclass(frozen=True)
class Applied:
    community: str
    settlements: int
    districts_added: int
    districts_updated: int
    districts_kept: list[str]  # in the registry before, not in the codifier's list
    located: int


async def apply(planned: Plan, outlines: dict[str, Outline] | None = None) -> Applied:
    """Write the community, its settlements and districts in one transaction."""
    outlines = outlines or {}
    community = planned.community
    async with db.write_transaction():
        await Community.delete(force=True)
        await Community.insert(
            Community(
                katottg=community.code,
                kind=community.category,
                name=community.name,
                oblast=planned.oblast,
                raion=planned.raion,
                set_at=dt.datetime.now(dt.UTC),
            )
        )
        await Settlement.delete(force=True)
        if planned.settlements:
            await Settlement.insert(
                *(
                    Settlement(katottg=u.code, category=u.category, name=u.name)
                    for u in planned.settlements
                )
            )
        existing = {r["code"]: r for r in await District.select(District.code, District.located)}
        added = updated = 0
        for area in planned.districts:
            outline = outlines.get(area.code)
            values: dict[Any, Any] = {
                District.name_uk: area.name_uk,
                District.name_en: area.name_en,
                District.katottg: area.katottg,
            }
            if outline is not None:
                values |= {
                    District.lat: outline.lat,
                    District.lon: outline.lon,
                    District.boundary: json.dumps(outline.geometry, separators=(",", ":")),
                    District.located: True,
                }
            if area.code in existing:
                await District.update(values).where(District.code == area.code)
                updated += 1
            else:
                located = outline is not None
                await District.insert(
                    District(
                        code=area.code,
                        name_uk=area.name_uk,
                        name_en=area.name_en,
                        katottg=area.katottg,
                        # Placeholders until a boundary gives the centre; published as null.
                        lat=outline.lat if outline else 0.0,
                        lon=outline.lon if outline else 0.0,
                        boundary=json.dumps(outline.geometry) if outline else None,
                        located=located,
                    )
                )
                added += 1
    planned_codes = {a.code for a in planned.districts}
    return Applied(
        community=f"{community.name} ({community.code})",
        settlements=len(planned.settlements),
        districts_added=added,
        districts_updated=updated,
        districts_kept=sorted(set(existing) - planned_codes),
        located=len(outlines),
    )


async def current() -> dict[str, Any] | None:
    rows = await Community.select(
        Community.katottg, Community.kind, Community.name, Community.oblast, Community.raion
    )
    return rows[0] if rows else None


# The official transliteration (Cabinet of Ministers resolution 55, 2010), lower case;
# є ї й ю я are written differently at the start of a word.
_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "", "’": "", "ʼ": "", "`": "",
}  # fmt: skip
_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def transliterate(name: str) -> str:
    out = []
    for word in re.split(r"(\s+|-)", name.strip()):
        letters = []
        for i, char in enumerate(word):
            lower = char.lower()
            if i == 0 and lower in _INITIAL:
                latin = _INITIAL[lower]
            elif lower == "г" and i > 0 and word[i - 1].lower() == "з":
                latin = "gh"  # зг → zgh, so it is not read as zh
            else:
                latin = _LATIN.get(lower, char)
            letters.append(latin.capitalize() if char.isupper() and latin else latin)
        out.append("".join(letters))
    return "".join(out)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", transliterate(name).lower()).strip("-")
