"""Multiple-seasonality decomposition: statsmodels MSTL plus a damped-trend model.

On the last ``window_weeks`` weeks (MSTL's LOESS passes are the expensive part, so the
window is bounded) the series is decomposed as ``y = T + S_day + S_week + R`` with periods
``m1`` (slots per day) and ``7 m1``. The seasonally adjusted series ``T + R`` is forecast by
exponential smoothing with an additive damped trend (statsmodels ``ExponentialSmoothing``);
each seasonal component continues its last cycle (the last day of ``S_day``, the last week
of ``S_week``). Negative sums are floored at 0 contacts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wfm.forecast._base import IntervalForecaster
from wfm.forecast._slots import FloatArray
from wfm.forecast._warnings import statsmodels_warnings


@dataclass(frozen=True)
class DecompositionState:
    """Last seasonal cycles and the fitted adjusted-series model."""

    daily_cycle: FloatArray
    weekly_cycle: FloatArray
    adjusted_model: object


class MSTLForecaster(IntervalForecaster):
    """MSTL decomposition (daily and weekly seasonality) with a damped-trend remainder model.

    Parameters
    ----------
    window_weeks : int, default 6
        Weeks of most recent history decomposed.
    slots_per_day : int, default 48
        Intervals per local day.
    calibration_days : int, default 14
        Held-out days for the empirical prediction intervals.
    """

    min_history_days = 21

    def __init__(
        self, *, window_weeks: int = 6, slots_per_day: int = 48, calibration_days: int = 14
    ) -> None:
        self.window_weeks = window_weeks
        self.slots_per_day = slots_per_day
        self.calibration_days = calibration_days

    def _fit_state(self, days: FloatArray, start_date: np.datetime64) -> DecompositionState:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
        from statsmodels.tsa.seasonal import MSTL

        weeks = min(self.window_weeks, days.shape[0] // 7)
        window = days[-7 * weeks :].ravel()
        slots = self.slots_per_day
        with statsmodels_warnings("MSTLForecaster"):
            result = MSTL(window, periods=(slots, 7 * slots)).fit()
            seasonal = np.asarray(result.seasonal, dtype=np.float64)
            adjusted = window - seasonal.sum(axis=1)
            model = ExponentialSmoothing(
                adjusted, trend="add", damped_trend=True, initialization_method="estimated"
            ).fit()
        return DecompositionState(
            seasonal[-slots:, 0].copy(), seasonal[-7 * slots :, 1].copy(), model
        )

    def _forecast(
        self, state: DecompositionState, n_days: int, start_date: np.datetime64
    ) -> FloatArray:
        slots = self.slots_per_day
        steps = n_days * slots
        with statsmodels_warnings("MSTLForecaster"):
            adjusted = np.asarray(state.adjusted_model.forecast(steps), dtype=np.float64)  # type: ignore[attr-defined]
        daily = np.tile(state.daily_cycle, n_days)
        weekly = np.resize(state.weekly_cycle, steps)
        total = np.maximum(adjusted + daily + weekly, 0.0)
        return total.reshape(n_days, slots)
