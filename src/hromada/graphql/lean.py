"""Lean execution for row types: plain fields of a row are read, not resolved one by one.

graphql-core runs a field resolver, builds resolve info and completes the value
for every field of every row; for 500 appeals of 20 fields that per-field
machinery, not the database, was most of the time (3–4× REST). A type marked
with :func:`lean` has its plain fields (no resolver, no arguments, no
directives, a scalar or enum type) read straight from the row and serialised
by their scalar; everything else on it (relations, ``__typename``, aliases of
the same field, a null in a non-null field) goes through graphql-core as
usual, so answers and errors are the same, only cheaper.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)

T = TypeVar("T", bound=type)

LEAN_KEY = "hromada.lean"
_PLAIN: dict[int, str | None] = {}  # id(GraphQLField) -> Python attribute, or None


def lean(cls: T) -> T:
    """Mark a strawberry type (apply above ``@strawberry.type``) as a lean row type."""
    setattr(cls, "__hromada_lean__", True)  # noqa: B010 - read through the GraphQL type
    return cls


def _is_lean(parent_type: GraphQLObjectType) -> bool:
    definition = (parent_type.extensions or {}).get("strawberry-definition")
    origin = getattr(definition, "origin", None)
    return bool(getattr(origin, "__hromada_lean__", False))


def _plain_attribute(field: GraphQLField) -> str | None:
    key = id(field)
    if key not in _PLAIN:
        definition = (field.extensions or {}).get("strawberry-definition")
        plain = (
            definition is not None
            and getattr(definition, "base_resolver", None) is None
            and not getattr(definition, "extensions", None)
            and not getattr(definition, "permission_classes", None)
            and not field.args
            and is_leaf_type(get_nullable_type(field.type))
        )
        _PLAIN[key] = definition.python_name if plain and definition is not None else None
    return _PLAIN[key]


class LeanExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's own execution context, with the lean path for marked types."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        manager = self.middleware_manager
        if not _is_lean(parent_type) or (manager is not None and manager.middlewares):
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        fast: dict[str, Any] = {}
        slow: GroupedFieldSet = {}
        for response_name, details in grouped_field_set.items():
            node = details[0].node
            field = parent_type.fields.get(node.name.value)
            attribute = _plain_attribute(field) if field is not None else None
            if attribute is None or len(details) > 1 or node.directives:
                slow[response_name] = details
                continue
            assert field is not None
            value = getattr(source_value, attribute, None)
            if value is None:
                if is_non_null_type(field.type):
                    slow[response_name] = details  # graphql-core reports the null
                else:
                    fast[response_name] = None
                continue
            try:
                fast[response_name] = get_nullable_type(field.type).serialize(value)
            except Exception:
                slow[response_name] = details
        if not slow:
            return fast
        rest = super().execute_fields(parent_type, source_value, path, slow, position_context)
        order = list(grouped_field_set)

        def merged(done: dict[str, Any]) -> dict[str, Any]:
            both = {**fast, **done}
            return {name: both[name] for name in order if name in both}

        if self.is_awaitable(rest):

            async def later() -> dict[str, Any]:
                return merged(await rest)

            return later()
        return merged(cast(dict[str, Any], rest))
