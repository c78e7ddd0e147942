"""Queries over districts and streets; the only place they live."""

from __future__ import annotations

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
