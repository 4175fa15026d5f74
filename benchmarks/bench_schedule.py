"""Benchmark of wfm.schedule: shift scheduling, named rosters, and pyworkforce (if present).

Usage::

    python benchmarks/bench_schedule.py --quick   # CI: small instances, well under 60 s
    python benchmarks/bench_schedule.py --full    # the sizes of issue 5

(1) One week (or two days with --quick) of 30-minute requirements from a double-peaked
    curve peaking near 120 agents (40 with --quick); shift starts every 30 min; 8 h
    full-time (two 15-min breaks and an unpaid 30-min lunch, all with windows) and 4-6 h
    part-time templates. Reports cost, LP bound, best bound, gap, under/over-coverage
    and time (CBC, 60 s; HiGHS too with --full).
(2) Named roster on a real week of the US bank series (tests/data/bank_calls_5min, week
    of 2003-03-10; Erlang C 80/20 with an assumed 300 s handle time; Saturday = half of
    Friday, Sunday closed, since the series has weekdays only), halved: 300 agents
    (200 full-time 5 x 8 h, 100 part-time 20-30 h of 4 h shifts), two consecutive days
    off, 11 h rest, CBC, 60 s (--quick: 30 agents on the requirement x 0.05, no timing
    goal). Every roster is checked by the independent validator of the test suite.
(4) --full only: 1,000 agents x 4 weeks (2003-04-14 on, requirement x 2) with mixed
    contracts (5 x 8 h, 4 x 8 h, 20-30 h of 4-6 h shifts, some weekday-only or late
    availability), 300 s, goal gap <= 2%.
(3) The same shift-count problem given to pyworkforce's MinAbsDifference and
    MinRequiredResources when ``import pyworkforce`` works (benchmark env only).

Per roster and phase: status, objective, bound, LP bound, gap, time.
Exit code 1 only for wrong results: coverage recomputed from the segments differs from
the reported coverage, a bound above the objective, or a broken labour rule (the
validator); never for time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import sys
import time
from pathlib import Path

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
try:
    from pyworkforce.rostering.binary_programming import MinHoursRoster
except ImportError:  # only installed in the benchmark environment
    MinHoursRoster = None

from wfm.erlang import required_agents
from wfm.schedule import (
    Agent,
    BreakRule,
    ScheduleRules,
    ShiftTemplate,
    SolverSettings,
    make_schedule,
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


NEW_YORK = "America/New_York"
DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
BANK_AHT_SECONDS = 300.0
"""Handle time assumed for the bank series (it has none): 5 minutes, a common retail figure."""


def _load_validator():
    """The independent roster validator of the test suite (tests/schedule/validator.py)."""
    path = DATA.parent / "schedule" / "validator.py"
    spec = importlib.util.spec_from_file_location("schedule_validator", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.validate


VALIDATE = _load_validator()


def bank_requirement(first_monday: str, weeks: int, scale: float) -> pd.Series:
    """Agents required per 30 min on real weeks of the US bank series (tests/data).

    Monday-Friday are the real calls of those days (Erlang C, 80% in 20 s, AHT 300 s,
    times ``scale``); the series has no weekends, so Saturday is taken as half of that
    week's Friday and Sunday is closed (a choice of this benchmark, stated in the output).
    """
    raw = pd.read_csv(DATA / "bank_calls_5min.csv.gz")
    local = pd.to_datetime(raw["interval_start"])
    index = pd.date_range(first_monday, periods=weeks * 7 * 48, freq="30min", tz=NEW_YORK)
    naive = index.tz_localize(None)
    volume = (
        pd.Series(raw["volume"].to_numpy(), index=local)
        .resample("30min")
        .sum()
        .reindex(naive, fill_value=0.0)
    )
    agents = required_agents(volume.to_numpy(), BANK_AHT_SECONDS, interval_seconds=1800)
    need = pd.Series(np.asarray(agents, dtype=float), index=naive)
    saturday = naive.day_of_week == 5
    need[saturday] = 0.5 * need.shift(48)[saturday].to_numpy()
    missing = [
        str(d.date())
        for d in naive.normalize().unique()
        if d.day_of_week < 5 and need[naive.normalize() == d].sum() == 0
    ]
    if missing:
        raise SystemExit(f"bank series has no calls on {missing}: choose other weeks")
    return pd.Series(np.ceil(need.to_numpy() * scale), index=index)


BANK_FT = ShiftTemplate(
    name="FT8",
    earliest_start=dt.time(7),
    latest_start=dt.time(13),
    paid_minutes=(480,),
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
BANK_PT = ShiftTemplate(
    name="PT4",
    earliest_start=dt.time(7),
    latest_start=dt.time(17),
    paid_minutes=(240,),
    cost_per_paid_hour=1.1,
    breaks=(BreakRule(length_minutes=15, earliest_start_minutes=90, latest_start_minutes=150),),
)
BANK_PT_LONG = BANK_PT.model_copy(update={"name": "PT", "paid_minutes": (240, 300, 360)})
BANK_RULES = ScheduleRules(on_infeasible="return")


def bank_agents(n_full: int, n_part: int) -> list[Agent]:
    """Full-time 5 x 8 h (40 h) and part-time 20-30 h of 4 h shifts."""
    full = [
        Agent(agent=f"ft{i:03d}", templates=("FT8",), min_weekly_hours=40, max_weekly_hours=40)
        for i in range(n_full)
    ]
    part = [
        Agent(agent=f"pt{i:03d}", templates=("PT4",), min_weekly_hours=20, max_weekly_hours=30)
        for i in range(n_part)
    ]
    return full + part


def mixed_agents(n_agents: int, seed: int = 11) -> list[Agent]:
    """Mixed contracts: 5 x 8 h, 4 x 8 h, 20-30 h part time; some availability limits."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_agents):
        kind = rng.choice(3, p=[0.5, 0.2, 0.3])
        days = tuple(range(7)) if rng.random() < 0.8 else (0, 1, 2, 3, 4)
        start = dt.time(7) if rng.random() < 0.85 else dt.time(10)
        if kind == 0:
            spec = {"templates": ("FT8",), "min_weekly_hours": 40, "max_weekly_hours": 40}
        elif kind == 1:
            spec = {"templates": ("FT8",), "min_weekly_hours": 32, "max_weekly_hours": 32}
        else:
            spec = {"templates": ("PT",), "min_weekly_hours": 20, "max_weekly_hours": 30}
        out.append(Agent(agent=f"ag{i:04d}", available_days=days, available_from=start, **spec))
    return out


def print_phases(result) -> None:
    """Per phase: status, objective, bound, LP bound, gap, time."""
    for name, report in zip(("phase 1", "phase 2"), result.solves, strict=False):
        print(
            f"    {name}: {report.status}, objective {report.objective:.2f}, bound "
            f"{report.best_bound:.2f}, LP bound {report.lp_bound:.2f}, gap "
            f"{100 * report.gap:.2f}%, {report.solve_seconds:.1f} s"
        )


def bench_bank_roster(
    label: str,
    requirement: pd.Series,
    templates,
    agents,
    seconds: float,
    gap_goal: float,
    time_goal: float | None,
) -> None:
    settings = SolverSettings(time_limit_seconds=seconds, mip_gap=0.005)
    started = time.perf_counter()
    result = make_schedule(requirement, templates, agents, rules=BANK_RULES, settings=settings)
    wall = time.perf_counter() - started
    problems = VALIDATE(result, agents, templates, BANK_RULES)
    if problems:
        FAILURES.append(f"{label}: validator found {len(problems)} problem(s): {problems[:3]}")
    if result.best_bound > result.objective + 1e-6:
        FAILURES.append(f"{label}: bound above objective")
    summary = result.summary()
    met = result.gap <= gap_goal and not problems and not result.conflicts
    timed = "" if time_goal is None else f" within {time_goal:.0f} s: {wall <= time_goal}"
    print(
        f"{label}: cost {result.objective:.2f}, tour bound {result.best_bound:.2f}, gap "
        f"{100 * result.gap:.3f}% [{result.status}], rule breaks {len(problems)}, conflicts "
        f"{len(result.conflicts)}, under {summary['under_agent_hours']:.1f} / over "
        f"{summary['over_agent_hours']:.1f} agent-h of {summary['required_agent_hours']:.0f}, "
        f"{wall:.1f} s wall; goal gap <= {100 * gap_goal:.0f}%: {met}{timed}"
    )
    print_phases(result)
    if label.startswith("(2)") and "300 agents" in label:
        bench_pyworkforce_roster(result, agents, seconds)


def bench_pyworkforce_roster(result, agents: list[Agent], seconds: float) -> None:
    """pyworkforce's MinHoursRoster on the same shift counts and time budget (if present).

    It takes our roster's shifts per (shift, day) as its requirement, bans each contract's
    agents from the other contract's shifts, forbids day pairs closer than 11 h
    (non_sequential_shifts) and asks for at least 5 working days; it has no breaks, no
    per-agent hours range and no consecutive-days-off rule, so only its status, the
    hours it rosters and its time are comparable.
    """
    if MinHoursRoster is None:
        print("    pyworkforce MinHoursRoster comparison skipped: pyworkforce not importable")
        return
    try:
        work = result.segments[result.segments["activity"] != "off"]
        shifts = work.groupby("shift_id").agg(
            start=("start", "min"), end=("end", "max"), template=("template", "first")
        )
        local = shifts["start"].dt.tz_convert(NEW_YORK)
        origin = local.dt.normalize().min()
        shifts["day"] = (local.dt.normalize() - origin).dt.days
        shifts["name"] = (
            shifts["template"]
            + "_"
            + local.dt.strftime("%H%M")
            + "_"
            + ((shifts["end"] - shifts["start"]).dt.total_seconds() // 60).astype(int).astype(str)
        )
        names = sorted(shifts["name"].unique())
        hours = {n: 4 if n.startswith("PT4") else 8 for n in names}
        need = {n: [0] * 7 for n in names}
        for row in shifts.itertuples():
            need[row.name][int(row.day)] += 1
        clock = {n: int(n.split("_")[1][:2]) * 60 + int(n.split("_")[1][2:]) for n in names}
        length = {n: int(n.split("_")[2]) for n in names}
        blocked = [
            {"origin": a, "destination": b}
            for a in names
            for b in names
            if clock[b] + 24 * 60 - (clock[a] + length[a]) < 11 * 60
        ]
        banned = [
            {"resource": agent.agent, "shift": n, "day": d}
            for agent in agents
            for n in names
            if not n.startswith(agent.templates[0] + "_")
            for d in range(7)
        ]
        started = time.perf_counter()
        solver = MinHoursRoster(
            num_days=7,
            resources=[a.agent for a in agents],
            shifts=names,
            shifts_hours=[hours[n] for n in names],
            min_working_hours=20,
            banned_shifts=banned,
            max_resting=2,
            required_resources=need,
            non_sequential_shifts=blocked,
            max_search_time=seconds,
            num_search_workers=2,
        )
        solution = solver.solve()
        elapsed = time.perf_counter() - started
        ours = float(result.agents["paid_hours"].sum())
        print(
            f"    pyworkforce MinHoursRoster on the same counts: status {solution['status']}, "
            f"{solution['shifted_hours']} h rostered (ours {ours:.0f} h), {elapsed:.1f} s"
        )
    except Exception as exc:  # a comparison must not fail the benchmark
        print(f"    pyworkforce MinHoursRoster comparison failed: {exc!r}")


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
        bench_bank_roster(
            "(2) bank week, 30 agents (20 FT 5x8 h, 10 PT 20-30 h), requirement x 0.05",
            bank_requirement("2003-03-10", 1, 0.05),
            (BANK_FT, BANK_PT),
            bank_agents(20, 10),
            seconds=30,
            gap_goal=0.01,
            time_goal=None,
        )
        bench_pyworkforce(days=1, peak=40, seconds=5)
    else:
        bench_shifts(days=7, peak=120, solver="cbc", seconds=60)
        bench_shifts(days=7, peak=120, solver="highs", seconds=60)
        bench_bank_roster(
            "(2) bank week 2003-03-10, halved, 300 agents (200 FT 5x8 h, 100 PT 20-30 h)",
            bank_requirement("2003-03-10", 1, 0.5),
            (BANK_FT, BANK_PT),
            bank_agents(200, 100),
            seconds=60,
            gap_goal=0.01,
            time_goal=60,
        )
        bench_bank_roster(
            "(4) bank 4 weeks from 2003-04-14, 1,000 agents, mixed contracts",
            bank_requirement("2003-04-14", 4, 2.0),
            (BANK_FT, BANK_PT_LONG),
            mixed_agents(1000),
            seconds=300,
            gap_goal=0.02,
            time_goal=300,
        )
        bench_pyworkforce(days=7, peak=120, seconds=60)
    for failure in FAILURES:
        print(f"WRONG: {failure}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
