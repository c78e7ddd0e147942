"""The Meilisearch adapter, for production: the official ``meilisearch`` client.

The client is blocking, keeps no HTTP session and mutates a shared headers
dict on every call, so the event loop never calls it: writes (and the waits
for their tasks) go through one worker thread of our own, in order; searches
go through a few reader threads, each with a client of its own, so a search
waits neither for another search nor for the indexer's task waits.

Why not the async ``meilisearch-python-sdk`` (8.0.1, measured three times
against the contract tests' fake server with keep-alive on): with 20 ms of
server latency, 20 concurrent searches took 74-134 ms through the SDK, 508 ms
through the single worker thread this adapter used to have, and 131-156 ms
through the reader threads; one search alone took 62-72 ms through the SDK
against 23-25 ms here (3-4 ms against 43-67 ms with no latency). The official
client with reader threads gets most of the concurrency and keeps the faster
single call, without a rewrite of the adapter and of its contract suite that
no real Meilisearch on the build machines could confirm. Writes return once Meilisearch has
queued them; :meth:`MeiliBackend.flush` (and ``wait=True``) waits for the
last task, which is how the indexer gets read-after-write. Index settings are
read first and patched only where they differ, so start-up is idempotent.

Refusals become clear errors: a bad API key or an unreachable server is
``Unavailable`` (503, the operator must act) with Meilisearch's own message;
a filter or sort Meilisearch rejects is ``InvalidInput`` (422).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import meilisearch
import requests
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
)

from hromada.errors import InvalidInput, Unavailable
from hromada.search.morphology import lemma
from hromada.search.port import (
    CROP_WORDS,
    HIGHLIGHT_POST,
    HIGHLIGHT_PRE,
    LEMMAS,
    MAX_TOTAL_HITS,
    Document,
    Hit,
    IndexSettings,
    SearchQuery,
    SearchResult,
    decode_hit_fields,
)
from hromada.search.text import WORD, normalise_apostrophes, rewrite_free_words

log = logging.getLogger("hromada.search.meili")

T = TypeVar("T")

READER_THREADS = 4  # concurrent searches per process; more only queue at Meilisearch

# Sort first: a client who asks for an order gets that order, as with the embedded engine.
RANKING_RULES = ["sort", "words", "typo", "proximity", "attribute", "exactness"]
AUTH_CODES = frozenset(
    {"invalid_api_key", "missing_authorization_header", "invalid_authorization_header"}
)
QUERY_CODES = frozenset(
    {"invalid_search_filter", "invalid_search_sort", "invalid_search_facets", "invalid_search_q"}
)


def desired_settings(settings: IndexSettings) -> dict[str, Any]:
    """The Meilisearch index settings that make it behave as the port promises."""
    return {
        # Last: a document's dictionary forms (search.morphology) match what its words miss.
        "searchableAttributes": [*settings.searchable, LEMMAS],
        "filterableAttributes": list(settings.filterable),
        "sortableAttributes": list(settings.sortable),
        "rankingRules": RANKING_RULES,
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {
                "oneTypo": settings.one_typo_from,
                "twoTypos": settings.two_typos_from,
            },
        },
        "synonyms": {k: list(v) for k, v in settings.synonyms.items()},
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "faceting": {"maxValuesPerFacet": 100},
    }


_UNORDERED = frozenset({"filterableAttributes", "sortableAttributes"})


def _same(key: str, current: Any, wanted: Any) -> bool:
    if isinstance(wanted, dict):
        if key == "synonyms":
            return {k: sorted(v) for k, v in (current or {}).items()} == {
                k: sorted(v) for k, v in wanted.items()
            }
        return isinstance(current, dict) and all(
            _same(k, current.get(k), v) for k, v in wanted.items()
        )
    if isinstance(wanted, list) and key in _UNORDERED:
        names = [c["attributePatterns"] if isinstance(c, dict) else [c] for c in current or []]
        return sorted(n for group in names for n in group) == sorted(wanted)
    return bool(current == wanted)


def lemmatise_query(q: str) -> str:
    """The query Meilisearch is sent: each finished free word as its dictionary form, which
    every inflected form in a document carries in ``_lemmas`` (the base form itself is in
    the text), and each ``-word`` with its dictionary form excluded too. Quoted phrases and
    the word still being typed (a prefix) are sent as written."""

    def rewrite(token: str, open_end: bool) -> str:
        negated = token.startswith("-") and len(token) > 1
        word = token[1:] if negated else token
        if not WORD.fullmatch(word) or "ґ" in word.lower():
            return token  # punctuation around it, or a letter Meilisearch does not fold
        base = lemma(word.lower())
        if base is None:
            return token
        if negated:
            return f"{token} -{base}"
        return token if open_end else base

    return rewrite_free_words(q, rewrite)


def filter_expression(query: SearchQuery) -> list[str]:
    """The Meilisearch filter for a query: one expression per condition, all must hold."""
    out: list[str] = []
    if query.types:
        out.append(f"type IN [{', '.join(_literal(t) for t in query.types)}]")
    for name, values in query.filters.items():
        out.append(f"{_attribute(name)} IN [{', '.join(_literal(v) for v in values)}]")
    for name, (lo, hi) in query.ranges.items():
        if lo is not None:
            out.append(f"{_attribute(name)} >= {int(lo)}")
        if hi is not None:
            out.append(f"{_attribute(name)} <= {int(hi)}")
    return out


def _attribute(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise InvalidInput(f"{name!r} is not a field name")
    return name


def _literal(value: str | int) -> str:
    if isinstance(value, int):
        return str(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class MeiliBackend:
    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str,
        index_uid: str,
        settings: IndexSettings,
        *,
        timeout: int = 5,
        task_timeout_ms: int = 60_000,
    ) -> None:
        self.url = url
        self.index_uid = index_uid
        self.settings = settings
        self.task_timeout_ms = task_timeout_ms
        self.client = meilisearch.Client(url, api_key or None, timeout=timeout)
        self.index = self.client.index(index_uid)
        # Without a key the client sends "Authorization: Bearer None", which a
        # Meilisearch without a master key ignores and one with a key refuses.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="meilisearch")
        self._readers = ThreadPoolExecutor(
            max_workers=READER_THREADS, thread_name_prefix="meilisearch-read"
        )
        self._local = threading.local()
        self._api_key = api_key
        self._timeout = timeout
        self._pending: list[int] = []

    # ------------------------------------------------------------------ plumbing
    def _reader_index(self) -> Any:
        """The index handle of the calling reader thread's own client."""
        index = getattr(self._local, "index", None)
        if index is None:
            client = meilisearch.Client(self.url, self._api_key or None, timeout=self._timeout)
            index = self._local.index = client.index(self.index_uid)
        return index

    async def _read(self, fn: Callable[[Any], T]) -> T:
        """``fn(index)`` on a reader thread."""
        return await self._call(lambda: fn(self._reader_index()), pool=self._readers)

    async def _call(
        self,
        fn: Callable[..., T],
        *args: Any,
        pool: ThreadPoolExecutor | None = None,
        **kwargs: Any,
    ) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(pool or self._pool, lambda: fn(*args, **kwargs))
        except MeilisearchApiError as exc:
            raise self._translate(exc) from exc
        except (MeilisearchCommunicationError, requests.RequestException) as exc:
            raise Unavailable(
                f"the search engine (Meilisearch at {self.url}) does not answer"
            ) from exc
        except MeilisearchTimeoutError as exc:
            raise Unavailable(f"Meilisearch at {self.url} did not finish in time") from exc

    def _translate(self, exc: MeilisearchApiError) -> Exception:
        code = exc.code or ""
        # The client appends a hint about versions to every message: not ours to show.
        message = str(exc.message).split(". Hint: ")[0]
        if code in AUTH_CODES or exc.status_code in (401, 403):
            log.error("Meilisearch refused the API key: %s (%s)", message, code)
            return Unavailable(
                f"the search engine refused hromada's API key (HROMADA_MEILI_KEY): {message}"
            )
        if code in QUERY_CODES:
            return InvalidInput(
                f"the search engine refused the query: {message}",
                errors=[
                    {
                        "where": "query",
                        "name": code.removeprefix("invalid_search_"),
                        "message": message,
                    }
                ],
            )
        log.error("Meilisearch error %s %s: %s", exc.status_code, code, message)
        return Unavailable(f"the search engine failed: {message} ({code or exc.status_code})")

    def _wait(self, task_uid: int) -> None:
        task = self.client.wait_for_task(task_uid, timeout_in_ms=self.task_timeout_ms)
        if task.status != "succeeded":
            error = task.error or {}
            raise RuntimeError(
                f"Meilisearch task {task_uid} {task.status}: "
                f"{error.get('message', '')} ({error.get('code', '')})"
            )

    # ------------------------------------------------------------------ writer side
    async def configure(self, settings: IndexSettings) -> bool:
        self.settings = settings
        return await self._call(self._configure)

    def _configure(self) -> bool:
        created = False
        try:
            self.index.fetch_info()
        except MeilisearchApiError as exc:
            if exc.code != "index_not_found":
                raise
            info = self.client.create_index(self.index_uid, {"primaryKey": "uid"})
            self._wait(info.task_uid)
            created = True
        current = self.index.get_settings()
        wanted = desired_settings(self.settings)
        changes = {k: v for k, v in wanted.items() if not _same(k, current.get(k), v)}
        if changes:
            log.info("updating Meilisearch settings: %s", ", ".join(sorted(changes)))
            info = self.index.update_settings(changes)
            self._wait(info.task_uid)
        return created

    async def upsert(self, docs: Sequence[Document], *, wait: bool = False) -> None:
        if not docs:
            return
        info = await self._call(self.index.add_documents, list(docs), primary_key="uid")
        self._pending.append(info.task_uid)
        if wait:
            await self.flush()

    def _delete_ids(self, uids: list[str]) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # ids are still documented
            return self.index.delete_documents(uids)

    async def delete(self, uids: Sequence[str], *, wait: bool = False) -> None:
        if not uids:
            return
        info = await self._call(self._delete_ids, list(uids))
        self._pending.append(info.task_uid)
        if wait:
            await self.flush()

    async def delete_type(self, doc_type: str, *, wait: bool = False) -> None:
        info = await self._call(self.index.delete_documents, filter=f"type = {_literal(doc_type)}")
        self._pending.append(info.task_uid)
        if wait:
            await self.flush()

    async def flush(self) -> None:
        """Wait for the tasks of our writes; any that failed is an error.

        Meilisearch runs an index's tasks in order, so waiting on the last one
        takes the time; the others are then one quick look each.
        """
        pending, self._pending = self._pending, []
        try:
            for task_uid in reversed(pending):
                await self._call(self._wait, task_uid)
        except BaseException:
            self._pending = pending + self._pending
            raise

    async def close(self) -> None:
        self._pool.shutdown(wait=False)
        self._readers.shutdown(wait=False)

    # ------------------------------------------------------------------ reading
    async def count(self) -> int:
        stats = await self._call(self.index.get_stats)
        return int(stats.number_of_documents)

    async def ping(self) -> str:
        try:
            await self._call(self.client.health)
            await self._call(self.index.fetch_info)
        except Unavailable as exc:
            return exc.detail
        except InvalidInput as exc:  # pragma: no cover - not a query
            return exc.detail
        return "ok"

    async def search(self, query: SearchQuery) -> SearchResult:
        params: dict[str, Any] = {
            "offset": query.offset,
            "limit": query.limit,
            "matchingStrategy": "last",
            "attributesToHighlight": list(self.settings.searchable),
            "highlightPreTag": HIGHLIGHT_PRE,
            "highlightPostTag": HIGHLIGHT_POST,
        }
        if self.settings.crop:
            params["attributesToCrop"] = list(self.settings.crop)
            params["cropLength"] = CROP_WORDS
            params["cropMarker"] = "…"
        conditions = filter_expression(query)
        if conditions:
            params["filter"] = " AND ".join(conditions)
        if query.facets:
            params["facets"] = list(query.facets)
        if query.sort is not None:
            name, descending = query.sort
            params["sort"] = [f"{_attribute(name)}:{'desc' if descending else 'asc'}"]
        text = lemmatise_query(normalise_apostrophes(query.q))
        answer = await self._read(lambda index: index.search(text, params))
        return self.read_answer(answer)

    def read_answer(self, answer: dict[str, Any]) -> SearchResult:
        hits: list[Hit] = []
        for raw in answer.get("hits", []):
            formatted = raw.get("_formatted") or {}
            highlights = {
                name: formatted[name]
                for name in self.settings.searchable
                if isinstance(formatted.get(name), str) and HIGHLIGHT_PRE in formatted[name]
            }
            hits.append(
                Hit(
                    type=str(raw["type"]),
                    id=str(raw["id"]),
                    fields=decode_hit_fields(self.settings.kinds, raw),
                    highlights=highlights,
                )
            )
        facets = {
            name: {str(k): int(v) for k, v in values.items()}
            for name, values in (answer.get("facetDistribution") or {}).items()
        }
        total = answer.get("estimatedTotalHits", answer.get("totalHits", len(hits)))
        return SearchResult(
            hits=hits,
            facets=facets,
            estimated_total=int(total),
            processing_ms=int(answer.get("processingTimeMs", 0)),
        )
