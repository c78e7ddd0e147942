"""Budget execution as openbudget.gov.ua publishes it, one row per month and line.

Amounts are integer kopecks (exact; the API gives them as decimal strings in UAH).
``fact_to_date`` is the export's cumulative year-to-date figure as it came;
``fact_month`` is derived from it (this month's less last month's, in the same year).
"""

from piccolo.columns import BigInt, Date, Integer, Serial, Text, Varchar
from piccolo.table import Table


class BudgetLine(Table, tablename="budget_line"):
    id = Serial(primary_key=True)
    kind = Varchar(length=8)  # expense (by economic code, КЕКВ) or income (by income code)
    budget = Varchar(length=10, index=True)  # the budget's code, 10 digits (see importing)
    code = Varchar(length=8)
    fund = Varchar(length=1)  # C general, S special, T total
    period = Date()  # the last day of the month the figures run to
    year = Integer()
    month = Integer()
    plan_year = BigInt(null=True, default=None)  # the year's plan as amended (ZAT_AMT)
    plan_to_date = BigInt(null=True, default=None)  # the plan to this month (PLANS_AMT)
    fact_to_date = BigInt(null=True, default=None)  # executed, year to date (FAKT_AMT)
    fact_month = BigInt(null=True, default=None)  # executed in this month (derived)


class BudgetCode(Table, tablename="budget_code"):
    """A classification code with its Ukrainian name, as the exports carry it."""

    id = Serial(primary_key=True)
    kind = Varchar(length=8)
    code = Varchar(length=8)
    name = Text()
