"""Readiness checks. Each subsystem registers one: a coroutine returning "ok" or why not."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from hromada import db
from hromada.migrations import pending_migrations

Check = Callable[[], Awaitable[str]]

CHECK_TIMEOUT = 3.0


async def database_check() -> str:
    try:
        await db.ping()
    except Exception as exc:  # any driver error means "not reachable"
        return f"unreachable ({type(exc).__name__})"
    return "ok"


async def migrations_check() -> str:
    try:
        pending = await pending_migrations()
    except Exception as exc:
        return f"cannot read migrations ({type(exc).__name__})"
    if pending:
        return f"{len(pending)} migration(s) not applied: run `hromada migrate`"
    return "ok"


DEFAULT_CHECKS: dict[str, Check] = {"database": database_check, "migrations": migrations_check}


async def check_ready(state: Any) -> dict[str, str]:
    checks: dict[str, Check] = {**DEFAULT_CHECKS, **state.get("readiness_checks", {})}
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            results[name] = await asyncio.wait_for(check(), CHECK_TIMEOUT)
        except TimeoutError:
            results[name] = f"no answer within {CHECK_TIMEOUT:.0f}s"
    return results


async def readiness_info(state: Any) -> dict[str, Any]:
    """What subsystems show in ``/ready`` without deciding it (the jobs queue, say)."""
    out: dict[str, Any] = {}
    for name, info in state.get("readiness_info", {}).items():
        try:
            out[name] = await asyncio.wait_for(info(), CHECK_TIMEOUT)
        except Exception as exc:  # the database may be what is missing: the checks say so
            out[name] = {"status": f"unknown ({type(exc).__name__})"}
    return out
