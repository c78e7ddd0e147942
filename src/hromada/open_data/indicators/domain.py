"""The indicators domain: the city progress index's indicators, their values and the index."""

from hromada.domain import Domain
from hromada.open_data.indicators.datasets import datasets

DOMAIN = Domain(
    name="indicators",
    piccolo_app="hromada.open_data.indicators.piccolo_app",
    rest=("hromada.api.indicators",),
    datasets=datasets,
)
