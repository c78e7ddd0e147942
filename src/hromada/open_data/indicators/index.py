"""The city index: a published method anyone can recompute from the published data.

Each indicator scores its value on its goalposts: ``score = 100 × (value − worst) /
(best − worst)``, held between 0 and 100. The same formula serves both directions (for
"lower is better" the worst goalpost is the larger number). The index of a period (and a
district, or the whole city) is the weighted mean of the scores of the indicators that
have a value for exactly that period and place: ``Σ weight × score / Σ weight``.
Indicators without a value there are left out, and the answer says how many counted.
Exact arithmetic throughout (fractions); the published figure is rounded half-even to
two decimals at the very end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

# The periods of each periodicity, as values and index answers write them.
PERIODS = {
    "year": re.compile(r"(19|20)\d\d"),
    "quarter": re.compile(r"(19|20)\d\d-Q[1-4]"),
    "month": re.compile(r"(19|20)\d\d-(0[1-9]|1[0-2])"),
}


def periodicity_of(period: str) -> str | None:
    return next((name for name, shape in PERIODS.items() if shape.fullmatch(period)), None)


METHOD = {
    "score": "100 * (value - worst) / (best - worst), held between 0 and 100",
    "index": "sum(weight * score) / sum(weight) over the indicators with a value for the "
    "period and place (weight 0: left out)",
    "rounding": "half-even to 2 decimals, once, at the end",
    "periods": "an indicator counts in the periods of its own periodicity only",
}


@dataclass(frozen=True)
class Goalposts:
    worst: Decimal
    best: Decimal
    weight: Decimal


def score(value: Decimal, posts: Goalposts) -> Fraction:
    raw = Fraction(100) * (Fraction(value) - Fraction(posts.worst))
    raw /= Fraction(posts.best) - Fraction(posts.worst)
    return min(Fraction(100), max(Fraction(0), raw))


def composite(values: list[tuple[Decimal, Goalposts]]) -> Fraction | None:
    """The weighted mean score of ``values`` (None when no weight counts)."""
    weights = sum((Fraction(p.weight) for _, p in values), Fraction(0))
    if weights == 0:
        return None
    total = sum((Fraction(p.weight) * score(v, p) for v, p in values), Fraction(0))
    return total / weights


def published(value: Fraction) -> str:
    """``value`` to two decimals, half-even, exactly (``round`` of a Fraction is exact)."""
    return str(Decimal(round(value * 100)).scaleb(-2))
