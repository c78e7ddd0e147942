from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T13:34:26:590822"
VERSION = "1.38.0"
DESCRIPTION = "one project per category"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="budgeting", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="BudgetPool",
        tablename="budget_pool",
        column_name="one_per_category",
        db_column_name="one_per_category",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
