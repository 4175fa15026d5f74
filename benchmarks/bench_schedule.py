"""Benchmark of wfm.schedule: shift scheduling, named rosters, and pyworkforce (if present).

Usage::

    python benchmarks/bench_schedule.py --quick   # CI: small instances, well under 60 s
    python benchmarks/bench_schedule.py --full    # the sizes of issue 5

(1) One week (or two days with --quick) of 30-minute requirements from a double-peaked
    curve peaking near 120 agents (40 with --quick); shift starts every 30 min; 8 h
    full-time (two 15-min breaks and an unpaid 30-min lunch, all with windows) and 4-6 h
    part-time templates. Reports cost, LP bound, best bound, gap, under/over-coverage
    and time (CBC, 60 s; HiGHS too with --full).
(2) 300 named agents (60 with --quick) with contracts, availability and two
    consecutive days off over one week: roster cost, gap to the tour-level bound, time.
(3) The same shift-count problem given to pyworkforce's MinAbsDifference and
    MinRequiredResources when ``import pyworkforce`` works (benchmark env only).

Exit code 1 only for wrong results: coverage recomputed from the segments differs from
the reported coverage, a bound above the objective, or a broken labour rule.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

import numpy as np
import pandas as pd

# pyworkforce (OR-Tools) must be imported before PuLP loads highspy: both ship a HiGHS
# library and OR-Tools fails to resolve its own symbols if highspy's is loaded first.
try:
    try:
        from pyworkforce.scheduling import MinAbsDifference, MinRequiredResources
    except ImportError:
        from pyworkforce.shifts import MinAbsDifference, MinRequiredResources
    PYWORKFORCE_ERROR = ""
except ImportError as exc:  # only installed in the benchmark environment
    MinAbsDifference = MinRequiredResources = None
    PYWORKFORCE_ERROR = str(exc)

from wfm.schedule import (
    Agent,
    BreakRule,
    ScheduleRules,
    ShiftTemplate,
    SolverSettings,
    build_roster,
    schedule_shifts,
)

TZ = "Europe/London"
FAILURES: list[str] = []


def requirement_curve(days: int, peak: float, start: str = "2024-06-03") -> pd.Series:
    """Double-peaked weekday curve (late morning and mid afternoon), lighter weekends."""
    index = pd.date_range(start, periods=48 * days, freq="30min", tz=TZ)
    hour = np.asarray(index.hour + index.minute / 60.0)
    shape = (
        0.95 * np.exp(-(((hour - 10.5) / 1.8) ** 2))
        + 0.75 * np.exp(-(((hour - 15.5) / 2.2) ** 2))
        + 0.15
    )
    shape = np.where((hour >= 6) & (hour < 23), shape, 0.0)
    shape = shape * np.where(np.asarray(index.day_of_week) >= 5, 0.55, 1.0)
    return pd.Series(np.ceil(shape / shape.max() * peak), index=index)


FULL_TIME = ShiftTemplate(
    name="FT8",
    earliest_start=dt.time(6),
    latest_start=dt.time(15),
    paid_minutes=(480,),
    cost_per_paid_hour=1.0,
    min_gap_minutes=30,
    breaks=(
        BreakRule(length_minutes=15, earliest_start_minutes=60, latest_start_minutes=150),
        BreakRule(
            activity="lunch",
            length_minutes=30,
            earliest_start_minutes=210,
            latest_start_minutes=270,
            paid=False,
        ),
        BreakRule(length_minutes=15, earliest_start_minutes=330, latest_start_minutes=390),
    ),
)
PART_TIME = ShiftTemplate(
    name="PT",
    earliest_start=dt.time(6),
    latest_start=dt.time(18, 30),
    paid_minutes=(240, 300, 360),
    cost_per_paid_hour=1.1,
    min_gap_minutes=30,
    breaks=(
        BreakRule(length_minutes=15, earliest_start_minutes=60, latest_start_minutes=120),
        BreakRule(
            length_minutes=15,
            earliest_start_minutes=180,
            latest_start_minutes=240,
            min_paid_minutes=300,
        ),
    ),
)
TEMPLATES = (FULL_TIME, PART_TIME)
RULES = ScheduleRules(
    under_cost_per_agent_hour=5.0, over_cost_per_agent_hour=0.1, on_infeasible="return"
)


def coverage_from_segments(segments: pd.DataFrame, coverage: pd.DataFrame) -> np.ndarray:
    """Working agents per coverage row, recomputed from the segments (independent)."""
    starts = pd.DatetimeIndex(coverage["interval_start"]).as_unit("ns").asi8
    step = starts[1] - starts[0]
    work = segments[segments["activity"] == "work"]
    seg_start = pd.DatetimeIndex(work["start"]).as_unit("ns").asi8
    seg_end = pd.DatetimeIndex(work["end"]).as_unit("ns").asi8
    out = np.zeros(len(starts))
    for s0, s1 in zip(seg_start, seg_end, strict=True):
        left = np.maximum(starts, s0)
        right = np.minimum(starts + step, s1)
        out += np.clip(right - left, 0, None) / step
    return out


def check(result, label: str) -> None:
    recomputed = coverage_from_segments(result.segments, result.coverage)
    if not np.allclose(recomputed, result.coverage["scheduled_agents"].to_numpy(), atol=1e-6):
        FAILURES.append(f"{label}: coverage from segments differs from reported coverage")
    if result.best_bound > result.objective + 1e-6:
        FAILURES.append(f"{label}: bound {result.best_bound} above objective {result.objective}")


def check_rules(result, agents: list[Agent], rules: ScheduleRules, label: str) -> int:
    """Count broken rules (one shift a day, contract, rest, days off, availability)."""
    broken = 0
    unpaid = {"FT8": 30, "PT": 0}
    seg = result.segments[result.segments["activity"] != "off"]
    shifts = (
        seg.groupby(["agent", "shift_id"])
        .agg(start=("start", "min"), end=("end", "max"), template=("template", "first"))
        .reset_index()
        .sort_values(["agent", "start"])
    )
    for agent in agents:
        mine = shifts[shifts["agent"] == agent.agent]
        local = mine["start"].dt.tz_convert(TZ)
        days = local.dt.normalize()
        hours = (
            (mine["end"] - mine["start"]).dt.total_seconds() / 60 - mine["template"].map(unpaid)
        ).sum() / 60
        worked = np.zeros(7, dtype=bool)
        worked[local.dt.day_of_week.to_numpy()] = True
        gaps = (mine["start"].to_numpy()[1:] - mine["end"].to_numpy()[:-1]) / np.timedelta64(1, "h")
        problems = [
            days.duplicated().any(),
            not (agent.min_weekly_hours - 1e-6 <= hours <= agent.max_weekly_hours + 1e-6),
            (gaps < rules.min_rest_hours - 1e-9).any(),
            not any(not worked[d] and not worked[d + 1] for d in range(6)),
            not set(local.dt.day_of_week) <= set(agent.available_days),
        ]
        broken += int(sum(bool(p) for p in problems))
    if broken and not result.conflicts:
        FAILURES.append(f"{label}: {broken} broken rule(s) in a roster reported as feasible")
    return broken


def bench_shifts(days: int, peak: float, solver: str, seconds: float) -> None:
    requirement = requirement_curve(days, peak)
    settings = SolverSettings(solver=solver, time_limit_seconds=seconds, mip_gap=0.01)
    started = time.perf_counter()
    result = schedule_shifts(requirement, TEMPLATES, rules=RULES, settings=settings)
    wall = time.perf_counter() - started
    check(result, f"shifts/{solver}")
    summary = result.summary()
    lp = result.solves[0].lp_bound
    print(
        f"(1) shift scheduling, {days} day(s), peak {peak:.0f}, {solver}: "
        f"cost {result.objective:.2f} (labour {result.labour_cost:.2f}), LP bound {lp:.2f}, "
        f"best bound {result.best_bound:.2f}, gap {100 * result.gap:.2f}% [{result.status}], "
        f"under {summary['under_agent_hours']:.2f} / over {summary['over_agent_hours']:.2f} "
        f"agent-h of {summary['required_agent_hours']:.0f} required, {int(summary['shifts'])} "
        f"shifts, {wall:.1f} s"
    )


def make_agents(n_agents: int, seed: int = 7) -> list[Agent]:
    rng = np.random.default_rng(seed)
    agents = []
    for i in range(n_agents):
        full = i < 0.55 * n_agents
        available = tuple(range(7))
        if rng.random() < 0.25:
            available = tuple(sorted(rng.choice(7, size=5, replace=False).tolist()))
        agents.append(
            Agent(
                agent=f"agent_{i:03d}",
                templates=("FT8",) if full else ("PT",),
                min_weekly_hours=32.0 if full else 8.0,
                max_weekly_hours=40.0 if full else 30.0,
                available_days=available,
                available_from=dt.time(6) if rng.random() < 0.8 else dt.time(10),
                preferred_days_off=(5, 6) if rng.random() < 0.3 else (),
                preferred_start=("early", "late", None)[int(rng.integers(0, 3))],
            )
        )
    return agents


def bench_roster(n_agents: int, peak: float, seconds: float, solver: str) -> None:
    requirement = requirement_curve(7, peak)
    agents = make_agents(n_agents)
    settings = SolverSettings(solver=solver, time_limit_seconds=seconds, mip_gap=0.01)
    started = time.perf_counter()
    result = build_roster(requirement, TEMPLATES, agents, rules=RULES, settings=settings)
    wall = time.perf_counter() - started
    check(result, f"roster/{solver}")
    broken = check_rules(result, agents, RULES, f"roster/{solver}")
    summary = result.summary()
    fairness = result.agents[["weekend_shifts", "unsocial_shifts"]].agg(["min", "max"])
    print(
        f"(2) roster, {n_agents} agents, 1 week, peak {peak:.0f}, {solver}: cost "
        f"{result.objective:.2f}, tour-level bound {result.best_bound:.2f}, gap to it "
        f"{100 * result.gap:.2f}% [{result.status}], phase gaps "
        f"{[round(100 * s.gap, 2) for s in result.solves]}%, under "
        f"{summary['under_agent_hours']:.2f} agent-h, rule conflicts {len(result.conflicts)}, "
        f"broken rules {broken}, weekend shifts per agent "
        f"{int(fairness.loc['min', 'weekend_shifts'])}-{int(fairness.loc['max', 'weekend_shifts'])}"
        f", {wall:.1f} s"
    )


def bench_pyworkforce(days: int, peak: float, seconds: float) -> None:
    if MinAbsDifference is None:
        print(
            f"(3) pyworkforce comparison skipped: {PYWORKFORCE_ERROR} "
            "(pyworkforce is installed only in the benchmark environment, make bench)"
        )
        return
    requirement = requirement_curve(days, peak)
    required = requirement.to_numpy().reshape(days, 48)
    no_breaks = [t.model_copy(update={"breaks": (), "cost_per_paid_hour": 0.0}) for t in TEMPLATES]
    coverage: dict[str, list[int]] = {}
    for template in no_breaks:
        for paid in template.paid_minutes:
            length = template.elapsed_minutes(paid) // 30
            for clock in template.start_minutes_of_day():
                first = clock // 30
                if first + length <= 48:
                    row = [0] * 48
                    row[first : first + length] = [1] * length
                    coverage[f"{template.name}_{paid}_{clock}"] = row
    started = time.perf_counter()
    ours = schedule_shifts(
        requirement,
        no_breaks,
        rules=ScheduleRules(under_cost_per_agent_hour=1.0, over_cost_per_agent_hour=1.0),
        settings=SolverSettings(time_limit_seconds=seconds, mip_gap=0.001),
    )
    our_time = time.perf_counter() - started
    our_error = float((ours.coverage["under_agents"] + ours.coverage["over_agents"]).sum()) / 2
    print(
        f"(3) same shift-count problem without breaks: wfm.schedule |scheduled - required| "
        f"{our_error:.1f} agent-h in {our_time:.1f} s"
    )
    for cls in (MinAbsDifference, MinRequiredResources):
        started = time.perf_counter()
        solver = cls(
            num_days=days,
            periods=48,
            shifts_coverage=coverage,
            required_resources=required.astype(int).tolist(),
            max_period_concurrency=int(peak * 3),
            max_shift_concurrency=int(peak * 3),
            max_search_time=seconds,
        )
        solution = solver.solve()
        elapsed = time.perf_counter() - started
        scheduled = np.zeros((days, 48))
        for item in solution.get("resources_shifts", []):
            scheduled[int(item["day"])] += np.asarray(coverage[item["shift"]]) * item["resources"]
        error = float(np.abs(scheduled - required).sum()) / 2
        print(
            f"    pyworkforce {cls.__name__}: status {solution.get('status')}, |scheduled - "
            f"required| {error:.1f} agent-h in {elapsed:.1f} s ({elapsed / our_time:.1f}x ours)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small instances (CI)")
    size.add_argument("--full", action="store_true", help="issue-5 sizes (default)")
    args = parser.parse_args(argv)
    if args.quick:
        bench_shifts(days=2, peak=40, solver="cbc", seconds=10)
        bench_roster(n_agents=60, peak=22, seconds=25, solver="cbc")
        bench_pyworkforce(days=1, peak=40, seconds=5)
    else:
        bench_shifts(days=7, peak=120, solver="cbc", seconds=60)
        bench_shifts(days=7, peak=120, solver="highs", seconds=60)
        bench_roster(n_agents=300, peak=110, seconds=120, solver="cbc")
        bench_roster(n_agents=300, peak=110, seconds=120, solver="highs")
        bench_pyworkforce(days=7, peak=120, seconds=60)
    for failure in FAILURES:
        print(f"WRONG: {failure}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
