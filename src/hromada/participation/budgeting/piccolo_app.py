import os

from piccolo.conf.apps import AppConfig

from hromada.participation.budgeting.tables import (
    BudgetBallot,
    BudgetBallotEvent,
    BudgetCycle,
    BudgetMilestone,
    BudgetPool,
    BudgetProject,
    BudgetResult,
)

APP_CONFIG = AppConfig(
    app_name="budgeting",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[
        BudgetCycle,
        BudgetPool,
        BudgetProject,
        BudgetBallot,
        BudgetBallotEvent,
        BudgetResult,
        BudgetMilestone,
    ],
    migration_dependencies=["hromada.auth.piccolo_app"],
    commands=[],
)
