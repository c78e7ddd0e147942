"""GraphQL for procurement: the same service and shapes as REST."""

from __future__ import annotations

import datetime as dt

import strawberry

from hromada.errors import NotFound
from hromada.open_data.procurement import service
from hromada.open_data.procurement.savings import RULE
from hromada.open_data.procurement.schemas import SavingsOut, TenderOut, WinnerOut
from hromada.paging import DEFAULT_LIMIT


@strawberry.type(
    description="An active award: edrpou and name for a legal entity only; an individual "
    "entrepreneur (ФОП) or a supplier under another scheme is its kind alone"
)
class TenderWinner:
    kind: str = strawberry.field(description="legal_entity, individual_entrepreneur or other")
    edrpou: str | None
    name: str | None
    amount: str
    currency: str
    date: dt.datetime | None

    @classmethod
    def of(cls, out: WinnerOut) -> TenderWinner:
        return cls(**{name: getattr(out, name) for name in WinnerOut.__struct_fields__})


@strawberry.type(description="A ProZorro tender (money: decimal strings with their currency)")
class Tender:
    id: str = strawberry.field(description="ProZorro's id, 32 hex digits")
    tender_id: str = strawberry.field(description="UA-YYYY-MM-DD-NNNNNN-x")
    title: str
    status: str
    entity_edrpou: str = strawberry.field(description="The procuring entity's EDRPOU code")
    entity_name: str
    cpv: str | None
    expected_value: str
    currency: str
    awarded_value: str | None = strawberry.field(description="Signed contracts, else active awards")
    awarded_currency: str | None
    savings: str | None = strawberry.field(description="UAH; null where the rule does not apply")
    savings_pct: str | None
    year: int
    date_created: dt.datetime
    date_modified: dt.datetime
    tender_start: dt.datetime | None
    tender_end: dt.datetime | None
    winners: list[TenderWinner]
    url: str
    prozorro_url: str

    @classmethod
    def of(cls, out: TenderOut) -> Tender:
        fields = {name: getattr(out, name) for name in TenderOut.__struct_fields__}
        fields["winners"] = [TenderWinner.of(w) for w in out.winners]
        return cls(**fields)


@strawberry.type(description="A page of tenders; pass nextCursor as `after` for the next")
class TenderPage:
    items: list[Tender]
    next_cursor: str | None


@strawberry.type(description="Savings of the counted tenders of one entity or year")
class TenderSavings:
    key: str = strawberry.field(description="The EDRPOU code or the year")
    entity_name: str | None
    tenders: int
    expected_value: str
    awarded_value: str
    savings: str
    savings_pct: str | None

    @classmethod
    def of(cls, out: SavingsOut) -> TenderSavings:
        return cls(**{name: getattr(out, name) for name in SavingsOut.__struct_fields__})


@strawberry.type(description=RULE)
class TenderSavingsPage:
    rule: str
    items: list[TenderSavings]
    next_cursor: str | None


@strawberry.type
class ProcurementQuery:
    @strawberry.field(description="Tenders by procuring entity, year, status and CPV prefix")
    async def procurement_tenders(
        self,
        entity: str | None = None,
        year: int | None = None,
        status: str | None = None,
        cpv: str | None = None,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
    ) -> TenderPage:
        page = await service.tenders(
            entity=entity, year=year, status=status, cpv=cpv, limit=first, cursor=after
        )
        return TenderPage(items=[Tender.of(t) for t in page.items], next_cursor=page.next_cursor)

    @strawberry.field(description="One tender by its ProZorro id or tenderID; null if unknown")
    async def procurement_tender(self, id: str) -> Tender | None:
        try:
            return Tender.of(await service.tender(id))
        except NotFound:
            return None

    @strawberry.field(description="Savings per procuring entity or per year. " + RULE)
    async def procurement_savings(
        self,
        group: str = "entity",
        entity: str | None = None,
        year: int | None = None,
        first: int = service.MAX_PAGE,
        after: str | None = None,
    ) -> TenderSavingsPage:
        page = await service.savings(
            group=group, entity=entity, year=year, limit=first, cursor=after
        )
        return TenderSavingsPage(
            rule=page.rule,
            items=[TenderSavings.of(s) for s in page.items],
            next_cursor=page.next_cursor,
        )


Query = ProcurementQuery
