"""What the city measures: each kind of sensor with its unit and the values it can plausibly
give. A reading outside that range is kept and flagged (a stuck or broken device is worth
knowing about), and left out of the rollups' min, max and mean, which it would distort."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Kind:
    code: str
    title_uk: str
    title_en: str
    unit: str
    low: Decimal  # the lowest plausible value
    high: Decimal  # the highest plausible value

    def plausible(self, value: Decimal) -> bool:
        return self.low <= value <= self.high


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("pm25", "Пил PM2.5", "Particulate matter PM2.5", "мкг/м³", Decimal(0), Decimal(1000)),
        Kind("pm10", "Пил PM10", "Particulate matter PM10", "мкг/м³", Decimal(0), Decimal(2000)),
        Kind("noise", "Рівень шуму", "Noise level", "дБ(A)", Decimal(20), Decimal(140)),
        Kind(
            "traffic", "Транспортний потік", "Traffic count", "авт./год", Decimal(0), Decimal(20000)
        ),
        Kind(
            "parking",
            "Вільні паркомісця",
            "Free parking places",
            "місць",
            Decimal(0),
            Decimal(5000),
        ),
        Kind(
            "waste",
            "Заповненість контейнера",
            "Waste container fill",
            "%",
            Decimal(0),
            Decimal(100),
        ),
    )
}
