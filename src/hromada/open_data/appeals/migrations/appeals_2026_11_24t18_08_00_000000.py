"""The rollup's unique key (upserts add to it) and a covering index of open appeals."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T18:08:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "appeal rollup key, open appeals index"

INDEXES = [
    "CREATE UNIQUE INDEX appeal_rollup_key ON appeal_rollup "
    "(dim, dim_key, month, status, late, judged, bucket)",
    # Unresolved appeals past their deadline are counted live (the rollup cannot know "now").
    "CREATE INDEX appeal_open ON appeal (deadline_at, district, category, executor, channel, "
    "status, received_month) WHERE resolved_at IS NULL",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="appeals", description=DESCRIPTION)

    async def create_indexes() -> None:
        from hromada.open_data.appeals.tables import Appeal

        for sql in INDEXES:
            await Appeal.raw(sql).run()

    manager.add_raw(create_indexes)
    return manager
