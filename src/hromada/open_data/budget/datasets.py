"""Budget execution as open datasets: expenses by economic code and incomes by income
code, monthly, as imported from openbudget.gov.ua, with each month's own figure derived."""

from __future__ import annotations

from hromada.open_data.budget import service
from hromada.open_data.catalog.model import Dataset, Field, Frequency, TableSchema, Text
from hromada.open_data.catalog.registry import City


def _schema(code_title: str) -> TableSchema:
    return TableSchema(
        fields=(
            Field("budget", "string", "Код бюджету", required=True),
            Field("code", "string", code_title, required=True),
            Field("name", "string", "Назва коду", required=True),
            Field("fund", "string", "Фонд: C загальний, S спеціальний, T разом", required=True),
            Field("period", "date", "Останній день місяця", required=True),
            Field("plan_year", "number", "Річний план з урахуванням змін, грн"),
            Field("plan_to_date", "number", "План на період, грн"),
            Field("fact_to_date", "number", "Виконано з початку року, грн"),
            Field("fact_month", "number", "Виконано за місяць, грн (розрахунково)"),
        ),
        primary_key=("budget", "code", "fund", "period"),
    )


def datasets(city: City) -> list[Dataset]:
    about = {
        "publisher": city.council,
        "coverage": city.coverage(),
        "frequency": Frequency.MONTHLY,
        "themes": ("ECON", "GOVE"),
        "legal_basis": "Бюджетний кодекс України, стаття 28 (доступність інформації про бюджет)",
        "responsible_person": "Департамент фінансів",
        "contact_email": city.email,
    }
    return [
        Dataset(
            slug="budget-expenses",
            title=Text(uk="Виконання бюджету: видатки", en="Budget execution: expenses"),
            description=Text(
                uk="Видатки бюджету за економічною класифікацією (КЕКВ) і фондами щомісяця: "
                "річний план, план на період, виконання з початку року та за місяць.",
                en="Budget expenses by economic classification and fund, monthly: the year's "
                "plan, the plan to date, execution to date and in the month.",
            ),
            keywords=("бюджет", "видатки", "КЕКВ"),
            purpose="Оприлюднення виконання місцевого бюджету",
            schema=_schema("Код економічної класифікації видатків (КЕКВ)"),
            rows=service.iter_rows("expense"),
            **about,  # type: ignore[arg-type]
        ),
        Dataset(
            slug="budget-incomes",
            title=Text(uk="Виконання бюджету: доходи", en="Budget execution: incomes"),
            description=Text(
                uk="Доходи бюджету за кодами класифікації доходів і фондами щомісяця: річний "
                "план, план на період, надходження з початку року та за місяць (повернення "
                "переплат роблять окремі місяці від'ємними).",
                en="Budget incomes by income code and fund, monthly: the year's plan, the plan "
                "to date, receipts to date and in the month (refunds make some months negative).",
            ),
            keywords=("бюджет", "доходи", "податки"),
            purpose="Оприлюднення виконання місцевого бюджету",
            schema=_schema("Код класифікації доходів"),
            rows=service.iter_rows("income"),
            **about,  # type: ignore[arg-type]
        ),
    ]
