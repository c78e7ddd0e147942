"""REST for e-petitions: lists, one petition, signers, signing, and the staff's moderation
and answers. Rules live in ``participation.petitions.service``; this file translates."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.params import JSONBody, QueryParameter

from hromada.api.guards import require
from hromada.api.params import RowId
from hromada.auth.guard import principal_of
from hromada.auth.permissions import Permission, allows
from hromada.config import Settings
from hromada.errors import Forbidden
from hromada.paging import DEFAULT_LIMIT, Page
from hromada.participation.petitions import rules, service
from hromada.participation.petitions.schemas import (
    Answer,
    Moderation,
    NewPetition,
    PetitionOut,
    SignatureOut,
    SignerOut,
)
from hromada.petition_types import PetitionType
from hromada.search.runtime import backend_of


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state["settings"]
    return settings


def _resident(request: Request[Any, Any, Any]) -> int:
    resident = principal_of(request).resident_id
    if resident is None:
        raise Forbidden("only a resident may do this")
    return resident


def _is_staff(request: Request[Any, Any, Any]) -> bool:
    principal = principal_of(request)
    return principal.authenticated and allows(principal.role, Permission.MODERATE)


class PetitionController(Controller):
    path = "/api/v1/petitions"
    tags = ["petitions"]  # noqa: RUF012

    @get("/", summary="Published petitions, newest first")
    async def list_petitions(
        self,
        request: Request[Any, Any, Any],
        status: Annotated[
            str | None, QueryParameter(description="Stored status: open, answered or rejected")
        ] = None,
        district: Annotated[str | None, QueryParameter(description="District code")] = None,
        addressee: Annotated[
            str | None,
            QueryParameter(description="To whom (case-insensitive, exact)", max_length=200),
        ] = None,
        reached: Annotated[
            bool | None, QueryParameter(description="Reached its threshold (true) or not")
        ] = None,
        overdue: Annotated[
            bool | None,
            QueryParameter(description="Under consideration past its answer deadline"),
        ] = None,
        q: Annotated[
            str | None,
            QueryParameter(
                description="Words, through search (most relevant first; with status and "
                "district only)",
                max_length=200,
            ),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE)] = DEFAULT_LIMIT,
        cursor: Annotated[
            str | None, QueryParameter(description="next_cursor of the previous page")
        ] = None,
    ) -> Page[PetitionOut]:
        return await service.list_petitions(
            _settings(request),
            service.PetitionFilters(
                status=status,
                district=district,
                addressee=addressee,
                reached=reached,
                overdue=overdue,
                q=q,
            ),
            limit=limit,
            cursor=cursor,
            search=backend_of(request.app.state),
        )

    @get(
        "/similar",
        summary="Open petitions like this title: to sign one instead of starting a duplicate",
    )
    async def similar(
        self,
        request: Request[Any, Any, Any],
        title: Annotated[
            str, QueryParameter(description="The new petition's title", max_length=200)
        ],
    ) -> dict[str, list[PetitionOut]]:
        return {
            "items": await service.similar(
                _settings(request), backend_of(request.app.state), title=title
            )
        }

    @get(
        "/moderation",
        summary="Petitions waiting for moderation, with their deadlines (staff)",
        guards=[require(Permission.MODERATE)],
    )
    async def moderation_queue(
        self,
        request: Request[Any, Any, Any],
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE)] = DEFAULT_LIMIT,
        cursor: Annotated[
            str | None, QueryParameter(description="next_cursor of the previous page")
        ] = None,
    ) -> Page[PetitionOut]:
        return await service.list_petitions(
            _settings(request), queue=True, limit=limit, cursor=cursor
        )

    @get(
        "/mine",
        summary="My petitions in every state, drafts and those in moderation too, newest first",
        guards=[require(Permission.READ_OWN_PROFILE)],
    )
    async def mine(
        self,
        request: Request[Any, Any, Any],
        limit: Annotated[int, QueryParameter(ge=1, le=service.MAX_PAGE)] = DEFAULT_LIMIT,
        cursor: Annotated[
            str | None, QueryParameter(description="next_cursor of the previous page")
        ] = None,
    ) -> Page[PetitionOut]:
        return await service.of_author(
            _settings(request), _resident(request), limit=limit, cursor=cursor
        )

    @get("/rejection-codes", summary="The grounds on which a petition may be refused")
    async def rejection_codes(self) -> dict[str, str]:
        return rules.REJECTION_CODES

    @get("/types", summary="The petition types: threshold, days, co-sponsors, withdrawal, who")
    async def types(self, request: Request[Any, Any, Any]) -> list[PetitionType]:
        return service.petition_types(_settings(request))

    @get("/{petition_id:int}", summary="One petition, with its signatures by district")
    async def get_petition(
        self, request: Request[Any, Any, Any], petition_id: RowId
    ) -> PetitionOut:
        return await service.get(
            _settings(request),
            petition_id,
            viewer=principal_of(request).resident_id,
            staff=_is_staff(request),
        )

    @get(
        "/{petition_id:int}/uk.json",
        summary="The petition as the UK Parliament petitions site shapes one",
    )
    async def uk_view(self, request: Request[Any, Any, Any], petition_id: RowId) -> dict[str, Any]:
        found = await service.get(_settings(request), petition_id)
        state = {"under_consideration": "open", "answered": "closed"}.get(found.state, found.state)
        return {
            "data": {
                "type": "petition",
                "id": found.id,
                "attributes": {
                    "action": found.title,
                    "background": found.text,
                    "state": state,
                    "signature_count": found.signatures,
                    "created_at": found.created_at,
                    "opened_at": found.opened_at,
                    "closed_at": found.closes_at if found.state == "closed" else None,
                    "response_threshold_reached_at": found.threshold_reached_at,
                    "government_response": None
                    if found.answer is None
                    else {
                        "summary": found.answer.kind,
                        "details": found.answer.text,
                        "responded_on": found.answer.answered_at.date(),
                    },
                    "signatures_by_constituency": [
                        {"name": c.district, "signature_count": c.signatures}
                        for c in found.by_district or []
                    ],
                },
            }
        }

    @get("/{petition_id:int}/signatures", summary="Who signed (names shortened), oldest first")
    async def signatures(
        self,
        request: Request[Any, Any, Any],
        petition_id: RowId,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        cursor: Annotated[
            str | None, QueryParameter(description="next_cursor of the previous page")
        ] = None,
    ) -> Page[SignerOut]:
        return await service.signers(_settings(request), petition_id, limit=limit, cursor=cursor)

    @post(
        "/",
        summary="Write a petition (a draft until submitted)",
        guards=[require(Permission.SIGN_PETITION)],
        status_code=201,
    )
    async def create(
        self, request: Request[Any, Any, Any], data: JSONBody[NewPetition]
    ) -> PetitionOut:
        return await service.create(_settings(request), _resident(request), data)

    @post(
        "/{petition_id:int}/submit",
        summary="Send a draft to moderation",
        guards=[require(Permission.SIGN_PETITION)],
        status_code=200,
    )
    async def submit(self, request: Request[Any, Any, Any], petition_id: RowId) -> PetitionOut:
        return await service.submit(_settings(request), _resident(request), petition_id)

    @post(
        "/{petition_id:int}/signatures",
        summary="Sign a petition (once; a repeat changes nothing)",
        guards=[require(Permission.SIGN_PETITION)],
        status_code=200,
    )
    async def sign(self, request: Request[Any, Any, Any], petition_id: RowId) -> SignatureOut:
        return await service.sign(_settings(request), _resident(request), petition_id)

    @delete(
        "/{petition_id:int}/signatures",
        summary="Withdraw your signature or co-sponsorship (where the petition's type allows)",
        description="While the petition is open and short of its threshold (or still "
        "gathering co-sponsors). 204 whether or not there was one to remove; 409 where the "
        "type's rules make signatures final.",
        guards=[require(Permission.SIGN_PETITION)],
        status_code=204,
    )
    async def withdraw(self, request: Request[Any, Any, Any], petition_id: RowId) -> None:
        await service.withdraw(_settings(request), _resident(request), petition_id)

    @post(
        "/{petition_id:int}/moderation",
        summary="Publish a petition or refuse it on a stated ground (staff)",
        guards=[require(Permission.MODERATE)],
        status_code=200,
    )
    async def moderate(
        self, request: Request[Any, Any, Any], petition_id: RowId, data: JSONBody[Moderation]
    ) -> PetitionOut:
        return await service.moderate(
            _settings(request), petition_id, data, staff_id=principal_of(request).resident_id
        )

    @post(
        "/{petition_id:int}/answer",
        summary="The council's answer to a petition that reached its threshold (officials)",
        guards=[require(Permission.RESPOND_OFFICIALLY)],
        status_code=200,
    )
    async def answer(
        self, request: Request[Any, Any, Any], petition_id: RowId, data: JSONBody[Answer]
    ) -> PetitionOut:
        return await service.answer(
            _settings(request), petition_id, data, staff_id=principal_of(request).resident_id
        )


ROUTES = [PetitionController]
