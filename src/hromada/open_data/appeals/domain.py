"""The appeals domain: contact-centre appeals, anonymised, with their Open311 view."""

from hromada.domain import Domain
from hromada.open_data.appeals.datasets import datasets
from hromada.open_data.appeals.demo import AppealsDemo
from hromada.open_data.appeals.search import DOCUMENT_TYPES

DOMAIN = Domain(
    name="appeals",
    piccolo_app="hromada.open_data.appeals.piccolo_app",
    rest=("hromada.api.appeals", "hromada.api.open311"),
    graphql="hromada.graphql.appeals",
    datasets=datasets,
    document_types=DOCUMENT_TYPES,
    demo=AppealsDemo,
)
