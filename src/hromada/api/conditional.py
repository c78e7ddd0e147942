"""HEAD on every GET route, and ETags with 304 on JSON answers: one ASGI layer.

Litestar answers 405 to ``HEAD`` unless a route declares it, and link
checkers and portal availability checks send ``HEAD``. This layer hands a
``HEAD`` to the application as a ``GET`` (in a copy of the scope, so the
server still knows it answers a ``HEAD``) and sends the headers without the
body. Handlers that would do real work for the body (file downloads) ask
:func:`is_head` and skip it.

JSON answers (``application/json`` and ``application/*+json``, status 200,
no cookie set) get a weak ETag computed from their bytes, and a matching
``If-None-Match`` turns them into a 304. It is weak on purpose: the gzip and
identity encodings of one answer are the same content, and compression runs
inside Litestar, so the tag is computed over the decompressed bytes. An
answer that already carries an ETag (Data Package descriptors, downloads)
keeps it and gets its 304 here too. The work of the request is still done;
what is saved is the transfer, which on a mobile link is the slow part.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEAD_KEY = "hromada.head"
# JSON answers are paged and bounded; anything bigger passes through untagged.
MAX_TAGGED_BYTES = 16 * 1024 * 1024
# What a 304 keeps of the 200's headers (RFC 9110 section 15.4.5).
_KEPT_ON_304 = frozenset(
    {
        b"etag",
        b"cache-control",
        b"content-location",
        b"date",
        b"expires",
        b"vary",
        b"last-modified",
        b"x-request-id",
        b"ratelimit-limit",
        b"ratelimit-remaining",
        b"ratelimit-reset",
        b"access-control-allow-origin",
        b"access-control-expose-headers",
    }
)


def is_head(scope: Scope | Any) -> bool:
    """True when the request being answered is a ``HEAD`` served by the ``GET`` route."""
    return bool(scope.get(HEAD_KEY))


def etag_matches(header: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 section 13.1.2), as ``If-None-Match`` uses."""
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


def _header(headers: Any, name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return bytes(value)
    return None


def _is_json(content_type: bytes | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (
        media.startswith(b"application/") and media.endswith(b"+json")
    )


def _content_digest(body: bytes, encoding: bytes | None) -> str | None:
    if encoding is not None and encoding.strip().lower() == b"gzip":
        try:
            body = zlib.decompress(body, 47)  # 32 + 15: gzip header, any window
        except zlib.error:
            return None
    elif encoding is not None and encoding.strip().lower() not in (b"", b"identity"):
        return None
    return hashlib.sha256(body).hexdigest()[:32]


def _not_modified(start: Any) -> Any:
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() in _KEPT_ON_304]
    return {"type": "http.response.start", "status": 304, "headers": headers}


def conditional_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method") if scope["type"] == "http" else None
        if method not in ("GET", "HEAD"):
            await app(scope, receive, send)
            return
        head = method == "HEAD"
        if head:
            scope = {**scope, "method": "GET", HEAD_KEY: True}  # type: ignore[assignment]
        raw_inm = _header(scope.get("headers", []), b"if-none-match")
        if_none_match = raw_inm.decode("latin-1") if raw_inm is not None else None
        mode = "pass"
        held: Any = None
        parts: list[bytes] = []
        size = 0
        finished = False

        async def finish() -> None:
            nonlocal finished
            if not finished:
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def send_tagged(start: Any, body: bytes) -> None:
            headers = list(start.get("headers", []))
            digest = _content_digest(body, _header(headers, b"content-encoding"))
            if digest is not None:
                etag = f'W/"{digest}"'
                if if_none_match is not None and etag_matches(if_none_match, etag):
                    await send(
                        _not_modified({**start, "headers": [*headers, (b"etag", etag.encode())]})
                    )
                    await finish()
                    return
                headers.append((b"etag", etag.encode()))
            tagged_start: Any = {**start, "headers": headers}
            await send(tagged_start)
            if head:
                await finish()
            else:
                await send({"type": "http.response.body", "body": body, "more_body": False})

        async def send_wrapper(message: Message) -> None:
            nonlocal mode, held, size
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                etag = _header(headers, b"etag")
                if message["status"] != 200:
                    mode = "drop" if head else "pass"
                elif etag is not None:
                    if if_none_match is not None and etag_matches(
                        if_none_match, etag.decode("latin-1")
                    ):
                        await send(_not_modified(message))
                        await finish()
                        mode = "drop"
                        return
                    mode = "drop" if head else "pass"
                elif _is_json(_header(headers, b"content-type")) and (
                    _header(headers, b"set-cookie") is None
                ):
                    mode = "hold"
                    held = message
                    return
                else:
                    mode = "drop" if head else "pass"
                await send(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            more = message.get("more_body", False)
            if mode == "pass":
                await send(message)
            elif mode == "drop":
                if not more:
                    await finish()
            elif mode == "hold":
                assert held is not None
                chunk = message.get("body", b"")
                parts.append(chunk)
                size += len(chunk)
                if not more:
                    await send_tagged(held, b"".join(parts))
                elif size > MAX_TAGGED_BYTES:
                    # Too big to tag: send what is held and let the rest through.
                    await send(held)
                    mode = "drop" if head else "pass"
                    if not head:
                        await send(
                            {
                                "type": "http.response.body",
                                "body": b"".join(parts),
                                "more_body": True,
                            }
                        )
                    parts.clear()

        await app(scope, receive, send_wrapper)

    return middleware
