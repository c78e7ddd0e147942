"""Relay plumbing shared by every connection: page info, paging arguments, global ids.

A connection is paged forwards with ``first``/``after`` or backwards with
``last``/``before``. Every edge cursor is the opaque keyset cursor of its row
(the same encoding as the REST ``next_cursor``), so any edge's cursor can be
passed back as ``after`` or ``before``. The service puts ``key > after`` (or
``key < before`` in reverse order) and ``LIMIT n + 1`` into SQL; nothing here
loads a whole list.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry

from hromada.bounds import MAX_KEY_INT
from hromada.errors import InvalidInput
from hromada.paging import DEFAULT_LIMIT, decode_cursor, encode_cursor

T = TypeVar("T")


@strawberry.type(description="Where a page sits in its list (Relay cursor connections)")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool = strawberry.field(
        description="True when paging backwards and rows remain before; when paging "
        "forwards, true after the first page"
    )
    start_cursor: str | None = strawberry.field(description="The first edge's cursor")
    end_cursor: str | None = strawberry.field(
        description="The last edge's cursor (set on the last page too): pass it as `after`"
    )


@dataclass(frozen=True)
class Window:
    """The paging arguments of one connection field, checked and decoded."""

    limit: int
    after: tuple[Any, ...] | None
    before: tuple[Any, ...] | None
    backward: bool


def window(
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    maximum: int,
    key: tuple[type, ...] = (str,),
    default: int = DEFAULT_LIMIT,
) -> Window:
    """``key`` gives the type of each part of the cursor's key (``int`` or ``str``)."""
    if first is not None and last is not None:
        raise InvalidInput(
            "pass first or last, not both",
            errors=[{"where": "arguments", "name": "last", "message": "with first"}],
        )
    size = last if last is not None else first if first is not None else default
    if size < 1 or size > maximum:
        raise InvalidInput(
            f"first/last must be between 1 and {maximum}",
            errors=[{"where": "arguments", "name": "first", "message": f"1..{maximum}"}],
        )
    return Window(
        limit=size,
        after=_key(after, key, "after"),
        before=_key(before, key, "before"),
        backward=last is not None,
    )


MAX_KEY_TEXT = 200


def _key(cursor: str | None, types: tuple[type, ...], name: str) -> tuple[Any, ...] | None:
    decoded = decode_cursor(cursor, len(types))
    if decoded is None:
        return None
    for value, kind in zip(decoded, types, strict=True):
        fits = (kind is int and type(value) is int and 0 <= value <= MAX_KEY_INT) or (
            kind is str and isinstance(value, str) and len(value) <= MAX_KEY_TEXT
        )
        if not fits:
            raise InvalidInput(
                "cursor is not one this API issued: pass an edge's cursor as is",
                errors=[{"where": "arguments", "name": name, "message": "unreadable cursor"}],
            )
    return tuple(decoded)


@dataclass(frozen=True)
class Slice(Generic[T]):
    """One page cut from the ``limit + 1`` rows a service returned, in list order."""

    items: list[T]
    cursors: list[str]
    page_info: PageInfo


def cut(rows: Sequence[T], w: Window, key: Callable[[T], Sequence[Any]]) -> Slice[T]:
    """``rows`` come nearest-first: ascending forwards, descending when paging backwards."""
    more = len(rows) > w.limit
    items = list(rows[: w.limit])
    if w.backward:
        items.reverse()
    cursors = [encode_cursor(key(item)) for item in items]
    if w.backward:
        has_next, has_previous = w.before is not None, more
    else:
        has_next, has_previous = more, w.after is not None
    return Slice(
        items=items,
        cursors=cursors,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
    )


# ---------------------------------------------------------------------------- global ids


def global_id(type_name: str, key: object) -> strawberry.ID:
    raw = f"{type_name}:{key}".encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def parse_global_id(value: str) -> tuple[str, str] | None:
    """``(type name, key)`` of an id this API issued, or None for anything else."""
    if len(value) > 400:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    type_name, sep, key = raw.partition(":")
    return (type_name, key) if sep and type_name and key else None


@strawberry.interface(description="An object with a global id: fetch it again with `node(id:)`")
class Node:
    id: strawberry.ID
