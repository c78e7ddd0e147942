"""Budget lines are search documents: one per budget, kind, year and code, with the
year's figures from its latest month (the total fund where the export has one), found
by the words of the code's name and filtered by budget, kind and year."""

from __future__ import annotations

from pathlib import Path

from litestar.testing import TestClient

from hromada.config import Settings
from hromada.open_data.budget import search
from hromada.open_data.budget.importing import import_export
from hromada.search.tables import SearchOutbox

from ...conftest import wait_for  # type: ignore[import-not-found]
from .test_budget import EXPENSES, GOOD, HEADER

KHARKIV = "2055400000"


async def test_the_real_exports_become_documents(clean_db: Settings, shared_data: Path) -> None:
    await import_export((shared_data / EXPENSES).read_bytes())
    queued = await SearchOutbox.count().where(SearchOutbox.doc_type == search.DOC_TYPE)
    ids: list[str] = []
    after = None
    while page := await search.BUDGET_LINE.scan(after, 500):
        ids += page
        after = page[-1]
    assert len(ids) == len(set(ids)) == queued > 800
    assert ids == sorted(ids)
    # Kharkiv, salaries, 2023: the source's December figures of the total fund (T):
    # 3,631,494,703.00 planned for the year, 3,531,540,626.19 executed.
    [doc] = await search.BUDGET_LINE.load([f"{KHARKIV}-expense-2023-2111"])
    assert doc["title"] == "2111 Заробітна плата"
    assert (doc["plan_uah"], doc["executed_uah"]) == (3_631_494_703, 3_531_540_626)
    assert (doc["budget"], doc["budget_kind"], doc["year"]) == (KHARKIV, "expense", 2023)
    # Ids that are not a line's: nothing, and no query error.
    strange = ["", "x" * 200, "1-2-3-4", f"{KHARKIV}-expense-2023-9999", "a-expense-20x3-1"]
    assert await search.BUDGET_LINE.load(strange) == []


async def test_lines_are_found_filtered_and_sorted(clean_db: Settings, tmp_path: Path) -> None:
    export = (
        f"{HEADER}\n{GOOD}"
        "2024-02-29,C,2055400000,2273,Оплата електроенергії,500.00,300.00,250.00\n"
        "2024-02-29,C,2600000000,2273,Оплата електроенергії,900.00,600.00,700.00\n"
    )
    await import_export(export.encode())
    from hromada.app import create_app

    app = create_app(clean_db.replace(search_dir=str(tmp_path / "search")))
    with TestClient(app) as client:

        def hits(**params: str) -> list[dict]:
            response = client.get("/api/v1/search", params={"type": "budget-line", **params})
            assert response.status_code == 200, response.text
            return response.json()["items"]

        assert wait_for(lambda: len(hits()) == 3), hits()
        # "електроенергію" (accusative) meets "електроенергії" through the lemma.
        found = {h["id"] for h in hits(q="електроенергію")}
        assert found == {f"{KHARKIV}-expense-2024-2273", "2600000000-expense-2024-2273"}
        assert [h["id"] for h in hits(q="електроенергії", budget=KHARKIV)] == [
            f"{KHARKIV}-expense-2024-2273"
        ]
        by_executed = [h["fields"]["executed_uah"] for h in hits(sort="-executed_uah")]
        assert by_executed == [700, 250, 180]  # salaries: February's 180.25, whole hryvnias
        refused = client.get(
            "/api/v1/search", params={"type": "budget-line", "budget_kind": "loans"}
        )
        assert refused.status_code == 422, refused.text
