"""Ending background tasks: a cancellation of the caller is never swallowed."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from hromada.tasks import cancel_and_wait


async def _stubborn() -> None:
    """A subtask that takes a moment to end once cancelled (a lease renewal's last write)."""
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        await asyncio.sleep(0.2)
        raise


async def _old_way(sub: asyncio.Task[None]) -> None:
    sub.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sub


@pytest.mark.parametrize("swallows", [False, True], ids=["cancel_and_wait", "suppress"])
async def test_a_caller_cancelled_while_it_waits_for_a_subtask_stays_cancelled(
    swallows: bool,
) -> None:
    went_on = []

    async def caller() -> None:
        sub = asyncio.create_task(_stubborn())
        await asyncio.sleep(0)
        await (_old_way(sub) if swallows else cancel_and_wait(sub))
        went_on.append(True)  # what the jobs worker did: its loop ran on after shutdown

    task = asyncio.create_task(caller())
    await asyncio.sleep(0.05)
    task.cancel()  # the app shutting down, while the caller waits for its subtask
    await asyncio.gather(task, return_exceptions=True)
    if swallows:
        assert went_on == [True], "suppress(CancelledError) swallows the caller's cancellation"
    else:
        assert went_on == [] and task.cancelled()


async def test_the_subtasks_own_ending_is_not_raised() -> None:
    async def fails() -> None:
        raise RuntimeError("the subtask's own problem")

    sub = asyncio.create_task(fails())
    await asyncio.sleep(0)
    await cancel_and_wait(sub)  # ended with an error: waited for, not raised here
    assert sub.done()
    slow = asyncio.create_task(asyncio.sleep(10))
    await cancel_and_wait(slow)
    assert slow.cancelled()
