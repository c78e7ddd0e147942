"""Errors the domain raises. They know nothing of HTTP; ``api.errors`` maps them to statuses."""

from __future__ import annotations

import errno
import socket
import sqlite3
from typing import Any


class HromadaError(Exception):
    """Base of every error a client can cause. ``detail`` is safe to show to the client.

    ``code`` names the error for machines (problem details carry it) and for people: the
    portal shows the text its message catalogues hold as ``error.<code>``, with ``values``
    in its placeholders, in the reader's language (``detail`` is English)."""

    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        code: str | None = None,
        values: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.code = code
        self.values = values or {}


class InvalidInput(HromadaError):
    title = "Invalid input"


class FileRefused(InvalidInput):
    """The file is not what it claims to be, or exceeds a bound; nothing was read from it."""

    title = "File refused"


class NotFound(HromadaError):
    title = "Not found"


class Conflict(HromadaError):
    title = "Conflict"


class Gone(NotFound):
    """It was here and was removed on purpose; ``successor`` is the site-relative URL of
    what replaced it (a pruned version: the same file of the latest version)."""

    title = "Gone"

    def __init__(self, detail: str, *, successor: str) -> None:
        super().__init__(detail)
        self.successor = successor


class Forbidden(HromadaError):
    title = "Forbidden"


class Unauthenticated(HromadaError):
    title = "Authentication required"


class TooLarge(HromadaError):
    title = "Content too large"


class TooMany(HromadaError):
    """A rule of the domain limits how often one person may do this; ``retry_after`` is
    how many seconds until they may again."""

    title = "Too many requests"

    def __init__(
        self,
        detail: str,
        *,
        retry_after: int,
        code: str | None = None,
        values: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail, code=code, values=values)
        self.retry_after = retry_after


class Unavailable(HromadaError):
    """A backing service (database, search) cannot answer now."""

    title = "Service unavailable"


# Errors of a backing service that is down or overloaded, not of the request: the
# database refusing connections, a pool that cannot connect, SQLite busy past its
# timeout or out of disk. Every transport answers them "try again" (REST: 503 with
# Retry-After; GraphQL: masked, code UNAVAILABLE) and never shows the driver's text.
_OUTAGE_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ETIMEDOUT,
        errno.ENOSPC,
    }
)
_SQLITE_OUTAGES = ("database is locked", "unable to open database", "disk i/o", "is full")
UNAVAILABLE_DETAIL = "A service hromada depends on cannot answer right now; try again shortly."


def _outage_types() -> tuple[type[BaseException], ...]:
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg comes with piccolo[postgres]
        return (ConnectionError, TimeoutError, socket.gaierror)
    return (
        ConnectionError,
        TimeoutError,
        socket.gaierror,
        asyncpg.PostgresConnectionError,
        asyncpg.ConnectionDoesNotExistError,
        asyncpg.CannotConnectNowError,
        asyncpg.TooManyConnectionsError,
        asyncpg.AdminShutdownError,
        asyncpg.CrashShutdownError,
        asyncpg.DiskFullError,
    )


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) means a backing service cannot answer now."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (Unavailable, *_outage_types())):
            return True
        if isinstance(current, OSError) and current.errno in _OUTAGE_ERRNOS:
            return True
        if isinstance(current, sqlite3.OperationalError) and any(
            marker in str(current).lower() for marker in _SQLITE_OUTAGES
        ):
            return True
        current = current.__cause__ or current.__context__
    return False


_STATUS: dict[type[HromadaError], int] = {
    InvalidInput: 422,
    Gone: 410,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Unauthenticated: 401,
    TooLarge: 413,
    TooMany: 429,
    Unavailable: 503,
}


def status_of(exc: HromadaError) -> int:
    """The HTTP status of a domain error, for every transport that answers over HTTP."""
    return next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 400)
