"""Budget execution on the wire: money as decimal strings in UAH."""

from __future__ import annotations

import msgspec


class LineOut(msgspec.Struct, kw_only=True):
    budget: str
    kind: str
    code: str
    name: str
    fund: str
    year: int
    month: int
    plan_year: str | None  # the year's plan as amended
    plan_to_date: str | None
    fact_to_date: str | None  # executed since January
    fact_month: str | None  # executed in this month (null: last month is missing)
    execution_pct: str | None  # fact_to_date / plan_to_date, one decimal


class CodeOut(msgspec.Struct):
    kind: str
    code: str
    name: str


class GroupOut(msgspec.Struct, kw_only=True):
    """A branch of the classification: every code starting with ``prefix``, summed."""

    prefix: str
    name: str  # the branch's own name when it is a code, else its first code's
    codes: int
    plan_year: str
    plan_to_date: str
    fact_to_date: str
    execution_pct: str | None


class ChangeOut(msgspec.Struct, kw_only=True):
    code: str
    name: str
    fact_to_date: str | None  # this year, to the month asked
    fact_year_before: str | None  # the year before, to the same month
    change: str | None
    change_pct: str | None
