"""Procurement as an open dataset: the city's tenders as imported from ProZorro, with
their awarded values and savings (the rule in ``savings``)."""

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
from hromada.open_data.procurement import service

SCHEMA = TableSchema(
    fields=(
        Field("id", "string", "Ідентифікатор закупівлі в ProZorro (32 шістнадцяткові цифри)",
              required=True),
        Field("tender_id", "string", "Номер закупівлі (UA-РРРР-ММ-ДД-NNNNNN-x)", required=True),
        Field("title", "string", "Назва", required=True),
        Field("status", "string", "Статус закупівлі в ProZorro", required=True),
        Field("entity_edrpou", "string", "Код ЄДРПОУ замовника", required=True),
        Field("entity_name", "string", "Замовник", required=True),
        Field("cpv", "string", "Код ДК 021:2015 (CPV) першого предмета"),
        Field("expected_value", "number", "Очікувана вартість", required=True),
        Field("currency", "string", "Валюта очікуваної вартості", required=True),
        Field("awarded_value", "number", "Вартість договорів (або переможних пропозицій)"),
        Field("awarded_currency", "string", "Валюта вартості договорів"),
        Field("savings", "number", "Економія, грн (правило: опис набору)"),
        Field("date_created", "datetime", "Створено", required=True),
        Field("date_modified", "datetime", "Змінено в ProZorro", required=True),
        Field("winner_kinds", "string",
              "Переможці: legal_entity, individual_entrepreneur (ФОП, без даних), other"),
        Field("winner_edrpou", "string", "Коди ЄДРПОУ переможців — юридичних осіб"),
        Field("winner_names", "string", "Назви переможців — юридичних осіб"),
    ),
    primary_key=("id",),
)  # fmt: skip


def datasets(city: City) -> list[Dataset]:
    return [
        Dataset(
            slug="procurement-tenders",
            title=Text(uk="Публічні закупівлі (ProZorro)", en="Public procurement (ProZorro)"),
            description=Text(
                uk="Закупівлі замовників громади з ProZorro: очікувана вартість, вартість "
                "договорів, переможці — юридичні особи (ФОП зазначено лише як вид, без імені "
                "й коду) та економія. Економія = очікувана вартість − вартість договорів для "
                "завершених закупівель без лотів, обидві в гривнях; не буває від'ємною.",
                en="The community's tenders from ProZorro: expected value, contract value, "
                "winners that are legal entities (individual entrepreneurs given as a kind "
                "only, without name or code) and savings. Savings = expected value − "
                "contract value for complete tenders without lots, both in UAH; never "
                "negative.",
            ),
            keywords=("закупівлі", "ProZorro", "економія", "тендери"),
            purpose="Оприлюднення інформації про публічні закупівлі",
            schema=SCHEMA,
            rows=service.iter_rows(),
            fingerprint=written("procurement_tender", "procurement_winner"),
            publisher=city.council,
            coverage=city.coverage(),
            frequency=Frequency.DAILY,
            themes=("ECON", "GOVE"),
            legal_basis="Закон України «Про публічні закупівлі», стаття 10",
            responsible_person="Відділ публічних закупівель",
            contact_email=city.email,
        )
    ]
