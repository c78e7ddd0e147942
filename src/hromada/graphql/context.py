"""The per-request GraphQL context: settings, the request, and this request's DataLoaders."""

from __future__ import annotations

from typing import Any

import msgspec
from strawberry.litestar import BaseContext

from hromada.config import Settings
from hromada.graphql.loaders import Loaders


class Context(BaseContext, kw_only=True):
    """Built by the context getter for every request, so loaders never outlive one."""

    settings: Settings
    loaders: Loaders = msgspec.field(default_factory=Loaders)
    # Filled by the cost limit before execution: what the query was estimated to cost.
    cost: dict[str, Any] = msgspec.field(default_factory=dict)
