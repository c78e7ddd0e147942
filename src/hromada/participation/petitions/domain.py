"""The petitions domain: e-petitions to the council, signed once by eligible residents."""

from hromada.domain import Domain
from hromada.participation.petitions.datasets import datasets

DOMAIN = Domain(
    name="petitions",
    piccolo_app="hromada.participation.petitions.piccolo_app",
    rest=("hromada.api.petitions",),
    graphql="hromada.graphql.petitions",
    datasets=datasets,
)
