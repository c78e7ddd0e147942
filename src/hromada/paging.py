"""Keyset pagination shared by every list: opaque cursors and a hard page-size maximum.

A service orders its query by a unique key, asks for ``limit + 1`` rows after
the cursor, and hands the rows to :func:`make_page`. The cursor is the key of
the last row as base64-encoded JSON followed by an HMAC of it: clients treat it
as opaque, and a forged or edited cursor (``["abc"]``, ``[NaN]``, a huge number,
5,000 nested brackets) is refused before its content is read, so no value a
client made up ever reaches a query. The key comes from the server secret
(:func:`configure_cursor_key`), so every process of one installation accepts
the cursors of the others.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import msgspec

from hromada.bounds import MAX_KEY_INT
from hromada.errors import InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT = 50

# Longer than any cursor this API makes (a few keys of at most a few hundred characters).
MAX_CURSOR_LENGTH = 1024
_SIGNATURE_BYTES = 12

# Without a configured secret (tests, one development process) a key per process.
_key = secrets.token_bytes(32)


def configure_cursor_key(secret: str) -> None:
    """Sign cursors with a key derived from the installation's secret (set at start-up)."""
    global _key
    if secret:
        _key = hmac.new(secret.encode(), b"hromada cursor v1", hashlib.sha256).digest()


def _signature(payload: bytes) -> str:
    # Keyed BLAKE2b is a MAC by design, and three times HMAC-SHA256's speed on a cursor's
    # few dozen bytes (a page of 500 GraphQL edges signs 500 cursors).
    digest = hashlib.blake2b(payload, key=_key, digest_size=_SIGNATURE_BYTES).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _earlier_signature(payload: bytes) -> str:
    # Cursors signed before BLAKE2b (HMAC-SHA256) stay good: a client paging through an
    # upgrade goes on where it was.
    digest = hmac.digest(_key, payload, "sha256")[:_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    next_cursor: str | None
    total: int | None = None
    total_is_estimate: bool = False


_plain_json = msgspec.json.Encoder()


def encode_cursor(key: Sequence[Any]) -> str:
    # A key of strings and integers (nearly every list's) is encoded by msgspec, about ten
    # times json.dumps's speed; a page of 500 GraphQL edges makes 500 cursors. Anything
    # else keeps json's str() fallback. Both decode with json.loads.
    if all(type(part) is str or type(part) is int for part in key):
        raw = _plain_json.encode(list(key))
    else:
        raw = json.dumps(list(key), separators=(",", ":"), default=str).encode()
    payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{payload}.{_signature(payload.encode())}"


def _verified_key(cursor: str) -> Any:
    """The JSON inside a cursor this installation signed; None for anything else."""
    if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        return None
    payload, dot, signature = cursor.rpartition(".")
    signed = payload.encode()
    if not dot or not (
        hmac.compare_digest(signature, _signature(signed))
        or hmac.compare_digest(signature, _earlier_signature(signed))
    ):
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


# The longest text a cursor's key may hold (codes, slugs, ISO times).
MAX_KEY_TEXT = 200


def decode_cursor(
    cursor: str | None, arity: int, kinds: tuple[type, ...] | None = None
) -> list[Any] | None:
    """The key inside ``cursor``; a cursor that was not made by us is a clear 422.

    ``kinds`` gives the type of each part of the key (``int``: a key between 0 and 2³¹−1;
    ``str``: text of at most ``MAX_KEY_TEXT``): a cursor is signed, so an attacker's best
    cursor is a genuine one of another list, whose key has other types."""
    if not cursor:
        return None
    key = _verified_key(cursor)
    if not isinstance(key, list) or len(key) != arity or not _fits(key, kinds):
        raise InvalidInput(
            "cursor is not one this API issued: pass next_cursor from the previous page as is",
            errors=[{"where": "query", "name": "cursor", "message": "unreadable cursor"}],
        )
    return key


def _fits(key: list[Any], kinds: tuple[type, ...] | None) -> bool:
    if kinds is None:
        return True
    return len(kinds) == len(key) and all(
        (kind is int and type(value) is int and 0 <= value <= MAX_KEY_INT)
        or (kind is str and type(value) is str and len(value) <= MAX_KEY_TEXT)
        for value, kind in zip(key, kinds, strict=True)
    )


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
