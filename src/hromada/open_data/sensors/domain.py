"""The sensors domain: the city's sensor network, device keys, readings and their rollups."""

from hromada.domain import Domain
from hromada.open_data.sensors.datasets import datasets
from hromada.open_data.sensors.demo import SensorsDemo
from hromada.open_data.sensors.search import DOCUMENT_TYPES

DOMAIN = Domain(
    name="sensors",
    piccolo_app="hromada.open_data.sensors.piccolo_app",
    rest=("hromada.api.sensors",),
    graphql="hromada.graphql.sensors",
    datasets=datasets,
    document_types=DOCUMENT_TYPES,
    demo=SensorsDemo,
)
