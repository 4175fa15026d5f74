"""Taylor's double-seasonal Holt-Winters (daily and weekly cycles), multiplicative.

Taylor, J. W. (2003), "Short-term electricity demand forecasting using double seasonal
exponential smoothing", Journal of the Operational Research Society 54:799-805; applied to
call-centre arrivals in Taylor, J. W. (2008), "A comparison of univariate time series
methods for forecasting intraday arrivals at a call center", Management Science
54(2):253-265. With ``m1`` intervals a day and ``m2 = 7 m1`` a week:

.. code-block:: text

    level     l_t = a * y_t / (d_{t-m1} w_{t-m2}) + (1 - a) * l_{t-1}
    daily     d_t = g * y_t / (l_t w_{t-m2}) + (1 - g) * d_{t-m1}
    weekly    w_t = o * y_t / (l_t d_{t-m1}) + (1 - o) * w_{t-m2}
    forecast  y_t(k) = l_t d_{t-m1+k} w_{t-m2+k} + phi^k e_t,
              e_t = y_t - l_{t-1} d_{t-m1} w_{t-m2}

(the optional AR(1) term ``phi`` is Taylor's adjustment for first-order autocorrelation;
no trend term, as in Taylor 2008 for intraday data). Closed or near-empty intervals make the
ratios unstable: a ratio is used only when its denominator index is at least
``min_index`` (default 0.2 of the average), otherwise that component keeps its old value.

Parameters ``(a, g, o, phi)`` minimise the in-sample one-step sum of squared errors over
the last ``estimation_weeks`` weeks (``scipy.optimize.minimize``, L-BFGS-B, bounds [0, 1]);
the states are initialised from the ``init_weeks`` weeks before that window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from wfm.forecast._base import IntervalForecaster
from wfm.forecast._slots import FloatArray, weekday_of


@dataclass(frozen=True)
class HoltWintersState:
    """Fitted parameters and final states (indices are by local slot / weekday-slot)."""

    alpha: float
    delta: float
    omega: float
    phi: float
    level: float
    daily: FloatArray
    weekly: FloatArray
    last_error: float
    sse: float


def _initial_states(init: FloatArray, first_weekday: int) -> tuple[float, FloatArray, FloatArray]:
    """Level, daily (slots,) and weekly (7*slots,) indices from whole initial weeks."""
    slots = init.shape[1]
    level = float(init.mean())
    if level <= 0:
        return 0.0, np.ones(slots), np.ones(7 * slots)
    daily = init.mean(axis=0) / level
    weekdays = (first_weekday + np.arange(init.shape[0])) % 7
    weekly = np.ones((7, slots))
    for weekday in range(7):
        rows = init[weekdays == weekday]
        if rows.size:
            ratio = np.divide(rows.mean(axis=0), level * daily, out=np.ones(slots), where=daily > 0)
            weekly[weekday] = ratio
    return level, daily, weekly.ravel()


def _filter(
    y: list[float],
    weekly_pos: list[int],
    slots: int,
    params: tuple[float, float, float, float],
    level: float,
    daily: list[float],
    weekly: list[float],
    min_index: float,
) -> tuple[float, float, float]:
    """Run the recursions in place; return (sse, final level, last error)."""
    alpha, delta, omega, phi = params
    keep_a, keep_d, keep_o = 1.0 - alpha, 1.0 - delta, 1.0 - omega
    error = 0.0
    sse = 0.0
    floor_level = min_index * level if level > 0 else 1e-9
    slot_of_step = list(range(slots)) * (len(y) // slots + 1)
    for value, s, p in zip(y, slot_of_step, weekly_pos, strict=False):
        d_old = daily[s]
        w_old = weekly[p]
        season = d_old * w_old
        base = level * season
        residual = value - base - phi * error
        sse += residual * residual
        error = value - base
        if season >= min_index:
            level = alpha * value / season + keep_a * level
            if level < floor_level:
                level = floor_level
        if w_old >= min_index:
            daily[s] = delta * value / (level * w_old) + keep_d * d_old
        if d_old >= min_index:
            weekly[p] = omega * value / (level * d_old) + keep_o * w_old
    return sse, level, error


class DoubleSeasonalHoltWinters(IntervalForecaster):
    """Taylor's double-seasonal Holt-Winters with optional AR(1) error adjustment.

    Parameters
    ----------
    slots_per_day : int, default 48
        Intervals per local day (daily cycle length ``m1``; weekly ``m2 = 7 m1``).
    ar_adjustment : bool, default True
        Include Taylor's AR(1) term ``phi``.
    estimation_weeks : int, default 4
        Weeks of most recent history in the SSE minimisation.
    init_weeks : int, default 1
        Weeks before the estimation window used to initialise the states.
    min_index : float, default 0.2
        Smallest seasonal index used as a ratio denominator (closed-hours guard).
    calibration_days : int, default 14
        Held-out days for the empirical prediction intervals (the parameters fitted on
        the full history are reused there; only the states are re-run).
    """

    min_history_days = 21

    def __init__(
        self,
        *,
        slots_per_day: int = 48,
        ar_adjustment: bool = True,
        estimation_weeks: int = 4,
        init_weeks: int = 1,
        min_index: float = 0.2,
        calibration_days: int = 14,
    ) -> None:
        self.slots_per_day = slots_per_day
        self.ar_adjustment = ar_adjustment
        self.estimation_weeks = estimation_weeks
        self.init_weeks = init_weeks
        self.min_index = min_index
        self.calibration_days = calibration_days

    def _windows(
        self, days: FloatArray, start_date: np.datetime64
    ) -> tuple[FloatArray, FloatArray, int]:
        """Split into (initial weeks, estimation days, weekday of the initial block)."""
        n_days = days.shape[0]
        total_weeks = n_days // 7
        init_weeks = min(self.init_weeks, max(total_weeks - 2, 1))
        est_weeks = min(self.estimation_weeks, total_weeks - init_weeks)
        first = n_days - 7 * (init_weeks + est_weeks)
        init = days[first : first + 7 * init_weeks]
        estimation = days[first + 7 * init_weeks :]
        weekday = int(weekday_of(start_date + np.timedelta64(first, "D"), 1)[0])
        return init, estimation, weekday

    def _run(
        self, days: FloatArray, start_date: np.datetime64, params: tuple[float, ...] | None
    ) -> HoltWintersState:
        init, estimation, weekday = self._windows(days, start_date)
        slots = self.slots_per_day
        level0, daily0, weekly0 = _initial_states(init, weekday)
        est_weekday = (weekday + init.shape[0]) % 7
        weekdays = (est_weekday + np.arange(estimation.shape[0])) % 7
        positions = (weekdays[:, None] * slots + np.arange(slots)[None, :]).ravel().tolist()
        values = estimation.ravel().tolist()
        scale = max(level0, 1e-9) ** 2 * max(len(values), 1)

        def run(
            x: tuple[float, float, float, float],
        ) -> tuple[float, float, list[float], list[float], float]:
            daily = daily0.tolist()
            weekly = weekly0.tolist()
            sse, level, error = _filter(
                values, positions, slots, x, level0, daily, weekly, self.min_index
            )
            return sse, level, daily, weekly, error

        if params is None:
            if level0 <= 0:
                params = (0.1, 0.1, 0.1, 0.0)
            else:
                ar = self.ar_adjustment

                def objective(x: FloatArray) -> float:
                    phi = float(x[3]) if ar else 0.0
                    return run((float(x[0]), float(x[1]), float(x[2]), phi))[0] / scale

                result = minimize(
                    objective,
                    x0=np.array([0.1, 0.1, 0.1, 0.5 if ar else 0.0]),
                    method="L-BFGS-B",
                    bounds=[(0.0, 1.0)] * 3 + [(0.0, 0.99 if ar else 0.0)],
                    options={"maxiter": 40},
                )
                params = tuple(float(v) for v in result.x)
        a, d, o, phi = (float(v) for v in params)
        sse, level, daily, weekly, error = run((a, d, o, phi))
        return HoltWintersState(
            a, d, o, phi, level, np.asarray(daily), np.asarray(weekly), error, sse
        )

    def _fit_state(self, days: FloatArray, start_date: np.datetime64) -> HoltWintersState:
        return self._run(days, start_date, None)

    def _forecast(
        self, state: HoltWintersState, n_days: int, start_date: np.datetime64
    ) -> FloatArray:
        slots = self.slots_per_day
        weekdays = weekday_of(start_date, n_days)
        weekly = state.weekly.reshape(7, slots)[weekdays]
        steps = np.arange(1, n_days * slots + 1).reshape(n_days, slots)
        ar = state.phi**steps * state.last_error
        return np.asarray(state.level * state.daily[None, :] * weekly + ar, dtype=np.float64)

    @property
    def params_(self) -> dict[str, float]:
        """Fitted parameters: ``alpha`` level, ``delta`` daily, ``omega`` weekly, ``phi`` AR."""
        state: HoltWintersState = self.state_
        return {"alpha": state.alpha, "delta": state.delta, "omega": state.omega, "phi": state.phi}
