"""Which handler runs each kind of job: what the domains declare (``Domain.jobs``).

The jobs package never imports a domain: the composition root
(:func:`hromada.domains.jobs`) hands the handlers over.
"""

from __future__ import annotations

from collections.abc import Mapping

from hromada.domain import JobHandler as Handler

__all__ = ["Handler", "default_handlers"]


def default_handlers() -> Mapping[str, Handler]:
    from hromada.domains import jobs

    return jobs()
