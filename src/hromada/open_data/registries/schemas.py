import msgspec


class DistrictOut(msgspec.Struct):
    code: str
    name_uk: str
    name_en: str
    lat: float | None  # None while the district has no known centre
    lon: float | None
    streets: int
    buildings: int


class StreetOut(msgspec.Struct):
    code: str
    kind: str
    name: str
    district: str


class BuildingOut(msgspec.Struct):
    id: int
    number: str
    street: str  # the street's code
    district: str  # the district's code
    floors: int
    year_built: int | None
    lat: float
    lon: float
