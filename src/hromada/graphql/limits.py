"""Every limit the GraphQL schema runs with, from the settings: depth, aliases, tokens,
cost, and whether introspection and field suggestions are on."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

from graphql import GraphQLError
from hromada.config import Settings
from hromada.errors import is_outage
from hromada.graphql.cost import CostLimit, Documents
from hromada.graphql.errors import is_internal
from hromada.graphql.lean import LeanExecutionContext

log = logging.getLogger("hromada.graphql")


def extensions(
    settings: Settings, *extra: Callable[[], SchemaExtension]
) -> list[Callable[[], SchemaExtension]]:
    out: list[Callable[[], SchemaExtension]] = [
        *extra,
        lambda: QueryDepthLimiter(max_depth=settings.graphql_max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
    ]
    if not settings.graphql_introspection:
        out.append(DisableIntrospection)
    # Last: it validates with every rule the others added, then prices the operation.
    # The documents it keeps are this schema's: valid under these settings' rules.
    documents = Documents()
    out.append(
        lambda: CostLimit(
            anonymous=settings.graphql_cost_anonymous,
            keyed=settings.graphql_cost_keyed,
            documents=documents,
        )
    )
    return out


def config(settings: Settings) -> StrawberryConfig:
    # "Did you mean …?" names fields an attacker could not see without introspection.
    return StrawberryConfig(disable_field_suggestions=not settings.graphql_introspection)


class Schema(strawberry.Schema):
    """The schema, logging what a client got wrong at INFO and only real failures as errors."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            original = error.original_error
            if not is_internal(error) and not (original and is_outage(original)):
                log.info("GraphQL request refused: %s", error.message)
            else:
                StrawberryLogger.error(error, execution_context)


def build(
    settings: Settings, query: Any, mutation: Any, *extra: Callable[[], SchemaExtension]
) -> strawberry.Schema:
    return Schema(
        query=query,
        mutation=mutation,
        extensions=extensions(settings, *extra),
        execution_context_class=LeanExecutionContext,
        config=config(settings),
    )
