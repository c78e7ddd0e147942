import os

from piccolo.conf.apps import AppConfig

from hromada.participation.petitions.tables import Petition, PetitionNotice, PetitionSignature

APP_CONFIG = AppConfig(
    app_name="petitions",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Petition, PetitionSignature, PetitionNotice],
    migration_dependencies=[
        "hromada.auth.piccolo_app",
        "hromada.open_data.registries.piccolo_app",
    ],
    commands=[],
)
