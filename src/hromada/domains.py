"""The one list of domains, and the composition root that hands their declarations out.

A new domain adds its ``DOMAIN`` to :data:`DOMAINS` and nowhere else: the app's
routes, the GraphQL schema, Piccolo's apps, the catalogue, the search index,
the demo city, the ``hromada`` command and the jobs worker all read this list.

Order matters once: a domain comes after the domains it reads. The catalogue
publishes and search indexes what the others wrote, so they stay last.
"""

from __future__ import annotations

from collections.abc import Mapping

from hromada.auth.domain import DOMAIN as AUTH
from hromada.demo.parts import DemoPart
from hromada.domain import Domain, JobHandler
from hromada.jobs.domain import DOMAIN as JOBS
from hromada.open_data.appeals import buildings as appeal_buildings
from hromada.open_data.appeals.domain import DOMAIN as APPEALS
from hromada.open_data.budget.domain import DOMAIN as BUDGET
from hromada.open_data.catalog import registry as catalog_registry
from hromada.open_data.catalog.domain import DOMAIN as CATALOG
from hromada.open_data.indicators.domain import DOMAIN as INDICATORS
from hromada.open_data.procurement.domain import DOMAIN as PROCUREMENT
from hromada.open_data.registries.domain import DOMAIN as REGISTRIES
from hromada.open_data.sensors.domain import DOMAIN as SENSORS
from hromada.participation import places
from hromada.participation.audit.domain import DOMAIN as AUDIT
from hromada.participation.budgeting.domain import DOMAIN as BUDGETING
from hromada.participation.petitions.domain import DOMAIN as PETITIONS
from hromada.search import registry as search_registry
from hromada.search.domain import DOMAIN as SEARCH

DOMAINS: tuple[Domain, ...] = (
    AUTH,
    JOBS,
    REGISTRIES,
    APPEALS,
    BUDGET,
    INDICATORS,
    PROCUREMENT,
    SENSORS,
    AUDIT,
    PETITIONS,
    BUDGETING,
    CATALOG,
    SEARCH,
)

_names = [d.name for d in DOMAINS]
if len(_names) != len(set(_names)):
    raise ValueError(f"two domains share a name: {_names}")

_composed = False


def compose() -> None:
    """Hand search and the catalogue what the domains declare (once per process).

    Search and the catalogue never import a domain; every entry point (the
    app, the ``hromada`` command, the tests) calls this before using them.
    """
    global _composed
    if _composed:
        return
    catalog_registry.install([d.datasets for d in DOMAINS if d.datasets is not None])
    search_registry.install(t for d in DOMAINS for t in d.document_types)
    # A project's address is placed through the buildings registry (participation asks
    # the port; it may not import open_data).
    places.install(appeal_buildings.locate)
    _composed = True


def piccolo_apps() -> list[str]:
    """Module paths of every Piccolo app (``piccolo_conf`` builds its registry from them)."""
    return [d.piccolo_app for d in DOMAINS if d.piccolo_app]


def demo_parts() -> list[DemoPart]:
    return [d.demo() for d in DOMAINS if d.demo is not None]


def jobs() -> Mapping[str, JobHandler]:
    """Every job kind the worker knows, with its handler; a kind belongs to one domain."""
    handlers: dict[str, JobHandler] = {}
    for domain in DOMAINS:
        for kind, handler in domain.jobs.items():
            if kind in handlers:
                raise ValueError(f"job kind {kind!r} is declared twice (again by {domain.name})")
            handlers[kind] = handler
    return handlers
