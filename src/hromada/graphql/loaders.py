"""DataLoaders for every relation, built fresh for each request (see ``context.py``).

A relation resolved for many parents in one query asks its loader; the
loader collects the keys of the whole level and calls one batched service
function, so a list of N parents costs a constant number of queries. Paged
relations are keyed by ``(parent, Window)``: parents asked with the same paging
arguments share one windowed query.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from hromada.graphql.connections import Window
from hromada.open_data.catalog import service as catalog
from hromada.open_data.catalog.service import Version
from hromada.open_data.registries import service as registries
from hromada.open_data.registries.schemas import (
    BuildingOut,
    DistrictCounts,
    DistrictPlace,
    StreetOut,
)

T = TypeVar("T")
P = TypeVar("P", bound=Hashable)

PagedKey = tuple[Any, Window]


async def _paged(
    keys: Sequence[tuple[P, Window]],
    fetch: Callable[[list[P], Window], Awaitable[dict[P, list[T]]]],
) -> list[list[T]]:
    groups: dict[Window, list[P]] = {}
    for parent, w in keys:
        groups.setdefault(w, []).append(parent)
    found: dict[tuple[P, Window], list[T]] = {}
    for w, parents in groups.items():
        rows = await fetch(parents, w)
        for parent in parents:
            found[(parent, w)] = rows.get(parent, [])
    return [found[key] for key in keys]


def _bound(key: tuple[Any, ...] | None) -> Any:
    return key[0] if key is not None else None


async def _districts(codes: list[str]) -> list[DistrictPlace | None]:
    found = await registries.districts_by_code(codes)
    return [found.get(code) for code in codes]


async def _district_counts(codes: list[str]) -> list[DistrictCounts]:
    found = await registries.district_counts(codes)
    return [found.get(code, _NO_COUNTS) for code in codes]


_NO_COUNTS = DistrictCounts(streets=0, buildings=0)  # a district gone since its row was read


async def _streets(codes: list[str]) -> list[StreetOut | None]:
    found = {s.code: s for s in await registries.get_streets(codes)}
    return [found.get(code) for code in codes]


async def _buildings(ids: list[int]) -> list[BuildingOut | None]:
    found = {b.id: b for b in await registries.get_buildings(ids)}
    return [found.get(i) for i in ids]


async def _district_streets_page(codes: list[str], w: Window) -> dict[str, list[StreetOut]]:
    return await registries.streets_in_districts(
        codes,
        limit=w.limit + 1,
        after=_bound(w.after),
        before=_bound(w.before),
        backward=w.backward,
    )


async def _district_streets(keys: list[PagedKey]) -> list[list[StreetOut]]:
    return await _paged(keys, _district_streets_page)


async def _street_buildings_page(codes: list[str], w: Window) -> dict[str, list[BuildingOut]]:
    return await registries.buildings_on_streets(
        codes,
        limit=w.limit + 1,
        after=_bound(w.after),
        before=_bound(w.before),
        backward=w.backward,
    )


async def _street_buildings(keys: list[PagedKey]) -> list[list[BuildingOut]]:
    return await _paged(keys, _street_buildings_page)


async def _versions_page(slugs: list[str], w: Window) -> dict[str, list[Version]]:
    return await catalog.versions_of(
        slugs,
        limit=w.limit + 1,
        after=_bound(w.after),
        before=_bound(w.before),
        backward=w.backward,
    )


async def _dataset_versions(keys: list[PagedKey]) -> list[list[Version]]:
    return await _paged(keys, _versions_page)


def ready(loader: DataLoader[Any, Any], key: Any) -> Any:
    """The loaded value when ``key`` is already in the loader (no await per row), else the
    loader's future, which GraphQL awaits and batches as usual."""
    future = loader.cache_map.get(key)
    if future is not None and future.done() and future.exception() is None:
        return future.result()
    return loader.load(key)


def selects(selections: Sequence[Any], *path: str) -> bool:
    """Whether ``path`` (response field names, fragments looked through) is selected."""
    if not path:
        return True
    for selection in selections:
        name = getattr(selection, "name", None)
        inner = getattr(selection, "selections", None) or []
        if name is None or not hasattr(selection, "arguments"):  # a fragment
            if selects(inner, *path):
                return True
        elif name == path[0] and selects(inner, *path[1:]):
            return True
    return False


class Loaders:
    """One set per request: a loader's cache must never outlive the request that filled it."""

    def __init__(self) -> None:
        self.district: DataLoader[str, DistrictPlace | None] = DataLoader(_districts)
        self.district_counts: DataLoader[str, DistrictCounts] = DataLoader(_district_counts)
        self.street: DataLoader[str, StreetOut | None] = DataLoader(_streets)
        self.building: DataLoader[int, BuildingOut | None] = DataLoader(_buildings)
        self.district_streets: DataLoader[PagedKey, list[StreetOut]] = DataLoader(_district_streets)
        self.street_buildings: DataLoader[PagedKey, list[BuildingOut]] = DataLoader(
            _street_buildings
        )
        self.dataset_versions: DataLoader[PagedKey, list[Version]] = DataLoader(_dataset_versions)
