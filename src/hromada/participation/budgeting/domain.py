"""The participatory-budget domain: pools, one ballot per resident, results anyone can
recompute from the published ballots."""

from hromada.domain import Domain
from hromada.participation.budgeting.datasets import datasets
from hromada.participation.budgeting.demo import BudgetingDemo
from hromada.participation.budgeting.search import DOCUMENT_TYPES
from hromada.participation.budgeting.service import RESULTS, results_job

DOMAIN = Domain(
    name="budgeting",
    piccolo_app="hromada.participation.budgeting.piccolo_app",
    rest=("hromada.api.budgeting",),
    graphql="hromada.graphql.budgeting",
    datasets=datasets,
    document_types=DOCUMENT_TYPES,
    demo=BudgetingDemo,
    jobs={RESULTS: results_job},
)
