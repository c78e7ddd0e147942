"""A GraphQL type, connection and two query fields for every declared registry.

Built from the declarations (``open_data.registries.kinds.REGISTRIES``) when the schema
is: a registry's published fields become the type's fields (Table Schema types mapped to
GraphQL scalars, dates as ISO text), its district and building are objects through the
request's DataLoaders, a line's or polygon's geometry is GeoJSON. The list takes the
REST list's filters, checked by the same query (``records.check_query``).
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from hromada.errors import InvalidInput, NotFound
from hromada.graphql.connections import PageInfo
from hromada.open_data.registries import records
from hromada.open_data.registries.declared import Registry
from hromada.open_data.registries.kinds import REGISTRIES
from hromada.paging import DEFAULT_LIMIT, encode_cursor

MAX_FIRST = 500
_SCALARS: dict[str, type] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "date": str,
    "datetime": str,
}


@strawberry.input(description="A registry field equal to a value (as the REST `?field=value`)")
class FieldEquals:
    field: str
    value: str


def _camel(slug: str) -> str:
    head, *rest = slug.split("-")
    return head + "".join(p.capitalize() for p in rest)


def _record_type(registry: Registry, district_type: Any, building_type: Any) -> type:
    """The strawberry type of one registry's records (a dataclass over ``record_out``)."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    for spec in registry.public_fields:
        scalar = _SCALARS[spec.type]
        annotations[spec.name] = scalar if spec.name == registry.key else scalar | None
        namespace[spec.name] = strawberry.field(description=spec.title or None, default=None)
    annotations["district_code"] = str | None
    namespace["district_code"] = strawberry.field(description="The district's code", default=None)
    if registry.geometry is not None:
        for name, what in (("lat", "Latitude"), ("lon", "Longitude")):
            annotations[name] = float | None
            namespace[name] = strawberry.field(
                description=f"{what} (WGS 84) of the point, or of the geometry's box centre",
                default=None,
            )
        annotations["distance_m"] = float | None
        namespace["distance_m"] = strawberry.field(
            description="Metres from `near` (great circle), in a radius query", default=None
        )
    if registry.geometry in ("line", "polygon"):
        annotations["geometry"] = JSON | None
        namespace["geometry"] = strawberry.field(description="GeoJSON geometry", default=None)

    async def district(root: Any, info: Info[Any, Any]) -> Any:
        if root.district_code is None:
            return None
        return await info.context.loaders.district.load(root.district_code)

    district.__annotations__ = {"root": Any, "info": Info, "return": district_type | None}
    namespace["district"] = strawberry.field(resolver=district, description="Its district")
    building_field = next((n for n, k in registry.identifiers.items() if k == "building"), None)
    if building_field is not None:

        async def building(root: Any, info: Info[Any, Any]) -> Any:
            return await info.context.loaders.building.load(int(getattr(root, building_field)))

        building.__annotations__ = {"root": Any, "info": Info, "return": building_type | None}
        namespace["building"] = strawberry.field(
            resolver=building, description="The building in the buildings registry"
        )
    namespace["__annotations__"] = annotations
    cls = type(registry.graphql_name, (), namespace)
    return strawberry.type(cls, description=registry.title.en)


def _instance(cls: type, registry: Registry, record: dict[str, Any]) -> Any:
    values = {f.name: record.get(f.name) for f in registry.public_fields}
    values["district_code"] = record.get("district")
    if registry.geometry is not None:
        values.update(lat=record.get("lat"), lon=record.get("lon"))
        values["distance_m"] = record.get("distance_m")
    if registry.geometry in ("line", "polygon"):
        values["geometry"] = record.get("geometry")
    return cls(**values)


def build_query(district_type: Any, building_type: Any) -> type:
    """The query type holding, per registry, ``<registry>(…)`` and ``<registry>ByKey(key)``."""
    namespace: dict[str, Any] = {}
    for registry in REGISTRIES:
        node = _record_type(registry, district_type, building_type)
        edge = strawberry.type(
            type(
                f"{registry.graphql_name}Edge",
                (),
                {"__annotations__": {"cursor": str, "node": node}},
            )
        )
        connection = strawberry.type(
            type(
                f"{registry.graphql_name}Connection",
                (),
                {
                    "__annotations__": {
                        "edges": list[edge],  # type: ignore[valid-type]
                        "page_info": PageInfo,
                        "total_count": int | None,
                    },
                    "total_count": strawberry.field(
                        description="How many records the registry has (unfiltered lists)",
                        default=None,
                    ),
                },
            )
        )
        namespace[_camel(registry.slug)] = strawberry.field(
            resolver=_list_resolver(registry, node, edge, connection),
            description=f"{registry.title.en}, in key order, filtered like the REST list",
        )
        namespace[_camel(registry.slug) + "ByKey"] = strawberry.field(
            resolver=_one_resolver(registry, node),
            description=f"One record of {registry.title.en} by its {registry.key}, or null",
        )
    return strawberry.type(type("DeclaredRegistriesQuery", (), namespace))


def _list_resolver(registry: Registry, node: type, edge: type, connection: type) -> Any:
    async def resolve(
        first: int | None = None,
        after: str | None = None,
        district: str | None = None,
        bbox: str | None = None,
        near: str | None = None,
        radius: float | None = None,
        where: list[FieldEquals] | None = None,
    ) -> Any:
        limit = DEFAULT_LIMIT if first is None else first
        if not 1 <= limit <= MAX_FIRST:
            raise InvalidInput(f"first is from 1 to {MAX_FIRST}")
        equals: dict[str, str] = {}
        for item in where or []:
            if item.field in equals:
                raise InvalidInput(f"where names {item.field[:40]!r} twice")
            equals[item.field] = item.value
        query = await records.check_query(
            registry, district=district, bbox=bbox, near=near, radius=radius, equals=equals
        )
        page = await records.page_records(query, limit=limit, cursor=after)
        edges = [
            edge(
                cursor=encode_cursor(
                    [registry.slug, records.sort_key(registry, item[registry.key])]
                ),
                node=_instance(node, registry, item),
            )
            for item in page.items
        ]
        return connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.next_cursor is not None,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total,
        )

    resolve.__annotations__ = {
        "first": int | None,
        "after": str | None,
        "district": str | None,
        "bbox": str | None,
        "near": str | None,
        "radius": float | None,
        "where": list[FieldEquals] | None,
        "return": connection,
    }
    return resolve


def _one_resolver(registry: Registry, node: type) -> Any:
    async def resolve(key: str) -> Any:
        try:
            record = await records.get_record(registry, key)
        except NotFound:
            return None
        return _instance(node, registry, record)

    resolve.__annotations__ = {"key": str, "return": node | None}
    return resolve
