"""Query parameters derived from a domain's filter declaration.

A domain declares its filters once, as a msgspec Struct (see ``hromada.shapes``).
:func:`filter_query` turns a handler's ``filters`` parameter into one query
parameter per declared field, with the field's description, and hands the handler
the Struct the domain's ``build`` function makes from them. A list field is one
comma-separated parameter; a yes/no field is a boolean; every other field is text
that the domain parses itself (so its errors are the domain's, the same in REST
and GraphQL).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.params import PathParameter, QueryParameter

from hromada.bounds import MAX_KEY_INT
from hromada.shapes import declared_fields

F = TypeVar("F", bound=Callable[..., Any])


def filter_query(
    declaration: type[msgspec.Struct], build: Callable[..., Any], *, name: str = "filters"
) -> Callable[[F], F]:
    """Replace the handler's ``name`` parameter by the query parameters of ``declaration``."""
    fields = declared_fields(declaration)

    def decorate(handler: F) -> F:
        signature = inspect.signature(handler)
        generated = []
        annotations = dict(handler.__annotations__)
        annotations.pop(name)
        for field in fields:
            wire = bool if field.base is bool and not field.is_list else str
            kwargs = {"description": field.description} if field.description else {}
            annotation = Annotated[wire | None, QueryParameter(**kwargs)]  # type: ignore[valid-type]
            annotations[field.name] = annotation
            generated.append(
                inspect.Parameter(
                    field.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation
                )
            )
        parameters = []
        for parameter in signature.parameters.values():
            if parameter.name == name:
                parameters.extend(generated)
            elif (
                parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
                and parameter.name != "self"
            ):
                parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))
            else:
                parameters.append(parameter)

        @functools.wraps(handler)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {field.name: kwargs.pop(field.name, None) for field in fields}
            kwargs[name] = build(**values)
            return await handler(*args, **kwargs)

        wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = annotations
        return wrapper  # type: ignore[return-value]

    return decorate


# A row id in a path: bounded like every parsed value (hromada.bounds), so an id no row
# can have is a 400/422 answer, not an overflow in the database driver.
RowId = Annotated[int, PathParameter(ge=1, le=MAX_KEY_INT, description="A row id")]
