"""The budget domain: the city budget's execution, imported from openbudget.gov.ua."""

from hromada.domain import Domain
from hromada.open_data.budget.datasets import datasets
from hromada.open_data.budget.demo import BudgetDemo
from hromada.open_data.budget.search import DOCUMENT_TYPES

DOMAIN = Domain(
    name="budget",
    piccolo_app="hromada.open_data.budget.piccolo_app",
    rest=("hromada.api.budget",),
    graphql="hromada.graphql.budget",
    datasets=datasets,
    demo=BudgetDemo,
    document_types=DOCUMENT_TYPES,
)
