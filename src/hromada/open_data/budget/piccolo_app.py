import os

from piccolo.conf.apps import AppConfig

from hromada.open_data.budget.tables import BudgetCode, BudgetLine

APP_CONFIG = AppConfig(
    app_name="budget",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[BudgetLine, BudgetCode],
    migration_dependencies=[],
    commands=[],
)
