import os

from piccolo.conf.apps import AppConfig

from hromada.search.tables import SearchOutbox

APP_CONFIG = AppConfig(
    app_name="search",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[SearchOutbox],
    migration_dependencies=[],
    commands=[],
)
