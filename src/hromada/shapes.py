"""Reading a msgspec ``Struct`` as a declaration that other shapes derive from.

A domain declares a shape once (its public fields, its filters) as a Struct whose
fields carry a ``msgspec.Meta``: ``description`` for people, ``extra`` for the
rest of hromada (the SQL a field is read from, its dataset title, the search
field a filter maps onto). REST parameters, GraphQL types, dataset columns and
SQL selects are built from :func:`declared_fields`, so they cannot drift apart.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec


@dataclass(frozen=True)
class DeclaredField:
    name: str
    # The type without Annotated and without None; a tuple[X, ...] is a list of ``base``.
    base: type
    optional: bool
    is_list: bool
    default: Any
    description: str | None
    extra: Mapping[str, Any]

    @property
    def required(self) -> bool:
        return self.default is msgspec.NODEFAULT


@functools.cache
def declared_fields(struct: type[msgspec.Struct]) -> tuple[DeclaredField, ...]:
    """The fields of ``struct`` in declaration order, with their Meta."""
    hints = typing.get_type_hints(struct, include_extras=True)
    out = []
    for info in msgspec.structs.fields(struct):
        hint = hints[info.name]
        meta = None
        if typing.get_origin(hint) is typing.Annotated:
            hint, *metadata = typing.get_args(hint)
            meta = next((m for m in metadata if isinstance(m, msgspec.Meta)), None)
        args = typing.get_args(hint)
        optional = isinstance(hint, types.UnionType) and type(None) in args
        if optional:
            (hint,) = [a for a in args if a is not type(None)]
        is_list = typing.get_origin(hint) in (tuple, list)
        if is_list:
            hint = typing.get_args(hint)[0]
        out.append(
            DeclaredField(
                name=info.name,
                base=hint,
                optional=optional,
                is_list=is_list,
                default=info.default,
                description=meta.description if meta else None,
                extra=dict(meta.extra or {}) if meta else {},
            )
        )
    return tuple(out)


def field_names(struct: type[msgspec.Struct]) -> tuple[str, ...]:
    return tuple(f.name for f in declared_fields(struct))
