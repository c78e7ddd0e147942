from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hromada.config import Settings, SettingsError, settings_table


def test_defaults_are_embedded() -> None:
    settings = Settings.from_env(environ={}, env_file=None)
    assert settings.engine == "sqlite"
    assert settings.sqlite_path == Path("var/hromada.sqlite3")
    assert settings.meili_url == ""


def test_postgres_url_selects_postgres() -> None:
    settings = Settings.from_env(
        environ={"HROMADA_DATABASE_URL": "postgresql://u:p@db.example:5433/city"}, env_file=None
    )
    assert settings.engine == "postgres"


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"HROMADA_DATABASE_URL": "mysql://x@y/z"}, "HROMADA_DATABASE_URL"),
        ({"HROMADA_DATABASE_URL": "postgresql://user@/"}, "HROMADA_DATABASE_URL"),
        ({"HROMADA_DATABASE_URL": "postgresql://u@h:notaport/db"}, "bad port"),
        ({"HROMADA_PORT": "eighty"}, "HROMADA_PORT"),
        ({"HROMADA_ENVIRONMENT": "staging"}, "HROMADA_ENVIRONMENT"),
        ({"HROMADA_LOG_FORMAT": "xml"}, "HROMADA_LOG_FORMAT"),
        ({"HROMADA_MEILI_URL": "ftp://x"}, "HROMADA_MEILI_URL"),
        ({"HROMADA_SMTP_URL": "mail.city.example"}, "HROMADA_SMTP_URL"),
        ({"HROMADA_PETITION_SIGNER_NAME": "surname"}, "HROMADA_PETITION_SIGNER_NAME"),
        ({"HROMADA_SMTP_URL": "smtp://mail.city.example:abc"}, "HROMADA_SMTP_URL"),
        ({"HROMADA_SMTP_URL": "smtp://u:secret@mail.city.example"}, "HROMADA_SMTP_URL"),
        ({"HROMADA_MAP_TILES": "tile.example.org/{z}/{x}/{y}.png"}, "HROMADA_MAP_TILES"),
        ({"HROMADA_MAP_TILES": "https://tile.example.org/{z}.png"}, "HROMADA_MAP_TILES"),
        ({"HROMADA_MAP_TILES": "https://a.{s}.example.org/{z}/{x}/{y}"}, "HROMADA_MAP_TILES"),
        # Nothing but a host may reach the Content-Security-Policy.
        ({"HROMADA_MAP_TILES": "https://x; script-src */{z}/{x}/{y}"}, "HROMADA_MAP_TILES"),
    ],
)
def test_bad_values_are_one_line_errors(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env(environ=env, env_file=None)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("tiles", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", "https://*.tiles.example.org"),
        ("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
        ("", ""),
    ],
)
def test_the_basemap_host_is_read_from_its_template(tiles: str, origin: str) -> None:
    settings = Settings.from_env(environ={"HROMADA_MAP_TILES": tiles}, env_file=None)
    assert settings.map_tile_origin == origin


def test_password_never_echoed() -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env(
            environ={"HROMADA_DATABASE_URL": "postgresql://u:s3cret@h:x/db"}, env_file=None
        )
    assert "s3cret" not in str(info.value)


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        '# comment\nHROMADA_PORT=9000\nexport HROMADA_HOST="0.0.0.0"\nHROMADA_WORKERS=3\n'
    )
    settings = Settings.from_env(environ={"HROMADA_WORKERS": "2"}, env_file=env_file)
    assert (settings.port, settings.host, settings.workers) == (9000, "0.0.0.0", 2)


def test_malformed_env_file_names_the_line(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("HROMADA_PORT=1\nthis is not a setting\n")
    with pytest.raises(SettingsError, match=r"\.env:2"):
        Settings.from_env(environ={}, env_file=env_file)


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for variable, _default, _doc in settings_table():
        assert f"`{variable}`" in readme, f"{variable} missing from the README table"


def test_cli_stops_on_a_bad_database_url_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hromada", "migrate"],
        capture_output=True,
        text=True,
        env={"HROMADA_DATABASE_URL": "oracle://nope", "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "HROMADA_DATABASE_URL" in lines[0]


def test_process_environment_is_read_and_wins_over_the_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "HROMADA_PORT=9000\nHROMADA_CORS_ORIGINS='https://a.example, https://b.example'\n"
    )
    monkeypatch.setenv("HROMADA_PORT", "9100")
    monkeypatch.setenv("HROMADA_ELIGIBILITY_ALLOW_IDPS", "off")
    monkeypatch.setenv("HROMADA_NOT_A_SETTING", "ignored")
    settings = Settings.from_env(env_file=env_file)
    assert settings.port == 9100
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.eligibility_allow_idps is False
    # Built directly, settings never read the environment.
    assert Settings().port == 8000


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"HROMADA_WORKERS": "2.5"}, "HROMADA_WORKERS='2.5': expected a whole number"),
        (
            {"HROMADA_SQLITE_BUSY_TIMEOUT": "soon"},
            "HROMADA_SQLITE_BUSY_TIMEOUT='soon': expected a number",
        ),
        (
            {"HROMADA_DEV_IDP_ENABLED": "maybe"},
            "HROMADA_DEV_IDP_ENABLED='maybe': expected true or false",
        ),
    ],
)
def test_type_errors_name_the_variable_and_the_value(env: dict[str, str], expected: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env(environ=env, env_file=None)
    assert str(info.value).startswith(expected)
