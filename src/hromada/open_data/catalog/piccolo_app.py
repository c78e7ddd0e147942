import os

from piccolo.conf.apps import AppConfig

from hromada.open_data.catalog.tables import DatasetVersion, WriteCount

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[DatasetVersion, WriteCount],
    migration_dependencies=[],
    commands=[],
)
