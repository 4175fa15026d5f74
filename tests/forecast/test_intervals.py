"""The DataFrame layer: many queues, DST grids, closed hours, missing data, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.core import InputError
from wfm.forecast import (
    MissingIntervalsWarning,
    ShortHistoryWarning,
    forecast_intervals,
)

from .conftest import daily_profile, expected_volume, synthetic_history


def test_output_columns_grid_and_closed_hours() -> None:
    history = synthetic_history(days=56, queues=("sales", "support"))
    result = forecast_intervals(history, model="weighted_average", horizon_days=7)
    frame = result.to_frame()
    assert list(frame.columns) == [
        "queue",
        "interval_start",
        "volume",
        "volume_lo_80",
        "volume_hi_80",
        "volume_lo_95",
        "volume_hi_95",
        "aht_seconds",
    ]
    assert len(frame) == 2 * 7 * 48
    first = frame["interval_start"].min()
    assert first == pd.Timestamp("2024-02-26", tz="Europe/London")
    local = frame["interval_start"].dt.tz_localize(None)
    closed = (local.dt.hour < 8) | (local.dt.hour >= 20) | (local.dt.day_of_week == 6)
    assert (frame.loc[closed, "volume"] == 0).all()
    assert (frame.loc[closed, "volume_hi_95"] == 0).all()
    assert frame.loc[closed, "aht_seconds"].isna().all()
    assert (frame.loc[~closed, "volume"] > 0).all()
    assert (frame["volume_lo_95"] <= frame["volume_lo_80"]).all()
    assert (frame["volume_hi_80"] <= frame["volume_hi_95"]).all()
    assert result.report.models == {"sales": "weighted_average", "support": "weighted_average"}
    assert "sales" in str(result.summary())


def test_aht_forecast_is_volume_weighted_profile() -> None:
    history = synthetic_history(days=28)
    frame = forecast_intervals(history, model="seasonal_naive", horizon_days=1).to_frame()
    local = frame["interval_start"].dt.tz_localize(None)
    open_ = frame["volume"] > 0
    morning = open_ & (local.dt.hour < 15)
    afternoon = open_ & (local.dt.hour >= 15)
    np.testing.assert_allclose(frame.loc[morning, "aht_seconds"], 240.0)
    np.testing.assert_allclose(frame.loc[afternoon, "aht_seconds"], 300.0)


@pytest.mark.parametrize(
    ("start", "rows", "tz"),
    [
        ("2024-03-31", 46, "Europe/London"),  # spring forward
        ("2024-10-27", 50, "Europe/London"),  # fall back
    ],
)
def test_dst_day_has_right_intervals_at_right_local_times(start: str, rows: int, tz: str) -> None:
    history_start = (pd.Timestamp(start) - pd.Timedelta(days=42)).strftime("%Y-%m-%d")
    # DST changes fall on Sundays: open all week here
    history = synthetic_history(days=42, start=history_start, tz=tz, weekday_factors=np.ones(7))
    frame = forecast_intervals(
        history, model="weighted_average", horizon_days=1, start=start
    ).to_frame()
    assert len(frame) == rows
    local = frame["interval_start"].dt.tz_localize(None)
    # seasonal position is the local time of day: the profile peak stays at 10:00-11:00 local
    peak = local[frame["volume"].idxmax()]
    assert 9 <= peak.hour <= 11
    # every wall-clock slot carries the profile of that local time
    profile = daily_profile()
    slot = (local.dt.hour * 2 + local.dt.minute // 30).to_numpy()
    shares = frame["volume"].to_numpy() / frame["volume"].sum()
    assert np.corrcoef(shares, profile[slot])[0, 1] > 0.97


def test_dst_history_is_read_by_local_slot() -> None:
    # history spanning the spring-forward day still gives a clean weekly forecast
    history = synthetic_history(days=42, start="2024-03-04", tz="Europe/London")
    frame = forecast_intervals(history, model="seasonal_naive", horizon_days=7).to_frame()
    assert len(frame) == 7 * 48
    assert np.isfinite(frame["volume"]).all()


def test_missing_intervals_reported_and_imputed() -> None:
    history = synthetic_history(days=35)
    stamps = history["interval_start"].dt.tz_localize(None)
    hole = (stamps.dt.date == pd.Timestamp("2024-01-17").date()) & (stamps.dt.hour == 12)
    with pytest.warns(MissingIntervalsWarning, match="2 open interval"):
        result = forecast_intervals(history[~hole], model="seasonal_naive", horizon_days=7)
    assert len(result.report.missing) == 2
    assert np.isfinite(result.frame["volume"]).all()


def test_closed_days_absent_from_history_are_not_missing(recwarn: pytest.WarningsRecorder) -> None:
    history = synthetic_history(days=35)
    sunday = history["interval_start"].dt.day_of_week == 6
    closed_rows = history["volume"] == 0
    result = forecast_intervals(
        history[~sunday & ~closed_rows], model="seasonal_naive", horizon_days=7
    )
    assert len(result.report.missing) <= 5  # only rare zero-count open intervals
    sundays = result.frame["interval_start"].dt.day_of_week == 6
    assert (result.frame.loc[sundays, "volume"] == 0).all()


def test_short_history_degrades_with_warning() -> None:
    history = synthetic_history(days=14)
    with pytest.warns(ShortHistoryWarning, match="weighted_average"):
        result = forecast_intervals(history, model="holt_winters", horizon_days=3)
    assert result.report.models == {"sales": "weighted_average"}


def test_too_short_history_raises() -> None:
    with pytest.raises(InputError, match="at least 7"):
        forecast_intervals(synthetic_history(days=5), model="seasonal_naive")


def test_bad_input_named() -> None:
    history = synthetic_history(days=21)
    with pytest.raises(InputError, match="horizon_days=0"):
        forecast_intervals(history, horizon_days=0)
    naive = history.assign(interval_start=history["interval_start"].dt.tz_localize(None))
    with pytest.raises(InputError, match="naive"):
        forecast_intervals(naive)
    duplicated = pd.concat([history, history.iloc[[30]]])
    with pytest.raises(InputError, match="duplicate"):
        forecast_intervals(duplicated)
    negative = history.copy()
    negative.loc[40, "volume"] = -3.0
    with pytest.raises(InputError, match="negative"):
        forecast_intervals(negative)
    with pytest.raises(InputError, match="'billing'"):
        forecast_intervals(history, queues=["billing"])
    with pytest.raises(InputError, match="model='arima'"):
        forecast_intervals(history, model="arima")
    with pytest.raises(InputError, match="inside the history"):
        forecast_intervals(history, model="seasonal_naive", start="2024-01-10")
    with pytest.raises(InputError, match="midnight"):
        forecast_intervals(history, model="seasonal_naive", start="2024-02-01 10:00")


def test_unsorted_input_is_fine() -> None:
    history = synthetic_history(days=21)
    shuffled = history.sample(frac=1.0, random_state=3)
    a = forecast_intervals(history, model="seasonal_naive", horizon_days=2).frame
    b = forecast_intervals(shuffled, model="seasonal_naive", horizon_days=2).frame
    pd.testing.assert_frame_equal(a, b)


def test_start_after_gap_forecasts_further_ahead() -> None:
    history = synthetic_history(days=28)
    frame = forecast_intervals(
        history, model="seasonal_naive", horizon_days=1, start="2024-02-05"
    ).to_frame()
    assert frame["interval_start"].min() == pd.Timestamp("2024-02-05", tz="Europe/London")


def test_recovers_known_profile_weekday_factors_and_trend() -> None:
    # large volumes so Poisson noise is small; holt_winters must track a linear trend
    history = synthetic_history(days=63, daily_total=40_000.0, trend_per_day=150.0)
    frame = forecast_intervals(history, model="holt_winters", horizon_days=7).to_frame()
    _, truth = expected_volume(70, start="2024-01-01", daily_total=40_000.0, trend_per_day=150.0)
    expected = truth[63:].ravel()
    actual = frame["volume"].to_numpy()
    assert np.abs(actual - expected).sum() / expected.sum() < 0.05
    weekly = frame.groupby(frame["interval_start"].dt.day_of_week)["volume"].sum()
    np.testing.assert_allclose(weekly / weekly[2], [1.3, 1.1, 1.0, 1.0, 0.9, 0.5, 0.0], atol=0.04)


@pytest.mark.parametrize("minutes", [15, 60])
def test_other_interval_lengths(minutes: int) -> None:
    history = synthetic_history(days=28)
    if minutes == 60:
        history = (
            history.assign(interval_start=history["interval_start"].dt.floor("60min"))
            .groupby(["queue", "interval_start"], as_index=False)["volume"]
            .sum()
        )
    else:
        halves = [
            history.assign(
                interval_start=history["interval_start"] + pd.Timedelta(minutes=offset),
                volume=history["volume"] / 2,
            )
            for offset in (0, 15)
        ]
        history = pd.concat(halves, ignore_index=True).drop(columns="aht_seconds")
    frame = forecast_intervals(history, model="weighted_average", horizon_days=42).to_frame()
    assert len(frame) == 42 * 24 * 60 // minutes
    assert frame["aht_seconds"].isna().all()  # no handle times in this history
    daily = frame.groupby(frame["interval_start"].dt.date)["volume"].sum()
    assert daily.iloc[0] == pytest.approx(2000 * 1.3, rel=0.1)  # a Monday


def test_parallel_fit_gives_identical_results() -> None:
    history = synthetic_history(days=21, queues=("a", "b", "c"))
    serial = forecast_intervals(history, model="weighted_average", horizon_days=2).frame
    parallel = forecast_intervals(history, model="weighted_average", horizon_days=2, n_jobs=2).frame
    pd.testing.assert_frame_equal(serial, parallel)


def test_partial_last_day_is_trimmed_and_reported() -> None:
    history = synthetic_history(days=29)
    cut = pd.Timestamp("2024-01-29 12:00", tz="Europe/London")  # Monday noon
    result = forecast_intervals(history[history["interval_start"] < cut], model="seasonal_naive")
    assert result.report.trimmed_days.to_dict("records") == [
        {"queue": "sales", "date": pd.Timestamp("2024-01-29").date()}
    ]
    # the forecast starts the day after the partial day, from the last whole days
    assert result.frame["interval_start"].min() == pd.Timestamp("2024-01-30", tz="Europe/London")
