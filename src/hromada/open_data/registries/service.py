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
