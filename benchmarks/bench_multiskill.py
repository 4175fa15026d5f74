"""Benchmark: multi-skill staffing against exhaustive search and long simulations.

Cases (issue 18): one 30-minute interval, 30 % Spanish and 70 % English calls, AHT 300 s,
80 % in 20 s, groups ``es_only``, ``en_only`` and ``bi`` (both languages); bilingual agents
cost 1.1, specialists 1. For each case and seed :func:`multiskill_staffing` returns a
plan; every plan is then simulated for a long time on random numbers the search never
saw (the interval's rates held for 10 intervals, the first dropped as warm-up) and its
service level per queue is printed with the standard error of that long run.

Exhaustive search (small cases): every ``(es_only, en_only, bi)`` with enough capacity
and a cost up to the returned plan's is simulated the same long way; the cheapest whose
long-run service level meets the target on every queue is "the cheapest", and the gap of
each returned plan to it is printed.

``--quick`` (default): 5 Erlangs, seed 0, exhaustive search with 100-replication long runs;
the equal-cost 100-Erlang case. ``--full``: 5, 10, 30 and 100 Erlangs x seeds 0-4,
exhaustive search on 5 and 10 Erlangs.

Exits 1 only when a result is wrong: a returned plan whose long-run service level is below
the target by more than 3 standard errors of the long run, a plan cheaper than the
exhaustive optimum that does not meet the target, or the equal-cost case not returning
the pooled 108 bilingual agents.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
import pandas as pd

from wfm.core import make_interval_grid
from wfm.simulation import multiskill_staffing, simulate_centre

GROUPS = {"es_only": ["es"], "en_only": ["en"], "bi": ["es", "en"]}
COSTS = {"es_only": 1.0, "en_only": 1.0, "bi": 1.1}
TARGET = 0.8
LONG_REPLICATIONS = {5.0: 400, 10.0: 300, 30.0: 200, 100.0: 200}


def language_case(erlangs: float, intervals: int = 1) -> pd.DataFrame:
    starts = make_interval_grid("2026-01-05 10:00", "2026-01-06 10:00", tz="UTC")[:intervals]
    calls = erlangs * 1800 / 300
    return pd.DataFrame(
        {
            "queue": np.repeat(["es", "en"], intervals),
            "interval_start": np.tile(starts, 2),
            "volume": np.repeat([0.3 * calls, 0.7 * calls], intervals),
            "aht_seconds": 300.0,
        }
    )


def long_run(
    erlangs: float, counts: dict[str, int], seed: int, replications: int | None = None
) -> tuple[pd.Series, pd.Series]:
    """Long-run service level per queue and its standard error (replications as batches)."""
    forecast = language_case(erlangs, intervals=10)
    starts = forecast["interval_start"].unique()
    plan = pd.DataFrame(
        [
            {"skill_group": g, "interval_start": s, "agents": counts[g]}
            for g in GROUPS
            for s in starts
        ]
    )
    result = simulate_centre(
        forecast,
        staffing=plan,
        skill_groups=GROUPS,
        replications=replications or LONG_REPLICATIONS[erlangs],
        seed=seed,
        interval_minutes=30,
    )
    answered, offered = result.service_level_counts("answered_of_offered")
    a, o = answered[:, :, 1:].sum(axis=2), offered[:, :, 1:].sum(axis=2)
    level = a.sum(axis=0) / o.sum(axis=0)
    n = a.shape[0]
    residual = a - level[None, :] * o
    error = np.sqrt((residual**2).sum(axis=0) / (n * (n - 1))) / o.mean(axis=0)
    queues = list(result.queues)
    return pd.Series(level, index=queues), pd.Series(error, index=queues)


def cost(counts: dict[str, int]) -> float:
    return float(sum(COSTS[g] * n for g, n in counts.items()))


def exhaustive(
    erlangs: float, max_cost: float, seed: int, replications: int
) -> tuple[dict[str, int], float, int]:
    """Cheapest mix meeting the target in the long run, among mixes costing <= max_cost."""
    load_es, load_en = 0.3 * erlangs, 0.7 * erlangs
    best: tuple[float, dict[str, int]] | None = None
    tried = 0
    top = int(max_cost) + 1
    mixes = sorted(
        (
            {"es_only": es, "en_only": en, "bi": bi}
            for es, en, bi in itertools.product(range(top), range(top), range(top))
            if es + bi > load_es
            and en + bi > load_en
            and es + en + bi > erlangs
            and es + en + 1.1 * bi <= max_cost + 1e-9
        ),
        key=cost,
    )
    for mix in mixes:
        if best is not None and cost(mix) > best[0] + 1e-9:
            break
        tried += 1
        level, _ = long_run(erlangs, mix, seed, replications)
        if (level >= TARGET).all():
            best = (cost(mix), mix)
    if best is None:
        raise RuntimeError(f"no mix up to cost {max_cost} meets the target at {erlangs} E")
    return best[1], best[0], tried


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    cases, seeds, small = ([5.0], [0], [5.0])
    if args.full:
        cases, seeds, small = ([5.0, 10.0, 30.0, 100.0], [0, 1, 2, 3, 4], [5.0, 10.0])
    problems: list[str] = []

    began = time.perf_counter()
    equal = multiskill_staffing(language_case(100.0), GROUPS, interval_minutes=30)
    agents = equal.staffing.set_index("skill_group")["agents"].to_dict()
    print(
        f"equal costs, 100 Erlangs: {agents} ({time.perf_counter() - began:.1f} s), service "
        f"{equal.service['service_level'].round(4).tolist()} ({equal.service['check'].iloc[0]})"
    )
    if agents != {"es_only": 0, "en_only": 0, "bi": 108}:
        problems.append(f"equal-cost case gave {agents}")

    print(f"bilingual cost {COSTS['bi']}, specialists 1; long runs on seed 777")
    rows = []
    for erlangs in cases:
        for seed in seeds:
            began = time.perf_counter()
            result = multiskill_staffing(
                language_case(erlangs), GROUPS, group_costs=COSTS, interval_minutes=30, seed=seed
            )
            seconds = time.perf_counter() - began
            counts = {
                str(k): int(v)
                for k, v in result.staffing.set_index("skill_group")["agents"].items()
            }
            level, error = long_run(erlangs, counts, seed=777)
            reported = result.service.set_index("queue")
            rows.append(
                {
                    "erlangs": erlangs,
                    "seed": seed,
                    "es/en/bi": f"{counts['es_only']}/{counts['en_only']}/{counts['bi']}",
                    "cost": cost(counts),
                    "search_s": round(seconds, 1),
                    "reported_es": round(float(reported.loc["es", "service_level"]), 3),
                    "reported_en": round(float(reported.loc["en", "service_level"]), 3),
                    "long_es": round(float(level["es"]), 3),
                    "long_en": round(float(level["en"]), 3),
                    "long_se": round(float(error.max()), 4),
                    "meets": bool((level >= TARGET).all()),
                }
            )
            if ((level + 3 * error) < TARGET).any():
                problems.append(f"{erlangs} E seed {seed}: long run {level.to_dict()}")
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    print(f"plans meeting the target in the long run: {int(table['meets'].sum())}/{len(table)}")

    for erlangs in small:
        plans = table[table["erlangs"] == erlangs]
        began = time.perf_counter()
        replications = LONG_REPLICATIONS[erlangs] if args.full else 100
        mix, cheapest, tried = exhaustive(erlangs, float(plans["cost"].max()), 777, replications)
        gaps = (plans["cost"] - cheapest) / cheapest
        print(
            f"{erlangs:g} Erlangs: cheapest by exhaustive search {mix} cost {cheapest:.1f} "
            f"({tried} mixes simulated, {time.perf_counter() - began:.1f} s); returned plans "
            f"cost {plans['cost'].tolist()}, gap to cheapest: mean {gaps.mean():.1%}, "
            f"max {gaps.max():.1%}"
        )
        cheaper = plans[plans["cost"] < cheapest - 1e-9]
        if (cheaper["meets"]).any():
            problems.append(f"{erlangs} E: a plan cheaper than the exhaustive optimum meets")
    print("results: " + (f"WRONG {problems}" if problems else "all checks passed"))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
