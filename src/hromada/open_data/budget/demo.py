"""The demo city's budget: five years of monthly expenses by economic code, written as an
openbudget.gov.ua export and imported through the one import path."""

from __future__ import annotations

import csv
import datetime as dt
import io

from hromada.demo.parts import DemoContext
from hromada.open_data.budget.classifier import ECONOMIC
from hromada.open_data.budget.importing import import_export

DEMO_BUDGET = "2055400000"  # Kharkiv's budget code
YEARS = 5
HEADER = ("REP_PERIOD", "FUND_TYP", "COD_BUDGET", "COD_CONS_EK", "COD_CONS_EK_NAME",
          "ZAT_AMT", "PLANS_AMT", "FAKT_AMT")  # fmt: skip


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def export(ctx: DemoContext) -> bytes:
    """The export: plans grow a little each year and are amended during it; each month
    executes a share of the plan (capital works late in the year), cumulatively."""
    rng = ctx.rng("budget")
    today = dt.date.today()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for year in range(today.year - YEARS + 1, today.year + 1):
        last_month = 12 if year < today.year else max(today.month - 1, 1)
        for code, name in ECONOMIC.items():
            base = rng.uniform(2e6, 4e9) if code < "3000" else rng.uniform(1e6, 8e8)
            # month -> [plan, plan to date, done] per fund; the total (T) is their sum.
            funds: dict[str, dict[int, list[float]]] = {}
            for fund, share in (("C", 0.8), ("S", 0.2)):
                plan = round(base * share * (1 + 0.08 * (year - today.year)), 2)
                done = 0.0
                funds[fund] = {}
                for month in range(1, last_month + 1):
                    plan = round(plan * rng.uniform(0.99, 1.03), 2) if month % 3 == 0 else plan
                    weight = (month / 12) ** (2.5 if code >= "3000" else 1.0)
                    done = max(done, round(plan * weight * rng.uniform(0.85, 1.0), 2))
                    funds[fund][month] = [plan, round(plan * month / 12, 2), done]
            funds["T"] = {
                month: [
                    round(a + b, 2)
                    for a, b in zip(funds["C"][month], funds["S"][month], strict=True)
                ]
                for month in funds["C"]
            }
            for fund, months in funds.items():
                for month, (plan, to_date, done) in months.items():
                    writer.writerow(
                        (_month_end(year, month).isoformat(), fund, DEMO_BUDGET, code, name,
                         f"{plan:.2f}", f"{to_date:.2f}", f"{done:.2f}")
                    )  # fmt: skip
    return out.getvalue().encode()


class BudgetDemo:
    name = "budget"

    async def populate(self, ctx: DemoContext) -> None:
        report = await import_export(export(ctx))
        ctx.progress("budget", report.rows, report.rows)
