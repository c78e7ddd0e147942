"""Who wins a participatory budget: the greedy family, as pure functions on exact numbers.

Scores and costs are ``Fraction``s (the Method of Equal Shares turns them into integers
over a common unit) and decisions compare them exactly: no float ever decides a winner.
Ties are broken the same way everywhere and stated here: the higher score first, then the
cheaper project, then the smaller project id (as text). Every project gets a plain
explanation of why it was or was not funded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from hromada.participation.budgeting.pabulib import Instance

GREEDY_RULES = ("greedy", "greedy-no-skip", "greedy-threshold")
RULES = (*GREEDY_RULES, "mes")


@dataclass(frozen=True)
class Outcome:
    rule: str
    selected: list[str]  # in the order the rule funded them
    spent: Fraction
    explanations: dict[str, str]


def rules_for(vote_type: str) -> tuple[str, ...]:
    """The rules computed for a vote type. The Method of Equal Shares here has cost
    utilities over approval sets (a voter supports a project or not); points on a
    cumulative ballot would need utilities of their own, so any other vote is counted by
    the greedy family only."""
    return RULES if vote_type == "approval" else GREEDY_RULES


def support(instance: Instance) -> dict[str, Fraction]:
    """Each project's score. A cumulative file's own ``score`` column (the points given to
    it) when every project has one; else the file's own ``votes`` count when every project
    has one (it holds paper ballots a file may leave out); else counted from the ballots —
    one per ballot naming it, or the points given to it on a cumulative ballot."""
    projects = instance.projects.values()
    if instance.vote_type == "cumulative" and all(p.score is not None for p in projects):
        return {p.id: p.score or Fraction(0) for p in projects}
    if all(p.votes is not None for p in projects):
        return {p.id: Fraction(p.votes or 0) for p in projects}
    scores = {pid: Fraction(0) for pid in instance.projects}
    for ballot in instance.ballots:
        if ballot.points is not None:
            for pid, points in zip(ballot.projects, ballot.points, strict=True):
                scores[pid] += points
        else:
            for pid in ballot.projects:
                scores[pid] += 1
    return scores


def naming(instance: Instance) -> dict[str, int]:
    """How many ballots name each project (on a cumulative ballot: give it points)."""
    counted = dict.fromkeys(instance.projects, 0)
    for ballot in instance.ballots:
        for pid in ballot.projects:
            counted[pid] += 1
    return counted


def _money(value: Fraction) -> str:
    whole = round(value, 2)
    return f"{float(whole):,.2f}".replace(",", " ")


def greedy(
    costs: Mapping[str, Fraction],
    scores: Mapping[str, Fraction],
    budget: Fraction,
    *,
    skip: bool = True,
    threshold: Fraction = Fraction(0),
    rule: str = "greedy",
) -> Outcome:
    """Fund projects by score, highest first. ``skip``: a project that does not fit is
    passed over and cheaper ones below it may still be funded; without it the rule stops
    at the first project that does not fit. ``threshold``: projects scoring less are out."""
    order = sorted(costs, key=lambda pid: (-scores[pid], costs[pid], pid))
    left = budget
    selected: list[str] = []
    why: dict[str, str] = {}
    stopped_at: str | None = None
    for pid in order:
        if scores[pid] < threshold:
            why[pid] = f"below the threshold: {scores[pid]} < {threshold}"
        elif stopped_at is not None:
            why[pid] = f"not reached: the rule stopped at {stopped_at}, which did not fit"
        elif costs[pid] <= left:
            left -= costs[pid]
            selected.append(pid)
            why[pid] = f"funded: {_money(costs[pid])} of the {_money(left + costs[pid])} left"
        else:
            why[pid] = f"did not fit: costs {_money(costs[pid])}, {_money(left)} left"
            if not skip:
                stopped_at = pid
    return Outcome(rule=rule, selected=selected, spent=budget - left, explanations=why)


def compute(instance: Instance, rule: str) -> Outcome:
    """One of the rules on a Pabulib instance (its own META threshold for greedy-threshold)."""
    costs = {p.id: p.cost for p in instance.projects.values()}
    scores = support(instance)
    if rule == "greedy":
        return greedy(costs, scores, instance.budget)
    if rule == "greedy-no-skip":
        return greedy(costs, scores, instance.budget, skip=False, rule=rule)
    if rule == "greedy-threshold":
        raw = instance.meta.get("min_project_score_threshold", "0") or "0"
        return greedy(
            costs, scores, instance.budget, threshold=Fraction(raw.replace(",", ".")), rule=rule
        )
    if rule == "mes":
        return equal_shares(instance)
    raise ValueError(f"unknown rule {rule!r}: use {', '.join(RULES)}")


_Line = tuple[int, int]  # a + b * step, in 1/scale of a currency unit


@dataclass(frozen=True)
class _Round:
    """A run of the Method of Equal Shares after some rounds, every number a line in the
    ``step`` (the whole currency units added to each voter's starting money). ``until``: the
    last step at which every comparison made so far keeps the sign it had (None: every later
    step), so the same rounds hold, line for line, at every step up to it."""

    classes: dict[_Line, int]  # voters holding the same money: their line -> a bit per voter
    cost: dict[str, int]  # the projects' costs in the same unit as the lines
    scale: int  # lines count in 1/scale of a currency unit
    alive: tuple[str, ...]  # projects still affordable and not funded, in the file's order
    winners: tuple[str, ...]
    prices: dict[str, tuple[int, int, int]]  # each winner's payment line and its scale
    pays: dict[str, tuple[int, int, int, int | None]]  # the price of a project whose
    # supporters kept their money since it was last priced: numerator line, the count paying
    # it in full, and the last step at which those paying in full stay the same (before
    # it the line is the price; after it the line is still never above the price)
    until: int | None


@dataclass(frozen=True)
class _Voters:
    """What every run shares: the supporters of each project as a bit per voter (voters with
    the same ballot hold neighbouring bits), how many distinct ballots name it (the
    tie-break), and the first round."""

    masks: dict[str, int]
    people: dict[str, int]
    ballots: dict[str, int]
    start: _Round


def _voters(
    costs: Mapping[str, Fraction], groups: list[tuple[frozenset[str], int]], budget: Fraction
) -> _Voters:
    masks = dict.fromkeys(costs, 0)
    ballots = dict.fromkeys(costs, 0)
    voters = 0
    for ballot, count in groups:
        block = ((1 << count) - 1) << voters
        voters += count
        for pid in ballot:
            if pid in masks:
                masks[pid] |= block
                ballots[pid] += 1
    # One unit: 1/(voters * lcm of the denominators), so that the starting money, the money
    # added per step and every cost are integers; a payment's division widens it later.
    unit = voters * math.lcm(budget.denominator, *(c.denominator for c in costs.values()))
    start = _Round(
        classes={(int(budget * unit / voters), unit): (1 << voters) - 1},
        cost={pid: int(c * unit) for pid, c in costs.items()},
        scale=unit,
        alive=tuple(costs),
        winners=(),
        prices={},
        pays={},
        until=None,
    )
    people = {pid: mask.bit_count() for pid, mask in masks.items()}
    return _Voters(masks=masks, people=people, ballots=ballots, start=start)


def _mes_rounds(voters: _Voters, start: _Round, step: int) -> list[_Round]:
    """The Method of Equal Shares for approval ballots with cost utilities, from ``start``
    on, every voter starting with the budget's equal share plus ``step``: the state after
    each round, ``start`` first. Each round funds the project whose supporters pay it at
    the lowest price per unit of cost (the highest effective vote count cost / payment),
    supporters holding less than the payment paying all they hold.

    Exact in integers: every amount is a line ``a + b * step`` over a common ``scale``,
    decisions compare their values at ``step`` (cross-multiplied, never divided), and each
    comparison also tells up to which step its sign holds (``until``). Voters holding the
    same line are one class (a bit mask), so a project is priced over its supporters'
    distinct amounts, not over its voters, and classes holding equal amounts pay or drop
    out together: the outcome is the one voter by voter."""
    masks, people = voters.masks, voters.people
    classes, cost, scale = start.classes, start.cost, start.scale
    alive, winners, prices = list(start.alive), list(start.winners), dict(start.prices)
    pays = {p: v for p, v in start.pays.items() if v[3] is None or v[3] >= step}
    last = start.until
    settled = last == step  # no comparison can bring ``last`` lower

    def held(c0: int, c1: int) -> int | None:
        """The last step at which ``c0 + c1 * step`` keeps its sign (None: every step)."""
        value = c0 + c1 * step
        if not c1 or (value > 0 and c1 > 0) or (value < 0 and c1 < 0):
            return None
        if value == 0:
            return step
        num, den = (c0, -c1) if c1 < 0 else (-c0, c1)  # the root num / den > step
        return -(-num // den) - 1

    def keep(bound: int | None) -> None:
        nonlocal last, settled
        if bound is not None and (last is None or bound < last):
            last = bound
            settled = bound == step

    def sign(c0: int, c1: int) -> int:
        """The sign of ``c0 + c1 * step``; ``last`` drops to the step before it changes."""
        value = c0 + c1 * step
        if not settled:
            keep(held(c0, c1))
        return (value > 0) - (value < 0)

    rounds = [start]
    while alive:
        for pid in list(alive):
            if pid in pays:
                continue
            c = cost[pid]
            mask = masks[pid]
            buckets = []
            for (l0, l1), members in classes.items():
                w = (members & mask).bit_count()
                if w:
                    buckets.append((l0 + l1 * step, l0, l1, w))
            buckets.sort()
            t0 = t1 = 0
            for _, l0, l1, w in buckets:
                t0 += l0 * w
                t1 += l1 * w
            if sign(t0 - c, t1) < 0:
                alive.remove(pid)  # money only falls: it stays out of reach
                continue
            # The payment (n0 + n1 * step) / left: those holding less pay all they hold.
            n0, n1, left = c, 0, people[pid]
            for value, l0, l1, w in buckets:
                if n0 + n1 * step <= value * left:
                    break
                n0 -= l0 * w
                n1 -= l1 * w
                left -= w
            # Who pays in full must not change while this line is taken for the price; when
            # it changes, the true price is only higher (the line is the price of the same
            # payers at any step), so the project can only fall further behind.
            exact: int | None = step
            if not settled:
                exact = None
                for _, l0, l1, _ in buckets:
                    bound = held(l0 * left - n0, l1 * left - n1)
                    if bound is not None and (exact is None or bound < exact):
                        exact = bound
            pays[pid] = (n0, n1, left, exact)
        if not pays:
            break
        # The highest effective vote count cost / payment, compared cross-multiplied.
        names = list(pays)
        top = names[0]
        for pid in names[1:]:
            q0, q1, ql, _ = pays[pid]
            b0, b1, bl, _ = pays[top]
            if cost[pid] * ql * (b0 + b1 * step) > cost[top] * bl * (q0 + q1 * step):
                top = pid
        b0, b1, bl, _ = pays[top]
        best = []
        for pid in names:
            q0, q1, ql, exact = pays[pid]
            x, y = cost[pid] * ql, cost[top] * bl
            if sign(x * b0 - y * q0, x * b1 - y * q1) == 0:
                best.append(pid)
                keep(exact)  # a tie (the top among them) needs the exact price
        # Ties: more supporters (distinct ballots), then the cheaper project, then the
        # smaller id.
        chosen = min(best, key=lambda p: (-voters.ballots[p], cost[p], p))
        n0, n1, left, _ = pays.pop(chosen)
        common = math.gcd(left, n0, n1)
        widen = left // common  # the unit shrinks so that the payment is an integer line
        d0, d1 = n0 // common, n1 // common
        if widen != 1:
            cost = {p: v * widen for p, v in cost.items()}
            scale *= widen
        prices[chosen] = (d0, d1, scale)
        paying = masks[chosen]
        after: dict[_Line, int] = {}
        for (l0, l1), members in classes.items():
            l0, l1 = l0 * widen, l1 * widen
            rest = members & ~paying
            if rest:
                after[(l0, l1)] = after.get((l0, l1), 0) | rest
            if members & paying:
                line = (0, 0) if sign(l0 - d0, l1 - d1) < 0 else (l0 - d0, l1 - d1)
                after[line] = after.get(line, 0) | (members & paying)
        classes = after
        # A price stays right while none of its supporters paid (in the new unit).
        pays = {
            p: (q0 * widen, q1 * widen, ql, exact)
            for p, (q0, q1, ql, exact) in pays.items()
            if not masks[p] & paying
        }
        winners.append(chosen)
        alive.remove(chosen)
        rounds.append(
            _Round(classes, cost, scale, (*alive,), (*winners,), dict(prices), dict(pays), last)
        )
    # The last pass found nothing affordable: its comparisons count too.
    end = rounds[-1]
    rounds[-1] = _Round(end.classes, end.cost, end.scale, (), end.winners, end.prices, {}, last)
    return rounds


def equal_shares(instance: Instance) -> Outcome:
    """The Method of Equal Shares with cost utilities and the add1 completion: while the
    outcome is not exhaustive, every voter's starting money is raised by one currency unit
    and the method is run again; the last outcome within the real budget is the result.

    The completion does not run the method once per unit: a run knows up to which step
    every comparison it made keeps its sign, so the same winners (and price lines) hold up
    to there and the next run is at the step after. A run also starts again from the last
    of its rounds whose comparisons still hold at the new step. The steps at which the
    loop stops are the ones unit by unit would stop at."""
    if "mes" not in rules_for(instance.vote_type):
        raise ValueError(
            "the Method of Equal Shares is computed here with cost utilities over approval "
            f"ballots, not {instance.vote_type} ones"
        )
    costs = {p.id: p.cost for p in instance.projects.values()}
    tally: dict[frozenset[str], int] = {}
    for ballot in instance.ballots:
        key = frozenset(ballot.projects)
        tally[key] = tally.get(key, 0) + 1
    budget = instance.budget
    if not instance.ballots:  # nobody to share the budget among: nothing is funded
        why = {pid: "not funded: no ballots were cast" for pid in costs}
        return Outcome(rule="mes", selected=[], spent=Fraction(0), explanations=why)
    voters = _voters(costs, list(tally.items()), budget)

    def total(chosen: tuple[str, ...]) -> Fraction:
        return sum((costs[p] for p in chosen), Fraction(0))

    def exhaustive(chosen: tuple[str, ...]) -> bool:
        spent = total(chosen)
        return all(p in chosen or spent + costs[p] > budget for p in costs)

    step = 0
    rounds = _mes_rounds(voters, voters.start, step)
    # until None with an outcome still not exhaustive: every later step gives the same
    # outcome, so raising the money further would never end; it stops here.
    while not exhaustive(rounds[-1].winners) and rounds[-1].until is not None:
        following = rounds[-1].until + 1
        kept = [r for r in rounds if r.until is None or r.until >= following] or [voters.start]
        more = kept[:-1] + _mes_rounds(voters, kept[-1], following)
        if total(more[-1].winners) > budget:
            step = rounds[-1].until  # the outcome held up to here
            break
        step, rounds = following, more
    winners = list(rounds[-1].winners)
    prices = {p: Fraction(d0 + d1 * step, sc) for p, (d0, d1, sc) in rounds[-1].prices.items()}
    per_voter = budget / len(instance.ballots) + step
    spent = total(rounds[-1].winners)
    why = {}
    for pid in costs:
        if pid in prices:
            why[pid] = (
                f"funded: each supporter paid {_money(prices[pid])} "
                f"(starting money {_money(per_voter)} each)"
            )
        else:
            why[pid] = (
                f"not funded: its supporters could not pay {_money(costs[pid])} together "
                f"at a price as low as the funded projects'"
            )
    return Outcome(rule="mes", selected=winners, spent=spent, explanations=why)
