"""Filters as clients write them (strings) turned into ``AppealFilters``.

REST, GraphQL and Open311 all parse their filters here, so a filter means the
same thing everywhere.
"""

from __future__ import annotations

import datetime as dt

from hromada.errors import InvalidInput
from hromada.open_data.appeals.schemas import AppealFilters


def split_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def parse_moment(name: str, value: str | None) -> dt.datetime | None:
    """An ISO 8601 date or time; without a zone it is UTC."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) > 40:
            raise ValueError
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{name} is not an ISO 8601 date or time: {text[:40]!r}",
            errors=[{"where": "query", "name": name, "message": "expected ISO 8601"}],
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def build_filters(
    *,
    district: str | None = None,
    category: str | None = None,
    status: str | list[str] | None = None,
    channel: str | None = None,
    executor: str | None = None,
    received_from: str | dt.datetime | None = None,
    received_to: str | dt.datetime | None = None,
    resolved_from: str | dt.datetime | None = None,
    resolved_to: str | dt.datetime | None = None,
    overdue: bool | None = None,
) -> AppealFilters:
    def moment(name: str, value: str | dt.datetime | None) -> dt.datetime | None:
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return parse_moment(name, value)

    statuses = split_list(status) if isinstance(status, str) or status is None else status
    return AppealFilters(
        district=district or None,
        category=category or None,
        status=tuple(statuses),
        channel=channel or None,
        executor=executor or None,
        received_from=moment("received_from", received_from),
        received_to=moment("received_to", received_to),
        resolved_from=moment("resolved_from", resolved_from),
        resolved_to=moment("resolved_to", resolved_to),
        overdue=overdue,
    )
