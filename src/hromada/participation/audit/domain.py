"""The participation audit log: one hash-chained log for petitions and the participatory
budget, which append to it inside their own write transactions."""

from hromada.domain import Domain

DOMAIN = Domain(
    name="audit",
    piccolo_app="hromada.participation.audit.piccolo_app",
    rest=("hromada.api.audit",),
)
