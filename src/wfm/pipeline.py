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

import logging
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import ConfigDict

from wfm.adherence import AdherenceResult, ContactColumns, compute_adherence
from wfm.config import PlanConfig
from wfm.core._display import ResultDisplay
from wfm.core._models import WfmModel
from wfm.core._parallel import TaskProgress
from wfm.core._summary import Summary, units_from_names
from wfm.core.errors import FlaggedRecordsWarning, InputError
from wfm.core.frames import (
    AHT_SECONDS,
    INTERVAL_COLUMNS,
    INTERVAL_START,
    QUEUE,
    REQUIRED_AGENTS,
    VOLUME,
    require_columns,
    validate_interval_frame,
)
from wfm.core.tables import Table
from wfm.core.targets import ServiceTarget
from wfm.core.types import ExecutorLike
from wfm.core.validate import check_known_names
from wfm.erlang import combine_shrinkage, staff_intervals
from wfm.forecast import BacktestResult, IntervalForecast, backtest, forecast_intervals
from wfm.io import spreadsheet_safe
from wfm.schedule import ScheduleResult, make_schedule

ProgressCallback = Callable[[str], None]
_LOGGER = logging.getLogger("wfm.pipeline")
"""Step starts and durations of :func:`plan`, at level INFO."""


def _silent(message: str) -> None:
    """Discard a progress message."""


@contextmanager
def _step(name: str, timings: dict[str, float], progress: ProgressCallback) -> Iterator[None]:
    """Time one pipeline step; report its start and end to ``progress`` and the log."""
    progress(f"{name} ...")
    _LOGGER.info("%s ...", name)
    began = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - began
    progress(f"{name} done in {timings[name]:.1f} s")
    _LOGGER.info("%s done in %.1f s", name, timings[name])


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


def history_from_contacts(
    records: pd.DataFrame,
    *,
    columns: ContactColumns | None = None,
    interval_minutes: int = 30,
    tz: str | None = None,
    queue_name: str = "all",
    on_bad: Literal["raise", "flag"] = "raise",
    timing_tolerance_seconds: float | None = None,
) -> pd.DataFrame:
    """Build the interval history ``wfm run`` reads from contact records (an ACD export).

    Parameters
    ----------
    records : pandas.DataFrame
        One row per contact; the time columns aware (see :func:`wfm.io.read_frame`).
    columns : wfm.adherence.ContactColumns, optional
        Where each field is (arrival time, answer time, outcome and its values, wait
        and talk seconds, optional hold, after-contact work and queue columns).
    interval_minutes : int, default 30
        Interval length in minutes.
    tz : str, optional
        Site zone of the intervals (default: the arrival column's zone).
    queue_name : str, default "all"
        Queue name when ``columns.queue`` is None.
    on_bad : {"raise", "flag"}, default "raise"
        Impossible records (answered before arrival, a wait that contradicts the
        timestamps): refuse the file (``"raise"``) or leave them out of the history and
        list them in ``result.attrs["flagged"]`` with the reason (``"flag"``).
    timing_tolerance_seconds : float, optional
        How far a record's wait may differ from its timestamps before it is impossible
        (default ``columns.timing_tolerance_seconds``; see
        :func:`wfm.adherence.contact_kpis`).

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``interval_start``, ``volume`` (contacts offered to agents: answered
        plus abandoned), ``aht_seconds`` (handle time of the answered contacts: talk plus
        hold plus after-contact work, mean per interval), ``answered``, ``abandoned``,
        ``wait_seconds`` (total queue wait of all offered contacts, so patience can be
        estimated) and ``aht_imputed``; one row per interval of every local day from the
        first to the last record (zero volume where nobody called).

    Notes
    -----
    Rule for intervals where every caller abandoned (volume > 0 but no answered contact
    with handle time): ``aht_seconds`` is the volume-weighted handle time of the same
    queue on the same local day, or, if that day has no answered contact either, of the
    queue over all the records; ``aht_imputed`` is True there. Intervals without
    contacts have ``aht_seconds`` NaN.

    Raises
    ------
    InputError
        If a mapped column is missing or a queue has no answered contact at all.
    """
    from wfm.adherence import contact_kpis

    mapping = columns or ContactColumns(customer=None)
    result = contact_kpis(
        records,
        columns=mapping,
        interval_minutes=interval_minutes,
        tz=tz,
        queue_name=queue_name,
        on_bad=on_bad,
        timing_tolerance_seconds=timing_tolerance_seconds,
    )
    kpis = result.to_frame()
    frame = pd.DataFrame(
        {
            QUEUE: kpis["queue"].astype(str).to_numpy(),
            "interval_start": pd.DatetimeIndex(kpis["interval_start"]),
            "volume": kpis["offered"].to_numpy(dtype=float),
        }
    )
    handled = kpis["handled_with_time"].to_numpy(dtype=float)
    handle = kpis["handle_seconds"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        aht = np.where(handled > 0, handle / np.where(handled > 0, handled, 1.0), np.nan)
    needs = (frame["volume"].to_numpy() > 0) & ~(handled > 0)
    days = pd.DatetimeIndex(frame["interval_start"]).date
    keys = pd.DataFrame({QUEUE: frame[QUEUE], "day": days, "h": handle, "n": handled})
    by_day = keys.groupby([QUEUE, "day"])[["h", "n"]].transform("sum")
    by_queue = keys.groupby(QUEUE)[["h", "n"]].transform("sum")
    if (by_queue["n"].to_numpy() <= 0).any():
        empty = sorted(set(frame.loc[by_queue["n"].to_numpy() <= 0, QUEUE]))
        raise InputError(
            f"queue(s) {empty} have no answered contact with handle time, so no handle time "
            "can be given. Fix: check the outcome values mapped as answered and the talk "
            "column."
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        day_aht = by_day["h"].to_numpy() / by_day["n"].to_numpy()
        queue_aht = by_queue["h"].to_numpy() / by_queue["n"].to_numpy()
    fill = np.where(by_day["n"].to_numpy() > 0, day_aht, queue_aht)
    frame["aht_seconds"] = np.where(needs, fill, aht)
    frame["answered"] = kpis["answered"].to_numpy(dtype=float)
    frame["abandoned"] = kpis["abandoned"].to_numpy(dtype=float)
    frame["wait_seconds"] = kpis["total_wait_seconds"].to_numpy(dtype=float)
    frame["aht_imputed"] = needs
    if result.flagged is not None and len(result.flagged):
        frame.attrs["flagged"] = result.flagged
    return frame


def _minute_of_week(stamps: pd.DatetimeIndex) -> np.ndarray:
    """Local wall-clock minute of the week (Monday 00:00 = 0) of aware timestamps."""
    return np.asarray(stamps.day_of_week * 1440 + stamps.hour * 60 + stamps.minute, dtype=np.int64)


def opening_mask(
    frame: pd.DataFrame, config: PlanConfig, history: pd.DataFrame | None = None
) -> np.ndarray:
    """Whether each interval of ``frame`` is inside its queue's opening hours.

    Configured hours (``opening_hours.queues.<queue>``, else ``opening_hours.default``)
    are used where given; otherwise the history's own pattern: an interval is open if
    the history has a contact on the same local weekday and time of day.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``queue`` and ``interval_start`` (aware, site zone).
    config : PlanConfig
        The opening hours.
    history : pandas.DataFrame, optional
        Interval history (``queue``, ``interval_start``, ``volume``), needed for queues
        without configured hours (without it they are open all the time).

    Returns
    -------
    numpy.ndarray of bool
        One flag per row (an interval is open if it starts inside an opening range).
    """
    from wfm.config import WEEKDAY_KEYS, parse_opening_ranges

    stamps = pd.DatetimeIndex(frame["interval_start"])
    minute = _minute_of_week(stamps)
    queues = frame["queue"].astype(str).to_numpy()
    result = np.ones(len(frame), dtype=bool)
    for queue in np.unique(queues):
        rows = queues == queue
        week = config.opening_hours.table_for(str(queue))
        if week is not None:
            open_minutes = np.zeros(7 * 1440, dtype=bool)
            for day, key in enumerate(WEEKDAY_KEYS):
                for begin, end in parse_opening_ranges(week.get(key, "closed")):
                    open_minutes[day * 1440 + begin : day * 1440 + end] = True
            result[rows] = open_minutes[minute[rows]]
        elif history is not None:
            past = history[(history[QUEUE].astype(str) == queue) & (history["volume"] > 0)]
            seen = np.unique(_minute_of_week(pd.DatetimeIndex(past["interval_start"])))
            result[rows] = np.isin(minute[rows], seen)
    return result


def validate_plan_inputs(history: pd.DataFrame, config: PlanConfig) -> None:
    """Check the whole configuration against the history before any stage runs.

    Checks that every queue named in ``staffing.queues``, ``opening_hours.queues`` and the
    shift templates is in the history; that with several queues every template names
    its queue and every queue has a template; that agents name existing templates; and
    that the history has the columns each setting needs (``aht_seconds`` to size;
    ``abandoned`` and ``wait_seconds`` with abandonments for ``patience_seconds =
    "estimate"``).

    Raises
    ------
    InputError
        Naming the key, the value and the fix (all problems at once).
    """
    queues = sorted(str(q) for q in history[QUEUE].unique())
    problems: list[str] = []
    known = f"the history's queues are {queues}"
    for section, names in (
        ("staffing.queues", config.staffing.queues),
        ("opening_hours.queues", config.opening_hours.queues),
    ):
        for name in names:
            if name not in queues:
                problems.append(
                    f"{section}.{name}: queue {name!r} is not in the history ({known}). Fix: "
                    "rename the table to one of them or remove it"
                )
    if "aht_seconds" not in history.columns:
        problems.append(
            "history: column 'aht_seconds' is missing; sizing needs the average handle time "
            "per interval (seconds). Fix: add it (see `wfm run --help`)"
        )
    estimate = [q for q in queues if config.staffing.target_for(q).patience_seconds == "estimate"]
    if estimate:
        missing = [c for c in ("abandoned", "wait_seconds") if c not in history.columns]
        if missing:
            problems.append(
                f"staffing patience_seconds = 'estimate' (queues {estimate}) needs history "
                f"column(s) {missing}. Fix: add them, give patience_seconds as a number of "
                "seconds, or omit it for Erlang C"
            )
    templates = config.schedule.templates
    template_names = {t.name for t in templates}
    for template in templates:
        if template.queue is None and len(queues) > 1:
            problems.append(
                f"schedule.templates {template.name!r}: queue is not set but the history has "
                f"several queues {queues}. Fix: set queue = one of them on every template"
            )
        elif template.queue is not None and str(template.queue) not in queues:
            problems.append(
                f"schedule.templates {template.name!r}: queue = {template.queue!r} is not in "
                f"the history ({known}). Fix: use one of them"
            )
    if templates and len(queues) > 1:
        served = {str(t.queue) for t in templates if t.queue is not None}
        lacking = [q for q in queues if q not in served]
        if lacking and all(t.queue is not None for t in templates):
            problems.append(
                f"schedule.templates: queue(s) {lacking} have no shift template. Fix: add a "
                "[[schedule.templates]] with queue set to each"
            )
    for agent in config.schedule.agents:
        unknown = [t for t in (agent.templates or ()) if t not in template_names]
        if unknown:
            problems.append(
                f"schedule.agents {agent.agent!r}: templates {unknown} are not defined "
                f"(defined: {sorted(template_names)}). Fix: use defined template names"
            )
    if problems:
        raise InputError(
            "the configuration does not fit the history:\n" + "\n".join(f"  {p}." for p in problems)
        )


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
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
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
    n_jobs, executor
        As in :func:`wfm.staff_intervals` (threads, or tasks of 65,536 intervals).

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
    check_known_names(config.staffing.queues, queues, "staffing.queues")
    targets = {queue: config.staffing.target_for(queue) for queue in queues}
    patience = _per_queue(targets, "patience_seconds", patience_estimates)
    for queue, value in patience.items():
        if value == "estimate":
            raise InputError(
                f"patience_seconds = 'estimate' (queue {queue!r}) needs the history's "
                "abandonments, and sizing a forecast file has no history. Fix: run `wfm run` "
                "on the history (columns abandoned and wait_seconds), or set "
                "patience_seconds to a number of seconds in [staffing.default] or "
                f"[staffing.queues.{queue}]."
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
        min_agents=_per_queue(targets, "min_agents"),
        shrinkage=float(shrinkage) if shrinkage is not None else None,
        interval_minutes=config.site.interval_minutes,
        offered_load=config.staffing.offered_load,
        n_jobs=n_jobs,
        executor=executor,
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
    require_columns(requirement, columns, name="requirement")
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
        NaN without volume or outside opening hours), with patience
        ``projected_abandon_rate``, and ``open``, ``unserved`` (demand in an open
        interval with no whole agent on the phones: left out of the service level, never
        counted as 0%) and ``reason`` (why demand is not served: outside opening hours,
        outside every shift template, no agent scheduled, or under one agent after breaks
        and shrinkage).
    """
    from wfm.erlang import abandon_rate, service_level

    merged = requirement[[*INTERVAL_COLUMNS, REQUIRED_AGENTS]]
    merged = merged.merge(
        coverage[[QUEUE, INTERVAL_START, "scheduled_agents"]],
        on=[QUEUE, INTERVAL_START],
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
    is_open = (
        requirement["open"].to_numpy(dtype=bool)
        if "open" in requirement.columns
        else np.ones(len(merged), dtype=bool)
    )
    merged["open"] = is_open
    has_volume = (volume > 0) & np.isfinite(aht) & (aht > 0) & is_open
    projected = np.full(len(merged), np.nan)
    abandons = np.full(len(merged), np.nan)
    queues = merged["queue"].astype(str).to_numpy()
    patience = None
    if patience_seconds:
        patience = np.array([patience_seconds.get(q, np.nan) for q in queues], dtype=float)
    targets = np.array([config.staffing.target_for(q).target_seconds for q in queues], dtype=float)
    # no whole agent on the phones: not a 0% service level but unserved demand (below)
    rows = has_volume & (available > 0)
    # each queue's own definition (the one its requirement was sized for), not the default's
    definitions = np.array(
        [config.staffing.target_for(q).service_level_definition or "" for q in queues], dtype=object
    )
    for definition in np.unique(definitions[rows]).tolist():
        group = rows & (definitions == definition)
        kwargs: dict[str, Any] = {"interval_seconds": config.site.interval_minutes * 60}
        if patience is not None:
            kwargs["patience_seconds"] = patience[group]
            kwargs["service_level_definition"] = definition or None
        projected[group] = service_level(
            volume[group], aht[group], available[group], targets[group], **kwargs
        )
    if patience is not None and rows.any():
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
    nobody = (volume > 0) & ~(available > 0) & is_open
    merged["unserved"] = nobody
    reach = (
        template_reach(merged, config)
        if config.schedule.templates
        else np.zeros(len(merged), dtype=bool)
    )
    none_scheduled = ~(np.nan_to_num(scheduled) > 0)
    merged["reason"] = np.select(
        [
            (volume > 0) & ~is_open,
            nobody & ~none_scheduled,
            nobody & reach,
            nobody,
        ],
        [
            "outside opening hours",
            "under one agent after breaks and shrinkage",
            "no agent scheduled",
            "outside every shift template",
        ],
        "",
    )
    return merged


def template_reach(frame: pd.DataFrame, config: PlanConfig) -> np.ndarray:
    """Whether any shift template of the row's queue can cover each interval.

    A template reaches the local wall-clock minutes from its earliest start to its last
    start plus its longest elapsed shift length, on each of its days (a shift that
    crosses midnight reaches into the next day).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``queue`` and ``interval_start`` (aware, site zone).
    config : PlanConfig
        Shift templates (a template with ``queue = None`` serves every queue).

    Returns
    -------
    numpy.ndarray of bool
        One flag per row.
    """
    week = 7 * 1440
    stamps = pd.DatetimeIndex(frame["interval_start"])
    minute_of_week = stamps.day_of_week * 1440 + stamps.hour * 60 + stamps.minute
    queues = frame["queue"].astype(str).to_numpy()
    result = np.zeros(len(frame), dtype=bool)
    for queue in np.unique(queues):
        reach = np.zeros(week, dtype=bool)
        for template in config.schedule.templates:
            if template.queue is not None and str(template.queue) != queue:
                continue
            first = template.earliest_start.hour * 60 + template.earliest_start.minute
            latest = template.latest_start.hour * 60 + template.latest_start.minute
            last = first + (latest - first) // template.start_step_minutes * (
                template.start_step_minutes
            )
            longest = max(template.elapsed_minutes(p) for p in template.paid_minutes)
            for day in template.days:
                begin = day * 1440 + first
                reach[np.arange(begin, begin + last - first + longest) % week] = True
        rows = queues == queue
        result[rows] = reach[np.asarray(minute_of_week)[rows]]
    return result


def paid_hours(segments: pd.DataFrame, config: PlanConfig) -> float:
    """Paid hours of a schedule: its shifts' elapsed time less unpaid breaks.

    Parameters
    ----------
    segments : pandas.DataFrame
        Schedule segments (``activity``, ``start``, ``end``, ``template``).
    config : PlanConfig
        The templates, which say which break activities are unpaid.

    Returns
    -------
    float
        Hours.
    """
    busy = segments[segments["activity"].astype(str) != "off"]
    unpaid = {
        (template.name, rule.activity)
        for template in config.schedule.templates
        for rule in template.breaks
        if not rule.paid
    }
    seconds = (busy["end"] - busy["start"]).dt.total_seconds().to_numpy(dtype=float)
    keys = zip(busy["template"].astype(str), busy["activity"].astype(str), strict=True)
    is_unpaid = np.array([key in unpaid for key in keys], dtype=bool)
    return float(seconds[~is_unpaid].sum() / 3600) if len(seconds) else 0.0


MANIFEST = ".wfm-manifest.json"
"""File in an output folder listing the files wfm wrote there (one run's outputs)."""


def prepare_output_folder(folder: str | Path, *, overwrite: bool = False) -> Path:
    """Make ``folder`` ready for a run's outputs, never touching files wfm did not write.

    * missing or empty: created;
    * holding a wfm manifest (``.wfm-manifest.json``): the files it lists (the previous
      run's outputs) are removed, every other file is kept;
    * otherwise non-empty: refused unless ``overwrite``, which writes beside the files
      there (same names are replaced) and removes nothing.

    Parameters
    ----------
    folder : str or pathlib.Path
        Output folder.
    overwrite : bool, default False
        Accept a non-empty folder without a manifest.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        If the folder is a file, or non-empty without a manifest and not ``overwrite``.
    """
    import json

    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise InputError(f"output {str(out)!r} is a file. Fix: give a folder.")
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / MANIFEST
    if manifest.is_file():
        try:
            listed = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
        except (ValueError, AttributeError) as exc:
            raise InputError(
                f"{manifest} is not a wfm manifest. Fix: delete it or choose another folder."
            ) from exc
        for name in listed:
            path = out / str(name)
            if path.parent == out and path.is_file():
                path.unlink()
        manifest.unlink()
        return out
    others = sorted(p.name for p in out.iterdir())
    if others and not overwrite:
        shown = ", ".join(others[:5]) + (" ..." if len(others) > 5 else "")
        raise InputError(
            f"output folder {str(out)!r} is not empty and was not written by wfm ({shown}). "
            "Fix: choose a new or empty folder, or pass --overwrite to write beside these "
            "files (files of the same name are replaced)."
        )
    return out


def record_manifest(folder: str | Path, files: Sequence[Path]) -> Path:
    """List ``files`` (adding to any existing list) in ``folder``'s wfm manifest."""
    import json

    out = Path(folder)
    manifest = out / MANIFEST
    names: list[str] = []
    if manifest.is_file():
        names = list(json.loads(manifest.read_text(encoding="utf-8")).get("files", []))
    for path in files:
        if Path(path).name not in names:
            names.append(Path(path).name)
    manifest.write_text(json.dumps({"written_by": "wfm", "files": names}, indent=2) + "\n")
    return manifest


@dataclass(frozen=True, repr=False)
class PlanResult(ResultDisplay):
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
    missing_intervals : pandas.DataFrame or None
        History intervals absent from the history file (``queue``, ``interval_start``)
        that the forecaster imputed for training.
    special_days : pandas.DataFrame or None
        Special days of the forecast horizon with their learned, shrunk effects (the
        forecast report's ``special_days``; None without a holiday calendar or when the
        horizon has none).
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
    missing_intervals: pd.DataFrame | None = None
    special_days: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return the requirement table (forecast plus required agents per interval; a copy)."""
        return self.requirement.copy()

    def summary(self) -> Summary:
        """Headline figures of the run, in sections (``summary().to_dict()`` is JSON-safe).

        Hours are agent-hours: ``required_agent_hours_before_shrinkage`` on the phones
        to meet the targets, ``required_agent_hours_after_shrinkage`` to schedule;
        ``schedule.scheduled_agent_hours`` the schedule provides net of breaks and
        ``schedule.paid_hours`` it pays. ``projected_service_level`` is the
        contact-weighted service level with the scheduled agents (same queueing model,
        shrinkage and per-queue targets as the sizing) over intervals where someone is
        scheduled; ``unserved_demand`` counts the contacts where nobody is.
        """
        config = self.config
        hours = config.site.interval_minutes / 60
        requirement = self.requirement
        starts = pd.DatetimeIndex(self.forecast["interval_start"])
        total = float(self.forecast["volume"].sum())
        after = requirement["scheduled_agents"] if "scheduled_agents" in requirement else None
        queues = sorted(str(q) for q in self.forecast[QUEUE].unique())
        out: dict[str, Any] = {
            "site": config.site.name,
            "time_zone": config.site.time_zone,
            "interval_minutes": config.site.interval_minutes,
            "horizon": {
                "first_day": str(starts.min().date()) if len(starts) else None,
                "last_day": str(starts.max().date()) if len(starts) else None,
                "days": len(np.unique(starts.date)),
            },
            "forecast_contacts": total,
            "models": dict(self.models),
            "patience_seconds": dict(self.patience_seconds),
            "service_model": {q: self._service_model(q) for q in queues},
            "shrinkage": float(combine_shrinkage(config.staffing.shrinkage))
            if config.staffing.shrinkage
            else 0.0,
            "peak_required_agents": int(requirement["required_agents"].max()),
            "required_agent_hours_before_shrinkage": float(
                requirement["required_agents"].sum() * hours
            ),
            "required_agent_hours_after_shrinkage": float(
                (after if after is not None else requirement["required_agents"]).sum() * hours
            ),
            "missing_history_intervals": len(self.missing_intervals)
            if self.missing_intervals is not None
            else 0,
            "special_days": len(self.special_days) if self.special_days is not None else 0,
            "timings_seconds": {k: round(v, 3) for k, v in self.timings.items()},
        }
        out["opening_hours"] = {
            q: "configured" if config.opening_hours.table_for(q) is not None else "history pattern"
            for q in queues
        }
        if "open" in requirement.columns:
            closed = ~requirement["open"].to_numpy(dtype=bool)
            volume = requirement["volume"].to_numpy(dtype=float)
            closed_contacts = float(volume[closed].sum())
            out["demand_outside_opening_hours"] = {
                "contacts": closed_contacts,
                "share": closed_contacts / total if total > 0 else 0.0,
                "intervals": int((closed & (volume > 0)).sum()),
            }
        if self.schedule is not None:
            schedule = self.schedule.summary()
            figures = {
                k: v
                for k, v in schedule.items()
                if k != "required_agent_hours"  # the requirement is reported above
            }
            figures["scheduled_agent_hours"] = float(
                self.schedule.coverage["scheduled_agents"].sum() * hours
            )
            figures["paid_hours"] = paid_hours(self.schedule.segments, config)
            units = {k: u for k, u in schedule.units.items() if k in figures}
            units.update(scheduled_agent_hours="agent-hours", paid_hours="hours")
            out["schedule"] = Summary("schedule", figures, units=units)
        if self.projection is not None:
            projection = self.projection
            volume = projection["volume"].to_numpy(dtype=float)
            level = projection["projected_service_level"].to_numpy(dtype=float)
            served = np.isfinite(level) & (volume > 0) & ~projection["unserved"].to_numpy(bool)
            out["projected_service_level"] = (
                float(np.average(level[served], weights=volume[served])) if served.any() else None
            )
            nobody = projection["unserved"].to_numpy(dtype=bool)
            unreachable = (
                projection["reason"].to_numpy() == "outside every shift template"
                if "reason" in projection
                else np.zeros(len(projection), dtype=bool)
            )
            contacts = float(volume[nobody].sum())
            out["unserved_demand"] = {
                "contacts": contacts,
                "share": contacts / total if total > 0 else 0.0,
                "intervals": int(nobody.sum()),
                "outside_template_reach_contacts": float(volume[unreachable].sum()),
                "outside_template_reach_intervals": int(unreachable.sum()),
            }
        if self.adherence is not None:
            adherence = self.adherence.summary()
            out["adherence"] = Summary("adherence", adherence, units=adherence.units)
        return _plan_summary(out)

    def _service_model(self, queue: str) -> str:
        """Describe the target and queueing model that size ``queue``, in words."""
        target = self.config.staffing.target_for(queue)
        parts = []
        if target.target_service_level is not None:
            parts.append(
                f"{target.target_service_level:.0%} answered within {target.target_seconds:g} s"
            )
        if target.max_occupancy is not None:
            parts.append(f"occupancy at most {target.max_occupancy:.0%}")
        if target.max_asa_seconds is not None:
            parts.append(f"ASA at most {target.max_asa_seconds:g} s")
        if target.max_abandon_rate is not None:
            parts.append(f"abandonment at most {target.max_abandon_rate:.0%}")
        patience = self.patience_seconds.get(queue)
        model = (
            f"Erlang A (patience {patience:.0f} s, service level {target.service_level_definition})"
            if patience is not None
            else "Erlang C"
        )
        return ", ".join(parts) + f"; {model}"

    def report(self, path: str | Path, *, title: str | None = None) -> Path:
        """Write the HTML report of the run (needs the ``plot`` extra).

        Parameters
        ----------
        path : str or pathlib.Path
            HTML file to write.
        title : str, optional
            Report title (default ``"wfm plan: <site>"``).

        Returns
        -------
        pathlib.Path
            The file written.
        """
        from wfm.report import plan_report

        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(plan_report(self.tables(), self.summary(), title=title), "utf-8")
        return target

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
        if self.missing_intervals is not None and len(self.missing_intervals):
            tables["missing_intervals"] = self.missing_intervals
        if self.special_days is not None and len(self.special_days):
            tables["special_days"] = self.special_days
        if self.adherence is not None:
            tables["adherence_by_agent"] = self.adherence.aggregate("agent")
            tables["adherence_by_interval"] = self.adherence.aggregate("interval")
            tables["adherence_exceptions"] = self.adherence.exceptions
            if len(self.adherence.flagged):
                # refused events are part of the result, never dropped silently
                tables["adherence_flagged_events"] = self.adherence.flagged
        return tables

    def write(
        self,
        folder: str | Path,
        *,
        formats: tuple[str, ...] = ("csv",),
        report: bool = False,
        overwrite: bool = False,
    ) -> list[Path]:
        """Write every table to ``folder`` as CSV (and/or parquet) plus ``summary.json``.

        The folder is made safe first (see :func:`prepare_output_folder`): a folder that
        holds files wfm did not write is refused unless ``overwrite``; the files a
        previous run listed in the folder's manifest are removed, nothing else.

        Parameters
        ----------
        folder : str or pathlib.Path
            Output folder (created if missing).
        formats : tuple of {"csv", "parquet"}, default ("csv",)
            File formats; parquet needs the ``parquet`` extra.
        report : bool, default False
            Also write ``report.html`` (needs the ``plot`` extra).
        overwrite : bool, default False
            Write into a non-empty folder that wfm did not write.

        Returns
        -------
        list of pathlib.Path
            The files written (also listed in the folder's manifest).
        """
        import json

        for fmt in formats:
            if fmt not in ("csv", "parquet"):
                raise InputError(f"formats contains {fmt!r}. Fix: use 'csv' or 'parquet'.")
        out = prepare_output_folder(folder, overwrite=overwrite)
        written = []
        try:
            for name, table in self.tables().items():
                for fmt in formats:
                    path = out / f"{name}.{fmt}"
                    if fmt == "csv":
                        spreadsheet_safe(table).to_csv(path, index=False)
                    else:
                        table.to_parquet(path, index=False)
                    written.append(path)
            summary_path = out / "summary.json"
            summary = self.summary().to_dict()
            summary_path.write_text(json.dumps(summary, indent=2, default=str) + "\n")
            written.append(summary_path)
            config_path = out / "config.json"
            config_path.write_text(self.config.model_dump_json(indent=2) + "\n")
            written.append(config_path)
            if report:
                written.append(self.report(out / "report.html"))
        finally:
            record_manifest(out, written)
        return written

    def to_output(self) -> PlanOutput:
        """Return the run's outputs as a JSON-ready pydantic model."""
        return PlanOutput(
            summary=self.summary().to_dict(),
            tables={name: Table.from_frame(frame) for name, frame in self.tables().items()},
        )


def _plan_summary(figures: dict[str, Any]) -> Summary:
    """Wrap the plan's figures in a :class:`Summary` with units, section by section."""

    def section(name: str, unit: str = "", **units: str) -> Summary | None:
        values = figures.get(name)
        if values is None or isinstance(values, Summary):
            return values
        given = {key: unit for key in values} if unit else {}
        return Summary(name, values, units={**given, **units_from_names(values, **units)})

    counts = {"contacts": "contacts", "intervals": "intervals"}
    sections = {
        "horizon": section("horizon", days="days"),
        "patience_seconds": section("patience_seconds", "seconds"),
        "timings_seconds": section("timings_seconds", "seconds"),
        "demand_outside_opening_hours": section("demand_outside_opening_hours", **counts),
        "unserved_demand": section(
            "unserved_demand", outside_template_reach_intervals="intervals", **counts
        ),
    }
    metrics = {**figures, **{k: v for k, v in sections.items() if v is not None}}
    scalars = [k for k, v in metrics.items() if not isinstance(v, Mapping)]
    units = units_from_names(
        scalars,
        interval_minutes="minutes",
        forecast_contacts="contacts",
        missing_history_intervals="intervals",
    )
    return Summary("PlanResult", metrics, units=units)


class PlanInput(WfmModel):
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


class PlanOutput(WfmModel):
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
    columns = [QUEUE, INTERVAL_START, VOLUME]
    return [*INTERVAL_COLUMNS] if AHT_SECONDS in history.columns else columns


def backtest_history(
    history: pd.DataFrame,
    config: PlanConfig,
    *,
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
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
        calendar=config.forecast.event_calendar(),
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
    executor: ExecutorLike | None = None,
    progress: TaskProgress | None = None,
) -> IntervalForecast:
    """Forecast ``forecast.horizon_days`` days after the history with the configured model.

    ``start`` (a local date) defaults to the day after the history; ``n_jobs``,
    ``executor`` and ``progress`` as in :func:`plan`.
    """
    return forecast_intervals(
        history[_forecast_columns(history)],
        model=config.forecast.model,
        horizon_days=None if config.forecast.horizon_open_days else config.forecast.horizon_days,
        horizon_open_days=config.forecast.horizon_open_days,
        levels=tuple(float(level) for level in config.forecast.levels),
        interval_minutes=config.site.interval_minutes,
        backtest_origins=config.forecast.backtest_origins,
        calendar=config.forecast.event_calendar(),
        start=start,
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


def size_open_forecast(
    forecast_frame: pd.DataFrame,
    config: PlanConfig,
    history: pd.DataFrame,
    *,
    patience_estimates: Mapping[str, float] | None = None,
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
) -> pd.DataFrame:
    """Size a forecast inside opening hours: the requirement ``plan()`` schedules.

    Nobody is planned outside opening hours (see :func:`opening_mask`; the history gives
    the default pattern): those intervals are sized on zero contacts. The returned frame
    keeps the forecast ``volume`` and says per interval whether it is ``open``.
    """
    is_open = opening_mask(forecast_frame, config, history)
    closed_volume = forecast_frame["volume"].where(is_open, 0.0)
    requirement = size_forecast(
        forecast_frame.assign(volume=closed_volume),
        config,
        patience_estimates=patience_estimates,
        n_jobs=n_jobs,
        executor=executor,
    )
    keys = pd.MultiIndex.from_frame(forecast_frame[["queue", "interval_start"]])
    rows = keys.get_indexer(pd.MultiIndex.from_frame(requirement[["queue", "interval_start"]]))
    requirement["volume"] = forecast_frame["volume"].to_numpy()[rows]
    requirement["open"] = is_open[rows]
    return requirement


def plan(
    history: pd.DataFrame,
    config: PlanConfig,
    *,
    state_events: pd.DataFrame | None = None,
    run_backtest: bool = True,
    progress: ProgressCallback | None = None,
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
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
        Local worker processes for the per-queue backtests, model selection and fits, and
        threads for the sizing and adherence arrays; 1 runs everything in this process and
        starts no thread or process.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs the per-queue jobs, the sizing chunks and the adherence agent groups instead
        (``n_jobs`` is then ignored). Results are identical to the serial run. For
        histories too large for this process see :func:`wfm.scale.plan_queues`.
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
    validate_plan_inputs(frame, config)
    if state_events is not None:
        if not config.schedule.templates:
            raise InputError(
                "agent state events were given but no schedule can be made. Fix: add "
                "[[schedule.templates]] to the configuration, or leave the events out."
            )
        absent = [c for c in ("agent", "state", "start") if c not in state_events.columns]
        if absent:
            raise InputError(
                f"agent state events have no column(s) {absent} (columns: "
                f"{list(state_events.columns)}). Fix: give agent, state, start (and end) "
                "per event."
            )

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
    missing = forecast.report.missing

    with _step("requirement", timings, report):
        requirement = size_open_forecast(
            forecast_frame,
            config,
            frame,
            patience_estimates=patience_estimates,
            n_jobs=n_jobs,
            executor=executor,
        )
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
        schedule_result = align_coverage(schedule_result, projection)

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
                n_jobs=n_jobs,
                executor=executor,
            )
        _check_flagged_events(adherence_result.flagged, len(state_events))

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
        missing_intervals=missing.copy() if len(missing) else None,
        special_days=forecast.report.special_days.copy()
        if len(forecast.report.special_days)
        else None,
    )


def align_coverage(schedule: ScheduleResult, projection: pd.DataFrame) -> ScheduleResult:
    """Give the schedule's coverage frame the pipeline's projected service level.

    The scheduler projects its own service level (Erlang C, one threshold, no shrinkage);
    the pipeline's projection uses the sizing's queueing model, shrinkage and per-queue
    targets. One output folder holds one service level: the coverage frame's
    ``service_level`` is replaced by ``projected_service_level`` (same queue and
    interval), so ``coverage.csv`` and ``projected_service.csv`` agree.
    """
    keys = ["queue", "interval_start"]
    levels = projection[[*keys, "projected_service_level"]]
    coverage = schedule.coverage.drop(columns=["service_level"], errors="ignore")
    coverage = coverage.merge(levels, on=keys, how="left", validate="one_to_one")
    coverage = coverage.rename(columns={"projected_service_level": "service_level"})
    return replace(schedule, coverage=coverage)


def _check_flagged_events(flagged: pd.DataFrame, n_events: int) -> None:
    """Refuse a run whose every state event was refused; warn when some were."""
    if len(flagged) == 0:
        return
    reasons = flagged["reason"].value_counts().to_dict() if "reason" in flagged else {}
    if n_events > 0 and len(flagged) >= n_events:
        raise InputError(
            f"every one of the {n_events} state events was refused ({reasons}), so there is "
            "no adherence to measure. Fix: check the events' agents (they must match the "
            "schedule's), states (config [adherence] mapping) and times (within the "
            "scheduled days, in the site's time zone)."
        )
    warnings.warn(
        FlaggedRecordsWarning(
            f"{len(flagged)} of {n_events} state events were refused ({reasons}) and left "
            "out of adherence; they are in PlanResult.adherence.flagged and written as "
            "adherence_flagged_events."
        ),
        stacklevel=3,
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
