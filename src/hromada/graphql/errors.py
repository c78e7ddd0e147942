"""GraphQL errors a client may read, and the ones it may not.

A ``GraphQLError`` raised on purpose (validation, permissions, bad arguments)
or a domain ``HromadaError`` (``Unavailable`` included: "the search engine does
not answer") carries a message meant for the client. Anything
else is an internal error: its message (a driver's "[Errno 111] Connection
refused", a SQL fragment) is replaced and only the request id is given. An
outage of a backing service answers HTTP 503 with ``Retry-After`` and the code
``UNAVAILABLE``, like REST.
"""

from __future__ import annotations

import logging

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from hromada import errors
from hromada.logs import request_id_var

log = logging.getLogger("hromada.graphql")

RETRY_AFTER = 5
INTERNAL_DETAIL = "The server failed to answer this field; quote the request_id when reporting it."


def is_internal(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | errors.HromadaError)


class HideInternalErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=is_internal)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        outage = error.original_error is not None and errors.is_outage(error.original_error)
        extensions = {"code": "UNAVAILABLE" if outage else "INTERNAL_SERVER_ERROR"}
        if request_id_var.get():
            extensions["request_id"] = request_id_var.get()
        if outage:
            response = getattr(self.execution_context.context, "response", None)
            if response is not None:
                response.status_code = 503
                response.headers["Retry-After"] = str(RETRY_AFTER)
        return GraphQLError(
            message=errors.UNAVAILABLE_DETAIL if outage else INTERNAL_DETAIL,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=extensions,
        )
