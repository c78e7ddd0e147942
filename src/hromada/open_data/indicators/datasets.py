"""The indicators, their values and the city index as open datasets: with the first two
and the published method, anyone recomputes the third."""

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
from hromada.open_data.indicators import service

TABLES = ("indicator", "indicator_value")


def datasets(city: City) -> list[Dataset]:
    about = {
        "publisher": city.council,
        "coverage": city.coverage(),
        "frequency": Frequency.AFTER_CHANGES,
        "themes": ("GOVE", "REGI"),
        "responsible_person": "Відділ стратегічного розвитку",
        "contact_email": city.email,
        "fingerprint": written(*TABLES),
    }
    return [
        Dataset(
            slug="indicators",
            title=Text(uk="Показники розвитку міста", en="City progress indicators"),
            description=Text(
                uk="Показники індексу розвитку міста: назва, одиниця, що краще (більше чи "
                "менше), періодичність, джерело, межі оцінки (найгірше і найкраще значення) "
                "та вага в індексі.",
                en="The indicators of the city progress index: title, unit, which way is "
                "better, periodicity, source, the goalposts of the score (worst and best "
                "value) and the weight in the index.",
            ),
            keywords=("показники", "індекс", "розвиток"),
            purpose="Оприлюднення методики та складових індексу розвитку міста",
            schema=TableSchema(
                fields=(
                    Field("code", "string", "Код показника", required=True),
                    Field("title_uk", "string", "Назва", required=True),
                    Field("title_en", "string", "Назва англійською", required=True),
                    Field("unit", "string", "Одиниця", required=True),
                    Field("direction", "string", "Що краще: higher більше, lower менше"),
                    Field("periodicity", "string", "Періодичність: year, quarter, month"),
                    Field("source", "string", "Джерело"),
                    Field("worst", "number", "Значення з оцінкою 0"),
                    Field("best", "number", "Значення з оцінкою 100"),
                    Field("weight", "number", "Вага в індексі (0: не входить)"),
                ),
                primary_key=("code",),
            ),
            rows=service.iter_indicators,
            **about,  # type: ignore[arg-type]
        ),
        Dataset(
            slug="indicator-values",
            title=Text(uk="Значення показників розвитку міста", en="City indicator values"),
            description=Text(
                uk="Значення показників за періодами (рік, квартал, місяць), для міста "
                "загалом (порожній район) або за районами.",
                en="Indicator values by period (year, quarter, month), for the whole city "
                "(empty district) or by district.",
            ),
            keywords=("показники", "статистика"),
            purpose="Оприлюднення значень показників розвитку міста",
            schema=TableSchema(
                fields=(
                    Field("indicator", "string", "Код показника", required=True),
                    Field("period", "string", "Період: 2025, 2025-Q1 або 2025-03", required=True),
                    Field("district", "string", "Код району (порожній: місто загалом)"),
                    Field("value", "number", "Значення", required=True),
                ),
                primary_key=("indicator", "period", "district"),
            ),
            rows=service.iter_values,
            **about,  # type: ignore[arg-type]
        ),
        Dataset(
            slug="city-index",
            title=Text(uk="Індекс розвитку міста", en="City progress index"),
            description=Text(
                uk="Індекс 0-100 за періодами і районами: зважене середнє оцінок показників "
                "(оцінка = 100 × (значення − найгірше) / (найкраще − найгірше), у межах "
                "0-100). Обчислюється з наборів «indicators» та «indicator-values».",
                en="A 0-100 index by period and district: the weighted mean of the indicators' "
                "scores (score = 100 × (value − worst) / (best − worst), held within 0-100). "
                "Computed from the 'indicators' and 'indicator-values' datasets.",
            ),
            keywords=("індекс", "розвиток", "показники"),
            purpose="Оприлюднення індексу розвитку міста",
            schema=TableSchema(
                fields=(
                    Field("period", "string", "Період", required=True),
                    Field("district", "string", "Код району (порожній: місто загалом)"),
                    Field("index", "number", "Індекс, 0-100"),
                    Field("indicators_counted", "integer", "Показників враховано"),
                    Field("indicators_total", "integer", "Показників цієї періодичності"),
                ),
                primary_key=("period", "district"),
            ),
            rows=service.iter_index,
            **about,  # type: ignore[arg-type]
        ),
    ]
