"""Staff roles: the permission table, `hromada users grant/revoke`, guards on REST and GraphQL."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from hromada.auth.permissions import PERMISSIONS, ROLES, Permission, allows, highest
from hromada.cli import main


def test_the_permission_table_is_ordered_by_role() -> None:
    for permission, lowest in PERMISSIONS.items():
        for role in ROLES:
            assert allows(role, permission) == (ROLES.index(role) >= ROLES.index(lowest))
    assert not allows("", Permission.READ_OWN_PROFILE)
    assert not allows("root", Permission.IMPORT_DATA)
    assert highest(["resident", "official", "bogus"]) == "official"
    assert highest([]) == "resident"


def _cli_env(monkeypatch, live) -> None:
    s = live.settings
    monkeypatch.setenv("HROMADA_ENVIRONMENT", "test")
    monkeypatch.setenv("HROMADA_DATA_DIR", str(s.data_dir))
    monkeypatch.setenv("HROMADA_DATABASE_URL", s.database_url)
    monkeypatch.setenv("HROMADA_DATABASE_POOL_SIZE", "0")
    monkeypatch.setenv("HROMADA_OIDC_PROVIDERS", s.oidc_providers)


def test_grant_before_the_first_login_then_revoke(live, monkeypatch, settings) -> None:
    from hromada import db

    _cli_env(monkeypatch, live)
    runner = CliRunner()
    try:
        granted = runner.invoke(main, ["users", "grant", "dev-city:c-taras-1002", "official"])
        assert granted.exit_code == 0, granted.output
        assert "not logged in yet" in granted.output
        with live.client() as client:
            live.login(client, "dev-city", "c-taras-1002")
            me = client.get("/api/v1/me").json()
            assert me["role"] == "official"
            assert "import_data" in me["permissions"]
            revoked = runner.invoke(main, ["users", "revoke", f"resident:{me['id']}", "official"])
            assert revoked.exit_code == 0, revoked.output
            assert "revoked" in revoked.output
            assert client.get("/api/v1/me").json()["role"] == "resident"  # at once
            again = runner.invoke(main, ["users", "grant", f"resident:{me['id']}", "moderator"])
            assert again.exit_code == 0, again.output
            assert "resident " in again.output
            twice = runner.invoke(main, ["users", "grant", f"resident:{me['id']}", "moderator"])
            assert twice.exit_code == 0  # idempotent
            assert client.get("/api/v1/me").json()["role"] == "moderator"
    finally:
        db.use_database(settings)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "grant", "nobody", "admin"], "resident:ID or PROVIDER:SUBJECT"),
        (["users", "grant", "resident:999999", "admin"], "no resident"),
        (["users", "grant", "resident:abc", "admin"], "needs a number"),
        (["users", "grant", "nope:someone", "admin"], "no identity provider"),
        (["users", "grant", "resident:1", "emperor"], "Invalid value"),
    ],
)
def test_bad_grants_are_one_clear_line(live, monkeypatch, settings, args, message) -> None:
    from hromada import db

    _cli_env(monkeypatch, live)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        db.use_database(settings)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_the_cli_needs_the_identity_secret_outside_demo(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("HROMADA_ENVIRONMENT", "production")
    monkeypatch.setenv("HROMADA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HROMADA_IDENTITY_SECRET", raising=False)
    result = CliRunner().invoke(main, ["users", "grant", "resident:1", "admin"])
    assert result.exit_code != 0
    assert "HROMADA_IDENTITY_SECRET" in result.output


def test_graphql_me_uses_the_same_guard(live) -> None:
    query = {"query": "{ me { displayName role eligibility { eligible reasons } } }"}
    with live.client() as client:
        anonymous = client.post("/graphql", json=query).json()
        assert anonymous["data"] is None
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        live.login(client, "dev-city", "c-maksym-1004")
        csrf = {"X-CSRF-Token": live.csrf(client)}
        assert client.post("/graphql", json=query).status_code == 403  # no CSRF token
        me = client.post("/graphql", json=query, headers=csrf).json()["data"]["me"]
    assert me["displayName"] == "Шевчук Максим"
    assert me["eligibility"] == {"eligible": False, "reasons": ["under 16"]}


@pytest.mark.parametrize(
    ("role", "permission", "outcome"),
    [
        ("", Permission.MODERATE, "Unauthenticated"),
        ("resident", Permission.MODERATE, "Forbidden"),
        ("moderator", Permission.MODERATE, None),
        ("moderator", Permission.IMPORT_DATA, "Forbidden"),
        ("official", Permission.IMPORT_DATA, None),
        ("admin", Permission.MANAGE_ROLES, None),
    ],
)
async def test_the_guard_follows_the_table(role, permission, outcome) -> None:
    from litestar.connection import ASGIConnection

    from hromada.auth.guard import authorize, check_permission
    from hromada.auth.service import Principal
    from hromada.errors import HromadaError

    kind = "session" if role else "anonymous"
    principal = Principal(kind=kind, resident_id=1 if role else None, role=role)
    connection = ASGIConnection({"type": "http", "state": {"hromada_principal": principal}})
    try:
        await check_permission(connection, permission)
        raised = None
    except HromadaError as exc:
        raised = type(exc).__name__
    assert raised == outcome

    # The rule itself, as GraphQL's Requires and the REST guards both reach it.
    def no_runtime() -> Any:
        raise AssertionError("the runtime is only read for eligibility")

    try:
        await authorize(principal, permission, no_runtime)
        direct = None
    except HromadaError as exc:
        direct = type(exc).__name__
    assert direct == outcome


@pytest.mark.parametrize(
    ("subject", "allowed"),
    [
        ("c-taras-1002", False),
        ("c-natalia-1007", False),
        ("c-petro-1008", True),
        ("c-oksana-1009", True),
    ],
)
def test_the_appeals_import_is_for_officials_and_admins(live, subject, allowed) -> None:
    with live.client() as client:
        live.login(client, "dev-city", subject)
        csrf = {"X-CSRF-Token": live.csrf(client)}
        response = client.post(
            "/api/v1/admin/imports/appeals", content=b"not,an,appeals,file\n1,2,3,4\n", headers=csrf
        )
    if allowed:
        assert response.status_code == 422, response.text  # past the guard, the file is bad
    else:
        assert response.status_code == 403
        assert "may not import data" in response.json()["detail"]


def test_an_official_uploads_a_form_from_a_logged_in_session(live) -> None:
    form = {"file": ("звернення.csv", b"not,an,appeals,file\n1,2,3,4\n", "text/csv")}
    with live.client() as client:
        live.login(client, "dev-city", "c-petro-1008")
        # A form sent with the session cookie needs the CSRF token like any other write.
        assert client.post("/api/v1/admin/imports/appeals", files=form).status_code == 403
        csrf = {"X-CSRF-Token": live.csrf(client)}
        response = client.post("/api/v1/admin/imports/appeals", files=form, headers=csrf)
    assert response.status_code == 422, response.text  # past the guard, the file is read
    assert "not an appeals header" in response.json()["detail"]
