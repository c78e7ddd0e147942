from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T08:08:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one queued job per dedupe key; the claim's index"

# Partial indexes work the same on SQLite and PostgreSQL; Piccolo cannot declare them.
INDEXES = [
    "CREATE UNIQUE INDEX job_queued_dedupe_key ON job (dedupe_key) WHERE state = 'queued'",
    "CREATE INDEX job_state_run_after ON job (state, run_after)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="jobs", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for sql in INDEXES:
            await engine.run_ddl(sql)

    manager.add_raw(create_indexes)
    return manager
