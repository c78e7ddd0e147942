"""The search port: what every search engine adapter offers, and what domains declare.

Domain packages describe their documents with a :class:`DocumentType` (which
fields, which of them are searchable, filterable, sortable, facets, and how to
load the public documents from the database). They never talk to an engine.
Adapters (:mod:`hromada.search.meili`, :mod:`hromada.search.embedded`)
implement :class:`SearchBackend`; the rest of hromada only sees this module.

Every document in the index is a flat JSON object: ``uid`` (``<type>-<id>``,
the primary key), ``type``, ``id`` and the fields its type declares. Dates
travel as whole seconds since the epoch so that both engines can filter and
sort them; :func:`encode_document` and :func:`decode_hit_fields` convert.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

FieldKind = Literal["text", "keyword", "int", "date"]

# Meilisearch answers at most this many hits for one query (its ``maxTotalHits``
# pagination setting); the embedded engine keeps the same bound.
MAX_TOTAL_HITS = 1000
# Words around the match kept in a cropped (long) field, in both engines.
CROP_WORDS = 24
# The hidden field of a document's dictionary forms (search.morphology): searched, never shown.
LEMMAS = "_lemmas"
HIGHLIGHT_PRE = "<em>"
HIGHLIGHT_POST = "</em>"


ValueLoader = Callable[[], Awaitable[Collection[str]]]


@dataclass(frozen=True)
class Field:
    """One field of a document type.

    ``text`` fields are split into words and searched; ``keyword`` fields are
    exact strings (codes, categories), ``int`` and ``date`` fields numbers.
    ``crop`` marks long text whose highlight is cut around the match.
    """

    name: str
    kind: FieldKind
    searchable: bool = False
    filterable: bool = False
    sortable: bool = False
    facet: bool = False
    crop: bool = False
    # For a keyword filter: every value it can take (district codes, statuses), so that a
    # filter on a value that does not exist is a 422 as in the lists, not an empty answer.
    values: ValueLoader | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.searchable and self.kind != "text":
            raise ValueError(f"field {self.name}: only text fields are searchable")
        if self.kind == "text" and (self.filterable or self.sortable or self.facet):
            raise ValueError(f"field {self.name}: text fields cannot be filters or facets")
        if self.sortable and self.kind not in ("int", "date"):
            raise ValueError(f"field {self.name}: only int and date fields are sortable")


Document = dict[str, Any]
# Public documents for these ids; an id missing from the answer is gone or not
# public, and is removed from the index.
Loader = Callable[[Sequence[str]], Awaitable[list[Document]]]
# Ids of every public document after ``after`` (None: from the start), at most ``limit``.
Scanner = Callable[[str | None, int], Awaitable[list[str]]]


@dataclass(frozen=True)
class DocumentType:
    """A domain's declaration of one kind of searchable document.

    ``load`` is the only way documents of this type reach the index, and it
    returns public documents only: whatever it leaves out is deleted from the
    index. Every document has ``id`` (a string) and ``title``.
    """

    name: str
    label_uk: str
    label_en: str
    fields: tuple[Field, ...]
    load: Loader
    scan: Scanner

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class IndexSettings:
    """Settings of the one index every document type shares."""

    searchable: tuple[str, ...]  # in order of importance
    filterable: tuple[str, ...]
    sortable: tuple[str, ...]
    facets: tuple[str, ...]
    crop: tuple[str, ...]
    kinds: Mapping[str, FieldKind]
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    one_typo_from: int = 5
    two_typos_from: int = 9

    def fingerprint(self) -> str:
        raw = json.dumps(
            {
                "searchable": self.searchable,
                "filterable": self.filterable,
                "sortable": self.sortable,
                "kinds": dict(sorted(self.kinds.items())),
                "synonyms": {k: list(v) for k, v in sorted(self.synonyms.items())},
                "typos": [self.one_typo_from, self.two_typos_from],
                "version": 3,  # 3: documents carry their lemmas
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


def index_settings(
    types: Sequence[DocumentType], synonyms: Mapping[str, tuple[str, ...]] | None = None
) -> IndexSettings:
    """The union of every document type's declaration; a field means one thing everywhere."""
    kinds: dict[str, FieldKind] = {"type": "keyword", "id": "keyword", "title": "text"}
    searchable: list[str] = ["title"]
    filterable: list[str] = ["type"]
    sortable: list[str] = []
    facets: list[str] = ["type"]
    crop: list[str] = []
    for doc_type in types:
        for f in doc_type.fields:
            known = kinds.get(f.name)
            if known is not None and known != f.kind:
                raise ValueError(
                    f"field {f.name!r} is {known} in one document type and {f.kind} in "
                    f"{doc_type.name}: a field must mean one thing in the shared index"
                )
            kinds[f.name] = f.kind
            for flag, bucket in (
                (f.searchable, searchable),
                (f.filterable or f.facet, filterable),
                (f.sortable, sortable),
                (f.facet, facets),
                (f.crop, crop),
            ):
                if flag and f.name not in bucket:
                    bucket.append(f.name)
    return IndexSettings(
        searchable=tuple(searchable),
        filterable=tuple(filterable),
        sortable=tuple(sortable),
        facets=tuple(facets),
        crop=tuple(crop),
        kinds=kinds,
        synonyms=dict(synonyms or {}),
    )


# ----------------------------------------------------------------------------
# Queries and answers


@dataclass(frozen=True)
class SearchQuery:
    """One search. ``filters``: field -> accepted values (any of them); ``ranges``:
    field -> (lowest, highest), either end open with None; all conditions must hold."""

    q: str = ""
    types: tuple[str, ...] = ()
    filters: Mapping[str, tuple[str | int, ...]] = field(default_factory=dict)
    ranges: Mapping[str, tuple[int | None, int | None]] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    sort: tuple[str, bool] | None = None  # (field, descending)
    offset: int = 0
    limit: int = 20


@dataclass
class Hit:
    type: str
    id: str
    fields: dict[str, Any]
    # searchable field -> its text with matches wrapped in <em>…</em> (long fields cropped)
    highlights: dict[str, str]


@dataclass
class SearchResult:
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    estimated_total: int
    processing_ms: int = 0


@runtime_checkable
class SearchBackend(Protocol):
    """A search engine. Every method may raise :class:`hromada.errors.Unavailable`
    when the engine cannot answer, and ``InvalidInput`` when it refuses a query."""

    name: str

    async def configure(self, settings: IndexSettings) -> bool:
        """Apply the index settings idempotently (writer side). True when the index
        was created or its layout changed, so its documents must be rebuilt."""
        ...

    async def upsert(self, docs: Sequence[Document], *, wait: bool = False) -> None:
        """Add or replace encoded documents (``uid`` is the key). ``wait``: return
        only once a search would see them."""
        ...

    async def delete(self, uids: Sequence[str], *, wait: bool = False) -> None: ...

    async def delete_type(self, doc_type: str, *, wait: bool = False) -> None:
        """Remove every document of one type."""
        ...

    async def flush(self) -> None:
        """Return once every write made so far is visible to searches."""
        ...

    async def search(self, query: SearchQuery) -> SearchResult: ...

    async def count(self) -> int:
        """Documents in the index."""
        ...

    async def ping(self) -> str:
        """ "ok", or why the engine cannot answer."""
        ...

    async def close(self) -> None: ...


# ----------------------------------------------------------------------------
# Encoding shared by the adapters


def uid_of(doc_type: str, doc_id: str) -> str:
    return f"{doc_type}-{doc_id}"


def _epoch(value: Any) -> int:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return int(value.timestamp())
    if isinstance(value, dt.date):
        return int(dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp())
    return int(value)


def encode_document(doc_type: DocumentType, doc: Mapping[str, Any]) -> Document:
    """The flat JSON object an engine stores for ``doc`` of ``doc_type``."""
    from hromada.search.morphology import lemmas
    from hromada.search.text import normalise_apostrophes

    doc_id = str(doc["id"])
    out: Document = {
        "uid": uid_of(doc_type.name, doc_id),
        "type": doc_type.name,
        "id": doc_id,
        "title": normalise_apostrophes(str(doc["title"])),
    }
    texts = [out["title"]]
    for f in doc_type.fields:
        value = doc.get(f.name)
        if value is None or f.name in out:
            continue
        if f.searchable:
            texts.append(str(value))
        if f.kind == "date":
            out[f.name] = _epoch(value)
        elif f.kind == "int":
            out[f.name] = int(value)
        elif f.kind == "text":
            out[f.name] = normalise_apostrophes(str(value))
        else:
            out[f.name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    # Dictionary forms of the searchable words, searched beside them (search.morphology).
    found = lemmas("\n".join(texts))
    if found:
        out[LEMMAS] = " ".join(found)
    return out


def decode_hit_fields(kinds: Mapping[str, FieldKind], stored: Mapping[str, Any]) -> dict[str, Any]:
    """Stored fields as clients see them: dates back to ISO-8601 UTC."""
    out: dict[str, Any] = {}
    for name, value in stored.items():
        if name in ("uid", "type", "id") or name.startswith("_"):
            continue
        if kinds.get(name) == "date" and isinstance(value, int | float):
            out[name] = (
                dt.datetime.fromtimestamp(value, tz=dt.UTC).isoformat().replace("+00:00", "Z")
            )
        else:
            out[name] = value
    return out
