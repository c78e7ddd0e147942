"""The sensor network as open datasets: the registry, and every sensor's hours.

The catalogue publishes whole versions of a fixed list of datasets (no dataset takes a
parameter), so the readings are published as their hourly rollups, one row per sensor and
hour with count, min, max, mean and flagged readings: each version holds every month, and a
month is the rows whose ``hour`` falls in it. Raw readings, for a window, come from the API.
"""

from __future__ import annotations

from hromada.open_data.catalog.model import (
    Dataset,
    Field,
    Frequency,
    TableSchema,
    Text,
    written,
)
from hromada.open_data.catalog.registry import City
from hromada.open_data.sensors import service


def datasets(city: City) -> list[Dataset]:
    about = {
        "publisher": city.council,
        "coverage": city.coverage(),
        "themes": ("ENVI", "TRAN"),
        "responsible_person": "Відділ екології та міського господарства",
        "contact_email": city.email,
    }
    return [
        Dataset(
            slug="sensors",
            title=Text(uk="Міські датчики", en="City sensors"),
            description=Text(
                uk="Реєстр датчиків міста: якість повітря (PM2.5, PM10), шум, транспортний "
                "потік, вільні паркомісця, заповненість контейнерів; тип, одиниця, місце, стан.",
                en="The city's sensors: air quality (PM2.5, PM10), noise, traffic counts, free "
                "parking places, waste container fill; kind, unit, place and status.",
            ),
            keywords=("датчики", "повітря", "шум", "паркування"),
            purpose="Оприлюднення реєстру міських датчиків",
            frequency=Frequency.AFTER_CHANGES,
            schema=TableSchema(
                fields=(
                    Field("code", "string", "Код датчика", required=True),
                    Field(
                        "kind",
                        "string",
                        "Тип: pm25, pm10, noise, traffic, parking, waste",
                        required=True,
                    ),
                    Field("title", "string", "Назва", required=True),
                    Field("unit", "string", "Одиниця вимірювання", required=True),
                    Field("lat", "number", "Широта (WGS 84)"),
                    Field("lon", "number", "Довгота (WGS 84)"),
                    Field("district", "string", "Код району"),
                    Field("status", "string", "Стан: active або retired", required=True),
                ),
                primary_key=("code",),
            ),
            rows=service.iter_sensors,
            fingerprint=written("sensor"),
            **about,  # type: ignore[arg-type]
        ),
        Dataset(
            slug="sensor-readings-hourly",
            title=Text(uk="Показання датчиків за годинами", en="Sensor readings by hour"),
            description=Text(
                uk="Показання кожного датчика за кожну годину (UTC): кількість правдоподібних "
                "показань, мінімум, максимум, середнє, і скільки показань поза правдоподібним "
                "діапазоном типу (позначені, не враховані в мінімумі, максимумі й середньому). "
                "Місяць: рядки, чия година в ньому. Година без рядка: датчик мовчав.",
                en="Every sensor's readings for every hour (UTC): the count of plausible "
                "readings, min, max, mean, and how many fell outside the kind's plausible "
                "range (flagged, left out of min, max and mean). A month is the rows whose "
                "hour falls in it. An hour without a row: the sensor was silent.",
            ),
            keywords=("датчики", "повітря", "шум", "показання"),
            purpose="Оприлюднення показань міських датчиків",
            frequency=Frequency.MORE_THAN_DAILY,
            schema=TableSchema(
                fields=(
                    Field("sensor", "string", "Код датчика", required=True),
                    Field("hour", "datetime", "Початок години (UTC)", required=True),
                    Field("count", "integer", "Правдоподібних показань", required=True),
                    Field("min", "number", "Мінімум"),
                    Field("max", "number", "Максимум"),
                    Field("mean", "number", "Середнє (до тисячних)"),
                    Field("flagged", "integer", "Показань поза діапазоном", required=True),
                ),
                primary_key=("sensor", "hour"),
            ),
            rows=service.iter_hourly,
            fingerprint=written("sensor", "sensor_rollup"),
            **about,  # type: ignore[arg-type]
        ),
    ]
