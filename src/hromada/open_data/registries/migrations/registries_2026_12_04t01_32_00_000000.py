"""The declared registries' indexes: one record per key, the place and district ranges.

Piccolo runs a migration's raw step before its new tables, so they come in their own
migration; a composite unique constraint is an ALTER TABLE SQLite refuses, an index works
on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T01:32:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "declared registries: key, place and district indexes"

INDEXES = [
    "CREATE UNIQUE INDEX registry_record_key ON registry_record (registry, key)",
    "CREATE INDEX registry_record_place ON registry_record (registry, lat, lon)",
    "CREATE INDEX registry_record_district ON registry_record (registry, district, key)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registries", description=DESCRIPTION)

    async def create_indexes() -> None:
        from piccolo.engine.postgres import PostgresEngine

        from hromada.open_data.registries.tables import RegistryRecord

        if isinstance(RegistryRecord._meta.db, PostgresEngine):
            # Keys sort by code point on both engines (the dataset's rows come in key order).
            await RegistryRecord.raw(
                'ALTER TABLE registry_record ALTER COLUMN key TYPE VARCHAR(200) COLLATE "C"'
            ).run()
        for sql in INDEXES:
            await RegistryRecord.raw(sql).run()

    manager.add_raw(create_indexes)
    return manager
