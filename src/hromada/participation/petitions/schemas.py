"""What petitions look like on the wire (REST and GraphQL read these)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec


class NewPetition(msgspec.Struct, forbid_unknown_fields=True):
    title: str
    text: str
    addressee: str = "Міська рада"
    district: str | None = None
    kind: str | None = None  # a petition type (GET /api/v1/petitions/types); the first if none


class Moderation(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["publish", "reject"]
    code: str | None = None
    note: str | None = None


class Answer(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["supported", "partly", "not_supported"]
    text: str


class AnswerOut(msgspec.Struct):
    kind: str
    text: str
    answered_at: dt.datetime


class RejectionOut(msgspec.Struct):
    code: str
    reason: str
    note: str | None


class DistrictCount(msgspec.Struct):
    district: str | None  # the signer's district, None when unknown or outside the city
    signatures: int


class PetitionOut(msgspec.Struct):
    id: int
    title: str
    text: str
    addressee: str
    district: str | None
    state: str
    signatures: int
    threshold: int
    created_at: dt.datetime
    kind: str  # its type (HROMADA_PETITION_TYPES)
    cosponsors_needed: int  # residents who back it before moderation (signatures meanwhile)
    submitted_at: dt.datetime | None
    moderation_due: dt.datetime | None
    moderation_overdue: bool
    opened_at: dt.datetime | None
    closes_at: dt.datetime | None
    threshold_reached_at: dt.datetime | None
    answer_due: dt.datetime | None
    answer_overdue: bool
    answer: AnswerOut | None
    rejection: RejectionOut | None
    by_district: list[DistrictCount] | None = None  # in the detail only


class SignatureOut(msgspec.Struct):
    petition: int
    signed: bool  # False when this resident had signed before (nothing changed)
    signed_at: dt.datetime


class SignerOut(msgspec.Struct):
    name: str
    district: str | None
    signed_at: dt.datetime
