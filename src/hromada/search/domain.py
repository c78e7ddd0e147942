"""Search: the index of everything public, its outbox and its indexer.

It indexes what the other domains declare, so it comes last in
:data:`hromada.domains.DOMAINS` (its demo part indexes everything written before).
"""

from hromada.domain import Domain
from hromada.search.demo import SearchDemo

DOMAIN = Domain(
    name="search",
    piccolo_app="hromada.search.piccolo_app",
    rest=("hromada.api.search",),
    graphql="hromada.graphql.search",
    demo=SearchDemo,
)
