"""Lean versions: what a publish of the appeals costs when nothing, or one row, changed.

    uv run python -m bench versions

Environment: ``HROMADA_BENCH_VERSION_ROWS`` (default 200,000 appeals),
``HROMADA_BENCH_ENGINES`` (default ``sqlite,postgres``), ``HROMADA_TEST_DATABASE_URL``.

The appeals are loaded raw (``bench.appeals.bulk_load``: already anonymised rows, loading
not measured), then published through ``catalog.service.publish``, each figure against its
reference in the same run:
- nothing changed: the publish that the fingerprint decides, against the same publish
  made to read every row (the dataset without its fingerprint: how every publish decided
  before fingerprints);
- one appeal's text changed: the bytes the publish added to the data folder (its new
  parts, the spreadsheet and Parquet files, the change file), against the bytes of the
  version's files as whole files (what a folder of copies would add); and its seconds;
- the first publish: seconds, and the bytes stored against the whole files' bytes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from pathlib import Path

from bench.engines import ENGINES, migrated

ROWS = int(os.environ.get("HROMADA_BENCH_VERSION_ROWS", "200000"))


def _bytes_under(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


async def run_engine(engine: str) -> None:
    from bench.appeals import bulk_load
    from hromada.demo.city import DISTRICTS
    from hromada.open_data.appeals.districts import load_built_in
    from hromada.open_data.appeals.tables import Appeal
    from hromada.open_data.catalog import registry, service
    from hromada.open_data.registries.tables import District

    async with migrated(engine, "versions", pool_size=4) as settings:
        await load_built_in("kyiv")
        await (
            District.insert(
                *[
                    District(code=c, name_uk=uk, name_en=en, lat=la, lon=lo)
                    for c, uk, en, la, lo in DISTRICTS
                ]
            )
            .on_conflict(action="DO NOTHING")
            .run()
        )
        await bulk_load(settings, ROWS)
        folder = service.datasets_root(settings) / "appeals"

        started = time.perf_counter()
        first = await service.publish(settings, "appeals")
        first_s = time.perf_counter() - started
        assert first.created and first.version is not None
        whole = sum(f.bytes for f in first.version.files)
        stored = _bytes_under(folder)
        print(
            f"  first publish: {first.version.row_count:,} rows in {first_s:.1f} s; "
            f"{stored / 1e6:.0f} MB stored for {whole / 1e6:.0f} MB of files "
            f"({stored / whole:.2f}x)"
        )
        # The first answer after the tables' write counting began is "cannot tell".
        await service.publish(settings, "appeals")

        started = time.perf_counter()
        same = await service.publish(settings, "appeals")
        quick = time.perf_counter() - started
        assert not same.created
        dataset = registry.get_dataset(settings, "appeals")
        blind = dataclasses.replace(dataset, fingerprint=None)
        original = service.get_dataset
        service.get_dataset = lambda s, slug: blind if slug == "appeals" else original(s, slug)  # type: ignore[assignment]
        try:
            started = time.perf_counter()
            assert not (await service.publish(settings, "appeals")).created
            full = time.perf_counter() - started
        finally:
            service.get_dataset = original  # type: ignore[assignment]
        print(
            f"  nothing changed: {quick * 1000:.0f} ms by the fingerprint, "
            f"{full:.1f} s reading every row ({full / quick:,.0f}x faster)"
        )

        one = (await Appeal.select(Appeal.id).order_by(Appeal.id).offset(ROWS // 2).limit(1))[0]
        await Appeal.update({Appeal.text: "Текст змінено"}).where(Appeal.id == one["id"])
        before = _bytes_under(folder)
        started = time.perf_counter()
        changed = await service.publish(settings, "appeals")
        changed_s = time.perf_counter() - started
        assert changed.created and changed.version is not None
        added = _bytes_under(folder) - before
        whole = sum(f.bytes for f in changed.version.files)
        print(
            f"  one row changed: {changed_s:.1f} s; {added / 1e6:.1f} MB written for "
            f"{whole / 1e6:.0f} MB of files ({whole / added:.0f}x less than a copy); "
            f"rows changed: {changed.version.changes.rows_changed}"
        )


def main() -> None:
    from hromada import domains

    domains.compose()
    for engine in ENGINES:
        asyncio.run(run_engine(engine))


if __name__ == "__main__":
    main()
