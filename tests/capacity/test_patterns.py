"""Representative week and period totals from interval frames, including DST weeks."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from wfm.capacity import capacity_period_totals, capacity_week_patterns
from wfm.core import InputError, make_interval_grid


def _frame(start: str, end: str, tz: str, volume_of) -> pd.DataFrame:
    starts = make_interval_grid(start, end, tz=tz)
    volume = np.array([volume_of(t) for t in starts], dtype=float)
    return pd.DataFrame(
        {
            "queue": "q",
            "interval_start": starts,
            "volume": volume,
            "aht_seconds": np.where(volume > 0, 200.0 + 100.0 * (starts.hour >= 12), np.nan),
        }
    )


def test_week_pattern_averages_each_weekday_over_its_own_dates() -> None:
    # 1-10 Jan 2027 (Fri 1 Jan): Fri, Sat, Sun occur twice, other days once. Volume is 10
    # per interval 09:00-10:00 on weekdays, 0 otherwise, except a doubled second Friday.
    def volume_of(t: pd.Timestamp) -> float:
        if t.day_of_week >= 5 or t.hour != 9:
            return 0.0
        return 20.0 if t.day == 8 else 10.0

    frame = _frame("2027-01-01", "2027-01-11", "Europe/London", volume_of)
    pattern = capacity_week_patterns(frame)["q"]
    shares = np.asarray(pattern.volume_shares)
    assert shares.size == 336
    assert shares.sum() == pytest.approx(1.0)
    # Mon-Thu 09:00 and 09:30 mean 10; Friday mean (10 + 20) / 2 = 15; total 2 x (4 x 10 + 15)
    friday_0900 = 4 * 48 + 18
    monday_0900 = 0 * 48 + 18
    assert shares[monday_0900] == pytest.approx(10 / 110)
    assert shares[friday_0900] == pytest.approx(15 / 110)
    assert np.flatnonzero(shares).size == 10
    np.testing.assert_allclose(pattern.aht_factors, 1.0)  # all volume is before noon


def test_aht_factors_are_relative_to_the_volume_weighted_mean() -> None:
    # Equal volume at 09:00 (AHT 200) and 15:00 (AHT 300): mean 250, factors 0.8 and 1.2.
    frame = _frame(
        "2027-01-04",
        "2027-01-05",
        "UTC",
        lambda t: 5.0 if t.hour in (9, 15) and t.minute == 0 else 0,
    )
    factors = np.asarray(capacity_week_patterns(frame)["q"].aht_factors)
    assert factors[18] == pytest.approx(0.8)
    assert factors[30] == pytest.approx(1.2)


def test_week_pattern_on_a_fall_back_week_keeps_shares_summing_to_one() -> None:
    # Europe/London falls back on Sun 27 Oct 2024 (50 half-hours): the repeated 01:00 hour
    # lands in the same wall-clock slots.
    frame = _frame("2024-10-21", "2024-10-28", "Europe/London", lambda t: 1.0)
    assert len(frame) == 7 * 48 + 2
    shares = np.asarray(capacity_week_patterns(frame)["q"].volume_shares)
    assert shares.sum() == pytest.approx(1.0)
    sunday_0100 = 6 * 48 + 2
    assert shares[sunday_0100] == pytest.approx(2 / (7 * 48 + 2))
    assert shares[0] == pytest.approx(1 / (7 * 48 + 2))


def test_period_totals_by_month_and_week() -> None:
    frame = _frame("2027-01-25", "2027-02-08", "America/New_York", lambda t: 2.0)
    months = capacity_period_totals(frame, "month")
    assert months["period_start"].tolist() == [date(2027, 1, 1), date(2027, 2, 1)]
    np.testing.assert_allclose(months["volume"], [7 * 96, 7 * 96])
    np.testing.assert_allclose(months["aht_seconds"], 250.0)  # half at 200, half at 300
    assert months["days"].tolist() == [7, 7]
    weeks = capacity_period_totals(frame, "week")
    assert weeks["period_start"].tolist() == [date(2027, 1, 25), date(2027, 2, 1)]


def test_period_must_be_week_or_month() -> None:
    frame = _frame("2027-01-04", "2027-01-05", "UTC", lambda t: 1.0)
    with pytest.raises(InputError, match="period='day'"):
        capacity_period_totals(frame, "day")  # type: ignore[arg-type]


def test_queue_without_volume_has_no_pattern() -> None:
    frame = _frame("2027-01-04", "2027-01-05", "UTC", lambda t: 0.0)
    with pytest.raises(InputError, match="no volume"):
        capacity_week_patterns(frame)


def test_bundled_centre_gives_a_pattern() -> None:
    from wfm.datasets import israel_bank_intervals

    pattern = capacity_week_patterns(israel_bank_intervals(30))["anonymous_bank"]
    shares = np.asarray(pattern.volume_shares)
    assert shares.sum() == pytest.approx(1.0)
    assert np.average(pattern.aht_factors, weights=shares) == pytest.approx(1.0)
