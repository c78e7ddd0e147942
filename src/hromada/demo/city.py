"""The demo city's geography: Kharkiv's nine real districts, synthetic streets and buildings.

Everything is drawn from ``random.Random`` seeded by the caller, so the same
seed gives the same city on every machine.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

# The nine districts of Kharkiv (since 2016), with an approximate centre each.
DISTRICTS: list[tuple[str, str, str, float, float]] = [
    ("kholodnohirskyi", "Холодногірський", "Kholodnohirskyi", 49.9880, 36.1790),
    ("shevchenkivskyi", "Шевченківський", "Shevchenkivskyi", 50.0300, 36.2200),
    ("kyivskyi", "Київський", "Kyivskyi", 50.0200, 36.2850),
    ("saltivskyi", "Салтівський", "Saltivskyi", 50.0350, 36.3550),
    ("nemyshlianskyi", "Немишлянський", "Nemyshlianskyi", 49.9950, 36.3300),
    ("industrialnyi", "Індустріальний", "Industrialnyi", 49.9500, 36.3650),
    ("slobidskyi", "Слобідський", "Slobidskyi", 49.9600, 36.2800),
    ("osnovianskyi", "Основʼянський", "Osnovianskyi", 49.9600, 36.2250),
    ("novobavarskyi", "Новобаварський", "Novobavarskyi", 49.9450, 36.1550),
]

# The city as an ellipse around its centre: every generated point lies inside.
CENTRE = (49.9935, 36.2604)
RADIUS_LAT = 0.070
RADIUS_LON = 0.140

STREET_KINDS = [
    ("вулиця", 70),
    ("провулок", 14),
    ("проспект", 5),
    ("узвіз", 3),
    ("площа", 2),
    ("набережна", 1),
    ("вʼїзд", 5),
]

# Stems for street names: people, places, trades, nature — as Ukrainian streets are named.
NAME_STEMS = [
    "Сумська",
    "Пушкінська",
    "Полтавський Шлях",
    "Гвардійців-Широнінців",
    "Героїв Праці",
    "Академіка Павлова",
    "Клочківська",
    "Гоголя",
    "Данилевського",
    "Ярослава Мудрого",
    "Тракторобудівників",
    "Науки",
    "Байрона",
    "Культури",
    "Шевченка",
    "Франка",
    "Лесі Українки",
    "Котляревського",
    "Сковороди",
    "Квітки-Основʼяненка",
    "Мироносицька",
    "Чернишевська",
    "Весніна",
    "Дарвіна",
    "Гіршмана",
    "Маршала Бажанова",
    "Плеханівська",
    "Москалівка",
    "Молочна",
    "Біологічна",
    "Садова",
    "Лугова",
    "Зелена",
    "Сонячна",
    "Вишнева",
    "Липова",
    "Каштанова",
    "Кленова",
    "Соснова",
    "Степова",
    "Польова",
    "Річкова",
    "Озерна",
    "Лісова",
    "Залізнична",
    "Заводська",
    "Фабрична",
    "Ковальська",
    "Гончарна",
    "Ткацька",
    "Шкільна",
    "Університетська",
    "Бібліотечна",
    "Театральна",
    "Музейна",
    "Поштова",
    "Ринкова",
    "Тиха",
    "Світла",
    "Весела",
    "Мирна",
    "Нова",
    "Стара",
    "Довга",
    "Коротка",
    "Широка",
    "Вузька",
    "Висока",
    "Нагірна",
    "Підгірна",
    "Слобожанська",
    "Харківська",
    "Київська",
    "Львівська",
    "Одеська",
    "Полтавська",
    "Чернігівська",
    "Волинська",
    "Подільська",
    "Карпатська",
    "Дніпровська",
    "Донецька",
    "Луганська",
    "Херсонська",
    "Кримська",
    "Ватутіна",
    "Ахієзерів",
    "Багалія",
    "Валентинівська",
    "Світанкова",
    "Хмельницького",
    "Мазепи",
    "Сагайдачного",
    "Дорошенка",
    "Виговського",
    "Грушевського",
    "Скрипника",
    "Чубинського",
    "Вербицького",
    "Лисенка",
    "Леонтовича",
    "Косач",
    "Стуса",
    "Симоненка",
    "Драгоманова",
    "Антоновича",
    "Костомарова",
    "Гулака-Артемовського",
    "Римарська",
    "Жон Мироносиць",
    "Бакуліна",
    "Отакара Яроша",
    "Клапцова",
    "Єлизаветинська",
    "Валдайська",
    "Харківських Дивізій",
    "Героїв Харкова",
    "Олексіївська",
    "Ботанічна",
    "Енергетична",
    "Механізаторська",
    "Будівельна",
    "Авіаційна",
    "Танкопія",
]

ORDINALS = ["", "1-ша ", "2-га ", "3-тя ", "4-та ", "5-та "]


@dataclass(frozen=True)
class DistrictPlan:
    code: str
    name_uk: str
    name_en: str
    lat: float
    lon: float


@dataclass(frozen=True)
class StreetPlan:
    code: str
    kind: str
    name: str
    district: str
    lat: float
    lon: float
    bearing: float


@dataclass(frozen=True)
class BuildingPlan:
    street: str
    district: str
    number: str
    lat: float
    lon: float
    floors: int
    year_built: int | None


@dataclass
class CityPlan:
    seed: int
    districts: list[DistrictPlan]
    streets: list[StreetPlan] = field(default_factory=list)
    buildings: list[BuildingPlan] = field(default_factory=list)

    def district_of(self, lat: float, lon: float) -> str:
        return nearest_district(self.districts, lat, lon)


def inside_city(lat: float, lon: float) -> bool:
    return ((lat - CENTRE[0]) / RADIUS_LAT) ** 2 + ((lon - CENTRE[1]) / RADIUS_LON) ** 2 <= 1.0


def nearest_district(districts: list[DistrictPlan], lat: float, lon: float) -> str:
    # Degrees of longitude are shorter than degrees of latitude at 50°N.
    k = math.cos(math.radians(50.0))
    return min(districts, key=lambda d: (d.lat - lat) ** 2 + ((d.lon - lon) * k) ** 2).code


def _random_point(rng: random.Random) -> tuple[float, float]:
    while True:
        lat = CENTRE[0] + rng.uniform(-RADIUS_LAT, RADIUS_LAT)
        lon = CENTRE[1] + rng.uniform(-RADIUS_LON, RADIUS_LON)
        if inside_city(lat, lon):
            return lat, lon


def _street_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    kinds = [k for k, _ in STREET_KINDS]
    weights = [w for _, w in STREET_KINDS]
    names: set[tuple[str, str]] = set()
    ordered: list[tuple[str, str]] = []
    while len(ordered) < count:
        stem = rng.choice(NAME_STEMS)
        kind = rng.choices(kinds, weights)[0]
        prefix = rng.choice(ORDINALS) if kind in ("провулок", "вʼїзд") else ""
        name = (kind, prefix + stem)
        if name not in names:
            names.add(name)
            ordered.append(name)
    return ordered


def generate_city(seed: int, *, streets: int = 400, buildings: int = 4000) -> CityPlan:
    rng = random.Random(f"city:{seed}")
    districts = [DistrictPlan(*row) for row in DISTRICTS]
    plan = CityPlan(seed=seed, districts=districts)
    for index, (kind, name) in enumerate(_street_names(rng, streets), start=1):
        lat, lon = _random_point(rng)
        plan.streets.append(
            StreetPlan(
                code=f"st-{index:05d}",
                kind=kind,
                name=name,
                district=nearest_district(districts, lat, lon),
                lat=lat,
                lon=lon,
                bearing=rng.uniform(0, math.pi),
            )
        )
    # Long streets get more houses; every street gets at least one.
    weights = [rng.paretovariate(1.5) for _ in plan.streets]
    counts = [1] * len(plan.streets)
    for i in rng.choices(range(len(plan.streets)), weights, k=max(0, buildings - len(counts))):
        counts[i] += 1
    for street, count in zip(plan.streets, counts, strict=True):
        plan.buildings.extend(_houses(rng, plan, street, count))
    return plan


def _houses(
    rng: random.Random, plan: CityPlan, street: StreetPlan, count: int
) -> list[BuildingPlan]:
    houses = []
    step = 0.0006  # about 50 m between houses
    for n in range(1, count + 1):
        along = (n - count / 2) * step
        lat = street.lat + along * math.cos(street.bearing) * 0.64
        lon = street.lon + along * math.sin(street.bearing)
        if not inside_city(lat, lon):
            lat, lon = street.lat, street.lon
        number = str(n) + (rng.choice(["", "", "", "", "А", "Б", "/2"]) if n > 1 else "")
        floors = rng.choice([1, 2, 2, 5, 5, 5, 9, 9, 9, 9, 12, 16, 16, 24])
        year = rng.randint(1890, 2021) if rng.random() > 0.05 else None
        houses.append(
            BuildingPlan(
                street=street.code,
                district=plan.district_of(lat, lon),
                number=number,
                lat=round(lat, 6),
                lon=round(lon, 6),
                floors=floors,
                year_built=year,
            )
        )
    return houses
