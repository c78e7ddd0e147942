"""Indexes for the public list (partial: confidential appeals are never listed) and stats."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T16:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "appeal list and stats indexes"

PUBLIC = "WHERE confidential = false"

INDEXES = [
    f"CREATE INDEX appeal_pub_received ON appeal (received_at, id) {PUBLIC}",
    f"CREATE INDEX appeal_pub_district ON appeal (district, received_at, id) {PUBLIC}",
    f"CREATE INDEX appeal_pub_category ON appeal (category, received_at, id) {PUBLIC}",
    f"CREATE INDEX appeal_pub_status ON appeal (status, received_at, id) {PUBLIC}",
    f"CREATE INDEX appeal_pub_executor ON appeal (executor, received_at, id) {PUBLIC}",
    f"CREATE INDEX appeal_pub_resolved ON appeal (resolved_at, id) {PUBLIC}",
    # Statistics read every appeal (confidential ones count too) but few columns:
    # one covering index lets both engines scan it instead of the wide table.
    "CREATE INDEX appeal_stats ON appeal (district, category, status, received_month, "
    "received_week, late, resolution_hours, deadline_at, resolved_at, received_at, executor)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="appeals", description=DESCRIPTION)

    async def create_indexes() -> None:
        from hromada.open_data.appeals.tables import Appeal

        for sql in INDEXES:
            await Appeal.raw(sql).run()

    manager.add_raw(create_indexes)
    return manager
