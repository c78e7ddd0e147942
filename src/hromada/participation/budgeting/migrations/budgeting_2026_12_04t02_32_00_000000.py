"""One active ballot per resident and pool: the unique index the voting upsert relies on
(its own migration: Piccolo runs a migration's raw step before its new tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T02:32:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one ballot per resident and pool"

INDEXES = [
    "CREATE UNIQUE INDEX budget_ballot_once ON budget_ballot (pool, resident)",
    "CREATE UNIQUE INDEX budget_pool_slug ON budget_pool (cycle, slug)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="budgeting", description=DESCRIPTION)

    async def create_indexes() -> None:
        from hromada.participation.budgeting.tables import BudgetBallot

        for sql in INDEXES:
            await BudgetBallot.raw(sql).run()

    manager.add_raw(create_indexes)
    return manager
