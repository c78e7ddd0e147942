"""The petitions domain: e-petitions to the council, signed once by eligible residents."""

from hromada.domain import Domain
from hromada.participation.petitions.datasets import datasets
from hromada.participation.petitions.demo import PetitionsDemo
from hromada.participation.petitions.notices import (
    FAN_OUT,
    SEND,
    THRESHOLD,
    fan_out,
    send,
    threshold_reached,
)
from hromada.participation.petitions.search import DOCUMENT_TYPES

DOMAIN = Domain(
    name="petitions",
    piccolo_app="hromada.participation.petitions.piccolo_app",
    rest=("hromada.api.petitions",),
    graphql="hromada.graphql.petitions",
    datasets=datasets,
    document_types=DOCUMENT_TYPES,
    demo=PetitionsDemo,
    jobs={SEND: send, FAN_OUT: fan_out, THRESHOLD: threshold_reached},
)
