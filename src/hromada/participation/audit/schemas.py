"""The audit log on the wire."""

from __future__ import annotations

from typing import Any

import msgspec


class AuditEntryOut(msgspec.Struct):
    seq: int
    at: str
    domain: str
    subject: str
    action: str
    actor: str
    detail: dict[str, Any]
    prev_hash: str
    entry_hash: str


class AuditHead(msgspec.Struct):
    entries: int
    head_hash: str
    at: str | None
