"""Which registry building an appeal's address names, for the per-building view.

The public appeal keeps only its street: the anonymiser drops house and flat numbers,
because a house number places a resident. The building is matched here, before that,
from the raw address ("вул. Сумська, 7, кв. 33", "Сумська, 7"), and stored as a key
that only aggregates read (``statistics``, staff only, groups under k suppressed);
no public list, file or document selects it.
"""

from __future__ import annotations

import itertools
import re

from hromada.open_data.appeals.pii_patterns import STREET_CUE
from hromada.open_data.registries.tables import Building

# "вул. Сумська" or a bare "Сумська": the cue is optional, the name is the rest.
_STREET_RE = re.compile(r"(?:" + STREET_CUE + r"\.?\s+)?(?P<name>\S.*)")
# "7", "7А", "7/2", "буд. 7-б", "№ 7": the house is the first such part after the street.
_HOUSE_RE = re.compile(
    r"(?:(?:буд(?:инок)?|д|дом)\.?\s*)?№?\s*(?P<number>\d{1,4}(?:\s?[/-]\s?\d{1,4})?"
    r"(?:\s?-?\s?[а-яіїєґa-z])?)",
    re.IGNORECASE,
)
_SPACES_RE = re.compile(r"[\s\-]+")


def _fold(text: str) -> str:
    return _SPACES_RE.sub(" ", text.strip().lower().replace("’", "'").replace("ʼ", "'"))


def _number(text: str) -> str:
    return re.sub(r"[\s\-]", "", text.lower())


class BuildingMatcher:
    """(street name, house number) → building id, built from the registry once per import.

    A street name two districts share is told apart by the appeal's district; without
    one (or with the wrong one) such an address matches nothing rather than a guess."""

    def __init__(self, rows: list[dict[str, object]]) -> None:
        self._by_district: dict[tuple[object, str, str], int] = {}
        seen: dict[tuple[str, str], int | None] = {}
        for row in rows:
            key = (_fold(str(row["street_name"])), _number(str(row["number"])))
            building = int(row["id"])  # type: ignore[call-overload]
            self._by_district[(row["district"], *key)] = building
            seen[key] = None if key in seen else building
        self._unique = {key: b for key, b in seen.items() if b is not None}

    def match(self, address: str | None, district_id: int | None) -> int | None:
        if not address or (not self._unique and not self._by_district):
            return None
        parts = [p.strip() for p in address.split(",") if p.strip()]
        for index, part in enumerate(parts[:-1]):
            street = _STREET_RE.fullmatch(part)
            house = _HOUSE_RE.fullmatch(parts[index + 1])
            if street is None or house is None:
                continue
            key = (_fold(street["name"]), _number(house["number"]))
            found = self._by_district.get((district_id, *key)) if district_id else None
            return found if found is not None else self._unique.get(key)
        return None

    @classmethod
    async def load(cls, streets: list[int] | None = None) -> BuildingMatcher:
        """The registry's buildings (or those on ``streets``) as a matcher."""
        query = Building.select(
            Building.id,
            Building.number,
            Building.district,
            Building.street.name.as_alias("street_name"),
        )
        if streets is not None:
            query = query.where(Building.street.is_in(streets or [0]))
        return cls(await query.run())


# A word of a street's name as people type it and as the registry writes it: SQLite's LIKE
# folds the case of ASCII letters only, so both spellings are asked for.
_WORD_RE = re.compile(r"[^\W\d_]{3,}")


async def locate(address: str, district: str | None) -> tuple[float, float] | None:
    """The point of the one registry building ``address`` names ("вул. Сумська, 7"), in
    ``district`` (a code) when a street name is shared; None when none or several match.

    Bounded by the address: only the buildings on streets named with its longest word are
    read, never the whole registry."""
    from hromada.open_data.registries.tables import District, Street

    parts = [p.strip() for p in address[:300].split(",") if p.strip()]
    names = [
        street["name"]
        for part, following in itertools.pairwise(parts)
        if (street := _STREET_RE.fullmatch(part)) and _HOUSE_RE.fullmatch(following)
    ]
    words = sorted((w for name in names for w in _WORD_RE.findall(name)), key=len, reverse=True)
    if not words:
        return None
    word = words[0].lower()
    streets = await Street.select(Street.id).where(
        Street.name.like(f"%{word}%") | Street.name.like(f"%{word.capitalize()}%")
    )
    if not streets or len(streets) > 200:
        return None
    matcher = await BuildingMatcher.load([s["id"] for s in streets])
    district_id = None
    if district is not None:
        found = await District.select(District.id).where(District.code == district).first()
        district_id = found["id"] if found else None
    building = matcher.match(address, district_id)
    if building is None:
        return None
    row = await Building.select(Building.lat, Building.lon).where(Building.id == building).first()
    return (float(row["lat"]), float(row["lon"])) if row else None
