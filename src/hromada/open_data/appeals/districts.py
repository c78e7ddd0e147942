"""District names as contact centres write them, matched to the district registry.

Exports spell a district many ways: "Оболонський", "Оболонський район",
"оболонський р-н", "Оболонский" (Russian), "Солом`янський" (a backtick for
the apostrophe). :func:`fold` reduces every spelling to one key; the
registry's Ukrainian and English names, its code and the Russian aliases
below all map to the district's id.

Kyiv's districts are built in (``hromada import districts kyiv``) so the
Kyiv 1551 exports can be imported into a registry that has them.
"""

from __future__ import annotations

import re

from hromada.open_data.registries.tables import District

# (code, Ukrainian name, English name, approximate centre); codes carry the city so
# they never collide with another city's district of the same name.
KYIV_DISTRICTS: list[tuple[str, str, str, float, float]] = [
    ("kyiv-holosiivskyi", "Голосіївський", "Holosiivskyi", 50.3900, 30.5100),
    ("kyiv-darnytskyi", "Дарницький", "Darnytskyi", 50.4100, 30.6700),
    ("kyiv-desnianskyi", "Деснянський", "Desnianskyi", 50.5100, 30.6200),
    ("kyiv-dniprovskyi", "Дніпровський", "Dniprovskyi", 50.4600, 30.6200),
    ("kyiv-obolonskyi", "Оболонський", "Obolonskyi", 50.5100, 30.4900),
    ("kyiv-pecherskyi", "Печерський", "Pecherskyi", 50.4300, 30.5500),
    ("kyiv-podilskyi", "Подільський", "Podilskyi", 50.4800, 30.4600),
    ("kyiv-sviatoshynskyi", "Святошинський", "Sviatoshynskyi", 50.4600, 30.3700),
    ("kyiv-solomianskyi", "Солом'янський", "Solomianskyi", 50.4300, 30.4500),
    ("kyiv-shevchenkivskyi", "Шевченківський", "Shevchenkivskyi", 50.4600, 30.4900),
]

BUILT_IN: dict[str, list[tuple[str, str, str, float, float]]] = {"kyiv": KYIV_DISTRICTS}

# Russian (and pre-2016 Kharkiv) names, by district code.
ALIASES: dict[str, list[str]] = {
    "holosiivskyi": ["Голосеевский"],
    "darnytskyi": ["Дарницкий"],
    "desnianskyi": ["Деснянский"],
    "dniprovskyi": ["Днепровский"],
    "obolonskyi": ["Оболонский"],
    "pecherskyi": ["Печерский"],
    "podilskyi": ["Подольский"],
    "sviatoshynskyi": ["Святошинский"],
    "solomianskyi": ["Соломенский"],
    "shevchenkivskyi": ["Шевченковский"],
    "kholodnohirskyi": ["Холодногорский"],
    "kyivskyi": ["Киевский"],
    "saltivskyi": ["Салтовский", "Московський", "Московский"],
    "nemyshlianskyi": ["Немышлянский"],
    "industrialnyi": ["Индустриальный", "Орджонікідзевський", "Орджоникидзевский"],
    "slobidskyi": ["Слободской", "Комінтернівський", "Коминтерновский"],
    "osnovianskyi": ["Основянский", "Червонозаводський", "Червонозаводской"],
    "novobavarskyi": ["Новобаварский", "Ленінський", "Ленинский"],
}

_APOSTROPHES = str.maketrans(
    {c: None for c in "'’ʼ`\"ʹ‘”“«»ьъ"}
    | {"і": "и", "ї": "и", "ы": "и", "й": "и", "є": "е"}
    | {"э": "е", "ё": "е", "ґ": "г", "-": " ", ".": " ", ",": " "}
)
_NOISE = re.compile(r"\b(район|р н|р-н|раион|district|raion|rayon|рда)\b")
_ENDING = re.compile(
    r"(ськии|скии|цькии|цкии|ська|ска|цька|цка|ського|ского|ии|ои|иi|ыи|а|ого|ому)$"
)


def fold(name: str) -> str:
    """One key for every spelling of a district name."""
    text = name.strip().lower().translate(_APOSTROPHES)
    text = _NOISE.sub(" ", text)
    words = [_ENDING.sub("", word) for word in text.split()]
    return " ".join(w for w in words if w)


class DistrictMatcher:
    """Maps spellings to district ids; built from the registry once per import."""

    def __init__(self, rows: list[dict[str, object]]) -> None:
        self._ids: dict[str, int] = {}
        self._cache: dict[str, int | None] = {}
        for row in rows:
            district_id = int(row["id"])  # type: ignore[call-overload]
            code = str(row["code"])
            names = [
                code,
                str(row["name_uk"]),
                str(row["name_en"]),
                *ALIASES.get(code.split("-", 1)[-1], []),
            ]
            for name in names:
                key = fold(name)
                if key:
                    self._ids.setdefault(key, district_id)
        self.names = {int(r["id"]): str(r["name_uk"]) for r in rows}  # type: ignore[call-overload]

    def match(self, name: str) -> int | None:
        found = self._cache.get(name, -1)
        if found == -1:
            found = self._ids.get(fold(name))
            if len(self._cache) < 10_000:
                self._cache[name] = found
        return found

    @classmethod
    async def load(cls) -> DistrictMatcher:
        rows = await District.select(
            District.id, District.code, District.name_uk, District.name_en
        ).run()
        return cls(rows)


async def load_built_in(city: str) -> tuple[int, int]:
    """Add a built-in city's districts to the registry; (added, already there)."""
    from hromada.errors import InvalidInput

    try:
        plans = BUILT_IN[city.lower()]
    except KeyError:
        raise InvalidInput(
            f"no built-in district list for {city!r}: known are {', '.join(sorted(BUILT_IN))}"
        ) from None
    existing = {r["code"] for r in await District.select(District.code).run()}
    new = [
        District(code=code, name_uk=uk, name_en=en, lat=lat, lon=lon)
        for code, uk, en, lat, lon in plans
        if code not in existing
    ]
    if new:
        await District.insert(*new).on_conflict(action="DO NOTHING").run()
    return len(new), len(plans) - len(new)
