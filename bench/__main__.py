"""Run every benchmark module listed in ``BENCHMARKS``; each prints its own figures."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS: list[str] = [
    "anonymiser",
    "downloads",
    "versions",
    "appeals",
    "search",
    "graphql",
    "registries",
    "pb",
    "petitions",
    "portal",
    "pbresults",
    "budget",
    "sensors",
]


def main() -> int:
    wanted = sys.argv[1:] or BENCHMARKS
    if not wanted:
        print("no benchmarks yet")
        return 0
    for name in wanted:
        print(f"== {name} ==", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
