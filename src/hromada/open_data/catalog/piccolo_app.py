import os

from piccolo.conf.apps import AppConfig

from hromada.open_data.catalog.tables import DatasetVersion

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[DatasetVersion],
    migration_dependencies=[],
    commands=[],
)
