"""The registries as open datasets: districts, streets and buildings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from hromada.open_data.catalog.model import (
    Dataset,
    Field,
    Frequency,
    Point,
    RowSource,
    TableSchema,
    Text,
    written,
)
from hromada.open_data.catalog.registry import City
from hromada.open_data.registries import records, service
from hromada.open_data.registries.declared import Registry
from hromada.open_data.registries.kinds import REGISTRIES

LEGAL_BASIS = (
    "Закон України «Про доступ до публічної інформації»; постанова Кабінету Міністрів "
    "України від 21.10.2015 № 835 «Про затвердження Положення про набори даних, які "
    "підлягають оприлюдненню у формі відкритих даних»"
)


def _rows_of(registry: Registry) -> RowSource:
    async def rows() -> AsyncIterator[dict[str, Any]]:
        async for record in records.iter_records(registry):
            yield records.dataset_row(registry, record)

    return rows


def declared_dataset(registry: Registry, common: dict[str, Any]) -> Dataset:
    """A declared registry as a catalogue dataset: its published fields, then the district,
    the point (a line's or polygon's box centre) and a line's or polygon's geometry."""
    fields = list(registry.public_fields)
    fields.append(Field("district", "string", "Код району"))
    if registry.geometry is not None:
        fields += [
            Field("lat", "number", "Широта (WGS 84)"),
            Field("lon", "number", "Довгота (WGS 84)"),
        ]
    if registry.geometry in ("line", "polygon"):
        fields.append(Field("geometry", "string", "Геометрія (GeoJSON, WGS 84)"))
    return Dataset(
        slug=registry.slug,
        title=registry.title,
        description=registry.description,
        keywords=registry.keywords,
        purpose=registry.description.uk,
        schema=TableSchema(fields=tuple(fields), primary_key=(registry.key,)),
        rows=_rows_of(registry),
        fingerprint=written("registry_record"),
        point=Point(lat="lat", lon="lon") if registry.geometry is not None else None,
        geometry="geometry" if registry.geometry in ("line", "polygon") else None,
        **{**common, "themes": registry.themes},
    )


def datasets(city: City) -> list[Dataset]:
    common = {
        "publisher": city.council,
        "coverage": city.coverage(),
        "frequency": Frequency.AFTER_CHANGES,
        "themes": ("REGI", "GOVE"),
        "legal_basis": LEGAL_BASIS,
        "responsible_person": "Відділ відкритих даних",
        "contact_email": city.email,
    }
    return [
        Dataset(
            slug="districts",
            title=Text(uk="Адміністративні райони міста", en="Administrative districts"),
            description=Text(
                uk="Перелік адміністративних районів міста з координатами їхніх центрів.",
                en="The city's administrative districts with the coordinates of their centres.",
            ),
            keywords=("райони", "адміністративний устрій"),
            purpose="Адміністративно-територіальний устрій міста",
            schema=TableSchema(
                fields=(
                    Field("code", "string", "Код району", required=True),
                    Field("name_uk", "string", "Назва українською", required=True),
                    Field("name_en", "string", "Назва англійською", required=True),
                    Field("lat", "number", "Широта центру (WGS 84)"),
                    Field("lon", "number", "Довгота центру (WGS 84)"),
                ),
                primary_key=("code",),
            ),
            rows=service.iter_districts,
            fingerprint=written("district"),
            point=Point(lat="lat", lon="lon"),
            **common,  # type: ignore[arg-type]
        ),
        Dataset(
            slug="streets",
            title=Text(uk="Реєстр вулиць", en="Street register"),
            description=Text(
                uk="Вулиці, провулки, проспекти та площі міста з районом, до якого належать.",
                en="Streets, lanes, avenues and squares of the city with their district.",
            ),
            keywords=("вулиці", "топоніміка", "адреси"),
            purpose="Ведення адресного реєстру міста",
            schema=TableSchema(
                fields=(
                    Field("code", "string", "Код вулиці", required=True),
                    Field("kind", "string", "Тип (вулиця, провулок, ...)", required=True),
                    Field("name", "string", "Назва без типу", required=True),
                    Field("district", "string", "Код району", required=True),
                ),
                primary_key=("code",),
            ),
            rows=service.iter_streets,
            fingerprint=written("street", "district"),
            **common,  # type: ignore[arg-type]
        ),
        Dataset(
            slug="buildings",
            title=Text(uk="Реєстр будівель", en="Building register"),
            description=Text(
                uk="Будівлі міста: адреса, район, поверховість, рік побудови та координати.",
                en="Buildings of the city: address, district, floors, year built and location.",
            ),
            keywords=("будівлі", "адреси", "житловий фонд"),
            purpose="Ведення адресного реєстру та обліку житлового фонду міста",
            schema=TableSchema(
                fields=(
                    Field("id", "integer", "Ідентифікатор будівлі", required=True),
                    Field("street_code", "string", "Код вулиці", required=True),
                    Field("street_kind", "string", "Тип вулиці"),
                    Field("street_name", "string", "Назва вулиці"),
                    Field("number", "string", "Номер будинку", required=True),
                    Field("district", "string", "Код району", required=True),
                    Field("floors", "integer", "Поверховість"),
                    Field("year_built", "integer", "Рік побудови"),
                    Field("lat", "number", "Широта (WGS 84)"),
                    Field("lon", "number", "Довгота (WGS 84)"),
                ),
                primary_key=("id",),
            ),
            rows=service.iter_buildings,
            fingerprint=written("building", "street", "district"),
            point=Point(lat="lat", lon="lon"),
            **common,  # type: ignore[arg-type]
        ),
        *(declared_dataset(registry, common) for registry in REGISTRIES),
    ]
