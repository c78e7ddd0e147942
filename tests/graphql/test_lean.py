"""Lean rows answer exactly what graphql-core answers: the same data, the same errors.

Each query runs twice over the same rows, once with strawberry's own execution
(every field resolved one by one) and once with ``LeanExecutionContext``; the
results must be equal, errors (message, path, locations) included. The rows
hold the unusual values lean execution must hand to graphql-core: nulls in
non-null fields, numbers out of range, values of the wrong type, missing
attributes, an object of the wrong type, relations not at hand.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info

from hromada.graphql.lean import LEAN_RESOLVE, LeanExecutionContext, lean


@dataclass
class PlaceRow:
    code: Any
    name: Any = "Центр"


@dataclass
class ItemRow:
    id: Any
    title: Any
    score: Any = 1.5
    done: Any = False
    at: Any = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    kind: Any = None
    note: Any = None
    place_code: Any = "c"
    tags: Any = field(default_factory=list)


@strawberry.enum
class Kind(Enum):
    A = "a"
    B = "b"


@lean
@strawberry.type
class Place:
    code: str
    name: str | None

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        if getattr(obj, "code", None) == "boom":
            raise ValueError("cannot tell")
        return isinstance(obj, PlaceRow | cls)


@lean
@strawberry.type
class Tag:
    label: str


def _place(root: ItemRow, context: Any) -> Any:
    if root.place_code is None:
        return None
    found = context["places"].get(root.place_code)
    if found is None:  # not at hand: the resolver awaits it
        return context["later"](root.place_code)
    return found


@lean
@strawberry.type
class Item:
    id: int
    title: str
    score: float | None
    done: bool
    at: dt.datetime
    kind: Kind | None
    note: str | None
    tags: list[Tag]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, ItemRow | cls)

    @strawberry.field(metadata={LEAN_RESOLVE: _place})
    async def place(self, root: ItemRow, info: Info[Any, Any]) -> Place | None:
        found = _place(root, info.context)
        return await found if isinstance(found, asyncio.Future) else found

    @strawberry.field
    def shout(self, root: ItemRow) -> str:
        return str(root.title).upper()


@lean
@strawberry.type
class Edge:
    cursor: str
    node: Item


@lean
@strawberry.type
class Connection:
    edges: list[Edge]
    count: int


@dataclass
class EdgeRow:
    cursor: Any
    node: Any


@dataclass
class ConnectionRow:
    edges: Any
    count: Any = 0


ROWS: list[Any] = []


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> Connection:
        return ConnectionRow(  # type: ignore[return-value]  # read by attribute
            edges=[EdgeRow(cursor=f"c{i}", node=row) for i, row in enumerate(ROWS)],
            count=len(ROWS),
        )


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    graphql_core = strawberry.Schema(
        query=Query, execution_context_class=StrawberryGraphQLCoreExecutionContext
    )
    lean_rows = strawberry.Schema(query=Query, execution_context_class=LeanExecutionContext)
    return graphql_core, lean_rows


GOOD = [
    ItemRow(
        id=i,
        title=f"Звернення {i}",
        kind=Kind.A if i % 2 else None,
        note=None if i % 3 else "примітка",
        score=None if i == 2 else i / 3,
        tags=[type("TagRow", (), {"label": f"t{i}"})()],
    )
    for i in range(1, 6)
]


class _Missing:
    """A row without the ``note`` attribute at all."""

    def __init__(self, base: ItemRow) -> None:
        self.__dict__.update({k: v for k, v in vars(base).items() if k != "note"})


def _with(**change: Any) -> ItemRow:
    row = ItemRow(**vars(GOOD[0]))
    for name, value in change.items():
        setattr(row, name, value)
    return row


UNUSUAL = {
    "null in a non-null field": _with(title=None),
    "int over 32 bits": _with(id=2**31),
    "int as text": _with(id="12"),
    "bad int text": _with(id="twelve"),
    "bool for an int": _with(id=True),
    "float not finite": _with(score=float("nan")),
    "int for a float": _with(score=3),
    "text for a float": _with(score="2.5"),
    "number for text": _with(title=42),
    "number for a boolean": _with(done=1),
    "text for a datetime": _with(at="yesterday"),
    "text for an enum": _with(kind="a"),
    "unknown enum": _with(kind="zzz"),
    "missing attribute": _Missing(GOOD[0]),
    "a row of the wrong type": PlaceRow(code="x"),
    "a relation not at hand": _with(place_code="later"),
    "a relation of the wrong type": _with(place_code="bad"),
    "a type check that raises": _with(place_code="boom"),
    "a null item in a non-null list": _with(tags=[None]),
    "a list that is not one": _with(tags=5),
}

SELECTION = "id title score done at kind note tags { label } place { code name }"
QUERIES = {
    "every plain field": f"{{ items {{ count edges {{ cursor node {{ {SELECTION} }} }} }} }}",
    "typename everywhere": "{ items { __typename edges { __typename node { __typename id "
    "place { __typename code } } } } }",
    "a resolver among plain fields": "{ items { edges { node { id shout title } } } }",
    "aliases": "{ items { edges { node { a: id b: id title t: title } } } }",
    "directives": "query($on: Boolean = true) { items { edges { node { id "
    "title @include(if: $on) note @skip(if: $on) } } } }",
    "fragments": "{ items { edges { node { ...F ... on Item { place { ...P } } } } } } "
    "fragment F on Item { id title } fragment P on Place { name }",
}


async def _run(schema: strawberry.Schema, query: str) -> tuple[Any, list[Any]]:
    def later(code: str) -> Any:
        # Like a DataLoader's future for a key no one loaded before.
        future = asyncio.get_running_loop().create_future()
        future.set_result(PlaceRow(code=code, name="Пізніше"))
        return future

    places = {"c": PlaceRow(code="c"), "bad": ItemRow(id=1, title="x"), "boom": PlaceRow("boom")}
    context = {"places": places, "later": later}
    result = await schema.execute(query, context_value=context)
    return result.data, [e.formatted for e in result.errors or []]


@pytest.mark.parametrize("query", QUERIES.values(), ids=list(QUERIES))
@pytest.mark.parametrize("unusual", [None, *UNUSUAL], ids=["usual", *UNUSUAL])
async def test_lean_rows_answer_what_graphql_core_answers(query: str, unusual: str | None) -> None:
    rows: list[Any] = list(GOOD)
    if unusual is not None:
        rows.insert(2, UNUSUAL[unusual])
    ROWS[:] = rows
    graphql_core, lean_rows = _schemas()
    expected = await _run(graphql_core, query)
    got = await _run(lean_rows, query)
    assert got == expected
    if unusual is None:
        assert not expected[1] and expected[0]["items"]["edges"]


async def test_an_unusual_row_leaves_the_others_lean(monkeypatch: pytest.MonkeyPatch) -> None:
    ROWS[:] = [*GOOD, _with(score="many"), *GOOD]
    _, lean_rows = _schemas()
    resolved: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.execute_field

    def counted(self: Any, parent_type: Any, *args: Any, **kwargs: Any) -> Any:
        resolved.append(parent_type.name)
        return original(self, parent_type, *args, **kwargs)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counted)
    data, errors = await _run(lean_rows, QUERIES["every plain field"])
    assert data is not None and len(data["items"]["edges"]) == len(ROWS)
    assert data["items"]["edges"][len(GOOD)]["node"]["score"] is None
    assert [e["path"] for e in errors] == [["items", "edges", len(GOOD), "node", "score"]]
    # graphql-core resolved the root field and the one bad value, nothing of the good rows.
    assert resolved == ["Query", "Item"]
