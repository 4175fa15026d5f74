"""An 18-month capacity plan for the bundled Israeli bank call centre, with what-ifs.

Inputs taken from the data (January 1999, Asia/Jerusalem):

* the representative week: each half-hour's share of the week's calls and its relative
  handle time, from ``wfm.datasets.israel_bank_intervals(30)``;
* the volume level (calls per day) and the average handle time of January;
* the mean customer patience, estimated from the call records as total time spent
  waiting in queue divided by the number of callers who hung up while waiting (the
  maximum-likelihood estimate for exponential patience with censored waits), so the
  requirement uses Erlang A.

Assumptions (stated, not from the data): volume grows 1 % a month from February 1999;
AHT stays at January's level; target 80 % of calls answered within 20 s, counting
abandons as failures; occupancy at most 90 %; shrinkage 10 % breaks + 5 % training and
meetings + 5 % absence; 40 paid hours per FTE per week; the centre has the staff it needs
in February; current staff by tenure as below; attrition 45 % a year in the first 26 weeks
and 20 % a year after; hires start 6 weeks after the decision, train 3 weeks, nest 3 weeks
at 50 % and reach full productivity after 4 more weeks at 80 %; overtime up to 5 % at time
and a half; 120 ILS per paid hour all in and 8 000 ILS per hire.

Prints the hiring plan, the total budget and a what-if table; writes capacity_plan.png
(if matplotlib is installed) to the current directory.
"""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import pandas as pd

import wfm
from wfm.capacity import (
    CapacityAttritionBand,
    CapacityCohort,
    CapacityCosts,
    CapacityHiringPolicy,
    CapacityOvertime,
    CapacityPlanInput,
    CapacityQueuePlan,
    CapacityRampStep,
    CapacityScenario,
    CapacityWorkforce,
    capacity_period_totals,
    capacity_week_patterns,
    compare_scenarios,
    plan_capacity,
)

MONTHS = 18
MONTHLY_GROWTH = 0.01
START = date(1999, 2, 1)


def mean_patience_seconds(calls: pd.DataFrame) -> float:
    """Total queue time of callers who waited / number who hung up while waiting."""
    waited = calls[calls["q_time"] > 0]
    abandoned = int((waited["outcome"] == "HANG").sum())
    return float(waited["q_time"].sum() / abandoned)


def month_days(start: date, months: int) -> np.ndarray:
    edges = pd.date_range(start, periods=months + 1, freq="MS")
    return np.diff(edges).astype("timedelta64[D]").astype(float)


def main() -> None:
    began = time.perf_counter()
    intervals = wfm.datasets.israel_bank_intervals(30)
    pattern = capacity_week_patterns(intervals)["anonymous_bank"]
    january = capacity_period_totals(intervals, "month").iloc[0]
    calls_per_day = january["volume"] / january["days"]
    patience = mean_patience_seconds(wfm.datasets.load_israel_bank_calls())
    days = month_days(START, MONTHS)
    volume = calls_per_day * days * (1 + MONTHLY_GROWTH) ** np.arange(1, MONTHS + 1)
    print(
        f"January 1999: {calls_per_day:.0f} calls a day, AHT {january['aht_seconds']:.0f} s, "
        f"mean patience {patience:.0f} s (estimated from the abandonments)"
    )

    plan = CapacityPlanInput(
        period="month",
        start_date=START,
        queues=[
            CapacityQueuePlan(
                queue="anonymous_bank",
                volume=volume.tolist(),
                aht_seconds=[float(january["aht_seconds"])] * MONTHS,
                pattern=pattern,
                service=wfm.ServiceTarget(
                    target_service_level=0.8,
                    target_seconds=20.0,
                    max_occupancy=0.9,
                    patience_seconds=patience,
                    service_level_definition="answered_of_offered",
                    min_agents=1,
                ),
            )
        ],
        workforce=CapacityWorkforce(
            paid_hours_per_week=40.0,
            shrinkage={"breaks": 0.10, "training and meetings": 0.05, "absence": 0.05},
            cohorts=[
                CapacityCohort(tenure_weeks=8.0, headcount=2.0),
                CapacityCohort(tenure_weeks=40.0, headcount=5.0),
                CapacityCohort(tenure_weeks=150.0, headcount=12.0),
            ],
            attrition=[
                CapacityAttritionBand(min_tenure_weeks=0.0, rate=0.45, basis="annual"),
                CapacityAttritionBand(min_tenure_weeks=26.0, rate=0.20, basis="annual"),
            ],
            training_weeks=3.0,
            nesting_weeks=3.0,
            nesting_productivity=0.5,
            ramp=[CapacityRampStep(weeks=4.0, productivity=0.8)],
        ),
        hiring=CapacityHiringPolicy(lead_time_weeks=6.0),
        overtime=CapacityOvertime(max_fraction=0.05, premium=0.5),
        costs=CapacityCosts(cost_per_paid_hour=120.0, cost_per_hire=8000.0),
    )
    result = plan_capacity(plan)
    summary = result.summary()
    frame = result.to_frame()
    shown = frame[
        ["period_start", "required_fte", "headcount", "effective_fte", "hires", "total_cost"]
    ]
    with pd.option_context("display.width", 120, "display.float_format", "{:,.1f}".format):
        print("\nPer month:")
        print(shown.to_string(index=False))
        print("\nHiring plan (decide on / start on / people):")
        print(result.hiring_plan().to_string(index=False))
    print(
        f"\nHow many more people: {summary['total_hires']:.0f} hires over {MONTHS} months "
        f"(headcount {summary['starting_headcount']:.1f} -> {summary['ending_headcount']:.1f})"
    )
    print(
        f"How much budget: {summary['total_cost']:,.0f} ILS "
        f"(staff {summary['staff_cost']:,.0f}, overtime {summary['overtime_cost']:,.0f}, "
        f"hiring {summary['hiring_cost']:,.0f})"
    )

    table = compare_scenarios(
        result,
        {
            "AHT +10%": CapacityScenario(aht_change=0.10),
            "volume +15%": CapacityScenario(volume_change=0.15),
            "SL 90/20": CapacityScenario(target_service_level=0.9),
            "shrinkage +5 pts": CapacityScenario(shrinkage_points=0.05),
            "attrition x1.5": CapacityScenario(attrition_factor=1.5),
        },
    )
    columns = [
        "average_required_fte",
        "total_hires",
        "total_cost",
        "delta_average_required_fte",
        "delta_total_hires",
        "delta_total_cost",
        "delta_total_cost_fraction",
    ]
    with pd.option_context("display.width", 160, "display.float_format", "{:,.2f}".format):
        print("\nWhat if (against the locked baseline):")
        print(table[columns].to_string())

    try:
        figure = wfm.capacity.plot_capacity_plan(result)
    except wfm.MissingDependencyError as error:
        print(f"\nplot skipped: {error}")
    else:
        figure.savefig("capacity_plan.png", dpi=100)
        print("\nwrote capacity_plan.png")
    print(f"done in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
