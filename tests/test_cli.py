from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from hromada import db
from hromada.cli import main
from hromada.config import Settings


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
    return found


@pytest.mark.parametrize("command", [(), *_commands(main)], ids=lambda c: " ".join(c) or "hromada")
def test_every_command_has_help(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_serve_refuses_an_unmigrated_database_then_migrate_fixes_it(
    empty_database_url: str, base_settings: Settings, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("HROMADA_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("HROMADA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HROMADA_DATABASE_POOL_SIZE", "0")
    runner = CliRunner()
    try:
        refused = runner.invoke(main, ["serve", "--port", "1"])
        assert refused.exit_code != 0
        assert "hromada migrate" in refused.output
        migrated = runner.invoke(main, ["migrate"])
        assert migrated.exit_code == 0, migrated.output
        assert "applied" in migrated.output
        again = runner.invoke(main, ["migrate"])
        assert "up to date" in again.output
    finally:
        db.use_database(base_settings)


def test_unreachable_database_is_one_clear_line(monkeypatch, tmp_path) -> None:
    # Port 9 (discard) on loopback: nothing listens there.
    monkeypatch.setenv("HROMADA_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    monkeypatch.setenv("HROMADA_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code != 0
    assert "cannot reach the database" in result.output
    assert "Traceback" not in result.output
