"""GraphQL for e-petitions: the same service as REST, read-only here (signing and staff
actions are REST, where CSRF and the write rate limit apply)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.types import Info

from hromada.auth.guard import principal_of
from hromada.paging import DEFAULT_LIMIT
from hromada.participation.petitions import service
from hromada.participation.petitions.schemas import PetitionOut
from hromada.search.runtime import backend_of


@strawberry.type(description="The council's answer to a petition")
class PetitionAnswer:
    kind: str = strawberry.field(description="supported, partly or not_supported")
    text: str
    answered_at: dt.datetime


@strawberry.type(description="Signatures from one district")
class PetitionDistrictCount:
    district: str | None
    signatures: int


@strawberry.type(description="An e-petition to the council")
class Petition:
    id: int
    title: str
    text: str
    addressee: str
    district: str | None
    state: str = strawberry.field(
        description="open, under_consideration, closed, answered or rejected"
    )
    signatures: int
    threshold: int
    opened_at: dt.datetime | None
    closes_at: dt.datetime | None
    threshold_reached_at: dt.datetime | None
    answer_due: dt.datetime | None
    answer_overdue: bool
    answer: PetitionAnswer | None
    rejection_code: str | None
    by_district: list[PetitionDistrictCount] | None = strawberry.field(
        description="Signatures by the signers' districts (on `petition` only)"
    )

    @classmethod
    def of(cls, out: PetitionOut) -> Petition:
        return cls(
            id=out.id,
            title=out.title,
            text=out.text,
            addressee=out.addressee,
            district=out.district,
            state=out.state,
            signatures=out.signatures,
            threshold=out.threshold,
            opened_at=out.opened_at,
            closes_at=out.closes_at,
            threshold_reached_at=out.threshold_reached_at,
            answer_due=out.answer_due,
            answer_overdue=out.answer_overdue,
            answer=PetitionAnswer(
                kind=out.answer.kind, text=out.answer.text, answered_at=out.answer.answered_at
            )
            if out.answer
            else None,
            rejection_code=out.rejection.code if out.rejection else None,
            by_district=[
                PetitionDistrictCount(district=c.district, signatures=c.signatures)
                for c in out.by_district
            ]
            if out.by_district is not None
            else None,
        )


@strawberry.type(description="A page of petitions; pass nextCursor as `after` for the next")
class PetitionPage:
    items: list[Petition]
    next_cursor: str | None


@strawberry.type
class PetitionsQuery:
    @strawberry.field(
        description="Published petitions, newest first (with q: most relevant first); "
        "reached: reached the threshold; overdue: an answer past its deadline"
    )
    async def petitions(
        self,
        info: Info[Any, Any],
        status: str | None = None,
        district: str | None = None,
        addressee: str | None = None,
        reached: bool | None = None,
        overdue: bool | None = None,
        q: str | None = None,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
    ) -> PetitionPage:
        page = await service.list_petitions(
            info.context.settings,
            service.PetitionFilters(
                status=status,
                district=district,
                addressee=addressee,
                reached=reached,
                overdue=overdue,
                q=q,
            ),
            limit=first,
            cursor=after,
            search=backend_of(info.context.request.app.state),
        )
        return PetitionPage(
            items=[Petition.of(p) for p in page.items], next_cursor=page.next_cursor
        )

    @strawberry.field(description="One petition by its number")
    async def petition(self, info: Info[Any, Any], id: int) -> Petition | None:
        from hromada.bounds import MAX_KEY_INT
        from hromada.errors import NotFound

        if not 1 <= id <= MAX_KEY_INT:
            return None
        try:
            out = await service.get(
                info.context.settings,
                id,
                viewer=principal_of(info.context.request).resident_id,
            )
        except NotFound:
            return None
        return Petition.of(out)


Query = PetitionsQuery
