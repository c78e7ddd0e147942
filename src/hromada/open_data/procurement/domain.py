"""The procurement domain: the community's tenders, imported from the ProZorro public API."""

from hromada.domain import Domain
from hromada.open_data.procurement.datasets import datasets

DOMAIN = Domain(
    name="procurement",
    piccolo_app="hromada.open_data.procurement.piccolo_app",
    rest=("hromada.api.procurement",),
    graphql="hromada.graphql.procurement",
    datasets=datasets,
)
