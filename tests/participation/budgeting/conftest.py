"""Voting tests run against live servers with real logins (the auth tests' fixtures)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.auth.conftest import Live, city, make_live

from hromada.config import Settings

__all__ = ["city"]


@pytest.fixture(scope="module")
def voting_servers(settings: Settings) -> Iterator[Live]:
    """Writes not rate-limited below what a test sends at once (a hundred ballots)."""
    yield from make_live(
        settings.replace(rate_limit_writes=10_000, rate_limit_writes_per_ip=10_000)
    )


@pytest.fixture
def live(voting_servers: Live, city: Settings) -> Live:
    voting_servers.reset()
    return voting_servers
