"""The stats cells count public appeals only: recount them without the confidential ones."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "appeal stats cells count public appeals only"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="appeals", description=DESCRIPTION)

    async def recount() -> None:
        from hromada.open_data.appeals.tables import Appeal

        await Appeal.raw("DELETE FROM appeal_stats_cell").run()
        from hromada.open_data.appeals.rollup import fill_stats_cells

        await fill_stats_cells()

    manager.add_raw(recount)
    return manager
