"""Participatory-budget results: our rules against pabutools on the same real files.

    uv run --group bench python -m bench pbresults

Environment:
    HROMADA_BENCH_PB_LIMIT   seconds pabutools gets per rule and file (default 600)

For each file of ``../shared/data/pabulib/`` listed below and each rule both implement
(greedy by votes: pabutools' greedy utilitarian welfare with cost satisfaction; the Method
of Equal Shares with cost utilities and the add1 completion: pabutools'
``method_of_equal_shares(..., voter_budget_increment=1)``), in the same run: our parse
and rule in-process, pabutools' in a child process (killed at the limit, then reported as
"> limit"), the winners compared, the ratio pabutools / ours. Parsing is timed apart from
the rule. Our MES is computed for approval ballots only (Kraków and Wrocław 2024 are
ordinal and choose-1 files, so MES runs on the approval files). Goal (issue 14): every
rule ≥ 10× faster than pabutools with identical winners.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

from hromada.participation.budgeting import rules
from hromada.participation.budgeting.pabulib import parse

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pabulib"
LIMIT = float(os.environ.get("HROMADA_BENCH_PB_LIMIT", "600"))
CASES = [
    ("Poland_Krakow_2024.pb", "greedy"),
    ("Poland_Wroclaw_2024.pb", "greedy"),
    ("Poland_Swiecie_2023.pb", "greedy"),
    ("Poland_Swiecie_2023.pb", "mes"),
    ("Netherlands_Assen_2024.pb", "mes"),
    ("Poland_Warszawa_2024_Srodmiescie.pb", "greedy"),
]


def _pabutools(path: str, rule: str, out: Any) -> None:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    started = time.perf_counter()
    instance, profile = parse_pabulib(path)
    parsed = time.perf_counter()
    if rule == "greedy":
        chosen = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    else:
        chosen = method_of_equal_shares(
            instance, profile, sat_class=Cost_Sat, voter_budget_increment=1
        )
    done = time.perf_counter()
    out.put((parsed - started, done - parsed, sorted(str(p.name) for p in chosen)))


def _theirs(path: Path, rule: str) -> tuple[float, float, list[str]] | None:
    queue: Any = multiprocessing.get_context("spawn").Queue()
    child = multiprocessing.get_context("spawn").Process(
        target=_pabutools, args=(str(path), rule, queue)
    )
    child.start()
    child.join(LIMIT)
    if child.is_alive():
        child.terminate()
        child.join()
        return None
    return queue.get() if not queue.empty() else None


def main() -> None:
    try:
        import pabutools  # noqa: F401
    except ImportError:
        print("pabutools is not installed: uv run --group bench python -m bench pbresults")
        return
    print(f"{'file':38} {'rule':7} {'ours s':>8} {'pabutools s':>12} {'ratio':>8}  same winners")
    for name, rule in CASES:
        path = DATA / name
        started = time.perf_counter()
        instance = parse(path.read_bytes())
        parsed = time.perf_counter()
        ours = rules.compute(instance, rule)
        done = time.perf_counter()
        theirs = _theirs(path, rule)
        mine = done - parsed
        if theirs is None:
            print(f"{name:38} {rule:7} {mine:8.3f} {'> ' + str(int(LIMIT)):>12} {'—':>8}  —")
            continue
        their_parse, their_rule, winners = theirs
        same = sorted(ours.selected) == winners
        print(
            f"{name:38} {rule:7} {mine:8.3f} {their_rule:12.3f} "
            f"{their_rule / max(mine, 1e-6):8.1f}  {'yes' if same else 'NO'}"
            f"   (parse: ours {parsed - started:.2f} s, pabutools {their_parse:.2f} s)"
        )
