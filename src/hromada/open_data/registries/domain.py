"""The registries domain: districts, streets and buildings."""

from hromada.domain import Domain
from hromada.open_data.registries.datasets import datasets
from hromada.open_data.registries.demo import RegistriesDemo
from hromada.open_data.registries.search import DOCUMENT_TYPES

DOMAIN = Domain(
    name="registries",
    piccolo_app="hromada.open_data.registries.piccolo_app",
    rest=("hromada.api.registries",),
    graphql="hromada.graphql.registries",
    datasets=datasets,
    document_types=DOCUMENT_TYPES,
    demo=RegistriesDemo,
)
