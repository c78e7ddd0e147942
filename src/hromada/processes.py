"""Where hromada's helper processes come from: one rule for every module that starts them."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
from collections.abc import Sequence

# Every module asked for so far: a server started later loads them all.
_PRELOAD: set[str] = set()


def fresh_context(preload: Sequence[str]) -> multiprocessing.context.BaseContext:
    """The context helper processes start from: forked from a ``forkserver`` that imported
    ``preload`` once, where the platform has one, else spawned.

    A forked server process starts each helper in milliseconds, where a spawned one imports
    the package again (about a second of CPU). The server itself is started fresh, not
    forked from the caller, so the caller's threads, locks and connections never reach a
    helper. The server is one per process and keeps the modules it was started with (every
    module asked for until then); a module asked for later is imported by each helper
    itself, which is slower, never wrong.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    _PRELOAD.update(preload)
    server = multiprocessing.get_context("forkserver")
    # "__main__" too: otherwise every helper would import the main script on its own.
    server.set_forkserver_preload(["__main__", *sorted(_PRELOAD)])
    return server
