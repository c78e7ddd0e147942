"""``node(id:)``: any object with a global id, fetched again by that id (Relay)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from hromada.bounds import parse_key_int
from hromada.errors import NotFound
from hromada.graphql.catalog import Dataset, DatasetVersion, base_url
from hromada.graphql.connections import Node, parse_global_id
from hromada.open_data.catalog import service as catalog


async def _dataset(info: Info[Any, Any], key: str) -> Any:
    out = await catalog.get_dataset_out(info.context.settings, key, base_url(info))
    return Dataset.of(out)


async def _version(info: Info[Any, Any], key: str) -> Any:
    slug, _, number = key.rpartition(":")
    version = parse_key_int(number)
    if version is None:
        return None
    found = await catalog.get_version(info.context.settings, slug, version)
    return DatasetVersion.of(slug, found.out(base_url(info)))


async def _district(info: Info[Any, Any], key: str) -> Any:
    return await info.context.loaders.district.load(key)


async def _street(info: Info[Any, Any], key: str) -> Any:
    return await info.context.loaders.street.load(key)


async def _building(info: Info[Any, Any], key: str) -> Any:
    building = parse_key_int(key)
    if building is None:
        return None
    return await info.context.loaders.building.load(building)


RESOLVERS = {
    "Dataset": _dataset,
    "DatasetVersion": _version,
    "District": _district,
    "Street": _street,
    "Building": _building,
}


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id, or null")
    async def node(self, info: Info[Any, Any], id: strawberry.ID) -> Node | None:
        parsed = parse_global_id(str(id))
        if parsed is None or parsed[0] not in RESOLVERS:
            return None
        try:
            found: Node | None = await RESOLVERS[parsed[0]](info, parsed[1])
        except NotFound:
            return None
        return found
