"""One path for the calendar in forecasts and backtests.

:func:`fit_calendar` turns a queue's history into the training volume the models see
(learned events divided out, special days replaced by their ordinary expectation) and the
learned effects; :func:`adjust_days` applies those effects to a model's ordinary forecast.
``forecast_intervals``, ``backtest`` and ``model="auto"`` all call these two functions, so
backtests measure the calendar exactly as the forecast uses it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from wfm.forecast._slots import FloatArray, QueueHistory
from wfm.forecast.events import EventCalendar
from wfm.forecast.month_position import day_factors, learn_month_factors
from wfm.forecast.special_days import (
    DayLabels,
    SpecialEffects,
    apply_effects,
    learn_effects,
    rest_weekdays,
)


@dataclass(frozen=True)
class CalendarFit:
    """Training volume and learned calendar effects of one queue.

    Attributes
    ----------
    volume : numpy.ndarray
        ``(n_days, slots)`` training volume for the models.
    multipliers : dict
        ``learned`` event name -> multiplier.
    effects : SpecialEffects or None
        Learned special-day effects (None without ``calendar.special_days``).
    labels : DayLabels or None
        Special-day labels from the history's first date to ``until``.
    month_factors : numpy.ndarray or None
        ``(6,)`` month-position factors (``wfm.forecast.month_position``), or None.
    """

    volume: FloatArray
    multipliers: dict[str, float]
    effects: SpecialEffects | None
    labels: DayLabels | None
    month_factors: FloatArray | None = None


def truncated(history: QueueHistory, n_days: int) -> QueueHistory:
    """Return the first ``n_days`` days of a queue history (a backtest origin's view)."""
    return dataclasses.replace(
        history,
        volume=history.volume[:n_days],
        observed=history.observed[:n_days],
        handled_seconds=history.handled_seconds[:n_days],
    )


def fit_calendar(
    history: QueueHistory,
    calendar: EventCalendar | None,
    *,
    tz: str,
    interval_minutes: int,
    until: np.datetime64,
) -> CalendarFit:
    """Learn the calendar's effects on ``history`` and label days up to ``until`` (exclusive)."""
    if calendar is None:
        return CalendarFit(history.volume, {}, None, None)
    volume, multipliers = calendar.learned_adjustment(
        history, tz=tz, interval_minutes=interval_minutes
    )
    special = calendar.special_days
    if special is None:
        return CalendarFit(volume, multipliers, None, None)
    rest = rest_weekdays(volume, history.first_date, history.open_slots)
    n_label = max(int((until - history.first_date).astype(np.int64)), history.n_days)
    labels = special.label(history.first_date, n_label, rest)
    cleaned, effects = learn_effects(
        volume,
        history.observed,
        history.first_date,
        labels.window(history.first_date, history.n_days),
        special.shrinkage,
        special.estimate_shrinkage,
    )
    if not special.month_position:
        return CalendarFit(cleaned, multipliers, effects, labels)
    totals = cleaned.sum(axis=1)
    usable = ~labels.window(history.first_date, history.n_days).special & (totals > 0)
    factors = learn_month_factors(totals, history.first_date, usable, special.shrinkage)
    cleaned = cleaned / day_factors(factors, history.first_date, history.n_days)[:, None]
    return CalendarFit(cleaned, multipliers, effects, labels, factors)


def adjust_days(
    fit: CalendarFit,
    history: QueueHistory,
    calendar: EventCalendar | None,
    days: FloatArray,
    start_date: np.datetime64,
    *,
    tz: str,
    interval_minutes: int,
) -> FloatArray:
    """Apply special-day effects and learned-event multipliers to a ``(n, slots)`` forecast."""
    if calendar is None:
        return days
    out = days
    if fit.month_factors is not None:
        out = out * day_factors(fit.month_factors, start_date, days.shape[0])[:, None]
    if fit.effects is not None and fit.labels is not None:
        labels = fit.labels.window(start_date, days.shape[0])
        out = apply_effects(np.maximum(out, 0.0), start_date, labels, fit.effects)
    if fit.multipliers:
        factor = calendar.future_multipliers(
            history,
            fit.multipliers,
            start_date,
            days.shape[0],
            tz=tz,
            interval_minutes=interval_minutes,
        )
        out = out * factor.reshape(out.shape)
    return out
