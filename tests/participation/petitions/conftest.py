"""Petition tests run against live servers with real logins (the auth tests' fixtures)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.auth.conftest import Live, city, make_live

from hromada.config import Settings

__all__ = ["city"]


@pytest.fixture(scope="module")
def petition_servers(settings: Settings) -> Iterator[Live]:
    """A threshold of two signatures, so a test can reach it with the demo people."""
    yield from make_live(settings.replace(petition_threshold=2, petition_open_drafts=2))


@pytest.fixture
def live(petition_servers: Live, city: Settings) -> Live:
    petition_servers.reset()
    return petition_servers
