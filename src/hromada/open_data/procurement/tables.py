"""Tenders as the ProZorro public API publishes them, one row per tender and one per
winning award.

Keyed by ProZorro's own ``id`` (32 hex digits); ``tender_id`` is the public number
(UA-2024-03-14-000123-a) people and the participatory budget's milestones quote.
Amounts are integer kopecks (exact; the API gives them as JSON numbers) with their
currency. ``savings`` is computed by the import from the tender and its contracts
(``savings.savings_of``, the one place of the rule) and stored, so aggregates are a
grouped ``SUM``.
"""

from piccolo.columns import BigInt, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class Tender(Table, tablename="procurement_tender"):
    id = Varchar(length=32, primary_key=True)  # ProZorro's id, 32 lowercase hex digits
    tender_id = Varchar(length=32)  # UA-YYYY-MM-DD-NNNNNN-x (unique index, migration)
    title = Text()
    status = Varchar(length=48)
    entity_edrpou = Varchar(length=8, index=True)  # the procuring entity, a legal entity
    entity_name = Text()
    cpv = Varchar(length=10, null=True, default=None)  # the first item's ДК 021 (CPV) code
    expected_amount = BigInt()  # kopecks
    currency = Varchar(length=3)
    awarded_amount = BigInt(null=True, default=None)  # kopecks: contracts signed, else awards
    awarded_currency = Varchar(length=3, null=True, default=None)
    savings = BigInt(null=True, default=None)  # kopecks, null where the rule does not apply
    year = Integer()  # of date_created, in Kyiv time
    date_created = Timestamptz()
    date_modified = Timestamptz()
    tender_start = Timestamptz(null=True, default=None)
    tender_end = Timestamptz(null=True, default=None)


class TenderWinner(Table, tablename="procurement_winner"):
    """An active award of a tender. An individual entrepreneur is kept as that kind only:
    no name and no code, here or anywhere (nothing personal leaves, nor is stored)."""

    id = Serial(primary_key=True)
    tender = Varchar(length=32, index=True)
    award_id = Varchar(length=64)
    kind = Varchar(length=24)  # legal_entity, individual_entrepreneur, other
    edrpou = Varchar(length=8, null=True, default=None)  # legal entities only
    name = Text(null=True, default=None)  # legal entities only
    amount = BigInt()  # kopecks
    currency = Varchar(length=3)
    date = Timestamptz(null=True, default=None)
