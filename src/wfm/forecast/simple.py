"""Seasonal naive and weighted seasonal average: the methods planners use today."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wfm.core.errors import InputError
from wfm.forecast._base import IntervalForecaster
from wfm.forecast._slots import FloatArray

DAYS_PER_WEEK = 7


def repeat_weekly(last_week: FloatArray, n_days: int) -> FloatArray:
    """Repeat a ``(7, slots)`` block (the 7 days before the forecast) over ``n_days``."""
    return np.asarray(last_week[np.arange(n_days) % DAYS_PER_WEEK], dtype=np.float64)


class SeasonalNaive(IntervalForecaster):
    """Same local weekday and time of day last week.

    Parameters
    ----------
    slots_per_day : int, default 48
        Intervals per local day (48 for 30-minute intervals).
    calibration_days : int, default 14
        Held-out days used for the empirical prediction intervals.

    Notes
    -----
    ``forecast[day d, slot s] = actual[day d - 7k, slot s]`` with the smallest ``k`` that
    lands inside the history, i.e. the last observed week is repeated.
    """

    def __init__(self, *, slots_per_day: int = 48, calibration_days: int = 14) -> None:
        self.slots_per_day = slots_per_day
        self.calibration_days = calibration_days

    def _fit_state(self, days: FloatArray, start_date: np.datetime64) -> FloatArray:
        return days[-DAYS_PER_WEEK:].copy()

    def _forecast(self, state: FloatArray, n_days: int, start_date: np.datetime64) -> FloatArray:
        return repeat_weekly(state, n_days)


def seasonal_average(days: FloatArray, weights: FloatArray) -> FloatArray:
    """Weighted average of the same weekday and slot over the last ``len(weights)`` weeks.

    Parameters
    ----------
    days : numpy.ndarray
        ``(n_days, slots)`` history, contacts per interval.
    weights : numpy.ndarray
        Weight of each past week, most recent first (need not sum to 1; weeks before the
        history's start are dropped and the rest renormalised).

    Returns
    -------
    numpy.ndarray
        ``(7, slots)`` average for the 7 weekdays following the history, in that order.
    """
    n_weeks = min(weights.size, days.shape[0] // DAYS_PER_WEEK)
    recent = days[days.shape[0] - n_weeks * DAYS_PER_WEEK :]
    weeks = recent.reshape(n_weeks, DAYS_PER_WEEK, days.shape[1])[::-1]  # most recent first
    used = weights[:n_weeks]
    return np.asarray(np.tensordot(used / used.sum(), weeks, axes=1), dtype=np.float64)


class WeightedSeasonalAverage(IntervalForecaster):
    """Weighted average of the same weekday-interval over the last ``weeks`` weeks.

    Parameters
    ----------
    weeks : int, default 4
        Number of past weeks averaged.
    weights : sequence of float, optional
        Weight per week, most recent first (length ``weeks``); default equal weights.
    slots_per_day : int, default 48
        Intervals per local day.
    calibration_days : int, default 14
        Held-out days used for the empirical prediction intervals.
    """

    def __init__(
        self,
        *,
        weeks: int = 4,
        weights: Sequence[float] | None = None,
        slots_per_day: int = 48,
        calibration_days: int = 14,
    ) -> None:
        self.weeks = weeks
        self.weights = weights
        self.slots_per_day = slots_per_day
        self.calibration_days = calibration_days

    def _weights(self) -> FloatArray:
        if isinstance(self.weeks, bool) or not isinstance(self.weeks, int) or self.weeks < 1:
            raise InputError(f"weeks={self.weeks!r} must be an integer >= 1. Fix: e.g. weeks=4.")
        if self.weights is None:
            return np.ones(self.weeks)
        weights = np.asarray(self.weights, dtype=np.float64)
        if weights.shape != (self.weeks,) or (weights < 0).any() or weights.sum() <= 0:
            raise InputError(
                f"weights={self.weights!r} must be {self.weeks} non-negative numbers with a "
                "positive sum (most recent week first). Fix: match weeks and weights."
            )
        return weights

    def _fit_state(self, days: FloatArray, start_date: np.datetime64) -> FloatArray:
        return seasonal_average(days, self._weights())

    def _forecast(self, state: FloatArray, n_days: int, start_date: np.datetime64) -> FloatArray:
        return repeat_weekly(state, n_days)
