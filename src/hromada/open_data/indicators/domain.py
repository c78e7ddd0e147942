"""The indicators domain: the city progress index's indicators, their values and the index."""

from hromada.domain import Domain
from hromada.open_data.indicators.datasets import datasets
from hromada.open_data.indicators.demo import IndicatorsDemo

DOMAIN = Domain(
    name="indicators",
    piccolo_app="hromada.open_data.indicators.piccolo_app",
    rest=("hromada.api.indicators",),
    graphql="hromada.graphql.indicators",
    datasets=datasets,
    demo=IndicatorsDemo,
)
