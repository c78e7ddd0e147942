"""How a domain contributes to the demo city.

A part has a ``name`` and an async ``populate(ctx)`` that writes its own
tables from ``ctx.city`` and its own seeded random generator. A domain names
its part in its declaration (``Domain.demo``); parts run in the order of
:data:`hromada.domains.DOMAINS`, and a part may read what earlier parts wrote.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from hromada.config import Settings
from hromada.demo.city import CityPlan

Progress = Callable[[str, int, int], None]  # (task, done, total)


@dataclass
class DemoContext:
    settings: Settings
    city: CityPlan
    progress: Progress = field(default=lambda task, done, total: None)
    # What parts learn about the database as they go (for example district ids).
    ids: dict[str, dict[str, int]] = field(default_factory=dict)

    def rng(self, part: str) -> random.Random:
        """A generator of a part's own, so adding one part never changes another's data."""
        return random.Random(f"{part}:{self.settings.demo_seed}")


@runtime_checkable
class DemoPart(Protocol):
    name: str

    async def populate(self, ctx: DemoContext) -> None: ...
