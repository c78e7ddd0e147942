"""What the participatory budget puts in the search index: every public project (submitted,
approved, rejected or appealed; never a hidden one), by its code."""

from __future__ import annotations

from collections.abc import Sequence

from hromada.participation.budgeting.tables import BudgetProject
from hromada.search.port import Document, DocumentType, Field

DOC_TYPE = "project"
PUBLIC = ("submitted", "approved", "rejected", "appealed")


async def _statuses() -> tuple[str, ...]:
    return PUBLIC


async def _load(ids: Sequence[str]) -> list[Document]:
    codes = [i for i in dict.fromkeys(ids) if 0 < len(i) <= 32]
    if not codes:
        return []
    rows = await BudgetProject.select(
        BudgetProject.code,
        BudgetProject.title,
        BudgetProject.description,
        BudgetProject.category,
        BudgetProject.status,
        BudgetProject.cost,
    ).where(BudgetProject.code.is_in(codes) & BudgetProject.status.is_in(list(PUBLIC)))
    return [
        {
            "id": r["code"],
            "title": r["title"],
            "body": r["description"],
            "project_status": r["status"],
            "cost": r["cost"],
        }
        for r in rows
    ]


async def _scan(after: str | None, limit: int) -> list[str]:
    query = BudgetProject.select(BudgetProject.code).where(BudgetProject.status.is_in(list(PUBLIC)))
    if after is not None:
        query = query.where(BudgetProject.code > after)
    return [r["code"] for r in await query.order_by(BudgetProject.code).limit(limit)]


PROJECT = DocumentType(
    name=DOC_TYPE,
    label_uk="Проєкт бюджету участі",
    label_en="Participatory-budget project",
    fields=(
        Field("body", "text", searchable=True, crop=True),
        Field("project_status", "keyword", filterable=True, facet=True, values=_statuses),
        Field("cost", "int", filterable=True, sortable=True),
    ),
    load=_load,
    scan=_scan,
)
DOCUMENT_TYPES = (PROJECT,)
