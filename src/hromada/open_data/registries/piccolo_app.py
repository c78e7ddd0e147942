import os

from piccolo.conf.apps import AppConfig

from hromada.open_data.registries.tables import (
    Building,
    Community,
    District,
    RegistryExtent,
    RegistryRecord,
    Settlement,
    Street,
)

APP_CONFIG = AppConfig(
    app_name="registries",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[
        District,
        Street,
        Building,
        Community,
        Settlement,
        RegistryRecord,
        RegistryExtent,
    ],
    migration_dependencies=[],
    commands=[],
)
