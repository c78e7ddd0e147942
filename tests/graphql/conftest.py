"""Shared by the GraphQL tests: a counter of the statements the app sends to the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hromada import db
from hromada.config import Settings


class QueryCounter:
    """Counts every statement the app sends to the database (Piccolo's one way in)."""

    def __init__(self) -> None:
        self.count = 0

    def wrap(self, engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        # Engines have __slots__: wrap the class's method, count this engine's calls.
        original = type(engine).run_querystring

        async def counted(this: Any, *args: Any, **kwargs: Any) -> Any:
            if this is engine:
                self.count += 1
            return await original(this, *args, **kwargs)

        monkeypatch.setattr(type(engine), "run_querystring", counted)


@pytest.fixture
def count_queries(monkeypatch: pytest.MonkeyPatch) -> Callable[[], QueryCounter]:
    """Call after ``create_app`` (which binds the engine): counts that engine's statements."""

    def start() -> QueryCounter:
        counter = QueryCounter()
        counter.wrap(db.current_engine(), monkeypatch)
        return counter

    return start


@pytest.fixture
async def with_appeals(published: Settings) -> Settings:
    """The small published city plus 120 demo appeals in its districts."""
    from hromada.demo.city import generate_city
    from hromada.demo.parts import DemoContext
    from hromada.open_data.appeals.demo import AppealsDemo

    settings = published.replace(demo_appeals=120)
    city = generate_city(settings.demo_seed, streets=15, buildings=80)
    await AppealsDemo().populate(DemoContext(settings=settings, city=city))
    return published
