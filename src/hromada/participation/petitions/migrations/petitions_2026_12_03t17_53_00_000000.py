"""One signature per resident and petition: the unique index the signing insert relies on
(a composite unique constraint is an ALTER TABLE SQLite refuses; an index works on both)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T17:53:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique signature per resident and petition"

INDEXES = [
    "CREATE UNIQUE INDEX petition_signature_once ON petition_signature (petition, resident)",
    "CREATE INDEX petition_status_id ON petition (status, id)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="petitions", description=DESCRIPTION)

    async def create_indexes() -> None:
        from hromada.participation.petitions.tables import PetitionSignature

        for sql in INDEXES:
            await PetitionSignature.raw(sql).run()

    manager.add_raw(create_indexes)
    return manager
