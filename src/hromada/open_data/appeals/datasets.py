"""The anonymised appeals as the open dataset ``appeals``.

Rows come from ``service.iter_public_rows``: public, non-confidential appeals
only, already anonymised, keyset-batched by id.
"""

from __future__ import annotations

from hromada.open_data.appeals import service
from hromada.open_data.appeals.schemas import PUBLIC_COLUMNS
from hromada.open_data.catalog.model import Dataset, Field, Frequency, Point, TableSchema, Text
from hromada.open_data.catalog.registry import City

FIELDS = (
    Field("id", "integer", "Ідентифікатор звернення", required=True),
    Field("source_id", "string", "Номер звернення в системі-джерелі", required=True),
    Field("received_at", "datetime", "Час надходження (UTC)", required=True),
    Field("deadline_at", "datetime", "Контрольний строк (UTC)"),
    Field("resolved_at", "datetime", "Час виконання (UTC)"),
    Field("status", "string", "Стан", required=True),
    Field("closed", "boolean", "Закрите"),
    Field("overdue", "boolean", "Прострочене на час публікації"),
    Field("resolution_hours", "number", "Годин до виконання"),
    Field("channel", "string", "Канал надходження"),
    Field("category_code", "string", "Код категорії"),
    Field("category", "string", "Категорія"),
    Field("category_group", "string", "Група категорій"),
    Field("district_code", "string", "Код району"),
    Field("district", "string", "Район"),
    Field("street", "string", "Вулиця (без номера будинку)"),
    Field("lat", "number", "Широта центру клітинки ~100 м (WGS 84)"),
    Field("lon", "number", "Довгота центру клітинки ~100 м (WGS 84)"),
    Field("executor", "string", "Виконавець"),
    Field("text", "string", "Текст звернення (знеособлений)"),
    Field("answer", "string", "Відповідь (знеособлена)"),
)
assert tuple(f.name for f in FIELDS) == PUBLIC_COLUMNS, "the schema must follow PUBLIC_COLUMNS"


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
