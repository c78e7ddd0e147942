from piccolo.columns import (
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class District(Table, tablename="district"):
    """An administrative district (район) of the city."""

    id = Serial(primary_key=True)

    code = Varchar(length=64, unique=True, index=True)
    name_uk = Varchar(length=200)
    name_en = Varchar(length=200)
    lat = DoublePrecision()
    lon = DoublePrecision()
    # From the KATOTTG codifier when the community was set from it (`hromada city set`).
    katottg = Varchar(length=19, null=True, default=None, index=True)
    # The district's outline as a GeoJSON geometry (WGS 84), when a boundaries file gave it.
    boundary = Text(null=True, default=None)
    # False while no boundary or survey gave the district a centre: lat/lon are then
    # placeholders and are published as null.
    located = Boolean(default=True)


class Community(Table, tablename="community"):
    """The територіальна громада this installation serves (one row)."""

    id = Serial(primary_key=True)
    katottg = Varchar(length=19, unique=True)
    kind = Varchar(length=1)  # KATOTTG category: H (громада) or K (city with special status)
    name = Varchar(length=200)
    oblast = Varchar(length=200)
    raion = Varchar(length=200)
    boundary = Text(null=True, default=None)
    set_at = Timestamptz()


class Settlement(Table, tablename="settlement"):
    """A settlement of the community, from the KATOTTG codifier."""

    id = Serial(primary_key=True)
    katottg = Varchar(length=19, unique=True)
    category = Varchar(length=1)  # M city, T urban-type settlement, C village, X rural settlement
    name = Varchar(length=200)


class Street(Table, tablename="street"):
    id = Serial(primary_key=True)
    code = Varchar(length=64, unique=True, index=True)
    kind = Varchar(length=32)  # вулиця, проспект, провулок, площа, узвіз, набережна
    name = Varchar(length=200)  # the name without the kind: "Сумська"
    district = ForeignKey(references=District, index=True)


class Building(Table, tablename="building"):
    id = Serial(primary_key=True)
    street = ForeignKey(references=Street, index=True)
    district = ForeignKey(references=District, index=True)
    number = Varchar(length=16)
    lat = DoublePrecision()
    lon = DoublePrecision()
    floors = SmallInt()
    year_built = Integer(null=True)
