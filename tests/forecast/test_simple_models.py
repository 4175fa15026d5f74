"""Seasonal naive, weighted seasonal average and the shared model interface."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.core import InputError, NotFittedError
from wfm.forecast import PointForecast, SeasonalNaive, WeightedSeasonalAverage

SLOTS = 4


def test_seasonal_naive_repeats_last_week() -> None:
    y = np.arange(14 * SLOTS, dtype=float)
    model = SeasonalNaive(slots_per_day=SLOTS, calibration_days=0).fit(y)
    forecast = model.predict(10 * SLOTS)
    last_week = y[-7 * SLOTS :]
    np.testing.assert_array_equal(forecast.mean[: 7 * SLOTS], last_week)
    np.testing.assert_array_equal(forecast.mean[7 * SLOTS :], last_week[: 3 * SLOTS])


def test_weighted_average_matches_hand_computation() -> None:
    rng = np.random.default_rng(1)
    days = rng.uniform(0, 50, size=(21, SLOTS))
    model = WeightedSeasonalAverage(weeks=3, weights=(3.0, 2.0, 1.0), slots_per_day=SLOTS)
    forecast = model.fit(days).predict(SLOTS * 2).mean.reshape(2, SLOTS)
    expected = (3 * days[14] + 2 * days[7] + 1 * days[0]) / 6
    np.testing.assert_allclose(forecast[0], expected)
    expected_next = (3 * days[15] + 2 * days[8] + 1 * days[1]) / 6
    np.testing.assert_allclose(forecast[1], expected_next)


def test_weighted_average_uses_available_weeks_only() -> None:
    days = np.vstack([np.full((7, SLOTS), 10.0), np.full((7, SLOTS), 20.0)])
    model = WeightedSeasonalAverage(weeks=5, slots_per_day=SLOTS, calibration_days=0)
    forecast = model.fit(days).predict(SLOTS)
    np.testing.assert_allclose(forecast.mean, 15.0)


def test_predict_before_fit_raises() -> None:
    with pytest.raises(NotFittedError, match="fit"):
        SeasonalNaive().predict(48)


@pytest.mark.parametrize("h", [0, -3, 2.5, True])
def test_bad_horizon_raises(h: object) -> None:
    model = SeasonalNaive(slots_per_day=SLOTS).fit(np.ones(14 * SLOTS))
    with pytest.raises(InputError, match="h="):
        model.predict(h)  # type: ignore[arg-type]


def test_bad_y_raises_naming_position() -> None:
    y = np.ones(14 * SLOTS)
    y[5] = -1
    with pytest.raises(InputError, match=r"y\[5\]"):
        SeasonalNaive(slots_per_day=SLOTS).fit(y)
    with pytest.raises(InputError, match="whole days"):
        SeasonalNaive(slots_per_day=SLOTS).fit(np.ones(14 * SLOTS + 1))
    with pytest.raises(InputError, match="at least 7"):
        SeasonalNaive(slots_per_day=SLOTS).fit(np.ones(3 * SLOTS))


def test_bad_levels_and_weights_raise() -> None:
    model = SeasonalNaive(slots_per_day=SLOTS).fit(np.ones(14 * SLOTS))
    with pytest.raises(InputError, match="levels"):
        model.predict(SLOTS, levels=(80, 100))
    with pytest.raises(InputError, match="weights"):
        WeightedSeasonalAverage(weeks=2, weights=(1.0,), slots_per_day=SLOTS).fit(
            np.ones(14 * SLOTS)
        )


def test_point_forecast_frame_has_band_columns() -> None:
    model = WeightedSeasonalAverage(slots_per_day=SLOTS).fit(np.ones(28 * SLOTS) * 5)
    forecast = model.predict(SLOTS, levels=(80, 95))
    assert isinstance(forecast, PointForecast)
    frame = forecast.to_frame()
    assert list(frame.columns) == [
        "volume",
        "volume_lo_80",
        "volume_hi_80",
        "volume_lo_95",
        "volume_hi_95",
    ]
    assert "PointForecast" in str(forecast.summary())


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    scale=st.floats(0.5, 500.0),
)
def test_bands_are_nested_and_nonnegative(seed: int, scale: float) -> None:
    rng = np.random.default_rng(seed)
    y = rng.poisson(scale, size=35 * SLOTS).astype(float)
    forecast = WeightedSeasonalAverage(slots_per_day=SLOTS).fit(y).predict(14 * SLOTS)
    assert (forecast.lower["95"] <= forecast.lower["80"] + 1e-9).all()
    assert (forecast.lower["80"] <= forecast.upper["80"]).all()
    assert (forecast.upper["80"] <= forecast.upper["95"] + 1e-9).all()
    assert (forecast.lower["95"] >= 0).all()
    assert np.isfinite(forecast.upper["95"]).all()
