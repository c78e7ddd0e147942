"""Participatory budget: pools, one ballot per resident, receipts, results and the
published ballots. Every rule of the vote lives here; the transports translate.

A pool's phase comes from the clock (its cycle's opening and closing instants), never
from a job. A resident has one active ballot per pool (a unique index; a change rewrites
it, every cast is kept in the history by anonymous voter id). The receipt is an HMAC of
the pool and the resident under the server's identity secret: the server can show it
again, and the published ballots carry ``voter = sha256(receipt)[:16]``, which the voter
can recompute and nobody without the receipt can link to them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
from collections.abc import AsyncIterator, Callable, Sequence
from fractions import Fraction
from typing import Any

import msgspec

from hromada import db
from hromada.auth.runtime import identity_secret
from hromada.auth.tables import Resident
from hromada.config import Settings
from hromada.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from hromada.jobs import service as jobs
from hromada.participation.audit import service as audit
from hromada.participation.budgeting import rules
from hromada.participation.budgeting import search as project_search
from hromada.participation.budgeting.pabulib import Ballot, Instance, Project
from hromada.participation.budgeting.schemas import (
    BallotOut,
    CycleOut,
    PoolOut,
    ProjectOut,
    ProjectResult,
    ResultsOut,
    RuleResult,
)
from hromada.participation.budgeting.tables import (
    PROJECT_CODE_LENGTH,
    BudgetBallot,
    BudgetBallotEvent,
    BudgetCycle,
    BudgetPool,
    BudgetProject,
    BudgetResult,
)
from hromada.search import outbox

MAX_PICKS = 50
VOTE_TYPES = ("approval", "cumulative")
MAX_SUM_POINTS = 1000  # a voter's points in a cumulative pool, at most


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def phase_at(opens: dt.datetime, closes: dt.datetime, at: dt.datetime) -> str:
    if at < opens:
        return "upcoming"
    return "voting" if at < closes else "closed"


def receipt_of(settings: Settings, pool: int, resident: int) -> str:
    digest = hmac.digest(
        identity_secret(settings).encode(), f"pb-receipt:{pool}:{resident}".encode(), "sha256"
    )
    code = digest[:15].hex().upper()
    return "-".join(code[i : i + 5] for i in range(0, 30, 5))


def voter_of(receipt: str) -> str:
    """The anonymous voter id the published ballots carry: anyone with the receipt can
    recompute it (``sha256`` of the receipt as printed, first 16 hex digits)."""
    return hashlib.sha256(receipt.encode()).hexdigest()[:16]


def _bad(name: str, detail: str, code: str | None = None, **values: Any) -> InvalidInput:
    """A refused field; ``code`` names the error for the portal's catalogues (DESIGN.md)."""
    return InvalidInput(
        detail,
        errors=[{"where": "body", "name": name, "message": detail}],
        code=code,
        values=values,
    )


# Every ballot reads its pool: one statement written out, as Piccolo's builder spends more
# on the join than the database does on the query (measured with ``python -m bench pb``).
_POOL_SQL = (
    "SELECT p.id, p.cycle, p.slug, p.title, p.budget, p.district_code, p.min_picks, "
    "p.max_picks, p.cost_cap, p.one_per_category, p.min_cost, p.max_cost, p.vote_type, "
    "p.max_sum_points, p.max_points, "
    "c.slug AS cycle_slug, c.rule AS rule, c.voting_opens_at AS opens, "
    "c.voting_closes_at AS closes, c.submission_opens_at AS submission_opens, "
    "c.submission_closes_at AS submission_closes "
    "FROM budget_pool p JOIN budget_cycle c ON c.id = p.cycle WHERE p.id = {}"
)


async def pool_row(pool_id: int) -> dict[str, Any]:
    """A pool with its cycle's slug, rule and instants (voting, submission)."""
    rows = await BudgetPool.raw(_POOL_SQL, pool_id)
    if not rows:
        raise NotFound(f"no pool {pool_id}", code="pool.not_found", values={"number": pool_id})
    row: dict[str, Any] = rows[0]
    for key in ("opens", "closes", "submission_opens", "submission_closes"):
        row[key] = db.instant(row[key])
    for key in ("cost_cap", "one_per_category"):
        row[key] = bool(row[key])  # SQLite stores 0 or 1
    return row


async def approved_projects(pool_id: int) -> list[dict[str, Any]]:
    """The projects on a pool's ballot (only approved ones ever are)."""
    return (
        await BudgetProject.select()
        .where((BudgetProject.pool == pool_id) & (BudgetProject.status == "approved"))
        .order_by(BudgetProject.code)
    )


async def picked_projects(pool_id: int, picks: Sequence[str]) -> list[dict[str, Any]]:
    """The picked projects that are on the pool's ballot, with what ``check_picks`` reads:
    at most ``MAX_PICKS`` rows, whatever the size of the pool. A code no project can have
    (too long, a NUL) is not looked up: ``check_picks`` names it as not on the ballot."""
    codes = [c for c in set(picks) if 0 < len(c) <= PROJECT_CODE_LENGTH and "\x00" not in c]
    if not codes or len(picks) > MAX_PICKS:
        return []
    return await BudgetProject.select(
        BudgetProject.code, BudgetProject.cost, BudgetProject.category
    ).where(
        (BudgetProject.pool == pool_id)
        & (BudgetProject.status == "approved")
        & BudgetProject.code.is_in(codes)
    )


async def _votes(pool_id: int) -> tuple[int, dict[str, int], dict[str, int]]:
    """The turnout, the ballots naming each project and the points given to each (a
    cumulative pool's; empty for an approval pool)."""
    ballots = await BudgetBallot.select(BudgetBallot.picks, BudgetBallot.points).where(
        BudgetBallot.pool == pool_id
    )
    counts: dict[str, int] = {}
    points: dict[str, int] = {}
    for ballot in ballots:
        picks = json.loads(ballot["picks"])
        for code in picks:
            counts[code] = counts.get(code, 0) + 1
        if ballot["points"] is not None:
            for code, given in zip(picks, json.loads(ballot["points"]), strict=True):
                points[code] = points.get(code, 0) + given
    return len(ballots), counts, points


async def list_cycles() -> list[CycleOut]:
    at = now()
    pools: dict[int, list[int]] = {}
    for p in await BudgetPool.select(BudgetPool.id, BudgetPool.cycle).order_by(BudgetPool.id):
        pools.setdefault(p["cycle"], []).append(p["id"])
    return [
        CycleOut(
            slug=c["slug"],
            title=c["title"],
            rule=c["rule"],
            phase=phase_at(c["voting_opens_at"], c["voting_closes_at"], at),
            voting_opens_at=c["voting_opens_at"],
            voting_closes_at=c["voting_closes_at"],
            pools=pools.get(c["id"], []),
        )
        for c in await BudgetCycle.select().order_by(BudgetCycle.voting_opens_at)
    ]


async def get_pool(settings: Settings, pool_id: int, resident: int | None) -> PoolOut:
    """The pool and its projects. While voting is open the per-project counts are hidden
    (the turnout is shown), and a logged-in resident sees the projects in an order of
    their own, so no project gains from being first on everyone's ballot."""
    row = await pool_row(pool_id)
    at = now()
    current = phase_at(row["opens"], row["closes"], at)
    cumulative = row["vote_type"] == "cumulative"
    points: dict[str, int] = {}
    if current == "closed":
        turnout, counts, points = await _votes(pool_id)
    else:  # only the turnout is shown while voting: a count, not every ballot read
        turnout, counts = await BudgetBallot.count().where(BudgetBallot.pool == pool_id), {}
    projects = [
        ProjectOut(
            code=p["code"],
            title=p["title"],
            description=p["description"],
            category=p["category"],
            cost=p["cost"],
            votes=counts.get(p["code"], 0) if current == "closed" else None,
            points=points.get(p["code"], 0) if current == "closed" and cumulative else None,
            lat=p["lat"],
            lon=p["lon"],
        )
        for p in await approved_projects(pool_id)
    ]
    if resident is not None:
        seed = hmac.digest(
            identity_secret(settings).encode(), f"pb-order:{pool_id}:{resident}".encode(), "sha256"
        )
        random.Random(seed).shuffle(projects)
    return PoolOut(
        id=row["id"],
        cycle=row["cycle_slug"],
        slug=row["slug"],
        title=row["title"],
        budget=row["budget"],
        district=row["district_code"],
        min_picks=row["min_picks"],
        max_picks=row["max_picks"],
        cost_cap=row["cost_cap"],
        one_per_category=row["one_per_category"],
        vote_type=row["vote_type"],
        max_sum_points=row["max_sum_points"],
        max_points=row["max_points"],
        phase=current,
        voting_opens_at=row["opens"],
        voting_closes_at=row["closes"],
        turnout=turnout,
        projects=projects,
        submission_opens_at=row["submission_opens"],
        submission_closes_at=row["submission_closes"],
        taking_projects=row["submission_opens"] is not None
        and row["submission_opens"] <= at < row["submission_closes"],
    )


def check_picks(pool: dict[str, Any], projects: Sequence[dict[str, Any]], picks: list[str]) -> None:
    """A ballot against the pool's rules: distinct projects of this pool that are on the
    ballot, between min and max of them, within the budget when the pool caps cost."""
    if len(picks) > MAX_PICKS:
        raise _bad(
            "projects",
            f"at most {pool['max_picks']} projects",
            code="ballot.pick_range",
            low=pool["min_picks"],
            high=pool["max_picks"],
            count=len(picks),
        )
    if len(set(picks)) != len(picks):
        raise _bad("projects", "a project is picked twice", code="ballot.picked_twice")
    by_code = {p["code"]: p for p in projects}
    unknown = [code for code in picks if code not in by_code]
    if unknown:
        raise _bad(
            "projects",
            f"{unknown[0][:40]!r} is not a project on this pool's ballot",
            code="ballot.not_on_ballot",
            project=unknown[0][:40],
        )
    if not pool["min_picks"] <= len(picks) <= pool["max_picks"]:
        raise _bad(
            "projects",
            f"pick from {pool['min_picks']} to {pool['max_picks']} projects, not {len(picks)}",
            code="ballot.pick_range",
            low=pool["min_picks"],
            high=pool["max_picks"],
            count=len(picks),
        )
    if pool["one_per_category"]:
        seen: set[str] = set()
        for code in picks:
            category = by_code[code]["category"]
            if category in seen:
                raise _bad(
                    "projects",
                    f"one project per category: two picked in {category!r}",
                    code="ballot.one_per_category",
                    category=category,
                )
            seen.add(category)
    if pool["cost_cap"]:
        total = sum(by_code[code]["cost"] for code in picks)
        if total > pool["budget"]:
            raise _bad(
                "projects",
                f"the picked projects cost {total:,} UAH, more than the pool's {pool['budget']:,}",
                code="ballot.over_budget",
                total=total,
                budget=pool["budget"],
            )


def check_ballot(
    pool: dict[str, Any],
    projects: Sequence[dict[str, Any]],
    picks: list[str],
    points: list[int] | None,
) -> tuple[list[str], list[int] | None]:
    """A ballot against every rule of its pool (online and paper alike): the picks as
    ``check_picks`` wants them and, on a cumulative pool, a whole number of points for each
    pick — at least 1 (a project given none is simply not named), at most ``max_points``,
    ``max_sum_points`` in all. An approval pool takes no points. Returns the picks sorted
    by code and their points aligned with them, as they are stored and published."""
    cumulative = pool["vote_type"] == "cumulative"
    if not cumulative and points is not None:
        raise _bad("points", f"pool {pool['id']} is an approval vote: pick projects, no points")
    if cumulative and points is None:
        raise _bad(
            "points",
            f"pool {pool['id']} is a cumulative vote: give each picked project its points "
            f"({pool['max_sum_points']} in all at most)",
        )
    if points is not None and len(points) != len(picks):
        raise _bad("points", f"{len(points)} numbers of points for {len(picks)} projects")
    check_picks(pool, projects, picks)
    if points is None:
        return sorted(picks), None
    most = pool["max_points"] or pool["max_sum_points"]
    for code, given in zip(picks, points, strict=True):
        if type(given) is not int:  # not a bool, nor a float a caller let through
            raise _bad(
                "points",
                f"{code!r}: points are a whole number",
                code="ballot.points_whole",
                project=code,
            )
        if not 1 <= given <= most:
            shown = given if abs(given) < 10**9 else "a number that large"
            raise _bad(
                "points",
                f"{code!r}: from 1 to {most} points, not {shown}",
                code="ballot.points_range",
                project=code,
                most=most,
            )
    if sum(points) > pool["max_sum_points"]:
        raise _bad(
            "points",
            f"{sum(points)} points given, more than the {pool['max_sum_points']} each voter has",
            code="ballot.points_over",
            given=sum(points),
            most=pool["max_sum_points"],
        )
    pairs = sorted(zip(picks, points, strict=True))
    return [code for code, _ in pairs], [given for _, given in pairs]


async def cast(
    settings: Settings,
    resident: int,
    pool_id: int,
    picks: list[str],
    points: list[int] | None = None,
) -> BallotOut:
    """Cast or change the resident's ballot; the last one before the closing second counts."""
    async with db.write_transaction():
        pool = await pool_row(pool_id)
        at = now()
        current = phase_at(pool["opens"], pool["closes"], at)
        if current != "voting":
            raise Conflict(
                f"pool {pool_id} is not open for voting: voting "
                + (
                    f"opens at {pool['opens']:%Y-%m-%d %H:%M} UTC"
                    if current == "upcoming"
                    else f"closed at {pool['closes']:%Y-%m-%d %H:%M:%S} UTC"
                ),
                code="pool.voting_not_yet" if current == "upcoming" else "pool.voting_closed",
            )
        if pool["district_code"] is not None:
            who = (
                await Resident.select(Resident.district_code).where(Resident.id == resident).first()
            )
            if who is None or who["district_code"] != pool["district_code"]:
                raise Forbidden(
                    f"only residents of district {pool['district_code']} vote in this pool",
                    code="pool.district_only",
                )
        codes, given = check_ballot(pool, await picked_projects(pool_id, picks), picks, points)
        ordered = json.dumps(codes, ensure_ascii=False)
        stored = None if given is None else json.dumps(given)
        # One statement: the upsert leaves a paper ballot alone (its WHERE), so a paper
        # and an online ballot can never both count, whichever arrives first.
        written = await BudgetBallot.raw(
            db.upsert_sql(
                "budget_ballot",
                ("pool", "resident", "picks", "points", "cast_at"),
                key=("pool", "resident"),
            )
            + " WHERE budget_ballot.paper = {} RETURNING id",
            pool_id,
            resident,
            ordered,
            stored,
            at,
            False,
        ).run()
        if not written:
            raise Conflict(
                f"you voted in pool {pool_id} on paper at a service centre: that ballot is final",
                code="ballot.paper_final",
            )
        receipt = receipt_of(settings, pool_id, resident)
        # Raw: Piccolo's insert builder costs more than the rest of a cast together.
        await BudgetBallotEvent.raw(
            "INSERT INTO budget_ballot_event (pool, voter, picks, points, cast_at) "
            "VALUES ({}, {}, {}, {}, {})",
            pool_id,
            voter_of(receipt),
            ordered,
            stored,
            at,
        )
    return BallotOut(
        pool=pool_id,
        projects=codes,
        points=given,
        cast_at=at,
        receipt=receipt,
        voter=voter_of(receipt),
    )


async def my_ballot(settings: Settings, resident: int, pool_id: int) -> BallotOut:
    await pool_row(pool_id)
    row = (
        await BudgetBallot.select()
        .where((BudgetBallot.pool == pool_id) & (BudgetBallot.resident == resident))
        .first()
    )
    if row is None:
        raise NotFound(f"you have not voted in pool {pool_id}")
    receipt = receipt_of(settings, pool_id, resident)
    return BallotOut(
        pool=pool_id,
        projects=json.loads(row["picks"]),
        points=None if row["points"] is None else json.loads(row["points"]),
        cast_at=row["cast_at"],
        receipt=receipt,
        voter=voter_of(receipt),
    )


async def _closed(pool_id: int) -> dict[str, Any]:
    pool = await pool_row(pool_id)
    if phase_at(pool["opens"], pool["closes"], now()) != "closed":
        raise Conflict(
            f"pool {pool_id}: results and ballots are published after voting closes "
            f"({pool['closes']:%Y-%m-%d %H:%M:%S} UTC)"
        )
    return pool


async def instance(settings: Settings, pool_id: int) -> Instance:
    """The closed pool as a Pabulib instance: its approved projects and every counted
    ballot under its anonymous voter id (ordered by it)."""
    return await _instance(
        pool_id, lambda resident: voter_of(receipt_of(settings, pool_id, resident))
    )


async def _instance(pool_id: int, voter: Callable[[int], str]) -> Instance:
    pool = await _closed(pool_id)
    projects = await approved_projects(pool_id)
    ballots = [
        Ballot(
            voter=voter(b["resident"]),
            projects=tuple(json.loads(b["picks"])),
            points=None
            if b["points"] is None
            else tuple(Fraction(p) for p in json.loads(b["points"])),
        )
        for b in await BudgetBallot.select(
            BudgetBallot.resident, BudgetBallot.picks, BudgetBallot.points
        ).where(BudgetBallot.pool == pool_id)
    ]
    ballots.sort(key=lambda b: b.voter)
    meta = {
        "description": f"{pool['title']} ({pool['cycle_slug']})",
        "country": "Ukraine",
        "unit": pool["cycle_slug"],
        "instance": pool["slug"],
        "num_projects": str(len(projects)),
        "num_votes": str(len(ballots)),
        "budget": str(pool["budget"]),
        "vote_type": pool["vote_type"],
        "rule": pool["rule"],
        "date_begin": f"{pool['opens']:%d.%m.%Y}",
        "date_end": f"{pool['closes']:%d.%m.%Y}",
        "min_length": str(pool["min_picks"]),
        "max_length": str(pool["max_picks"]),
        "currency": "UAH",
    }
    if pool["vote_type"] == "cumulative":  # Pabulib's names for the ballot's limits
        meta["min_points"] = "1"
        meta["max_points"] = str(pool["max_points"] or pool["max_sum_points"])
        meta["max_sum_points"] = str(pool["max_sum_points"])
    return Instance(
        meta=meta,
        projects={
            p["code"]: Project(
                id=p["code"],
                cost=Fraction(p["cost"]),
                votes=None,
                score=None,
                selected=None,
                fields={"name": p["title"], "category": p["category"]},
            )
            for p in projects
        },
        ballots=ballots,
    )


RESULTS = "budgeting.results"


async def results(settings: Settings, pool_id: int) -> ResultsOut:
    """A closed pool's results as stored. The first request after the close asks a job
    to compute them (every rule, from the ballots) and is told to come back: computing
    the Method of Equal Shares on a real city's ballots takes seconds to minutes, which
    no request should hold a connection for."""
    await _closed(pool_id)
    stored = await _stored_results(pool_id)
    if stored is not None:
        return stored
    async with db.write_transaction():
        await jobs.enqueue(RESULTS, {"pool": pool_id}, dedupe_key=f"{RESULTS}:{pool_id}")
    raise Unavailable(
        f"the results of pool {pool_id} are being computed from its ballots: try again in a minute"
    )


async def _stored_results(pool_id: int) -> ResultsOut | None:
    stored = (
        await BudgetResult.select(BudgetResult.body).where(BudgetResult.pool == pool_id).first()
    )
    return None if stored is None else msgspec.json.decode(stored["body"], type=ResultsOut)


async def store_results(pool_id: int) -> ResultsOut:
    """Compute a closed pool's results and keep them (the job, the demo; idempotent)."""
    stored = await _stored_results(pool_id)
    if stored is not None:
        return stored
    found = await _compute_results(pool_id)
    async with db.write_transaction():
        await BudgetResult.insert(
            BudgetResult(pool=pool_id, computed_at=now(), body=msgspec.json.encode(found).decode())
        ).on_conflict(target=BudgetResult.pool, action="DO NOTHING")
    return found


async def results_job(settings: Settings, payload: dict[str, Any]) -> None:
    await store_results(int(payload["pool"]))


async def _compute_results(pool_id: int) -> ResultsOut:
    pool = await _closed(pool_id)
    found = await _instance(pool_id, str)  # voter ids do not change any outcome
    votes = rules.naming(found)
    cumulative = found.vote_type == "cumulative"
    points = {pid: int(v) for pid, v in rules.support(found).items()}
    outcomes = {rule: rules.compute(found, rule) for rule in rules.rules_for(found.vote_type)}
    official = outcomes[pool["rule"]]
    return ResultsOut(
        pool=pool_id,
        rule=pool["rule"],
        ballots=len(found.ballots),
        projects=[
            ProjectResult(
                code=p.id,
                votes=votes[p.id],
                points=points[p.id] if cumulative else None,
                cost=int(p.cost),
                selected=p.id in official.selected,
                explanation=official.explanations.get(p.id, ""),
            )
            for p in found.projects.values()
        ],
        rules=[
            RuleResult(
                rule=rule,
                official=rule == pool["rule"],
                selected=outcome.selected,
                spent=int(outcome.spent),
            )
            for rule, outcome in outcomes.items()
        ],
    )


def write_pb(found: Instance, selected: Sequence[str] = ()) -> bytes:
    """A Pabulib file of ``found`` (``selected`` marks the official winners)."""
    chosen = set(selected)
    lines = ["META", "key;value"]
    lines += [f"{key};{_cell(value)}" for key, value in found.meta.items()]
    # A cumulative file, as Pabulib's: ``votes`` counts the ballots naming a project,
    # ``score`` its points (what the rules rank), and each ballot has its ``points``.
    cumulative = found.vote_type == "cumulative"
    lines += [
        "PROJECTS",
        f"project_id;cost;votes;{'score;' if cumulative else ''}name;category;selected",
    ]
    scores = rules.support(found)
    voters = rules.naming(found)
    for p in found.projects.values():
        counts = (
            [str(voters[p.id]), str(int(scores[p.id]))] if cumulative else [str(int(scores[p.id]))]
        )
        lines.append(
            ";".join(
                [
                    p.id,
                    str(int(p.cost)),
                    *counts,
                    _cell(p.fields.get("name", "")),
                    _cell(p.fields.get("category", "")),
                    "1" if p.id in chosen else "0",
                ]
            )
        )
    if cumulative:
        lines += ["VOTES", "voter_id;vote;points"]
        lines += [
            f"{b.voter};{','.join(b.projects)};{','.join(str(int(x)) for x in b.points or ())}"
            for b in found.ballots
        ]
    else:
        lines += ["VOTES", "voter_id;vote"]
        lines += [f"{b.voter};{','.join(b.projects)}" for b in found.ballots]
    return ("\n".join(lines) + "\n").encode()


def _cell(text: str) -> str:
    """A value that cannot break the ``;``-separated line it goes in."""
    return " ".join(str(text).replace(";", ",").split())


async def ballots_file(settings: Settings, pool_id: int) -> bytes:
    found = await instance(settings, pool_id)
    official = rules.compute(found, found.rule)
    return write_pb(found, official.selected)


def check_pool_rule(rule: str, spec: dict[str, Any]) -> None:
    """A pool's ballot rule, fixed at creation (no pool is changed afterwards, and a cycle
    is created before its vote opens): the picks range, and for a cumulative pool its
    points — each voter's ``max_sum_points`` and at most ``max_points`` on one project —
    under a rule that can count points (``rules.rules_for``)."""
    slug = str(spec.get("slug", ""))[:64]
    low, high = spec.get("min_picks", 1), spec.get("max_picks", 5)
    if not 1 <= low <= high <= MAX_PICKS:
        raise _bad("max_picks", f"pool {slug}: picks 1 ≤ min ≤ max ≤ {MAX_PICKS}")
    kind = spec.get("vote_type", "approval")
    total, most = spec.get("max_sum_points"), spec.get("max_points")
    if kind not in VOTE_TYPES:
        raise _bad(
            "vote_type", f"pool {slug}: vote_type {str(kind)[:30]!r}: use approval or cumulative"
        )
    if kind == "approval":
        for name, value in (("max_sum_points", total), ("max_points", most)):
            if value is not None:
                raise _bad(name, f"pool {slug}: {name} is for a cumulative pool only")
        return
    if total is None or not 1 <= total <= MAX_SUM_POINTS:
        raise _bad("max_sum_points", f"pool {slug}: each voter's points, 1 to {MAX_SUM_POINTS}")
    if most is not None and not 1 <= most <= total:
        raise _bad("max_points", f"pool {slug}: points on one project, 1 to max_sum_points")
    if low > total:  # every named project takes a point at least
        raise _bad("min_picks", f"pool {slug}: min_picks over the {total} points a voter has")
    if rule not in rules.rules_for(kind):
        raise _bad(
            "rule",
            f"pool {slug} is cumulative: the Method of Equal Shares is computed here over "
            f"approval ballots only; use {', '.join(rules.rules_for(kind))}",
        )


async def create_cycle(
    *,
    slug: str,
    title: str,
    rule: str,
    opens: dt.datetime,
    closes: dt.datetime,
    pools: Sequence[dict[str, Any]],
    submission: tuple[dt.datetime, dt.datetime] | None = None,
    actor: str = "staff",
) -> dict[str, int]:
    """A cycle with its pools and their approved projects (the demo, tests and staff
    scripts); returns each pool's id by slug. ``pools``: slug, title, budget, district,
    min_picks, max_picks, cost_cap, one_per_category, vote_type, max_sum_points,
    max_points, min_cost, max_cost and projects (code, title, cost, category,
    description, lat, lon). ``submission``: when residents may submit projects
    (``budgeting.projects``), ending before voting opens."""
    if rule not in rules.RULES:
        raise _bad("rule", f"unknown rule {rule!r}: use {', '.join(rules.RULES)}")
    if not opens < closes:
        raise _bad("voting_closes_at", "voting must close after it opens")
    if submission is not None and not submission[0] < submission[1] <= opens:
        raise _bad("submission_closes_at", "submission must close after it opens, by the vote")
    for spec in pools:
        check_pool_rule(rule, spec)
    ids: dict[str, int] = {}
    codes = [p["code"] for spec in pools for p in spec["projects"]]
    async with db.write_transaction():
        # One cycle set up at a time: the checks below and the inserts cannot interleave.
        await db.advisory_xact_lock("hromada-pb-cycles")
        if await BudgetCycle.exists().where(BudgetCycle.slug == slug):
            raise Conflict(f"a cycle {slug!r} exists already")
        taken = await BudgetProject.select(BudgetProject.code).where(
            BudgetProject.code.is_in(codes or [""])
        )
        if taken:
            raise Conflict(f"project code {taken[0]['code']!r} is taken by another cycle")
        cycle = await BudgetCycle.insert(
            BudgetCycle(
                slug=slug,
                title=title,
                rule=rule,
                voting_opens_at=opens,
                voting_closes_at=closes,
                submission_opens_at=submission[0] if submission else None,
                submission_closes_at=submission[1] if submission else None,
            )
        ).returning(BudgetCycle.id)
        for spec in pools:
            pool = await BudgetPool.insert(
                BudgetPool(
                    cycle=cycle[0]["id"],
                    slug=spec["slug"],
                    title=spec["title"],
                    budget=spec["budget"],
                    district_code=spec.get("district"),
                    min_picks=spec.get("min_picks", 1),
                    max_picks=spec.get("max_picks", 5),
                    cost_cap=spec.get("cost_cap", False),
                    one_per_category=spec.get("one_per_category", False),
                    vote_type=spec.get("vote_type", "approval"),
                    max_sum_points=spec.get("max_sum_points"),
                    max_points=spec.get("max_points"),
                    min_cost=spec.get("min_cost"),
                    max_cost=spec.get("max_cost"),
                )
            ).returning(BudgetPool.id)
            ids[spec["slug"]] = pool[0]["id"]
            if not spec["projects"]:
                continue  # residents will submit them
            await BudgetProject.insert(
                *[
                    BudgetProject(
                        pool=pool[0]["id"],
                        code=p["code"],
                        title=p["title"],
                        description=p.get("description", ""),
                        category=p.get("category", ""),
                        cost=p["cost"],
                        status=p.get("status", "approved"),
                        lat=p.get("lat"),
                        lon=p.get("lon"),
                    )
                    for p in spec["projects"]
                ]
            )
            await outbox.enqueue(project_search.DOC_TYPE, [p["code"] for p in spec["projects"]])
        # What the vote is over, fixed before it opens: pools, budgets and every project's
        # cost. Anyone can compare it with the ballots file published after the vote.
        await audit.append(
            domain="budgeting",
            subject=f"cycle:{slug}",
            action="created",
            actor=actor,
            detail={
                "rule": rule,
                "voting_opens_at": opens.isoformat(),
                "voting_closes_at": closes.isoformat(),
                "pools": {
                    spec["slug"]: {
                        "budget": spec["budget"],
                        "vote_type": spec.get("vote_type", "approval"),
                        "max_sum_points": spec.get("max_sum_points"),
                        "max_points": spec.get("max_points"),
                        "projects": {p["code"]: p["cost"] for p in spec["projects"]},
                    }
                    for spec in pools
                },
            },
        )
    return ids


async def iter_project_rows() -> AsyncIterator[dict[str, Any]]:
    """The projects dataset: every approved project of every cycle, by code; once its pool
    closed, its votes (and a cumulative pool's points) and whether the cycle's rule funds
    it (computed as ``results`` does, from the same ballots the published .pb file
    holds)."""
    at = now()
    # pool id -> (the pool, votes by project, points by project, funded projects); votes
    # None: not closed; points None: not closed or not cumulative.
    pools: dict[
        int, tuple[dict[str, Any], dict[str, int] | None, dict[str, int | None] | None, set[str]]
    ] = {}
    for found in await BudgetPool.select(BudgetPool.id):
        pool = await pool_row(found["id"])
        if phase_at(pool["opens"], pool["closes"], at) != "closed":
            pools[pool["id"]] = (pool, None, None, set())
            continue
        outcome = await store_results(pool["id"])  # publishing runs off the request path
        pools[pool["id"]] = (
            pool,
            {p.code: p.votes for p in outcome.projects},
            {p.code: p.points for p in outcome.projects}
            if pool["vote_type"] == "cumulative"
            else None,
            {p.code for p in outcome.projects if p.selected},
        )
    after = ""
    while True:
        projects = (
            await BudgetProject.select()
            .where((BudgetProject.status == "approved") & (BudgetProject.code > after))
            .order_by(BudgetProject.code)
            .limit(500)
        )
        if not projects:
            return
        for project in projects:
            pool, support, points, selected = pools[project["pool"]]
            code = project["code"]
            yield {
                "code": code,
                "cycle": pool["cycle_slug"],
                "pool": pool["slug"],
                "title": project["title"],
                "category": project["category"],
                "cost": project["cost"],
                "lat": project["lat"],
                "lon": project["lon"],
                "votes": None if support is None else support.get(code, 0),
                "points": None if points is None else points.get(code, 0),
                "selected": None if support is None else code in selected,
            }
        after = projects[-1]["code"]
