from piccolo.columns import (
    BigInt,
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class BudgetCycle(Table, tablename="budget_cycle"):
    """One participatory-budget cycle. Its phase comes from the clock (Europe/Kyiv dates
    stored as instants): before ``voting_opens_at`` it is not yet voting, from then until
    ``voting_closes_at`` voting, after it closed (results)."""

    id = Serial(primary_key=True)

    slug = Varchar(length=64, unique=True)
    title = Varchar(length=300)
    rule = Varchar(length=32)  # the official rule: greedy, greedy-no-skip, greedy-threshold, mes
    voting_opens_at = Timestamptz()
    voting_closes_at = Timestamptz()
    # Residents submit projects from the first to the second; officials review them until
    # voting opens. Null: a cycle whose projects were entered by staff (or imported).
    submission_opens_at = Timestamptz(null=True, default=None)
    submission_closes_at = Timestamptz(null=True, default=None)


class BudgetPool(Table, tablename="budget_pool"):
    """A pool of a cycle: its budget and the ballot rule, frozen once voting opens."""

    id = Serial(primary_key=True)

    cycle = ForeignKey(references=BudgetCycle, index=True)
    slug = Varchar(length=64)
    title = Varchar(length=300)
    budget = Integer()  # UAH
    district_code = Varchar(length=64, null=True, default=None)  # None: the whole community
    min_picks = Integer(default=1)
    max_picks = Integer(default=5)
    # The picked projects' total cost may not exceed the pool's budget (a knapsack ballot).
    cost_cap = Boolean(default=False)
    # At most one picked project per category (Kyiv's rule: one vote per category).
    one_per_category = Boolean(default=False)
    # Pabulib's vote types: ``approval`` (a set of projects) or ``cumulative`` (the voter
    # spreads up to ``max_sum_points`` over the projects, at most ``max_points`` on one;
    # null: up to all of them). The picks rules above hold for the projects given points.
    vote_type = Varchar(length=16, default="approval")
    max_sum_points = Integer(null=True, default=None)  # cumulative only
    max_points = Integer(null=True, default=None)  # cumulative only
    # What a submitted project may cost in this pool (small and big projects); null: any
    # cost up to the budget.
    min_cost = Integer(null=True, default=None)
    max_cost = Integer(null=True, default=None)


PROJECT_CODE_LENGTH = 32


class BudgetProject(Table, tablename="budget_project"):
    id = Serial(primary_key=True)
    pool = ForeignKey(references=BudgetPool, index=True)
    code = Varchar(length=PROJECT_CODE_LENGTH, unique=True)
    title = Varchar(length=300)
    description = Text(default="")
    category = Varchar(length=100, default="")
    cost = Integer()  # UAH
    # submitted → approved (on the ballot) | rejected → appealed → approved | rejected;
    # hidden (abuse, by a moderator). Projects entered by staff start approved.
    status = Varchar(length=16, default="approved")
    author = Integer(null=True, default=None)  # the resident who submitted it
    address = Varchar(length=300, null=True, default=None)
    # Where it would be built (WGS 84), given by the proposer; both or neither.
    lat = DoublePrecision(null=True, default=None)
    lon = DoublePrecision(null=True, default=None)
    cost_items = Text(null=True, default=None)  # JSON [{"item": ..., "cost": UAH}]
    submitted_at = Timestamptz(null=True, default=None)
    review_code = Varchar(length=32, null=True, default=None)
    review_note = Text(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    appeal_text = Text(null=True, default=None)
    appealed_at = Timestamptz(null=True, default=None)


class BudgetBallot(Table, tablename="budget_ballot"):
    """A resident's active ballot in a pool: one per (pool, resident), by a unique index.
    Changing it rewrites this row; every cast is also kept in ``budget_ballot_event``."""

    id = Serial(primary_key=True)

    pool = ForeignKey(references=BudgetPool, index=True)
    resident = Integer()
    picks = Text()  # JSON list of project codes, sorted
    # A cumulative pool's ballot: JSON list of each pick's points, aligned with ``picks``;
    # null for an approval ballot.
    points = Text(null=True, default=None)
    cast_at = Timestamptz()
    # Entered by an official from a paper ballot: final (an online cast cannot replace it).
    paper = Boolean(default=False)


class BudgetBallotEvent(Table, tablename="budget_ballot_event"):
    """Every ballot cast, by anonymous voter id (never the resident): the history."""

    id = Serial(primary_key=True)

    pool = ForeignKey(references=BudgetPool, index=True)
    voter = Varchar(length=32)
    picks = Text()
    points = Text(null=True, default=None)  # as in ``budget_ballot``
    cast_at = Timestamptz()


class BudgetResult(Table, tablename="budget_result"):
    """A closed pool's results, computed once from its ballots (which no longer change)
    by a job, and served from here: a request never runs the Method of Equal Shares."""

    id = Serial(primary_key=True)
    pool = ForeignKey(references=BudgetPool, unique=True, index=True)
    computed_at = Timestamptz()
    body = Text()  # ResultsOut as JSON


class BudgetMilestone(Table, tablename="budget_milestone"):
    """One step of a funded project's implementation, as an official recorded it: the
    stage, how far along (percent) and what was spent so far (UAH), with the ProZorro
    tender id once there is one. Append-only: the latest row is the project's state."""

    id = Serial(primary_key=True)
    project = ForeignKey(references=BudgetProject, index=True)
    stage = Varchar(length=16)  # planned, tender, contracted, in_progress, done, failed
    percent = Integer()
    spent = BigInt()
    prozorro_id = Varchar(length=32, null=True, default=None)
    note = Text(null=True, default=None)
    recorded_at = Timestamptz()
