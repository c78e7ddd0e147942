"""GraphQL for e-petitions: the same service as REST. Mutations sign, moderate and answer
under the same permissions; the access layer applies CSRF (a session's POST carries
``X-CSRF-Token``) and counts a mutation against the write rate limit, as for REST."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.types import Info

from hromada.auth.guard import principal_of
from hromada.auth.permissions import Permission
from hromada.errors import InvalidInput
from hromada.graphql.auth import acting_resident, requires
from hromada.paging import DEFAULT_LIMIT
from hromada.participation.petitions import rules, service
from hromada.participation.petitions.schemas import Answer, Moderation, PetitionOut
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
        description="cosponsoring, open, under_consideration, closed, answered or rejected"
    )
    signatures: int
    threshold: int
    kind: str = strawberry.field(description="Its type (petitionTypes in REST: /types)")
    cosponsors_needed: int = strawberry.field(
        description="Residents who back it before moderation (their backing is a signature)"
    )
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
            kind=out.kind,
            cosponsors_needed=out.cosponsors_needed,
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


@strawberry.type(description="A signature: signed is false when the resident had signed before")
class Signature:
    petition: int
    signed: bool
    signed_at: dt.datetime


@strawberry.type
class PetitionsMutation:
    @strawberry.mutation(
        description="Sign a petition (once; a repeat changes nothing)",
        extensions=requires(Permission.SIGN_PETITION),
    )
    async def sign_petition(self, info: Info[Any, Any], id: int) -> Signature:
        done = await service.sign(info.context.settings, acting_resident(info), id)
        return Signature(petition=done.petition, signed=done.signed, signed_at=done.signed_at)

    @strawberry.mutation(
        description="Withdraw your signature or co-sponsorship where the petition's type "
        "allows it, while it is short of its threshold; true when one was removed",
        extensions=requires(Permission.SIGN_PETITION),
    )
    async def withdraw_signature(self, info: Info[Any, Any], id: int) -> bool:
        return await service.withdraw(info.context.settings, acting_resident(info), id)

    @strawberry.mutation(
        description="Publish a petition in moderation, or refuse it on a coded ground "
        "(petitionRejectionCodes in REST: /api/v1/petitions/rejection-codes); moderators",
        extensions=requires(Permission.MODERATE),
    )
    async def moderate_petition(
        self,
        info: Info[Any, Any],
        id: int,
        publish: bool,
        code: str | None = None,
        note: str | None = None,
    ) -> Petition:
        decision = Moderation(decision="publish" if publish else "reject", code=code, note=note)
        out = await service.moderate(
            info.context.settings,
            id,
            decision,
            staff_id=principal_of(info.context.request).resident_id,
        )
        return Petition.of(out)

    @strawberry.mutation(
        description="The council's answer (kind: supported, partly or not_supported); officials",
        extensions=requires(Permission.RESPOND_OFFICIALLY),
    )
    async def answer_petition(
        self, info: Info[Any, Any], id: int, kind: str, text: str
    ) -> Petition:
        if kind not in rules.ANSWER_KINDS:
            raise InvalidInput("kind must be one of " + ", ".join(rules.ANSWER_KINDS))
        out = await service.answer(
            info.context.settings,
            id,
            Answer(kind=kind, text=text),  # type: ignore[arg-type]  # checked just above
            staff_id=principal_of(info.context.request).resident_id,
        )
        return Petition.of(out)


Query = PetitionsQuery
Mutation = PetitionsMutation
