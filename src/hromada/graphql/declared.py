"""GraphQL fields derived from a domain's declaration (see ``hromada.shapes``).

``@declared(AppealOut)`` under ``@strawberry.type`` gives the type one field per
declared field, with the same names, types and nullability; ``input=True`` makes
every field optional with a null default, for filter inputs. ``exclude`` leaves
out fields the type answers differently (a relation in place of a code, say).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
import strawberry

from hromada.shapes import declared_fields

T = TypeVar("T")


def declared(
    declaration: type[msgspec.Struct], *, input: bool = False, exclude: tuple[str, ...] = ()
) -> Callable[[type[T]], type[T]]:
    def decorate(cls: type[T]) -> type[T]:
        annotations: dict[str, Any] = {}
        for field in declared_fields(declaration):
            if field.name in exclude:
                continue
            kind: Any = list[field.base] if field.is_list else field.base  # type: ignore[name-defined]
            if field.optional or input:
                kind = kind | None
            annotations[field.name] = kind
            if input:
                setattr(
                    cls, field.name, strawberry.field(default=None, description=field.description)
                )
        cls.__annotations__ = {**annotations, **inspect.get_annotations(cls)}
        return cls

    return decorate
