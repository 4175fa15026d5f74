"""The DataFrame layer: forecast many queues of a long-format interval frame at once.

``forecast_intervals(history, model="auto", horizon_days=7)`` validates the history, turns
each queue into its local-time slot matrix (``wfm.forecast._slots``), fits one model per
queue, forecasts whole local days from ``start`` and maps the result back onto the real,
timezone-aware interval grid (46 or 50 half-hours on DST days).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wfm.core._display import ResultDisplay
from wfm.core._parallel import TaskProgress
from wfm.core._summary import Summary
from wfm.core.errors import InputError
from wfm.core.frames import AHT_SECONDS, INTERVAL_START, QUEUE, VOLUME
from wfm.core.types import ExecutorLike, TimestampLike
from wfm.forecast._base import (
    DEFAULT_LEVELS,
    IntervalForecaster,
    PointForecast,
    check_horizon,
    check_levels,
    level_key,
)
from wfm.forecast._calendar import adjust_days, fit_calendar
from wfm.forecast._parallel import map_queue_jobs
from wfm.forecast._slots import (
    FloatArray,
    QueueHistory,
    build_queue_history,
    slot_values_to_stamps,
    validate_history,
    weekday_of,
)
from wfm.forecast._warnings import MissingIntervalsWarning
from wfm.forecast.events import EventCalendar
from wfm.forecast.month_position import BIN_LABELS
from wfm.forecast.registry import FAST_MODELS, model_for_history
from wfm.forecast.special_days import EFFECT_COLUMNS, effects_table

ModelSpec = str | IntervalForecaster


@dataclass(frozen=True, repr=False)
class HistoryReport(ResultDisplay):
    """What the DataFrame layer did to each queue's history before fitting.

    Attributes
    ----------
    missing : pandas.DataFrame
        ``queue``, ``interval_start`` of absent intervals at open weekday-slots (imputed for
        training by the median of the same weekday and slot).
    excluded : pandas.DataFrame
        ``queue``, ``interval_start`` removed by ``exclude`` events (imputed the same way).
    trimmed_days : pandas.DataFrame
        ``queue``, ``date`` of partial first/last days left out of training.
    models : dict
        Queue -> name of the model actually fitted (after any short-history fallback).
    special_days : pandas.DataFrame
        One row per queue and forecast special day (``calendar.special_days``): ``date``,
        ``kind``, ``name``, ``past_occurrences``, ``relative_to`` (the weekday the learned ratios
        are measured against), ``learned_ratio``, ``kind_past_days``,
        ``kind_ratio``, ``prior_ratio``, ``name_weight`` and the ``ratio`` applied to the
        day's ordinary total (see ``wfm.forecast.special_days``).
    event_multipliers : dict
        Queue -> ``learned`` event name -> learned multiplier.
    """

    missing: pd.DataFrame
    excluded: pd.DataFrame
    trimmed_days: pd.DataFrame
    models: dict[Hashable, str]
    special_days: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EFFECT_COLUMNS))
    event_multipliers: dict[Hashable, dict[str, float]] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Per queue: ``model``, ``missing_intervals``, ``excluded_intervals``, ``trimmed_days``.

        Also ``special_days`` (forecast special days) and ``event_multipliers`` (learned
        events), counts per queue.
        """
        queues = list(self.models)

        def counts(frame: pd.DataFrame) -> list[int]:
            per_queue = (
                frame.groupby(QUEUE, sort=False).size() if len(frame) else pd.Series(dtype=np.int64)
            )
            return [int(per_queue.get(queue, 0)) for queue in queues]

        return pd.DataFrame(
            {
                QUEUE: queues,
                "model": [self.models[q] for q in queues],
                "missing_intervals": counts(self.missing),
                "excluded_intervals": counts(self.excluded),
                "trimmed_days": counts(self.trimmed_days),
                "special_days": counts(self.special_days),
                "event_multipliers": [len(self.event_multipliers.get(q, {})) for q in queues],
            }
        )

    def summary(self) -> Summary:
        """Totals over queues of what was imputed, excluded and trimmed; per queue in breakdown."""
        return Summary(
            "HistoryReport",
            {
                "queues": len(self.models),
                "missing_intervals": len(self.missing),
                "excluded_intervals": len(self.excluded),
                "trimmed_days": len(self.trimmed_days),
                "special_days": len(self.special_days),
                "event_multipliers": sum(len(m) for m in self.event_multipliers.values()),
            },
            units={
                "missing_intervals": "intervals",
                "excluded_intervals": "intervals",
                "trimmed_days": "days",
                "special_days": "days",
            },
            breakdown=self.to_frame(),
        )


@dataclass(frozen=True, repr=False)
class IntervalForecast(ResultDisplay):
    """Forecast of many queues on the real interval grid.

    Attributes
    ----------
    frame : pandas.DataFrame
        Long format: ``queue``, ``interval_start`` (aware), ``volume`` (contacts per
        interval), ``volume_lo_<L>``/``volume_hi_<L>`` per level, ``aht_seconds``
        (volume-weighted handle-time forecast, seconds; NaN where closed or unknown).
    report : HistoryReport
        Missing/excluded intervals, trimmed days and the model used per queue.
    levels : tuple of float
        Prediction-interval levels in percent.
    metadata : dict
        Model, horizon, start, time zone and interval length (for snapshots).
    """

    frame: pd.DataFrame
    report: HistoryReport
    levels: tuple[float, ...]
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the long-format forecast frame."""
        return self.frame.copy()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the forecast and what was done to the history (missing, excluded, ...)."""
        return {
            "forecast": self.frame,
            "missing_intervals": self.report.missing,
            "excluded_intervals": self.report.excluded,
            "trimmed_days": self.report.trimmed_days,
            "special_days": self.report.special_days,
        }

    def summary(self) -> Summary:
        """Start, horizon and forecast contacts; per queue the model and contacts in breakdown."""
        totals = self.frame.groupby(QUEUE, sort=True)[VOLUME].sum()
        per_queue = self.report.to_frame().set_index(QUEUE)
        breakdown = pd.DataFrame(
            {
                QUEUE: list(totals.index),
                "model": [self.report.models.get(q) for q in totals.index],
                "forecast_contacts": totals.to_numpy(dtype=float),
                "missing_intervals": [
                    int(per_queue["missing_intervals"].get(q, 0)) for q in totals.index
                ],
            }
        )
        history = self.report.summary()
        start = self.metadata.get("start")
        horizon = self.metadata.get("horizon_days")
        return Summary(
            "IntervalForecast",
            {
                "start": None if start is None else str(start),
                "horizon_days": None if horizon is None else int(horizon),
                "queues": len(totals),
                "rows": len(self.frame),
                "forecast_contacts": float(totals.sum()),
                "missing_intervals": history["missing_intervals"],
                "excluded_intervals": history["excluded_intervals"],
                "trimmed_days": history["trimmed_days"],
                "special_days": history["special_days"],
            },
            units={
                "horizon_days": "days",
                "forecast_contacts": "contacts",
                "missing_intervals": "intervals",
                "excluded_intervals": "intervals",
                "trimmed_days": "days",
                "special_days": "days",
            },
            breakdown=breakdown,
        )


def _local_date(value: Any, tz: str, name: str) -> np.datetime64:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{name}={value!r} is not a date. Fix: pass e.g. '2024-03-04'.") from exc
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(tz)
    if stamp != stamp.normalize():
        raise InputError(
            f"{name}={value!r} is not a local midnight. Fix: pass a date; forecasts cover whole "
            "local days (use reforecast_intraday for the rest of today)."
        )
    return np.datetime64(stamp.date(), "D")


def aht_profile(history: QueueHistory, weeks: int) -> FloatArray:
    """Volume-weighted AHT per (weekday, slot) over the last ``weeks`` weeks, in seconds.

    ``aht[w, s] = sum(volume * aht) / sum(volume)`` over observed intervals of weekday ``w``
    and slot ``s``; where that has no volume, the same slot over all weekdays, then the
    queue's overall volume-weighted AHT. NaN if the history has no handle times.
    """
    n_days = min(history.n_days, weeks * 7)
    volume = np.where(history.observed, history.volume, 0.0)[-n_days:]
    handled = history.handled_seconds[-n_days:]
    weekdays = history.weekdays()[-n_days:]
    slots = volume.shape[1]
    volume_sum = np.zeros((7, slots))
    handled_sum = np.zeros((7, slots))
    np.add.at(volume_sum, weekdays, volume)
    np.add.at(handled_sum, weekdays, handled)
    if handled_sum.sum() <= 0:
        return np.full((7, slots), np.nan)
    overall = handled_sum.sum() / volume_sum.sum()
    by_slot_volume = volume_sum.sum(axis=0)
    by_slot = np.divide(
        handled_sum.sum(axis=0),
        by_slot_volume,
        out=np.full(slots, overall),
        where=by_slot_volume > 0,
    )
    aht: FloatArray = np.divide(
        handled_sum,
        volume_sum,
        out=np.broadcast_to(by_slot, (7, slots)).copy(),
        where=volume_sum > 0,
    )
    return aht


def split_histories(
    history: pd.DataFrame,
    *,
    interval_minutes: int | None = None,
    queues: Sequence[Hashable] | None = None,
    calendar: EventCalendar | None = None,
) -> tuple[dict[Hashable, QueueHistory], str, int]:
    """Validate ``history`` and build each queue's slot matrix.

    Returns
    -------
    tuple
        (queue -> QueueHistory, IANA time zone, interval minutes).
    """
    frame, tz, minutes, has_aht = validate_history(history, interval_minutes=interval_minutes)
    known = pd.unique(frame[QUEUE])
    if queues is not None:
        unknown = [q for q in queues if q not in set(known)]
        if unknown:
            raise InputError(
                f"queues contains {unknown!r}, not in history[{QUEUE!r}] (which has "
                f"{list(known)[:10]}). Fix: pass queues present in the history."
            )
        frame = frame[frame[QUEUE].isin(list(queues))]
    out: dict[Hashable, QueueHistory] = {}
    for queue, rows in frame.groupby(QUEUE, sort=False):
        exclude_mask = None
        if calendar is not None:
            exclude_mask = calendar.exclusion_mask(queue, pd.DatetimeIndex(rows[INTERVAL_START]))
        out[queue] = build_queue_history(
            queue,
            rows,
            tz=tz,
            interval_minutes=minutes,
            has_aht=has_aht,
            exclude_mask=exclude_mask,
        )
    return out, tz, minutes


def open_day_span(
    histories: Mapping[Hashable, QueueHistory],
    calendar: EventCalendar | None,
    start_date: np.datetime64,
    open_days: int,
    *,
    skip_to_open: bool,
) -> tuple[np.datetime64, int]:
    """First day and calendar-day length of a horizon of ``open_days`` open days.

    An open day's weekday has an open slot in some queue and it is not a ``holiday`` of
    ``calendar.special_days``. With ``skip_to_open`` the span starts at the first open day
    on or after ``start_date``; it ends with the last open day.
    """
    open_weekdays = np.logical_or.reduce([h.open_slots.any(axis=1) for h in histories.values()])
    if not open_weekdays.any():
        raise InputError(
            "no weekday has an open interval in the history, so open days cannot be counted. "
            "Fix: pass horizon_days instead of horizon_open_days."
        )
    # an open weekday comes at least once a week, so open_days weeks (plus holidays) suffice
    span = 7 * (open_days + 2) + 60
    dates = start_date + np.arange(span).astype("timedelta64[D]")
    is_open = open_weekdays[weekday_of(start_date, span)]
    special = None if calendar is None else calendar.special_days
    if special is not None:
        table = special.holiday_dates(pd.Timestamp(dates[0]).date(), pd.Timestamp(dates[-1]).date())
        holiday = np.array([np.datetime64(d, "D") for d in table], dtype="datetime64[D]")
        is_open &= ~np.isin(dates, holiday)
    positions = np.flatnonzero(is_open)
    first = int(positions[0]) if skip_to_open and positions.size else 0
    positions = positions[positions >= first]
    if positions.size < open_days:
        raise InputError(
            f"horizon_open_days={open_days} open days are not found within {span} days. Fix: "
            "check the calendar (too many holidays?) or pass horizon_days."
        )
    last = int(positions[open_days - 1])
    return start_date + np.timedelta64(first, "D"), last - first + 1


def _report(
    histories: Mapping[Hashable, QueueHistory],
    models: dict[Hashable, str],
    special_days: pd.DataFrame | None = None,
    multipliers: dict[Hashable, dict[str, float]] | None = None,
) -> HistoryReport:
    tz = next(iter(histories.values())).missing.tz if histories else None

    def stamps_frame(attr: str) -> pd.DataFrame:
        parts = [
            pd.DataFrame({QUEUE: [q] * len(getattr(h, attr)), INTERVAL_START: getattr(h, attr)})
            for q, h in histories.items()
            if len(getattr(h, attr))
        ]
        if not parts:
            # empty but typed: interval_start stays tz-aware datetime (``.dt`` works)
            return pd.DataFrame(
                {
                    QUEUE: pd.Series([], dtype=object),
                    INTERVAL_START: pd.Series(pd.DatetimeIndex([], tz=tz)),
                }
            )
        return pd.concat(parts, ignore_index=True)

    trimmed = [(q, pd.Timestamp(d).date()) for q, h in histories.items() for d in h.trimmed_days]
    return HistoryReport(
        missing=stamps_frame("missing"),
        excluded=stamps_frame("excluded"),
        trimmed_days=pd.DataFrame(trimmed, columns=[QUEUE, "date"]),
        models=models,
        special_days=pd.DataFrame(columns=EFFECT_COLUMNS) if special_days is None else special_days,
        event_multipliers=dict(multipliers or {}),
    )


def _warn_missing(report: HistoryReport) -> None:
    if len(report.missing):
        first = report.missing.head(3).to_dict("records")
        warnings.warn(
            f"{len(report.missing)} open interval(s) are absent from the history (first: "
            f"{first}); they were imputed for training only by the median of the same local "
            "weekday and slot. See IntervalForecast.report.missing.",
            MissingIntervalsWarning,
            stacklevel=3,
        )


@dataclass(frozen=True)
class QueueForecast:
    """One queue's forecast and what the calendar did to it.

    Attributes
    ----------
    forecast : PointForecast
        ``(horizon_days * slots,)`` mean and bands.
    name : str
        Model used.
    special_days : pandas.DataFrame
        Future special days with their learned and shrunk effects (``EFFECT_COLUMNS``).
    multipliers : dict
        ``learned`` event name -> multiplier.
    month_factors : dict
        Part of the month -> learned month-position factor (empty without one).
    """

    forecast: PointForecast
    name: str
    special_days: pd.DataFrame
    multipliers: dict[str, float]
    month_factors: dict[str, float] = field(default_factory=dict)


def forecast_queue_days(
    history: QueueHistory,
    model: ModelSpec,
    *,
    start_date: np.datetime64,
    horizon_days: int,
    levels: tuple[float, ...],
    tz: str,
    interval_minutes: int,
    calendar: EventCalendar | None = None,
) -> QueueForecast:
    """Fit one queue and forecast ``horizon_days`` whole days from ``start_date``.

    The calendar is applied by :func:`wfm.forecast._calendar.fit_calendar` and
    :func:`~wfm.forecast._calendar.adjust_days`, as in backtests. Bands are those of the
    model's error scale around the adjusted point forecast.
    """
    slots = history.volume.shape[1]
    end = start_date + np.timedelta64(horizon_days, "D")
    calendar_fit = fit_calendar(
        history, calendar, tz=tz, interval_minutes=interval_minutes, until=end
    )
    fitted, name = model_for_history(model, slots, history.n_days, history.queue)
    fitted.fit(calendar_fit.volume, start_date=history.first_date)
    gap = int((start_date - history.end_date).astype(np.int64))
    total_days = gap + horizon_days
    raw = fitted.forecast_days(total_days)
    adjusted = adjust_days(
        calendar_fit,
        history,
        calendar,
        raw,
        history.end_date,
        tz=tz,
        interval_minutes=interval_minutes,
    )
    full_mean = np.maximum(adjusted.ravel(), 0.0)
    cut = slice(gap * slots, None)
    weekdays = weekday_of(start_date, horizon_days)
    open_mask = history.open_slots[weekdays].ravel()
    mean = np.where(open_mask, full_mean[cut], 0.0)
    lower: dict[str, FloatArray] = {}
    upper: dict[str, FloatArray] = {}
    for level in levels:
        lo, hi = fitted.error_scale_.band(full_mean, slots, level)
        lower[level_key(level)] = np.where(open_mask, lo[cut], 0.0)
        upper[level_key(level)] = np.where(open_mask, hi[cut], 0.0)
    table = pd.DataFrame(columns=EFFECT_COLUMNS)
    if calendar_fit.effects is not None and calendar_fit.labels is not None:
        table = effects_table(
            history.queue,
            start_date,
            calendar_fit.labels.window(start_date, horizon_days),
            calendar_fit.effects,
        )
    month: dict[str, float] = {}
    if calendar_fit.month_factors is not None:
        month = dict(zip(BIN_LABELS, map(float, calendar_fit.month_factors), strict=True))
    return QueueForecast(
        PointForecast(mean, lower, upper), name, table, dict(calendar_fit.multipliers), month
    )


def forecast_intervals(
    history: pd.DataFrame,
    *,
    model: ModelSpec | Mapping[Hashable, ModelSpec] = "auto",
    horizon_days: int | None = None,
    start: TimestampLike | None = None,
    levels: Sequence[float] = DEFAULT_LEVELS,
    interval_minutes: int | None = None,
    queues: Sequence[Hashable] | None = None,
    calendar: EventCalendar | None = None,
    candidates: Sequence[ModelSpec] = FAST_MODELS,
    backtest_origins: int = 4,
    aht_weeks: int = 8,
    n_jobs: int = 1,
    horizon_open_days: int | None = None,
    executor: ExecutorLike | None = None,
    progress: TaskProgress | None = None,
) -> IntervalForecast:
    """Forecast volume (with prediction bands) and AHT per interval for many queues.

    Parameters
    ----------
    history : pandas.DataFrame
        Long-format interval frame: ``queue``, ``interval_start`` (aware), ``volume``
        (contacts per interval, >= 0) and optionally ``aht_seconds`` (seconds).
    model : str, IntervalForecaster or mapping, default "auto"
        ``"auto"`` backtests the ``candidates`` per queue over the last
        ``backtest_origins`` weeks and keeps the ``"combination"`` (when it is a
        candidate) unless another candidate's WAPE is more than 5% lower; without it, the
        lowest WAPE wins. Or a model name of ``MODEL_NAMES`` (``seasonal_naive``,
        ``weighted_average``, ``weighted_average_8w``, ``holt_winters``, ``top_down``,
        ``mstl``, ``combination``), a model instance (template), or a mapping queue ->
        either.
    horizon_days : int, default 7
        Whole local days to forecast (> 0), counted in calendar days.
    start : date-like, optional
        First local day of the forecast; default the day after the last history day (with
        ``horizon_open_days``: the first open day after it).
    horizon_open_days : int, optional
        Forecast this many *open* days instead (exclusive with ``horizon_days``): local
        days whose weekday has an open interval in any queue and that are not a
        ``holiday`` of ``calendar.special_days``. The forecast then starts on the next
        open day (a weekday-only centre whose history ends on a Friday starts on Monday)
        and runs to the end of the last open day; closed days in between are included
        (forecast 0). ``metadata["horizon_days"]`` gives the calendar days covered.
    levels : sequence of float, default (80, 95)
        Prediction-interval levels in percent.
    interval_minutes : int, optional
        Interval length; inferred from the history if omitted.
    queues : sequence, optional
        Queues to forecast (default all). Unknown queues raise ``InputError``.
    calendar : EventCalendar, optional
        Special days: exclusions, learned effects, manual overrides and, with
        ``calendar.special_days``, holidays, eves, after-days and bridges with learned,
        shrunk effects (``report.special_days``, ``metadata["special_days"]``) and the
        month-position factors (``metadata["month_position"]``, queue -> part of the
        month -> factor). The selection backtest of ``"auto"`` applies the calendar
        exactly as the forecast does.
    candidates : sequence, default FAST_MODELS
        Models compared by ``model="auto"``: seasonal naive, 4- and 8-week seasonal
        averages, top-down and their combination (the champion, see ``model``).
    backtest_origins : int, default 4
        Weekly origins of the selection backtest.
    aht_weeks : int, default 8
        Weeks of history in the volume-weighted AHT profile.
    n_jobs : int, default 1
        Worker processes for the per-queue selection backtests and fits (results are
        identical); 1 runs in this process and starts nothing.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs the per-queue jobs instead of local processes (same results; see
        ``docs/scale.md``).
    progress : callable, optional
        ``progress(stage, done, total)`` after each queue, with stage ``"selection"``
        (``model="auto"``) then ``"forecast"``.

    Returns
    -------
    IntervalForecast
        ``.to_frame()`` gives the long frame; ``.report`` what was imputed and which model
        each queue used.

    Raises
    ------
    InputError
        On invalid history (naive or duplicate timestamps, negative volume, ...),
        ``horizon_days <= 0``, an unknown queue or model, or a start inside the history.

    Warns
    -----
    MissingIntervalsWarning
        If open intervals are absent from the history.
    ShortHistoryWarning
        If a queue's history is too short for the requested model.
    """
    if horizon_days is not None and horizon_open_days is not None:
        raise InputError(
            f"horizon_days={horizon_days!r} and horizon_open_days={horizon_open_days!r} were "
            "both given. Fix: pass one of them (calendar days or open days)."
        )
    if horizon_open_days is not None:
        horizon_open_days = check_horizon(horizon_open_days, name="horizon_open_days")
    horizon_days = check_horizon(7 if horizon_days is None else horizon_days, name="horizon_days")
    checked_levels = check_levels(levels)
    histories, tz, minutes = split_histories(
        history, interval_minutes=interval_minutes, queues=queues, calendar=calendar
    )
    if start is None:
        start_date = max(q.observed_end for q in histories.values())
    else:
        start_date = _local_date(start, tz, "start")
    if horizon_open_days is not None:
        start_date, horizon_days = open_day_span(
            histories, calendar, start_date, horizon_open_days, skip_to_open=start is None
        )
    for queue, queue_history in histories.items():
        if start_date < queue_history.end_date:
            raise InputError(
                f"start={start_date} falls inside the history of queue={queue!r}, which runs "
                f"to {queue_history.end_date - np.timedelta64(1, 'D')}. Fix: pass start >= "
                f"{queue_history.end_date} or cut the history before start."
            )
    chosen = _choose_models(
        histories, model, candidates, backtest_origins, n_jobs, calendar, executor, progress
    )
    grid, grid_day, grid_slot = slot_values_to_stamps(
        start_date, horizon_days, tz=tz, interval_minutes=minutes
    )
    slots = 1440 // minutes
    flat_index = grid_day * slots + grid_slot
    weekdays = weekday_of(start_date, horizon_days)
    parts = []
    used: dict[Hashable, str] = {}
    resolved: dict[Hashable, tuple[IntervalForecaster, str]] = {
        queue: model_for_history(chosen[queue], slots, history_.n_days, queue)
        for queue, history_ in histories.items()
    }
    jobs = [
        (
            histories[queue],
            resolved[queue][0],
            start_date,
            horizon_days,
            checked_levels,
            tz,
            minutes,
            calendar,
        )
        for queue in histories
    ]
    results = map_queue_jobs(
        _forecast_job,
        jobs,
        n_jobs,
        queues=list(histories),
        executor=executor,
        progress=progress,
        stage="forecast",
    )
    special_tables = []
    multipliers: dict[Hashable, dict[str, float]] = {}
    month_position: dict[str, dict[str, float]] = {}
    for (queue, queue_history), result in zip(histories.items(), results, strict=True):
        if result.month_factors:
            month_position[str(queue)] = result.month_factors
        forecast = result.forecast
        name = resolved[queue][1]
        used[queue] = name
        if len(result.special_days):
            special_tables.append(result.special_days)
        if result.multipliers:
            multipliers[queue] = result.multipliers
        aht = aht_profile(queue_history, aht_weeks)[weekdays].ravel()
        columns: dict[str, Any] = {
            QUEUE: np.full(len(grid), queue, dtype=object),
            INTERVAL_START: grid,
            VOLUME: forecast.mean[flat_index],
        }
        for level in checked_levels:
            key = level_key(level)
            columns[f"volume_lo_{key}"] = forecast.lower[key][flat_index]
            columns[f"volume_hi_{key}"] = forecast.upper[key][flat_index]
        open_mask = queue_history.open_slots[weekdays].ravel()[flat_index]
        columns[AHT_SECONDS] = np.where(open_mask, aht[flat_index], np.nan)
        part = pd.DataFrame(columns)
        if calendar is not None:
            part = calendar.apply_overrides(part, checked_levels)
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    special_days = (
        pd.concat(special_tables, ignore_index=True)
        if special_tables
        else pd.DataFrame(columns=EFFECT_COLUMNS)
    )
    report = _report(histories, used, special_days, multipliers)
    _warn_missing(report)
    metadata = {
        "model": model if isinstance(model, str) else "custom",
        "models": {str(k): v for k, v in used.items()},
        "horizon_days": horizon_days,
        "start": str(start_date),
        "time_zone": tz,
        "interval_minutes": minutes,
        "levels": list(checked_levels),
        "history_end": str(max(h.end_date for h in histories.values())),
    }
    if horizon_open_days is not None:
        metadata["horizon_open_days"] = horizon_open_days
    if calendar is not None and calendar.special_days is not None:
        metadata["special_days"] = [
            {key: _json_value(key, value) for key, value in row.items()}
            for row in special_days.to_dict("records")
        ]
    if month_position:
        metadata["month_position"] = month_position
    if multipliers:
        metadata["event_multipliers"] = {str(q): m for q, m in multipliers.items()}
    return IntervalForecast(frame, report, checked_levels, metadata)


def _json_value(key: Hashable, value: Any) -> Any:
    """Return a JSON-safe metadata value (dates, queues as text; NaN as None; numpy as Python)."""
    if key in ("queue", "date"):
        return str(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if not np.isfinite(value) else float(value)
    return value


def _forecast_job(
    job: tuple[
        QueueHistory,
        IntervalForecaster,
        np.datetime64,
        int,
        tuple[float, ...],
        str,
        int,
        EventCalendar | None,
    ],
) -> QueueForecast:
    """Fit and forecast one queue (picklable, for process pools)."""
    history, model, start_date, horizon_days, levels, tz, minutes, calendar = job
    return forecast_queue_days(
        history,
        model,
        start_date=start_date,
        horizon_days=horizon_days,
        levels=levels,
        tz=tz,
        interval_minutes=minutes,
        calendar=calendar,
    )


def _choose_models(
    histories: Mapping[Hashable, QueueHistory],
    model: ModelSpec | Mapping[Hashable, ModelSpec],
    candidates: Sequence[ModelSpec],
    backtest_origins: int,
    n_jobs: int,
    calendar: EventCalendar | None = None,
    executor: ExecutorLike | None = None,
    progress: TaskProgress | None = None,
) -> dict[Hashable, ModelSpec]:
    if isinstance(model, Mapping):
        missing = [q for q in histories if q not in model]
        if missing:
            raise InputError(f"model mapping has no entry for queue(s) {missing!r}. Fix: add them.")
        return {q: model[q] for q in histories}
    if isinstance(model, str) and model == "auto":
        from wfm.forecast._backtest import best_models_for_histories

        return best_models_for_histories(
            histories,
            candidates,
            origins=backtest_origins,
            n_jobs=n_jobs,
            calendar=calendar,
            executor=executor,
            progress=progress,
        )
    return dict.fromkeys(histories, model)
