"""Who wins a participatory budget: the greedy family, as pure functions on exact numbers.

Scores and costs are ``Fraction``s and decisions compare them exactly: no float ever
decides a winner. Ties are broken the same way everywhere and stated here: the higher
score first, then the cheaper project, then the smaller project id (as text). Every
project gets a plain explanation of why it was or was not funded.
"""

from __future__ import annotations

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


def support(instance: Instance) -> dict[str, Fraction]:
    """Each project's score: the file's own ``votes`` count when every project has one (it
    holds paper ballots a file may leave out), else counted from the ballots — one per
    ballot naming it, or the points given to it on a cumulative ballot."""
    if all(p.votes is not None for p in instance.projects.values()):
        return {p.id: Fraction(p.votes or 0) for p in instance.projects.values()}
    scores = {pid: Fraction(0) for pid in instance.projects}
    for ballot in instance.ballots:
        if ballot.points is not None:
            for pid, points in zip(ballot.projects, ballot.points, strict=True):
                scores[pid] += points
        else:
            for pid in ballot.projects:
                scores[pid] += 1
    return scores


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


def _mes_fixed(
    costs: Mapping[str, Fraction],
    groups: list[tuple[frozenset[str], int]],
    per_voter: Fraction,
) -> tuple[list[str], dict[str, Fraction]]:
    """The Method of Equal Shares for approval ballots with cost utilities, every voter
    starting with ``per_voter``. Returns the winners in order and the price (payment per
    supporter) each winner was bought at.

    Voters with the same ballot always hold the same money, so they are kept as one group
    with a count. Groups hold few distinct amounts (the starting money less the prices of
    the winners they supported), so each group points at its amount (``state``) and each
    project keeps the weight of its supporters per amount (``held``): a project is priced
    over its distinct amounts, not over its voters. Groups holding equal amounts pay or
    drop out together, so the outcome is the one voter by voter, exactly."""
    weight = [count for _, count in groups]
    supporters = {
        pid: [g for g, (ballot, _) in enumerate(groups) if pid in ballot] for pid in costs
    }
    ballots = [[pid for pid in ballot if pid in costs] for ballot, _ in groups]
    people = {pid: sum(weight[g] for g in supporters[pid]) for pid in costs}
    amounts: list[Fraction] = [per_voter]
    state = [0] * len(groups)
    held: dict[str, dict[int, int]] = {pid: {0: people[pid]} for pid in costs}
    remaining = {pid: Fraction(people[pid]) for pid in costs}
    winners: list[str] = []
    prices: dict[str, Fraction] = {}
    while remaining:
        best: list[str] = []
        best_count = Fraction(0)
        best_payment: dict[str, Fraction] = {}
        for pid in sorted(remaining, key=lambda p: remaining[p], reverse=True):
            if remaining[pid] < best_count:
                break  # an effective vote count only falls: none further can win
            cost = costs[pid]
            buckets = sorted((amounts[a], w) for a, w in held[pid].items() if w)
            if sum(money * w for money, w in buckets) < cost:
                del remaining[pid]
                continue
            paid = Fraction(0)
            left = people[pid]
            for money, w in buckets:
                payment = (cost - paid) / left
                if payment > money:
                    paid += money * w
                    left -= w
                    continue
                count = cost / payment  # the effective vote count
                remaining[pid] = count
                best_payment[pid] = payment
                if count > best_count:
                    best, best_count = [pid], count
                elif count == best_count:
                    best.append(pid)
                break
        if not best:
            break
        # Ties: more supporters, then the cheaper project, then the smaller id.
        chosen = min(best, key=lambda p: (-len(supporters[p]), costs[p], p))
        payment = best_payment[chosen]
        after: dict[int, int] = {}  # an amount's index -> the index of what is left of it
        for g in supporters[chosen]:
            before = state[g]
            if before not in after:
                amounts.append(max(Fraction(0), amounts[before] - payment))
                after[before] = len(amounts) - 1
            state[g] = after[before]
            for pid in ballots[g]:
                held[pid][before] -= weight[g]
                held[pid][state[g]] = held[pid].get(state[g], 0) + weight[g]
        winners.append(chosen)
        prices[chosen] = payment
        del remaining[chosen]
    return winners, prices


def equal_shares(instance: Instance) -> Outcome:
    """The Method of Equal Shares with cost utilities and the add1 completion: while the
    outcome is not exhaustive, every voter's starting money is raised by one currency unit
    and the method is run again; the last outcome within the real budget is the result."""
    if instance.vote_type != "approval":
        raise ValueError("the Method of Equal Shares is computed for approval ballots here")
    costs = {p.id: p.cost for p in instance.projects.values()}
    tally: dict[frozenset[str], int] = {}
    for ballot in instance.ballots:
        key = frozenset(ballot.projects)
        tally[key] = tally.get(key, 0) + 1
    groups = list(tally.items())
    voters = len(instance.ballots)
    budget = instance.budget
    if voters == 0:  # nobody to share the budget among: nothing is funded
        why = {pid: "not funded: no ballots were cast" for pid in costs}
        return Outcome(rule="mes", selected=[], spent=Fraction(0), explanations=why)
    per_voter = budget / voters
    winners, prices = _mes_fixed(costs, groups, per_voter)

    def exhaustive(chosen: list[str]) -> bool:
        spent = sum((costs[p] for p in chosen), Fraction(0))
        return all(p in chosen or spent + costs[p] > budget for p in costs)

    while not exhaustive(winners):
        more, more_prices = _mes_fixed(costs, groups, per_voter + 1)
        if sum((costs[p] for p in more), Fraction(0)) > budget:
            break
        per_voter += 1
        winners, prices = more, more_prices
    spent = sum((costs[p] for p in winners), Fraction(0))
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
