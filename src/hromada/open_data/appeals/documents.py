"""The search documents of appeals (declared in ``search.py``): public appeals only,
anonymised as published."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hromada.open_data.appeals import queries
from hromada.open_data.appeals.tables import Appeal


async def search_documents(ids: Sequence[str]) -> list[dict[str, Any]]:
    """The search documents of these appeals; confidential or missing ones are left out."""
    numeric = [int(i) for i in ids if str(i).isdigit()]
    docs: list[dict[str, Any]] = []
    for start in range(0, len(numeric), 1000):
        for a in await queries.get_appeals(numeric[start : start + 1000]):
            docs.append(
                {
                    "id": str(a.id),
                    "title": a.category or "Звернення",
                    "body": a.text or "",
                    "address": a.street,
                    "category": a.category_code,
                    "district": a.district_code,
                    "status": a.status,
                    "received_at": a.received_at,
                }
            )
    return docs


async def public_ids(after: str | None, limit: int) -> list[str]:
    """Ids of public appeals after ``after``, in id order (for rebuilding the index)."""
    query = (
        Appeal.select(Appeal.id)
        .where(Appeal.confidential == False)  # noqa: E712 - SQL, not Python
        .order_by(Appeal.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Appeal.id > int(after))
    return [str(r["id"]) for r in await query.run()]


async def category_codes() -> set[str]:
    """Every category code: the values the search's ``category`` filter takes."""
    from hromada.open_data.appeals.tables import AppealCategory

    return {r["code"] for r in await AppealCategory.select(AppealCategory.code)}


async def statuses() -> tuple[str, ...]:
    from hromada.open_data.appeals.importers import STATUSES

    return STATUSES
