"""The forecaster interface every model shares, and its empirical prediction intervals.

Every model works on one queue's history as a 1-D array of contacts per interval covering
whole local days (``slots_per_day`` values a day, row-major ``(days, slots)``), fits with
``fit(y, start_date=...)`` and forecasts ``h`` intervals after the last one with
``predict(h, levels=(80, 95))``.

Prediction intervals (all models, same rule): during ``fit`` the model is also fitted on the
history without its last ``calibration_days`` days and forecasts them. The errors are
standardised as ``r = (actual - forecast) / sqrt(max(forecast, 1))`` (Poisson-like scaling).
``s(lead day)`` is the root-mean-square of ``r`` on each lead day, made non-decreasing in
lead; the quantiles ``z`` of ``r / s(lead)`` are pooled over all leads. The band at level
``L`` is ``forecast + z_{(1 -+ L)/2} * s(lead) * sqrt(max(forecast, 1))``, the lower edge
floored at 0. Leads beyond the calibration window reuse the last ``s`` times
``sqrt(lead / calibration_days)``.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd

from wfm.core._display import ResultDisplay
from wfm.core._summary import Summary
from wfm.core.errors import InputError, NotFittedError, describe_value
from wfm.forecast._slots import FloatArray

DEFAULT_LEVELS: tuple[int, ...] = (80, 95)
MAX_HORIZON_INTERVALS = 3 * 366 * 288
"""Longest forecast horizon in intervals (three years of 5-minute intervals)."""
EPOCH_MONDAY = np.datetime64("1970-01-05", "D")


def check_levels(levels: Sequence[float]) -> tuple[float, ...]:
    """Validate prediction-interval levels in percent (0 < level < 100)."""
    if isinstance(levels, np.ndarray):
        levels = levels.tolist()
    if isinstance(levels, str) or not isinstance(levels, Sequence):
        raise InputError(
            f"levels={levels!r} is not a sequence of percentages. Fix: pass e.g. levels=(80, 95)."
        )
    out = []
    for level in levels:
        if isinstance(level, int | float) and not isinstance(level, bool) and 0 < level <= 1:
            raise InputError(
                f"levels contains {level!r}, which reads as a fraction: levels are percentages, "
                f"so it would give a {level:g}% band. Fix: pass {level * 100:g} (e.g. "
                "levels=(80, 95))."
            )
        if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 100:
            raise InputError(
                f"levels contains {level!r}; each level is a percentage strictly between 0 "
                "and 100. Fix: pass e.g. levels=(80, 95)."
            )
        out.append(float(level))
    return tuple(out)


def check_horizon(h: Any, *, name: str = "h") -> int:
    """Validate a positive integer horizon."""
    if isinstance(h, bool) or not isinstance(h, int | np.integer) or int(h) <= 0:
        raise InputError(f"{name}={h!r} must be a positive whole number. Fix: pass e.g. {name}=48.")
    if int(h) > MAX_HORIZON_INTERVALS:
        raise InputError(
            f"{name}={h!r} intervals is more than {MAX_HORIZON_INTERVALS:,} (three years of "
            f"5-minute intervals). Fix: forecast a shorter horizon (h counts intervals)."
        )
    return int(h)


def to_date64(value: dt.date | np.datetime64 | str | pd.Timestamp | None) -> np.datetime64:
    """Return a ``datetime64[D]`` (``None`` means the Monday 1970-01-05)."""
    if value is None:
        return EPOCH_MONDAY
    try:
        return np.datetime64(pd.Timestamp(value).date(), "D")
    except (ValueError, TypeError) as exc:
        raise InputError(f"start_date={value!r} is not a date. Fix: pass a date.") from exc


def level_key(level: float) -> str:
    """Column suffix of a level: 80.0 -> '80', 97.5 -> '97.5'."""
    return f"{level:g}"


@dataclass(frozen=True, repr=False)
class PointForecast(ResultDisplay):
    """A model's forecast of one queue.

    Attributes
    ----------
    mean : numpy.ndarray
        Point forecast, contacts per interval, shape ``(h,)``.
    lower, upper : dict of str to numpy.ndarray
        Prediction-interval edges per level (key ``"80"``, ``"95"``), contacts per interval.
    """

    mean: FloatArray
    lower: dict[str, FloatArray]
    upper: dict[str, FloatArray]

    def to_frame(self) -> pd.DataFrame:
        """Return one row per future interval with ``volume`` and ``volume_lo_/hi_`` columns."""
        data: dict[str, FloatArray] = {"volume": self.mean}
        for key in self.lower:
            data[f"volume_lo_{key}"] = self.lower[key]
            data[f"volume_hi_{key}"] = self.upper[key]
        return pd.DataFrame(data)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the forecast table by name (``{"forecast": to_frame()}``)."""
        return {"forecast": self.to_frame()}

    def summary(self) -> Summary:
        """Intervals, total and peak contacts, and the band levels (percent, as text)."""
        return Summary(
            "PointForecast",
            {
                "intervals": self.mean.size,
                "total_contacts": float(self.mean.sum()),
                "peak_contacts": float(self.mean.max(initial=0.0)),
                "levels": ", ".join(sorted(self.lower)),
            },
            units={"total_contacts": "contacts", "peak_contacts": "contacts per interval"},
        )


@dataclass(frozen=True)
class ErrorScale:
    """Empirical error model of a fitted forecaster (see module docstring)."""

    lead_scale: FloatArray
    residual_quantiles: FloatArray
    probabilities: FloatArray

    def band(
        self, mean: FloatArray, slots_per_day: int, level: float
    ) -> tuple[FloatArray, FloatArray]:
        """Lower and upper edges at ``level`` percent for a forecast starting at lead 1."""
        lead_day = np.arange(mean.size) // slots_per_day
        calibrated = self.lead_scale.size
        scale = self.lead_scale[np.minimum(lead_day, calibrated - 1)]
        beyond = lead_day >= calibrated
        scale = np.where(beyond, scale * np.sqrt((lead_day + 1) / calibrated), scale)
        tail = (1.0 - level / 100.0) / 2.0
        z_lo = float(np.interp(tail, self.probabilities, self.residual_quantiles))
        z_hi = float(np.interp(1.0 - tail, self.probabilities, self.residual_quantiles))
        spread = scale * np.sqrt(np.maximum(mean, 1.0))
        lower = np.maximum(mean + z_lo * spread, 0.0)
        upper = np.maximum(mean + z_hi * spread, lower)
        return lower, upper


_PROBABILITIES = np.linspace(0.0, 1.0, 201)


def fit_error_scale(actual: FloatArray, forecast: FloatArray, slots_per_day: int) -> ErrorScale:
    """Build the empirical error model from a held-out forecast (arrays ``(days*slots,)``).

    Only intervals where the forecast or the actual is positive are used (closed hours,
    0 against 0, would make the bands too narrow elsewhere).
    """
    standard = (actual - forecast) / np.sqrt(np.maximum(forecast, 1.0))
    active = ((forecast > 0) | (actual > 0)).reshape(-1, slots_per_day)
    by_day = standard.reshape(-1, slots_per_day)
    if not active.any():
        return poisson_error_scale(by_day.shape[0])
    counts = active.sum(axis=1)
    squares = np.where(active, by_day**2, 0.0).sum(axis=1)
    rms = np.divide(squares, counts, out=np.full(counts.size, np.nan), where=counts > 0) ** 0.5
    rms = pd.Series(rms).ffill().bfill().to_numpy()
    rms = np.maximum.accumulate(np.maximum(rms, 1e-6))
    normalised = (by_day / rms[:, None])[active]
    quantiles = np.quantile(normalised, _PROBABILITIES)
    return ErrorScale(rms, quantiles, _PROBABILITIES)


def poisson_error_scale(calibration_days: int) -> ErrorScale:
    """Fallback error model (pure Poisson noise) when no calibration window is available."""
    from scipy.stats import norm

    quantiles = norm.ppf(np.clip(_PROBABILITIES, 1e-4, 1 - 1e-4))
    return ErrorScale(np.ones(max(calibration_days, 1)), quantiles, _PROBABILITIES)


class IntervalForecaster(ABC):
    """Base of every forecasting model (fit on history, forecast ``h`` intervals).

    Subclasses implement ``_fit_state(days, start_date)`` returning any learned state and
    ``_forecast(state, n_days, start_date)`` returning the ``(n_days, slots)`` point forecast
    for the days after the history. Learned attributes end in ``_``.
    """

    slots_per_day: int
    calibration_days: int
    min_history_days: int = 7

    def _check_y(self, y: Any) -> FloatArray:
        if isinstance(y, pd.DataFrame):
            raise InputError(
                "y is a DataFrame; this model fits one array of interval volumes. Fix: pass "
                "frame['volume'].to_numpy() of whole local days, or use forecast_intervals "
                "for a long-format interval frame."
            )
        try:
            array = np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"y={describe_value(y)} is not an array of numbers. Fix: pass interval volumes."
            ) from exc
        if array.ndim == 2:
            array = array.ravel()
        if array.ndim != 1 or array.size == 0 or array.size % self.slots_per_day != 0:
            raise InputError(
                f"y has shape {np.shape(y)}; it must hold whole days of {self.slots_per_day} "
                "intervals each. Fix: pass complete local days (see docs/forecast.md)."
            )
        if not np.isfinite(array).all() or (array < 0).any():
            position = int(np.flatnonzero(~np.isfinite(array) | (array < 0))[0])
            raise InputError(
                f"y[{position}]={array[position]!r} is not a finite count >= 0. Fix: report and "
                "impute missing intervals before fitting (forecast_intervals does this)."
            )
        days = array.size // self.slots_per_day
        if days < self.min_history_days:
            raise InputError(
                f"y covers {days} days; {type(self).__name__} needs at least "
                f"{self.min_history_days}. Fix: pass more history or a simpler model."
            )
        return array

    @abstractmethod
    def _fit_state(self, days: FloatArray, start_date: np.datetime64) -> Any:
        """Learn the model's state from ``(days, slots)`` history."""

    @abstractmethod
    def _forecast(self, state: Any, n_days: int, start_date: np.datetime64) -> FloatArray:
        """Point forecast ``(n_days, slots)`` for the days after the history."""

    def _calibration_state(
        self, days: FloatArray, start_date: np.datetime64, full_state: Any
    ) -> Any:
        """State fitted without the calibration window (subclasses may reuse parameters)."""
        return self._fit_state(days, start_date)

    def fit_point(self, y: Any, *, start_date: dt.date | np.datetime64 | str | None = None) -> Self:
        """Fit the point forecast only (no calibration window; Poisson-width bands).

        Backtests use this: it costs one fit instead of two. Parameters as :meth:`fit`.
        """
        array = self._check_y(y)
        start = to_date64(start_date)
        days = array.reshape(-1, self.slots_per_day)
        self.state_ = self._fit_state(days, start)
        self.error_scale_ = poisson_error_scale(self.calibration_days)
        self.n_days_ = days.shape[0]
        self.start_date_ = start
        return self

    def fit(self, y: Any, *, start_date: dt.date | np.datetime64 | str | None = None) -> Self:
        """Fit the model.

        Parameters
        ----------
        y : array-like
            Contacts per interval over whole local days, shape ``(days * slots_per_day,)``
            or ``(days, slots_per_day)``; finite and >= 0.
        start_date : date, optional
            Local date of the first day (sets the weekday and holidays); default Monday
            1970-01-05.

        Returns
        -------
        Self
            The fitted model.
        """
        array = self._check_y(y)
        start = to_date64(start_date)
        days = array.reshape(-1, self.slots_per_day)
        state = self._fit_state(days, start)
        calibration = self.calibration_window(days.shape[0])
        cal_state = None
        if calibration >= 1:
            cal_state = self._calibration_state(days[:-calibration], start, state)
        return self.store_fit(days, start, state, cal_state)

    def calibration_window(self, n_days: int) -> int:
        """Days held out for the prediction-interval calibration (0 if too short)."""
        return max(min(self.calibration_days, n_days - self.min_history_days), 0)

    def store_fit(
        self, days: FloatArray, start: np.datetime64, state: Any, calibration_state: Any
    ) -> Self:
        """Store a fitted state and build the error model from the calibration state.

        Parameters
        ----------
        days : numpy.ndarray
            ``(n_days, slots)`` full training history.
        start : numpy.datetime64
            Local date of row 0.
        state : object
            State fitted on all of ``days``.
        calibration_state : object or None
            State fitted without the last :meth:`calibration_window` days.

        Returns
        -------
        Self
        """
        n_days = days.shape[0]
        calibration = self.calibration_window(n_days)
        if calibration >= 1 and calibration_state is not None:
            held_out = self._forecast(
                calibration_state, calibration, start + np.timedelta64(n_days - calibration, "D")
            )
            self.error_scale_ = fit_error_scale(
                days[-calibration:].ravel(), held_out.ravel(), self.slots_per_day
            )
        else:
            self.error_scale_ = poisson_error_scale(self.calibration_days)
        self.state_ = state
        self.n_days_ = n_days
        self.start_date_ = start
        return self

    def forecast_days(self, n_days: int) -> FloatArray:
        """Unclipped point forecast ``(n_days, slots)`` of the whole days after the history.

        :meth:`predict` floors this at 0; a combination averages its members' unclipped
        forecasts first (backtests use this to score a combination from its members).
        """
        if not hasattr(self, "state_"):
            raise NotFittedError(
                f"{type(self).__name__} is not fitted. Fix: call fit(y) before predict(h)."
            )
        end = self.start_date_ + np.timedelta64(self.n_days_, "D")
        return np.asarray(self._forecast(self.state_, n_days, end), dtype=np.float64)

    def predict(self, h: int, levels: Sequence[float] = DEFAULT_LEVELS) -> PointForecast:
        """Forecast the ``h`` intervals after the history.

        Parameters
        ----------
        h : int
            Number of intervals ahead (> 0).
        levels : sequence of float, default (80, 95)
            Prediction-interval levels in percent.

        Returns
        -------
        PointForecast
            Mean and interval edges, contacts per interval.

        Raises
        ------
        NotFittedError
            If called before ``fit``.
        """
        if not hasattr(self, "state_"):
            raise NotFittedError(
                f"{type(self).__name__} is not fitted. Fix: call fit(y) before predict(h)."
            )
        h = check_horizon(h)
        checked = check_levels(levels)
        n_days = -(-h // self.slots_per_day)
        mean = np.maximum(self.forecast_days(n_days).ravel()[:h], 0.0)
        lower: dict[str, FloatArray] = {}
        upper: dict[str, FloatArray] = {}
        for level in checked:
            lo, hi = self.error_scale_.band(mean, self.slots_per_day, level)
            lower[level_key(level)] = lo
            upper[level_key(level)] = hi
        return PointForecast(mean, lower, upper)
