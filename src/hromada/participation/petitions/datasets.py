"""Petitions as an open dataset: every published petition with its signature count."""

from __future__ import annotations

from typing import Any

from hromada.open_data.catalog.model import Dataset, Field, Frequency, TableSchema, Text
from hromada.open_data.catalog.registry import City
from hromada.participation.petitions import service

LEGAL_BASIS = "Закон України «Про звернення громадян», стаття 23-1 (електронна петиція)"


def _about(city: City) -> dict[str, Any]:
    """What every petitions dataset says about itself alike."""
    return {
        "publisher": city.council,
        "coverage": city.coverage(),
        "frequency": Frequency.DAILY,
        "themes": ("GOVE",),
        "legal_basis": LEGAL_BASIS,
        "responsible_person": "Відділ відкритих даних",
        "contact_email": city.email,
    }


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
            **_about(city),
        ),
        Dataset(
            slug="petition-answers",
            title=Text(uk="Відповіді на електронні петиції", en="Answers to e-petitions"),
            description=Text(
                uk="Офіційні відповіді міської ради на петиції, що набрали необхідну кількість "
                "підписів: вид відповіді, її текст і дата.",
                en="The council's official answers to petitions that reached their threshold: "
                "the kind of answer, its text and date.",
            ),
            keywords=("петиції", "відповіді"),
            purpose="Оприлюднення відповідей на електронні петиції",
            schema=TableSchema(
                fields=(
                    Field("id", "integer", "Номер петиції", required=True),
                    Field("title", "string", "Назва", required=True),
                    Field("answer_kind", "string", "Вид відповіді", required=True),
                    Field("answer_text", "string", "Текст відповіді", required=True),
                    Field("answered_at", "datetime", "Коли надано відповідь", required=True),
                    Field("signatures", "integer", "Кількість підписів", required=True),
                ),
                primary_key=("id",),
            ),
            rows=service.iter_answer_rows,
            **_about(city),
        ),
        Dataset(
            slug="petition-signatures-by-district",
            title=Text(
                uk="Підписи під петиціями за районами", en="Petition signatures by district"
            ),
            description=Text(
                uk="Кількість підписів під кожною оприлюдненою петицією за районом, у якому "
                "зареєстровано підписантів (unknown: адресу не встановлено).",
                en="Signatures of every published petition by the signers' district of "
                "registration (unknown: the address was not placed).",
            ),
            keywords=("петиції", "підписи", "райони"),
            purpose="Оприлюднення підтримки петицій у районах міста",
            schema=TableSchema(
                fields=(
                    Field("petition", "integer", "Номер петиції", required=True),
                    Field(
                        "district", "string", "Код району (unknown: не встановлено)", required=True
                    ),
                    Field("signatures", "integer", "Кількість підписів", required=True),
                ),
                primary_key=("petition", "district"),
            ),
            rows=service.iter_district_rows,
            **_about(city),
        ),
    ]
