import os

from piccolo.conf.apps import AppConfig

from hromada.open_data.sensors.tables import Sensor, SensorReading, SensorRollup

APP_CONFIG = AppConfig(
    app_name="sensors",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Sensor, SensorReading, SensorRollup],
    migration_dependencies=[],
    commands=[],
)
