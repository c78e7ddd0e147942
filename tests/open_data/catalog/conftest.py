from __future__ import annotations

import shutil
from collections.abc import AsyncIterator

import pytest

from hromada.config import Settings
from hromada.demo.city import generate_city
from hromada.demo.parts import DemoContext
from hromada.open_data.catalog.service import datasets_root
from hromada.open_data.registries.demo import RegistriesDemo


@pytest.fixture
async def small_city(clean_db: Settings) -> AsyncIterator[Settings]:
    """A small city in the registries (15 streets, 80 buildings); no version published yet."""
    city = generate_city(clean_db.demo_seed, streets=15, buildings=80)
    await RegistriesDemo().populate(DemoContext(settings=clean_db, city=city))
    yield clean_db
    shutil.rmtree(datasets_root(clean_db), ignore_errors=True)
