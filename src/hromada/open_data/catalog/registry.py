"""Which datasets exist, as the domains declare them.

The catalogue never imports a domain: the composition root
(:func:`hromada.domains.compose`) hands it every domain's
``datasets(city) -> list[Dataset]`` through :func:`install`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hromada.config import Settings
from hromada.errors import NotFound
from hromada.open_data.catalog.model import Coverage, Dataset, Organisation, Text


@dataclass(frozen=True)
class City:
    """What every declaration needs to know about the city that publishes it."""

    council: Organisation
    name: Text
    katottg: str
    email: str
    # The smallest count a published statistic shows (HROMADA_APPEALS_K).
    k: int = 5

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
        k=settings.appeals_k,
    )


DatasetsProvider = Callable[[City], list[Dataset]]

_providers: tuple[DatasetsProvider, ...] | None = None
_cache: dict[Settings, list[Dataset]] = {}


def install(providers: Sequence[DatasetsProvider]) -> None:
    """Make ``providers`` the declarations every catalogue call reads (replacing any before)."""
    global _providers
    _providers = tuple(providers)
    _cache.clear()


def providers() -> tuple[DatasetsProvider, ...]:
    if _providers is None:
        raise RuntimeError(
            "no datasets installed: the composition root calls hromada.domains.compose() first"
        )
    return _providers


def all_datasets(settings: Settings) -> list[Dataset]:
    """Every declared dataset, ordered by slug."""
    found = _cache.get(settings)
    if found is None:
        city = city_of(settings)
        found = []
        for provider in providers():
            found.extend(provider(city))
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
