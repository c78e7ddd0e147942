"""Errors the domain raises. They know nothing of HTTP; ``api.errors`` maps them to statuses."""

from __future__ import annotations

from typing import Any


class HromadaError(Exception):
    """Base of every error a client can cause. ``detail`` is safe to show to the client."""

    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidInput(HromadaError):
    title = "Invalid input"


class NotFound(HromadaError):
    title = "Not found"


class Conflict(HromadaError):
    title = "Conflict"


class Forbidden(HromadaError):
    title = "Forbidden"


class Unauthenticated(HromadaError):
    title = "Authentication required"


class TooLarge(HromadaError):
    title = "Content too large"


class Unavailable(HromadaError):
    """A backing service (database, search) cannot answer now."""

    title = "Service unavailable"
