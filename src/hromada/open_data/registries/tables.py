from piccolo.columns import DoublePrecision, ForeignKey, Integer, Serial, SmallInt, Varchar
from piccolo.table import Table


class District(Table, tablename="district"):
    """An administrative district (район) of the city."""

    id = Serial(primary_key=True)

    code = Varchar(length=64, unique=True, index=True)
    name_uk = Varchar(length=200)
    name_en = Varchar(length=200)
    lat = DoublePrecision()
    lon = DoublePrecision()


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
