"""Keyset pagination shared by every list: opaque cursors and a hard page-size maximum.

A service orders its query by a unique key, asks for ``limit + 1`` rows after
the cursor, and hands the rows to :func:`make_page`. The cursor is the key of
the last row, base64-encoded JSON, so clients treat it as opaque.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import msgspec

from hromada.errors import InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT = 50


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int | None = None
    total_is_estimate: bool = False


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    """The key inside ``cursor``; a cursor that was not made by us is a clear 422."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or len(key) != arity:
        raise InvalidInput(
            "cursor is not one this API issued: pass next_cursor from the previous page as is",
            errors=[{"where": "query", "name": "cursor", "message": "unreadable cursor"}],
        )
    return key


def check_limit(limit: int, maximum: int) -> int:
    if limit < 1 or limit > maximum:
        raise InvalidInput(
            f"limit must be between 1 and {maximum}",
            errors=[{"where": "query", "name": "limit", "message": f"1..{maximum}"}],
        )
    return limit


def make_page(rows: list[T], limit: int, key: Callable[[T], Sequence[Any]]) -> Page[T]:
    """Cut the ``limit + 1`` rows a service fetched into a page and the next cursor."""
    has_more = len(rows) > limit
    items = rows[:limit]
    next_cursor = encode_cursor(key(items[-1])) if has_more and items else None
    return Page(items=items, next_cursor=next_cursor)
