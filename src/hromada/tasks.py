"""Ending background tasks without losing a cancellation."""

from __future__ import annotations

import asyncio
from typing import Any


async def cancel_and_wait(task: asyncio.Future[Any]) -> None:
    """Cancel ``task`` and wait until it has ended, whatever it ended with.

    ``task.cancel()`` followed by ``await task`` under ``suppress(CancelledError)``
    also swallows a cancellation of the *caller* that arrives during the wait: a
    worker cancelled at that moment then ran on forever, and the app's shutdown
    waited for it forever. ``gather(..., return_exceptions=True)`` keeps the
    task's own ending as a value, while a cancellation of the caller still raises.
    """
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
