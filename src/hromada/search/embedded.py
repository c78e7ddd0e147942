"""The embedded search engine: tantivy, in the data directory. The default.

It behaves like Meilisearch where users notice: typo tolerance (one typo
from 5 letters, two from 9, a swap of two letters is one typo), prefix search
on the last word, case folding, the three Ukrainian apostrophes alike (and
ґ = г), filters, facet counts, highlights and relevance ranking (exact words
before typos, the title before the body, documents matching more words first).

Processes: tantivy allows one writer per index directory. Only the process
holding the indexer lock (see :mod:`hromada.search.indexer`) calls
:meth:`configure` and writes; every other process only reads and reloads
when the writer has committed. Each index layout lives in a directory named
after its settings fingerprint, so a new layout is built beside the old one.
Calls into tantivy block, so they run in threads: writes in one thread of
their own, searches in the default pool.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import msgspec
import tantivy

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
from hromada.search.text import QueryWord, fold, highlight, query_words, split_query

log = logging.getLogger("hromada.search.embedded")

TOKENIZER = "hromada"
_ENCODE = msgspec.json.Encoder().encode
_DECODE = msgspec.json.Decoder(dict[str, Any]).decode
FACET_SIZE = 100
LEMMA_FIELD = "s_lemma"  # the documents' dictionary forms (search.morphology)


def _analyzer() -> Any:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(255))
        .filter(tantivy.Filter.lowercase())
        .build()
    )


class EmbeddedBackend:
    name = "embedded"

    def __init__(
        self,
        base: Path,
        settings: IndexSettings,
        *,
        heap_size: int = 128_000_000,
        threads: int = 1,
    ) -> None:
        self.base = base
        self.settings = settings
        self.path = base / settings.fingerprint()
        self.heap_size = heap_size
        self.threads = threads
        self._index: Any = None
        self._writer: Any = None
        self._schema: Any = None
        self._meta_mtime = 0.0
        self._write_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-write")

    # ------------------------------------------------------------------ layout
    def _schema_for(self) -> Any:
        s = self.settings
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("uid", tokenizer_name="raw")
        for field, _weight in self._text_fields():
            sb.add_text_field(field, tokenizer_name=TOKENIZER, index_option="position")
        sb.add_text_field(LEMMA_FIELD, tokenizer_name=TOKENIZER, index_option="freq")
        for name in s.filterable:
            if s.kinds[name] in ("int", "date"):
                sb.add_integer_field(f"n_{name}", indexed=True, fast=True)
            else:
                sb.add_text_field(f"f_{name}", tokenizer_name="raw", fast=True)
        for name in s.sortable:
            if name not in s.filterable:
                sb.add_integer_field(f"n_{name}", indexed=True, fast=True)
        sb.add_bytes_field("_doc", stored=True)
        return sb.build()

    def _open(self, *, create: bool) -> Any:
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
            index = tantivy.Index(self._schema_for(), path=str(self.path), reuse=True)
        else:
            if not (self.path / "meta.json").is_file():
                raise Unavailable(
                    "the search index is not built yet: start `hromada serve` or run "
                    "`hromada indexer` / `hromada reindex`"
                )
            index = tantivy.Index.open(str(self.path))
        index.register_tokenizer(TOKENIZER, _analyzer())
        self._schema = index.schema
        return index

    def _reader(self) -> Any:
        if self._index is None:
            self._index = self._open(create=False)
            self._meta_mtime = 0.0
        try:
            mtime = (self.path / "meta.json").stat().st_mtime
        except FileNotFoundError:
            self._index = None
            raise Unavailable("the search index has gone: it is being rebuilt") from None
        if mtime != self._meta_mtime:
            self._index.reload()
            self._meta_mtime = mtime
        return self._index

    # ------------------------------------------------------------------ writer
    async def configure(self, settings: IndexSettings) -> bool:
        if settings.fingerprint() != self.settings.fingerprint():
            self.settings = settings
            self.path = self.base / settings.fingerprint()
            self._close_writer()
            self._index = None
        return await self._run_write(self._configure)

    def _configure(self) -> bool:
        created = not (self.path / "meta.json").is_file()
        self._index = self._open(create=True)
        if self._writer is None:
            try:
                self._writer = self._index.writer(
                    heap_size=self.heap_size, num_threads=self.threads
                )
            except ValueError as exc:
                raise Unavailable(
                    f"the search index is being written by another process: {exc}"
                ) from exc
        # Layouts of older settings are of no more use.
        for other in self.base.iterdir():
            if other.is_dir() and other != self.path and (other / "meta.json").is_file():
                shutil.rmtree(other, ignore_errors=True)
        if created:
            log.info("created the search index at %s", self.path)
        return created

    async def _run_write(self, fn: Any, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._write_pool, fn, *args)

    def _require_writer(self) -> Any:
        if self._writer is None:
            raise RuntimeError("this process does not hold the search index writer")
        return self._writer

    def _to_tantivy(self, doc: Document) -> Any:
        s = self.settings
        kw: dict[str, Any] = {"uid": doc["uid"]}
        title, *rest = s.searchable
        if doc.get(title):
            kw["s_title"] = fold(doc[title])
        others = [doc[name] for name in rest if doc.get(name)]
        if others:
            kw["s_rest"] = fold("\n".join(v if isinstance(v, str) else " ".join(v) for v in others))
        if doc.get(LEMMAS):
            kw[LEMMA_FIELD] = doc[LEMMAS]
        for name in s.filterable:
            value = doc.get(name)
            if value is None:
                continue
            if s.kinds[name] in ("int", "date"):
                kw[f"n_{name}"] = int(value)
            else:
                kw[f"f_{name}"] = value
        for name in s.sortable:
            value = doc.get(name)
            if value is not None and name not in s.filterable:
                kw[f"n_{name}"] = int(value)
        kw["_doc"] = _ENCODE({k: v for k, v in doc.items() if k != LEMMAS})
        return tantivy.Document(**kw)

    def _upsert(self, docs: Sequence[Document]) -> None:
        writer = self._require_writer()
        for doc in docs:
            writer.delete_documents_by_term("uid", doc["uid"])
            writer.add_document(self._to_tantivy(doc))
        self._commit()

    def _add_fresh(self, docs: Sequence[Document]) -> None:
        """Bulk load into an index known not to hold these uids (benchmarks, rebuilds)."""
        writer = self._require_writer()
        for doc in docs:
            writer.add_document(self._to_tantivy(doc))

    def _commit(self) -> None:
        self._require_writer().commit()
        self._index.reload()

    def _delete(self, uids: Sequence[str]) -> None:
        writer = self._require_writer()
        for uid in uids:
            writer.delete_documents_by_term("uid", uid)
        self._commit()

    def _delete_type(self, doc_type: str) -> None:
        self._require_writer().delete_documents_by_term("f_type", doc_type)
        self._commit()

    async def upsert(self, docs: Sequence[Document], *, wait: bool = False) -> None:
        if docs:
            await self._run_write(self._upsert, list(docs))

    async def add_fresh(self, docs: Sequence[Document]) -> None:
        await self._run_write(self._add_fresh, list(docs))

    async def commit(self) -> None:
        await self._run_write(self._commit)

    async def flush(self) -> None:
        """Every write commits before it returns: nothing to wait for."""

    async def delete(self, uids: Sequence[str], *, wait: bool = False) -> None:
        if uids:
            await self._run_write(self._delete, list(uids))

    async def delete_type(self, doc_type: str, *, wait: bool = False) -> None:
        await self._run_write(self._delete_type, doc_type)

    def _close_writer(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            try:
                writer.wait_merging_threads()  # drops the writer and its directory lock
            except Exception:  # pragma: no cover - nothing to do about it at shutdown
                log.exception("closing the search index writer")

    async def close(self) -> None:
        await self._run_write(self._close_writer)
        self._write_pool.shutdown(wait=False)

    # ------------------------------------------------------------------ reading
    async def count(self) -> int:
        return await asyncio.to_thread(lambda: int(self._reader().searcher().num_docs))

    async def ping(self) -> str:
        try:
            await asyncio.to_thread(self._reader)
        except Unavailable as exc:
            return exc.detail
        return "ok"

    async def search(self, query: SearchQuery) -> SearchResult:
        return await asyncio.to_thread(self._search, query)

    def _text_fields(self) -> list[tuple[str, float]]:
        """The first searchable attribute (the title) has a field of its own, so it can
        weigh more; every other searchable attribute shares one: fewer fields, fewer
        term-dictionary walks per query word."""
        if len(self.settings.searchable) > 1:
            return [("s_title", 2.0), ("s_rest", 1.0)]
        return [("s_title", 2.0)]

    def _variants(self, text: str) -> list[str]:
        """``text``, its synonyms, its dictionary form and that form's synonyms."""
        synonyms = self.settings.synonyms
        out = [text, *synonyms.get(text, ())]
        base = lemma(text)
        if base is not None:
            out += [base, *synonyms.get(base, ())]
        return list(dict.fromkeys(out))

    def _word_query(self, word: QueryWord) -> Any:
        schema = self._schema
        Q = tantivy.Query
        subs: list[Any] = []
        variants = self._variants(word.text)
        for field, weight in self._text_fields():
            for i, text in enumerate(variants):
                boost = 4.0 if i == 0 else 2.0
                subs.append(Q.boost_query(Q.term_query(schema, field, text), boost * weight))
        # Another form of the same word, from the documents' dictionary forms.
        for text in variants:
            subs.append(Q.boost_query(Q.term_query(schema, LEMMA_FIELD, text), 1.5))
        for field, weight in self._text_fields():
            # A prefix within the typo budget covers whole words within it too.
            if word.typos or word.prefix:
                subs.append(
                    Q.boost_query(
                        Q.fuzzy_term_query(schema, field, word.text, word.typos, True, word.prefix),
                        weight,
                    )
                )
        return Q.boolean_query([(tantivy.Occur.Should, s) for s in subs])

    def _phrase_query(self, phrase: tuple[str, ...]) -> Any:
        schema = self._schema
        Q = tantivy.Query
        fields = [field for field, _ in self._text_fields()]
        if len(phrase) == 1:
            subs = [Q.term_query(schema, field, phrase[0]) for field in fields]
        else:
            subs = [Q.phrase_query(schema, field, list(phrase)) for field in fields]
        return Q.boolean_query([(tantivy.Occur.Should, q) for q in subs])

    def _exact_word(self, word: str) -> Any:
        schema = self._schema
        Q = tantivy.Query
        forms = [word, *([base] if (base := lemma(word)) else [])]
        subs = [
            Q.term_query(schema, field, form)
            for form in forms
            for field in [*(f for f, _ in self._text_fields()), LEMMA_FIELD]
        ]
        return Q.boolean_query([(tantivy.Occur.Should, q) for q in subs])

    def _filter_clauses(self, query: SearchQuery) -> list[Any]:
        schema = self._schema
        Q = tantivy.Query
        s = self.settings
        clauses: list[Any] = []
        if query.types:
            clauses.append(Q.term_set_query(schema, "f_type", list(query.types)))
        for name, values in query.filters.items():
            if name not in s.filterable:
                raise InvalidInput(
                    f"{name} is not a filter; filters: {', '.join(s.filterable)}",
                    errors=[{"where": "query", "name": name, "message": "not filterable"}],
                )
            if s.kinds[name] in ("int", "date"):
                clauses.append(Q.term_set_query(schema, f"n_{name}", [int(v) for v in values]))
            else:
                clauses.append(Q.term_set_query(schema, f"f_{name}", [str(v) for v in values]))
        for name, (lo, hi) in query.ranges.items():
            if name not in s.filterable or s.kinds[name] not in ("int", "date"):
                raise InvalidInput(
                    f"{name} is not a numeric filter",
                    errors=[{"where": "query", "name": name, "message": "not a numeric filter"}],
                )
            clauses.append(
                Q.range_query(schema, f"n_{name}", tantivy.FieldType.Integer, lo, hi, True, True)
            )
        return clauses

    def _search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        index = self._reader()
        searcher = index.searcher()
        s = self.settings
        Q = tantivy.Query
        parts = split_query(query.q)
        qwords = query_words(parts.free, s.one_typo_from, s.two_typos_from)
        clauses: list[tuple[Any, Any]] = []
        if qwords:
            # Like Meilisearch's "last" matching strategy: the first word must match,
            # every further word that matches ranks the document higher.
            clauses.append((tantivy.Occur.Must, self._word_query(qwords[0])))
            clauses.extend((tantivy.Occur.Should, self._word_query(w)) for w in qwords[1:])
        # A "quoted phrase" must appear as written (no typos), in the title or the text.
        clauses.extend((tantivy.Occur.Must, self._phrase_query(p)) for p in parts.phrases)
        ranked = bool(clauses)
        clauses.extend((tantivy.Occur.Must, c) for c in self._filter_clauses(query))
        if parts.excluded and not any(o == tantivy.Occur.Must for o, _ in clauses):
            clauses.append((tantivy.Occur.Must, Q.all_query()))
        # A -word excludes every document holding it in any form.
        clauses.extend((tantivy.Occur.MustNot, self._exact_word(w)) for w in parts.excluded)
        if not clauses:
            tquery = Q.all_query()
        else:
            tquery = Q.boolean_query(clauses)
            if not ranked:
                tquery = Q.const_score_query(tquery, 1.0)
        limit = max(0, min(query.limit, MAX_TOTAL_HITS - query.offset))
        kwargs: dict[str, Any] = {"count": True, "offset": query.offset}
        if query.sort is not None:
            name, descending = query.sort
            if name not in s.sortable:
                raise InvalidInput(
                    f"cannot sort by {name}; sortable: {', '.join(s.sortable) or 'nothing'}",
                    errors=[{"where": "query", "name": "sort", "message": "not sortable"}],
                )
            kwargs["order_by_field"] = f"n_{name}"
            kwargs["order"] = tantivy.Order.Desc if descending else tantivy.Order.Asc
        result = searcher.search(tquery, max(limit, 1), **kwargs)
        hits: list[Hit] = []
        highlight_words = list(qwords)
        highlight_words += [QueryWord(w, 0, False) for p in parts.phrases for w in p]
        for w in qwords:
            for syn in s.synonyms.get(w.text, ()):
                highlight_words.append(QueryWord(syn, 0, False))
        cache: dict[str, int] = {}
        for _score, address in result.hits[:limit]:
            stored = _DECODE(bytes(searcher.doc(address)["_doc"][0]))
            hits.append(self._hit(stored, highlight_words, cache))
        facets: dict[str, dict[str, int]] = {}
        if query.facets:
            aggs = {}
            for name in query.facets:
                if name not in s.facets:
                    raise InvalidInput(
                        f"{name} is not a facet; facets: {', '.join(s.facets)}",
                        errors=[{"where": "query", "name": "facets", "message": "not a facet"}],
                    )
                aggs[name] = {"terms": {"field": f"f_{name}", "size": FACET_SIZE}}
            answer = searcher.aggregate(tquery, aggs)
            for name in query.facets:
                buckets = answer.get(name, {}).get("buckets", [])
                facets[name] = {str(b["key"]): int(b["doc_count"]) for b in buckets}
        return SearchResult(
            hits=hits,
            facets=facets,
            estimated_total=int(result.count or 0),
            processing_ms=round((time.perf_counter() - started) * 1000),
        )

    def _hit(self, stored: dict[str, Any], qwords: list[QueryWord], cache: dict[str, int]) -> Hit:
        highlights: dict[str, str] = {}
        if qwords:
            for name in self.settings.searchable:
                value = stored.get(name)
                if not isinstance(value, str):
                    continue
                text, matched = highlight(
                    value,
                    qwords,
                    crop=CROP_WORDS if name in self.settings.crop else None,
                    pre=HIGHLIGHT_PRE,
                    post=HIGHLIGHT_POST,
                    cache=cache,
                )
                if matched:
                    highlights[name] = text
        return Hit(
            type=stored["type"],
            id=stored["id"],
            fields=decode_hit_fields(self.settings.kinds, stored),
            highlights=highlights,
        )
