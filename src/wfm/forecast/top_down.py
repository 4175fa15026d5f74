"""Top-down model: daily totals by ETS, SARIMA or a GLM, split into intervals by weekday profiles.

1. Daily totals ``D_t`` (contacts per local day).
2. Holiday effect: each past holiday's total is compared with its expectation (mean of the
   same weekday one week before and after, when those are not holidays); the multiplier
   ``h = sum(actual) / sum(expected)`` (1 if no holiday is in the history). For fitting,
   holiday totals are replaced by their expectation.
3. Day-of-week: the daily model has a weekly seasonal component. ``method="ets"`` is
   statsmodels' Holt-Winters ``ExponentialSmoothing`` (additive damped trend, additive
   7-day seasonality; additive because closed days have zero totals); ``method="sarima"``
   is ``SARIMAX`` with order (1, 0, 1) x (0, 1, 1, 7); ``method="glm"`` is a
   negative-binomial GLM with a level per weekday and a log-linear weekly trend over the
   last 8 weeks (:func:`fit_weekday_trend_glm`).
4. Intraday profile per weekday: the share of the day in slot ``s``, from the last
   ``profile_weeks`` days of weekday ``w`` weighted by recency and shrunk towards similar
   weekdays (:func:`wfm.forecast.profiles.shrunk_profiles`; ``profile_shrink=False`` and
   ``profile_half_life=None`` give the plain ``sum of slot s / sum of daily totals``).
5. Interval forecast ``= D_hat(day) * h^[holiday] * p[weekday(day), s]``.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from wfm.core.errors import InputError
from wfm.forecast._base import IntervalForecaster
from wfm.forecast._slots import BoolArray, FloatArray, weekday_of
from wfm.forecast._warnings import statsmodels_warnings
from wfm.forecast.profiles import PROFILE_HALF_LIFE, PROFILE_WEEKS, shrunk_profiles

INDEX_WEEKS = 8
"""Weeks of history in the weekday indices of ``seasonal="mul"``."""


GLM_WEEKS = 8
"""Weeks of daily totals the ``method="glm"`` daily model is fitted on."""


@dataclass(frozen=True)
class WeekdayTrendGLM:
    """Fitted log-linear daily model: a level per open weekday and a weekly trend.

    ``log E[D_t] = b[weekday(t)] + c * (t - t_end) / 7`` with ``t_end`` the last fitted
    day; closed weekdays (no contact in the window) forecast 0.
    """

    weekday_effects: FloatArray
    trend_per_week: float
    open_weekdays: BoolArray
    n_days: int
    start_weekday: int

    def forecast(self, n_days: int) -> FloatArray:
        """Return the expected daily totals of the ``n_days`` days after the fitted ones."""
        steps = np.arange(1, n_days + 1)
        weekdays = (self.start_weekday + self.n_days - 1 + steps) % 7
        level = np.exp(self.weekday_effects[weekdays] + self.trend_per_week * steps / 7.0)
        return np.where(self.open_weekdays[weekdays], level, 0.0)


def fit_weekday_trend_glm(
    totals: FloatArray, weekdays: np.ndarray, weeks: int = GLM_WEEKS, trend: bool = True
) -> WeekdayTrendGLM:
    """Fit :class:`WeekdayTrendGLM` to the last ``weeks`` weeks of daily totals.

    Negative-binomial GLM with log link (statsmodels), dispersion ``alpha`` estimated by
    the Pearson moment ratio of a Poisson fit: a fixed-effects version of the day-of-week
    count models of Weinberg, Brown & Stroud (2007, JASA 102:1185-1198) and of those
    surveyed by Ibrahim, Ye, L'Ecuyer & Shen (2016, IJF 32:865-874).

    Parameters
    ----------
    totals : numpy.ndarray
        Contacts per local day.
    weekdays : numpy.ndarray
        Weekday of each day (Monday = 0).
    weeks : int
        Weeks of history used (the most recent).
    trend : bool
        Include the log-linear weekly trend.
    """
    import statsmodels.api as sm

    if weeks < 2:
        raise InputError(f"glm_weeks={weeks} is too short. Fix: use at least 2 weeks (default 8).")
    window = slice(max(0, totals.size - 7 * weeks), None)
    y = np.asarray(totals[window], dtype=np.float64)
    days = weekdays[window]
    sums = np.bincount(days, weights=y, minlength=7)
    open_weekdays = sums > 0
    if not open_weekdays.any():  # nothing arrived in the window: forecast nothing
        return WeekdayTrendGLM(np.full(7, -np.inf), 0.0, open_weekdays, y.size, int(days[0]))
    rows = open_weekdays[days]
    columns = np.flatnonzero(open_weekdays)
    design = (days[rows][:, None] == columns[None, :]).astype(np.float64)
    steps = (np.arange(y.size)[rows] - (y.size - 1)) / 7.0
    if trend:
        design = np.column_stack([design, steps])
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    with statsmodels_warnings("TopDownDaily daily GLM"), warnings.catch_warnings():
        # with a log link, "perfect prediction" only means the fit reproduces the totals
        # exactly (a noise-free series); it is not a failure of the fit
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        poisson = sm.GLM(y[rows], design, family=sm.families.Poisson()).fit()
        mean = poisson.fittedvalues
        dof = max(int(rows.sum()) - design.shape[1], 1)
        alpha = max(float((((y[rows] - mean) ** 2 - mean) / mean**2).sum() / dof), 1e-6)
        fitted = sm.GLM(y[rows], design, family=sm.families.NegativeBinomial(alpha=alpha)).fit()
    params = np.asarray(fitted.params, dtype=np.float64)
    effects = np.full(7, -np.inf)
    effects[columns] = params[: columns.size]
    return WeekdayTrendGLM(
        weekday_effects=effects,
        trend_per_week=float(params[-1]) if trend else 0.0,
        open_weekdays=open_weekdays,
        n_days=y.size,
        start_weekday=int(days[0]),
    )


@dataclass(frozen=True)
class TopDownState:
    """Fitted daily model output and profiles."""

    daily_model: object
    profile: FloatArray
    holiday_multiplier: float
    n_days: int
    weekday_index: FloatArray | None = None


def weekday_index(totals: FloatArray, weekdays: np.ndarray, weeks: int) -> FloatArray:
    """``(7,)`` mean total of each weekday over the last ``weeks`` weeks / mean of open ones.

    Closed weekdays (mean 0) get 0; the open weekdays' indices average 1.
    """
    recent = slice(max(0, totals.size - 7 * weeks), None)
    sums = np.bincount(weekdays[recent], weights=totals[recent], minlength=7)
    counts = np.bincount(weekdays[recent], minlength=7)
    means = np.divide(sums, counts, out=np.zeros(7), where=counts > 0)
    open_means = means[means > 0]
    if open_means.size == 0:
        return np.zeros(7)
    index: FloatArray = means / open_means.mean()
    return index


def holiday_expectation(totals: FloatArray, is_holiday: BoolArray) -> FloatArray:
    """Mean of the same weekday one week before and after (non-holidays), per day."""
    n = totals.size
    index = np.arange(n)
    candidates = []
    for offset in (-7, 7):
        other = index + offset
        valid = (other >= 0) & (other < n)
        other = np.clip(other, 0, n - 1)
        valid &= ~is_holiday[other]
        candidates.append(np.where(valid, totals[other], np.nan))
    stacked = np.vstack(candidates)
    count = np.isfinite(stacked).sum(axis=0)
    summed = np.nansum(stacked, axis=0)
    expected: FloatArray = np.divide(summed, count, out=np.full(n, np.nan), where=count > 0)
    return expected


class TopDownDaily(IntervalForecaster):
    """Daily totals by ETS or SARIMA with day-of-week and holiday effects, split by profile.

    Parameters
    ----------
    method : {"ets", "sarima", "glm"}, default "ets"
        Daily model (statsmodels): Holt-Winters ETS, SARIMA, or a negative-binomial GLM
        with a level per weekday and a log-linear weekly trend fitted on the last
        ``glm_weeks`` weeks (:func:`fit_weekday_trend_glm`).
    holidays : sequence of date, default ()
        Local dates that are holidays (past ones teach the multiplier, future ones get it).
    profile_weeks : int, default 20
        Most recent days of each weekday in its intraday profile.
    profile_half_life : float or None, default 8.0
        Weeks after which a day's weight in the profile halves (None: equal weights).
    profile_shrink : bool, default True
        Shrink each weekday's profile towards similar weekdays (empirical Bayes, see
        :mod:`wfm.forecast.profiles`).
    slots_per_day : int, default 48
        Intervals per local day.
    calibration_days : int, default 14
        Held-out days for the empirical prediction intervals.
    seasonal : {"add", "mul"}, default "add"
        ``"add"``: the daily model has an additive weekly seasonal component. ``"mul"``
        (``method="ets"`` only): the totals are divided by weekday indices
        ``i[w] = mean total of weekday w / mean over open weekdays`` (last
        8 weeks), the open days' adjusted series is forecast by a damped
        trend ETS without seasonality, and the forecast is multiplied back, so a change of
        level moves a quiet day in proportion rather than by the same number of calls.
    """

    min_history_days = 28

    def __init__(
        self,
        *,
        method: Literal["ets", "sarima", "glm"] = "ets",
        holidays: Sequence[dt.date] = (),
        profile_weeks: int = PROFILE_WEEKS,
        slots_per_day: int = 48,
        calibration_days: int = 14,
        seasonal: Literal["add", "mul"] = "add",
        profile_half_life: float | None = PROFILE_HALF_LIFE,
        profile_shrink: bool = True,
        glm_weeks: int = GLM_WEEKS,
        glm_trend: bool = True,
    ) -> None:
        self.glm_weeks = glm_weeks
        self.glm_trend = glm_trend
        self.profile_half_life = profile_half_life
        self.profile_shrink = profile_shrink
        self.seasonal = seasonal
        self.method = method
        self.holidays = holidays
        self.profile_weeks = profile_weeks
        self.slots_per_day = slots_per_day
        self.calibration_days = calibration_days

    def _holiday_mask(self, start_date: np.datetime64, n_days: int) -> BoolArray:
        dates = start_date + np.arange(n_days).astype("timedelta64[D]")
        wanted = np.array([np.datetime64(d, "D") for d in self.holidays], dtype="datetime64[D]")
        return np.isin(dates, wanted)

    def _fit_daily(self, totals: FloatArray, reuse: object | None = None) -> object:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        with statsmodels_warnings(f"TopDownDaily daily {self.method.upper()}"):
            if self.method == "ets":
                # heuristic initial states (needs 10 weeks) and no brute-force start search:
                # 5x faster than "estimated" for the same fit quality on daily call totals
                init = "heuristic" if totals.size >= 70 else "estimated"
                return ExponentialSmoothing(
                    totals,
                    trend="add",
                    damped_trend=True,
                    seasonal="add",
                    seasonal_periods=7,
                    initialization_method=init,
                ).fit(use_brute=False)
            if self.method == "sarima":
                return SARIMAX(totals, order=(1, 0, 1), seasonal_order=(0, 1, 1, 7)).fit(disp=False)
        raise InputError(f"method={self.method!r} is not known. Fix: use 'ets' or 'sarima'.")

    def _fit_state(
        self, days: FloatArray, start_date: np.datetime64, reuse: object | None = None
    ) -> TopDownState:
        n_days = days.shape[0]
        totals = days.sum(axis=1)
        is_holiday = self._holiday_mask(start_date, n_days)
        multiplier = 1.0
        adjusted = totals.copy()
        if is_holiday.any():
            expected = holiday_expectation(totals, is_holiday)
            usable = is_holiday & np.isfinite(expected)
            if usable.any() and expected[usable].sum() > 0:
                multiplier = float(totals[usable].sum() / expected[usable].sum())
            adjusted = np.where(usable, expected, totals)
        weekdays = weekday_of(start_date, n_days)
        normal = ~is_holiday
        profile = shrunk_profiles(
            days,
            weekdays,
            usable=normal,
            weeks=self.profile_weeks,
            half_life=self.profile_half_life,
            shrink=self.profile_shrink,
        )
        if self.method == "glm":
            glm = fit_weekday_trend_glm(adjusted, weekdays, self.glm_weeks, self.glm_trend)
            return TopDownState(glm, profile, multiplier, n_days)
        if self.seasonal == "mul":
            index = weekday_index(adjusted, weekdays, INDEX_WEEKS)
            open_days = index[weekdays] > 0
            series = adjusted[open_days] / index[weekdays[open_days]]
            model = self._fit_level(series)
            return TopDownState(model, profile, multiplier, n_days, index)
        if self.seasonal != "add":
            raise InputError(f"seasonal={self.seasonal!r} is not known. Fix: 'add' or 'mul'.")
        return TopDownState(self._fit_daily(adjusted, reuse), profile, multiplier, n_days)

    def _fit_level(self, series: FloatArray) -> object:
        """Damped additive trend ETS without seasonality on the weekday-adjusted totals."""
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        if self.method != "ets":
            raise InputError(
                f"seasonal='mul' needs method='ets', not {self.method!r}. Fix: use method='ets'."
            )
        with statsmodels_warnings("TopDownDaily weekday-adjusted ETS"):
            return ExponentialSmoothing(
                series, trend="add", damped_trend=True, initialization_method="estimated"
            ).fit(use_brute=False)

    def _calibration_state(
        self, days: FloatArray, start_date: np.datetime64, full_state: TopDownState
    ) -> TopDownState:
        """Re-run the daily model with the parameters fitted on the full history."""
        return self._fit_state(days, start_date, reuse=full_state.daily_model)

    def _forecast(self, state: TopDownState, n_days: int, start_date: np.datetime64) -> FloatArray:
        weekdays = weekday_of(start_date, n_days)
        if isinstance(state.daily_model, WeekdayTrendGLM):
            daily = state.daily_model.forecast(n_days)
        elif state.weekday_index is not None:
            factors = state.weekday_index[weekdays]
            open_days = factors > 0
            daily = np.zeros(n_days)
            if open_days.any():
                with statsmodels_warnings("TopDownDaily weekday-adjusted ETS"):
                    level = state.daily_model.forecast(int(open_days.sum()))  # type: ignore[attr-defined]
                daily[open_days] = np.asarray(level, dtype=np.float64) * factors[open_days]
        else:
            with statsmodels_warnings(f"TopDownDaily daily {self.method.upper()}"):
                daily = np.asarray(state.daily_model.forecast(n_days), dtype=np.float64)  # type: ignore[attr-defined]
        daily = np.maximum(daily, 0.0)
        daily = np.where(
            self._holiday_mask(start_date, n_days), daily * state.holiday_multiplier, daily
        )
        return np.asarray(daily[:, None] * state.profile[weekdays], dtype=np.float64)

    @property
    def holiday_multiplier_(self) -> float:
        """Learned ratio of holiday volume to a normal same-weekday day."""
        state: TopDownState = self.state_
        return state.holiday_multiplier
