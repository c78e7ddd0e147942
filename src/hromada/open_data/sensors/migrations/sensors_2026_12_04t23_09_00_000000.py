"""The unique keys ingest relies on (indexes: SQLite refuses ADD CONSTRAINT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T23:09:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one reading per sensor and second, one rollup per sensor, span and start"

INDEXES = [
    "CREATE UNIQUE INDEX sensor_reading_once ON sensor_reading (sensor, at)",
    "CREATE UNIQUE INDEX sensor_rollup_once ON sensor_rollup (sensor, span, start)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="sensors", description=DESCRIPTION)

    async def create_indexes() -> None:
        from hromada.open_data.sensors.tables import SensorReading

        for sql in INDEXES:
            await SensorReading.raw(sql).run()

    manager.add_raw(create_indexes)
    return manager
