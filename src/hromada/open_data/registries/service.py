"""Queries over districts and streets; the only place they live."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import msgspec

from hromada.errors import InvalidInput, NotFound
from hromada.open_data.registries.schemas import (
    BuildingOut,
    DistrictCounts,
    DistrictOut,
    DistrictPlace,
    StreetOut,
)
from hromada.open_data.registries.tables import Building, District, Street
from hromada.paging import Page, check_limit, decode_cursor, make_page
from hromada.search import service as search_service
from hromada.search.port import SearchBackend


async def list_districts() -> list[DistrictOut]:
    districts = await District.select().order_by(District.code).run()
    street_counts = {
        r["district"]: r["n"]
        for r in await Street.raw(
            "SELECT district, COUNT(*) AS n FROM street GROUP BY district"
        ).run()
    }
    building_counts = {
        r["district"]: r["n"]
        for r in await Building.raw(
            "SELECT district, COUNT(*) AS n FROM building GROUP BY district"
        ).run()
    }
    return [
        DistrictOut(
            code=d["code"],
            name_uk=d["name_uk"],
            name_en=d["name_en"],
            lat=d["lat"] if d["located"] else None,
            lon=d["lon"] if d["located"] else None,
            streets=street_counts.get(d["id"], 0),
            buildings=building_counts.get(d["id"], 0),
        )
        for d in districts
    ]


async def get_district(code: str) -> DistrictOut:
    for district in await list_districts():
        if district.code == code:
            return district
    raise NotFound(f"no district with code {code!r}")


async def list_streets(*, district: str | None, limit: int, cursor: str | None) -> Page[StreetOut]:
    after = decode_cursor(cursor, 1, (str,))
    query = Street.select(
        Street.code, Street.kind, Street.name, Street.district.code.as_alias("district")
    )
    if district:
        query = query.where(Street.district.code == district)
    if after:
        query = query.where(Street.code > str(after[0]))
    rows = await query.order_by(Street.code).limit(limit + 1).run()
    return make_page(msgspec.convert(rows, list[StreetOut]), limit, lambda s: (s.code,))


async def window_streets(
    *,
    district: str | None,
    limit: int,
    after: str | None = None,
    before: str | None = None,
    backward: bool = False,
) -> list[StreetOut]:
    """Up to ``limit`` streets by code after/before a key, nearest first (the caller asks
    ``limit + 1`` to learn whether more follow)."""
    query = Street.select(
        Street.code, Street.kind, Street.name, Street.district.code.as_alias("district")
    )
    if district:
        query = query.where(Street.district.code == district)
    if after is not None:
        query = query.where(Street.code > after)
    if before is not None:
        query = query.where(Street.code < before)
    rows = await query.order_by(Street.code, ascending=not backward).limit(limit)
    return msgspec.convert(rows, list[StreetOut])


async def find_streets(
    *,
    district: str | None,
    q: str | None = None,
    search: SearchBackend | None = None,
    limit: int,
    max_limit: int,
    cursor: str | None,
) -> Page[StreetOut]:
    """The streets list behind every transport: in code order, or with ``q`` the
    streets whose names match these words through ``search`` (typos forgiven), most
    relevant first, still within ``district``."""
    if q is None or not q.strip():
        return await list_streets(
            district=district, limit=check_limit(limit, max_limit), cursor=cursor
        )
    if search is None:
        raise RuntimeError("searching streets needs the search backend")
    codes, next_cursor, total = await search_service.search_ids(
        search,
        "street",
        q=q,
        filters={"district": (district,)} if district else None,
        limit=min(limit, search_service.MAX_LIMIT),
        cursor=cursor,
    )
    return Page(
        items=await get_streets(codes),
        next_cursor=next_cursor,
        total=total,
        total_is_estimate=True,
    )


async def get_streets(codes: list[str]) -> list[StreetOut]:
    """Streets by code, in the order asked (search hits); unknown codes left out."""
    if not codes:
        return []
    rows = await Street.select(
        Street.code, Street.kind, Street.name, Street.district.code.as_alias("district")
    ).where(Street.code.is_in(codes))
    by_code = {r["code"]: r for r in rows}
    return msgspec.convert([by_code[c] for c in codes if c in by_code], list[StreetOut])


# ----------------------------------------------------------------------------------------
# Batched loads: one query for many parents, whatever their number (GraphQL DataLoaders).


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("{}" for _ in values)


async def districts_by_code(codes: Sequence[str]) -> dict[str, DistrictPlace]:
    """The districts with these codes, in one query (a page of appeals asks for its
    districts on every GraphQL request); their counts are :func:`district_counts`, read
    only when someone asks for them."""
    codes = list(dict.fromkeys(codes))
    if not codes:
        return {}
    rows = await District.raw(
        # Only placeholders go into the text.
        "SELECT d.code, d.name_uk, d.name_en, d.lat, d.lon, d.located "  # noqa: S608
        f"FROM district d WHERE d.code IN ({_marks(codes)})",
        *codes,
    )
    return {
        r["code"]: DistrictPlace(
            code=r["code"],
            name_uk=r["name_uk"],
            name_en=r["name_en"],
            lat=r["lat"] if r["located"] else None,
            lon=r["lon"] if r["located"] else None,
        )
        for r in rows
    }


async def district_counts(codes: Sequence[str]) -> dict[str, DistrictCounts]:
    """Street and building counts of these districts, in one query: counting every
    building of a real registry costs milliseconds, so only a request that asks pays."""
    codes = list(dict.fromkeys(codes))
    if not codes:
        return {}
    rows = await District.raw(
        # Only placeholders go into the text.
        "SELECT d.code, "  # noqa: S608
        "(SELECT COUNT(*) FROM street s WHERE s.district = d.id) AS streets, "
        "(SELECT COUNT(*) FROM building b WHERE b.district = d.id) AS buildings "
        f"FROM district d WHERE d.code IN ({_marks(codes)})",
        *codes,
    )
    return {
        r["code"]: DistrictCounts(streets=int(r["streets"]), buildings=int(r["buildings"]))
        for r in rows
    }


def _window_sql(
    select: str,
    partition: str,
    key: str,
    where: str,
    *,
    after: bool,
    before: bool,
    backward: bool,
) -> str:
    """Keyset pages of many parents in one statement: ``ROW_NUMBER()`` per parent.

    Both engines (SQLite 3.25+, PostgreSQL) have window functions; the caller
    passes ``limit + 1`` to learn whether each parent has more.
    """
    conditions = [where]
    if after:
        conditions.append(f"{key} > {{}}")
    if before:
        conditions.append(f"{key} < {{}}")
    order = "DESC" if backward else "ASC"
    return (  # the parts are this module's constants; values go in as placeholders
        f"SELECT * FROM (SELECT {select}, ROW_NUMBER() OVER "  # noqa: S608
        f"(PARTITION BY {partition} ORDER BY {key} {order}) AS row_in_parent "
        f"{' AND '.join(conditions)}) ranked WHERE row_in_parent <= {{}}"
    )


async def streets_in_districts(
    codes: Sequence[str],
    *,
    limit: int,
    after: str | None = None,
    before: str | None = None,
    backward: bool = False,
) -> dict[str, list[StreetOut]]:
    """Up to ``limit`` streets of each district, by code (descending when ``backward``)."""
    codes = list(dict.fromkeys(codes))
    if not codes:
        return {}
    sql = _window_sql(
        "s.code, s.kind, s.name, d.code AS district",
        "s.district",
        "s.code",
        f"FROM street s JOIN district d ON d.id = s.district WHERE d.code IN ({_marks(codes)})",
        after=after is not None,
        before=before is not None,
        backward=backward,
    )
    values = [*codes, *(v for v in (after, before) if v is not None), limit]
    rows = await Street.raw(sql, *values)
    rows.sort(key=lambda r: r["code"], reverse=backward)
    out: dict[str, list[StreetOut]] = {c: [] for c in codes}
    for row in rows:
        street = StreetOut(
            code=row["code"], kind=row["kind"], name=row["name"], district=row["district"]
        )
        out[row["district"]].append(street)
    return out


_BUILDING_COLUMNS = (
    "b.id, b.number, s.code AS street, d.code AS district, b.floors, b.year_built, b.lat, b.lon"
)
_BUILDING_FROM = (
    "FROM building b JOIN street s ON s.id = b.street JOIN district d ON d.id = b.district"
)


def _building(row: dict[str, Any]) -> BuildingOut:
    return BuildingOut(
        id=int(row["id"]),
        number=row["number"],
        street=row["street"],
        district=row["district"],
        floors=int(row["floors"]),
        year_built=row["year_built"],
        lat=row["lat"],
        lon=row["lon"],
    )


async def buildings_on_streets(
    codes: Sequence[str],
    *,
    limit: int,
    after: int | None = None,
    before: int | None = None,
    backward: bool = False,
) -> dict[str, list[BuildingOut]]:
    """Up to ``limit`` buildings of each street, by id (descending when ``backward``)."""
    codes = list(dict.fromkeys(codes))
    if not codes:
        return {}
    sql = _window_sql(
        _BUILDING_COLUMNS,
        "b.street",
        "b.id",
        f"{_BUILDING_FROM} WHERE s.code IN ({_marks(codes)})",
        after=after is not None,
        before=before is not None,
        backward=backward,
    )
    values = [*codes, *(v for v in (after, before) if v is not None), limit]
    rows = await Building.raw(sql, *values)
    rows.sort(key=lambda r: r["id"], reverse=backward)
    out: dict[str, list[BuildingOut]] = {c: [] for c in codes}
    for row in rows:
        out[row["street"]].append(_building(row))
    return out


async def get_buildings(ids: Sequence[int]) -> list[BuildingOut]:
    """Buildings by id, in the order asked; unknown ids left out."""
    ids = [int(i) for i in dict.fromkeys(ids)][:1000]
    if not ids:
        return []
    rows = await Building.raw(
        f"SELECT {_BUILDING_COLUMNS} {_BUILDING_FROM} WHERE b.id IN ({_marks(ids)})", *ids
    )
    by_id = {int(r["id"]): _building(r) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


async def list_buildings(
    *,
    district: str | None,
    street: str | None,
    limit: int,
    after: int | None = None,
    before: int | None = None,
    backward: bool = False,
) -> list[BuildingOut]:
    """Up to ``limit`` buildings by id after/before a key (the caller asks ``limit + 1``)."""
    conditions: list[str] = []
    values: list[Any] = []
    if district:
        conditions.append("d.code = {}")
        values.append(district)
    if street:
        conditions.append("s.code = {}")
        values.append(street)
    if after is not None:
        conditions.append("b.id > {}")
        values.append(after)
    if before is not None:
        conditions.append("b.id < {}")
        values.append(before)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    order = "DESC" if backward else "ASC"
    rows = await Building.raw(
        f"SELECT {_BUILDING_COLUMNS} {_BUILDING_FROM} {where} ORDER BY b.id {order} LIMIT {{}}",
        *values,
        limit,
    )
    return [_building(r) for r in rows]


async def page_buildings(
    *, district: str | None, street: str | None, limit: int, cursor: str | None
) -> Page[BuildingOut]:
    """One page of buildings by id, for REST: optionally in one district or on one street."""
    key = decode_cursor(cursor, 1)
    after: int | None = None
    if key is not None:
        value = key[0]
        # A cursor holds a building id we issued: anything else is a forged cursor, not a 500.
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
            raise InvalidInput(
                "cursor is not one this API issued: pass next_cursor from the previous page as is",
                errors=[{"where": "query", "name": "cursor", "message": "unreadable cursor"}],
            )
        after = value
    rows = await list_buildings(district=district, street=street, limit=limit + 1, after=after)
    return make_page(rows, limit, lambda b: (b.id,))


async def get_building(building_id: int) -> BuildingOut:
    found = await get_buildings([building_id]) if 0 < building_id < 2**63 else []
    if not found:
        raise NotFound(f"no building with id {building_id}")
    return found[0]


# ----------------------------------------------------------------------------------------
# Whole-registry row streams for the dataset catalogue: key order, keyset-batched.

EXPORT_BATCH = 5000


async def iter_districts() -> AsyncIterator[dict[str, Any]]:
    rows = await District.select(
        District.code,
        District.name_uk,
        District.name_en,
        District.lat,
        District.lon,
        District.located,
    ).order_by(District.code)
    for row in rows:
        located = row.pop("located")
        yield row if located else {**row, "lat": None, "lon": None}


async def iter_streets(batch: int = EXPORT_BATCH) -> AsyncIterator[dict[str, Any]]:
    after = ""
    while True:
        rows = (
            await Street.select(
                Street.code,
                Street.kind,
                Street.name,
                Street.district.code.as_alias("district"),
            )
            .where(Street.code > after)
            .order_by(Street.code)
            .limit(batch)
        )
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        after = rows[-1]["code"]


async def iter_buildings(batch: int = EXPORT_BATCH) -> AsyncIterator[dict[str, Any]]:
    after = 0
    while True:
        rows = (
            await Building.select(
                Building.id,
                Building.street.code.as_alias("street_code"),
                Building.street.kind.as_alias("street_kind"),
                Building.street.name.as_alias("street_name"),
                Building.number,
                Building.district.code.as_alias("district"),
                Building.floors,
                Building.year_built,
                Building.lat,
                Building.lon,
            )
            .where(Building.id > after)
            .order_by(Building.id)
            .limit(batch)
        )
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        after = rows[-1]["id"]


# ----------------------------------------------------------------------------
# Search documents (declared in search.py). Every registry record is public.


async def street_documents(codes: list[str]) -> list[dict[str, object]]:
    rows = await Street.select(
        Street.code,
        Street.kind,
        Street.name,
        Street.district.code.as_alias("district"),
        Street.district.name_uk.as_alias("district_name"),
    ).where(Street.code.is_in(codes))
    return [
        {
            "id": r["code"],
            "title": f"{r['kind']} {r['name']}",
            "address": f"{r['district_name']} район",
            "district": r["district"],
            "street_kind": r["kind"],
        }
        for r in rows
    ]


async def street_codes(after: str | None, limit: int) -> list[str]:
    query = Street.select(Street.code).order_by(Street.code).limit(limit)
    if after is not None:
        query = query.where(Street.code > after)
    return [r["code"] for r in await query]


async def building_documents(ids: list[str]) -> list[dict[str, object]]:
    numeric = [int(i) for i in ids if i.isdigit()]
    if not numeric:
        return []
    rows = await Building.select(
        Building.id,
        Building.number,
        Building.floors,
        Building.year_built,
        Building.street.code.as_alias("street"),
        Building.street.kind.as_alias("street_kind"),
        Building.street.name.as_alias("street_name"),
        Building.district.code.as_alias("district"),
        Building.district.name_uk.as_alias("district_name"),
    ).where(Building.id.is_in(numeric))
    return [
        {
            "id": str(r["id"]),
            "title": f"{r['street_kind']} {r['street_name']}, {r['number']}",
            "address": f"{r['district_name']} район",
            "district": r["district"],
            "street": r["street"],
            "floors": r["floors"],
            "year_built": r["year_built"],
        }
        for r in rows
    ]


async def building_ids(after: str | None, limit: int) -> list[str]:
    query = Building.select(Building.id).order_by(Building.id).limit(limit)
    if after is not None:
        query = query.where(Building.id > int(after))
    return [str(r["id"]) for r in await query]


async def district_documents(codes: list[str]) -> list[dict[str, object]]:
    rows = await District.select().where(District.code.is_in(codes))
    return [
        {
            "id": r["code"],
            "title": f"{r['name_uk']} район",
            "name_en": r["name_en"],
            "district": r["code"],
        }
        for r in rows
    ]


async def district_codes(after: str | None, limit: int) -> list[str]:
    query = District.select(District.code).order_by(District.code).limit(limit)
    if after is not None:
        query = query.where(District.code > after)
    return [r["code"] for r in await query]


async def district_of_street(names: list[str]) -> str | None:
    """Code of the district of the first street whose name matches one of ``names``."""
    for name in names:
        row = (
            await Street.select(Street.district.code.as_alias("district"))
            .where(Street.name == name)
            .order_by(Street.code)
            .first()
        )
        if row is not None:
            return str(row["district"])
    return None


# ----------------------------------------------------------------------------------------
# The values search filters can take (an unknown one is a 422, as in the lists).


async def district_code_set() -> set[str]:
    return {r["code"] for r in await District.select(District.code)}


async def street_code_set() -> set[str]:
    return {r["code"] for r in await Street.select(Street.code)}


async def street_kind_set() -> set[str]:
    return {r["kind"] for r in await Street.select(Street.kind).distinct()}
