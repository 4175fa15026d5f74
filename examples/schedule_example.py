"""Schedule one week of the bundled Israeli bank call centre, then roster named agents.

1. Requirement: agents needed per half-hour for 80% of calls answered within 20 s
   (Erlang C, ``wfm.erlang.required_agents``) from the bundled January 1999 intervals.
2. Shift scheduling: full-time and part-time templates with breaks and a lunch.
3. A named roster for 26 agents with contracts and two consecutive days off.
Prints coverage, the solver's proof (bound and gap) and a text Gantt chart.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

import wfm
from wfm.schedule import (
    Agent,
    BreakRule,
    ScheduleRules,
    ShiftTemplate,
    SolverSettings,
    make_schedule,
)

intervals = wfm.datasets.israel_bank_intervals(30)
week = intervals[
    (intervals["interval_start"] >= "1999-01-03") & (intervals["interval_start"] < "1999-01-10")
].copy()
volume = week["volume"].to_numpy(dtype=float)
aht = week["aht_seconds"].to_numpy(dtype=float)
has_calls = volume > 0
required = np.zeros(len(week), dtype=np.int64)
required[has_calls] = wfm.erlang.required_agents(
    volume[has_calls], aht[has_calls], target_service_level=0.8, target_seconds=20
)
week["required_agents"] = required
print(f"week of {len(week)} half-hours, peak requirement {required.max()} agents")

templates = [
    ShiftTemplate(
        name="FT8",
        earliest_start=dt.time(7),
        latest_start=dt.time(14),
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
    ),
    ShiftTemplate(
        name="PT4",
        earliest_start=dt.time(7),
        latest_start=dt.time(20),
        paid_minutes=(240, 300),
        cost_per_paid_hour=1.1,
        breaks=(BreakRule(length_minutes=15, earliest_start_minutes=90, latest_start_minutes=150),),
    ),
]
rules = ScheduleRules(under_cost_per_agent_hour=5.0, over_cost_per_agent_hour=0.1)
settings = SolverSettings(time_limit_seconds=3, mip_gap=0.02)

shifts = make_schedule(week, templates, rules=rules, settings=settings)
print("\nShift scheduling (no names):")
print(shifts.summary())

agents = [
    Agent(
        agent=f"agent_{i:02d}",
        templates=("FT8",) if i < 16 else ("PT4",),
        min_weekly_hours=24 if i < 16 else 8,
        max_weekly_hours=40 if i < 16 else 25,
        preferred_days_off=(4, 5) if i % 2 else (5, 6),
    )
    for i in range(26)
]
roster = make_schedule(
    week,
    templates,
    agents,
    rules=rules.model_copy(update={"on_infeasible": "return"}),
    settings=settings.model_copy(update={"time_limit_seconds": 6}),
)
print("\nNamed roster:")
print(roster.summary())
print("conflicts:", roster.conflicts or "none")
busiest = roster.coverage.sort_values("required_agents").tail(5)
print("\nBusiest intervals (required vs scheduled, projected service level):")
print(busiest.drop(columns=["queue"]).to_string(index=False))
print()
print(roster.gantt(day="1999-01-04", max_agents=12))
print("\nPer-agent hours and fairness:")
print(
    roster.agents[
        ["agent", "paid_hours", "shifts", "weekend_shifts", "unsocial_shifts", "preference_misses"]
    ].to_string(index=False)
)
