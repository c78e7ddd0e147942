"""The unique key the values import upserts on (an index: SQLite refuses ADD CONSTRAINT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T19:56:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one value per indicator, period and district"

INDEXES = [
    "CREATE UNIQUE INDEX indicator_value_once ON indicator_value (indicator, period, district)",
    "CREATE INDEX indicator_value_place ON indicator_value (period, district)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="indicators", description=DESCRIPTION)

    async def create_indexes() -> None:
        from hromada.open_data.indicators.tables import IndicatorValue

        for sql in INDEXES:
            await IndicatorValue.raw(sql).run()

    manager.add_raw(create_indexes)
    return manager
