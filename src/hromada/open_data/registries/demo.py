"""The registries' share of the demo city: districts, streets, buildings, and every
declared registry filled through the same checks as an import (about 1,400 map objects,
a passport per building, heating outages when the season is cold)."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from typing import Any

from hromada.demo.city import BuildingPlan, StreetPlan
from hromada.demo.parts import DemoContext
from hromada.open_data.registries import importing
from hromada.open_data.registries.declared import Registry
from hromada.open_data.registries.kinds import (
    BUILDING_PASSPORTS,
    KIOSKS,
    LAND_PLOTS,
    MAP_OBJECTS,
    SERVICE_RATINGS,
    SOCIAL_FACILITIES,
    STREET_NAMES,
)
from hromada.open_data.registries.tables import Building, District, Street

CHUNK = 1000


class RegistriesDemo:
    name = "registries"

    async def populate(self, ctx: DemoContext) -> None:
        await self.populate_places(ctx)
        await populate_declared(ctx)

    async def populate_places(self, ctx: DemoContext) -> None:
        """Districts, streets and buildings only (what the other registries refer to)."""
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


_MAP_LAYERS = {
    "social": ("центр надання адміністративних послуг", "соціальний центр", "бібліотека"),
    "culture": ("музей", "театр", "пам'ятник", "будинок культури"),
    "sport": ("стадіон", "спортивний майданчик", "басейн"),
    "engineering": ("трансформаторна підстанція", "котельня", "насосна станція"),
    "transport": ("зупинка громадського транспорту", "станція метро", "велопарковка"),
    "green": ("сквер", "парк", "дитячий майданчик"),
}
_TRADES = ("продукти", "преса", "квіти", "кава", "овочі та фрукти", "ремонт взуття")
_HEATING_REASONS = ("аварія на тепломережі", "ремонт котельні", "відключення електроенергії")


def _address(streets: dict[str, StreetPlan], building: BuildingPlan) -> str:
    street = streets[building.street]
    return f"{street.kind} {street.name}, {building.number}"


def _near(rng: random.Random, lat: float, lon: float, metres: float) -> tuple[float, float]:
    angle, distance = rng.uniform(0, 2 * math.pi), rng.uniform(0, metres)
    return (
        round(lat + distance * math.cos(angle) / 111_320, 6),
        round(lon + distance * math.sin(angle) / (111_320 * math.cos(math.radians(lat))), 6),
    )


def _heating(rng: random.Random, today: dt.date, share: float) -> dict[str, Any]:
    """Heating as the mayor's view shows it: off for some buildings in the cold months."""
    cold = today.month in (10, 11, 12, 1, 2, 3, 4)
    if cold and rng.random() < share:
        return {
            "heating": "disconnected",
            "heating_since": (today - dt.timedelta(days=rng.randint(0, 10))).isoformat(),
            "heating_reason": rng.choice(_HEATING_REASONS),
        }
    season = dt.date(today.year if today.month >= 10 else today.year - 1, 10, 15)
    return {
        "heating": "connected" if cold else None,
        "heating_since": season.isoformat() if cold else None,
    }


async def _fill(registry: Registry, raws: list[dict[str, Any]], ctx: DemoContext) -> None:
    report = await importing.import_records(
        registry,
        [(n, raw, None) for n, raw in enumerate(raws, start=1)],
        fmt="demo",
        k=ctx.settings.appeals_k,
    )
    if not report.applied:
        raise RuntimeError(f"demo {registry.slug}: {report.errors[:3]}")
    ctx.progress(registry.slug, len(raws), len(raws))


async def populate_declared(ctx: DemoContext) -> None:
    rng = ctx.rng("declared-registries")
    today = dt.date.today()
    ids = {
        (r["street"], r["number"]): r["id"]
        for r in await Building.select(
            Building.id, Building.street.code.as_alias("street"), Building.number
        )
    }
    buildings = ctx.city.buildings
    streets = {s.code: s for s in ctx.city.streets}
    # Sized for the demo city's 4,000 buildings; a smaller test city gets fewer.
    scale = min(1.0, len(buildings) / 4_000)

    def sized(count: int) -> int:
        return max(3, round(count * scale))

    passports = []
    for plan in buildings:
        if plan.floors < 3:
            continue  # a passport for apartment and municipal buildings
        manager = rng.choices(["osbb", "company", "council"], [3, 5, 2])[0]
        passports.append(
            {
                "building_id": ids[(plan.street, plan.number)],
                "address": _address(streets, plan),
                "year_built": plan.year_built,
                "floors": plan.floors,
                "flats": plan.floors * rng.choice((4, 6, 8, 12)) * rng.randint(1, 6),
                "walls": rng.choice(("panel", "brick", "monolith", "block")),
                "manager_kind": manager,
                "manager_edrpou": None
                if manager == "council"
                else f"{rng.randint(10**7, 10**8 - 1)}",
                "manager_name": rng.choice(("Коваленко О. П.", "Шевчук І. В.", "Бондар Н. М.")),
                "manager_phone": f"+38067{rng.randint(10**6, 10**7 - 1)}",
                **_heating(rng, today, 0.04),
            }
        )
    await _fill(BUILDING_PASSPORTS, passports, ctx)

    facilities = []
    for number, (kind, count) in enumerate(
        (("school", 90), ("kindergarten", 110), ("clinic", 25), ("hospital", 8), ("social", 12))
    ):
        for i in range(sized(count)):
            plan = rng.choice(buildings)
            name = {
                "school": f"Ліцей № {i + 1}",
                "kindergarten": f"Заклад дошкільної освіти № {i + 1}",
                "clinic": f"Амбулаторія № {i + 1}",
                "hospital": f"Міська лікарня № {i + 1}",
                "social": f"Територіальний центр соціального обслуговування № {i + 1}",
            }[kind]
            facilities.append(
                {
                    "id": f"SF-{number}{i + 1:04d}",
                    "name": name,
                    "kind": kind,
                    "address": _address(streets, plan),
                    "edrpou": f"{rng.randint(10**7, 10**8 - 1)}",
                    "capacity": rng.randint(40, 1200),
                    "head_name": rng.choice(("Мельник Л. С.", "Ткаченко В. О.")),
                    "lat": plan.lat,
                    "lon": plan.lon,
                    **_heating(rng, today, 0.05),
                }
            )
    await _fill(SOCIAL_FACILITIES, facilities, ctx)

    objects = []
    for i in range(sized(1_400)):
        layer = rng.choice(list(_MAP_LAYERS))
        category = rng.choice(_MAP_LAYERS[layer])
        plan = rng.choice(buildings)
        lat, lon = _near(rng, plan.lat, plan.lon, 150)
        objects.append(
            {
                "id": f"MO-{i + 1:05d}",
                "name": f"{category.capitalize()} № {i + 1}",
                "layer": layer,
                "category": category,
                "address": _address(streets, plan),
                "operator": "Міська рада",
                "lat": lat,
                "lon": lon,
            }
        )
    await _fill(MAP_OBJECTS, objects, ctx)

    kiosks = []
    for i in range(sized(240)):
        plan = rng.choice(buildings)
        lat, lon = _near(rng, plan.lat, plan.lon, 60)
        start = today - dt.timedelta(days=rng.randint(30, 1500))
        legal = rng.random() < 0.6
        kiosks.append(
            {
                "permit_number": f"МАФ-{2020 + i % 6}-{i + 1:04d}",
                "permit_from": start.isoformat(),
                "permit_to": (start + dt.timedelta(days=365 * rng.randint(1, 5))).isoformat(),
                "kind": rng.choice(("kiosk", "pavilion", "stall", "mobile")),
                "trade": rng.choice(_TRADES),
                "address": _address(streets, plan),
                "owner_edrpou": f"{rng.randint(10**7, 10**8 - 1)}" if legal else None,
                "owner_name": f"ТОВ «Торг-{i + 1}»" if legal else None,
                "owner_person": None if legal else rng.choice(("Гнатюк П. А.", "Савчук О. І.")),
                "lat": lat,
                "lon": lon,
            }
        )
    await _fill(KIOSKS, kiosks, ctx)

    plots = []
    for i in range(sized(300)):
        plan = rng.choice(buildings)
        lat, lon = _near(rng, plan.lat, plan.lon, 100)
        half_lat, half_lon = rng.uniform(0.0002, 0.0008), rng.uniform(0.0003, 0.0012)
        ring = [
            [round(lon - half_lon, 6), round(lat - half_lat, 6)],
            [round(lon + half_lon, 6), round(lat - half_lat, 6)],
            [round(lon + half_lon, 6), round(lat + half_lat, 6)],
            [round(lon - half_lon, 6), round(lat + half_lat, 6)],
            [round(lon - half_lon, 6), round(lat - half_lat, 6)],
        ]
        area = (2 * half_lat * 111_320) * (2 * half_lon * 111_320 * math.cos(math.radians(lat)))
        ownership = rng.choice(("communal", "state", "private"))
        legal = ownership != "private" or rng.random() < 0.3
        plots.append(
            {
                "cadastral_number": f"6310100000:{i // 100 + 1:02d}:{i % 1000:03d}:{i + 1:04d}",
                "area_ha": round(area / 10_000, 4),
                "purpose_code": rng.choice(("02.01", "02.03", "03.07", "07.01", "11.02")),
                "ownership": ownership,
                "address": _address(streets, plan),
                "user_edrpou": f"{rng.randint(10**7, 10**8 - 1)}" if legal else None,
                "user_name": f"ТОВ «Земля-{i + 1}»" if legal else None,
                "user_person": None if legal else rng.choice(("Кравець М. Д.", "Олійник Т. Р.")),
                "district": plan.district,
                "geometry": json.dumps({"type": "Polygon", "coordinates": [ring]}),
            }
        )
    await _fill(LAND_PLOTS, plots, ctx)

    # A year of QR-code ratings per admin-service centre and service; quiet services
    # get fewer than k ratings in some months, which the registry then suppresses.
    centres = [f"ЦНАП «{name}»" for name in ("Центральний", "Лівобережний", "Північний")]
    services = {
        "реєстрація місця проживання": 120,
        "паспорт громадянина України": 90,
        "державна реєстрація бізнесу": 25,
        "земельні питання": 6,
    }
    ratings = []
    month = today.replace(day=1)
    for _ in range(12):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        for c, centre in enumerate(centres):
            for s, (service, typical) in enumerate(services.items()):
                count = max(0, round(rng.gauss(typical, typical / 3)))
                ratings.append(
                    {
                        "id": f"{c + 1}-{s + 1}-{month:%Y-%m}",
                        "centre": centre,
                        "service": service,
                        "month": f"{month:%Y-%m}",
                        "ratings": count,
                        "score": round(rng.uniform(3.6, 4.9), 2) if count else None,
                    }
                )
    await _fill(SERVICE_RATINGS, ratings, ctx)

    # The street-name register of the demo streets; some were renamed in 2022–2024.
    names = []
    for number, street in enumerate(ctx.city.streets, start=1):
        renamed = rng.random() < 0.15
        names.append(
            {
                "code": 900_000 + number,
                "name": street.name,
                "kind": street.kind,
                "district": street.district,
                "named_on": f"{rng.randint(2022, 2024)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                if renamed
                else None,
                "decision": "Рішення міської ради" if renamed else None,
                "decision_number": f"{rng.randint(100, 999)}/{rng.randint(1000, 9999)}"
                if renamed
                else None,
                "decision_title": "Про перейменування вулиць" if renamed else None,
                "former_name": f"Стара назва {number}" if renamed else None,
            }
        )
    await _fill(STREET_NAMES, names, ctx)
