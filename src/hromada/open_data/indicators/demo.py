"""The demo city's index: 120 indicators over five years (yearly city-wide and by district,
and a few monthly ones), written as the two CSV files and imported through the one path."""

from __future__ import annotations

import csv
import datetime as dt
import io

from hromada.demo.parts import DemoContext
from hromada.open_data.indicators.importing import DEFINITION_COLUMNS, import_indicators

YEARS = 5
# Themes of a city progress index: (code stem, Ukrainian, English, unit, which way is better,
# worst, best). Each stem gives several indicators (its variants) to reach a real index's size.
THEMES = [
    ("air", "Якість повітря", "Air quality", "мкг/м³", "lower", 40, 5),
    ("noise", "Рівень шуму", "Noise level", "дБ", "lower", 75, 45),
    ("green", "Зелені зони на мешканця", "Green area per resident", "м²", "higher", 5, 25),
    ("transport", "Пунктуальність транспорту", "Transport punctuality", "%", "higher", 60, 98),
    ("heat", "Будинки з опаленням вчасно", "Homes heated on time", "%", "higher", 70, 100),
    ("water", "Якість питної води", "Drinking water quality", "%", "higher", 80, 100),
    ("waste", "Сміття на звалище", "Waste to landfill", "кг/особу", "lower", 400, 100),
    ("appeals", "Звернення вирішені вчасно", "Appeals resolved on time", "%", "higher", 50, 100),
    ("schools", "Місця в школах", "School places", "%", "higher", 80, 105),
    ("health", "Черги до лікаря", "Wait for a doctor", "днів", "lower", 30, 2),
    ("safety", "Освітлені вулиці", "Lit streets", "%", "higher", 40, 100),
    ("access", "Безбар'єрні будівлі", "Barrier-free buildings", "%", "higher", 10, 90),
]
VARIANTS = 10


def files(ctx: DemoContext) -> tuple[bytes, bytes]:
    rng = ctx.rng("indicators")
    year = dt.date.today().year
    definitions = io.StringIO()
    values = io.StringIO()
    defined = csv.writer(definitions, lineterminator="\n")
    valued = csv.writer(values, lineterminator="\n")
    defined.writerow(DEFINITION_COLUMNS)
    valued.writerow(("indicator", "period", "district", "value"))
    districts = [d.code for d in ctx.city.districts]
    for stem, uk, en, unit, direction, worst, best in THEMES:
        for n in range(1, VARIANTS + 1):
            code = f"{stem}-{n:02d}"
            monthly = n == VARIANTS  # one monthly indicator per theme
            defined.writerow(
                (code, f"{uk} ({n})", f"{en} ({n})", unit, direction,
                 "month" if monthly else "year", worst, best, rng.choice((1, 1, 2, 3)),
                 "Демонстраційні дані")
            )  # fmt: skip
            start = worst + (best - worst) * rng.uniform(0.2, 0.5)
            step = (best - worst) * rng.uniform(0.02, 0.08)
            for offset in range(YEARS):
                level = start + step * offset
                if monthly:
                    for month in range(1, 13):
                        if (year - YEARS + 1 + offset, month) > (year, dt.date.today().month):
                            break
                        value = level + step * rng.uniform(-0.5, 0.5)
                        valued.writerow(
                            (code, f"{year - YEARS + 1 + offset}-{month:02d}", "",
                             f"{value:.2f}")
                        )  # fmt: skip
                    continue
                period = str(year - YEARS + offset)  # whole years only: the last one closed
                valued.writerow((code, period, "", f"{level:.2f}"))
                for district in districts:
                    local = level + step * rng.uniform(-2, 2)
                    valued.writerow((code, period, district, f"{local:.2f}"))
    return definitions.getvalue().encode(), values.getvalue().encode()


class IndicatorsDemo:
    name = "indicators"

    async def populate(self, ctx: DemoContext) -> None:
        definitions, values = files(ctx)
        report = await import_indicators(definitions, values)
        ctx.progress("indicators", report.values, report.values)
