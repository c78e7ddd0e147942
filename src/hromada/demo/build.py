"""Build the demo city into its data directory, whole or not at all."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from hromada import db
from hromada.config import Settings
from hromada.demo.city import generate_city
from hromada.demo.parts import DemoContext, DemoPart
from hromada.migrations import migrate

MARKER = "demo-city.json"


async def build_demo(
    settings: Settings, parts: Sequence[DemoPart], *, progress: bool = False
) -> bool:
    """Build the demo city from ``parts`` unless a complete one is there; True if it was built.

    The parts come from the composition root (``hromada.domains.demo_parts()``),
    in order: the demo knows no domain.

    The marker file is written last: a build cut short leaves no marker, and
    the next run starts again from an empty database.
    """
    marker = settings.data_dir / MARKER
    if marker.is_file():
        db.use_database(settings)
        return False
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            settings.sqlite_path.with_name(settings.sqlite_path.name + suffix).unlink(
                missing_ok=True
            )
    db.use_database(settings)
    await migrate()
    started = time.perf_counter()
    city = generate_city(settings.demo_seed)
    if progress:
        from hromada.progress import ProgressReporter

        with ProgressReporter() as reporter:
            ctx = DemoContext(settings=settings, city=city, progress=reporter.update)
            for part in parts:
                reporter.update(part.name, 0, 1)
                await part.populate(ctx)
                reporter.update(part.name, 1, 1)
    else:
        ctx = DemoContext(settings=settings, city=city)
        for part in parts:
            await part.populate(ctx)
    marker.write_text(
        json.dumps(
            {
                "seed": settings.demo_seed,
                "seconds": round(time.perf_counter() - started, 1),
                "parts": [p.name for p in parts],
            }
        ),
        encoding="utf-8",
    )
    return True
