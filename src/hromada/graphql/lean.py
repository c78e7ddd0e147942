"""Lean execution for row types: plain fields of a row are read, not resolved one by one.

graphql-core runs a field resolver, builds resolve info and completes the value
for every field of every row; for 500 appeals of 20 fields that per-field
machinery, not the database, was most of the time (3–4× REST). A type marked
with :func:`lean` has its plain fields (no resolver, no arguments, no
directives) read straight from the row: a scalar or enum is serialised by its
type, and an object or a list of objects of another lean type is executed the
same way, without graphql-core in between; ``__typename`` is the type's name.
Everything else on it (resolvers other than a primed relation, a field
selected twice under one name, directives, a null in a non-null field, a
missing attribute, a value of the wrong type) goes through graphql-core as
usual, so answers and errors are the same, only cheaper.

Which way each field of a selection goes is decided once per request and
selection (the plan), not once per row. A plan whose fields, and the fields of
every object below them, can all be read ("whole") gets a reader compiled for
it (:func:`_reader`) that reads a row in one call, builds no paths and gives up
at the first unusual value; only such a row is then done again field by field
(``_read``), with graphql-core for the unusual fields.
"""

from __future__ import annotations

from asyncio import Future
from collections.abc import Callable
from math import isfinite
from types import CodeType
from typing import Any, TypeVar, cast

from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLObjectType,
    GraphQLString,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)

T = TypeVar("T", bound=type)

# ``strawberry.field(metadata={LEAN_RESOLVE: fn})``: a relation whose value ``fn(root,
# context)`` gives at once when it is at hand (a primed DataLoader), or an awaitable when not
# (then the field's own resolver runs through graphql-core as usual).
LEAN_RESOLVE = "hromada.lean.resolve"
_PLAIN_KEY = "hromada.lean.plain"  # on a GraphQLField: its Python attribute, or None

# graphql-core's bounds for Int (32-bit signed), as its serialiser checks them.
_MIN_INT, _MAX_INT = -(2**31), 2**31 - 1


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


def _lean_resolver(field: GraphQLField) -> Callable[[Any, Any], Any] | None:
    definition = (field.extensions or {}).get("strawberry-definition")
    metadata = getattr(definition, "metadata", None) or {}
    if field.args or getattr(definition, "permission_classes", None):
        return None
    resolve = metadata.get(LEAN_RESOLVE)
    return resolve if callable(resolve) else None


# How one response field of a lean type is produced. The leaves (up to _LEAF): text and
# booleans serialise to themselves, Int and Float to themselves when in range; other
# scalars and enums through their serialiser.
_SLOW, _TEXT, _INT, _FLOAT, _LEAF, _OBJECT, _LIST = range(7)
_SAME: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}

_NOT_FAST: Any = object()  # this value (or row) goes through graphql-core
_MISSING: Any = object()


class _Step:
    """One response field of a plan. Mutable only while its plan is being made."""

    __slots__ = (
        "attribute",
        "coerce",
        "details",
        "field_type",
        "item_non_null",
        "kind",
        "name",
        "non_null",
        "resolve",
        "same",
        "sub",
    )

    def __init__(self, name: str, details: Any) -> None:
        self.name = name
        self.kind = _SLOW
        self.attribute = ""
        self.field_type: Any = None  # the GraphQL type with non-null (and a list) taken off
        self.non_null = False
        self.item_non_null = False
        self.details = details  # the field's nodes (graphql-core's, and for the sub-selection)
        self.resolve: Callable[[Any, Any], Any] | None = None  # LEAN_RESOLVE, for a relation
        # A leaf's values of this exact type serialise to themselves (Int and Float: when
        # in range); others go through ``coerce``, the type's serialiser.
        self.same: type | None = None
        self.coerce: Callable[[Any], Any] = _no_coerce
        self.sub: Any = None  # an object's (or list item's) own _Plan


def _no_coerce(value: Any) -> Any:
    return _NOT_FAST


class _Plan:
    __slots__ = ("fields", "grouped", "reader", "steps", "whole")

    def __init__(self, grouped: GroupedFieldSet, steps: list[_Step]) -> None:
        self.grouped = grouped  # kept alive with the plan: its id() is the plan's key
        self.steps = steps
        self.whole = False  # every step, and every step of the plans below, can be read
        # What the loop over rows reads of each step, unpacked once rather than per value.
        self.fields: tuple[tuple[Any, ...], ...] = ()
        # A whole plan's row, read in one call (see _reader).
        self.reader: Callable[[Any, Any], Any] | None = None

    def finish(self) -> None:
        self.fields = tuple(
            (s.name, s.kind, s.attribute, s.resolve, s.non_null, s.same, s.coerce, s)
            for s in self.steps
        )


def _step(name: str, parent_type: GraphQLObjectType, details: Any) -> _Step:
    node = details[0].node
    field = parent_type.fields.get(node.name.value)
    step = _Step(name, details)
    if len(details) > 1 or node.directives:
        return step
    if node.name.value == "__typename":
        # What graphql-core answers for it: the name of the type (clients such as Apollo
        # ask for it in every selection).
        type_name = parent_type.name
        step.kind, step.same, step.non_null = _TEXT, str, True
        step.resolve = lambda _root, _context: type_name
        return step
    if field is None:
        return step
    attribute = _plain_attribute(field)
    resolve = _lean_resolver(field)
    if (attribute is None and resolve is None) or not (attribute or "_").isidentifier():
        return step
    step.attribute = attribute or ""
    step.non_null = is_non_null_type(field.type)
    bare = get_nullable_type(field.type)
    if resolve is not None:
        if isinstance(bare, GraphQLObjectType) and _is_lean(bare):
            step.kind, step.field_type, step.resolve = _OBJECT, bare, resolve
    elif is_leaf_type(bare):
        step.field_type, step.coerce = bare, bare.coerce_output_value
        if bare in (GraphQLString, GraphQLID, GraphQLBoolean):
            step.kind, step.same = _TEXT, _SAME[bare.name]
        elif bare is GraphQLInt:
            step.kind, step.same = _INT, int
        elif bare is GraphQLFloat:
            step.kind, step.same = _FLOAT, float
        else:
            step.kind = _LEAF
    elif isinstance(bare, GraphQLObjectType) and _is_lean(bare):
        step.kind, step.field_type = _OBJECT, bare
    elif isinstance(bare, GraphQLList):
        item = bare.of_type
        inner = get_nullable_type(item)
        if isinstance(inner, GraphQLObjectType) and _is_lean(inner):
            step.kind, step.field_type = _LIST, inner
            step.item_non_null = is_non_null_type(item)
    return step


class LeanExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's own execution context, with the lean path for marked types."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (type, id of a collected selection) -> plan. graphql-core keeps every collected
        # selection alive for the request, and each plan keeps its own, so an id is never
        # reused while this lives.
        self._lean_plans: dict[tuple[str, int], _Plan] = {}
        self._lean_types: dict[str, bool] = {}
        manager = self.middleware_manager
        # A middleware must see every field resolved: then nothing is read directly.
        self._lean_on = manager is None or not manager.middlewares

    def _lean_plan(self, parent_type: GraphQLObjectType, grouped: GroupedFieldSet) -> _Plan | None:
        key = (parent_type.name, id(grouped))
        plan = self._lean_plans.get(key)
        if plan is not None:
            return plan
        lean_type = self._lean_types.get(parent_type.name)
        if lean_type is None:
            lean_type = self._lean_types[parent_type.name] = self._lean_on and _is_lean(parent_type)
        if not lean_type:
            return None
        plan = self._lean_plans[key] = _Plan(
            grouped, [_step(name, parent_type, details) for name, details in grouped.items()]
        )
        whole = True
        for step in plan.steps:
            if step.kind in (_OBJECT, _LIST):
                below = self.collect_subfields(step.field_type, step.details)[0]
                step.sub = self._lean_plan(step.field_type, below)
                if step.sub is None:
                    step.kind = _SLOW
                whole = whole and step.sub is not None and step.sub.whole
            elif step.kind == _SLOW:
                whole = False
        plan.whole = whole
        plan.finish()
        if whole:
            plan.reader = _reader(plan, self.is_awaitable)
        return plan

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plan = self._lean_plan(parent_type, grouped_field_set)
        if plan is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        if plan.reader is not None:
            row: dict[str, Any] = plan.reader(source_value, self.context_value)
            if row is not _NOT_FAST:
                return row
        # Field by field: what can be read is read, the rest goes through graphql-core.
        slow: GroupedFieldSet = {}
        pending: list[str] = []
        done = self._read(plan, source_value, (path, parent_type.name), slow)
        for name, value in done.items():
            if self.is_awaitable(value):
                pending.append(name)
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

    def _read(
        self, plan: _Plan, source: Any, where: tuple[Path | None, str], slow: GroupedFieldSet
    ) -> dict[str, Any]:
        """The fields of the row that can be read, as a dict in selection order; each
        unusual one is put into ``slow`` for graphql-core. An object below is executed at
        its path (``where``: the row's path and type name), which may leave an awaitable."""
        out: dict[str, Any] = {}
        context = self.context_value
        for name, kind, attribute, resolve, non_null, same, coerce, step in plan.fields:
            if kind == _SLOW:
                slow[name] = step.details
                continue
            if resolve is None:
                value = getattr(source, attribute, _MISSING)
            else:
                value = resolve(source, context)
                if self.is_awaitable(value) or isinstance(value, Future):
                    value = _MISSING  # not at hand: the field's resolver awaits it
            if value is None:
                if not non_null:
                    out[name] = None
                    continue
            elif value is _MISSING:
                pass  # graphql-core runs the resolver, or reports the missing attribute
            elif type(value) is same and (
                kind == _TEXT
                or (_MIN_INT <= value <= _MAX_INT if kind == _INT else isfinite(value))
            ):
                out[name] = value
                continue
            elif kind <= _LEAF:
                try:
                    value = coerce(value)
                except Exception:
                    value = _NOT_FAST
                if value is Undefined:
                    value = _NOT_FAST
            else:
                value = self._execute_objects(step, value, Path(where[0], name, where[1]))
            if value is None or value is _MISSING or value is _NOT_FAST:
                # Unusual: graphql-core reports the null or the wrong value, or resolves.
                slow[name] = step.details
                continue
            out[name] = value
        return out

    def _execute_objects(self, step: _Step, value: Any, path: Path) -> Any:
        """An object field (or a list of them) executed at ``path``: a value, an awaitable,
        or ``_NOT_FAST``."""
        if step.kind == _OBJECT:
            return self._execute_object(step, value, path)
        if not isinstance(value, list | tuple):
            return _NOT_FAST
        items: list[Any] = []
        pending = False
        for index, item in enumerate(value):
            if item is None:
                if step.item_non_null:
                    return _NOT_FAST
                items.append(None)
                continue
            done = self._execute_object(step, item, path.add_key(index))
            if done is _NOT_FAST:
                return _NOT_FAST
            pending = pending or self.is_awaitable(done)
            items.append(done)
        if not pending:
            return items

        async def later() -> list[Any]:
            return [await i if self.is_awaitable(i) else i for i in items]

        return later()

    def _execute_object(self, step: _Step, value: Any, path: Path) -> Any:
        is_type_of = step.field_type.is_type_of
        if is_type_of is not None and not _fits(is_type_of, value):
            return _NOT_FAST  # graphql-core calls it with info and reports the mismatch
        sub: _Plan = step.sub
        return self.execute_fields(step.field_type, value, path, sub.grouped, None)


def _fits(is_type_of: Callable[..., Any], value: Any) -> bool:
    try:
        return is_type_of(value, None) is True  # ours ignore info
    except Exception:
        return False


# Compiled readers by their source: the same selection gives the same source in every
# request, so a request only binds its plan's functions to it. Bounded: selections are
# as many as the query texts clients send, and a flood of them only empties this.
_COMPILED: dict[str, CodeType] = {}
_COMPILED_KEPT = 512


def _reader(plan: _Plan, is_awaitable: Callable[[Any], bool]) -> Callable[[Any, Any], Any]:
    """A function reading a row of a whole plan: ``reader(row, context)`` gives its fields
    as a dict in selection order, or ``_NOT_FAST`` at the first unusual value or error.

    Generated once per selection (as graphql-jit does for JavaScript): the steps are
    unrolled, each value read with a plain attribute access and checked for its type;
    for a page of 500 appeals that took a third less time than the loop in ``_read``.
    The checks are the loop's, so a row it reads is read as ``_read`` would read it.
    """
    env: dict[str, Any] = {
        "NF": _NOT_FAST,
        "U": Undefined,
        "Future": Future,
        "AW": is_awaitable,
        "isfinite": isfinite,
    }
    lines = ["def read(src, ctx):", "    try:"]
    put = lines.append
    for i, step in enumerate(plan.steps):
        env[f"K{i}"] = step.name
        v = f"v{i}"
        if step.resolve is not None:
            env[f"R{i}"] = step.resolve
            put(f"        {v} = R{i}(src, ctx)")
        else:  # a Python attribute name (see _step): an attribute access in the source
            put(f"        {v} = src.{step.attribute}")
        put(f"        if {v} is None:")
        put("            return NF" if step.non_null else "            pass")
        kind = step.kind
        if kind <= _LEAF:
            env[f"C{i}"], env[f"T{i}"] = step.coerce, step.same
            if kind == _TEXT:
                put(f"        elif type({v}) is not T{i}:")
            elif kind == _INT:
                put(f"        elif type({v}) is not int or not {_MIN_INT} <= {v} <= {_MAX_INT}:")
            elif kind == _FLOAT:
                put(f"        elif type({v}) is not float or not isfinite({v}):")
            else:
                put("        else:")
            put(f"            {v} = C{i}({v})")
            put(f"            if {v} is None or {v} is U:")
            put("                return NF")
            continue
        sub = cast(_Plan, step.sub)
        put("        else:")
        if step.resolve is not None:
            put(f"            if AW({v}) or isinstance({v}, Future):")
            put("                return NF")
        if kind == _OBJECT:
            env[f"S{i}"] = sub.reader
            if step.field_type.is_type_of is not None:
                env[f"I{i}"] = step.field_type.is_type_of
                put(f"            if I{i}({v}, None) is not True:")  # ours ignore info
                put("                return NF")
            put(f"            {v} = S{i}({v}, ctx)")
        else:
            env[f"S{i}"] = _list_reader(step, cast(Callable[[Any, Any], Any], sub.reader))
            put(f"            {v} = S{i}({v}, ctx)")
        put(f"            if {v} is NF:")
        put("                return NF")
    put("        return {" + ", ".join(f"K{i}: v{i}" for i in range(len(plan.steps))) + "}")
    put("    except Exception:")
    put("        return NF")
    source = "\n".join(lines)
    code = _COMPILED.get(source)
    if code is None:
        if len(_COMPILED) >= _COMPILED_KEPT:
            _COMPILED.clear()
        code = _COMPILED[source] = compile(source, "<hromada.graphql.lean reader>", "exec")
    exec(code, env)  # noqa: S102 - our own source: no text of the query is in it
    return cast(Callable[[Any, Any], Any], env["read"])


def _list_reader(step: _Step, read_item: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    is_type_of = step.field_type.is_type_of
    item_non_null = step.item_non_null

    def read_list(value: Any, context: Any) -> Any:
        if not isinstance(value, list | tuple):
            return _NOT_FAST
        items: list[Any] = []
        append = items.append
        for item in value:
            if item is None:
                if item_non_null:
                    return _NOT_FAST
                append(None)
                continue
            if is_type_of is not None and is_type_of(item, None) is not True:
                return _NOT_FAST  # raising is caught by the reader that called this
            done = read_item(item, context)
            if done is _NOT_FAST:
                return _NOT_FAST
            append(done)
        return items

    return read_list
