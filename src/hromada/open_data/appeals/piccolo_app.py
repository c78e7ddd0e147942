import os

from piccolo.conf.apps import AppConfig

from hromada.open_data.appeals.tables import Appeal, AppealCategory, AppealStatsCell

APP_CONFIG = AppConfig(
    app_name="appeals",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[AppealCategory, Appeal, AppealStatsCell],
    migration_dependencies=["hromada.open_data.registries.piccolo_app"],
    commands=[],
)
