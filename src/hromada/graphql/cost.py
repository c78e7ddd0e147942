"""A cost limit for GraphQL, computed from the query before anything runs.

The cost of an operation is what its resolvers may fetch: every object field
costs 1 for each time it can appear, and a list multiplies everything below
it by its size: ``first``/``last``/``limit`` when given, the argument's
default otherwise (a connection's ``edges`` or a search's ``hits`` are sized by
the connection's arguments).
Fields that scan many rows declare a heavier weight with
``strawberry.field(metadata=cost(N))`` (statistics, search). Scalar fields
are free: they are attributes of rows already fetched.

An operation over the caller's budget (smaller for anonymous callers than
for a key or a session) is refused with one GraphQL error and nothing runs;
every answer says what the operation cost and what was left of the budget
in ``extensions.cost``.

Parsing and validating the same query text again for every request took
about 2 ms of a 500-row answer: a document that passed validation is kept
(:class:`Documents`, bounded, per schema) and the next request with the same
text, parse options and rules takes it as it is. Only valid documents are
kept, so every refusal (a syntax error, too many tokens, too deep, an
unknown field, introspection when it is off) is found again each time, with
the same error; the cost is priced for every request, since it depends on the
variables and the caller.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping
from typing import Any

from graphql.language.ast import DocumentNode
from strawberry.extensions import SchemaExtension

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    validate,
)
from hromada.auth.guard import principal_of
from hromada.paging import DEFAULT_LIMIT

log = logging.getLogger("hromada.graphql")

COST_KEY = "hromada.cost"
SIZE_ARGUMENTS = ("first", "last", "limit")
# A list without a size argument (districts, a version's files, statistics groups):
# they are short, but not free.
UNSIZED_LIST = 10
# A statistics answer scans every matching row: priced like a thousand fetched rows.
STATS_COST = 1000


def cost(weight: int) -> dict[str, int]:
    """``strawberry.field(metadata=cost(N))``: the field costs N each time it can appear."""
    return {COST_KEY: weight}


def _weight(field: Any) -> int | None:
    definition = (field.extensions or {}).get("strawberry-definition")
    metadata = getattr(definition, "metadata", None) or {}
    weight = metadata.get(COST_KEY)
    return int(weight) if weight is not None else None


def _size(node: FieldNode, field: Any, variables: Mapping[str, Any]) -> int:
    arguments = {a.name.value: a.value for a in node.arguments or ()}
    for name in SIZE_ARGUMENTS:
        value = arguments.get(name)
        if isinstance(value, IntValueNode):
            return max(0, int(value.value))
        if isinstance(value, VariableNode) and isinstance(variables.get(value.name.value), int):
            return max(0, int(variables[value.name.value]))
    for name in SIZE_ARGUMENTS:
        argument = field.args.get(name)
        if argument is not None:
            default = argument.default_value
            return default if isinstance(default, int) and default > 0 else DEFAULT_LIMIT
    return UNSIZED_LIST


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def selections(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        times: int,
        paged: bool = False,
    ) -> Iterator[int]:
        """``paged``: the parent is a connection whose size ``times`` already holds."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield self.field(selection, parent, times, paged)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                yield from self.selections(selection.selection_set, target or parent, times, paged)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:  # validation has ruled out cycles
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    yield from self.selections(
                        fragment.selection_set, target or parent, times, paged
                    )

    def field(self, node: FieldNode, parent: GraphQLNamedType, times: int, paged: bool) -> int:
        fields = getattr(parent, "fields", None) or {}
        field = fields.get(node.name.value)
        if field is None:  # __typename, introspection
            return times if node.selection_set else 0
        weight = _weight(field)
        if node.selection_set is None:
            return (weight or 0) * times
        is_list = is_list_type(get_nullable_type(field.type))
        sized = any(a in field.args for a in SIZE_ARGUMENTS)
        size = 1
        if sized or (is_list and not paged):
            size = _size(node, field, self.variables)
        # A connection's page (its edges, a search's hits) is the size already counted.
        own = (weight if weight is not None else 1) * times
        below = self.selections(
            node.selection_set, get_named_type(field.type), times * size, sized and not is_list
        )
        return own + sum(below)


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    """The cost of the operation ``operation_name`` picks (of a validated document)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name is not None and o.name.value == operation_name)
    ]
    if len(chosen) != 1:
        return 0  # graphql-core refuses it before executing anything
    operation = chosen[0]
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    values: dict[str, Any] = {
        d.variable.name.value: int(d.default_value.value)
        for d in operation.variable_definitions or ()
        if isinstance(d.default_value, IntValueNode)
    }
    values.update(variables or {})
    walk = _Walk(schema, fragments, values)
    return sum(walk.selections(operation.selection_set, root, 1))


# Query texts whose documents are kept: a client sends a few queries again and again;
# a flood of distinct texts only pushes the oldest out.
DOCUMENTS_KEPT = 128


class Documents:
    """Documents that passed validation, by query text, parse options and rules; the
    least recently used goes first. One per schema: the rules come from its settings."""

    def __init__(self, size: int = DOCUMENTS_KEPT) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, DocumentNode] = OrderedDict()

    def get(self, key: Hashable) -> DocumentNode | None:
        document = self._kept.get(key)
        if document is not None:
            self._kept.move_to_end(key)
        return document

    def put(self, key: Hashable, document: DocumentNode) -> None:
        self._kept[key] = document
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)


class CostLimit(SchemaExtension):
    """Refuse an operation over the caller's budget before it executes.

    It validates the document itself (with every rule the schema has, so the
    normal validation is not run twice) and, when it is valid, prices it. With
    ``documents``, a query text validated before is neither parsed nor validated again.
    """

    def __init__(self, *, anonymous: int, keyed: int, documents: Documents | None = None) -> None:
        self.anonymous = anonymous
        self.keyed = keyed
        self.documents = documents
        self.result: dict[str, int] | None = None
        self._key: Hashable = None
        self._kept: DocumentNode | None = None

    def _budget(self) -> int:
        request = getattr(self.execution_context.context, "request", None)
        if request is not None and principal_of(request).authenticated:
            return self.keyed
        return self.anonymous

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        if self.documents is not None and ctx.graphql_document is None and ctx.query:
            # The rules by name: an extension adding one for some requests only makes
            # another key, not a document valid without it.
            self._key = (
                ctx.query,
                tuple(sorted(ctx.parse_options.items())),
                tuple(rule.__qualname__ for rule in ctx.validation_rules),
            )
            self._kept = self.documents.get(self._key)
            ctx.graphql_document = self._kept  # None: strawberry parses it
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None and ctx.pre_execution_errors is None:
            if self._kept is not None and document is self._kept:
                errors: list[GraphQLError] = []  # validated with these rules before
            else:
                errors = validate(ctx.schema._schema, document, ctx.validation_rules)
                if not errors and self.documents is not None and self._key is not None:
                    self.documents.put(self._key, document)
            if not errors:
                budget = self._budget()
                spent = operation_cost(
                    ctx.schema._schema, document, ctx.operation_name, ctx.variables
                )
                left = max(0, budget - spent)
                self.result = {"requested": spent, "budget": budget, "remaining": left}
                if spent > budget:
                    errors = [
                        GraphQLError(
                            f"query cost {spent} is over this caller's budget of {budget}: "
                            "ask for fewer rows (first/last), fewer statistics or less "
                            "nesting, or send an API key for a larger budget",
                            extensions={"code": "COST_LIMIT", "cost": self.result},
                        )
                    ]
            ctx.pre_execution_errors = list(errors)
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.result} if self.result is not None else {}
