"""Intraday re-forecast, snapshots and aggregation."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.core import InputError
from wfm.forecast import (
    aggregate_forecast,
    backtest_intraday,
    estimate_intraday_prior,
    forecast_intervals,
    load_forecast_snapshot,
    reforecast_intraday,
    save_forecast_snapshot,
    score_forecast_snapshot,
)

from .conftest import synthetic_history

TZ = "Europe/London"


def _day_forecast() -> tuple[pd.DataFrame, pd.DataFrame]:
    history = synthetic_history(days=35, daily_total=4000.0)
    forecast = forecast_intervals(history, model="weighted_average", horizon_days=1).frame
    # the day runs 30% busier than forecast
    actual = forecast[["queue", "interval_start"]].assign(volume=forecast["volume"] * 1.3)
    return forecast, actual


@functools.cache
def _cached_day() -> tuple[pd.DataFrame, pd.DataFrame]:
    return _day_forecast()


@pytest.mark.parametrize("method", ["ratio", "share_of_day", "bayes"])
def test_reforecast_moves_rest_of_day_towards_actual_level(method: str) -> None:
    forecast, actual = _day_forecast()
    now = pd.Timestamp("2024-02-05 13:00", tz=TZ)
    so_far = actual[actual["interval_start"] < now]
    updated = reforecast_intraday(forecast, so_far, now=now, method=method)  # type: ignore[arg-type]
    after = updated["interval_start"] >= now
    before = ~after
    np.testing.assert_allclose(updated.loc[before, "volume"], actual.loc[before, "volume"])
    ratio = updated.loc[after, "volume"].sum() / forecast.loc[after, "volume"].sum()
    if method == "bayes":
        assert 1.0 < ratio < 1.3  # shrunk towards the original forecast
    else:
        assert ratio == pytest.approx(1.3, rel=1e-6)
    closed = forecast["volume"] == 0
    assert (updated.loc[closed.to_numpy(), "volume"] == 0).all()
    assert (updated.loc[after, "volume_hi_95"] >= updated.loc[after, "volume"]).all()


def test_bayes_approaches_ratio_with_more_evidence() -> None:
    forecast, actual = _day_forecast()
    early = pd.Timestamp("2024-02-05 09:00", tz=TZ)
    late = pd.Timestamp("2024-02-05 17:00", tz=TZ)
    factors = [
        reforecast_intraday(
            forecast, actual[actual["interval_start"] < t], now=t, method="bayes", prior_cv=0.1
        )["factor"].iloc[0]
        for t in (early, late)
    ]
    assert 1.0 < factors[0] < factors[1] < 1.3


@settings(max_examples=30, deadline=None)
@given(
    surplus=st.floats(0.3, 3.0),
    hour=st.integers(9, 18),
    prior_cv=st.floats(0.02, 1.0),
)
def test_bayes_factor_lies_between_one_and_ratio(
    surplus: float, hour: int, prior_cv: float
) -> None:
    forecast, actual = _cached_day()
    now = pd.Timestamp(f"2024-02-05 {hour:02d}:00", tz=TZ)
    so_far = actual[actual["interval_start"] < now].assign(
        volume=lambda f: f["volume"] / 1.3 * surplus
    )
    factor = reforecast_intraday(forecast, so_far, now=now, method="bayes", prior_cv=prior_cv)[
        "factor"
    ].iloc[0]
    low, high = sorted([1.0, surplus])
    assert low - 1e-9 <= factor <= high + 1e-9


def test_reforecast_bad_input() -> None:
    forecast, actual = _day_forecast()
    now = pd.Timestamp("2024-02-05 13:00", tz=TZ)
    with pytest.raises(InputError, match="method"):
        reforecast_intraday(forecast, actual, now=now, method="magic")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="naive"):
        reforecast_intraday(forecast, actual, now=pd.Timestamp("2024-02-05 13:00"))
    gap = actual[actual["interval_start"] != pd.Timestamp("2024-02-05 10:00", tz=TZ)]
    with pytest.raises(InputError, match="lack 1 open"):
        reforecast_intraday(forecast, gap, now=now)


def test_intraday_backtest_lowers_remaining_day_error(us_bank: pd.DataFrame) -> None:
    # real US bank data, last 20 weekdays, updated at 14:00 local time; the prior of the
    # bayes update is estimated on the days before the test days
    table = backtest_intraday(us_bank, days=20, cutoffs=("14:00",))
    wide = table.pivot(index="cutoff", columns="method", values="wape")
    assert (wide["bayes"] < wide["original"]).all()
    assert (wide["share_of_day"] < wide["original"]).all()
    prior_cv, dispersion = estimate_intraday_prior(us_bank)
    assert 0.01 <= prior_cv < 0.5
    assert dispersion >= 1.0


@pytest.mark.parametrize("suffix", [".parquet", ".json"])
def test_snapshot_round_trip_and_scoring(tmp_path: Path, suffix: str) -> None:
    history = synthetic_history(days=35, queues=("a", "b"))
    train = history[history["interval_start"] < pd.Timestamp("2024-01-29", tz=TZ)]
    result = forecast_intervals(train, model="seasonal_naive", horizon_days=7)
    path = save_forecast_snapshot(result, tmp_path / f"snap{suffix}", metadata={"run": "test"})
    snapshot = load_forecast_snapshot(path)
    pd.testing.assert_frame_equal(snapshot.frame, result.frame)
    assert snapshot.metadata["run"] == "test"
    assert snapshot.metadata["models"] == {"a": "seasonal_naive", "b": "seasonal_naive"}
    scores = score_forecast_snapshot(path, history, by=("queue", "lead_day"))
    assert set(scores["lead_day"]) == set(range(1, 8))
    assert (scores["wape"].dropna() > 0).all()


def test_snapshot_bad_paths(tmp_path: Path) -> None:
    history = synthetic_history(days=14)
    result = forecast_intervals(history, model="seasonal_naive", horizon_days=1)
    with pytest.raises(InputError, match="suffix"):
        save_forecast_snapshot(result, tmp_path / "x.csv")
    with pytest.raises(InputError, match="does not exist"):
        load_forecast_snapshot(tmp_path / "missing.parquet")


def test_aggregate_forecast_totals() -> None:
    history = synthetic_history(days=28)
    result = forecast_intervals(history, model="weighted_average", horizon_days=35)
    frame = result.frame
    daily = aggregate_forecast(result, period="day")
    weekly = aggregate_forecast(result, period="week")
    monthly = aggregate_forecast(result, period="month")
    total = frame["volume"].sum()
    for table in (daily, weekly, monthly):
        assert table["volume"].sum() == pytest.approx(total)
    assert len(daily) == 35
    assert len(weekly) == 5
    assert set(monthly["period_start"].dt.month) == {1, 2, 3}
    open_days = daily[daily["volume"] > 0]
    assert open_days["aht_seconds"].between(240, 300).all()
