import os

from piccolo.conf.apps import AppConfig

from hromada.participation.audit.tables import AuditEntry

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[AuditEntry],
    migration_dependencies=[],
    commands=[],
)
