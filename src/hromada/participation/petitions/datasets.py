"""Petitions as an open dataset: every published petition with its signature count."""

from __future__ import annotations

from hromada.open_data.catalog.model import Dataset, Field, Frequency, TableSchema, Text
from hromada.open_data.catalog.registry import City
from hromada.participation.petitions import service

LEGAL_BASIS = "Закон України «Про звернення громадян», стаття 23-1 (електронна петиція)"


def datasets(city: City) -> list[Dataset]:
    return [
        Dataset(
            slug="petitions",
            title=Text(uk="Електронні петиції", en="E-petitions"),
            description=Text(
                uk="Оприлюднені електронні петиції до міської ради: стан, кількість підписів, "
                "поріг, строки і вид відповіді.",
                en="Published e-petitions to the council: state, signatures, threshold, "
                "deadlines and the kind of answer.",
            ),
            keywords=("петиції", "електронна демократія"),
            purpose="Оприлюднення електронних петицій і відповідей на них",
            schema=TableSchema(
                fields=(
                    Field("id", "integer", "Номер петиції", required=True),
                    Field("title", "string", "Назва", required=True),
                    Field("addressee", "string", "Адресат", required=True),
                    Field("district", "string", "Код району, якого стосується"),
                    Field("state", "string", "Стан", required=True),
                    Field("signatures", "integer", "Кількість підписів", required=True),
                    Field("threshold", "integer", "Необхідна кількість підписів", required=True),
                    Field("opened_at", "datetime", "Оприлюднено"),
                    Field("closes_at", "datetime", "Завершення збору підписів"),
                    Field("threshold_reached_at", "datetime", "Коли набрано поріг"),
                    Field("answer_kind", "string", "Вид відповіді"),
                    Field("answered_at", "datetime", "Коли надано відповідь"),
                ),
                primary_key=("id",),
            ),
            rows=service.iter_public_rows,
            publisher=city.council,
            coverage=city.coverage(),
            frequency=Frequency.DAILY,
            themes=("GOVE",),
            legal_basis=LEGAL_BASIS,
            responsible_person="Відділ відкритих даних",
            contact_email=city.email,
        )
    ]
