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


class RegistryRecord(Table, tablename="registry_record"):
    """One record of a declared registry (``declared.Registry``), whatever the registry.

    ``data`` holds the published fields only (JSON); ``personal`` the fields that never
    leave, read by nothing that publishes. ``lat``/``lon`` is the point or the centre of the
    geometry's box, ``min_*``/``max_*`` the box: the bbox and radius filters run on them.
    Unique per (registry, key) through an index of the migration.
    """

    id = Serial(primary_key=True)
    registry = Varchar(length=64)
    key = Varchar(length=200)
    district = Varchar(length=64, null=True, default=None)
    building_id = Integer(null=True, default=None)
    lat = DoublePrecision(null=True, default=None)
    lon = DoublePrecision(null=True, default=None)
    min_lat = DoublePrecision(null=True, default=None)
    min_lon = DoublePrecision(null=True, default=None)
    max_lat = DoublePrecision(null=True, default=None)
    max_lon = DoublePrecision(null=True, default=None)
    geometry = Text(null=True, default=None)
    data = Text()
    personal = Text(null=True, default=None)
    updated_at = Timestamptz()


class RegistryExtent(Table, tablename="registry_extent"):
    """Per registry: how many records, and the largest half-height and half-width of a
    record's box, so that a bbox filter can range over the indexed centre alone."""

    id = Serial(primary_key=True)
    registry = Varchar(length=64, unique=True)
    records = Integer(default=0)
    half_lat = DoublePrecision(default=0.0)
    half_lon = DoublePrecision(default=0.0)
    updated_at = Timestamptz()
