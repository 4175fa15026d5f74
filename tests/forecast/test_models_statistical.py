"""Holt-Winters, top-down and MSTL models; prediction-interval coverage on Poisson data.

Double-seasonal Holt-Winters follows Taylor, J. W. (2003), "Short-term electricity demand
forecasting using double seasonal exponential smoothing", JORS 54:799-805 (equations 5-8, with
the AR(1) adjustment of section 4); there are no published parameter values for these
synthetic series, so the checks recover a known, simulated structure (profile, weekday
factors, trend) and the nominal coverage of Poisson arrivals.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from wfm.core import InputError
from wfm.forecast import (
    DoubleSeasonalHoltWinters,
    MSTLForecaster,
    TopDownDaily,
    WeightedSeasonalAverage,
    forecast_intervals,
    interval_coverage,
    wape,
)

from .conftest import expected_volume, synthetic_history


def _poisson_days(days: int, total: float, seed: int, trend: float = 0.0) -> np.ndarray:
    _, means = expected_volume(days, start="2024-01-01", daily_total=total, trend_per_day=trend)
    return np.random.default_rng(seed).poisson(means).astype(float)


def test_holt_winters_tracks_trend_and_seasonality() -> None:
    _, truth = expected_volume(77, start="2024-01-01", daily_total=20_000.0, trend_per_day=100.0)
    history = np.random.default_rng(4).poisson(truth[:70]).astype(float)
    model = DoubleSeasonalHoltWinters().fit(history, start_date="2024-01-01")
    forecast = model.predict(7 * 48).mean
    assert wape(truth[70:].ravel(), forecast) < 0.05
    params = model.params_
    assert all(0.0 <= value <= 1.0 for value in params.values())


def test_holt_winters_ar_term_off() -> None:
    history = _poisson_days(35, 3000.0, seed=2)
    model = DoubleSeasonalHoltWinters(ar_adjustment=False).fit(history, start_date="2024-01-01")
    assert model.params_["phi"] == 0.0
    assert np.isfinite(model.predict(48).mean).all()


def test_top_down_learns_holiday_multiplier() -> None:
    days = _poisson_days(84, 8000.0, seed=5)
    holidays = [dt.date(2024, 1, 17), dt.date(2024, 2, 7), dt.date(2024, 3, 6)]  # Wednesdays
    for holiday in holidays[:2]:
        days[(holiday - dt.date(2024, 1, 1)).days] *= 0.4
    future = [dt.date(2024, 3, 27)]  # Wednesday after the history (history ends 2024-03-24)
    model = TopDownDaily(holidays=holidays[:2] + future).fit(days, start_date="2024-01-01")
    assert model.holiday_multiplier_ == pytest.approx(0.4, abs=0.05)
    forecast = model.predict(7 * 48).mean.reshape(7, 48)
    wednesday, tuesday = forecast[2].sum(), forecast[1].sum()
    assert wednesday / tuesday == pytest.approx(0.4 * 1.0 / 1.1, rel=0.1)


def test_top_down_sarima_and_bad_method() -> None:
    days = _poisson_days(42, 5000.0, seed=6)
    model = TopDownDaily(method="sarima", calibration_days=0).fit(days, start_date="2024-01-01")
    daily = model.predict(7 * 48).mean.reshape(7, 48).sum(axis=1)
    np.testing.assert_allclose(daily[:5] / daily[2], [1.3, 1.1, 1.0, 1.0, 0.9], rtol=0.1)
    with pytest.raises(InputError, match="method"):
        TopDownDaily(method="arima").fit(days)  # type: ignore[arg-type]


def test_mstl_recovers_profile() -> None:
    days = _poisson_days(28, 10_000.0, seed=7)
    model = MSTLForecaster(window_weeks=4, calibration_days=0).fit(days, start_date="2024-01-01")
    forecast = model.predict(7 * 48).mean
    _, truth = expected_volume(35, start="2024-01-01", daily_total=10_000.0)
    expected = truth[28:].ravel()
    # closed slots are zeroed by the DataFrame layer (additive MSTL leaks a little there)
    assert wape(expected, np.where(expected > 0, forecast, 0.0)) < 0.06


@pytest.mark.parametrize("model", ["weighted_average", "holt_winters"])
def test_interval_coverage_near_nominal_on_poisson(model: str) -> None:
    # stationary Poisson arrivals: bands must hold ~80% / ~95% of fresh draws
    queues = tuple(f"q{i}" for i in range(4))
    history = synthetic_history(days=63, queues=queues, daily_total=3000.0, seed=11)
    result = forecast_intervals(history, model=model, horizon_days=7)
    frame = result.frame
    _, truth = expected_volume(70, start="2024-01-01", daily_total=3000.0)
    rng = np.random.default_rng(99)
    coverage = {80: [], 95: []}
    for i, queue in enumerate(queues):
        rows = frame[frame["queue"] == queue]
        mean = truth[63:].ravel() * (1 + 0.2 * i)
        draws = rng.poisson(mean).astype(float)
        open_ = mean > 0
        for level in (80, 95):
            coverage[level].append(
                interval_coverage(
                    draws[open_],
                    rows[f"volume_lo_{level}"].to_numpy()[open_],
                    rows[f"volume_hi_{level}"].to_numpy()[open_],
                )
            )
    assert 0.72 <= np.mean(coverage[80]) <= 0.90
    assert 0.90 <= np.mean(coverage[95]) <= 0.99


def test_weighted_average_template_instance_is_used() -> None:
    history = synthetic_history(days=28)
    template = WeightedSeasonalAverage(weeks=2, slots_per_day=48)
    result = forecast_intervals(history, model=template, horizon_days=2)
    assert result.report.models == {"sales": "WeightedSeasonalAverage"}
    with pytest.raises(InputError, match="slots_per_day"):
        forecast_intervals(history, model=WeightedSeasonalAverage(slots_per_day=24))


def test_top_down_multiplicative_weekdays_scale_with_the_level() -> None:
    days = _poisson_days(84, 8000.0, seed=8)
    days[56:] *= 1.3  # the level steps up by 30% four weeks before the end
    model = TopDownDaily(seasonal="mul", calibration_days=0).fit(days, start_date="2024-01-01")
    daily = model.predict(7 * 48).mean.reshape(7, 48).sum(axis=1)
    assert daily[6] == 0.0  # Sunday is closed
    # weekdays keep their proportions (index over the last 8 weeks), Saturday included
    np.testing.assert_allclose(
        daily[:6] / daily[0], np.array([1.3, 1.1, 1.0, 1.0, 0.9, 0.5]) / 1.3, rtol=0.06
    )
    assert daily[0] == pytest.approx(1.3 * 8000.0 * 1.3, rel=0.12)
    with pytest.raises(InputError, match="seasonal='mul' needs method='ets'"):
        TopDownDaily(method="sarima", seasonal="mul").fit(days)
    with pytest.raises(InputError, match="seasonal"):
        TopDownDaily(seasonal="log").fit(days)  # type: ignore[arg-type]


def test_daily_glm_recovers_weekday_levels_and_a_log_linear_trend_exactly() -> None:
    from wfm.forecast.top_down import fit_weekday_trend_glm

    weeks = 8
    days = np.arange(7 * weeks)
    weekdays = days % 7  # the series starts on a Monday
    levels = np.array([1300.0, 1100.0, 1000.0, 1000.0, 900.0, 0.0, 0.0])  # closed weekend
    growth = 0.02  # +2% a week
    totals = levels[weekdays] * np.exp(growth * (days - days[-1]) / 7)
    glm = fit_weekday_trend_glm(totals, weekdays, weeks=weeks)
    assert glm.trend_per_week == pytest.approx(growth, abs=1e-6)
    np.testing.assert_allclose(np.exp(glm.weekday_effects[:5]), levels[:5], rtol=1e-6)
    ahead = np.arange(days[-1] + 1, days[-1] + 15)
    truth = levels[ahead % 7] * np.exp(growth * (ahead - days[-1]) / 7)
    np.testing.assert_allclose(glm.forecast(14), truth, rtol=1e-6)
    assert (glm.forecast(14)[[5, 6, 12, 13]] == 0).all()  # closed days stay closed
    flat = fit_weekday_trend_glm(totals, weekdays, weeks=weeks, trend=False)
    assert flat.trend_per_week == 0.0


def test_top_down_glm_by_name_follows_a_trend() -> None:
    truth_days = 84 + 7
    _, truth = expected_volume(
        truth_days, start="2024-01-01", daily_total=5000.0, trend_per_day=30.0
    )
    history = np.random.default_rng(8).poisson(truth[:84]).astype(float)
    model = TopDownDaily(method="glm").fit(history, start_date="2024-01-01")
    forecast = model.predict(7 * 48).mean.reshape(7, 48)
    assert wape(truth[84:].ravel(), forecast.ravel()) < 0.04
    frame = synthetic_history(days=70, trend_per_day=10.0, seed=3)
    result = forecast_intervals(frame, model="top_down_glm", horizon_days=7)
    assert result.report.models["sales"] == "top_down_glm"
    assert (result.frame["volume"] >= 0).all()


def test_daily_glm_edge_cases() -> None:
    from wfm.forecast.top_down import fit_weekday_trend_glm

    weekdays = np.arange(28) % 7
    silent = fit_weekday_trend_glm(np.zeros(28), weekdays, weeks=4)
    assert (silent.forecast(7) == 0).all()
    with pytest.raises(InputError, match="glm_weeks"):
        fit_weekday_trend_glm(np.ones(28), weekdays, weeks=1)
