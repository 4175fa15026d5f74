"""The planning pipeline: history to forecast, requirement, schedule and adherence in one run.

:func:`plan` runs the chain with one :class:`~wfm.config.PlanConfig`::

    history ──forecast──▶ forecast ──erlang──▶ requirement ──schedule──▶ segments, coverage
                                                                 state events ──▶ adherence

It is the only module (with the command line and the report) that imports every stage.
Every input and output also exists as a pydantic model (:class:`PlanInput`,
:class:`PlanOutput`) whose JSON round trip is exact, so a web service can wrap
:func:`plan_from_input` without glue.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from wfm.adherence import AdherenceResult, compute_adherence
from wfm.config import PlanConfig, ServiceTarget
from wfm.core._parallel import TaskProgress
from wfm.core.errors import InputError
from wfm.core.frames import QUEUE, validate_interval_frame
from wfm.core.tables import Table
from wfm.erlang import combine_shrinkage, staff_intervals
from wfm.forecast import BacktestResult, IntervalForecast, backtest, forecast_intervals
from wfm.schedule import ScheduleResult, make_schedule

ProgressCallback = Callable[[str], None]


def _silent(message: str) -> None:
    """Discard a progress message."""


@contextmanager
def _step(name: str, timings: dict[str, float], progress: ProgressCallback) -> Iterator[None]:
    """Time one pipeline step and report its start and end to ``progress``."""
    progress(f"{name} ...")
    began = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - began
    progress(f"{name} done in {timings[name]:.1f} s")


def estimate_patience_seconds(history: pd.DataFrame) -> dict[str, float]:
    """Estimate each queue's mean patience from its abandonments.

    Under exponential patience the maximum-likelihood estimate of the mean patience is the
    total time all offered contacts waited (answered contacts' waits are censored
    observations of their patience) divided by the number of abandonments.

    Parameters
    ----------
    history : pandas.DataFrame
        Interval frame with ``queue``, ``abandoned`` (count per interval) and
        ``wait_seconds`` (total queue wait of all offered contacts per interval, seconds).

    Returns
    -------
    dict of str to float
        Queue to mean patience in seconds.

    Raises
    ------
    InputError
        If a column is missing or a queue has no abandonments.
    """
    missing = [c for c in ("abandoned", "wait_seconds") if c not in history.columns]
    if missing:
        raise InputError(
            f"staffing patience_seconds='estimate' needs history column(s) {missing}. Fix: "
            "add them (abandons per interval and total queue wait in seconds) or give "
            "patience_seconds as a number of seconds."
        )
    sums = history.groupby(QUEUE)[["abandoned", "wait_seconds"]].sum()
    no_abandons = sums.index[sums["abandoned"] <= 0].tolist()
    if no_abandons:
        raise InputError(
            f"queue(s) {no_abandons} have no abandonments, so patience cannot be estimated. "
            "Fix: give staffing.queues.<queue>.patience_seconds as a number, or omit it "
            "(Erlang C)."
        )
    return {str(q): float(w / a) for q, (a, w) in sums[["abandoned", "wait_seconds"]].iterrows()}


def _per_queue(
    targets: Mapping[str, ServiceTarget], attribute: str, values: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Collect one target attribute per queue (``values`` overrides, e.g. estimates)."""
    out: dict[str, Any] = {}
    for queue, target in targets.items():
        out[queue] = getattr(target, attribute)
        if values is not None and queue in values:
            out[queue] = values[queue]
    return out


def size_forecast(
    forecast: pd.DataFrame,
    config: PlanConfig,
    *,
    patience_estimates: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Turn a forecast frame into the staffing requirement with :func:`wfm.staff_intervals`.

    Parameters
    ----------
    forecast : pandas.DataFrame
        Forecast interval frame (``queue``, ``interval_start``, ``volume``, ``aht_seconds``).
    config : PlanConfig
        Service targets per queue and shrinkage.
    patience_estimates : mapping of str to float, optional
        Patience per queue (seconds) for queues configured with ``"estimate"``.

    Returns
    -------
    pandas.DataFrame
        The forecast frame with ``required_agents`` and the projected metrics added (see
        :func:`wfm.staff_intervals`); with shrinkage also ``scheduled_agents``.

    Raises
    ------
    InputError
        If queues mix Erlang A and Erlang C targets in a way that needs a definition.
    """
    queues = sorted(str(q) for q in forecast[QUEUE].unique())
    targets = {queue: config.staffing.target_for(queue) for queue in queues}
    patience = _per_queue(targets, "patience_seconds", patience_estimates)
    for queue, value in patience.items():
        if value == "estimate":
            raise InputError(
                f"staffing.queues.{queue}.patience_seconds='estimate' but no estimate was "
                "made. Fix: pass history with abandonment columns to plan()."
            )
    uses_patience = {q for q, v in patience.items() if v is not None}
    definitions = {targets[q].service_level_definition for q in uses_patience}
    if len(definitions) > 1 or None in definitions:
        raise InputError(
            "staffing: every queue sized with patience (Erlang A) needs the same "
            f"service_level_definition; found {sorted(map(str, definitions))}. Fix: set "
            "staffing.default.service_level_definition, e.g. 'answered_of_offered'."
        )
    if uses_patience and len(uses_patience) < len(queues):
        raise InputError(
            "staffing: some queues have patience_seconds and some do not "
            f"({sorted(uses_patience)} do). Fix: give every queue a patience or none."
        )
    shrinkage = combine_shrinkage(config.staffing.shrinkage) if config.staffing.shrinkage else None
    return staff_intervals(
        forecast,
        target_service_level=_per_queue(targets, "target_service_level"),
        target_seconds=_per_queue(targets, "target_seconds"),
        max_occupancy=_per_queue(targets, "max_occupancy")
        if any(t.max_occupancy is not None for t in targets.values())
        else None,
        max_asa_seconds=_per_queue(targets, "max_asa_seconds")
        if any(t.max_asa_seconds is not None for t in targets.values())
        else None,
        max_abandon_rate=_per_queue(targets, "max_abandon_rate")
        if any(t.max_abandon_rate is not None for t in targets.values())
        else None,
        patience_seconds=patience if uses_patience else None,
        service_level_definition=next(iter(definitions)) if uses_patience else None,
        shrinkage=float(shrinkage) if shrinkage is not None else None,
        interval_minutes=config.site.interval_minutes,
        offered_load=config.staffing.offered_load,
    )


def schedule_requirement(requirement: pd.DataFrame, config: PlanConfig) -> ScheduleResult:
    """Schedule shifts and breaks covering a requirement frame, rostered to named agents.

    With ``config.schedule.agents`` the shifts are assigned to those agents under the
    labour rules; without them the result has one pseudo agent per shift.

    With shrinkage configured, the scheduler covers ``scheduled_agents`` (the requirement
    grossed up by ``1 / (1 − shrinkage)``), because scheduled heads lose that share of
    their time to absence, training and the like; breaks and lunches are placed by the
    scheduler itself and must not be in the shrinkage.

    Parameters
    ----------
    requirement : pandas.DataFrame
        Output of :func:`size_forecast` (``queue``, ``interval_start``,
        ``required_agents``, optionally ``scheduled_agents``, ``volume``,
        ``aht_seconds``).
    config : PlanConfig
        Templates, rules and solver settings.

    Returns
    -------
    wfm.schedule.ScheduleResult

    Raises
    ------
    InputError
        If no shift templates are configured.
    """
    if not config.schedule.templates:
        raise InputError(
            "schedule.templates is empty. Fix: add at least one [[schedule.templates]] "
            "table (see `wfm example-config`)."
        )
    columns = ["queue", "interval_start", "required_agents"]
    columns += [c for c in ("volume", "aht_seconds") if c in requirement.columns]
    target = requirement[columns].copy()
    if "scheduled_agents" in requirement.columns:
        target["required_agents"] = requirement["scheduled_agents"].to_numpy(dtype=float)
    return make_schedule(
        target,
        config.schedule.templates,
        config.schedule.agents or None,
        rules=config.schedule.rules,
        settings=config.schedule.solver,
        target_seconds=config.staffing.default.target_seconds,
    )


def project_service(
    requirement: pd.DataFrame,
    coverage: pd.DataFrame,
    config: PlanConfig,
    *,
    patience_seconds: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Project each interval's service with the agents the schedule provides.

    The agents on the phones are the scheduled agents net of breaks (the coverage) times
    ``1 − shrinkage``, floored to whole agents (conservative); the queueing model is the
    one used for sizing (Erlang A with the queue's patience, else Erlang C).

    Parameters
    ----------
    requirement : pandas.DataFrame
        Output of :func:`size_forecast`.
    coverage : pandas.DataFrame
        Schedule coverage (``queue``, ``interval_start``, ``scheduled_agents``).
    config : PlanConfig
        Targets and shrinkage.
    patience_seconds : mapping of str to float, optional
        Patience per queue in seconds (Erlang A).

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``interval_start``, ``volume``, ``required_agents``,
        ``scheduled_agents``, ``available_agents``, ``projected_service_level`` (fraction;
        NaN without volume) and, with patience, ``projected_abandon_rate``.
    """
    from wfm.erlang import abandon_rate, service_level

    merged = requirement[["queue", "interval_start", "volume", "aht_seconds", "required_agents"]]
    merged = merged.merge(
        coverage[["queue", "interval_start", "scheduled_agents"]],
        on=["queue", "interval_start"],
        how="left",
        validate="one_to_one",
    )
    shrinkage = (
        float(combine_shrinkage(config.staffing.shrinkage)) if config.staffing.shrinkage else 0.0
    )
    scheduled = merged["scheduled_agents"].to_numpy(dtype=float)
    available = np.floor(np.nan_to_num(scheduled) * (1.0 - shrinkage) + 1e-9)
    merged["available_agents"] = available
    volume = merged["volume"].to_numpy(dtype=float)
    aht = merged["aht_seconds"].to_numpy(dtype=float)
    has_volume = (volume > 0) & np.isfinite(aht) & (aht > 0)
    projected = np.full(len(merged), np.nan)
    abandons = np.full(len(merged), np.nan)
    queues = merged["queue"].astype(str).to_numpy()
    patience = None
    if patience_seconds:
        patience = np.array([patience_seconds.get(q, np.nan) for q in queues], dtype=float)
    targets = np.array([config.staffing.target_for(q).target_seconds for q in queues], dtype=float)
    if has_volume.any():
        rows = has_volume
        kwargs: dict[str, Any] = {"interval_seconds": config.site.interval_minutes * 60}
        if patience is not None:
            kwargs["patience_seconds"] = patience[rows]
            kwargs["definition"] = config.staffing.default.service_level_definition
        projected[rows] = service_level(
            volume[rows], aht[rows], available[rows], targets[rows], **kwargs
        )
        if patience is not None:
            abandons[rows] = abandon_rate(
                volume[rows],
                aht[rows],
                available[rows],
                patience_seconds=patience[rows],
                interval_seconds=config.site.interval_minutes * 60,
            )
    merged["projected_service_level"] = projected
    if patience is not None:
        merged["projected_abandon_rate"] = abandons
    return merged


@dataclass(frozen=True)
class PlanResult:
    """Everything one planning run produced.

    Attributes
    ----------
    config : PlanConfig
        The configuration used.
    forecast : pandas.DataFrame
        Forecast interval frame with prediction bands (``volume_lo_80`` ...).
    requirement : pandas.DataFrame
        Forecast plus ``required_agents`` and projected metrics per interval.
    schedule : wfm.schedule.ScheduleResult or None
        Segments, coverage, per-agent summary and solver report (None if no templates).
    projection : pandas.DataFrame or None
        Projected service level per interval with the scheduled agents (see
        :func:`project_service`; None without a schedule).
    backtest : wfm.forecast.BacktestResult or None
        Rolling-origin backtest of the candidate models (None if skipped).
    adherence : wfm.adherence.AdherenceResult or None
        Adherence of the state events against the schedule (None without events).
    patience_seconds : dict of str to float
        Patience used per queue (estimated or configured), seconds.
    models : dict of str to str
        Forecast model used per queue.
    timings : dict of str to float
        Wall-clock seconds of each step.
    """

    config: PlanConfig
    forecast: pd.DataFrame
    requirement: pd.DataFrame
    schedule: ScheduleResult | None
    projection: pd.DataFrame | None
    backtest: BacktestResult | None
    adherence: AdherenceResult | None
    patience_seconds: dict[str, float] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Headline figures of the run (JSON-safe)."""
        out: dict[str, Any] = {
            "site": self.config.site.name,
            "forecast_contacts": float(self.forecast["volume"].sum()),
            "peak_required_agents": int(self.requirement["required_agents"].max()),
            "required_agent_hours": float(
                self.requirement["required_agents"].sum() * self.config.site.interval_minutes / 60
            ),
            "models": dict(self.models),
            "patience_seconds": dict(self.patience_seconds),
            "timings_seconds": {k: round(v, 3) for k, v in self.timings.items()},
        }
        if self.schedule is not None:
            out["schedule"] = {
                str(k): (v.item() if isinstance(v, np.generic) else v)
                for k, v in self.schedule.summary().items()
            }
        if self.adherence is not None:
            out["adherence"] = {k: float(v) for k, v in self.adherence.summary().items()}
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every output table by name (what :meth:`write` saves)."""
        tables: dict[str, pd.DataFrame] = {
            "forecast": self.forecast,
            "requirement": self.requirement,
        }
        if self.backtest is not None:
            tables["backtest"] = self.backtest.table().reset_index()
        if self.schedule is not None:
            tables["schedule_segments"] = self.schedule.segments
            tables["coverage"] = self.schedule.coverage
            tables["agents"] = self.schedule.agents
        if self.projection is not None:
            tables["projected_service"] = self.projection
        if self.adherence is not None:
            tables["adherence_by_agent"] = self.adherence.aggregate("agent")
            tables["adherence_by_interval"] = self.adherence.aggregate("interval")
            tables["adherence_exceptions"] = self.adherence.exceptions
        return tables

    def write(self, folder: str | Path, *, formats: tuple[str, ...] = ("csv",)) -> list[Path]:
        """Write every table to ``folder`` as CSV (and/or parquet) plus ``summary.json``.

        Parameters
        ----------
        folder : str or pathlib.Path
            Output folder (created if missing).
        formats : tuple of {"csv", "parquet"}, default ("csv",)
            File formats; parquet needs the ``parquet`` extra.

        Returns
        -------
        list of pathlib.Path
            The files written.
        """
        import json

        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, table in self.tables().items():
            for fmt in formats:
                path = out / f"{name}.{fmt}"
                if fmt == "csv":
                    table.to_csv(path, index=False)
                elif fmt == "parquet":
                    table.to_parquet(path, index=False)
                else:
                    raise InputError(f"formats contains {fmt!r}. Fix: use 'csv' or 'parquet'.")
                written.append(path)
        summary_path = out / "summary.json"
        summary_path.write_text(json.dumps(self.summary(), indent=2, default=str) + "\n")
        written.append(summary_path)
        return written

    def to_output(self) -> PlanOutput:
        """Return the run's outputs as a JSON-ready pydantic model."""
        return PlanOutput(
            summary=self.summary(),
            tables={name: Table.from_frame(frame) for name, frame in self.tables().items()},
        )


class PlanInput(BaseModel):
    """A whole planning request as one JSON-ready model (for services).

    Attributes
    ----------
    config : PlanConfig
        Run configuration.
    history : Table
        Interval history (the canonical interval frame).
    state_events : Table or None
        Agent state events for adherence.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    config: PlanConfig
    history: Table
    state_events: Table | None = None


class PlanOutput(BaseModel):
    """The outputs of a planning run as one JSON-ready model.

    Attributes
    ----------
    summary : dict
        Headline figures (see :meth:`PlanResult.summary`).
    tables : dict of str to Table
        Every output table.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    summary: dict[str, Any]
    tables: dict[str, Table]


def _forecast_columns(history: pd.DataFrame) -> list[str]:
    """Columns the forecaster reads (handle time only when the history has it)."""
    columns = ["queue", "interval_start", "volume"]
    return [*columns, "aht_seconds"] if "aht_seconds" in history.columns else columns


def backtest_history(
    history: pd.DataFrame,
    config: PlanConfig,
    *,
    n_jobs: int = 1,
    executor: Any = None,
    progress: TaskProgress | None = None,
) -> BacktestResult:
    """Rolling-origin backtest of the candidate models on a validated interval history.

    Horizon ``min(forecast.horizon_days, 7)`` days, ``forecast.backtest_origins`` origins;
    ``n_jobs``, ``executor`` and ``progress`` as in :func:`plan`.
    """
    return backtest(
        history[_forecast_columns(history)],
        horizon_days=min(config.forecast.horizon_days, 7),
        origins=config.forecast.backtest_origins,
        interval_minutes=config.site.interval_minutes,
        n_jobs=n_jobs,
        executor=executor,
        progress=progress,
    )


def forecast_history(
    history: pd.DataFrame,
    config: PlanConfig,
    *,
    start: Any = None,
    n_jobs: int = 1,
    executor: Any = None,
    progress: TaskProgress | None = None,
) -> IntervalForecast:
    """Forecast ``forecast.horizon_days`` days after the history with the configured model.

    ``start`` (a local date) defaults to the day after the history; ``n_jobs``,
    ``executor`` and ``progress`` as in :func:`plan`.
    """
    return forecast_intervals(
        history[_forecast_columns(history)],
        model=config.forecast.model,
        horizon_days=config.forecast.horizon_days,
        start=start,
        levels=tuple(float(level) for level in config.forecast.levels),
        interval_minutes=config.site.interval_minutes,
        backtest_origins=config.forecast.backtest_origins,
        n_jobs=n_jobs,
        executor=executor,
        progress=progress,
    )


def history_in_site_zone(history: pd.DataFrame, config: PlanConfig) -> pd.DataFrame:
    """Validate the history and express its timestamps in the site's time zone.

    ``aht_seconds`` is checked when present (a volume-only history can be forecast, but
    not sized).
    """
    frame = validate_interval_frame(
        history,
        interval_minutes=config.site.interval_minutes,
        require_aht="aht_seconds" in history.columns,
        name="history",
    )
    frame["interval_start"] = frame["interval_start"].dt.tz_convert(config.site.time_zone)
    return frame


def plan(
    history: pd.DataFrame,
    config: PlanConfig,
    *,
    state_events: pd.DataFrame | None = None,
    run_backtest: bool = True,
    progress: ProgressCallback | None = None,
    n_jobs: int = 1,
    executor: Any = None,
    task_progress: TaskProgress | None = None,
) -> PlanResult:
    """Run the whole chain: forecast, requirement, schedule and (with events) adherence.

    Parameters
    ----------
    history : pandas.DataFrame
        Interval history: ``queue``, ``interval_start`` (aware), ``volume`` (contacts per
        interval), ``aht_seconds``; with ``abandoned`` and ``wait_seconds`` columns the
        patience can be estimated (``patience_seconds = "estimate"``).
    config : PlanConfig
        Run configuration (see :func:`wfm.config.load_config`).
    state_events : pandas.DataFrame, optional
        Agent state events (``agent``, ``state``, ``start``[, ``end``]) to measure against
        the schedule. The schedule must then name real agents (``config.schedule.agents``)
        or the events must use the schedule's agent names.
    run_backtest : bool, default True
        Run the rolling-origin backtest table (model selection runs its own in any case
        when ``config.forecast.model == "auto"``).
    progress : callable, optional
        Called with a short message at the start and end of each step.
    n_jobs : int, default 1
        Local worker processes for the per-queue backtests, model selection and fits; 1
        runs everything in this process and starts no thread or process.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs the per-queue jobs instead (``n_jobs`` is then ignored). Results are
        identical to the serial run. For histories too large for this process see
        :func:`wfm.scale.plan_queues`.
    task_progress : callable, optional
        ``task_progress(stage, done, total)`` after each queue of each per-queue stage
        (``"backtest"``, ``"selection"``, ``"forecast"``), e.g. for a progress bar.

    Returns
    -------
    PlanResult

    Raises
    ------
    InputError
        On invalid history, configuration or events (naming field, value and fix).
    """
    report = progress or _silent
    timings: dict[str, float] = {}
    parallel: dict[str, Any] = {"n_jobs": n_jobs, "executor": executor, "progress": task_progress}
    frame = history_in_site_zone(history, config)

    patience_estimates: dict[str, float] = {}
    queues = sorted(str(q) for q in frame[QUEUE].unique())
    if any(config.staffing.target_for(q).patience_seconds == "estimate" for q in queues):
        patience_estimates = estimate_patience_seconds(frame)

    backtest_result = None
    if run_backtest:
        with _step("backtest", timings, report):
            backtest_result = backtest_history(frame, config, **parallel)

    with _step("forecast", timings, report):
        forecast = forecast_history(frame, config, **parallel)
    forecast_frame = forecast.to_frame()
    models = {str(q): str(m) for q, m in forecast.report.models.items()}

    with _step("requirement", timings, report):
        requirement = size_forecast(forecast_frame, config, patience_estimates=patience_estimates)
    patience_used: dict[str, float] = {}
    for queue in queues:
        value = patience_estimates.get(queue, config.staffing.target_for(queue).patience_seconds)
        if isinstance(value, int | float):
            patience_used[queue] = float(value)

    schedule_result = None
    projection = None
    if config.schedule.templates:
        with _step("schedule", timings, report):
            schedule_result = schedule_requirement(requirement, config)
        projection = project_service(
            requirement, schedule_result.coverage, config, patience_seconds=patience_used
        )

    adherence_result = None
    if state_events is not None:
        if schedule_result is None:
            raise InputError(
                "state_events were given but no schedule was made. Fix: add "
                "[[schedule.templates]] to the configuration."
            )
        with _step("adherence", timings, report):
            adherence_result = compute_adherence(
                schedule_result.segments,
                state_events,
                mapping=config.adherence.mapping,
                rules=config.adherence.rules(),
                interval_minutes=config.site.interval_minutes,
                on_bad="flag",
            )

    return PlanResult(
        config=config,
        forecast=forecast_frame,
        requirement=requirement,
        schedule=schedule_result,
        projection=projection,
        backtest=backtest_result,
        adherence=adherence_result,
        patience_seconds=patience_used,
        models=models,
        timings=timings,
    )


def plan_from_input(request: PlanInput, *, run_backtest: bool = False) -> PlanOutput:
    """Run :func:`plan` on a JSON-ready request and return a JSON-ready output.

    Parameters
    ----------
    request : PlanInput
        Configuration, history and optional state events.
    run_backtest : bool, default False
        Also compute the backtest table (slower).

    Returns
    -------
    PlanOutput
    """
    events = request.state_events.to_frame() if request.state_events is not None else None
    result = plan(
        request.history.to_frame(),
        request.config,
        state_events=events,
        run_backtest=run_backtest,
    )
    return result.to_output()
