"""A night shift that runs past midnight before a day off: an agent's segments never overlap."""

import datetime as dt

import numpy as np
import pandas as pd

from wfm.schedule import Agent, ScheduleRules, ShiftTemplate, SolverSettings, make_schedule

TZ = "Asia/Jerusalem"


def test_off_day_starts_when_the_previous_nights_shift_ends(validate_roster) -> None:
    index = pd.date_range("1999-01-25", periods=3 * 48, freq="30min", tz=TZ)
    hour = index.hour + index.minute / 60
    # one agent needed 20:00-02:00 on the first night only
    need = np.where(((index.day == 25) & (hour >= 20)) | ((index.day == 26) & (hour < 2)), 1.0, 0.0)
    night = ShiftTemplate(
        name="night",
        earliest_start=dt.time(20),
        latest_start=dt.time(20),
        paid_minutes=(360,),
    )
    rules = ScheduleRules(consecutive_days_off=0)
    agents = [Agent(agent="ann", max_weekly_hours=40)]
    result = make_schedule(
        pd.Series(need, index=index),
        [night],
        agents,
        rules=rules,
        settings=SolverSettings(time_limit_seconds=10),
    )
    segments = result.segments.sort_values("start").reset_index(drop=True)
    work = segments[segments["activity"] == "work"]
    assert len(work) == 1
    assert work["end"].iloc[0] == pd.Timestamp("1999-01-26 02:00", tz=TZ)
    off = segments[segments["activity"] == "off"]
    assert off["start"].min() == pd.Timestamp("1999-01-26 02:00", tz=TZ)
    assert validate_roster(result, agents, [night], rules) == []
    # no overlaps anywhere in the agent's day
    assert (segments["start"].iloc[1:].to_numpy() >= segments["end"].iloc[:-1].to_numpy()).all()
