"""Who is calling, may they, and how often: one ASGI layer around every request.

It runs outside Litestar's routing (``HromadaApp`` wraps it around
everything), so unmatched routes get rate-limit headers and 429s too. For
each HTTP request it:

1. finds the principal: a sensor's device key (``X-Device-Key``), an API key
   (``X-API-Key``, or what CKAN clients send: ``X-CKAN-API-Key`` or a bare
   ``Authorization: <key>``), the admin bearer token, a session cookie, or nobody;
2. counts the request in the principal's bucket (the key's tier, the
   resident, the device, or the client IP for anonymous calls) plus a per-resident
   bucket for writes (sliding windows, :mod:`hromada.auth.ratelimit`; the
   client IP is the socket peer unless that is a trusted proxy), and
   answers 429 problem+json with ``Retry-After`` when one is exhausted;
   every response carries ``RateLimit-Limit``, ``RateLimit-Remaining`` and
   ``RateLimit-Reset``;
3. refuses a state-changing request authenticated by the session cookie
   unless it carries the session's CSRF token in ``X-CSRF-Token``, or, for a
   portal form, in its ``csrf_token`` field (an upload form's first part), and,
   if the browser sent ``Origin``, it is this site.

Handlers read the principal with :func:`hromada.auth.guard.principal_of`.
"""

from __future__ import annotations

import hmac
import json
import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send
from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header

from graphql import (
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
)
from hromada.api.error_shapes import (
    ckan_error_bytes,
    is_ckan_path,
    is_open311_path,
    open311_error,
)
from hromada.auth import service
from hromada.auth.guard import PRINCIPAL_KEY
from hromada.auth.ratelimit import Decision, client_address
from hromada.auth.runtime import AuthRuntime
from hromada.auth.service import ANONYMOUS, Principal
from hromada.errors import HromadaError, TooMany
from hromada.logs import request_id_var
from hromada.open_data.sensors import service as sensors

log = logging.getLogger("hromada.access")

SESSION_COOKIE = "hromada_session"
CSRF_COOKIE = "hromada_csrf"
LOGIN_COOKIE = "hromada_login"
CSRF_HEADER = "x-csrf-token"
DEVICE_HEADER = "x-device-key"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_COUNTED = ("/health", "/ready")
GRAPHQL_PATH = "/graphql"
# Bigger GraphQL bodies are counted as writes unread: the token limit refuses
# such documents anyway, and the layer never buffers more than this.
GRAPHQL_BODY_LIMIT = 256 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"
FORM_BODY_LIMIT = 64 * 1024  # the portal's forms are small; a bigger one is refused unread
MULTIPART_TYPE = "multipart/form-data"
# A portal upload form carries its token as its first part: only the start of the body is
# read here, and the file behind it streams on to the handler.
MULTIPART_HEAD_LIMIT = 4 * 1024


def _headers(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        out.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return out


def _forwarded_for(scope: Scope) -> list[str]:
    return [
        value.decode("latin-1")
        for name, value in scope.get("headers", [])
        if name.lower() == b"x-forwarded-for"
    ]


def cookies_of(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in out:
            out[name] = value.strip().strip('"')
    return out


def _problem_body(status: int, detail: str, path: str, title: str | None = None) -> bytes:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": path,
    }
    if request_id_var.get():
        body["request_id"] = request_id_var.get()
    return json.dumps(body, ensure_ascii=False).encode()


def _limit_headers(decision: Decision | None) -> list[tuple[bytes, bytes]]:
    if decision is None:
        return []
    return [
        (b"ratelimit-limit", str(decision.limit).encode()),
        (b"ratelimit-remaining", str(decision.remaining).encode()),
        (b"ratelimit-reset", str(decision.reset).encode()),
    ]


def api_key_from(headers: dict[str, str]) -> str | None:
    """The API key a request carries: ``X-API-Key``, or CKAN's ``X-CKAN-API-Key`` or a bare
    ``Authorization: <key>`` (ckanapi, ckanext-harvest and CKAN's JavaScript send those)."""
    for name in ("x-api-key", "x-ckan-api-key"):
        if name in headers:
            return headers[name]
    authorization = headers.get("authorization", "").strip()
    if authorization and " " not in authorization:
        return authorization
    return None


async def _send_problem(
    send: Send,
    status: int,
    detail: str,
    path: str,
    decision: Decision | None,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    media = "application/problem+json"
    if is_ckan_path(path):
        body, media = ckan_error_bytes(path, status, detail), "application/json"
    elif is_open311_path(path):
        body, media = open311_error(path, status, detail)
    else:
        body = _problem_body(status, detail, path)
    headers = [
        (b"content-type", media.encode()),
        (b"content-length", str(len(body)).encode()),
        *_limit_headers(decision),
        *(extra or []),
    ]
    start: Any = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def charge_readings(runtime: AuthRuntime, device_id: int, readings: int) -> None:
    """Count a batch's readings against the device's budget per window, or refuse the batch
    whole (``TooMany``, 429 with Retry-After) before anything of it is written."""
    settings = runtime.settings
    decision = await runtime.limiter.hit(
        f"device-readings:{device_id}",
        settings.rate_limit_device_readings,
        settings.rate_limit_window,
        cost=readings,
    )
    if not decision.allowed:
        raise TooMany(
            f"this sensor may send {decision.limit} readings every "
            f"{settings.rate_limit_window} s and has {decision.remaining} left: "
            f"the batch of {readings} was not written",
            retry_after=decision.reset,
        )


class _Refused(Exception):
    def __init__(self, status: int, detail: str, decision: Decision | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.decision = status, detail, decision


def graphql_is_write(body: bytes, max_tokens: int) -> bool:
    """Whether a GraphQL POST body may change something: it holds a mutation.

    Only a body that is provably read-only (one JSON object whose ``query``
    parses, within the token limit, into query operations only) is a read;
    anything else counts as a write, the stricter limit. The parse is
    graphql-core's own, bounded by the same token limit the schema enforces.
    """
    try:
        payload = msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return True
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return True
    try:
        document = parse(payload["query"], no_location=True, max_tokens=max_tokens)
    except (GraphQLError, RecursionError):
        return True
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            continue
        if (
            not isinstance(definition, OperationDefinitionNode)
            or definition.operation is not OperationType.QUERY
        ):
            return True
    return False


async def _buffer_body(receive: Receive, limit: int) -> tuple[list[ReceiveMessage], bytes | None]:
    """Read the request body up to ``limit`` bytes: the messages read, and the body if whole."""
    messages: list[ReceiveMessage] = []
    size = 0
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return messages, None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


def _form_token(body: bytes | None) -> str | None:
    """The ``csrf_token`` field of a whole urlencoded form body."""
    if body is None:
        return None
    try:
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=100)
    except ValueError:  # more fields than any form of ours has
        return None
    values = fields.get("csrf_token")
    return values[0] if values else None


async def _buffer_head(receive: Receive, limit: int) -> tuple[list[ReceiveMessage], bytes]:
    """Read messages until ``limit`` bytes of the body (or its end): those messages, and
    the bytes they carried up to ``limit``."""
    messages: list[ReceiveMessage] = []
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            break
    return messages, b"".join(chunks)[:limit]


def _multipart_token(head: bytes, content_type: str) -> str | None:
    """The ``csrf_token`` of a multipart form whose first part it is, whole within ``head``."""
    boundary = parse_options_header(content_type)[1].get("boundary")
    if not boundary:
        return None
    first: MultipartSegment | None = None
    value = bytearray()
    try:
        parser = PushMultipartParser(
            boundary, max_header_size=1024, max_header_count=8, max_segment_count=2, strict=True
        )
        for event in parser.parse(head):
            if isinstance(event, MultipartSegment):
                first = event
            elif event:
                value += event
                if len(value) > 256:  # a token is 64 hex digits
                    return None
            else:  # the end of the first part
                if first is not None and first.name == "csrf_token" and first.filename is None:
                    return value.decode("ascii", "replace")
                return None
    except (MultipartError, ValueError):
        return None
    return None


def _replay(messages: list[ReceiveMessage], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def _same_origin(origin: str, host: str, public_url: str) -> bool:
    if origin == "null":
        return False
    allowed = {urlsplit(public_url).netloc} if public_url else set()
    allowed.add(host)
    return urlsplit(origin).netloc in allowed


def access_middleware(app: ASGIApp, runtime: AuthRuntime) -> ASGIApp:
    async def resolve(headers: dict[str, str], ip: str) -> tuple[Principal, Decision | None]:
        settings = runtime.settings
        window = settings.rate_limit_window
        bad_key_limit = max(5, settings.rate_limit_anonymous // 6)
        device_key = headers.get(DEVICE_HEADER)
        if device_key is not None:
            bucket = f"badkey:{ip}"
            standing = await runtime.limiter.peek(bucket, bad_key_limit, window)
            if not standing.allowed:
                raise _Refused(429, "too many invalid device keys from this address", standing)
            device = await sensors.device_of_key(device_key.strip())
            if device is None:
                decision = await runtime.limiter.hit(bucket, bad_key_limit, window)
                raise _Refused(
                    401 if decision.allowed else 429,
                    "the device key is not valid (unknown, malformed or revoked)",
                    decision,
                )
            return Principal(kind="device", device_id=device), None
        api_key = api_key_from(headers)
        if api_key is not None:
            bucket = f"badkey:{ip}"
            standing = await runtime.limiter.peek(bucket, bad_key_limit, window)
            if not standing.allowed:
                raise _Refused(429, "too many invalid API keys from this address", standing)
            info = await service.lookup_api_key(api_key.strip())
            if info is None:
                decision = await runtime.limiter.hit(bucket, bad_key_limit, window)
                status = 401 if decision.allowed else 429
                raise _Refused(
                    status, "the API key is not valid (unknown, malformed or revoked)", decision
                )
            return Principal(
                kind="api_key",
                resident_id=info.resident_id,
                role="resident",
                api_key_id=info.id,
                tier=info.tier,
            ), None
        authorization = headers.get("authorization", "")
        if settings.admin_token and authorization[:7].lower() == "bearer ":
            if hmac.compare_digest(authorization[7:].strip(), settings.admin_token):
                return Principal(kind="admin_token", role="admin"), None
            decision = await runtime.limiter.hit(f"badkey:{ip}", bad_key_limit, window)
            raise _Refused(
                401 if decision.allowed else 429, "the bearer token is not valid", decision
            )
        session_id = cookies_of(headers.get("cookie", "")).get(SESSION_COOKIE)
        if session_id:
            data = await service.resolve_session(runtime, session_id)
            if data is not None:
                resident_id = int(data["resident"])
                return Principal(
                    kind="session",
                    resident_id=resident_id,
                    role=await service.role_of(resident_id, list(data.get("roles", []))),
                    session_id=session_id,
                    session=data,
                ), None
        return ANONYMOUS, None

    async def limit(principal: Principal, writes_something: bool, ip: str) -> Decision:
        settings = runtime.settings
        window = settings.rate_limit_window
        tiers = settings.tiers
        if principal.kind == "api_key":
            tier = principal.tier or next(iter(tiers))
            decision = await runtime.limiter.hit(
                f"key:{principal.api_key_id}", tiers.get(tier, 1), window
            )
        elif principal.kind == "device":
            # Its own bucket, and no per-address one below: a fleet of sensors may share
            # one gateway's address.
            return await runtime.limiter.hit(
                f"device:{principal.device_id}", settings.rate_limit_device, window
            )
        elif principal.kind == "admin_token":
            decision = await runtime.limiter.hit("admin", max(tiers.values()), window)
        elif principal.kind == "session":
            decision = await runtime.limiter.hit(
                f"resident:{principal.resident_id}",
                settings.rate_limit_resident,
                window,
            )
        else:
            decision = await runtime.limiter.hit(f"ip:{ip}", settings.rate_limit_anonymous, window)
        if writes_something and principal.resident_id is not None:
            writes = await runtime.limiter.hit(
                f"write:{principal.resident_id}",
                settings.rate_limit_writes,
                window,
            )
            if not writes.allowed or writes.remaining < decision.remaining:
                decision = writes
        if writes_something:
            from_address = await runtime.limiter.hit(
                f"write-ip:{ip}", settings.rate_limit_writes_per_ip, window
            )
            if not from_address.allowed or from_address.remaining < decision.remaining:
                decision = from_address
        return decision

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in NOT_COUNTED:
            await app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]  # type: ignore[typeddict-item]
        headers = _headers(scope)
        client = scope.get("client")
        ip = client_address(
            client[0] if client else "", _forwarded_for(scope), runtime.trusted_proxies
        )
        try:
            principal, _ = await resolve(headers, ip)
            writes_something = method in UNSAFE
            if writes_something and path == GRAPHQL_PATH and principal.resident_id is not None:
                # Only a counted write needs the body: anonymous POSTs are not read here.
                messages, body = await _buffer_body(receive, GRAPHQL_BODY_LIMIT)
                receive = _replay(messages, receive)
                if body is not None:
                    writes_something = graphql_is_write(body, runtime.settings.graphql_max_tokens)
            decision = await limit(principal, writes_something, ip)
            if not decision.allowed:
                raise _Refused(429, "rate limit exceeded: slow down", decision)
            if "\x00" in path or b"%00" in scope.get("query_string", b""):
                # PostgreSQL text cannot hold NUL: refused here once, for every route.
                raise _Refused(422, "a NUL character (%00) is not allowed in a URL", decision)
            if principal.kind == "session" and method in UNSAFE:
                origin = headers.get("origin")
                if origin and not _same_origin(
                    origin, headers.get("host", ""), runtime.settings.public_url
                ):
                    raise _Refused(403, "cross-site request refused (Origin)", decision)
                given = headers.get(CSRF_HEADER)
                if given is None and headers.get("content-type", "").startswith(FORM_TYPE):
                    # A portal form cannot send a header: its token is the csrf_token field.
                    messages, body = await _buffer_body(receive, FORM_BODY_LIMIT)
                    receive = _replay(messages, receive)
                    given = _form_token(body)
                elif given is None and headers.get("content-type", "").startswith(MULTIPART_TYPE):
                    messages, head = await _buffer_head(receive, MULTIPART_HEAD_LIMIT)
                    receive = _replay(messages, receive)
                    given = _multipart_token(head, headers.get("content-type", ""))
                if not service.csrf_ok(runtime, principal.session_id or "", given):
                    raise _Refused(
                        403,
                        "missing or wrong X-CSRF-Token: a request made with the session cookie "
                        "must send the token GET /api/v1/me gives (also in the hromada_csrf "
                        "cookie)",
                        decision,
                    )
        except _Refused as refused:
            extra = []
            if refused.status == 429 and refused.decision is not None:
                extra.append((b"retry-after", str(refused.decision.reset).encode()))
            await _send_problem(send, refused.status, refused.detail, path, refused.decision, extra)
            return
        except HromadaError as exc:  # the session store or the database cannot answer
            log.error("access check failed: %s", exc.detail)
            await _send_problem(send, 503, exc.detail, path, None, [(b"retry-after", b"5")])
            return
        except Exception:
            log.exception("access check failed")
            await _send_problem(
                send,
                503,
                "sessions or rate limits are unavailable; try again",
                path,
                None,
                [(b"retry-after", b"5")],
            )
            return
        scope.setdefault("state", {})[PRINCIPAL_KEY] = principal
        added = _limit_headers(decision)

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await app(scope, receive, send_with_limits)

    return middleware
