"""Filters as clients write them turned into ``AppealFilters``, and what they mean
to search.

The ten filters are declared once, as ``AppealFilters`` in ``schemas.py``. REST,
GraphQL and Open311 all build their filters here, from strings (REST), lists and
datetimes (GraphQL) or both, so a filter means the same thing everywhere; and
:func:`search_terms` decides, from the same declaration, which filters combine
with ``q`` and what search fields they become.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hromada.bounds import EARLIEST, LATEST, in_range, parse_instant
from hromada.errors import InvalidInput
from hromada.open_data.appeals.schemas import AppealFilters
from hromada.shapes import declared_fields

# Search filters on exact values and ranges of whole seconds (see hromada.search.service).
SearchFilters = dict[str, tuple[str | int, ...]]
SearchRanges = dict[str, tuple[int | None, int | None]]


def split_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def parse_moment(name: str, value: str | None) -> dt.datetime | None:
    """An ISO 8601 date or time; without a zone it is UTC."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return parse_instant(text)
    except ValueError as error:
        raise InvalidInput(
            f"{name} is not an ISO 8601 date or time between {EARLIEST.year} and "
            f"{LATEST.year - 1}: {text[:40]!r}",
            errors=[{"where": "query", "name": name, "message": str(error)}],
        ) from None


def build_filters(**values: Any) -> AppealFilters:
    """``AppealFilters`` from the declared filters' values as a client sent them:
    text (a comma-separated list, an ISO 8601 moment), lists, datetimes or flags.
    Empty values are no filter."""
    fields = declared_fields(AppealFilters)
    unknown = set(values) - {f.name for f in fields}
    if unknown:
        raise TypeError(f"not an appeal filter: {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for field in fields:
        value = values.get(field.name)
        if field.is_list:
            items = split_list(value) if isinstance(value, str) or value is None else value
            out[field.name] = tuple(items)
        elif field.base is dt.datetime:
            if isinstance(value, dt.datetime):
                if not in_range(value):
                    raise InvalidInput(
                        f"{field.name} must lie between {EARLIEST.year} and {LATEST.year - 1}",
                        errors=[{"where": "query", "name": field.name, "message": "out of range"}],
                    )
                out[field.name] = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
            else:
                out[field.name] = parse_moment(field.name, value)
        elif field.base is bool:
            out[field.name] = value
        else:
            out[field.name] = value or None
    return AppealFilters(**out)


def search_terms(filters: AppealFilters) -> tuple[SearchFilters, SearchRanges]:
    """The search filters and ranges that ``filters`` become next to ``q``.

    A filter combines with ``q`` when its declaration names a search field; a date
    filter ``<x>_from``/``<x>_to`` is a bound of that field's range. Any other filter
    set alongside ``q`` is refused, naming each."""
    fields = declared_fields(AppealFilters)
    unsupported = [
        f.name
        for f in fields
        if not f.extra["search"] and getattr(filters, f.name) not in (None, ())
    ]
    if unsupported:
        raise InvalidInput(
            f"{', '.join(unsupported)} cannot be combined with q",
            errors=[{"where": "query", "name": n, "message": "not with q"} for n in unsupported],
        )
    exact: SearchFilters = {}
    ranges: SearchRanges = {}
    for field in fields:
        target, value = field.extra["search"], getattr(filters, field.name)
        if target is None:
            continue
        if field.base is dt.datetime:
            if value is not None:
                low, high = ranges.get(target, (None, None))
                seconds = int(value.timestamp())
                if field.name.endswith("_from"):
                    ranges[target] = (seconds, high)
                else:
                    ranges[target] = (low, seconds)
        elif field.is_list:
            exact[target] = tuple(value)
        else:
            exact[target] = (value,) if value else ()
    return exact, ranges
