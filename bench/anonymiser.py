"""Anonymiser throughput: scrub() over the labelled evaluation set and the real 1551 sample.

    uv run python -m bench anonymiser

Environment: ``HROMADA_BENCH_ANON_SIZE`` synthetic appeals (default 5000),
``HROMADA_BENCH_ANON_REPEAT`` warm passes (default 3), ``HROMADA_BENCH_ANON_REAL`` path of a
1551 CSV export (default ``../shared/data/kyiv1551_lang-uk_2015/kyiv1551_2015_sample5000.csv``
when it exists). The reference is the issue's import goal of 5,000 appeals/s: the anonymiser
scrubs an appeal's text, answer and address inside that budget, so the figure that matters is
its own rate as a multiple of 5,000/s.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

IMPORT_GOAL = 5_000  # appeals/s into PostgreSQL, anonymiser included (issue 4)
SAMPLE = "shared/data/kyiv1551_lang-uk_2015/kyiv1551_2015_sample5000.csv"


def _default_real() -> Path:
    """The 1551 sample beside the checkout (``../shared/data``, or further up for worktrees)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / SAMPLE).is_file():
            return parent / SAMPLE
    return here.parents[2] / SAMPLE


def _rate(scrub: Callable[[str], object], texts: Sequence[str], repeat: int) -> tuple[float, float]:
    """(texts/s on the first, cold pass; best texts/s over ``repeat`` warm passes)."""
    t0 = time.process_time()
    for t in texts:
        scrub(t)
    cold = len(texts) / (time.process_time() - t0)
    warm = []
    for _ in range(repeat):
        t0 = time.process_time()
        for t in texts:
            scrub(t)
        warm.append(len(texts) / (time.process_time() - t0))
    return cold, max(warm)


def _report(name: str, scrub: Callable[[str], object], texts: Sequence[str], repeat: int) -> None:
    words = [len(t.split()) for t in texts]
    cold, warm = _rate(scrub, texts, repeat)
    print(
        f"{name}: {len(texts)} texts, median {statistics.median(words):.0f} words; "
        f"cold {cold:,.0f} texts/s, warm {warm:,.0f} texts/s = {1e6 / warm:.0f} µs/text "
        f"= {warm / IMPORT_GOAL:.1f}x the {IMPORT_GOAL:,} appeals/s import goal"
    )
    typical = [t for t, w in zip(texts, words, strict=True) if 40 <= w <= 80]
    if typical:
        _, warm_typical = _rate(scrub, typical, repeat)
        print(
            f"  texts of 40-80 words ({len(typical)}): {1e6 / warm_typical:.0f} µs/text "
            f"({warm_typical:,.0f} texts/s)"
        )


def main() -> None:
    from hromada.open_data.appeals.anonymise import Anonymiser
    from tools.anonymiser_eval.evaluation import evaluation_set, read_real_texts

    # Times are CPU time of this process; other work on the machine still slows it down.
    print(f"load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    size = int(os.environ.get("HROMADA_BENCH_ANON_SIZE", "5000"))
    repeat = int(os.environ.get("HROMADA_BENCH_ANON_REPEAT", "3"))
    t0 = time.process_time()
    anonymiser = Anonymiser()
    print(f"loading pymorphy3 (uk + ru): {time.process_time() - t0:.2f} s")
    samples = evaluation_set(size, 1551, anonymiser)
    _report("evaluation set", anonymiser.scrub, [s.text for s in samples], repeat)

    real = Path(os.environ.get("HROMADA_BENCH_ANON_REAL", str(_default_real())))
    if real.is_file():
        texts = [t for t in read_real_texts(real) if t]
        _report("real 1551 sample", anonymiser.scrub, texts, repeat)
        addresses = ["Дарницький район, вул. Ревуцького, 7, кв. 33"] * 1000
        _report("addresses", anonymiser.scrub_address, addresses, repeat)
    else:
        print(f"real 1551 sample not found at {real}: skipped")
    info = anonymiser.names.info.cache_info()
    print(
        f"word cache: {info.currsize} words, {info.hits / max(1, info.hits + info.misses):.1%} hits"
    )


if __name__ == "__main__":
    main()
