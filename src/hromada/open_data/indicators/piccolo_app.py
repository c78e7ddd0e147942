import os

from piccolo.conf.apps import AppConfig

from hromada.open_data.indicators.tables import Indicator, IndicatorValue

APP_CONFIG = AppConfig(
    app_name="indicators",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Indicator, IndicatorValue],
    migration_dependencies=[],
    commands=[],
)
