"""Accuracy metrics: formulas on hand-computed cases, zero-actual rule, frame scoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.core import InputError
from wfm.forecast import (
    forecast_accuracy,
    forecast_bias,
    interval_coverage,
    mape,
    rmse,
    smape,
    wape,
)


def test_hand_computed_values() -> None:
    actual = np.array([10.0, 0.0, 30.0, 20.0])
    forecast = np.array([12.0, 1.0, 27.0, 20.0])
    assert wape(actual, forecast) == pytest.approx((2 + 1 + 3 + 0) / 60)
    assert forecast_bias(actual, forecast) == pytest.approx((2 + 1 - 3 + 0) / 60)
    # zero actual excluded from MAPE
    assert mape(actual, forecast) == pytest.approx((0.2 + 0.1 + 0.0) / 3)
    # 0/0 pairs score 0, (0, 1) scores 2
    expected_smape = (4 / 22 + 2.0 + 6 / 57 + 0.0) / 4
    assert smape(actual, forecast) == pytest.approx(expected_smape)
    assert rmse(actual, forecast) == pytest.approx(np.sqrt((4 + 1 + 9 + 0) / 4))
    assert interval_coverage(actual, forecast - 1.5, forecast + 1.5) == pytest.approx(0.5)


def test_degenerate_cases() -> None:
    assert np.isnan(wape([0, 0], [1, 2]))
    assert np.isnan(mape([0, 0], [1, 2]))
    assert smape([0, 0], [0, 0]) == 0.0
    with pytest.raises(InputError, match="align"):
        wape([1, 2], [1])
    with pytest.raises(InputError, match="NaN"):
        wape([1, np.nan], [1, 2])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 1e4), min_size=1, max_size=30),
    st.floats(0.0, 3.0),
)
def test_metric_bounds(values: list[float], factor: float) -> None:
    actual = np.array(values)
    forecast = actual * factor
    assert 0.0 <= smape(actual, forecast) <= 2.0 + 1e-12
    if actual.sum() > 0:
        assert wape(actual, forecast) == pytest.approx(abs(1 - factor), abs=1e-9)
        assert forecast_bias(actual, forecast) == pytest.approx(factor - 1, abs=1e-9)
        assert abs(forecast_bias(actual, forecast)) <= wape(actual, forecast) + 1e-12


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    stamps = pd.date_range("2024-01-01", periods=96, freq="30min", tz="UTC")
    forecast = pd.DataFrame(
        {
            "queue": "a",
            "interval_start": stamps,
            "volume": 10.0,
            "volume_lo_80": 8.0,
            "volume_hi_80": 12.0,
        }
    )
    actual = forecast[["queue", "interval_start"]].assign(volume=np.tile([9.0, 13.0], 48))
    return forecast, actual


def test_forecast_accuracy_by_resolution_and_lead_day() -> None:
    forecast, actual = _frames()
    by_queue = forecast_accuracy(forecast, actual)
    assert by_queue.loc[0, "wape"] == pytest.approx(96 * 2 / (48 * 22))
    assert by_queue.loc[0, "coverage_80"] == pytest.approx(0.5)
    daily = forecast_accuracy(forecast, actual, resolution="day")
    # daily totals: forecast 480, actual 528 each day
    assert daily.loc[0, "wape"] == pytest.approx(48 / 528)
    leads = forecast_accuracy(forecast, actual, by=("queue", "lead_day"))
    assert list(leads["lead_day"]) == [1, 2]
    weekly = forecast_accuracy(forecast, actual, resolution="week", by=("queue", "week"))
    assert weekly.loc[0, "n"] == 1


def test_forecast_accuracy_counts_unmatched_and_rejects_bad_args() -> None:
    forecast, actual = _frames()
    scored = forecast_accuracy(forecast, actual.iloc[:50])
    assert scored.attrs["unmatched"] == 46
    with pytest.raises(InputError, match="resolution"):
        forecast_accuracy(forecast, actual, resolution="hour")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="share no"):
        forecast_accuracy(forecast, actual.assign(queue="b"))
