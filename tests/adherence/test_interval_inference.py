"""compute_adherence infers the interval length from the shifts, as other stages do."""

import pandas as pd
import pytest

from wfm.adherence import compute_adherence
from wfm.core import InputError

TZ = "Europe/London"


def _frame(rows: list[tuple[str, str, str, str]], day: str = "2024-03-31") -> pd.DataFrame:
    def stamp(clock: str) -> pd.Timestamp:
        return pd.Timestamp(f"{day} {clock}", tz=TZ)

    return pd.DataFrame(
        {
            "agent": [r[0] for r in rows],
            "activity": [r[1] for r in rows],
            "start": [stamp(r[2]) for r in rows],
            "end": [stamp(r[3]) for r in rows],
        }
    )


def _events(day: str = "2024-03-31") -> pd.DataFrame:
    return pd.DataFrame(
        {"agent": ["a"], "state": ["Available"], "start": [pd.Timestamp(f"{day} 09:00", tz=TZ)]}
    )


def _interval_count(schedule: pd.DataFrame, **kwargs: object) -> int:
    result = compute_adherence(schedule, _events(), **kwargs)  # type: ignore[arg-type]
    return len(result.aggregate("interval"))


def test_breaks_off_the_grid_do_not_shrink_the_interval() -> None:
    # 30-minute planning with a 15-minute break: the shift's ends decide. The day is the
    # spring-forward Sunday in London (23 hours), so 46 half-hours.
    schedule = _frame(
        [
            ("a", "work", "09:00", "10:00"),
            ("a", "break", "10:00", "10:15"),
            ("a", "work", "10:15", "17:30"),
        ]
    )
    assert _interval_count(schedule) == 46


def test_shifts_on_quarter_hours_give_15_minute_intervals() -> None:
    schedule = _frame([("a", "work", "09:15", "12:00"), ("b", "work", "10:00", "13:45")])
    assert _interval_count(schedule) == 92


def test_shifts_on_whole_hours_keep_30_minute_intervals_and_odd_ones_fall_back_to_30() -> None:
    assert _interval_count(_frame([("a", "work", "09:00", "17:00")])) == 46
    assert _interval_count(_frame([("a", "work", "09:07", "17:00")])) == 46


def test_an_explicit_interval_is_used_and_validated() -> None:
    schedule = _frame([("a", "work", "09:15", "12:00")])
    assert _interval_count(schedule, interval_minutes=60) == 23
    with pytest.raises(InputError, match="interval_minutes=7"):
        _interval_count(schedule, interval_minutes=7)
