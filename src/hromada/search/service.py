"""Searching, as the API and GraphQL ask for it: checks the request, asks the engine.

Both transports go through :func:`search`, so REST and GraphQL answer the
same hits for the same request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from hromada.bounds import parse_instant
from hromada.errors import InvalidInput
from hromada.paging import decode_cursor, encode_cursor
from hromada.search.port import MAX_TOTAL_HITS, SearchBackend, SearchQuery
from hromada.search.registry import document_type, known_values
from hromada.search.registry import settings as index_settings
from hromada.search.schemas import SearchHitOut, SearchPage
from hromada.search.text import words

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 10
MAX_FILTER_VALUES = 50
RANGE_SUFFIXES = ("_from", "_to")


def _bad(name: str, message: str, detail: str) -> InvalidInput:
    return InvalidInput(detail, errors=[{"where": "query", "name": name, "message": message}])


def _number(name: str, kind: str, raw: str, *, upper: bool = False) -> int:
    raw = raw.strip()
    if kind == "date":
        try:
            if len(raw) == 10:
                day = dt.date.fromisoformat(raw)
                moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
                if upper:
                    moment += dt.timedelta(days=1, seconds=-1)
            else:
                moment = parse_instant(raw)
        except ValueError:
            detail = f"{name}: {raw!r} is not an ISO-8601 date"
            raise _bad(name, "expected a date", detail) from None
        return int(moment.timestamp())
    try:
        return int(raw)
    except ValueError:
        raise _bad(name, "expected a whole number", f"{name}: {raw!r} is not a number") from None


def parse_filters(
    raw: Mapping[str, Sequence[str]],
) -> tuple[dict[str, tuple[str | int, ...]], dict[str, tuple[int | None, int | None]]]:
    """Query parameters other than the reserved ones: ``field=value`` (repeat or comma-separate
    for any of several values) and ``field_from`` / ``field_to`` for numbers and dates."""
    s = index_settings()
    filters: dict[str, tuple[str | int, ...]] = {}
    ranges: dict[str, tuple[int | None, int | None]] = {}
    for name, values in raw.items():
        base = next((name[: -len(x)] for x in RANGE_SUFFIXES if name.endswith(x)), None)
        if base and base in s.filterable and s.kinds[base] in ("int", "date"):
            lo, hi = ranges.get(base, (None, None))
            value = _number(name, s.kinds[base], values[-1], upper=name.endswith("_to"))
            ranges[base] = (value, hi) if name.endswith("_from") else (lo, value)
            continue
        if name not in s.filterable or name == "type":
            known = ", ".join(f for f in s.filterable if f != "type")
            raise _bad(name, "unknown filter", f"{name} is not a search filter; filters: {known}")
        parts = [p.strip() for v in values for p in v.split(",") if p.strip()]
        if not parts or len(parts) > MAX_FILTER_VALUES:
            raise _bad(name, f"1..{MAX_FILTER_VALUES} values", f"{name}: give 1 to 50 values")
        if s.kinds[name] in ("int", "date"):
            filters[name] = tuple(_number(name, s.kinds[name], p) for p in parts)
        else:
            filters[name] = tuple(parts)
    return filters, ranges


async def check_filter_values(filters: Mapping[str, tuple[str | int, ...]]) -> None:
    """A keyword filter on a value that exists nowhere (an unknown district code) is a 422,
    as the lists answer it, rather than a silent empty page."""
    for name, values in filters.items():
        if name == "type":
            continue
        known = await known_values(name)
        if known is None:
            continue
        unknown = [v for v in values if str(v) not in known]
        if unknown:
            shown = ", ".join(sorted(known)[:20]) + (" …" if len(known) > 20 else "")
            raise _bad(
                name,
                "unknown value",
                f"{name}: unknown value {str(unknown[0])[:60]!r}; values: {shown}",
            )


def _split(values: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(p.strip() for v in values or () for p in v.split(",") if p.strip())


async def search(
    backend: SearchBackend,
    *,
    q: str = "",
    types: Sequence[str] | None = None,
    raw_filters: Mapping[str, Sequence[str]] | None = None,
    filters: Mapping[str, tuple[str | int, ...]] | None = None,
    ranges: Mapping[str, tuple[int | None, int | None]] | None = None,
    facets: Sequence[str] | None = None,
    sort: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> SearchPage:
    s = index_settings()
    if len(q) > MAX_QUERY_CHARS:
        raise _bad("q", f"at most {MAX_QUERY_CHARS} characters", "q is too long")
    if len(words(q)) > MAX_QUERY_WORDS:
        raise _bad("q", f"at most {MAX_QUERY_WORDS} words", "q has too many words")
    if limit < 1 or limit > MAX_LIMIT:
        raise _bad("limit", f"1..{MAX_LIMIT}", f"limit must be between 1 and {MAX_LIMIT}")
    type_names = _split(types)
    for name in type_names:
        document_type(name)
    parsed, parsed_ranges = parse_filters(raw_filters or {})
    parsed.update(filters or {})
    await check_filter_values(parsed)
    parsed_ranges.update(ranges or {})
    facet_names = _split(facets)
    for name in facet_names:
        if name not in s.facets:
            raise _bad(
                "facets", "unknown facet", f"{name} is not a facet; facets: " + ", ".join(s.facets)
            )
    sort_spec: tuple[str, bool] | None = None
    if sort:
        name = sort.lstrip("-")
        if name not in s.sortable:
            raise _bad(
                "sort",
                "not sortable",
                f"cannot sort by {name}; sortable: " + (", ".join(s.sortable) or "nothing"),
            )
        sort_spec = (name, sort.startswith("-"))
    key = decode_cursor(cursor, 1)
    offset = int(key[0]) if key and isinstance(key[0], int) and key[0] >= 0 else 0
    if key and offset == 0:
        raise _bad("cursor", "unreadable cursor", "cursor is not one this API issued")
    if offset >= MAX_TOTAL_HITS:
        raise _bad("cursor", "past the last page", f"search pages end at {MAX_TOTAL_HITS} hits")
    result = await backend.search(
        SearchQuery(
            q=q,
            types=type_names,
            filters=parsed,
            ranges=parsed_ranges,
            facets=facet_names,
            sort=sort_spec,
            offset=offset,
            limit=min(limit, MAX_TOTAL_HITS - offset),
        )
    )
    items = [
        SearchHitOut(
            type=h.type,
            id=h.id,
            title=str(h.fields.get("title", "")),
            fields={k: v for k, v in h.fields.items() if k != "title"},
            highlights=h.highlights,
        )
        for h in result.hits
    ]
    following = offset + len(items)
    more = len(items) == limit and following < min(result.estimated_total, MAX_TOTAL_HITS)
    return SearchPage(
        items=items,
        next_cursor=encode_cursor([following]) if more else None,
        total=result.estimated_total,
        total_is_estimate=True,
        facets=result.facets,
    )


def describe_filters() -> str:
    s = index_settings()
    lines = []
    for name in s.filterable:
        if name == "type":
            continue
        if s.kinds[name] in ("int", "date"):
            lines.append(f"`{name}`, `{name}_from`, `{name}_to` ({s.kinds[name]})")
        else:
            lines.append(f"`{name}`")
    return ", ".join(lines)


def cursor_after(cursor: str | None, index: int) -> str:
    """The cursor that continues a search whose page began at ``cursor`` after that
    page's hit number ``index`` (from 0): a cursor per hit, as GraphQL edges have."""
    key = decode_cursor(cursor, 1)
    start = int(key[0]) if key and isinstance(key[0], int) else 0
    return encode_cursor([start + index + 1])


async def search_ids(
    backend: SearchBackend,
    doc_type: str,
    *,
    q: str,
    filters: Mapping[str, tuple[str | int, ...]] | None = None,
    ranges: Mapping[str, tuple[int | None, int | None]] | None = None,
    limit: int,
    cursor: str | None,
) -> tuple[list[str], str | None, int]:
    """Per-type search behind a list's ``q`` filter: ids in relevance order, the next
    cursor and the estimated total. The list then loads its own rows for these ids."""
    page = await search(
        backend,
        q=q,
        types=[doc_type],
        filters={k: v for k, v in (filters or {}).items() if v},
        ranges=ranges,
        limit=min(limit, MAX_LIMIT),
        cursor=cursor,
    )
    return [h.id for h in page.items], page.next_cursor, page.total
