"""Apply and inspect the migrations of every domain app."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration


class MigrationError(RuntimeError):
    pass


async def pending_migrations() -> list[str]:
    """``app:migration_id`` of every migration not yet applied (all of them on a new database)."""
    manager = BaseMigrationManager()
    table_exists = await Migration.table_exists().run()
    pending: list[str] = []
    for app_name in manager.get_sorted_app_names():
        app_config = manager.get_app_config(app_name)
        modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        ids = manager.get_migration_ids(modules)
        ran = (
            set(await Migration.get_migrations_which_ran(app_name=app_name))
            if table_exists
            else set()
        )
        pending.extend(f"{app_name}:{mid}" for mid in ids if mid not in ran)
    return pending


async def migrate(quiet: bool = True) -> list[str]:
    """Apply every pending migration; return what was applied."""
    pending = await pending_migrations()
    if not pending:
        return []
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise MigrationError(f"migrations failed: {result.message}\n{out.getvalue()}")
    return pending
