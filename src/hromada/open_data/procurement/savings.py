"""Savings: the one place of the rule (DESIGN.md "Procurement", the API docs quote it).

A tender's **awarded value** is the sum of its signed contracts (status ``active``, or
``terminated`` once fulfilled), or, while none is signed, of its active awards; it is
known only when they all share one currency.

A tender's **savings** are its expected value less its awarded value, counted only when:

- the tender is ``complete`` (a running tender's price is not final; a cancelled or
  unsuccessful one bought nothing);
- it has at most one lot (the expected value of a tender with lots covers lots that may
  not have been bought: comparing the sums would count them as saved);
- both values are in UAH (no exchange rate is guessed);

and they are never negative: a contract above the expected value saves 0, it does not
cancel out another tender's savings. Amounts are compared as published, whatever their
VAT flag: a supplier that pays no VAT is paid its price, which is what the city spends.
Elsewhere savings are null (not counted), never 0.

Aggregates (per procuring entity, per year of the tender's creation in Kyiv time) sum
the tenders whose savings are counted: their expected and awarded values and savings,
and the share saved is savings over expected value of those same tenders.
"""

from __future__ import annotations

from collections.abc import Sequence

SIGNED = ("active", "terminated")
COUNTED_STATUS = "complete"
COUNTED_CURRENCY = "UAH"

RULE = (
    "savings = expected value − awarded value (signed contracts, else active awards), "
    "for complete tenders with at most one lot, both in UAH; never negative (an overrun "
    "saves 0); otherwise null and not counted. Aggregates sum the counted tenders; "
    "savings_pct = savings / expected value of those tenders."
)


def awarded_value(
    contracts: Sequence[tuple[str, int, str]], awards: Sequence[tuple[str, int, str]]
) -> tuple[int, str] | None:
    """(kopecks, currency) of the signed contracts, else of the active awards; each given as
    (status, kopecks, currency). None when there are none, or their currencies differ."""
    signed = [(amount, currency) for status, amount, currency in contracts if status in SIGNED]
    chosen = signed or [(a, c) for status, a, c in awards if status == "active"]
    currencies = {currency for _, currency in chosen}
    if len(currencies) != 1:
        return None
    return sum(amount for amount, _ in chosen), currencies.pop()


def savings_of(
    *,
    status: str,
    lots: int,
    expected: int,
    currency: str,
    awarded: tuple[int, str] | None,
) -> int | None:
    """The tender's savings in kopecks by the rule above, or None when it does not apply."""
    if status != COUNTED_STATUS or lots > 1 or awarded is None:
        return None
    if currency != COUNTED_CURRENCY or awarded[1] != COUNTED_CURRENCY:
        return None
    return max(expected - awarded[0], 0)
