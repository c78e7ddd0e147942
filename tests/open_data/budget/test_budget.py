"""Budget execution from the real openbudget.gov.ua exports, unchanged, on both engines:
monthly figures derived from the cumulative ones and checked by hand against the source,
and every malformed export refused with nothing written."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from litestar.testing import TestClient

from hromada.config import Settings
from hromada.errors import InvalidInput
from hromada.open_data.budget.importing import import_export, kopecks
from hromada.open_data.budget.tables import BudgetCode, BudgetLine

EXPENSES = "openbudget_atsokol/expenses_economic_Kyiv_Lviv_Kharkiv_Vinnytsia_2021-2026.csv"
INCOMES = "openbudget_atsokol/incomes_Kyiv_Lviv_2021-2026.csv"
HEADER = "REP_PERIOD,FUND_TYP,COD_BUDGET,COD_CONS_EK,COD_CONS_EK_NAME,ZAT_AMT,PLANS_AMT,FAKT_AMT"
GOOD = (
    "2024-01-31,C,2055400000,2111,Заробітна плата,1000.00,100.00,90.50\n"
    "2024-02-29,C,2055400000,2111,Заробітна плата,1000.00,200.00,180.25\n"
)


@pytest.fixture
async def imported(clean_db: Settings, shared_data: Path) -> Settings:
    expenses = await import_export((shared_data / EXPENSES).read_bytes())
    assert (expenses.kind, expenses.rows) == ("expense", 22106)
    assert expenses.budgets == ["0253600000", "1356300000", "2055400000", "2600000000"]
    assert expenses.periods == ("2021-01-31", "2026-06-30")
    incomes = await import_export((shared_data / INCOMES).read_bytes())
    assert (incomes.kind, incomes.rows) == ("income", 22756)
    return clean_db


async def _line(kind: str, budget: str, code: str, fund: str, year: int, month: int) -> dict:
    row = (
        await BudgetLine.select()
        .where(
            (BudgetLine.kind == kind) & (BudgetLine.budget == budget) & (BudgetLine.code == code)
            & (BudgetLine.fund == fund) & (BudgetLine.year == year) & (BudgetLine.month == month)
        )
        .first()
    )  # fmt: skip
    assert row is not None
    return row


async def test_the_real_exports_import_and_months_are_derived(imported: Settings) -> None:
    # Vinnytsia, capital transfers (3210), both funds: 2,811,555.00 executed by January,
    # 58,333,459.41 by February, 70,570,422.75 by March (the source's cumulative figures).
    jan = await _line("expense", "0253600000", "3210", "T", 2021, 1)
    feb = await _line("expense", "0253600000", "3210", "T", 2021, 2)
    mar = await _line("expense", "0253600000", "3210", "T", 2021, 3)
    assert jan["fact_month"] == 281155500
    assert feb["fact_month"] == 5833345941 - 281155500 == 5552190441  # 55,521,904.41
    assert mar["fact_month"] == 7057042275 - 5833345941 == 1223696334  # 12,236,963.34
    # Kharkiv salaries, general fund, 2023 (its budget code written in ten digits by then).
    kh = await _line("expense", "2055400000", "2111", "C", 2023, 3)
    assert kh["fact_month"] == 80841640722 - 54026651713 == 26814989009  # 268,149,890.09
    assert kh["plan_year"] == 412866453700
    # Kyiv's profit tax of foreign-owned companies: a refund made January negative.
    kyiv = await _line("income", "2600000000", "11020300", "T", 2021, 2)
    assert kyiv["fact_month"] == 2716282725 - (-536126530) == 3252409255  # 32,524,092.55
    assert (await BudgetCode.select(BudgetCode.name).where(BudgetCode.code == "2111"))[0][
        "name"
    ] == "Заробітна плата"


def test_the_api_gives_money_as_decimal_strings(imported: Settings) -> None:
    from hromada.app import create_app

    with TestClient(create_app(imported)) as client:
        page = client.get(
            "/api/v1/budget/execution",
            params={"budget": "2055400000", "year": 2023, "code": "2111", "fund": "C", "limit": 3},
        ).json()
        march = next(line for line in page["items"] if line["month"] == 3)
        assert march["name"] == "Заробітна плата"
        assert march["fact_to_date"] == "808416407.22"
        assert march["fact_month"] == "268149890.09"
        assert march["execution_pct"] == "19.6"  # 808,416,407.22 of a 4,128,664,537.00 plan
        kyiv = client.get(
            "/api/v1/budget/execution",
            params={"kind": "income", "budget": "2600000000", "code": "11020300", "year": 2021,
                    "month": 1, "fund": "T"},
        ).json()["items"]  # fmt: skip
        assert [(x["fact_month"], x["execution_pct"]) for x in kyiv] == [("-5361265.30", None)]
        codes = client.get("/api/v1/budget/codes", params={"kind": "expense"}).json()["items"]
        assert len(codes) == 37
        for bad in ({"kind": "taxes"}, {"fund": "X"}, {"code": "22a"}, {"month": 13}):
            answer = client.get("/api/v1/budget/execution", params=bad)
            assert answer.status_code in (400, 422), bad
            assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER.replace("FAKT_AMT", "FACT_AMT") + "\n" + GOOD, "the export's columns changed"),
        (HEADER + ",EXTRA\n" + GOOD.replace("\n", ",x\n"), "unknown EXTRA"),
        ("a,b\n1,2\n", "not an openbudget.gov.ua execution export"),
        ("", "the export is empty"),
        (HEADER + "\n", "the export has no rows"),
        (HEADER + "\n" + GOOD.replace("90.50", "ninety"), "problem"),
        (HEADER + "\n" + GOOD.replace("90.50", "1e5"), "problem"),
        (HEADER + "\n" + GOOD.replace("90.50", "90.505"), "problem"),
        (HEADER + "\n" + GOOD.replace("1000.00", "-1000.00"), "problem"),
        (HEADER + "\n" + GOOD + GOOD.splitlines()[0] + "\n", "problem"),
        (HEADER + "\n" + GOOD.replace("2024-01-31", "2024-01-15"), "problem"),
        (HEADER + "\n" + GOOD.replace(",2111,Заробітна плата", ",2111,"), "problem"),
        (HEADER + "\n" + GOOD.replace("2055400000", "20554"), "problem"),
        (HEADER + "\n" + GOOD.replace(",C,", ",Z,"), "problem"),
    ],
)
async def test_a_bad_export_is_refused_with_nothing_written(
    clean_db: Settings, text: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        await import_export(text.encode())
    assert await BudgetLine.count() == 0 and await BudgetCode.count() == 0


async def test_the_errors_name_the_line(clean_db: Settings) -> None:
    text = HEADER + "\n" + GOOD + GOOD.splitlines()[1] + "\n"
    with pytest.raises(InvalidInput) as refused:
        await import_export(text.encode())
    assert refused.value.errors == [
        {
            "where": "line 4",
            "name": "REP_PERIOD",
            "message": "the same month, code and fund as line 3",
        }
    ]
    with pytest.raises(InvalidInput, match="not UTF-8"):
        await import_export((HEADER + "\n" + GOOD).encode("cp1251"))


async def test_a_month_imported_again_replaces_it(clean_db: Settings) -> None:
    await import_export((HEADER + "\n" + GOOD).encode())
    corrected = GOOD.splitlines()[1].replace("180.25", "170.00")
    await import_export((HEADER + "\n" + corrected + "\n").encode())
    feb = await _line("expense", "2055400000", "2111", "C", 2024, 2)
    assert (feb["fact_to_date"], feb["fact_month"]) == (17000, 17000 - 9050)
    assert await BudgetLine.count() == 2


def test_amounts_are_exact() -> None:
    assert kopecks("43741480.0") == 4374148000
    assert kopecks("-5361265.3") == -536126530
    assert kopecks("") is None
    for bad in ("NaN", "inf", "1e3", "1,5", "1.005", "9" * 20):
        with pytest.raises(ValueError):
            kopecks(bad)


@pytest.fixture
async def published_budget(imported: Settings) -> Settings:
    from hromada.open_data.catalog.service import publish

    for slug in ("budget-expenses", "budget-incomes"):
        assert (await publish(imported, slug)).created
    return imported


def test_the_budget_datasets_pass_frictionless(published_budget: Settings, tmp_path: Path) -> None:
    from frictionless import Resource, Schema

    from hromada.app import create_app

    with TestClient(create_app(published_budget)) as client:
        for slug, rows in (("budget-expenses", 22106), ("budget-incomes", 22756)):
            package = client.get(f"/api/v1/datasets/{slug}/datapackage.json").json()
            resource = package["resources"][0]
            (tmp_path / f"{slug}.csv").write_bytes(client.get(resource["path"]).content)
            table = Resource(
                path=f"{slug}.csv",
                basepath=str(tmp_path),
                schema=Schema.from_descriptor(resource["schema"]),
            )
            report = table.validate()
            assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
            assert report.tasks[0].stats["rows"] == rows


def test_graphql_gives_the_same_lines(imported: Settings) -> None:
    from hromada.app import create_app

    query = """{ budgetExecution(budget: "2055400000", year: 2023, code: "2111", fund: "C",
                 first: 3) { items { month name factToDate factMonth executionPct }
                 nextCursor } }"""
    with TestClient(create_app(imported)) as client:
        answer = client.post("/graphql", json={"query": query}).json()
        rest = client.get(
            "/api/v1/budget/execution",
            params={"budget": "2055400000", "year": 2023, "code": "2111", "fund": "C", "limit": 3},
        ).json()
    lines = answer["data"]["budgetExecution"]["items"]
    assert [line["factMonth"] for line in lines] == [x["fact_month"] for x in rest["items"]]
    assert answer["data"]["budgetExecution"]["nextCursor"] == rest["next_cursor"]
    assert lines[0]["name"] == "Заробітна плата"


def test_branches_and_year_over_year(imported: Settings) -> None:
    from hromada.app import create_app

    kharkiv = {"budget": "2055400000", "year": 2023, "month": 3, "fund": "C"}
    with TestClient(create_app(imported)) as client:
        labour = next(
            g
            for g in client.get("/api/v1/budget/tree", params={**kharkiv, "level": 2}).json()[
                "items"
            ]
            if g["prefix"] == "21"
        )
        # Salaries 808,416,407.22 and contributions 183,770,867.81 by March 2023, against
        # plans to date of 4,128,664,537.00 and 910,910,347.00 (the source's rows).
        assert labour["codes"] == 2
        assert labour["fact_to_date"] == "992187275.03"
        assert labour["plan_to_date"] == "5039574884.00"
        assert labour["execution_pct"] == "19.7"
        top = client.get("/api/v1/budget/tree", params={**kharkiv, "level": 1}).json()["items"]
        every = client.get("/api/v1/budget/tree", params={**kharkiv, "level": 4}).json()["items"]
        assert sum(Decimal(g["fact_to_date"]) for g in top) == sum(
            Decimal(g["fact_to_date"]) for g in every
        )
        changes = client.get("/api/v1/budget/changes", params={**kharkiv, "limit": 100}).json()
        salaries = next(c for c in changes["items"] if c["code"] == "2111")
        # 1,131,422,961.80 by March 2022 (written under the 11-digit code then).
        assert salaries["fact_year_before"] == "1131422961.80"
        assert salaries["change"] == "-323006554.58"
        assert salaries["change_pct"] == "-28.5"
        sizes = [abs(Decimal(c["change"])) for c in changes["items"] if c["change"]]
        assert sizes == sorted(sizes, reverse=True)
        refused = client.get("/api/v1/budget/tree", params={**kharkiv, "level": 9})
        assert refused.status_code in (400, 422)
