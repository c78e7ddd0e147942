"""The unique keys of procurement (indexes: SQLite refuses ADD CONSTRAINT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T20:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique tender numbers and winners"

INDEXES = [
    "CREATE UNIQUE INDEX procurement_tender_number ON procurement_tender (tender_id)",
    "CREATE INDEX procurement_tender_year ON procurement_tender (year, entity_edrpou)",
    "CREATE UNIQUE INDEX procurement_winner_once ON procurement_winner (tender, award_id)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="procurement", description=DESCRIPTION)

    async def create_indexes() -> None:
        from hromada.open_data.procurement.tables import Tender

        for sql in INDEXES:
            await Tender.raw(sql).run()

    manager.add_raw(create_indexes)
    return manager
