"""Where an address is: a port the participation domains ask, filled in from above.

A participatory-budget project may come with an address and no point; the buildings
registry can place it. The import contracts keep ``participation`` from importing
``open_data``, so the composition root (``hromada.domains.compose``) installs the lookup
here; until then, or when the address matches no single building, nothing is placed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

# (address, district code or None) -> (lat, lon) of the one building it names, or None.
Locate = Callable[[str, str | None], Awaitable[tuple[float, float] | None]]

_locate: Locate | None = None


def install(locate: Locate | None) -> None:
    global _locate
    _locate = locate


async def locate(address: str, district: str | None) -> tuple[float, float] | None:
    if _locate is None:
        return None
    return await _locate(address, district)
