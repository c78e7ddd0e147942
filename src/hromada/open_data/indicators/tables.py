"""City indicators (the City Progress Index's inputs) and their values over time.

Values and goalposts are exact decimals kept as their canonical text: both engines give
back what was stored, with no float on the way (the index is computed from them).
"""

from piccolo.columns import ForeignKey, Serial, Text, Varchar
from piccolo.table import Table


class Indicator(Table, tablename="indicator"):
    id = Serial(primary_key=True)
    code = Varchar(length=32, unique=True, index=True)
    title_uk = Varchar(length=300)
    title_en = Varchar(length=300)
    unit = Varchar(length=40)
    direction = Varchar(length=6)  # higher (is better) or lower
    periodicity = Varchar(length=7)  # year, quarter or month
    source = Text(default="")
    # The index's goalposts: the value that scores 0 and the value that scores 100.
    worst = Varchar(length=40)
    best = Varchar(length=40)
    weight = Varchar(length=40)  # its weight in the index; 0 keeps it out


# An indicator's stored fields, in the order the import writes them and the API reads them.
INDICATOR_FIELDS = (
    "code",
    "title_uk",
    "title_en",
    "unit",
    "direction",
    "periodicity",
    "source",
    "worst",
    "best",
    "weight",
)


class IndicatorValue(Table, tablename="indicator_value"):
    id = Serial(primary_key=True)
    indicator = ForeignKey(Indicator, index=True)
    period = Varchar(length=7)  # 2025, 2025-Q1 or 2025-03, as the indicator's periodicity
    district = Varchar(length=64, default="")  # a district's code; empty: the whole city
    value = Varchar(length=40)
