"""The stats cells' unique key (upserts add to it), filled from the appeals already there."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T18:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "appeal stats cells key and first fill"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="appeals", description=DESCRIPTION)

    async def create_and_fill() -> None:
        from hromada.open_data.appeals.tables import Appeal

        await Appeal.raw(
            "CREATE UNIQUE INDEX appeal_stats_cell_key ON appeal_stats_cell "
            "(dim, dim_key, late, judged, bucket)"
        ).run()
        from hromada.open_data.appeals.rollup import fill_stats_cells

        await fill_stats_cells()

    manager.add_raw(create_and_fill)
    return manager
