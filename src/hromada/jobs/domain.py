"""Background jobs: the queue's table and the staff view of a job.

Jobs serve every domain (each declares its kinds in ``Domain.jobs``), so the
package declares only its own table and route here.
"""

from hromada.domain import Domain

DOMAIN = Domain(
    name="jobs",
    piccolo_app="hromada.jobs.piccolo_app",
    rest=("hromada.api.jobs",),
)
