import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.schedule import (
    Agent,
    BreakRule,
    ScheduleRules,
    ShiftTemplate,
    SolverSettings,
    build_roster,
    schedule_shifts,
)

TEMPLATE = ShiftTemplate(
    name="T6",
    earliest_start=dt.time(6),
    latest_start=dt.time(14),
    paid_minutes=(360,),
    min_gap_minutes=30,
    breaks=(
        BreakRule(length_minutes=15, earliest_start_minutes=60, latest_start_minutes=120),
        BreakRule(
            length_minutes=30,
            earliest_start_minutes=180,
            latest_start_minutes=240,
            activity="lunch",
            paid=False,
        ),
    ),
)


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    levels=st.lists(st.integers(min_value=0, max_value=6), min_size=24, max_size=24),
    tz=st.sampled_from(["UTC", "America/New_York", "Asia/Jerusalem"]),
)
def test_any_requirement_gives_consistent_schedule(levels, tz, recompute_coverage):
    index = pd.date_range("2024-05-07", periods=48, freq="30min", tz=tz)
    values = np.zeros(48)
    values[14:38] = levels
    result = schedule_shifts(
        pd.Series(values, index=index),
        [TEMPLATE],
        settings=SolverSettings(time_limit_seconds=2, mip_gap=0.05),
    )
    np.testing.assert_allclose(
        recompute_coverage(result.segments, result.coverage),
        result.coverage["scheduled_agents"],
        atol=1e-9,
    )
    assert result.best_bound <= result.objective + 1e-6
    # every break lies inside its window and shifts are 6.5 real hours
    for _, shift in result.segments.groupby("shift_id"):
        start, end = shift["start"].min(), shift["end"].max()
        assert end - start == pd.Timedelta(minutes=390)
        for row in shift.itertuples():
            offset = (row.start - start) / pd.Timedelta(minutes=1)
            if row.activity == "break":
                assert 60 <= offset <= 120
            elif row.activity == "lunch":
                assert 180 <= offset <= 240
    # the reported coverage costs equal a recomputation from the coverage frame
    hours = 0.5
    under = (result.coverage["under_agents"] * hours).sum()
    over = (result.coverage["over_agents"] * hours).sum()
    assert (
        result.coverage_cost == np.float64(under * 50.0 + over * 1.0).round(9)
        or abs(result.coverage_cost - (under * 50.0 + over * 1.0)) < 1e-6
    )


def test_locked_shift_is_kept_when_replanning(validate_roster):
    index = pd.date_range("2024-05-06", periods=7 * 48, freq="30min", tz="UTC")
    hour = index.hour
    need = pd.Series(np.where((hour >= 8) & (hour < 16), 2.0, 0.0), index=index)
    plain = ShiftTemplate(
        name="D8",
        earliest_start=dt.time(7),
        latest_start=dt.time(10),
        start_step_minutes=60,
        paid_minutes=(480,),
    )
    agents = [Agent(agent=f"a{i}", max_weekly_hours=40) for i in range(4)]
    locked = pd.DataFrame(
        {
            "agent": ["a3"],
            "template": ["D8"],
            "start": [pd.Timestamp("2024-05-08 07:00", tz="UTC")],
            "end": [pd.Timestamp("2024-05-08 15:00", tz="UTC")],
        }
    )
    result = build_roster(
        need, [plain], agents, locked=locked, settings=SolverSettings(time_limit_seconds=4)
    )
    mine = result.segments[
        (result.segments["agent"] == "a3") & (result.segments["activity"] == "work")
    ]
    assert (mine["start"] == locked["start"][0]).any()
    assert (mine.loc[mine["start"] == locked["start"][0], "end"] == locked["end"][0]).all()
    assert validate_roster(result, agents, [plain], ScheduleRules()) == []


def test_two_queues_respect_skills(recompute_coverage, validate_roster):
    index = pd.date_range("2024-05-06", periods=48, freq="30min", tz="Europe/Paris")
    rows = []
    for queue, level in (("sales", 2.0), ("support", 1.0)):
        need = np.where((index.hour >= 9) & (index.hour < 17), level, 0.0)
        rows.append(
            pd.DataFrame({"queue": queue, "interval_start": index, "required_agents": need})
        )
    frame = pd.concat(rows, ignore_index=True)
    templates = [
        ShiftTemplate(
            name=f"{q}8",
            earliest_start=dt.time(8),
            latest_start=dt.time(10),
            paid_minutes=(480,),
            queue=q,
        )
        for q in ("sales", "support")
    ]
    agents = [Agent(agent=f"s{i}", skills=("sales",)) for i in range(3)] + [
        Agent(agent=f"u{i}", skills=("support",)) for i in range(2)
    ]
    result = build_roster(frame, templates, agents, settings=SolverSettings(time_limit_seconds=4))
    work = result.segments[result.segments["activity"] == "work"]
    assert set(work.loc[work["agent"].str.startswith("s"), "queue"]) <= {"sales"}
    assert set(work.loc[work["agent"].str.startswith("u"), "queue"]) <= {"support"}
    np.testing.assert_allclose(
        recompute_coverage(result.segments, result.coverage), result.coverage["scheduled_agents"]
    )
    assert result.coverage["under_agents"].sum() == 0
    assert validate_roster(result, agents, templates, ScheduleRules()) == []
