"""The anonymised appeals as the open dataset ``appeals``.

Rows come from ``service.iter_public_rows``: public, non-confidential appeals
only, already anonymised, keyset-batched by id.
"""

from __future__ import annotations

import datetime as dt

from hromada.open_data.appeals import service
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
            point=Point(lat="lat", lon="lon"),
        )
    ]
