"""Benchmark: wfm.required_agents for SL 80/20 on many half-hour intervals in one call.

Headline figures (issue 3):

- wall time of ``required_agents`` on 1,000,000 random half-hour intervals (``--full``;
  ``--quick`` uses 200,000): volumes uniform 0..5,000 contacts, AHT uniform 2..10 minutes,
  seeded; target <= 1 s on a 2-core machine;
- speed per interval against pyworkforce's ``ErlangC(...).required_positions`` measured in the
  same run on a sample of the same intervals (only when ``import pyworkforce`` works, i.e. in
  the benchmark environment; target >= 100x);
- correctness on a random subset: the returned N meets the target and N - 1 does not, and N
  equals an independent textbook computation (pure-Python Erlang B recursion, counting up
  from the load). A wrong result exits with status 1; slowness never does.

pyworkforce's ``ErlangC(transactions, aht, asa, interval)`` takes AHT, the *answer-time target*
(named ``asa`` there) and the interval length all in the same unit (minutes here).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from typing import Any

# pyworkforce is imported before wfm: its OR-Tools build clashes with an already loaded highspy
# (undefined HiGHS symbol) when imported after wfm.
PyworkforceErlangC: Any
try:
    from pyworkforce.queuing import ErlangC as PyworkforceErlangC

    PYWORKFORCE_IMPORT_ERROR = ""
except ImportError as exc:  # not installed outside the benchmark environment
    PyworkforceErlangC = None
    PYWORKFORCE_IMPORT_ERROR = str(exc)

import numpy as np  # noqa: E402

from wfm.erlang import required_agents, service_level  # noqa: E402

TARGET_LEVEL = 0.8
TARGET_SECONDS = 20.0
INTERVAL_SECONDS = 1800.0


def textbook_requirement(volume: float, aht_seconds: float) -> int:
    """Independent reference: count up from the load with the Erlang B recursion."""
    traffic = volume * aht_seconds / INTERVAL_SECONDS
    if traffic == 0:
        return 0
    agents = math.floor(traffic) + 1
    inverse = 1.0
    for n in range(1, agents + 1):
        inverse = 1.0 + inverse * n / traffic
    while True:
        blocking = 1.0 / inverse
        waiting = agents * blocking / (agents - traffic * (1.0 - blocking))
        level = 1.0 - waiting * math.exp(-(agents - traffic) * TARGET_SECONDS / aht_seconds)
        if level >= TARGET_LEVEL:
            return agents
        agents += 1
        inverse = 1.0 + inverse * agents / traffic


def make_intervals(size: int, seed: int = 20240601) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    volume = rng.uniform(0.0, 5000.0, size)
    aht_seconds = rng.uniform(120.0, 600.0, size)
    return volume, aht_seconds


def check_correctness(
    volume: np.ndarray, aht_seconds: np.ndarray, agents: np.ndarray, sample: int, seed: int = 7
) -> list[str]:
    rng = np.random.default_rng(seed)
    pick = rng.choice(volume.size, size=min(sample, volume.size), replace=False)
    v, a, n = volume[pick], aht_seconds[pick], agents[pick]
    errors = []
    level = service_level(v, a, n, TARGET_SECONDS)
    below = service_level(v, a, np.maximum(n - 1, 0), TARGET_SECONDS)
    traffic = v * a / INTERVAL_SECONDS
    if np.any(level < TARGET_LEVEL):
        errors.append(f"{int(np.sum(level < TARGET_LEVEL))} intervals miss the target")
    not_minimal = (below >= TARGET_LEVEL) & (n - 1 > traffic)
    if np.any(not_minimal):
        errors.append(f"{int(np.sum(not_minimal))} intervals are not minimal")
    reference = np.array(
        [textbook_requirement(x, y) for x, y in zip(v[:300], a[:300], strict=True)]
    )
    differ = reference != n[:300]
    if np.any(differ):
        errors.append(f"{int(differ.sum())} of 300 differ from the textbook recursion")
    return errors


def pyworkforce_seconds_per_interval(
    volume: np.ndarray, aht_seconds: np.ndarray, agents: np.ndarray, sample: int
) -> tuple[float, int, int] | None:
    if PyworkforceErlangC is None:
        print(
            f"pyworkforce comparison skipped: cannot import pyworkforce "
            f"({PYWORKFORCE_IMPORT_ERROR}); run in the benchmark environment (make bench)."
        )
        return None
    rng = np.random.default_rng(99)
    pick = rng.choice(np.flatnonzero(volume > 0), size=sample, replace=False)
    results = []
    started = time.perf_counter()
    for i in pick:
        model = PyworkforceErlangC(
            transactions=float(volume[i]),
            aht=float(aht_seconds[i]) / 60.0,
            asa=TARGET_SECONDS / 60.0,
            interval=INTERVAL_SECONDS / 60.0,
        )
        results.append(model.required_positions(service_level=TARGET_LEVEL)["raw_positions"])
    elapsed = time.perf_counter() - started
    agree = int(np.sum(np.array(results) == agents[pick]))
    return elapsed / sample, agree, sample


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size_group = parser.add_mutually_exclusive_group()
    size_group.add_argument("--quick", action="store_true", help="200,000 intervals (CI)")
    size_group.add_argument("--full", action="store_true", help="1,000,000 intervals")
    parser.add_argument("--pyworkforce-sample", type=int, default=None)
    args = parser.parse_args()
    size = 1_000_000 if args.full else 200_000
    sample = args.pyworkforce_sample or (300 if args.full else 100)

    volume, aht_seconds = make_intervals(size)
    required_agents(volume[:1000], aht_seconds[:1000])  # warm-up (tables, imports)
    wall = time.perf_counter()
    cpu = time.process_time()
    agents = required_agents(
        volume, aht_seconds, target_service_level=TARGET_LEVEL, target_seconds=TARGET_SECONDS
    )
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    per_interval = wall / size
    print(
        f"required_agents SL 80/20 on {size:,} half-hour intervals: {wall:.3f} s wall "
        f"({cpu:.3f} s CPU, {os.cpu_count()} cores visible), {per_interval * 1e6:.2f} us per "
        f"interval; target <= 1 s for 1,000,000"
    )
    print(f"  total agents {int(agents.sum()):,}; mean {agents.mean():.1f} per interval")

    errors = check_correctness(volume, aht_seconds, agents, sample=2000 if args.full else 1000)
    if errors:
        print("WRONG RESULTS: " + "; ".join(errors))
        return 1
    print(
        "  correctness: sampled intervals meet 80/20, N-1 misses, and match the textbook recursion"
    )

    comparison = pyworkforce_seconds_per_interval(volume, aht_seconds, agents, sample)
    if comparison is not None:
        baseline, agree, count = comparison
        print(
            f"pyworkforce ErlangC.required_positions: {baseline * 1e6:.1f} us per interval "
            f"(sample of {count}); wfm is {baseline / per_interval:,.0f}x faster per interval "
            f"(target >= 100x); same answer on {agree}/{count} intervals"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
