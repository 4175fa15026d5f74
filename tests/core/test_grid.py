import pandas as pd
import pytest

from wfm.core import InputError, IntervalGrid, make_interval_grid


@pytest.mark.parametrize(
    ("day", "tz", "expected"),
    [
        ("2024-03-31", "Europe/London", 46),  # clocks go forward 01:00 -> 02:00 GMT/BST
        ("2024-10-27", "Europe/London", 50),  # clocks go back 02:00 -> 01:00
        ("2024-03-10", "America/New_York", 46),
        ("2024-11-03", "America/New_York", 50),
        ("2024-06-12", "Europe/London", 48),
    ],
)
def test_dst_days_have_46_or_50_half_hours(day: str, tz: str, expected: int) -> None:
    start = pd.Timestamp(day)
    grid = IntervalGrid.from_range(start, start + pd.Timedelta(days=1), tz=tz)
    # a naive end of the next day's midnight is read in local time, so the span is the local day
    assert len(grid) == expected
    assert len(grid.starts) == expected
    assert grid.starts.tz is not None
    assert (grid.starts.to_series().diff().dropna() == pd.Timedelta(minutes=30)).all()
    assert grid.intervals_per_day().tolist() == [expected]


def test_fall_back_day_repeats_the_wall_clock_hour_with_distinct_offsets() -> None:
    idx = make_interval_grid("2024-10-27", "2024-10-28", tz="Europe/London")
    one_am = idx[(idx.hour == 1) & (idx.minute == 0)]
    assert len(one_am) == 2
    assert one_am[0].utcoffset() != one_am[1].utcoffset()


@pytest.mark.parametrize("minutes", [15, 30, 60])
def test_ordinary_day_interval_counts(minutes: int) -> None:
    idx = make_interval_grid(
        "2024-01-10", "2024-01-11", interval_minutes=minutes, tz="Asia/Jerusalem"
    )
    assert len(idx) == 24 * 60 // minutes
    assert str(idx.tz) == "Asia/Jerusalem"


def test_aware_inputs_are_converted_to_site_zone() -> None:
    start = pd.Timestamp("2024-01-10 08:00", tz="UTC")
    grid = IntervalGrid.from_range(start, start + pd.Timedelta(hours=2), tz="America/New_York")
    assert grid.starts[0].hour == 3
    assert len(grid) == 4


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"tz": "Mars/Olympus"}, "tz='Mars/Olympus'"),
        ({"interval_minutes": 7}, "interval_minutes=7"),
    ],
)
def test_bad_grid_arguments_name_the_field(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(InputError, match=fragment.replace("(", r"\(")):
        IntervalGrid.from_range("2024-01-01", "2024-01-02", **kwargs)  # type: ignore[arg-type]


def test_end_before_start_is_rejected() -> None:
    with pytest.raises(InputError, match="not after start"):
        make_interval_grid("2024-01-02", "2024-01-01")


def test_span_not_multiple_of_interval_is_rejected() -> None:
    with pytest.raises(InputError, match="whole number"):
        make_interval_grid("2024-01-01 00:00", "2024-01-01 00:45")


def test_nonexistent_local_time_is_rejected_with_fix() -> None:
    with pytest.raises(InputError, match="DST"):
        make_interval_grid("2024-03-31 01:30", "2024-03-31 05:00", tz="Europe/London")
