"""Rolling-origin backtests and model selection.

For each queue and origin ``o`` (a local day; origins are ``step_days`` apart, the last one
``horizon_days`` before the end of the history) every model is fitted on the days before
``o`` and forecasts ``horizon_days`` whole days. Errors are measured per interval, only on
intervals that were really observed (imputed, excluded and DST-gap positions are not
scored), and summed per (queue, model, origin, lead day). WAPE and bias of a model at a lead
day pool those sums over origins (and queues when the table is not per queue).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wfm.core._display import ResultDisplay
from wfm.core._parallel import TaskProgress
from wfm.core._summary import Summary
from wfm.core.errors import InputError
from wfm.core.frames import QUEUE
from wfm.core.types import ExecutorLike, TimestampLike
from wfm.forecast._base import IntervalForecaster, check_horizon
from wfm.forecast._calendar import adjust_days, fit_calendar, truncated
from wfm.forecast._parallel import map_queue_jobs
from wfm.forecast._slots import FloatArray, QueueHistory, weekday_of
from wfm.forecast.events import EventCalendar
from wfm.forecast.registry import (
    CHAMPION,
    FAST_MODELS,
    SELECTION_MARGIN,
    make_model,
    model_name,
)

ModelSpec = str | IntervalForecaster

_ERROR_COLUMNS = [QUEUE, "model", "origin", "lead_day", "abs_error", "error", "actual", "n"]


@dataclass(frozen=True, repr=False)
class BacktestResult(ResultDisplay):
    """Errors of every model at every origin and lead day.

    Attributes
    ----------
    errors : pandas.DataFrame
        One row per (queue, model, origin, lead_day): ``abs_error`` ``= sum|a - f|``,
        ``error`` ``= sum(f - a)``, ``actual`` ``= sum a`` (contacts) and ``n`` (intervals).
    horizon_days : int
        Forecast length of each origin, days.
    forecasts : dict
        With ``keep_forecasts=True``: (queue, model, origin day index) -> the
        ``(horizon_days, slots)`` forecast as scored (before closed slots are zeroed).
    """

    errors: pd.DataFrame

    horizon_days: int
    forecasts: dict[tuple[Hashable, str, int], FloatArray] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the error table."""
        return self.errors.copy()

    def table(
        self, *, by_queue: bool = False, origins: Sequence[TimestampLike] | None = None
    ) -> pd.DataFrame:
        """WAPE and bias of each model per lead day (fractions).

        Parameters
        ----------
        by_queue : bool, default False
            One row per (queue, model) instead of pooling queues.
        origins : sequence, optional
            Restrict to these origin dates.

        Returns
        -------
        pandas.DataFrame
            Columns ``[queue,] model, lead_day, wape, bias, actual``.
        """
        errors = self.errors
        if origins is not None:
            errors = errors[errors["origin"].isin(list(origins))]
        keys = [QUEUE, "model", "lead_day"] if by_queue else ["model", "lead_day"]
        sums = errors.groupby(keys, sort=True)[["abs_error", "error", "actual"]].sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            sums["wape"] = sums["abs_error"] / sums["actual"]
            sums["bias"] = sums["error"] / sums["actual"]
        return sums[["wape", "bias", "actual"]].reset_index()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the error table and the pooled WAPE/bias per model and lead day."""
        return {"errors": self.errors, "by_lead_day": self.table()}

    def summary(self) -> Summary:
        """Name the model with the lowest pooled WAPE; per model WAPE and bias in breakdown.

        Pooled over queues, origins and lead days (interval level, fractions). The
        breakdown has one row per model: ``wape``, ``bias``, ``actual`` (contacts), and
        ``wape_day_<d>`` per lead day.
        """
        sums = self.errors.groupby("model", sort=True)[["abs_error", "error", "actual"]].sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            wape = sums["abs_error"] / sums["actual"]
            bias = sums["error"] / sums["actual"]
        by_day = self.table().pivot(index="model", columns="lead_day", values="wape")
        breakdown = pd.DataFrame(
            {"model": sums.index, "wape": wape.to_numpy(), "bias": bias.to_numpy()}
        )
        breakdown["actual"] = sums["actual"].to_numpy(dtype=float)
        for day in by_day.columns:
            breakdown[f"wape_day_{day}"] = by_day.loc[sums.index, day].to_numpy()
        ranked = wape.dropna()
        best = str(ranked.idxmin()) if len(ranked) else None
        return Summary(
            "BacktestResult",
            {
                "models": len(sums),
                "queues": int(self.errors[QUEUE].nunique()),
                "origins": int(self.errors["origin"].nunique()),
                "horizon_days": self.horizon_days,
                "lowest_wape_model": best,
                "lowest_wape": float(ranked.min()) if best is not None else None,
            },
            units={"horizon_days": "days", "lowest_wape": "fraction"},
            breakdown=breakdown,
        )

    @property
    def origins(self) -> list[Any]:
        """Origin dates, earliest first."""
        return sorted(self.errors["origin"].unique())


def select_model(
    result: BacktestResult,
    *,
    max_lead_day: int | None = None,
    origins: Sequence[TimestampLike] | None = None,
    champion: str | None = None,
    margin: float = 0.0,
) -> dict[Hashable, str]:
    """Pick, per queue, the model with the lowest WAPE over lead days ``1..max_lead_day``.

    With a ``champion``, that model is kept unless another beats its WAPE by more than the
    relative ``margin``: a challenger wins only if ``wape < (1 - margin) * wape_champion``.
    Backtests on a few origins rank close models largely by chance, and picking the
    lowest of several noisy scores favours whichever was lucky (docs/forecast.md, "Model
    selection"); a margin asks a challenger for evidence before it replaces the default.

    Parameters
    ----------
    result : BacktestResult
        Output of :func:`backtest`.
    max_lead_day : int, optional
        Horizon the selection is for (default the backtest's horizon).
    origins : sequence, optional
        Origins to select on (e.g. the earlier ones, keeping later ones for evaluation).
    champion : str, optional
        Label of the default model (e.g. ``"combination"``); ignored for a queue where it
        was not backtested.
    margin : float, default 0.0
        Relative WAPE improvement (fraction, 0 <= margin < 1) a challenger needs.

    Returns
    -------
    dict
        Queue -> model label.
    """
    if isinstance(margin, bool) or not isinstance(margin, int | float) or not 0 <= margin < 1:
        raise InputError(
            f"margin={margin!r} must be a fraction with 0 <= margin < 1. Fix: e.g. margin=0.05."
        )
    errors = result.errors
    if origins is not None:
        errors = errors[errors["origin"].isin(list(origins))]
    if max_lead_day is not None:
        errors = errors[errors["lead_day"] <= max_lead_day]
    if errors.empty:
        raise InputError("no backtest errors to select on. Fix: check origins/max_lead_day.")
    sums = errors.groupby([QUEUE, "model"], sort=True)[["abs_error", "actual"]].sum()
    wape = (sums["abs_error"] / sums["actual"].where(sums["actual"] > 0)).fillna(np.inf)
    chosen: dict[Hashable, str] = {}
    for queue, scores in wape.groupby(level=0):
        by_model = scores.droplevel(0)
        best = str(by_model.idxmin())
        if champion is not None and champion in by_model.index and best != champion:
            if not by_model[best] < (1.0 - margin) * by_model[champion]:
                best = champion
        chosen[queue] = best
    return chosen


def _labelled(models: Sequence[ModelSpec] | Mapping[str, ModelSpec]) -> dict[str, ModelSpec]:
    """Label -> model; labels are names, class names, or the mapping's keys."""
    if isinstance(models, Mapping):
        return dict(models)
    labelled: dict[str, ModelSpec] = {}
    for spec in models:
        label = model_name(spec)
        if label in labelled:
            raise InputError(
                f"two models are both labelled {label!r}. Fix: pass a mapping label -> model."
            )
        labelled[label] = spec
    return labelled


def _spec_key(spec: ModelSpec) -> Hashable:
    """Cache key of a model specification: its name, or the identity of a template."""
    return spec if isinstance(spec, str) else ("instance", id(spec))


def _raw_forecast(
    spec: ModelSpec,
    history: QueueHistory,
    origin: int,
    horizon_days: int,
    cache: dict[Hashable, FloatArray | None],
    training: FloatArray,
) -> FloatArray | None:
    """Unclipped ``(horizon_days, slots)`` forecast from ``origin`` (None if too short).

    A combination is the mean of its members' forecasts, taken from ``cache`` when a member
    was also a candidate at this origin, so a combination of candidates costs no extra fit.
    The arithmetic is that of :class:`CombinedForecaster` (same result).
    """
    from wfm.forecast.combination import CombinedForecaster

    key = _spec_key(spec)
    if key in cache:
        return cache[key]
    model = make_model(spec, history.volume.shape[1])
    raw: FloatArray | None
    if origin < model.min_history_days:
        raw = None
    elif isinstance(model, CombinedForecaster):
        parts = [
            _raw_forecast(m, history, origin, horizon_days, cache, training) for m in model.members
        ]
        known = [part for part in parts if part is not None]
        raw = np.mean(known, axis=0) if len(known) == len(parts) else None
    else:
        model.fit_point(training, start_date=history.first_date)
        raw = model.forecast_days(horizon_days)
    cache[key] = raw
    return raw


def _queue_error_frames(
    job: tuple[
        Hashable, QueueHistory, dict[str, ModelSpec], int, int, int, EventCalendar | None, bool
    ],
) -> tuple[list[tuple[int, int, pd.DataFrame]], dict[tuple[Hashable, str, int], FloatArray]]:
    """Error rows of one queue: ``(model index, origin, frame)`` per scored origin.

    With a calendar, every origin learns the calendar's effects from the days before it
    and applies them to each model's forecast, as ``forecast_intervals`` does. With
    ``keep_forecasts``, the raw forecasts are returned too, keyed (queue, model, origin).
    """
    queue, history, labelled, horizon_days, origins, step_days, calendar, keep_forecasts = job
    rows: list[tuple[int, int, pd.DataFrame]] = []
    kept: dict[tuple[Hashable, str, int], FloatArray] = {}
    last_origin = history.n_days - horizon_days
    origin_days = [last_origin - k * step_days for k in range(origins)][::-1]
    minutes = 1440 // history.volume.shape[1]
    tz = str(history.missing.tz)
    for origin in origin_days:
        if origin < 1:
            continue
        cache: dict[Hashable, FloatArray | None] = {}
        start = history.first_date + np.timedelta64(origin, "D")
        open_mask = history.open_slots[weekday_of(start, horizon_days)]
        actual = history.volume[origin : origin + horizon_days]
        scored = history.observed[origin : origin + horizon_days]
        past = truncated(history, origin)
        calendar_fit = fit_calendar(
            past,
            calendar,
            tz=tz,
            interval_minutes=minutes,
            until=start + np.timedelta64(horizon_days, "D"),
        )
        for label_index, (label, spec) in enumerate(labelled.items()):
            raw = _raw_forecast(spec, history, origin, horizon_days, cache, calendar_fit.volume)
            if raw is None:
                continue
            raw = adjust_days(
                calendar_fit, past, calendar, raw, start, tz=tz, interval_minutes=minutes
            )
            if keep_forecasts:
                kept[(queue, label, origin)] = raw
            mean = np.where(open_mask, np.maximum(raw, 0.0), 0.0)
            diff = np.where(scored, mean - actual, 0.0)
            frame = pd.DataFrame(
                {
                    QUEUE: queue,
                    "model": label,
                    "origin": pd.Timestamp(start).date(),
                    "lead_day": np.arange(1, horizon_days + 1),
                    "abs_error": np.abs(diff).sum(axis=1),
                    "error": diff.sum(axis=1),
                    "actual": np.where(scored, actual, 0.0).sum(axis=1),
                    "n": scored.sum(axis=1),
                }
            )
            rows.append((label_index, origin, frame))
    return rows, kept


def backtest_histories(
    histories: Mapping[Hashable, QueueHistory],
    models: Sequence[ModelSpec] | Mapping[str, ModelSpec],
    *,
    horizon_days: int,
    origins: int,
    step_days: int,
    calendar: EventCalendar | None = None,
    keep_forecasts: bool = False,
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
    progress: TaskProgress | None = None,
) -> BacktestResult:
    """Rolling-origin backtest on prepared slot histories (see module docstring).

    With a ``calendar``, every origin learns the calendar's effects from the days before
    it and applies them to each model's forecast, as ``forecast_intervals`` does. The
    queues run serially, in ``n_jobs`` processes or on ``executor`` (same result).
    """
    labelled = _labelled(models)
    jobs = [
        (q, h, labelled, horizon_days, origins, step_days, calendar, keep_forecasts)
        for q, h in histories.items()
    ]
    if len(jobs) == 1 and progress is None:
        per_queue = [_queue_error_frames(jobs[0])]
    else:
        per_queue = map_queue_jobs(
            _queue_error_frames,
            jobs,
            n_jobs,
            queues=list(histories),
            executor=executor,
            progress=progress,
            stage="backtest",
        )
    rows = [
        (queue_index, label_index, origin, frame)
        for queue_index, (queue_rows, _) in enumerate(per_queue)
        for label_index, origin, frame in queue_rows
    ]
    kept: dict[tuple[Hashable, str, int], FloatArray] = {}
    for _, queue_kept in per_queue:
        kept.update(queue_kept)
    if not rows:
        raise InputError(
            f"the history is too short for {origins} origin(s) of {horizon_days} days. Fix: "
            "pass fewer origins, a shorter horizon or more history."
        )
    rows.sort(key=lambda row: row[:3])  # queue, model, origin: the order of the inputs
    errors = pd.concat([row[3] for row in rows], ignore_index=True)[_ERROR_COLUMNS]
    return BacktestResult(errors, horizon_days, kept)


def backtest(
    history: pd.DataFrame,
    *,
    models: Sequence[ModelSpec] | Mapping[str, ModelSpec] = FAST_MODELS,
    horizon_days: int = 7,
    origins: int = 8,
    step_days: int = 7,
    interval_minutes: int | None = None,
    queues: Sequence[Hashable] | None = None,
    calendar: EventCalendar | None = None,
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
    progress: TaskProgress | None = None,
) -> BacktestResult:
    """Rolling-origin backtest of several models on a long-format history.

    Parameters
    ----------
    history : pandas.DataFrame
        Interval frame (``queue``, ``interval_start``, ``volume``[, ``aht_seconds``]).
    models : sequence or mapping
        Models to compare: names of ``MODEL_NAMES`` or instances, or a mapping
        label -> model (labels appear in the tables).
    horizon_days : int, default 7
        Days forecast from each origin.
    origins : int, default 8
        Number of origins, the last one ``horizon_days`` before the end of the history.
    step_days : int, default 7
        Days between origins.
    interval_minutes : int, optional
        Interval length (inferred if omitted).
    queues : sequence, optional
        Queues to test (default all).
    calendar : EventCalendar, optional
        Applied at every origin exactly as ``forecast_intervals`` applies it (exclusions,
        learned events, special days learned from the days before the origin).
    n_jobs : int, default 1
        Worker processes, one queue per job; 1 runs here and starts nothing.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs the queues instead of local processes (same result).
    progress : callable, optional
        ``progress("backtest", done, total)`` after each queue.

    Returns
    -------
    BacktestResult
        Per-origin errors; ``.table()`` and ``.summary()`` show WAPE and bias per lead day.
    """
    from wfm.forecast.intervals import split_histories

    horizon_days = check_horizon(horizon_days, name="horizon_days")
    origins = check_horizon(origins, name="origins")
    step_days = check_horizon(step_days, name="step_days")
    histories, _, _ = split_histories(
        history, interval_minutes=interval_minutes, queues=queues, calendar=calendar
    )
    return backtest_histories(
        histories,
        models,
        horizon_days=horizon_days,
        origins=origins,
        step_days=step_days,
        calendar=calendar,
        n_jobs=n_jobs,
        executor=executor,
        progress=progress,
    )


def _best_label(
    job: tuple[Hashable, QueueHistory, dict[str, ModelSpec], int, int, EventCalendar | None],
) -> str | None:
    """Label of the lowest-WAPE candidate for one queue (None if too short to backtest)."""
    queue, history, labelled, origins, horizon_days, calendar = job
    usable = min(origins, (history.n_days - horizon_days - 7) // 7 + 1)
    if usable < 1:
        return None
    result = backtest_histories(
        {queue: history},
        labelled,
        horizon_days=horizon_days,
        origins=usable,
        step_days=7,
        calendar=calendar,
    )
    champion = CHAMPION if CHAMPION in labelled else None
    return select_model(result, champion=champion, margin=SELECTION_MARGIN)[queue]


def best_models_for_histories(
    histories: Mapping[Hashable, QueueHistory],
    candidates: Sequence[ModelSpec],
    *,
    origins: int,
    horizon_days: int = 7,
    n_jobs: int = 1,
    calendar: EventCalendar | None = None,
    executor: ExecutorLike | None = None,
    progress: TaskProgress | None = None,
) -> dict[Hashable, ModelSpec]:
    """Model per queue for ``model="auto"``: lowest backtest WAPE over lead days 1-7.

    When the candidates include ``"combination"`` it is the champion: another candidate
    replaces it only with a WAPE more than ``SELECTION_MARGIN`` (5%) lower (see
    :func:`select_model`). Queues too short for even one origin get ``weighted_average``.
    ``n_jobs > 1`` runs the queues' backtests in worker processes, ``executor`` on a
    ``concurrent.futures.Executor`` or Dask client (same result); ``progress(stage, done,
    total)`` is called with stage ``"selection"`` after each queue.
    """
    labelled = _labelled(candidates)
    jobs = [(q, h, labelled, origins, horizon_days, calendar) for q, h in histories.items()]
    labels = map_queue_jobs(
        _best_label,
        jobs,
        n_jobs,
        queues=list(histories),
        executor=executor,
        progress=progress,
        stage="selection",
    )
    return {
        queue: "weighted_average" if label is None else labelled[label]
        for queue, label in zip(histories, labels, strict=True)
    }
