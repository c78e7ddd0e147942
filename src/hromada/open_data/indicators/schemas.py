"""Indicators on the wire: numbers as decimal strings, exactly as imported."""

from __future__ import annotations

from typing import Any

import msgspec


class IndicatorOut(msgspec.Struct, kw_only=True):
    code: str
    title_uk: str
    title_en: str
    unit: str
    direction: str  # higher or lower (is better)
    periodicity: str  # year, quarter or month
    source: str
    worst: str  # the value that scores 0 in the index
    best: str  # the value that scores 100
    weight: str  # its weight in the index (0: left out)


class ValueOut(msgspec.Struct, kw_only=True):
    indicator: str
    period: str
    district: str  # a district's code; empty: the whole city
    value: str


class IndexOut(msgspec.Struct, kw_only=True):
    period: str
    district: str  # empty: the whole city
    index: str | None  # 0-100, two decimals; null when no weighted indicator has a value
    indicators_counted: int
    indicators_total: int  # indicators of this periodicity with a weight
    indicators: list[str]  # the codes that counted


class MethodOut(msgspec.Struct, kw_only=True):
    """How the index is computed, and every indicator's goalposts and weight."""

    score: str
    index: str
    rounding: str
    periods: str
    indicators: list[dict[str, Any]]
