"""Lean execution for row types: plain fields of a row are read, not resolved one by one.

graphql-core runs a field resolver, builds resolve info and completes the value
for every field of every row; for 500 appeals of 20 fields that per-field
machinery, not the database, was most of the time (3–4× REST). A type marked
with :func:`lean` has its plain fields (no resolver, no arguments, no
directives) read straight from the row: a scalar or enum is serialised by its
type, and an object or a list of objects of another lean type is executed the
same way, without graphql-core in between. Everything else on it (resolvers
such as relations, ``__typename``, aliases of the same field, a null in a
non-null field, a value of the wrong type) goes through graphql-core as usual,
so answers and errors are the same, only cheaper.

Which way each field of a selection goes is decided once per request and
selection (the plan), not once per row.
"""

from __future__ import annotations

from asyncio import Future
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLObjectType,
    GraphQLString,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)

T = TypeVar("T", bound=type)

LEAN_KEY = "hromada.lean"
# ``strawberry.field(metadata={LEAN_RESOLVE: fn})``: a relation whose value ``fn(root,
# context)`` gives at once when it is at hand (a primed DataLoader), or an awaitable when not
# (then the field's own resolver runs through graphql-core as usual).
LEAN_RESOLVE = "hromada.lean.resolve"
_PLAIN_KEY = "hromada.lean.plain"  # on a GraphQLField: its Python attribute, or None


def lean(cls: T) -> T:
    """Mark a strawberry type (apply above ``@strawberry.type``) as a lean row type."""
    setattr(cls, "__hromada_lean__", True)  # noqa: B010 - read through the GraphQL type
    return cls


def _is_lean(parent_type: GraphQLObjectType) -> bool:
    definition = (parent_type.extensions or {}).get("strawberry-definition")
    origin = getattr(definition, "origin", None)
    return bool(getattr(origin, "__hromada_lean__", False))


def _plain_attribute(field: GraphQLField) -> str | None:
    # Kept on the field itself: a cache keyed by id() could outlive a schema and answer
    # for another field that reused the id.
    extensions = field.extensions
    if _PLAIN_KEY not in extensions:
        definition = extensions.get("strawberry-definition")
        plain = (
            definition is not None
            and getattr(definition, "base_resolver", None) is None
            and not getattr(definition, "extensions", None)
            and not getattr(definition, "permission_classes", None)
            and not field.args
        )
        extensions[_PLAIN_KEY] = definition.python_name if plain and definition else None
    return cast(str | None, extensions[_PLAIN_KEY])


# How one response field of a lean type is produced.
_LEAF, _OBJECT, _LIST, _SLOW = range(4)


@dataclass(frozen=True)
class _Step:
    kind: int
    attribute: str = ""
    field_type: Any = None  # the GraphQL type with non-null taken off
    non_null: bool = False
    item_non_null: bool = False
    details: Any = None  # the field's nodes, for the sub-selection
    resolve: Callable[[Any, Any], Any] | None = None  # LEAN_RESOLVE, for a relation
    same: type | None = None  # a leaf whose values of this exact type serialise to themselves


_BUILT_IN = (GraphQLString, GraphQLID, GraphQLBoolean)
_SELF_SERIALISED: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}


def _lean_resolver(field: GraphQLField) -> Callable[[Any, Any], Any] | None:
    definition = (field.extensions or {}).get("strawberry-definition")
    metadata = getattr(definition, "metadata", None) or {}
    if field.args or getattr(definition, "permission_classes", None):
        return None
    resolve = metadata.get(LEAN_RESOLVE)
    return resolve if callable(resolve) else None


def _plan(parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> list[_Step]:
    steps = []
    for details in grouped_field_set.values():
        node = details[0].node
        field = parent_type.fields.get(node.name.value)
        attribute = _plain_attribute(field) if field is not None else None
        resolve = _lean_resolver(field) if field is not None else None
        if field is None or (attribute is None and resolve is None):
            steps.append(_Step(_SLOW))
            continue
        if len(details) > 1 or node.directives:
            steps.append(_Step(_SLOW))
            continue
        non_null = is_non_null_type(field.type)
        bare = get_nullable_type(field.type)
        if resolve is not None:
            lean_object = isinstance(bare, GraphQLObjectType) and _is_lean(bare)
            steps.append(
                _Step(_OBJECT, "", bare, non_null, details=details, resolve=resolve)
                if lean_object
                else _Step(_SLOW)
            )
        elif is_leaf_type(bare):
            # Text and booleans serialise to themselves: no call per value for them.
            same = _SELF_SERIALISED.get(bare.name) if bare in _BUILT_IN else None
            steps.append(_Step(_LEAF, attribute or "", bare, non_null, same=same))
        elif isinstance(bare, GraphQLObjectType) and _is_lean(bare):
            steps.append(_Step(_OBJECT, attribute or "", bare, non_null, details=details))
        elif isinstance(bare, GraphQLList):
            item = bare.of_type
            inner = get_nullable_type(item)
            if isinstance(inner, GraphQLObjectType) and _is_lean(inner):
                steps.append(
                    _Step(_LIST, attribute, inner, non_null, is_non_null_type(item), details)
                )
            else:
                steps.append(_Step(_SLOW))
        else:
            steps.append(_Step(_SLOW))
    return steps


class LeanExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's own execution context, with the lean path for marked types."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (type, id of a collected selection) -> plan. graphql-core keeps every collected
        # selection alive for the request, so an id is never reused while this lives.
        self._lean_plans: dict[tuple[str, int], list[_Step]] = {}

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
        key = (parent_type.name, id(grouped_field_set))
        plan = self._lean_plans.get(key)
        if plan is None:
            plan = self._lean_plans[key] = _plan(parent_type, grouped_field_set)
        done: dict[str, Any] = {}
        slow: GroupedFieldSet = {}
        pending: list[str] = []
        for (response_name, details), step in zip(grouped_field_set.items(), plan, strict=True):
            kind = step.kind
            if kind == _SLOW:
                slow[response_name] = details
                continue
            if step.resolve is not None:
                value = step.resolve(source_value, self.context_value)
                if self.is_awaitable(value) or isinstance(value, Future):
                    slow[response_name] = details  # not at hand: the field's resolver awaits
                    continue
            else:
                value = getattr(source_value, step.attribute, None)
            if value is None:
                if step.non_null:
                    slow[response_name] = details  # graphql-core reports the null
                else:
                    done[response_name] = None
                continue
            if kind == _LEAF:
                if type(value) is step.same:
                    done[response_name] = value
                    continue
                try:
                    done[response_name] = step.field_type.serialize(value)
                except Exception:
                    slow[response_name] = details
                continue
            result = self._fast(step, value, Path(path, response_name, parent_type.name))
            if result is _NOT_FAST:
                slow[response_name] = details
                continue
            done[response_name] = result
            if self.is_awaitable(result):
                pending.append(response_name)
        if not slow and not pending:
            return done  # filled in selection order
        rest: AwaitableOrValue[dict[str, Any]] = {}
        if slow:
            rest = super().execute_fields(parent_type, source_value, path, slow, position_context)
        order = list(grouped_field_set)

        def merged(values: dict[str, Any]) -> dict[str, Any]:
            both = {**done, **values}
            return {name: both[name] for name in order if name in both}

        if not pending and not self.is_awaitable(rest):
            return merged(cast(dict[str, Any], rest))

        async def later() -> dict[str, Any]:
            for name in pending:
                done[name] = await done[name]
            values = await rest if self.is_awaitable(rest) else rest
            return merged(cast(dict[str, Any], values))

        return later()

    def _fast(self, step: _Step, value: Any, path: Path) -> Any:
        """The completed value of a plain object or list field, or ``_NOT_FAST``."""
        if step.kind == _OBJECT:
            return self._lean_object(step.field_type, step.details, value, path)
        items: list[Any] = []
        pending = False
        for index, item in enumerate(value):
            if item is None:
                if step.item_non_null:
                    return _NOT_FAST
                items.append(None)
                continue
            done = self._lean_object(step.field_type, step.details, item, path.add_key(index))
            if done is _NOT_FAST:
                return _NOT_FAST
            pending = pending or self.is_awaitable(done)
            items.append(done)
        if not pending:
            return items

        async def later() -> list[Any]:
            return [await i if self.is_awaitable(i) else i for i in items]

        return later()

    def _lean_object(
        self, object_type: GraphQLObjectType, details: Any, value: Any, path: Path
    ) -> Any:
        is_type_of = object_type.is_type_of
        if is_type_of is not None:
            try:
                fits = is_type_of(value, None)  # type: ignore[arg-type]  # ours ignore info
            except Exception:
                fits = False
            if fits is not True:
                return _NOT_FAST  # graphql-core calls it with info and reports the mismatch
        grouped = self.collect_subfields(object_type, details)[0]
        return self.execute_fields(object_type, value, path, grouped, None)


_NOT_FAST = object()
