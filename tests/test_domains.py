"""The one list of domains: everything that serves all domains reads it, and only it."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from hromada import domains
from hromada.app import route_handlers
from hromada.cli import add_command, main
from hromada.config import Settings
from hromada.demo.parts import DemoPart
from hromada.domain import Domain
from hromada.graphql.schema import build_schema
from hromada.open_data.catalog.registry import all_datasets, city_of
from hromada.search.registry import document_types


def test_every_domain_is_declared_once_in_its_package() -> None:
    for domain in domains.DOMAINS:
        assert isinstance(domain, Domain)
        assert domain.piccolo_app is not None
        package = domain.piccolo_app.rsplit(".", 1)[0]
        assert importlib.import_module(f"{package}.domain").DOMAIN is domain


def test_the_app_mounts_every_domains_routes(base_settings: Settings) -> None:
    handlers = route_handlers(base_settings)
    for domain in domains.DOMAINS:
        for module in domain.rest:
            assert module.startswith("hromada.api.")
            routes = importlib.import_module(module).ROUTES
            assert routes
            assert all(r in handlers for r in routes), (domain.name, module)


def test_the_graphql_schema_merges_every_domains_query(base_settings: Settings) -> None:
    schema = build_schema(base_settings)
    merged = schema.get_type_by_name("Query")
    assert merged is not None
    fields = {f.python_name for f in merged.fields}  # type: ignore[union-attr]
    for domain in domains.DOMAINS:
        if domain.graphql is None:
            continue
        assert domain.graphql.startswith("hromada.graphql.")
        query = importlib.import_module(domain.graphql).Query
        own = {f.python_name for f in query.__strawberry_definition__.fields}
        assert own and own <= fields, domain.name


def test_search_and_the_catalogue_receive_every_declaration(base_settings: Settings) -> None:
    declared = [t for d in domains.DOMAINS for t in d.document_types]
    assert declared and list(document_types()) == declared
    slugs = {d.slug for d in all_datasets(base_settings)}
    for domain in domains.DOMAINS:
        if domain.datasets is not None:
            assert {d.slug for d in domain.datasets(city_of(base_settings))} <= slugs


def test_demo_parts_follow_the_list_with_catalogue_and_search_last() -> None:
    parts = domains.demo_parts()
    assert all(isinstance(p, DemoPart) for p in parts)
    names = [p.name for p in parts]
    assert names[-2:] == ["catalog", "search"], names


def test_piccolo_apps_follow_the_list() -> None:
    assert domains.piccolo_apps() == [d.piccolo_app for d in domains.DOMAINS if d.piccolo_app]


@pytest.mark.parametrize(
    "first",
    ["hromada.piccolo_conf", "hromada.open_data.appeals.tables", "hromada.domains"],
)
def test_piccolos_own_registry_builds_whatever_is_imported_first(first: str) -> None:
    # Piccolo's CLI imports piccolo_conf and asks for APP_REGISTRY; a table imported
    # first asks piccolo_conf for DB while the domains are not loaded yet.
    code = (
        f"import {first}\n"
        "from piccolo.conf.apps import Finder\n"
        "apps = Finder().get_app_registry().apps\n"
        "tables = {t._meta.tablename for t in Finder().get_table_classes()}\n"
        "assert 'appeal' in tables and 'search_outbox' in tables, tables\n"
        "print(len(apps))\n"
    )
    env = {**os.environ, "PICCOLO_CONF": "hromada.piccolo_conf"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) == len(domains.piccolo_apps())


def test_a_domain_group_merges_into_an_existing_command_group() -> None:
    root = click.Group("root")
    root.add_command(click.Group("import", commands=[click.Command("appeals")]))
    add_command(root, click.Group("import", commands=[click.Command("kiosks")]))
    imports = root.commands["import"]
    assert isinstance(imports, click.Group)
    assert set(imports.commands) == {"appeals", "kiosks"}
    with pytest.raises(ValueError, match="two commands"):
        add_command(root, click.Command("import"))


def test_every_domain_command_is_on_hromada() -> None:
    for domain in domains.DOMAINS:
        for command in domain.cli:
            assert command.name is not None
            result = CliRunner().invoke(main, [command.name, "--help"])
            assert result.exit_code == 0, result.output


def test_a_job_kind_belongs_to_one_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    async def handler(settings: object, payload: object) -> None:
        return None

    twice = (Domain(name="a", jobs={"k": handler}), Domain(name="b", jobs={"k": handler}))
    monkeypatch.setattr(domains, "DOMAINS", twice)
    with pytest.raises(ValueError, match="'k' is declared twice"):
        domains.jobs()
