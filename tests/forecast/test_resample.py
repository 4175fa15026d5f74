"""resample_counts: short bins to the interval grid across DST changes, partial intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.core import make_interval_grid
from wfm.core.errors import InputError
from wfm.forecast import resample_counts

TZ = "Europe/London"


def _naive_bins(day: str, minutes: int, tz: str) -> pd.DataFrame:
    """Naive local bin starts of one day as an exporter writes them (real instants only)."""
    start = pd.Timestamp(day, tz=tz)
    stamps = pd.date_range(
        start, start + pd.Timedelta(days=1), freq=f"{minutes}min", inclusive="left"
    )
    stamps = stamps[stamps.tz_convert(tz).normalize() == start]
    local = stamps.tz_convert(tz).tz_localize(None)
    return pd.DataFrame(
        {"queue": "q", "interval_start": local, "volume": np.arange(len(local)) % 7}
    )


@pytest.mark.parametrize(("day", "halves"), [("2024-03-31", 46), ("2024-10-27", 50)])
def test_dst_days_get_the_real_grid(day: str, halves: int) -> None:
    # real instants every 5 minutes from local midnight to the next (UTC arithmetic)
    start = pd.Timestamp(day, tz=TZ)
    end = (pd.Timestamp(day) + pd.Timedelta(days=1)).tz_localize(TZ)
    instants = pd.date_range(start.tz_convert("UTC"), end.tz_convert("UTC"), freq="5min")
    instants = instants[instants.tz_convert(TZ).normalize() == start][: halves * 6]
    frame = pd.DataFrame(
        {
            "queue": "q",
            "interval_start": instants.tz_convert(TZ).tz_localize(None),  # naive wall clock
            "volume": np.arange(len(instants)) % 7,
        }
    )
    out = resample_counts(frame, interval_minutes=30, tz=TZ)
    grid = make_interval_grid(
        day, str((pd.Timestamp(day) + pd.Timedelta(days=1)).date()), interval_minutes=30, tz=TZ
    )
    assert len(out) == halves == len(grid)
    assert (pd.DatetimeIndex(out["interval_start"]) == grid).all()
    assert out["volume"].sum() == frame["volume"].sum()
    # each half hour is the sum of its six bins, in time order
    np.testing.assert_array_equal(
        out["volume"], frame["volume"].to_numpy().reshape(-1, 6).sum(axis=1)
    )
    assert out.attrs["partial_intervals"].empty


def test_six_minute_bins_and_partial_rule() -> None:
    start = pd.Timestamp("1999-01-03 07:00", tz="Asia/Jerusalem")
    stamps = pd.date_range(start, periods=20, freq="6min")  # 07:00-09:00, 4 half-hours
    frame = pd.DataFrame({"queue": "il", "interval_start": stamps, "calls": np.ones(20)})
    out = resample_counts(frame, value_columns=("calls",))
    assert list(out["calls"]) == [5.0] * 4
    gap = frame.drop(index=[7])  # one bin of 07:30-08:00 absent
    kept = resample_counts(gap, value_columns=("calls",))
    assert list(kept["calls"]) == [5.0, 4.0, 5.0, 5.0]
    partial = kept.attrs["partial_intervals"]
    assert partial["interval_start"].tolist() == [start + pd.Timedelta(minutes=30)]
    assert partial[["bins", "expected_bins"]].to_numpy().tolist() == [[4, 5]]
    assert len(resample_counts(gap, value_columns=("calls",), partial="drop")) == 3
    with pytest.raises(InputError, match="fewer than 5 bins"):
        resample_counts(gap, value_columns=("calls",), partial="raise")
    with pytest.raises(InputError, match="do not fit"):
        resample_counts(frame, value_columns=("calls",), interval_minutes=15)


def test_bad_input_is_named() -> None:
    frame = _naive_bins("2024-03-31", 5, TZ)
    with pytest.raises(InputError, match="no time zone"):
        resample_counts(frame)
    with pytest.raises(InputError, match="lacks column"):
        resample_counts(frame.drop(columns="queue"), tz=TZ)
    gap_row = pd.DataFrame(
        {"queue": ["q"], "interval_start": [pd.Timestamp("2024-03-31 01:10")], "volume": [3]}
    )
    with pytest.raises(InputError, match="does not exist"):
        resample_counts(pd.concat([frame, gap_row], ignore_index=True), tz=TZ)
    zero_row = gap_row.assign(volume=0)
    out = resample_counts(pd.concat([frame, zero_row], ignore_index=True), tz=TZ)
    assert out.attrs["dropped_nonexistent"] == 1
    negative = frame.assign(volume=-1.0)
    with pytest.raises(InputError, match="negative"):
        resample_counts(negative, tz=TZ)
