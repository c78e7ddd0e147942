"""The demo city's search index: built from everything the other parts wrote."""

from __future__ import annotations

from hromada.demo.parts import DemoContext
from hromada.search.indexer import run_reindex


class SearchDemo:
    name = "search"

    async def populate(self, ctx: DemoContext) -> None:
        await run_reindex(ctx.settings, None, ctx.progress)
