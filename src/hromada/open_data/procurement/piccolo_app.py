import os

from piccolo.conf.apps import AppConfig

from hromada.open_data.procurement.tables import Tender, TenderWinner

APP_CONFIG = AppConfig(
    app_name="procurement",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Tender, TenderWinner],
    migration_dependencies=[],
    commands=[],
)
