import os

from piccolo.conf.apps import AppConfig

from hromada.auth.tables import ApiKey, AuthEntry, Resident, ResidentLink, RoleGrant

APP_CONFIG = AppConfig(
    app_name="auth",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Resident, ResidentLink, RoleGrant, ApiKey, AuthEntry],
    migration_dependencies=[],
    commands=[],
)
