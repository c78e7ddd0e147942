"""The catalogue: datasets, versions, downloads, and their CKAN and DCAT views.

It publishes what the other domains declare, so it comes after them in
:data:`hromada.domains.DOMAINS` (its demo part publishes their data).
"""

from hromada.domain import Domain
from hromada.open_data.catalog.demo import CatalogDemo
from hromada.open_data.catalog.jobs import PUBLISH, publish_job
from hromada.open_data.catalog.search import DOCUMENT_TYPES

DOMAIN = Domain(
    name="catalog",
    piccolo_app="hromada.open_data.catalog.piccolo_app",
    rest=("hromada.api.datasets", "hromada.api.ckan"),
    graphql="hromada.graphql.catalog",
    document_types=DOCUMENT_TYPES,
    demo=CatalogDemo,
    jobs={PUBLISH: publish_job},
)
