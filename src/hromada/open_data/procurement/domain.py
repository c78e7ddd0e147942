"""The procurement domain: the community's tenders, imported from the ProZorro public API."""

from hromada.domain import Domain
from hromada.open_data.procurement.datasets import datasets
from hromada.open_data.procurement.demo import ProcurementDemo
from hromada.open_data.procurement.search import DOCUMENT_TYPES

DOMAIN = Domain(
    name="procurement",
    piccolo_app="hromada.open_data.procurement.piccolo_app",
    rest=("hromada.api.procurement",),
    graphql="hromada.graphql.procurement",
    datasets=datasets,
    document_types=DOCUMENT_TYPES,
    demo=ProcurementDemo,
)
