"""The catalogue's share of the demo city: publish every dataset once the data is in."""

from __future__ import annotations

from hromada.demo.parts import DemoContext
from hromada.open_data.catalog.service import publish_all


class CatalogDemo:
    """Runs last: the first version of every dataset, so the demo shows a populated catalogue."""

    name = "catalog"

    async def populate(self, ctx: DemoContext) -> None:
        await publish_all(ctx.settings, progress=ctx.progress)
