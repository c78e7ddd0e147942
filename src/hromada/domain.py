"""What a domain package declares about itself, in one place: its ``domain.py``.

Every part of hromada that serves all domains (the app's routes, the GraphQL
schema, Piccolo's migrations, the catalogue, the search index, the demo city,
the ``hromada`` command, the jobs worker) reads these declarations from the
one list in :mod:`hromada.domains`, and from nowhere else.

A declaration names its transports by module path, never by import: a domain
knows nothing of HTTP or GraphQL, and the app resolves the paths when it
builds itself (see DESIGN.md, "Domains").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

    from hromada.config import Settings
    from hromada.demo.parts import DemoPart
    from hromada.open_data.catalog.model import Dataset
    from hromada.open_data.catalog.registry import City
    from hromada.search.port import DocumentType

# A job handler receives the process's settings and the job's payload; it must be
# idempotent (it may run again: see hromada.jobs.service).
JobHandler = Callable[["Settings", dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Domain:
    """One domain package, as the rest of hromada sees it."""

    # Short and unique: "appeals", "registries", ... (used in messages and job kinds).
    name: str
    # Module path of the package's Piccolo ``APP_CONFIG`` (its tables and migrations).
    piccolo_app: str | None = None
    # Modules in ``hromada.api`` whose ``ROUTES`` list holds this domain's controllers.
    rest: tuple[str, ...] = ()
    # Module in ``hromada.graphql`` exporting ``Query`` (and ``Mutation`` when it has one).
    graphql: str | None = None
    # The datasets this domain publishes in the catalogue, for a given city.
    datasets: Callable[[City], list[Dataset]] | None = None
    # What this domain puts in the search index.
    document_types: tuple[DocumentType, ...] = ()
    # Builds this domain's part of the demo city (a ``DemoPart``).
    demo: Callable[[], DemoPart] | None = None
    # Click commands and groups added to ``hromada``; a group whose name is
    # already taken (``import``) adds its subcommands to the existing one.
    cli: tuple[click.Command, ...] = ()
    # Background work this domain hands to the jobs worker: kind -> handler.
    jobs: Mapping[str, JobHandler] = field(default_factory=lambda: MappingProxyType({}))
