"""RFC 9457 problem details for every error, whatever raised it.

Litestar's own 404/405/validation errors, the domain's ``HromadaError``s and
anything unexpected all leave as ``application/problem+json``; an unexpected
error is logged with its traceback and the client sees only the request id. A
backing service that is down (the database refusing connections, SQLite busy
past its timeout) is a 503 with ``Retry-After``, never the driver's message.

Why these handlers and not ``litestar.plugins.problem_details`` (checked with
litestar 2.25): the plugin's conversion functions receive only the exception,
not the request, so they cannot write ``instance`` or a 404/405 ``detail``
naming the method and path; its ``HTTPException`` conversion puts the detail
into ``title``; validation errors come out as Litestar's ``extra`` list rather
than ``errors`` naming each parameter; and it has no answer for unexpected
exceptions or outages. Covering those needs a subclass and a converter per case,
which is this module again, so it stays hand-written (about 100 lines).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    Schema,
)

from hromada import errors
from hromada.api.error_shapes import ckan_error, is_ckan_path, is_open311_path, open311_error
from hromada.logs import request_id_var

log = logging.getLogger("hromada.errors")

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER = 5  # seconds a client waits after a 503: a restart or failover usually takes that


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    request: Request[Any, Any, Any] | None = None,
    errors_: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    type_: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Response[Any]:
    if request is not None and is_ckan_path(request.url.path):
        # CKAN clients read CKAN's envelope, not problem details.
        return Response(
            content=ckan_error(request.url.path, status, detail),
            status_code=status,
            media_type="application/json",
            headers=headers,
        )
    if request is not None and is_open311_path(request.url.path):
        # GeoReport v2: 400 for any bad input, errors as a list of code and description.
        status = 400 if status == 422 else status
        content, media = open311_error(request.url.path, status, detail)
        return Response(content=content, status_code=status, media_type=media, headers=headers)
    body: dict[str, Any] = {
        "type": type_ or "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
    request_id = request_id_var.get()
    if request_id:
        body["request_id"] = request_id
    if errors_:
        body["errors"] = errors_
    if extra:
        body.update(extra)
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: ValidationException) -> list[dict[str, Any]]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    out = []
    for item in extra:
        if isinstance(item, dict):
            out.append(
                {
                    "where": item.get("source", "body"),
                    "name": item.get("key", ""),
                    "message": item.get("message", ""),
                }
            )
    return out


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    headers = dict(exc.headers or {})
    if isinstance(exc, ValidationException):
        found = _validation_errors(exc)
        detail = "; ".join(
            f"{e['where']} {e['name']!r}: {e['message']}" if e["name"] else e["message"]
            for e in found
        ) or str(exc.detail)
        return problem(422, detail, title="Invalid request", request=request, errors_=found)
    if status == 404:
        detail = f"Nothing at {request.method} {request.url.path}"
        if exc.detail and exc.detail != HTTPStatus(404).phrase:
            detail = str(exc.detail)
        return problem(404, detail, request=request, headers=headers)
    if status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
        return problem(405, detail, request=request, headers=headers)
    if status >= 500:
        # Litestar's own 5xx details (and anything a library raised) are not for clients.
        log.error("http error %s: %s", status, exc.detail)
        return problem(status, HTTPStatus(status).description, request=request, headers=headers)
    return problem(status, str(exc.detail), request=request, headers=headers)


def handle_domain_error(request: Request[Any, Any, Any], exc: errors.HromadaError) -> Response[Any]:
    status = errors.status_of(exc)
    headers = {"Retry-After": str(RETRY_AFTER)} if status == 503 else None
    if isinstance(exc, errors.TooMany):
        headers = {"Retry-After": str(exc.retry_after)}
    extra = None
    if isinstance(exc, errors.Gone):
        # A tombstone: what replaced it, in the body and as a link a client can follow
        # (site-relative, so it holds behind any proxy; RFC 8288 resolves it).
        headers = {"Link": f'<{exc.successor}>; rel="latest-version"'}
        extra = {"successor": exc.successor}
    if exc.code is not None:
        extra = {**(extra or {}), "code": exc.code}
    return problem(
        status,
        exc.detail,
        title=exc.title,
        request=request,
        errors_=exc.errors,
        headers=headers,
        extra=extra,
    )


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if errors.is_outage(exc):
        log.error(
            "backing service unavailable on %s %s: %s: %s",
            request.method,
            request.url.path,
            type(exc).__name__,
            exc,
        )
        return problem(
            503,
            errors.UNAVAILABLE_DETAIL,
            request=request,
            headers={"Retry-After": str(RETRY_AFTER)},
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(
        500,
        "The server failed to answer this request; quote the request_id when reporting it.",
        request=request,
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    HTTPException: handle_http_exception,
    errors.HromadaError: handle_domain_error,
    Exception: handle_unexpected,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "problem"]


# -- the errors in the OpenAPI document ------------------------------------------------
# Litestar documents a 400 in its own shape for every operation; the server answers
# problem+json with other statuses. Every operation lists what it really sends, so a
# generated client gets typed errors instead of raising. CKAN and Open311 keep the
# error shapes of their own standards and are left as they are.
_PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    description="RFC 9457 problem details",
    required=["type", "title", "status", "detail"],
    properties={
        "type": Schema(type=OpenAPIType.STRING),
        "title": Schema(type=OpenAPIType.STRING),
        "status": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(type=OpenAPIType.STRING),
        "instance": Schema(type=OpenAPIType.STRING),
        "request_id": Schema(type=OpenAPIType.STRING),
        "code": Schema(
            type=OpenAPIType.STRING,
            description="Which error of the domain this is, when it has a name "
            "(petition.not_signable, signing.daily_limit...): stable, for clients to act on",
        ),
        "successor": Schema(
            type=OpenAPIType.STRING,
            description="410 only: the URL of what replaced the removed resource",
        ),
        "errors": Schema(
            type=OpenAPIType.ARRAY,
            description="What was wrong and where (for invalid input)",
            items=Schema(
                type=OpenAPIType.OBJECT,
                properties={
                    "where": Schema(type=OpenAPIType.STRING),
                    "name": Schema(type=OpenAPIType.STRING),
                    "message": Schema(type=OpenAPIType.STRING),
                },
            ),
        ),
    },
)
_ALWAYS = {
    "422": "Invalid request: a parameter or the body is wrong (see errors)",
    "429": "Too many requests: wait Retry-After seconds",
    "503": "Unavailable for a moment (database or search): retry after Retry-After seconds",
}
_WITH_PATH_PARAMETERS = {"404": "Nothing at this address"}
_WRITES = {
    "401": "Log in or send an API key",
    "403": "Not allowed for this principal, or a missing CSRF token",
    "409": "Conflicts with the current state",
    "413": "The body is too large",
}


def document_problems(document: OpenAPI) -> None:
    """List the problem+json answers of every operation in ``document`` (in place)."""
    if document.components.schemas is None:
        document.components.schemas = {}
    document.components.schemas["Problem"] = _PROBLEM_SCHEMA
    problem_ref = Reference(ref="#/components/schemas/Problem")
    for path, item in (document.paths or {}).items():
        if is_ckan_path(path) or is_open311_path(path) or path.startswith("/datastore"):
            continue
        for method in ("get", "put", "post", "delete", "patch"):
            operation: Operation | None = getattr(item, method, None)
            if operation is None:
                continue
            responses = dict(operation.responses or {})
            responses.pop("400", None)  # bad input is a 422 problem here
            wanted = dict(_ALWAYS)
            if "{" in path:
                wanted |= _WITH_PATH_PARAMETERS
            if method != "get":
                wanted |= _WRITES
            for status, description in wanted.items():
                known = responses.get(status)
                if isinstance(known, OpenAPIResponse):
                    # A handler's own description of this status stays; the problem shape joins it.
                    known.content = dict(known.content or {})
                    known.content.setdefault(PROBLEM_JSON, OpenAPIMediaType(schema=problem_ref))
                    continue
                responses[status] = OpenAPIResponse(
                    description=description,
                    content={PROBLEM_JSON: OpenAPIMediaType(schema=problem_ref)},
                )
            operation.responses = responses
