"""Which datasets exist: every domain module that declares datasets is listed here, once.

A module listed in :data:`MODULES` has ``def datasets(city: City) -> list[Dataset]``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from hromada.config import Settings
from hromada.errors import NotFound
from hromada.open_data.catalog.model import Coverage, Dataset, Organisation, Text

MODULES: list[str] = [
    "hromada.open_data.registries.datasets",
    "hromada.open_data.appeals.datasets",
]


@dataclass(frozen=True)
class City:
    """What every declaration needs to know about the city that publishes it."""

    council: Organisation
    name: Text
    katottg: str
    email: str

    def coverage(self, start: str | None = None, end: str | None = None) -> Coverage:
        return Coverage(katottg=self.katottg, place=self.name, start=start, end=end)


def city_of(settings: Settings) -> City:
    return City(
        council=Organisation(
            slug="city-council",
            name=Text(uk=settings.publisher_name_uk, en=settings.publisher_name_en),
            edrpou=settings.publisher_edrpou,
            email=settings.publisher_email,
        ),
        name=Text(uk=settings.city_name_uk, en=settings.city_name_en),
        katottg=settings.city_katottg,
        email=settings.publisher_email,
    )


_cache: dict[Settings, list[Dataset]] = {}


def all_datasets(settings: Settings) -> list[Dataset]:
    """Every declared dataset, ordered by slug."""
    found = _cache.get(settings)
    if found is None:
        city = city_of(settings)
        found = []
        for name in MODULES:
            found.extend(importlib.import_module(name).datasets(city))
        slugs = [d.slug for d in found]
        if len(set(slugs)) != len(slugs):
            raise ValueError(f"two datasets share a slug: {sorted(slugs)}")
        found.sort(key=lambda d: d.slug)
        _cache[settings] = found
    return found


def get_dataset(settings: Settings, slug: str) -> Dataset:
    for dataset in all_datasets(settings):
        if dataset.slug == slug:
            return dataset
    raise NotFound(f"no dataset {slug!r}")


def organisations(settings: Settings) -> list[Organisation]:
    seen: dict[str, Organisation] = {}
    for dataset in all_datasets(settings):
        seen.setdefault(dataset.publisher.slug, dataset.publisher)
    return sorted(seen.values(), key=lambda o: o.slug)
