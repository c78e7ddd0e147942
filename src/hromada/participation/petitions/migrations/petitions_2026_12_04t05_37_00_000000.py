"""One notice per petition, resident and event: the unique index the notice insert relies
on (an index, not a constraint: SQLite refuses ALTER TABLE … ADD CONSTRAINT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T05:37:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique notice per petition, resident and event"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="petitions", description=DESCRIPTION)

    async def create_index() -> None:
        from hromada.participation.petitions.tables import PetitionNotice

        await PetitionNotice.raw(
            "CREATE UNIQUE INDEX petition_notice_once "
            "ON petition_notice (petition, resident, event)"
        ).run()

    manager.add_raw(create_index)
    return manager
