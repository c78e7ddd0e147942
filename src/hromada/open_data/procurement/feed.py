"""Reading tenders from the ProZorro public API's feed, as the API documents it.

``GET {api}/tenders?offset=…&limit=…[&descending=1]`` answers a page of
``{"id", "dateModified"}`` sorted by modification time, with ``next_page.offset`` to ask
for the next; an empty page means there is nothing newer yet. Each tender is then read
whole with ``GET {api}/tenders/{id}`` (``{"data": tender}``). ``{api}`` is the API's
root, e.g. ``https://public-api.prozorro.gov.ua/api/2.5``.

Bounded: at most ``limit`` tenders a run (MAX_FEED_TENDERS), a timeout on every
request, MAX_RESPONSE_BYTES per answer, and a page that repeats its own offset ends the
run. The tenders read go through the file import's checks and its one transaction, so a
failure anywhere writes nothing; the run reports the offset to continue from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from hromada.bounds import load_json
from hromada.errors import FileRefused, InvalidInput, Unavailable
from hromada.open_data.procurement.importing import ID, ProcurementImport, import_records

MAX_FEED_TENDERS = 1000
PAGE = 100  # the API's own default and largest sensible batch
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@dataclass
class FeedImport:
    report: ProcurementImport
    next_offset: str | None  # give as --offset to continue where this run stopped
    pages: int


async def _get(client: httpx.AsyncClient, url: str, params: dict[str, str] | None = None) -> Any:
    """The JSON answer of ``url``; Unavailable when it cannot be had, FileRefused when it is
    not JSON or too large."""
    try:
        async with client.stream("GET", url, params=params) as answer:
            if answer.status_code != 200:
                raise Unavailable(f"{url} answered HTTP {answer.status_code}")
            body = bytearray()
            async for chunk in answer.aiter_bytes():
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise FileRefused(
                        f"{url}: the answer is larger than {MAX_RESPONSE_BYTES} bytes"
                    )
    except httpx.HTTPError as exc:
        raise Unavailable(
            f"cannot reach the ProZorro API at {url}: {type(exc).__name__}: {exc}"
        ) from None
    try:
        return load_json(bytes(body), exact=True)
    except ValueError as exc:
        raise FileRefused(f"{url}: not JSON ({exc})") from None


async def import_feed(
    api: str,
    *,
    offset: str | None = None,
    limit: int = PAGE,
    descending: bool = False,
) -> FeedImport:
    """Read up to ``limit`` tenders from the feed after ``offset`` and import them."""
    if urlsplit(api).scheme not in ("http", "https") or not urlsplit(api).netloc:
        raise InvalidInput(f"{api[:200]!r} is not an http(s) URL of the ProZorro API")
    if not 1 <= limit <= MAX_FEED_TENDERS:
        raise InvalidInput(f"limit: 1 to {MAX_FEED_TENDERS} tenders a run")
    base = api.rstrip("/")
    ids: list[str] = []
    pages = 0
    async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client:
        while len(ids) < limit:
            params = {"limit": str(min(PAGE, limit - len(ids)))}
            if offset is not None:
                params["offset"] = offset
            if descending:
                params["descending"] = "1"
            page = await _get(client, f"{base}/tenders", params)
            pages += 1
            items = page.get("data") if isinstance(page, dict) else None
            if not isinstance(items, list):
                raise FileRefused(f"{base}/tenders: not a feed page (no data list)")
            for n, item in enumerate(items):
                ident = item.get("id") if isinstance(item, dict) else None
                if not isinstance(ident, str) or not ID.fullmatch(ident):
                    # Checked before it becomes part of a URL we request.
                    raise FileRefused(
                        f"{base}/tenders page {pages}, item {n + 1}: not a ProZorro id"
                    )
                if ident not in ids and len(ids) < limit:
                    ids.append(ident)
            turn = page.get("next_page")
            following = turn.get("offset") if items and isinstance(turn, dict) else None
            following = None if following is None else str(following)[:100]
            if not items or following is None or following == offset:
                break
            offset = following
        records: list[tuple[str, Any]] = []
        for ident in ids:
            url = f"{base}/tenders/{ident}"
            answer = await _get(client, url)
            tender = answer.get("data") if isinstance(answer, dict) else None
            records.append((url, tender))
    if not records:
        raise InvalidInput("the feed has no tenders after this offset")
    return FeedImport(report=await import_records(records), next_offset=offset, pages=pages)
