from __future__ import annotations

import datetime as dt

import msgspec


class ProjectOut(msgspec.Struct, kw_only=True):
    code: str
    title: str
    description: str
    category: str
    cost: int  # UAH
    # Hidden (null) while voting is open: only the turnout is shown then. Ballots naming
    # it (on a cumulative ballot: giving it points).
    votes: int | None = None
    points: int | None = None  # a cumulative pool's points given to it, once closed
    # Where it would be built (WGS 84), when known.
    lat: float | None = None
    lon: float | None = None


class PoolOut(msgspec.Struct, kw_only=True):
    id: int
    cycle: str
    slug: str
    title: str
    budget: int
    district: str | None  # None: the whole community votes
    min_picks: int
    max_picks: int
    cost_cap: bool
    one_per_category: bool  # at most one picked project per category
    # approval: pick projects; cumulative: give each picked project points, up to
    # max_sum_points in all and max_points on one (null: no cap but the sum).
    vote_type: str
    max_sum_points: int | None
    max_points: int | None
    phase: str  # upcoming, voting, closed
    voting_opens_at: dt.datetime
    voting_closes_at: dt.datetime
    turnout: int  # ballots cast (active ones)
    projects: list[ProjectOut]
    # When residents may submit projects to its cycle (null: staff enter them).
    submission_opens_at: dt.datetime | None = None
    submission_closes_at: dt.datetime | None = None
    taking_projects: bool = False  # the window is open now


class CycleOut(msgspec.Struct, kw_only=True):
    slug: str
    title: str
    rule: str
    phase: str
    voting_opens_at: dt.datetime
    voting_closes_at: dt.datetime
    pools: list[int]


class BallotIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    projects: list[str]
    # A cumulative pool's points for each project, in the order of ``projects``; none for
    # an approval pool.
    points: list[int] | None = None


class BallotOut(msgspec.Struct, kw_only=True):
    pool: int
    projects: list[str]
    points: list[int] | None  # a cumulative ballot's, aligned with ``projects``
    cast_at: dt.datetime
    # Keep it: after the vote closes, the published ballots carry ``voter`` (derived from
    # the receipt) and anyone holding the receipt can find their ballot there unchanged.
    receipt: str
    voter: str


class ProjectResult(msgspec.Struct, kw_only=True):
    code: str
    votes: int  # ballots naming it
    points: int | None = None  # a cumulative pool's points given to it: what the rules rank
    cost: int
    selected: bool
    explanation: str


class RuleResult(msgspec.Struct, kw_only=True):
    rule: str
    official: bool
    selected: list[str]
    spent: int


class ResultsOut(msgspec.Struct, kw_only=True):
    pool: int
    rule: str  # the official one
    ballots: int
    projects: list[ProjectResult]  # by the official rule
    rules: list[RuleResult]  # every rule's outcome, for comparison


class CostItem(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    item: str
    cost: int  # UAH


class NewProject(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    title: str
    description: str
    category: str
    costs: list[CostItem]  # the breakdown; the project's cost is their sum
    address: str | None = None  # where it would be built, if anywhere
    # Its point (WGS 84 degrees), both or neither.
    lat: float | None = None
    lon: float | None = None


class ReviewIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    feasible: bool
    code: str | None = None  # the ground of a rejection (GET /api/v1/pb/review-codes)
    cost: int | None = None  # a revised cost, when feasible at another price
    note: str | None = None


class AppealIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: str


class HideIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    code: str


class SubmittedProjectOut(msgspec.Struct, kw_only=True):
    code: str
    pool: int
    status: str  # submitted, approved, rejected, appealed (hidden: staff and author only)
    title: str
    description: str
    category: str
    address: str | None
    lat: float | None  # its point (WGS 84), when the proposer gave one
    lon: float | None
    cost: int  # UAH: the breakdown's sum, or the reviewed cost
    costs: list[CostItem]
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    review_code: str | None
    review_reason: str | None
    review_note: str | None
    appeal_text: str | None
    appealed_at: dt.datetime | None


class MilestoneIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    stage: str  # planned, tender, contracted, in_progress, done, failed
    percent: int  # 0..100, never less than the step before
    spent: int  # UAH so far, never less than the step before
    prozorro_id: str | None = None  # UA-2026-03-14-000123-a, once tendered
    note: str | None = None


class MilestoneOut(msgspec.Struct, kw_only=True):
    stage: str
    percent: int
    spent: int
    # The tender's tenderID. Its tender, once imported, is /api/v1/procurement/tenders/{id}:
    # the link is kept on the procurement side, which participation may not import.
    prozorro_id: str | None
    note: str | None
    recorded_at: dt.datetime


class PaperBallotIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    tax_id: str  # the voter's RNOKPP, from their passport; never stored
    projects: list[str]
    points: list[int] | None = None  # a cumulative pool's, as on an online ballot
    district: str | None = None  # the district of their registration (district pools)


class CycleProjectIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    code: str
    title: str
    cost: int  # UAH
    category: str = ""
    description: str = ""
    # Where it would be built (WGS 84 degrees), both or neither.
    lat: float | None = None
    lon: float | None = None


class CyclePoolIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    slug: str
    title: str
    budget: int  # UAH
    district: str | None = None  # a district code: only its residents vote; None: everyone
    min_picks: int = 1
    max_picks: int = 5
    cost_cap: bool = False
    one_per_category: bool = False
    vote_type: str = "approval"  # or cumulative: points instead of ticks
    max_sum_points: int | None = None  # cumulative: each voter's points
    max_points: int | None = None  # cumulative: at most on one project (null: the sum)
    min_cost: int | None = None  # what a submitted project may cost
    max_cost: int | None = None
    projects: list[CycleProjectIn] = msgspec.field(default_factory=list)


class CycleIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    slug: str
    title: str
    rule: str  # greedy, greedy-no-skip, greedy-threshold, mes: the official one
    voting_opens_at: dt.datetime
    voting_closes_at: dt.datetime
    submission_opens_at: dt.datetime | None = None
    submission_closes_at: dt.datetime | None = None
    pools: list[CyclePoolIn]
