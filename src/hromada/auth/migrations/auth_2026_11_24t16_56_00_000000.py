from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T16:56:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one grant per role and subject"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="auth", description=DESCRIPTION)

    async def run():
        from hromada.auth.tables import RoleGrant

        await RoleGrant.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS role_grant_subject_role "
            "ON role_grant (subject_key, role)"
        )

    manager.add_raw(run)
    return manager
