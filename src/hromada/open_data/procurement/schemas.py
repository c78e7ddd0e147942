"""Tenders on the wire: money as decimal strings with its currency, times in UTC."""

from __future__ import annotations

import datetime as dt

import msgspec


class WinnerOut(msgspec.Struct, kw_only=True):
    """An active award. ``edrpou`` and ``name`` are given for a legal entity only; an
    individual entrepreneur (ФОП) or a supplier under another scheme is its kind alone."""

    kind: str  # legal_entity, individual_entrepreneur, other
    edrpou: str | None
    name: str | None
    amount: str
    currency: str
    date: dt.datetime | None


class TenderOut(msgspec.Struct, kw_only=True):
    id: str  # ProZorro's id, 32 hex digits
    tender_id: str  # UA-YYYY-MM-DD-NNNNNN-x
    title: str
    status: str
    entity_edrpou: str  # the procuring entity's EDRPOU code
    entity_name: str
    cpv: str | None  # the first item's ДК 021 (CPV) code
    expected_value: str
    currency: str
    awarded_value: str | None  # signed contracts, else active awards
    awarded_currency: str | None
    savings: str | None  # UAH, by the savings rule; null where it does not apply
    savings_pct: str | None  # savings / expected value, one decimal
    year: int  # of date_created, Kyiv time
    date_created: dt.datetime
    date_modified: dt.datetime
    tender_start: dt.datetime | None
    tender_end: dt.datetime | None
    winners: list[WinnerOut]
    url: str  # this tender in hromada's API
    prozorro_url: str  # the tender on prozorro.gov.ua


class SavingsOut(msgspec.Struct, kw_only=True):
    """Counted tenders of one procuring entity (``key``: its EDRPOU) or year (``key``)."""

    key: str
    entity_name: str | None  # for group=entity
    tenders: int
    expected_value: str
    awarded_value: str
    savings: str
    savings_pct: str | None


class SavingsPage(msgspec.Struct, kw_only=True):
    rule: str
    items: list[SavingsOut]
    next_cursor: str | None
