"""The unique keys the budget import upserts on (indexes: SQLite refuses ADD CONSTRAINT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T06:19:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique budget lines and codes"

INDEXES = [
    "CREATE UNIQUE INDEX budget_line_once ON budget_line (kind, budget, code, fund, period)",
    "CREATE INDEX budget_line_year ON budget_line (budget, kind, year, month)",
    "CREATE UNIQUE INDEX budget_code_once ON budget_code (kind, code)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="budget", description=DESCRIPTION)

    async def create_indexes() -> None:
        from hromada.open_data.budget.tables import BudgetLine

        for sql in INDEXES:
            await BudgetLine.raw(sql).run()

    manager.add_raw(create_indexes)
    return manager
