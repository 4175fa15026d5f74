import datetime as dt

import pytest

from wfm.core import InputError
from wfm.schedule import Agent, BreakRule, ScheduleRules, ShiftTemplate, SolverSettings


def _full_time() -> ShiftTemplate:
    return ShiftTemplate(
        name="FT8",
        earliest_start=dt.time(6),
        latest_start=dt.time(14),
        paid_minutes=(480,),
        days=(0, 1, 2, 3, 4),
        cost_per_paid_hour=20.0,
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
        min_gap_minutes=30,
    )


@pytest.mark.parametrize(
    "model",
    [
        _full_time(),
        Agent(agent="a1", min_weekly_hours=20, max_weekly_hours=30, available_from=dt.time(8)),
        ScheduleRules(seat_limit=10, unsocial_after=dt.time(20, 30)),
        SolverSettings(solver="highs", mip_gap=0.02),
    ],
)
def test_models_round_trip_through_json(model):
    again = type(model).model_validate_json(model.model_dump_json())
    assert again == model


def test_elapsed_length_adds_unpaid_breaks_only():
    template = _full_time()
    assert template.elapsed_minutes(480) == 510
    assert template.start_minutes_of_day()[:3] == (360, 390, 420)


def test_models_are_frozen_and_forbid_extra_fields():
    template = _full_time()
    with pytest.raises(ValueError, match="frozen"):
        template.name = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="extra"):
        ShiftTemplate.model_validate({**template.model_dump(), "colour": "red"})


def test_break_window_that_cannot_fit_is_named():
    template = ShiftTemplate(
        name="short",
        earliest_start=dt.time(9),
        latest_start=dt.time(9),
        paid_minutes=(240,),
        breaks=(
            BreakRule(length_minutes=30, earliest_start_minutes=200, latest_start_minutes=230),
        ),
    )
    with pytest.raises(InputError, match=r"breaks\[0\].*shift end at minute 240"):
        template.check()


def test_overlapping_break_windows_are_rejected():
    template = ShiftTemplate(
        name="overlap",
        earliest_start=dt.time(9),
        latest_start=dt.time(9),
        paid_minutes=(480,),
        breaks=(
            BreakRule(length_minutes=15, earliest_start_minutes=60, latest_start_minutes=180),
            BreakRule(length_minutes=15, earliest_start_minutes=120, latest_start_minutes=240),
        ),
    )
    with pytest.raises(InputError, match=r"breaks\[1\]\.earliest_start_minutes=120"):
        template.check()


def test_agent_min_hours_above_max_is_named():
    with pytest.raises(InputError, match="min_weekly_hours=45"):
        Agent(agent="x", min_weekly_hours=45, max_weekly_hours=40).check()


def test_latest_start_before_earliest_is_named():
    with pytest.raises(InputError, match="latest_start=08:00"):
        ShiftTemplate(
            name="t", earliest_start=dt.time(9), latest_start=dt.time(8), paid_minutes=(240,)
        ).check()
