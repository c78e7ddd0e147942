"""The registries' share of the demo city: districts, streets and buildings."""

from __future__ import annotations

from hromada.demo.parts import DemoContext
from hromada.open_data.registries.tables import Building, District, Street

CHUNK = 1000


class RegistriesDemo:
    name = "registries"

    async def populate(self, ctx: DemoContext) -> None:
        city = ctx.city
        await District.insert(
            *[
                District(code=d.code, name_uk=d.name_uk, name_en=d.name_en, lat=d.lat, lon=d.lon)
                for d in city.districts
            ]
        ).run()
        district_ids = {
            r["code"]: r["id"] for r in await District.select(District.id, District.code)
        }
        ctx.ids["district"] = district_ids
        await Street.insert(
            *[
                Street(code=s.code, kind=s.kind, name=s.name, district=district_ids[s.district])
                for s in city.streets
            ]
        ).run()
        street_ids = {
            r["code"]: r["id"] for r in await Street.select(Street._meta.primary_key, Street.code)
        }
        ctx.ids["street"] = street_ids
        total = len(city.buildings)
        for start in range(0, total, CHUNK):
            chunk = city.buildings[start : start + CHUNK]
            await Building.insert(
                *[
                    Building(
                        street=street_ids[b.street],
                        district=district_ids[b.district],
                        number=b.number,
                        lat=b.lat,
                        lon=b.lon,
                        floors=b.floors,
                        year_built=b.year_built,
                    )
                    for b in chunk
                ]
            ).run()
            ctx.progress("buildings", start + len(chunk), total)
