"""Benchmark: an 18-month monthly capacity plan for 20 queues, with what-if scenarios.

``--full`` plans 18 months x 20 queues (each with its own representative week of 336
half-hours, Erlang C for half the queues and Erlang A for the others) and five scenarios;
``--quick`` (default) plans 6 months x 4 queues. Prints the time of the plan and of the
scenario table, as a ratio to the bare Erlang sizing of the same intervals measured in
the same process, and the headline figures (hires, budget, deltas).

Exits 1 only when a result is wrong:

* required FTE of every queue differs from a direct re-computation (one
  :func:`wfm.erlang.required_agents` call per period, summed by hand);
* headcount or effective FTE differ from an independent roll-forward (a plain loop over
  cohorts and periods, productivity integrated numerically on a fine tenure grid);
* costs do not add up, or supply + overtime + uncovered does not cover the requirement;
* a scenario moves a figure the wrong way (stricter SL, more AHT or volume lowering
  required FTE; more attrition lowering hires) or its deltas are inconsistent;
* the caps from :func:`budget_for_target` change the plan, or a total cap 5 % below it is
  exceeded or binds without showing uncovered FTE and a lower service level.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import numpy as np

from wfm.capacity import (
    CapacityAttritionBand,
    CapacityBudget,
    CapacityCohort,
    CapacityCosts,
    CapacityHiringPolicy,
    CapacityOvertime,
    CapacityPlanInput,
    CapacityPlanResult,
    CapacityQueuePlan,
    CapacityRampStep,
    CapacityScenario,
    CapacityServiceTarget,
    CapacityWeekPattern,
    CapacityWorkforce,
    budget_for_target,
    compare_scenarios,
    plan_capacity,
)
from wfm.erlang import combine_shrinkage, required_agents

WEEK_SLOTS = 336
MONTH_WEEKS = 52.0 / 12.0


def week_pattern(rng: np.random.Generator) -> CapacityWeekPattern:
    slot = np.arange(48)
    day_shape = np.exp(-0.5 * ((slot - rng.uniform(20, 30)) / rng.uniform(4, 8)) ** 2)
    day_shape[(slot < 14) | (slot >= 44)] = 0.0  # open 07:00-22:00
    day_weights = np.array([1.1, 1.0, 1.0, 1.0, 0.9, 0.5, 0.3]) * rng.uniform(0.9, 1.1, 7)
    weights = (day_weights[:, None] * day_shape[None, :]).ravel()
    aht = 1.0 + 0.1 * np.sin(np.arange(WEEK_SLOTS) / 20.0)
    return CapacityWeekPattern(
        volume_shares=(weights / weights.sum()).tolist(), aht_factors=aht.tolist()
    )


def build_plan(months: int, queues: int) -> CapacityPlanInput:
    rng = np.random.default_rng(7)
    plans = []
    for index in range(queues):
        level = rng.uniform(5_000, 60_000)
        trend = (1 + rng.uniform(-0.01, 0.02)) ** np.arange(months)
        season = 1 + 0.1 * np.sin(2 * np.pi * np.arange(months) / 12 + rng.uniform(0, 6))
        erlang_a = index % 2 == 1
        plans.append(
            CapacityQueuePlan(
                queue=f"queue_{index:02d}",
                volume=(level * trend * season).tolist(),
                aht_seconds=(rng.uniform(180, 480) * np.ones(months)).tolist(),
                pattern=week_pattern(rng),
                service=CapacityServiceTarget(
                    target_service_level=float(rng.choice([0.8, 0.85, 0.9])),
                    target_seconds=float(rng.choice([20, 30, 60])),
                    max_occupancy=0.9,
                    patience_seconds=180.0 if erlang_a else None,
                    service_level_definition="answered_of_offered" if erlang_a else None,
                    min_agents=1,
                ),
            )
        )
    # Staff on hand: about what the first month needs (offered hours at ~70 % occupancy,
    # grossed up for ~18 % shrinkage), 5 % in training, 15 % under 26 weeks, 80 % senior.
    workload_hours = sum(q.volume[0] * 7 / 31 * q.aht_seconds[0] / 3600 for q in plans)
    staff = workload_hours / 0.7 / (1 - 0.18) / 37.5
    return CapacityPlanInput(
        period="month",
        start_date=date(2027, 1, 1),
        queues=plans,
        workforce=CapacityWorkforce(
            paid_hours_per_week=37.5,
            shrinkage={"breaks": 0.09, "absence": 0.06, "training": 0.04},
            cohorts=[
                CapacityCohort(tenure_weeks=3.0, headcount=round(0.05 * staff)),
                CapacityCohort(tenure_weeks=30.0, headcount=round(0.15 * staff)),
                CapacityCohort(tenure_weeks=200.0, headcount=round(0.80 * staff)),
            ],
            attrition=[
                CapacityAttritionBand(min_tenure_weeks=0.0, rate=0.05, basis="monthly"),
                CapacityAttritionBand(min_tenure_weeks=26.0, rate=0.25, basis="annual"),
            ],
            training_weeks=4.0,
            nesting_weeks=3.0,
            nesting_productivity=0.5,
            ramp=[CapacityRampStep(weeks=4.0, productivity=0.8)],
        ),
        hiring=CapacityHiringPolicy(lead_time_weeks=8.0, max_hires_per_period=40.0),
        overtime=CapacityOvertime(max_fraction=0.05, premium=0.5),
        costs=CapacityCosts(cost_per_paid_hour=32.0, cost_per_hire=6500.0),
    )


def month_days(plan: CapacityPlanInput) -> np.ndarray:
    days = []
    year, month = plan.start_date.year, plan.start_date.month
    for _ in range(plan.n_periods):
        nxt = date(year + month // 12, month % 12 + 1, 1)
        days.append((nxt - date(year, month, 1)).days)
        year, month = nxt.year, nxt.month
    return np.asarray(days, dtype=float)


def direct_required_fte(plan: CapacityPlanInput) -> np.ndarray:
    """Per queue and period: one Erlang call per period, agent-hours summed by hand."""
    days = month_days(plan)
    shrinkage = float(combine_shrinkage(plan.workforce.shrinkage))
    out = np.zeros((len(plan.queues), plan.n_periods))
    for q, queue in enumerate(plan.queues):
        shares = np.asarray(queue.pattern.volume_shares)
        factors = np.asarray(queue.pattern.aht_factors)
        factors = factors / np.sum(shares * factors)
        s = queue.service
        for p in range(plan.n_periods):
            volume = queue.volume[p] / days[p] * 7 * shares
            open_ = shares > 0
            agents = required_agents(
                volume[open_],
                queue.aht_seconds[p] * factors[open_],
                interval_seconds=1800,
                target_service_level=s.target_service_level,
                target_seconds=s.target_seconds,
                max_occupancy=s.max_occupancy,
                patience_seconds=s.patience_seconds,
                service_level_definition=s.service_level_definition,
            )
            hours = np.maximum(agents, s.min_agents).sum() * 0.5
            out[q, p] = hours / ((1 - shrinkage) * plan.workforce.paid_hours_per_week)
    return out


def numeric_productivity(tenure: float, workforce: CapacityWorkforce) -> float:
    """Mean productivity over [tenure, tenure + one month), midpoint rule on 20 000 points."""
    steps = [(workforce.training_weeks, 0.0), (workforce.nesting_weeks, 0.5)]
    steps += [(s.weeks, s.productivity) for s in workforce.ramp]
    grid = tenure + (np.arange(20_000) + 0.5) / 20_000 * MONTH_WEEKS
    level = np.ones_like(grid)
    edge = 0.0
    for weeks, value in steps:
        level[(grid >= edge) & (grid < edge + weeks)] = value
        edge += weeks
    return float(level.mean())


def monthly_survival(tenure: float, workforce: CapacityWorkforce) -> float:
    rate, basis = 0.0, "monthly"
    for band in workforce.attrition:
        if tenure >= band.min_tenure_weeks:
            rate, basis = band.rate, band.basis
    return (1 - rate) if basis == "monthly" else (1 - rate) ** (1 / 12)


def independent_supply(result: CapacityPlanResult) -> tuple[np.ndarray, np.ndarray]:
    plan = result.plan
    hires = result.to_frame()["hires"].to_numpy()
    cohorts = [(c.tenure_weeks, c.headcount, 0) for c in plan.workforce.cohorts]
    cohorts += [(0.0, n, p) for p, n in enumerate(hires) if n > 0]
    headcount = np.zeros(plan.n_periods)
    effective = np.zeros(plan.n_periods)
    for tenure0, people, start in cohorts:
        alive = people
        for p in range(start, plan.n_periods):
            tenure = tenure0 + (p - start) * MONTH_WEEKS
            headcount[p] += alive
            effective[p] += alive * numeric_productivity(tenure, plan.workforce)
            alive *= monthly_survival(tenure, plan.workforce)
    return headcount, effective


def check_budget(plan: CapacityPlanInput, result: CapacityPlanResult, failures: list[str]) -> None:
    """Budget: the answer of budget_for_target reproduces the plan; 5 % less binds visibly."""
    need = budget_for_target(plan)
    again = plan_capacity(plan.model_copy(update={"budget": need.as_budget()})).to_frame()
    frame = result.to_frame()
    check(
        bool(np.allclose(again["hires"], frame["hires"]))
        and bool(np.allclose(again["uncovered_fte"], frame["uncovered_fte"])),
        "planning with budget_for_target's caps changes the plan",
        failures,
    )
    cut = CapacityBudget(max_total_cost=0.95 * need.total_budget)
    tight = plan_capacity(plan.model_copy(update={"budget": cut})).to_frame()
    lowest = float(np.nanmin(tight["service_level"]))
    print(
        f"budget: {need.total_budget:,.0f} meets the plan ({need.total_hires:.0f} hires); "
        f"95 % of it: {tight['hires'].sum():.0f} hires, spent {tight['total_cost'].sum():,.0f}, "
        f"peak uncovered {tight['uncovered_fte'].max():.1f} FTE, lowest monthly SL {lowest:.3f} "
        f"(uncapped {np.nanmin(frame['service_level']):.3f})"
    )
    check(tight["total_cost"].sum() <= cut.max_total_cost + 1e-6, "total cap exceeded", failures)
    if tight["hires"].sum() < frame["hires"].sum():
        check(tight["uncovered_fte"].sum() > frame["uncovered_fte"].sum(), "cap hidden", failures)
        check(lowest < float(np.nanmin(frame["service_level"])), "cap costs no SL", failures)


def check(condition: bool, message: str, failures: list[str]) -> None:
    if not condition:
        failures.append(message)
        print(f"WRONG: {message}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    months, queues = (18, 20) if args.full else (6, 4)
    plan = build_plan(months, queues)
    failures: list[str] = []

    # Baseline for the timing ratio: the bare Erlang sizing of the same intervals
    # (one vectorised required_agents call per queue, no planning around it).
    days = month_days(plan)
    began = time.perf_counter()
    for queue in plan.queues:
        shares = np.asarray(queue.pattern.volume_shares)
        volume = (np.asarray(queue.volume) * 7 / days)[:, None] * shares[None, :]
        aht = np.asarray(queue.aht_seconds)[:, None] * np.ones_like(shares)[None, :]
        busy = volume > 0
        s = queue.service
        required_agents(
            volume[busy],
            aht[busy],
            target_service_level=s.target_service_level,
            target_seconds=s.target_seconds,
            max_occupancy=s.max_occupancy,
            patience_seconds=s.patience_seconds,
            service_level_definition=s.service_level_definition,
        )
    erlang_seconds = time.perf_counter() - began

    began = time.perf_counter()
    result = plan_capacity(plan)
    plan_seconds = time.perf_counter() - began
    scenarios = {
        "AHT +10%": CapacityScenario(aht_change=0.10),
        "volume +10%": CapacityScenario(volume_change=0.10),
        "SL 90/20": CapacityScenario(target_service_level=0.9, target_seconds=20.0),
        "shrinkage +3 pts": CapacityScenario(shrinkage_points=0.03),
        "attrition x1.5": CapacityScenario(attrition_factor=1.5),
    }
    began = time.perf_counter()
    table = compare_scenarios(result, scenarios)
    scenario_seconds = time.perf_counter() - began

    intervals = months * queues * WEEK_SLOTS
    summary = result.summary()
    print(f"plan: {months} months x {queues} queues ({intervals:,} representative intervals)")
    print(
        f"plan_capacity: {plan_seconds:.2f} s = {plan_seconds / erlang_seconds:.2f} x the bare "
        f"Erlang sizing of the same intervals ({erlang_seconds:.2f} s)"
    )
    print(f"compare_scenarios ({len(scenarios)} scenarios): {scenario_seconds:.2f} s")
    print(
        f"baseline: {summary['total_hires']:.0f} hires, budget {summary['total_cost']:,.0f}, "
        f"average required FTE {summary['average_required_fte']:.1f}, headcount "
        f"{summary['starting_headcount']:.1f} -> {summary['ending_headcount']:.1f}, "
        f"periods uncovered {summary['periods_uncovered']}"
    )
    for name in scenarios:
        row = table.loc[name]
        print(
            f"  {name:<17} FTE {row['delta_average_required_fte']:+7.1f}  hires "
            f"{row['delta_total_hires']:+5.0f}  budget {row['delta_total_cost']:+14,.0f} "
            f"({row['delta_total_cost_fraction']:+.1%})"
        )

    try:
        import pyworkforce  # noqa: F401
    except ImportError:
        print("pyworkforce comparison skipped: pyworkforce is not installed in this environment")
    else:
        print(
            "pyworkforce comparison skipped: pyworkforce has no long-range capacity planner "
            "(its per-interval Erlang C is compared in bench_erlang)"
        )

    # --- correctness ---
    direct = direct_required_fte(plan)
    engine = result.queue_frame()["required_fte"].to_numpy().reshape(queues, months)
    check(
        np.allclose(engine, direct, rtol=1e-12), "required FTE differs from direct Erlang", failures
    )
    frame = result.to_frame()
    check(
        np.allclose(frame["required_fte"], direct.sum(axis=0), rtol=1e-12),
        "total required FTE is not the sum of queues",
        failures,
    )
    headcount, effective = independent_supply(result)
    check(np.allclose(frame["headcount"], headcount, rtol=1e-9), "headcount roll-forward", failures)
    # The midpoint rule misplaces each productivity step edge by < 1/20 000 of a month, and
    # at most 3 edges fall inside a month: error <= 3 / 20 000 per person.
    check(
        bool(np.all(np.abs(frame["effective_fte"] - effective) <= 3 / 20_000 * headcount + 1e-9)),
        "effective FTE roll-forward",
        failures,
    )
    covered = frame["effective_fte"] + frame["overtime_fte"] + frame["uncovered_fte"]
    check(bool(np.all(covered >= frame["required_fte"] - 1e-6)), "supply does not cover", failures)
    costs = frame["staff_cost"] + frame["overtime_cost"] + frame["hiring_cost"]
    check(np.allclose(costs, frame["total_cost"]), "costs do not add up", failures)
    check(summary["total_cost"] == float(frame["total_cost"].sum()), "budget total", failures)
    check(bool(np.all(frame["hires"] >= 0)), "negative hires", failures)
    base = table.loc["baseline"]
    for name in ("AHT +10%", "volume +10%", "shrinkage +3 pts"):
        check(table.loc[name, "delta_average_required_fte"] > 0, f"{name} lowers FTE", failures)
    sl_direct = plan_capacity(scenarios["SL 90/20"].apply(plan)).to_frame()["required_fte"]
    sl_base = CapacityScenario(target_seconds=20.0).apply(plan)
    check(
        bool(np.all(sl_direct >= plan_capacity(sl_base).to_frame()["required_fte"] - 1e-9)),
        "raising the SL target lowered required FTE",
        failures,
    )
    check(table.loc["attrition x1.5", "total_hires"] >= base["total_hires"], "attrition", failures)
    deltas = table["total_cost"] - base["total_cost"]
    check(np.allclose(table["delta_total_cost"], deltas), "scenario deltas", failures)
    check_budget(plan, result, failures)
    print("results: " + ("WRONG" if failures else "all checks passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
