"""The anonymised appeals as the open dataset ``appeals``.

Rows come from ``service.iter_public_rows``: public, non-confidential appeals
only, already anonymised, keyset-batched by id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from hromada.open_data.appeals import service, statistics
from hromada.open_data.appeals.schemas import AppealOut
from hromada.open_data.catalog.model import (
    Dataset,
    Field,
    FieldType,
    Frequency,
    Point,
    TableSchema,
    Text,
)
from hromada.open_data.catalog.registry import City
from hromada.shapes import declared_fields

# What a declared Python type is in a Table Schema.
_TABLE_TYPE: dict[type, FieldType] = {
    int: "integer",
    str: "string",
    float: "number",
    bool: "boolean",
    dt.datetime: "datetime",
}

# The dataset's columns: the public fields of an appeal, as ``AppealOut`` declares them.
FIELDS = tuple(
    Field(f.name, _TABLE_TYPE[f.base], f.extra["title"], required=f.extra["required"])
    for f in declared_fields(AppealOut)
)


def datasets(city: City) -> list[Dataset]:
    return [
        Dataset(
            slug="appeals",
            title=Text(
                uk="Звернення громадян до контактного центру (знеособлені)",
                en="Citizen appeals to the city contact centre (anonymised)",
            ),
            description=Text(
                uk="Звернення до міського контактного центру: час надходження, категорія, район, "
                "вулиця, стан, виконавець, строки, текст і відповідь. Імена, телефони, адреси "
                "та інші персональні дані замінено позначками, координати огрублено до "
                "клітинки ~100 м; конфіденційні звернення не публікуються.",
                en="Appeals to the city contact centre: time, category, district, street, status, "
                "executor, deadlines, text and answer. Names, phone numbers, addresses and other "
                "personal data are replaced by placeholders, locations coarsened to a ~100 m "
                "cell; confidential appeals are not published.",
            ),
            publisher=city.council,
            coverage=city.coverage(),
            frequency=Frequency.DAILY,
            keywords=("звернення", "скарга", "контактний центр", "1551", "15-62"),
            themes=("GOVE", "SOCI"),
            legal_basis=(
                "Закон України «Про звернення громадян»; Закон України «Про доступ до публічної "
                "інформації»; постанова Кабінету Міністрів України від 21.10.2015 № 835"
            ),
            purpose="Звітність про розгляд звернень громадян і контроль якості міських послуг",
            responsible_person="Міський контактний центр",
            contact_email=city.email,
            schema=TableSchema(fields=FIELDS, primary_key=("id",)),
            rows=service.iter_public_rows,
            fingerprint=service.public_rows_fingerprint,
            point=Point(lat="lat", lon="lon"),
        ),
        Dataset(
            slug="appeal-stats-monthly",
            title=Text(
                uk="Статистика звернень за місяцями, районами та категоріями",
                en="Appeal statistics by month, district and category",
            ),
            description=Text(
                uk="Кількість публічних звернень, вирішених, частка вчасно вирішених і медіана "
                f"часу вирішення за кожен місяць, район і категорію. Групи менше ніж {city.k} "
                "звернень не публікуються, загальних підсумків немає.",
                en="Public appeals, resolved, share resolved on time and median resolution "
                f"time per month, district and category. Groups under {city.k} appeals are "
                "not published, and there are no totals to subtract them from.",
            ),
            publisher=city.council,
            coverage=city.coverage(),
            frequency=Frequency.MONTHLY,
            keywords=("звернення", "статистика", "контактний центр"),
            themes=("GOVE", "SOCI"),
            legal_basis=(
                "Закон України «Про звернення громадян»; постанова КМУ від 21.10.2015 № 835"
            ),
            purpose="Звітність про розгляд звернень громадян",
            responsible_person="Міський контактний центр",
            contact_email=city.email,
            schema=TableSchema(
                fields=MONTHLY_FIELDS, primary_key=("month", "district", "category")
            ),
            rows=_monthly(city.k),
        ),
    ]


MONTHLY_FIELDS = (
    Field("month", "string", "Місяць (РРРР-ММ)", required=True),
    Field("district", "string", "Код району (unknown: не визначено)", required=True),
    Field("district_name", "string", "Район"),
    Field("category", "string", "Код категорії (unknown: не визначено)", required=True),
    Field("category_name", "string", "Категорія"),
    Field("count", "integer", "Звернень", required=True),
    Field("resolved", "integer", "Вирішено"),
    Field("on_time_pct", "number", "Вирішено вчасно, %"),
    Field("median_resolution_hours", "number", "Медіана часу вирішення, год"),
)


def _monthly(k: int) -> Any:
    async def rows() -> AsyncIterator[dict[str, Any]]:
        for row in await statistics.monthly_rows(k):
            yield row

    return rows
