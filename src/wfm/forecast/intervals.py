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

from wfm.core._parallel import TaskProgress
from wfm.core.errors import InputError
from wfm.core.frames import AHT_SECONDS, INTERVAL_START, QUEUE, VOLUME
from wfm.forecast._base import (
    DEFAULT_LEVELS,
    IntervalForecaster,
    PointForecast,
    check_horizon,
    check_levels,
    level_key,
)
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
from wfm.forecast.registry import FAST_MODELS, model_for_history

ModelSpec = str | IntervalForecaster


@dataclass(frozen=True)
class HistoryReport:
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
    """

    missing: pd.DataFrame
    excluded: pd.DataFrame
    trimmed_days: pd.DataFrame
    models: dict[Hashable, str]

    def summary(self) -> str:
        """Short text report."""
        return (
            f"{len(self.models)} queue(s); missing intervals imputed for training: "
            f"{len(self.missing)}; excluded by events: {len(self.excluded)}; partial days "
            f"trimmed: {len(self.trimmed_days)}; models: {self.models}"
        )


@dataclass(frozen=True)
class IntervalForecast:
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

    def summary(self) -> str:
        """Short text report of the forecast."""
        totals = self.frame.groupby(QUEUE, sort=True)[VOLUME].sum()
        lines = [
            f"IntervalForecast {self.metadata.get('start')} + "
            f"{self.metadata.get('horizon_days')} days, {len(self.frame)} rows",
            *[f"  {queue}: {total:.0f} contacts" for queue, total in totals.items()],
            "  " + self.report.summary(),
        ]
        return "\n".join(lines)


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


def _report(
    histories: Mapping[Hashable, QueueHistory], models: dict[Hashable, str]
) -> HistoryReport:
    def stamps_frame(attr: str) -> pd.DataFrame:
        parts = [
            pd.DataFrame({QUEUE: [q] * len(getattr(h, attr)), INTERVAL_START: getattr(h, attr)})
            for q, h in histories.items()
            if len(getattr(h, attr))
        ]
        if not parts:
            return pd.DataFrame({QUEUE: pd.Series([], dtype=object), INTERVAL_START: []})
        return pd.concat(parts, ignore_index=True)

    trimmed = [(q, pd.Timestamp(d).date()) for q, h in histories.items() for d in h.trimmed_days]
    return HistoryReport(
        missing=stamps_frame("missing"),
        excluded=stamps_frame("excluded"),
        trimmed_days=pd.DataFrame(trimmed, columns=[QUEUE, "date"]),
        models=models,
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
) -> tuple[PointForecast, str]:
    """Fit one queue and forecast ``horizon_days`` whole days from ``start_date``.

    Returns the forecast as ``(horizon_days * slots,)`` arrays and the model name used.
    """
    slots = history.volume.shape[1]
    volume = history.volume
    multipliers = None
    if calendar is not None:
        volume, multipliers = calendar.learned_adjustment(
            history, tz=tz, interval_minutes=interval_minutes
        )
    fitted, name = model_for_history(model, slots, history.n_days, history.queue)
    fitted.fit(volume, start_date=history.first_date)
    gap = int((start_date - history.end_date).astype(np.int64))
    total_days = gap + horizon_days
    raw = fitted.predict(total_days * slots, levels=levels)
    cut = slice(gap * slots, None)
    weekdays = weekday_of(start_date, horizon_days)
    open_mask = history.open_slots[weekdays].ravel()
    scale = np.ones(horizon_days * slots)
    if multipliers is not None and calendar is not None:
        scale = calendar.future_multipliers(
            history,
            multipliers,
            start_date,
            horizon_days,
            tz=tz,
            interval_minutes=interval_minutes,
        )
    mean = np.where(open_mask, raw.mean[cut] * scale, 0.0)
    lower = {k: np.where(open_mask, v[cut] * scale, 0.0) for k, v in raw.lower.items()}
    upper = {k: np.where(open_mask, v[cut] * scale, 0.0) for k, v in raw.upper.items()}
    return PointForecast(mean, lower, upper), name


def forecast_intervals(
    history: pd.DataFrame,
    *,
    model: ModelSpec | Mapping[Hashable, ModelSpec] = "auto",
    horizon_days: int = 7,
    start: Any = None,
    levels: Sequence[float] = DEFAULT_LEVELS,
    interval_minutes: int | None = None,
    queues: Sequence[Hashable] | None = None,
    calendar: EventCalendar | None = None,
    candidates: Sequence[ModelSpec] = FAST_MODELS,
    backtest_origins: int = 4,
    aht_weeks: int = 8,
    n_jobs: int = 1,
    executor: Any = None,
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
        Whole local days to forecast (> 0).
    start : date-like, optional
        First local day of the forecast; default the day after the last history day.
    levels : sequence of float, default (80, 95)
        Prediction-interval levels in percent.
    interval_minutes : int, optional
        Interval length; inferred from the history if omitted.
    queues : sequence, optional
        Queues to forecast (default all). Unknown queues raise ``InputError``.
    calendar : EventCalendar, optional
        Special days: exclusions, learned effects, manual overrides.
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
    horizon_days = check_horizon(horizon_days, name="horizon_days")
    checked_levels = check_levels(levels)
    histories, tz, minutes = split_histories(
        history, interval_minutes=interval_minutes, queues=queues, calendar=calendar
    )
    if start is None:
        start_date = max(q.observed_end for q in histories.values())
    else:
        start_date = _local_date(start, tz, "start")
    for queue, queue_history in histories.items():
        if start_date < queue_history.end_date:
            raise InputError(
                f"start={start_date} falls inside the history of queue={queue!r}, which runs "
                f"to {queue_history.end_date - np.timedelta64(1, 'D')}. Fix: pass start >= "
                f"{queue_history.end_date} or cut the history before start."
            )
    chosen = _choose_models(
        histories, model, candidates, backtest_origins, n_jobs, executor, progress
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
    forecasts = map_queue_jobs(
        _forecast_job,
        jobs,
        n_jobs,
        queues=list(histories),
        executor=executor,
        progress=progress,
        stage="forecast",
    )
    for (queue, queue_history), forecast in zip(histories.items(), forecasts, strict=True):
        name = resolved[queue][1]
        used[queue] = name
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
    report = _report(histories, used)
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
    return IntervalForecast(frame, report, checked_levels, metadata)


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
) -> PointForecast:
    """Fit and forecast one queue (picklable, for process pools)."""
    history, model, start_date, horizon_days, levels, tz, minutes, calendar = job
    forecast, _ = forecast_queue_days(
        history,
        model,
        start_date=start_date,
        horizon_days=horizon_days,
        levels=levels,
        tz=tz,
        interval_minutes=minutes,
        calendar=calendar,
    )
    return forecast


def _choose_models(
    histories: Mapping[Hashable, QueueHistory],
    model: ModelSpec | Mapping[Hashable, ModelSpec],
    candidates: Sequence[ModelSpec],
    backtest_origins: int,
    n_jobs: int,
    executor: Any = None,
    progress: TaskProgress | None = None,
) -> dict[Hashable, ModelSpec]:
    if isinstance(model, Mapping):
        missing = [q for q in histories if q not in model]
        if missing:
            raise InputError(f"model mapping has no entry for queue(s) {missing!r}. Fix: add them.")
        return {q: model[q] for q in histories}
    if isinstance(model, str) and model == "auto":
        from wfm.forecast.backtest import best_models_for_histories

        return best_models_for_histories(
            histories,
            candidates,
            origins=backtest_origins,
            n_jobs=n_jobs,
            executor=executor,
            progress=progress,
        )
    return dict.fromkeys(histories, model)
