import datetime as dt

import numpy as np
import pandas as pd
import pytest

from wfm.core import InfeasibleError, InputError
from wfm.schedule import (
    Agent,
    BreakRule,
    ScheduleRules,
    ShiftTemplate,
    SolverSettings,
    build_roster,
    make_schedule,
)

TZ = "Europe/Berlin"


def _week_requirement(peak=3.0, start="2024-06-03"):
    index = pd.date_range(start, periods=7 * 48, freq="30min", tz=TZ)
    hour = index.hour + index.minute / 60
    need = np.where((hour >= 8) & (hour < 20), peak, 0.0)
    need = np.where(index.day_of_week >= 5, np.ceil(need / 2), need)
    return pd.Series(need, index=index)


EARLY_LATE = (
    ShiftTemplate(
        name="FT8",
        earliest_start=dt.time(7),
        latest_start=dt.time(12),
        start_step_minutes=60,
        paid_minutes=(480,),
        breaks=(
            BreakRule(
                length_minutes=30,
                earliest_start_minutes=180,
                latest_start_minutes=270,
                step_minutes=30,
                activity="lunch",
                paid=False,
            ),
        ),
    ),
    ShiftTemplate(
        name="PT4",
        earliest_start=dt.time(8),
        latest_start=dt.time(16),
        start_step_minutes=60,
        paid_minutes=(240,),
        cost_per_paid_hour=1.1,
    ),
)


def _agents():
    out = []
    for i in range(8):
        full = i < 5
        out.append(
            Agent(
                agent=f"a{i}",
                templates=("FT8",) if full else ("PT4",),
                min_weekly_hours=24 if full else 8,
                max_weekly_hours=40 if full else 20,
                available_days=(0, 1, 2, 3, 4, 5, 6) if i % 3 else (0, 1, 2, 3, 4),
                available_from=dt.time(7) if i != 6 else dt.time(12),
                preferred_days_off=(6,) if i == 1 else (),
                preferred_start="early" if i == 2 else None,
            )
        )
    return out


@pytest.fixture(scope="module")
def roster():
    rules = ScheduleRules(max_consecutive_days=5, start_tolerance_minutes=120)
    settings = SolverSettings(time_limit_seconds=6, mip_gap=0.02)
    agents = _agents()
    result = build_roster(_week_requirement(), EARLY_LATE, agents, rules=rules, settings=settings)
    return result, agents, rules


def test_roster_breaks_no_rule(roster, validate_roster):
    result, agents, rules = roster
    assert result.conflicts == {}
    assert validate_roster(result, agents, EARLY_LATE, rules) == []


def test_roster_coverage_matches_segments(roster, recompute_coverage):
    result, _, _ = roster
    recomputed = recompute_coverage(result.segments, result.coverage)
    np.testing.assert_allclose(recomputed, result.coverage["scheduled_agents"], atol=1e-9)


def test_roster_reports_gap_to_tour_bound_and_agent_summary(roster):
    result, agents, _ = roster
    assert result.best_bound <= result.objective + 1e-6
    assert result.gap == pytest.approx((result.objective - result.best_bound) / result.objective)
    assert len(result.solves) == 2
    assert not result.is_optimal or result.gap == 0
    frame = result.agents
    assert list(frame["agent"]) == [a.agent for a in agents]
    assert {
        "paid_hours",
        "weekend_shifts",
        "unsocial_shifts",
        "weekend_excess",
        "preference_misses",
    } <= set(frame.columns)
    worked = result.segments[result.segments["activity"] == "work"]
    assert set(worked["agent"]) <= {a.agent for a in agents}


def test_off_segments_fill_days_without_shift(roster):
    result, agents, _ = roster
    seg = result.segments
    for agent in agents:
        mine = seg[seg["agent"] == agent.agent]
        days_on = set(mine.loc[mine["activity"] != "off", "start"].dt.tz_convert(TZ).dt.date)
        days_off = set(mine.loc[mine["activity"] == "off", "start"].dt.tz_convert(TZ).dt.date)
        assert not days_on & days_off
        assert len(days_on | days_off) == 7


def test_unreachable_contract_hours_named_with_amount():
    # a0 needs 40 h but may only work Monday and Tuesday (2 x 8 h): short by 24 h.
    agents = [
        Agent(
            agent="a0",
            templates=("FT8",),
            min_weekly_hours=40,
            max_weekly_hours=40,
            available_days=(0, 1),
        ),
        *[Agent(agent=f"b{i}", templates=("FT8",), max_weekly_hours=40) for i in range(3)],
    ]
    with pytest.raises(InfeasibleError) as info:
        build_roster(
            _week_requirement(peak=1),
            EARLY_LATE[:1],
            agents,
            rules=ScheduleRules(start_tolerance_minutes=None),
            settings=SolverSettings(time_limit_seconds=5),
        )
    assert info.value.conflicts == {"contract_min_hours[a0]": pytest.approx(24.0)}


def test_unknown_skill_and_template_are_named():
    with pytest.raises(InputError, match="skills=\\['billing'\\]"):
        build_roster(_week_requirement(), EARLY_LATE, [Agent(agent="x", skills=("billing",))])
    with pytest.raises(InputError, match="unknown template"):
        build_roster(_week_requirement(), EARLY_LATE, [Agent(agent="x", templates=("night",))])


def test_make_schedule_routes_to_shifts_without_agents():
    result = make_schedule(
        _week_requirement().iloc[:96], EARLY_LATE, settings=SolverSettings(time_limit_seconds=5)
    )
    assert result.segments["agent"].str.startswith("shift-").all()
    assert len(result.solves) == 1
