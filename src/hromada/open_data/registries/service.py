"""Queries over districts and streets; the only place they live."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec

from hromada.errors import NotFound
from hromada.open_data.registries.schemas import DistrictOut, StreetOut
from hromada.open_data.registries.tables import Building, District, Street
from hromada.paging import Page, decode_cursor, make_page


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
            lat=d["lat"],
            lon=d["lon"],
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
    after = decode_cursor(cursor, 1)
    query = Street.select(
        Street.code, Street.kind, Street.name, Street.district.code.as_alias("district")
    )
    if district:
        query = query.where(Street.district.code == district)
    if after:
        query = query.where(Street.code > str(after[0]))
    rows = await query.order_by(Street.code).limit(limit + 1).run()
    return make_page(msgspec.convert(rows, list[StreetOut]), limit, lambda s: (s.code,))


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
# Whole-registry row streams for the dataset catalogue: key order, keyset-batched.

EXPORT_BATCH = 5000


async def iter_districts() -> AsyncIterator[dict[str, Any]]:
    rows = await District.select(
        District.code, District.name_uk, District.name_en, District.lat, District.lon
    ).order_by(District.code)
    for row in rows:
        yield row


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
