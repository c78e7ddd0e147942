"""The GraphQL schema: every domain's query type merged, with limits on from the start."""

from __future__ import annotations

import importlib
from typing import Any

import msgspec
import strawberry
from litestar import Request
from strawberry.litestar import make_graphql_controller
from strawberry.tools import merge_types

from hromada import domains
from hromada.bounds import load_json
from hromada.config import Settings
from hromada.graphql import limits
from hromada.graphql.context import Context
from hromada.graphql.errors import HideInternalErrors
from hromada.graphql.nodes import NodeQuery


@strawberry.type
class MetaQuery:
    @strawberry.field(description="Version of the hromada API")
    def api_version(self) -> str:
        return "1"


def _types(name: str) -> tuple[type, ...]:
    """``name`` (``Query`` or ``Mutation``) of every domain's GraphQL module, in domain order."""
    modules = [importlib.import_module(d.graphql) for d in domains.DOMAINS if d.graphql]
    return tuple(getattr(m, name) for m in modules if hasattr(m, name))


Query = merge_types("Query", (MetaQuery, NodeQuery, *_types("Query")))
_mutations = _types("Mutation")
Mutation = merge_types("Mutation", _mutations) if _mutations else None


def build_schema(settings: Settings) -> strawberry.Schema:
    return limits.build(settings, Query, Mutation, HideInternalErrors)


def graphql_controller(settings: Settings) -> type:
    async def context_getter(request: Request[Any, Any, Any]) -> Context:
        return Context(settings=settings, request=request)

    controller = make_graphql_controller(
        build_schema(settings),
        path="/graphql",
        graphql_ide="graphiql" if settings.is_development else None,
        # Cookie sessions make GET queries a CSRF risk.
        allow_queries_via_get=False,
        context_getter=context_getter,
    )

    class BoundedGraphQLController(controller):  # type: ignore[valid-type,misc]
        """Request bodies parsed with one bound (hromada.bounds): not UTF-8, or nested
        deeper than any query needs, is a 400 like any unparsable body, not a 500."""

        def decode_json(self, data: str | bytes) -> object:
            return load_json(data)

        def encode_json(self, data: object) -> bytes:
            # msgspec writes a 500-row answer about ten times faster than json.dumps: the
            # same JSON values, compact, with non-ASCII text as UTF-8 rather than escapes.
            return msgspec.json.encode(data)

    BoundedGraphQLController.include_in_schema = False
    return BoundedGraphQLController
