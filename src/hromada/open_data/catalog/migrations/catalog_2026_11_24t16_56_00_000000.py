from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T16:56:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one row per (slug, number)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def unique_version() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE UNIQUE INDEX dataset_version_slug_number ON dataset_version (slug, number)"
        )

    manager.add_raw(unique_version)
    return manager
