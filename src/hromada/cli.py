"""The ``hromada`` command. Later domains add their commands to ``main``."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from hromada import domains
from hromada.config import Settings, SettingsError

T = TypeVar("T")


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, or a one-line error and exit code 2."""
    try:
        settings = Settings.from_env()
        if overrides:
            settings = settings.replace(**{k: v for k, v in overrides.items() if v is not None})
            settings.validate()
    except SettingsError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None
    return settings


def run(coro: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(_as_coroutine(coro))


async def _as_coroutine(coro: Callable[[], Awaitable[T]]) -> T:
    return await coro()


async def _connect_and_migrate(settings: Settings, *, apply: bool) -> list[str]:
    from hromada import db
    from hromada.migrations import migrate, pending_migrations

    db.use_database(settings)
    try:
        await db.ping()
    except Exception as exc:
        target = settings.database_url or str(settings.sqlite_path)
        raise click.ClickException(
            f"cannot reach the database {_safe(target)}: {type(exc).__name__}: {exc}"
        ) from None
    return await migrate() if apply else await pending_migrations()


def _safe(url: str) -> str:
    from hromada.config import _redact

    return _redact(url)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hromada")
def main() -> None:
    """hromada: open data and participation platform for a Ukrainian city."""
    domains.compose()


@main.command()
def migrate() -> None:
    """Apply every pending database migration."""
    settings = load_settings()
    applied = run(lambda: _connect_and_migrate(settings, apply=True))
    if applied:
        click.echo(f"applied {len(applied)} migration(s): " + ", ".join(applied))
    else:
        click.echo("database is up to date")


def _serve(settings: Settings) -> None:
    import uvicorn

    env = {f"HROMADA_{k}": str(v) for k, v in _settings_env(settings).items()}
    os.environ.update(env)  # worker processes read their settings from the environment
    click.echo(f"hromada on http://{settings.host}:{settings.port}/")
    click.echo(f"  API docs  http://{settings.host}:{settings.port}/schema")
    click.echo(f"  GraphQL   http://{settings.host}:{settings.port}/graphql")
    uvicorn.run(
        "hromada.app:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        # The app reads X-Forwarded-For itself, only from HROMADA_TRUSTED_PROXIES
        # (uvicorn would trust it from 127.0.0.1, whoever runs there).
        proxy_headers=False,
    )


def _settings_env(settings: Settings) -> dict[str, Any]:
    return {
        "ENVIRONMENT": settings.environment,
        "DATA_DIR": settings.data_dir,
        "HOST": settings.host,
        "PORT": settings.port,
        "WORKERS": settings.workers,
        "DATABASE_URL": settings.database_url,
        "DEMO_SEED": settings.demo_seed,
        "OIDC_PROVIDERS": settings.oidc_providers,
        "MEILI_URL": settings.meili_url,
        "SEARCH_DIR": settings.search_dir,
    }


def _require_identity_secret(settings: Settings) -> None:
    from hromada.auth.runtime import identity_secret

    try:
        identity_secret(settings)
    except SettingsError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None


@main.command()
@click.option("--host", help="Address to bind (HROMADA_HOST).")
@click.option("--port", type=int, help="Port to listen on (HROMADA_PORT).")
@click.option("--workers", type=int, help="Worker processes (HROMADA_WORKERS).")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the API. Refuses to start on a database that is not migrated."""
    settings = load_settings(host=host, port=port, workers=workers)
    pending = run(lambda: _connect_and_migrate(settings, apply=False))
    if pending:
        raise click.ClickException(
            f"the database is not migrated ({len(pending)} pending migration(s)): "
            "run `hromada migrate` first"
        )
    _require_identity_secret(settings)
    _serve(settings)


@main.command()
@click.option("--host", help="Address to bind.")
@click.option("--port", type=int, help="Port to listen on.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo city lives (default: ./var/demo).",
)
@click.option("--reset", is_flag=True, help="Throw the demo city away and build it again.")
@click.option("--seed", type=int, help="Seed of the generator (HROMADA_DEMO_SEED).")
@click.option("--build-only", is_flag=True, help="Build the demo city, do not serve it.")
def demo(
    host: str | None,
    port: int | None,
    data_dir: Path | None,
    reset: bool,
    seed: int | None,
    build_only: bool,
) -> None:
    """Build a synthetic demo city (if it is not there yet) and serve it."""
    base = load_settings()
    data_dir = data_dir or (base.data_dir / "demo")
    if reset and data_dir.exists():
        shutil.rmtree(data_dir)
    # The demo always runs on the embedded defaults, never on a configured database.
    settings = base.replace(
        environment="demo",
        database_url="",
        meili_url="",
        search_dir="",
        data_dir=data_dir,
        host=host or base.host,
        port=port or base.port,
        demo_seed=seed if seed is not None else base.demo_seed,
    )
    from hromada.demo.build import build_demo

    built = run(lambda: build_demo(settings, domains.demo_parts(), progress=True))
    if built:
        click.echo(f"demo city built in {data_dir}")
    else:
        click.echo(f"demo city found in {data_dir} (use --reset to build it again)")
    if not build_only:
        idp = None
        if settings.dev_idp_enabled:
            from hromada.devidp import start_dev_idp

            public = f"http://{_browser_host(settings.host)}:{settings.port}"
            try:
                idp = start_dev_idp(
                    settings,
                    redirect_base=public,
                    host=settings.host,
                    port=settings.effective_dev_idp_port,
                )
            except OSError as exc:
                if settings.dev_idp_port:  # a port asked for by name must be that port
                    raise click.ClickException(
                        f"development identity provider: port {settings.dev_idp_port}: {exc}"
                    ) from None
                idp = start_dev_idp(settings, redirect_base=public, host=settings.host, port=0)
            if not base.oidc_providers:  # the demo's own providers unless some are configured
                settings = settings.replace(oidc_providers=idp.idp.providers_json())
                from hromada.devidp.app import remember_providers

                remember_providers(settings, settings.oidc_providers)
            click.echo(f"development identity provider on {idp.idp.base_url}/")
            click.echo(f"  log in     {public}/auth/login/dev-city  (pick a demo person)")
            click.echo(f"  then       {public}/api/v1/me")
        try:
            _serve(settings)
        finally:
            if idp is not None:
                idp.stop()


def _browser_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host  # noqa: S104


# -- users and roles -----------------------------------------------------------
@main.group()
def users() -> None:
    """Staff roles: grant and revoke moderator, official and admin."""


def _auth_runtime() -> Any:
    from hromada import db
    from hromada.auth.runtime import AuthRuntime

    settings = load_settings()
    _require_identity_secret(settings)
    if settings.environment == "demo" and not settings.oidc_providers:
        # The demo's own providers, as `hromada demo` configures them on its default ports.
        from hromada.devidp.app import demo_provider_configs

        settings = settings.replace(oidc_providers=demo_provider_configs(settings))
    db.use_database(settings)
    return AuthRuntime(settings)


def _users_call(action: Callable[[Any], Awaitable[T]]) -> T:
    from hromada.errors import HromadaError

    runtime = _auth_runtime()
    try:
        return run(lambda: action(runtime))
    except HromadaError as exc:
        raise click.ClickException(exc.detail) from None


@users.command("grant")
@click.argument("subject")
@click.argument("role", type=click.Choice(["moderator", "official", "admin"]))
def users_grant(subject: str, role: str) -> None:
    """Give SUBJECT a staff ROLE.

    SUBJECT is resident:ID (the id /api/v1/me shows) or PROVIDER:SUBJECT (the
    provider's name and the person's subject there; works before their first
    login too).
    """
    from hromada.auth import service

    out = _users_call(lambda rt: service.grant_role(rt, subject, role))
    who = f"resident {out.resident_id}" if out.resident_id else "(not logged in yet)"
    click.echo(f"granted {role} to {subject} {who}")


@users.command("revoke")
@click.argument("subject")
@click.argument("role", type=click.Choice(["moderator", "official", "admin"]))
def users_revoke(subject: str, role: str) -> None:
    """Take a staff ROLE granted with `hromada users grant` away from SUBJECT."""
    from hromada.auth import service

    removed = _users_call(lambda rt: service.revoke_role(rt, subject, role))
    click.echo(f"revoked {role} from {subject}" if removed else f"{subject} had no {role} grant")


@main.command()
@click.argument("dataset", required=False)
def publish(dataset: str | None) -> None:
    """Publish DATASET (default: every dataset): a new version where the content changed."""
    settings = load_settings()

    async def go() -> list[tuple[Any, list[Any]]]:
        from hromada.open_data.catalog.registry import get_dataset
        from hromada.open_data.catalog.retention import apply_policy
        from hromada.open_data.catalog.service import publish_all
        from hromada.progress import ProgressReporter

        await _ready_database(settings)
        if dataset:
            try:
                get_dataset(settings, dataset)
            except Exception as exc:
                raise click.ClickException(str(exc)) from None
        with ProgressReporter() as reporter:
            results = await publish_all(
                settings, [dataset] if dataset else None, progress=reporter.update
            )
        # The retention policy (HROMADA_KEEP_VERSIONS) follows every new version.
        return [(r, await apply_policy(settings, r.slug) if r.created else []) for r in results]

    for result, pruned in run(go):
        v = result.version
        if v is None:
            click.echo(f"{result.slug}: nothing published")
        elif result.created:
            c = v.changes
            click.echo(
                f"{result.slug}: version {v.number}, {v.row_count} rows "
                f"(+{c.rows_added} ~{c.rows_changed} -{c.rows_removed})"
            )
        else:
            click.echo(f"{result.slug}: unchanged, still version {v.number}")
        for item in pruned:
            click.echo(f"{result.slug}: pruned version {item.number} (retention policy)")


async def _ready_database(settings: Settings) -> None:
    pending = await _connect_and_migrate(settings, apply=False)
    if pending:
        raise click.ClickException(
            f"the database is not migrated ({len(pending)} pending migration(s)): "
            "run `hromada migrate` first"
        )


@main.group()
def versions() -> None:
    """Dataset versions: list them, pin the cited ones, prune the files of old ones."""


def _versions_call(action: Callable[[], Awaitable[T]]) -> T:
    from hromada.errors import HromadaError

    settings = load_settings()

    async def go() -> T:
        await _ready_database(settings)
        try:
            return await action()
        except HromadaError as exc:
            raise click.ClickException(exc.detail) from None

    return run(go)


@versions.command(name="list")
@click.argument("dataset")
def versions_list(dataset: str) -> None:
    """The versions of DATASET, newest first: number, date, rows, pinned or pruned."""
    from hromada.open_data.catalog.service import list_versions

    settings = load_settings()
    page = _versions_call(
        lambda: list_versions(settings, dataset, limit=10_000, cursor=None, base_url="")
    )
    for v in page.items:
        size = sum(f.bytes for f in v.files)
        state = f"pruned {v.pruned_at:%Y-%m-%d}" if v.pruned_at else f"{size:,} bytes"
        pin = ", pinned" if v.pinned else ""
        click.echo(f"{v.number}\t{v.created_at:%Y-%m-%d %H:%M}\t{v.row_count} rows\t{state}{pin}")


@versions.command(name="pin")
@click.argument("dataset")
@click.argument("number", type=click.IntRange(min=1))
@click.option("--unpin", is_flag=True, help="Let the retention policy remove it again.")
def versions_pin(dataset: str, number: int, unpin: bool) -> None:
    """Keep version NUMBER of DATASET whatever its age (a version somebody cites)."""
    from hromada.open_data.catalog.retention import pin

    settings = load_settings()
    _versions_call(lambda: pin(settings, dataset, number, pinned=not unpin))
    click.echo(f"{dataset}: version {number} {'unpinned' if unpin else 'pinned'}")


@versions.command(name="prune")
@click.argument("dataset", required=False)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    help="Newest versions to keep (default: HROMADA_KEEP_VERSIONS).",
)
@click.option(
    "--older-than", type=click.IntRange(min=0), help="Only versions older than this many days."
)
@click.option(
    "--include-pinned", is_flag=True, help="Prune pinned versions too: their URLs answer 410."
)
@click.option("--dry-run", is_flag=True, help="Say what would be pruned; change nothing.")
def versions_prune(
    dataset: str | None,
    keep: int | None,
    older_than: int | None,
    include_pinned: bool,
    dry_run: bool,
) -> None:
    """Remove the files of old versions of DATASET (default: every dataset).

    A pruned version keeps its number, date and checksums in the version list; its
    download URLs answer 410 Gone naming the latest version. The latest version and
    pinned versions are always kept (pinned ones unless --include-pinned).
    """
    import datetime

    from hromada.open_data.catalog.registry import all_datasets
    from hromada.open_data.catalog.retention import prune

    settings = load_settings()
    keep = keep or settings.keep_versions
    if not keep:
        raise click.UsageError("say how many versions to keep: --keep N or HROMADA_KEEP_VERSIONS")
    age = datetime.timedelta(days=older_than) if older_than is not None else None

    async def go() -> list[Any]:
        slugs = [dataset] if dataset else [d.slug for d in all_datasets(settings)]
        out = []
        for slug in slugs:
            out += await prune(
                settings,
                slug,
                keep=keep,
                older_than=age,
                include_pinned=include_pinned,
                dry_run=dry_run,
            )
        return out

    pruned = _versions_call(go)
    verb = "would prune" if dry_run else "pruned"
    for item in pruned:
        click.echo(f"{item.slug}: {verb} version {item.number} ({item.bytes:,} bytes)")
    total = sum(item.bytes for item in pruned)
    click.echo(f"{verb} {len(pruned)} version(s), {total:,} bytes")


@main.command()
@click.argument("doc_type", required=False)
def reindex(doc_type: str | None) -> None:
    """Rebuild the search index from the database (DOC_TYPE: one document type only).

    With a running `hromada serve` or `hromada indexer` holding the index, the
    rebuild is queued for it; otherwise it runs here, with a progress bar.
    """
    settings = load_settings()

    async def go() -> tuple[int, int, bool]:
        from hromada import db
        from hromada.errors import HromadaError
        from hromada.progress import ProgressReporter
        from hromada.search.indexer import run_reindex

        await _ready_database(settings)
        engine = db.use_database(settings)
        await db.start(engine, settings.database_pool_size)
        try:
            with ProgressReporter() as reporter:
                return await run_reindex(
                    settings, [doc_type] if doc_type else None, reporter.update
                )
        except HromadaError as exc:
            raise click.ClickException(exc.detail) from None
        finally:
            await db.stop(engine)

    queued, done, here = run(go)
    if here:
        click.echo(f"search index rebuilt: {done} outbox rows handled")
    else:
        click.echo(
            f"queued {queued} documents: the running indexer (hromada serve / hromada "
            "indexer) is indexing them"
        )


@main.command()
def indexer() -> None:
    """Keep the search index up to date from the outbox until stopped (Ctrl-C).

    Use it with HROMADA_SEARCH_INDEXER=off to index outside the web processes.
    """
    settings = load_settings()

    async def go() -> None:
        from hromada import db
        from hromada.search.indexer import run_indexer

        await _ready_database(settings)
        engine = db.use_database(settings)
        await db.start(engine, settings.database_pool_size)
        try:
            click.echo(f"indexing into {settings.meili_url or settings.search_path}")
            await run_indexer(settings)
        finally:
            await db.stop(engine)

    run(go)


async def run_job_here(settings: Settings, job_id: int) -> Any:
    """Run the queue in this process until job ``job_id`` is finished (after a CLI import,
    so the command ends with its work done); waits for it if another worker took it."""
    from hromada import domains
    from hromada.jobs.worker import Worker

    return await Worker(settings, domains.jobs()).run_until_finished(job_id)


@main.command()
def worker() -> None:
    """Run background jobs (publishing after imports) until stopped (Ctrl-C).

    Any number of workers, on any number of hosts, share the queue; use it with
    HROMADA_JOBS_WORKER=off to keep jobs out of the web processes.
    """
    settings = load_settings()

    async def go() -> None:
        from hromada import db, domains
        from hromada.jobs.worker import Worker

        await _ready_database(settings)
        engine = db.use_database(settings)
        await db.start(engine, settings.database_pool_size)
        try:
            jobs_worker = Worker(settings, domains.jobs())
            click.echo(f"running background jobs as {jobs_worker.name}")
            await jobs_worker.run()
        finally:
            await db.stop(engine)

    run(go)


@main.command()
@click.option("--retry", is_flag=True, help="Queue the failed jobs again, with fresh attempts.")
@click.option("--kind", help="With --retry: only jobs of this kind.")
def jobs(retry: bool, kind: str | None) -> None:
    """Background jobs: counts by kind and state, and the failed ones with their errors."""
    settings = load_settings()

    async def go() -> tuple[int, Any, Any]:
        from hromada.jobs import service

        await _ready_database(settings)
        retried = await service.retry_failed(kind) if retry else 0
        return retried, await service.counts(), await service.failed()

    retried, counts, failed = run(go)
    if retry:
        click.echo(f"queued again: {retried} failed job(s)")
    if not counts:
        click.echo("no jobs")
        return
    states = ("queued", "running", "failed", "done", "superseded")
    kinds = sorted({k for k, _ in counts})
    width = max(len("kind"), *(len(k) for k in kinds))
    click.echo("kind".ljust(width) + "".join(s.rjust(12) for s in states))
    for k in kinds:
        click.echo(k.ljust(width) + "".join(str(counts.get((k, s), 0)).rjust(12) for s in states))
    for job in failed:
        click.echo(
            f"failed job {job.id} ({job.kind}, {job.attempts} attempt(s), "
            f"{job.updated_at:%Y-%m-%d %H:%M:%S}Z): {job.last_error}",
            err=True,
        )


@main.group(name="import")
def import_group() -> None:
    """Import data into the database (appeals, district lists)."""


@import_group.command(name="appeals")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "csv", "xlsx", "jsonl", "kyiv1551-api", "kyiv1551-2015"]),
    default="auto",
    show_default=True,
    help="Format of FILE; auto decides from its first bytes and header.",
)
@click.option(
    "--allow-rejects",
    is_flag=True,
    help="Import the good rows even if some are bad (default: one bad row stops it all).",
)
@click.option(
    "--allow-missing",
    is_flag=True,
    help="Import a CSV that lacks the district, category or status column (refused otherwise).",
)
@click.option(
    "--workers",
    type=int,
    default=1,
    show_default=True,
    help="Processes that anonymise in parallel (for big files).",
)
def import_appeals(
    file: Path, fmt: str, allow_rejects: bool, allow_missing: bool, workers: int
) -> None:
    """Import an appeals export: anonymised, in one transaction, updating by id."""
    from hromada.errors import HromadaError
    from hromada.open_data.appeals import service
    from hromada.progress import ProgressReporter

    settings = load_settings()

    size = file.stat().st_size

    async def go() -> Any:
        await _connect_and_migrate(settings, apply=True)
        with file.open("rb") as handle, ProgressReporter() as reporter:

            def progress(rows: int) -> None:
                reporter.update("appeals (kB read)", min(handle.tell(), size) // 1024, size // 1024)

            report = await service.import_file(
                handle,
                fmt=fmt,
                allow_rejects=allow_rejects,
                allow_missing=allow_missing,
                progress=progress,
                workers=workers,
            )
        if report.applied and report.publish_job is not None:
            # The import queued the publish job: run it here (or wait for the worker
            # that took it) so the command ends with the new version published.
            job = await run_job_here(settings, report.publish_job)
            if job is not None and job.state != "done":
                click.echo(
                    f"publishing after the import: job {job.id} {job.state}: "
                    f"{job.last_error or '-'} (see `hromada jobs`)",
                    err=True,
                )
        return report

    try:
        report = run(go)
    except HromadaError as exc:
        raise click.ClickException(f"{file}: {exc.detail}") from None
    for error in report.errors:
        where = f"line {error.line}" + (f", {error.column}" if error.column else "")
        click.echo(f"{file}: {where}: {error.reason}", err=True)
    if report.errors_truncated:
        click.echo(f"{file}: … more bad rows not listed", err=True)
    click.echo(
        f"{report.format}: read {report.read}, imported {report.imported}, "
        f"updated {report.updated}, unchanged {report.unchanged}, "
        f"rejected {report.rejected}, repeated {report.repeated}, {report.seconds:.1f} s"
    )
    if report.buildings_matched or report.buildings_unmatched:
        click.echo(
            f"addresses: {report.buildings_matched} matched a registry building, "
            f"{report.buildings_unmatched} did not"
        )
    if not report.applied:
        raise click.ClickException(
            f"{report.rejected} bad row(s): nothing was imported "
            "(fix them, or pass --allow-rejects to import the rest)"
        )


@import_group.command(name="registry")
@click.argument("registry")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "csv", "xlsx", "geojson"]),
    default="auto",
    show_default=True,
    help="Format of FILE; auto decides from its first bytes.",
)
@click.option("--replace", is_flag=True, help="Also remove the records FILE no longer has.")
def import_registry(registry: str, file: Path, fmt: str, replace: bool) -> None:
    """Import a registry file (CSV, XLSX, GeoJSON): all or nothing, updating by key.

    REGISTRY is one of the declared registries (`hromada import registry --help` lists
    them in the error when a wrong one is given).
    """
    from hromada.errors import HromadaError
    from hromada.open_data.registries import importing, records

    settings = load_settings()
    _check_file_size(settings, file)

    async def go() -> Any:
        await _connect_and_migrate(settings, apply=True)
        declared = records.registry_or_404(registry)
        with file.open("rb") as handle:
            report = await importing.import_file(
                declared, handle, k=settings.appeals_k, fmt=fmt, replace=replace
            )
        if report.applied and report.publish_job is not None:
            job = await run_job_here(settings, report.publish_job)
            if job is not None and job.state != "done":
                click.echo(
                    f"publishing after the import: job {job.id} {job.state}: "
                    f"{job.last_error or '-'} (see `hromada jobs`)",
                    err=True,
                )
        return report

    try:
        report = run(go)
    except HromadaError as exc:
        raise click.ClickException(f"{file}: {exc.detail}") from None
    for error in report.errors:
        where = f"line {error.line}" + (f", {error.column}" if error.column else "")
        click.echo(f"{file}: {where}: {error.reason}", err=True)
    for error in report.unmatched_addresses:
        click.echo(f"{file}: line {error.line}: {error.reason} (imported)", err=True)
    click.echo(
        f"{report.registry} ({report.format}): read {report.read}, inserted {report.inserted}, "
        f"updated {report.updated}, unchanged {report.unchanged}, removed {report.removed}, "
        f"rejected {report.rejected}, addresses unmatched {len(report.unmatched_addresses)}"
    )
    if not report.applied:
        raise click.ClickException(f"{report.rejected} bad record(s): nothing was imported")


def _check_file_size(settings: Settings, file: Path) -> None:
    """Registry, budget and ProZorro files share one bound (HROMADA_REGISTRY_IMPORT_MAX_BYTES)."""
    if file.stat().st_size > settings.registry_import_max_bytes:
        raise click.ClickException(
            f"{file}: larger than {settings.registry_import_max_bytes} bytes "
            "(HROMADA_REGISTRY_IMPORT_MAX_BYTES)"
        )


@import_group.command(name="budget")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_budget(file: Path) -> None:
    """Import an openbudget.gov.ua execution export (expenses by economic code, or incomes)
    as it comes: all or nothing; a month imported again replaces the one before."""
    from hromada.errors import HromadaError
    from hromada.open_data.budget.importing import import_export

    settings = load_settings()
    _check_file_size(settings, file)

    data = file.read_bytes()

    async def go() -> Any:
        await _connect_and_migrate(settings, apply=True)
        report = await import_export(data)
        if report.publish_job is not None:
            await run_job_here(settings, report.publish_job)
        return report

    try:
        report = run(go)
    except HromadaError as exc:
        for error in (exc.errors or [])[:50]:
            click.echo(f"{file}: {error['where']}: {error['name']}: {error['message']}", err=True)
        raise click.ClickException(f"{file}: {exc.detail}") from None
    click.echo(
        f"{report.kind}: {report.rows} line(s) of budget(s) {', '.join(report.budgets)}, "
        f"{report.periods[0]} to {report.periods[1]}, {report.codes} code(s)"
    )


@import_group.command(name="indicators")
@click.option(
    "--definitions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV: code,title_uk,title_en,unit,direction,periodicity,worst,best,weight,source",
)
@click.option(
    "--values",
    "values_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV: indicator,period,district,value (district empty: the whole city)",
)
def import_indicators(definitions: Path | None, values_file: Path | None) -> None:
    """Import the city index's indicator definitions and/or their values: all or nothing;
    a code, or an indicator's period and district, imported again replaces what was there."""
    from hromada.errors import HromadaError
    from hromada.open_data.indicators.importing import import_indicators as write

    if definitions is None and values_file is None:
        raise click.UsageError("give --definitions, --values or both")
    settings = load_settings()
    for file in (definitions, values_file):
        if file is not None:
            _check_file_size(settings, file)
    defined = definitions.read_bytes() if definitions else None
    values = values_file.read_bytes() if values_file else None

    async def go() -> Any:
        await _connect_and_migrate(settings, apply=True)
        report = await write(defined, values)
        for job in report.publish_jobs:
            await run_job_here(settings, job)
        return report

    try:
        report = run(go)
    except HromadaError as exc:
        for error in (exc.errors or [])[:50]:
            click.echo(f"{error['where']}: {error['name']}: {error['message']}", err=True)
        raise click.ClickException(exc.detail) from None
    click.echo(f"{report.definitions} indicator(s) defined, {report.values} value(s) imported")


@import_group.command(name="prozorro")
@click.option(
    "--file",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='ProZorro API JSON: {"data": tender}, {"data": [tender, ...]} or JSON Lines.',
)
@click.option(
    "--feed", "feed", help="The API's root, e.g. https://public-api.prozorro.gov.ua/api/2.5"
)
@click.option("--offset", help="Start after this feed offset (the last run's next offset).")
@click.option(
    "--limit", type=int, default=100, show_default=True, help="Most tenders read from --feed."
)
@click.option("--descending", is_flag=True, help="Read the feed newest first.")
def import_prozorro(
    file: Path | None, feed: str | None, offset: str | None, limit: int, descending: bool
) -> None:
    """Import ProZorro tenders from a file or from the public API's feed: all or nothing;
    a tender already stored is replaced only by a copy with a newer dateModified."""
    from hromada.errors import HromadaError
    from hromada.open_data.procurement.feed import import_feed
    from hromada.open_data.procurement.importing import import_file

    if (file is None) == (feed is None):
        raise click.UsageError("give one of --file PATH or --feed URL")
    settings = load_settings()
    source = str(file or feed)
    data = None
    if file is not None:
        _check_file_size(settings, file)
        data = file.read_bytes()

    async def go() -> Any:
        await _connect_and_migrate(settings, apply=True)
        if data is not None:
            report = await import_file(data, max_bytes=settings.registry_import_max_bytes)
            next_offset = None
        else:
            assert feed is not None
            run_ = await import_feed(feed, offset=offset, limit=limit, descending=descending)
            report, next_offset = run_.report, run_.next_offset
        if report.publish_job is not None:
            await run_job_here(settings, report.publish_job)
        return report, next_offset

    try:
        report, next_offset = run(go)
    except HromadaError as exc:
        for error in (exc.errors or [])[:50]:
            click.echo(f"{source}: {error['where']}: {error['name']}: {error['message']}", err=True)
        raise click.ClickException(f"{source}: {exc.detail}") from None
    click.echo(
        f"tenders: read {report.read}, inserted {report.inserted}, updated {report.updated}, "
        f"unchanged {report.unchanged} (stored copy as new or newer), "
        f"{report.winners} winner(s) written"
    )
    if next_offset is not None:
        click.echo(f"next offset: {next_offset}")


@import_group.command(name="districts")
@click.argument("city")
def import_districts(city: str) -> None:
    """Add a built-in city's districts to the registry (known: kyiv)."""
    from hromada.errors import HromadaError
    from hromada.open_data.appeals.districts import load_built_in

    settings = load_settings()

    async def go() -> tuple[int, int]:
        await _connect_and_migrate(settings, apply=True)
        return await load_built_in(city)

    try:
        added, present = run(go)
    except HromadaError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"{city}: added {added} district(s), {present} already there")


@main.group()
def city() -> None:
    """The community this installation serves (from the KATOTTG codifier)."""


@city.command(name="set")
@click.argument("community")
@click.option(
    "--boundaries",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="GeoJSON FeatureCollection of district outlines, matched to districts by name.",
)
@click.option(
    "--codifier",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A newer KATOTTG codifier CSV (or .csv.gz) in the usual columns.",
)
def city_set(community: str, boundaries: Path | None, codifier: Path | None) -> None:
    """Set the community by its KATOTTG code (of the community, its city or a district of it)
    or by name: its settlements and districts go into the registry, in one transaction."""
    from hromada.errors import HromadaError
    from hromada.open_data.registries import community as communities

    settings = load_settings()

    async def go() -> tuple[communities.Plan, communities.Applied]:
        found = communities.plan(
            read := communities.read_codifier(codifier),
            communities.find_community(read, community),
        )
        outlines = communities.read_boundaries(boundaries, found.districts) if boundaries else {}
        await _connect_and_migrate(settings, apply=True)
        return found, await communities.apply(found, outlines)

    try:
        planned, applied = run(go)
    except HromadaError as exc:
        for error in exc.errors:
            click.echo(f"  {error.get('message')}", err=True)
        raise click.ClickException(exc.detail) from None
    kind = (
        "settlements (it has no city districts)"
        if planned.districts_are_settlements
        else "city districts"
    )
    click.echo(
        f"{applied.community}, {planned.raion} р-н, {planned.oblast} обл.: "
        f"{applied.settlements} settlement(s); districts from its {kind}: "
        f"{applied.districts_added} added, {applied.districts_updated} updated, "
        f"{applied.located} with an outline"
    )
    if applied.districts_kept:
        click.echo(
            f"kept {len(applied.districts_kept)} district(s) the codifier does not list "
            f"(appeals or streets may refer to them): {', '.join(applied.districts_kept)}"
        )


@city.command(name="show")
def city_show() -> None:
    """Print the community this installation serves, if one is set."""
    from hromada.open_data.registries import community as communities

    settings = load_settings()

    async def go() -> dict[str, Any] | None:
        await _ready_database(settings)
        return await communities.current()

    found = run(go)
    if found is None:
        raise click.ClickException("no community is set: run `hromada city set CODE-OR-NAME`")
    click.echo(
        f"{found['name']} ({found['katottg']}), {found['raion']} р-н, {found['oblast']} обл."
    )


@main.group()
def pb() -> None:
    """Participatory-budget results from Pabulib (.pb) files."""


def _read_pb(file: Path) -> Any:
    from hromada.participation.budgeting.pabulib import PabulibError, parse

    try:
        return parse(file.read_bytes())
    except PabulibError as error:
        raise click.ClickException(f"{file.name}: {error}") from None


@pb.command(name="results")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--rule",
    type=click.Choice(["greedy", "greedy-no-skip", "greedy-threshold", "mes"]),
    default="greedy",
    show_default=True,
)
def pb_results(file: Path, rule: str) -> None:
    """Print the projects RULE funds, as a JSON list of ids (as strings, as in the file)."""
    from hromada.participation.budgeting.rules import compute

    instance = _read_pb(file)
    try:
        outcome = compute(instance, rule)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(outcome.selected, ensure_ascii=False))


@pb.command(name="check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def pb_check(file: Path) -> None:
    """Compare every rule with the file's published `selected` projects; exit non-zero when
    the file's own rule (META `rule`) does not reproduce them."""
    from hromada.participation.budgeting.rules import RULES, compute

    instance = _read_pb(file)
    published = instance.selected()
    if published is None:
        raise click.ClickException(f"{file.name} has no `selected` column to check against")
    own = {"equalshares/add1": "mes", "greedy-exclusive": "greedy", "greedy-custom": "greedy"}
    own_rule = own.get(instance.rule, instance.rule)
    for rule in RULES:
        try:
            chosen = compute(instance, rule).selected
        except ValueError as error:
            click.echo(f"{rule}: not computed ({error})")
            continue
        verdict = "same" if sorted(chosen) == sorted(published) else "different"
        click.echo(f"{rule}: {verdict} ({len(chosen)} projects)")
        if rule == own_rule and verdict == "different":
            raise click.ClickException(f"the file's own rule {instance.rule} does not reproduce it")
    if own_rule not in RULES:
        raise click.ClickException(
            f"the file's own rule {instance.rule!r} is not one hromada computes: "
            "it does not reproduce it"
        )


@main.group()
def audit() -> None:
    """The participation audit log (petitions and the participatory budget)."""


@audit.command(name="verify")
def audit_verify() -> None:
    """Recompute every entry's hash from the first; exit non-zero at the first that fails."""
    from hromada.participation.audit.service import BrokenChain, verify

    settings = load_settings()

    async def go() -> Any:
        await _ready_database(settings)
        return await verify()

    try:
        head = run(go)
    except BrokenChain as broken:
        raise click.ClickException(f"the audit log is broken: {broken}") from None
    click.echo(f"{head.entries} entries recompute; head {head.head_hash}")


def add_command(group: click.Group, command: click.Command) -> None:
    """Add a domain's command; a group whose name is taken merges into the one there."""
    name = command.name or ""
    existing = group.commands.get(name)
    if existing is None:
        group.add_command(command)
    elif isinstance(existing, click.Group) and isinstance(command, click.Group):
        for sub in command.commands.values():
            add_command(existing, sub)
    else:
        raise ValueError(f"two commands are named {name!r}")


for _domain in domains.DOMAINS:
    for _command in _domain.cli:
        add_command(main, _command)


def entrypoint() -> None:  # pragma: no cover - thin wrapper
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
