"""Batch schedule adherence, conformance and exceptions from agent state events.

:func:`compute_adherence` cuts every agent's measured window into elementary pieces at
every segment, state and threshold boundary (one vectorised sort and sweep, see
``_kernel``), classifies each piece, groups the out-of-adherence pieces into exceptions,
and keeps the pieces cut at interval boundaries so that any aggregation (agent, team,
interval, day, week) is one ``bincount``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.adherence._inputs import (
    Encoded,
    OnBad,
    encode_events,
    encode_schedule,
    resolve_period,
    schedule_time_zone,
    validate_schedule,
)
from wfm.adherence._kernel import (
    CATEGORY_IMPACT,
    CATEGORY_NAMES,
    CATEGORY_OUTSIDE_SHIFT,
    IntArray,
    KernelRules,
    Pieces,
    SegmentArrays,
    StateArrays,
    find_runs,
    split_at_intervals,
    sweep,
)
from wfm.adherence.mapping import AGENT, NO_STATE, TEAM, UNSCHEDULED, StateMapping
from wfm.adherence.rules import AdherenceRules
from wfm.core._display import ResultDisplay
from wfm.core._parallel import (
    check_executor,
    check_n_jobs,
    executor_width,
    map_tasks,
    thread_map,
)
from wfm.core._summary import Summary, units_from_names
from wfm.core.errors import InputError
from wfm.core.frames import INTERVAL_START, REQUIRED_AGENTS, require_columns
from wfm.core.types import ExecutorLike

NS = 1_000_000_000

AggregationLevel = Literal[
    "agent",
    "agent_day",
    "agent_week",
    "team",
    "team_day",
    "team_interval",
    "interval",
    "day",
    "week",
    "total",
]

EXCEPTION_COLUMNS = (
    "exception_id",
    AGENT,
    "start",
    "end",
    "duration_seconds",
    "scheduled_activity",
    "actual_activity",
    "actual_state",
    "category",
    "impact",
    "counted",
    "excused",
)
"""Columns of :attr:`AdherenceResult.exceptions`."""

MEASURE_COLUMNS = (
    "scheduled_seconds",
    "scheduled_work_seconds",
    "worked_seconds",
    "outside_shift_worked_seconds",
    "exception_seconds",
    "excused_seconds",
    "denominator_seconds",
    "in_adherence_seconds",
    "adherence",
    "conformance",
)
"""Measure columns of every aggregation (seconds, and fractions 0 to 1)."""


def kernel_rules(rules: AdherenceRules) -> KernelRules:
    """Convert rules in seconds to the kernel's nanosecond form."""
    window = rules.outside_window_seconds
    return KernelRules(
        start_before_ns=round(rules.start_before_seconds * NS),
        end_after_ns=round(rules.end_after_seconds * NS),
        outside_window_ns=None if window is None else round(window * NS),
        outside_shift_is_exception=rules.counts_outside_shift,
    )


@dataclass(frozen=True, eq=False)
class _Cells:
    """Time per (agent, interval) cell, in seconds, independent of excusal."""

    agent: IntArray
    interval: IntArray
    scheduled: npt.NDArray[np.float64]
    scheduled_work: npt.NDArray[np.float64]
    worked: npt.NDArray[np.float64]
    outside_work: npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class _ExceptionTime:
    """Exception time per (agent, interval, exception) piece, in seconds."""

    agent: IntArray
    interval: IntArray
    seconds: npt.NDArray[np.float64]
    category: npt.NDArray[np.int8]
    exception: IntArray


def summarise_pieces(
    pieces: Pieces, is_work: npt.NDArray[np.bool_], min_exception_ns: int
) -> tuple[IntArray, IntArray, Any]:
    """Find exceptions: runs at least ``min_exception_ns`` long.

    Returns
    -------
    piece_exception : numpy.ndarray of int64
        Exception id of every piece, -1 where the piece is in adherence.
    kept : numpy.ndarray of int64
        Indices of the kept runs.
    runs : Runs
        All runs.
    """
    runs = find_runs(pieces)
    kept = np.flatnonzero(runs.duration_ns >= max(min_exception_ns, 1))
    new_id = np.full(runs.agent.size, -1, dtype=np.int64)
    new_id[kept] = np.arange(kept.size, dtype=np.int64)
    piece_exception = np.full(runs.piece_run.size, -1, dtype=np.int64)
    in_run = runs.piece_run >= 0
    piece_exception[in_run] = new_id[runs.piece_run[in_run]]
    return piece_exception, kept, runs


@dataclass(frozen=True, eq=False, repr=False)
class AdherenceResult(ResultDisplay):
    """Adherence of agents against their schedule, with its exceptions.

    Attributes
    ----------
    rules : AdherenceRules
        Definition and thresholds used.
    exceptions : pandas.DataFrame
        One row per exception (columns :data:`EXCEPTION_COLUMNS`): ``start``/``end``
        aware, ``duration_seconds`` (seconds), ``impact`` positive/negative/neutral,
        ``counted`` (whether it counts against adherence under the definition) and
        ``excused`` (set with :meth:`excuse`; an excused exception stays listed but no
        longer lowers adherence).
    flagged : pandas.DataFrame
        Bad input events returned instead of raising (``on_bad="flag"``), with
        ``reason`` and ``action``.
    interval_starts : pandas.DatetimeIndex
        Left edges of the intervals of the measured period (aware).
    until : pandas.Timestamp
        End of measurement; time after it is not counted.
    """

    rules: AdherenceRules
    exceptions: pd.DataFrame
    flagged: pd.DataFrame
    interval_starts: pd.DatetimeIndex
    until: pd.Timestamp
    _agents: pd.Index
    _teams: pd.Index | None
    _agent_team: IntArray | None
    _cells: _Cells
    _exception_time: _ExceptionTime

    @property
    def agents(self) -> pd.Index:
        """Agents of the schedule, in the order of the result rows."""
        return self._agents

    @property
    def interval_seconds(self) -> float:
        """Interval length in seconds."""
        step = self.interval_starts[1] - self.interval_starts[0]
        return float(step.total_seconds())

    def excuse(self, exception_ids: Iterable[int], *, excused: bool = True) -> AdherenceResult:
        """Return a result with the given exceptions excused (or un-excused).

        Excused exceptions stay in :attr:`exceptions` (``excused`` True) and no longer
        count against adherence; every aggregation is recomputed from the stored pieces.

        Parameters
        ----------
        exception_ids : iterable of int
            Values of ``exceptions["exception_id"]``.
        excused : bool, default True
            New flag value.

        Returns
        -------
        AdherenceResult

        Raises
        ------
        InputError
            If an id is not an exception of this result.
        """
        ids = np.asarray(list(exception_ids), dtype=np.int64)
        known = self.exceptions["exception_id"].to_numpy()
        unknown = ids[~np.isin(ids, known)]
        if unknown.size:
            raise InputError(
                f"exception_ids {unknown[:5].tolist()} are not exceptions of this result "
                f"(ids run 0..{len(known) - 1}). Fix: pick ids from result.exceptions."
            )
        table = self.exceptions.copy()
        table.loc[np.isin(known, ids), "excused"] = bool(excused)
        return replace(self, exceptions=table)

    def _day_index(self) -> tuple[IntArray, pd.Index]:
        dates = self.interval_starts.date
        codes, uniques = pd.factorize(pd.Index(dates), sort=True)
        return np.asarray(codes, dtype=np.int64), pd.Index(uniques, name="date")

    def _week_index(self) -> tuple[IntArray, pd.Index]:
        dates = pd.to_datetime(pd.Index(self.interval_starts.date))
        monday = dates - pd.to_timedelta(dates.day_of_week, unit="D")
        codes, uniques = pd.factorize(pd.Index(monday.date), sort=True)
        return np.asarray(codes, dtype=np.int64), pd.Index(uniques, name="week_start")

    def _measures(
        self, cell_key: IntArray, exception_key: IntArray, n_groups: int
    ) -> dict[str, npt.NDArray[np.float64]]:
        cells = self._cells
        pieces = self._exception_time
        excused_table = self.exceptions["excused"].to_numpy(dtype=bool)
        counted_categories = np.asarray(sorted(self.rules.counted_categories), dtype=np.int8)
        piece_excused = (
            excused_table[pieces.exception]
            if excused_table.size
            else np.zeros(pieces.exception.size, dtype=bool)
        )
        counted = np.isin(pieces.category, counted_categories)

        def total(key: IntArray, weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            return np.asarray(np.bincount(key, weights=weights, minlength=n_groups), np.float64)

        def exception_total(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
            return total(exception_key, np.where(mask, pieces.seconds, 0.0))

        scheduled = total(cell_key, cells.scheduled)
        scheduled_work = total(cell_key, cells.scheduled_work)
        exception = exception_total(counted & ~piece_excused)
        excused = exception_total(counted & piece_excused)
        if self.rules.definition == "genesys":
            denominator = scheduled + exception_total(pieces.category == CATEGORY_OUTSIDE_SHIFT)
        elif self.rules.definition == "calabrio_ready":
            denominator = scheduled_work
        else:
            denominator = scheduled
        worked = total(cell_key, cells.worked)
        with np.errstate(divide="ignore", invalid="ignore"):
            adherence = np.where(
                denominator > 0, np.clip(1.0 - exception / denominator, 0.0, 1.0), np.nan
            )
            conformance = np.where(
                scheduled_work > 0,
                worked / scheduled_work,
                np.where(worked > 0, np.inf, np.nan),
            )
        return {
            "scheduled_seconds": scheduled,
            "scheduled_work_seconds": scheduled_work,
            "worked_seconds": worked,
            "outside_shift_worked_seconds": total(cell_key, cells.outside_work),
            "exception_seconds": exception,
            "excused_seconds": excused,
            "denominator_seconds": denominator,
            "in_adherence_seconds": np.maximum(denominator - exception, 0.0),
            "adherence": adherence,
            "conformance": conformance,
        }

    def aggregate(self, by: AggregationLevel = "agent") -> pd.DataFrame:
        """Aggregate adherence and conformance.

        Parameters
        ----------
        by : str, default "agent"
            ``"agent"``, ``"agent_day"``, ``"agent_week"``, ``"team"``, ``"team_day"``,
            ``"team_interval"``, ``"interval"`` (all agents), ``"day"``, ``"week"`` or
            ``"total"``. Days and weeks are local calendar days (weeks start Monday).

        Returns
        -------
        pandas.DataFrame
            Key columns then :data:`MEASURE_COLUMNS`: seconds, ``adherence`` (fraction 0
            to 1, NaN where nothing is scheduled) and ``conformance`` (worked / scheduled
            work, can exceed 1; inf if work happened with none scheduled).
        """
        n_agents = len(self._agents)
        n_intervals = len(self.interval_starts)
        interval_day, days = self._day_index()
        interval_week, weeks = self._week_index()
        if by in ("team", "team_day", "team_interval") and self._agent_team is None:
            raise InputError(
                f"by={by!r} needs a 'team' column in the schedule. Fix: add one, or "
                "aggregate by agent."
            )
        team = self._agent_team
        columns: dict[str, Any]
        key_of: Callable[[IntArray, IntArray], IntArray]
        if by == "agent":
            key_of, n = (lambda a, i: a), n_agents
            columns = {AGENT: self._agents}
        elif by == "agent_day":
            key_of = lambda a, i: a * len(days) + interval_day[i]  # noqa: E731
            n = n_agents * len(days)
            columns = {AGENT: self._agents.repeat(len(days)), "date": np.tile(days, n_agents)}
        elif by == "agent_week":
            key_of = lambda a, i: a * len(weeks) + interval_week[i]  # noqa: E731
            n = n_agents * len(weeks)
            columns = {
                AGENT: self._agents.repeat(len(weeks)),
                "week_start": np.tile(weeks, n_agents),
            }
        elif by == "team" and team is not None and self._teams is not None:
            key_of, n = (lambda a, i: team[a]), len(self._teams)
            columns = {TEAM: self._teams}
        elif by == "team_day" and team is not None and self._teams is not None:
            n_teams = len(self._teams)
            key_of = lambda a, i: team[a] * len(days) + interval_day[i]  # noqa: E731
            n = n_teams * len(days)
            columns = {TEAM: self._teams.repeat(len(days)), "date": np.tile(days, n_teams)}
        elif by == "team_interval" and team is not None and self._teams is not None:
            n_teams = len(self._teams)
            key_of = lambda a, i: team[a] * n_intervals + i  # noqa: E731
            n = n_teams * n_intervals
            columns = {
                TEAM: self._teams.repeat(n_intervals),
                INTERVAL_START: np.tile(self.interval_starts, n_teams),
            }
        elif by == "interval":
            key_of, n = (lambda a, i: i), n_intervals
            columns = {INTERVAL_START: self.interval_starts}
        elif by == "day":
            key_of, n = (lambda a, i: interval_day[i]), len(days)
            columns = {"date": days}
        elif by == "week":
            key_of, n = (lambda a, i: interval_week[i]), len(weeks)
            columns = {"week_start": weeks}
        elif by == "total":
            key_of, n = (lambda a, i: np.zeros(a.size, dtype=np.int64)), 1
            columns = {}
        else:
            raise InputError(
                f"by={by!r} is not an aggregation level. Fix: use one of "
                "'agent', 'agent_day', 'agent_week', 'team', 'team_day', 'team_interval', "
                "'interval', 'day', 'week', 'total'."
            )
        frame = pd.DataFrame({name: np.asarray(values) for name, values in columns.items()})
        if INTERVAL_START in frame.columns:
            frame[INTERVAL_START] = pd.DatetimeIndex(frame[INTERVAL_START]).tz_convert(
                self.interval_starts.tz
            )
        measures = self._measures(
            key_of(self._cells.agent, self._cells.interval),
            key_of(self._exception_time.agent, self._exception_time.interval),
            n,
        )
        for name in MEASURE_COLUMNS:
            frame[name] = measures[name]
        return frame

    def to_frame(self) -> pd.DataFrame:
        """Adherence per agent (same as ``aggregate("agent")``)."""
        return self.aggregate("agent")

    def summary(self) -> Summary:
        """Totals over all agents and the whole period (seconds and fractions)."""
        row = self.aggregate("total").iloc[0]
        out = {name: float(row[name]) for name in MEASURE_COLUMNS}
        out["exceptions"] = float(len(self.exceptions))
        out["excused_exceptions"] = float(self.exceptions["excused"].sum())
        out["flagged_events"] = float(len(self.flagged))
        return Summary("AdherenceResult", out, units=units_from_names(out))

    def tables(self) -> dict[str, pd.DataFrame]:
        """Adherence per agent and per interval, the exceptions and the flagged events."""
        return {
            "by_agent": self.aggregate("agent"),
            "by_interval": self.aggregate("interval"),
            "exceptions": self.exceptions,
            "flagged": self.flagged,
        }

    def staffing(self, required: pd.DataFrame | None = None) -> pd.DataFrame:
        """Staff actually available versus scheduled (and required) per interval.

        Parameters
        ----------
        required : pandas.DataFrame, optional
            Frame with ``interval_start`` and ``required_agents`` (e.g. from
            :mod:`wfm.erlang`); several queues are summed per interval.

        Returns
        -------
        pandas.DataFrame
            ``interval_start``, ``scheduled_agents`` (scheduled work seconds / interval
            seconds: average agents scheduled to work), ``available_agents`` (worked
            seconds / interval seconds: average agents in a work state), their difference
            ``available_minus_scheduled`` and, with ``required``, ``required_agents`` and
            ``available_minus_required``.
        """
        per_interval = self.aggregate("interval")
        seconds = self.interval_seconds
        frame = pd.DataFrame(
            {
                INTERVAL_START: per_interval[INTERVAL_START],
                "scheduled_agents": per_interval["scheduled_work_seconds"] / seconds,
                "available_agents": per_interval["worked_seconds"] / seconds,
            }
        )
        frame["available_minus_scheduled"] = frame["available_agents"] - frame["scheduled_agents"]
        if required is not None:
            require_columns(required, [INTERVAL_START, REQUIRED_AGENTS], name="required")
            need = required.groupby(INTERVAL_START)[REQUIRED_AGENTS].sum()
            need.index = pd.DatetimeIndex(need.index).tz_convert(self.interval_starts.tz)
            need = need.reindex(pd.DatetimeIndex(frame[INTERVAL_START]).as_unit(need.index.unit))
            frame[REQUIRED_AGENTS] = need.to_numpy(dtype=np.float64)
            frame["available_minus_required"] = frame["available_agents"] - frame[REQUIRED_AGENTS]
        return frame


def _exceptions_frame(
    runs: dict[str, npt.NDArray[Any]],
    encoded: Encoded,
    state_names: Sequence[str],
    rules: AdherenceRules,
) -> pd.DataFrame:
    activity = np.asarray([*encoded.activities, UNSCHEDULED], dtype=object)
    states = np.asarray([*state_names, NO_STATE], dtype=object)
    category = runs["category"].astype(np.int64)
    counted = np.isin(category, np.asarray(sorted(rules.counted_categories)))
    start = pd.DatetimeIndex(runs["start"].astype("datetime64[ns]")).tz_localize("UTC")
    end = pd.DatetimeIndex(runs["end"].astype("datetime64[ns]")).tz_localize("UTC")
    names = np.asarray([CATEGORY_NAMES.get(c, "") for c in range(5)], dtype=object)
    impacts = np.asarray([CATEGORY_IMPACT.get(c, "") for c in range(5)], dtype=object)
    return pd.DataFrame(
        {
            "exception_id": np.arange(category.size, dtype=np.int64),
            AGENT: np.asarray(encoded.agents)[runs["agent"]],
            "start": start.tz_convert(encoded.tz),
            "end": end.tz_convert(encoded.tz),
            "duration_seconds": (runs["end"] - runs["start"]) / NS,
            "scheduled_activity": activity[runs["scheduled_activity"]],
            "actual_activity": activity[runs["activity"]],
            "actual_state": states[runs["state"]],
            "category": names[category],
            "impact": impacts[category],
            "counted": counted,
            "excused": np.zeros(category.size, dtype=bool),
        }
    )


def encode_inputs(
    schedule: pd.DataFrame,
    mapping: StateMapping,
    *,
    tz: str | None,
    period_start: str | pd.Timestamp | None,
    period_end: str | pd.Timestamp | None,
    until: str | pd.Timestamp | None,
    interval_minutes: int | None,
) -> Encoded:
    """Validate and encode a schedule and the measured period."""
    ordered = validate_schedule(schedule)
    zone = tz if tz is not None else schedule_time_zone(ordered)
    grid, until_ns = resolve_period(
        ordered, zone, period_start, period_end, until, interval_minutes
    )
    agents, teams, agent_team, activities, segments = encode_schedule(ordered, mapping)
    is_work = np.isin(np.asarray(activities, dtype=object), list(mapping.work_activities))
    return Encoded(
        agents=agents,
        teams=teams,
        agent_team=agent_team,
        activities=activities,
        is_work=is_work,
        off_code=activities.index(mapping.off_activity),
        states=[],
        segments=segments,
        grid=grid,
        until_ns=until_ns,
        tz=zone,
    )


@dataclass(frozen=True, eq=False)
class _ChunkResult:
    """What one group of agents contributes to a result (exception ids local)."""

    runs: dict[str, npt.NDArray[Any]]
    cells: _Cells
    exception_time: _ExceptionTime


_PARALLEL_MIN_ROWS = 400_000
"""Inputs with fewer segment + state rows than this are computed in one piece."""


def _chunk(
    encoded: Encoded,
    segments: SegmentArrays,
    states: StateArrays,
    agents: tuple[int, int],
    rules: AdherenceRules,
) -> _ChunkResult:
    """Sweep, find exceptions and fill interval cells for agents ``[agents[0], agents[1])``."""
    n_agents = len(encoded.agents)
    grid_start = int(encoded.grid.start.as_unit("ns").value)
    window_start = np.full(n_agents, grid_start, dtype=np.int64)
    window_end = window_start.copy()
    window_end[agents[0] : agents[1]] = encoded.until_ns
    pieces = sweep(
        segments,
        states,
        window_start,
        window_end,
        encoded.is_work,
        encoded.off_code,
        kernel_rules(rules),
    )
    piece_exception, kept, runs = summarise_pieces(
        pieces, encoded.is_work, round(rules.min_exception_seconds * NS)
    )
    kept_runs = {
        name: getattr(runs, name)[kept]
        for name in ("agent", "start", "end", "scheduled_activity", "activity", "state")
    }
    kept_runs["category"] = runs.category[kept]
    split = split_at_intervals(
        pieces.start, pieces.end, grid_start, encoded.grid.interval_minutes * 60 * NS
    )
    source = split.piece
    seconds = split.duration_ns / NS
    agent = pieces.agent[source]
    scheduled_activity = pieces.scheduled_activity[source]
    scheduled = scheduled_activity >= 0
    scheduled_work = scheduled & encoded.is_work[np.maximum(scheduled_activity, 0)]
    working = encoded.is_work[pieces.activity[source]]
    # runs of equal (agent, interval) keys are summed into cells; a cell may occur twice
    # (head parts, then crossing parts), which aggregation by bincount does not mind
    cell_key = agent * len(encoded.grid) + split.interval
    first = np.flatnonzero(np.r_[True, cell_key[1:] != cell_key[:-1]][: cell_key.size])

    def per_cell(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
        if first.size == 0:
            return np.zeros(0, dtype=np.float64)
        return np.asarray(np.add.reduceat(np.where(mask, seconds, 0.0), first), np.float64)

    cells = _Cells(
        agent=agent[first],
        interval=split.interval[first],
        scheduled=per_cell(scheduled),
        scheduled_work=per_cell(scheduled_work),
        worked=per_cell(working),
        outside_work=per_cell(pieces.outside_shift_work[source]),
    )
    exception = piece_exception[source]
    in_exception = np.flatnonzero(exception >= 0)
    exception_time = _ExceptionTime(
        agent=agent[in_exception],
        interval=split.interval[in_exception],
        seconds=seconds[in_exception],
        category=pieces.category[source][in_exception],
        exception=exception[in_exception],
    )
    return _ChunkResult(runs=kept_runs, cells=cells, exception_time=exception_time)


@dataclass(frozen=True)
class _AgentGroupJob:
    """One group of agents with only its own rows (picklable, for a process or Dask)."""

    encoded: Encoded
    segments: SegmentArrays
    states: StateArrays
    agents: tuple[int, int]
    rules: AdherenceRules


def _run_agent_group(job: _AgentGroupJob) -> _ChunkResult:
    return _chunk(job.encoded, job.segments, job.states, job.agents, job.rules)


def _agent_slices(
    encoded: Encoded, states: StateArrays, workers: int
) -> list[tuple[tuple[int, int], SegmentArrays, StateArrays]]:
    """Split the agents into ``workers`` ranges of about equal rows, with their data."""
    n_agents = len(encoded.agents)
    segments = encoded.segments
    rows = np.bincount(segments.agent, minlength=n_agents) + np.bincount(
        states.agent, minlength=n_agents
    )
    cumulative = np.cumsum(rows)
    total = int(cumulative[-1]) if n_agents else 0
    if workers <= 1 or total < _PARALLEL_MIN_ROWS or n_agents < 2:
        return [((0, n_agents), segments, states)]
    cuts = np.searchsorted(cumulative, total * np.arange(1, workers) / workers)
    bounds = np.unique(np.r_[0, np.minimum(cuts + 1, n_agents), n_agents])
    out = []
    for lo, hi in itertools.pairwise(bounds):
        seg = slice(*np.searchsorted(segments.agent, [lo, hi]))
        sta = slice(*np.searchsorted(states.agent, [lo, hi]))
        out.append(
            (
                (int(lo), int(hi)),
                SegmentArrays(
                    segments.agent[seg],
                    segments.start[seg],
                    segments.end[seg],
                    segments.activity[seg],
                ),
                StateArrays(
                    states.agent[sta],
                    states.start[sta],
                    states.end[sta],
                    states.activity[sta],
                    states.state[sta],
                ),
            )
        )
    return out


def build_result(
    encoded: Encoded,
    states: StateArrays,
    state_names: Sequence[str],
    rules: AdherenceRules,
    flagged: pd.DataFrame,
    *,
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
) -> AdherenceResult:
    """Run the kernel on encoded inputs and assemble an :class:`AdherenceResult`.

    With ``n_jobs > 1``, large inputs are split into that many groups of agents computed
    in parallel threads (numpy releases the GIL in sorts and array arithmetic); with an
    ``executor`` into as many groups as it runs tasks at once, each a task that carries
    only its agents' rows. By default nothing is started. The result does not depend on
    it.
    """
    check_executor(executor)
    if executor is not None:
        parts = _agent_slices(encoded, states, executor_width(executor))
        # the kernel never reads encoded.segments: each job carries only its group's rows
        jobs = [
            _AgentGroupJob(replace(encoded, segments=part[1]), part[1], part[2], part[0], rules)
            for part in parts
        ]
        keys = [f"agents {part[0][0]}-{part[0][1] - 1}" for part in parts]
        chunks = map_tasks(_run_agent_group, jobs, keys=keys, executor=executor, stage="agents")
    else:
        parts = _agent_slices(encoded, states, check_n_jobs(n_jobs))
        chunks = thread_map(
            lambda part: _chunk(encoded, part[1], part[2], part[0], rules), parts, n_jobs=n_jobs
        )
    offsets = np.cumsum([0] + [chunk.runs["agent"].size for chunk in chunks])
    runs = {name: np.concatenate([chunk.runs[name] for chunk in chunks]) for name in chunks[0].runs}
    exceptions = _exceptions_frame(runs, encoded, state_names, rules)
    cells = _Cells(
        *(
            np.concatenate([getattr(chunk.cells, name) for chunk in chunks])
            for name in (
                "agent",
                "interval",
                "scheduled",
                "scheduled_work",
                "worked",
                "outside_work",
            )
        )
    )
    exception_time = _ExceptionTime(
        agent=np.concatenate([chunk.exception_time.agent for chunk in chunks]),
        interval=np.concatenate([chunk.exception_time.interval for chunk in chunks]),
        seconds=np.concatenate([chunk.exception_time.seconds for chunk in chunks]),
        category=np.concatenate([chunk.exception_time.category for chunk in chunks]),
        exception=np.concatenate(
            [
                chunk.exception_time.exception + offset
                for chunk, offset in zip(chunks, offsets[:-1], strict=True)
            ]
        ),
    )
    until = pd.Timestamp(encoded.until_ns, unit="ns", tz="UTC").tz_convert(encoded.tz)
    return AdherenceResult(
        rules=rules,
        exceptions=exceptions,
        flagged=flagged,
        interval_starts=encoded.grid.starts,
        until=until,
        _agents=encoded.agents,
        _teams=encoded.teams,
        _agent_team=encoded.agent_team,
        _cells=cells,
        _exception_time=exception_time,
    )


def compute_adherence(
    schedule: pd.DataFrame,
    events: pd.DataFrame,
    *,
    mapping: StateMapping | None = None,
    rules: AdherenceRules | None = None,
    period_start: str | pd.Timestamp | None = None,
    period_end: str | pd.Timestamp | None = None,
    until: str | pd.Timestamp | None = None,
    tz: str | None = None,
    interval_minutes: int | None = None,
    on_bad: OnBad = "raise",
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
) -> AdherenceResult:
    """Compute schedule adherence, conformance and exceptions from agent state events.

    Parameters
    ----------
    schedule : pandas.DataFrame
        Schedule segments: ``agent``, ``activity``, ``start``, ``end`` (aware, end
        exclusive), optional ``team`` and any extra columns. Segments of one agent must
        not overlap; segments whose activity is an off activity of the mapping are
        unscheduled time.
    events : pandas.DataFrame
        Agent state events: ``agent``, ``state``, ``start`` (aware), optional ``end``
        (without it, or where NaT, a state lasts until the agent's next event; the last
        one lasts until ``until``) and optional ``channel``.
    mapping : StateMapping, optional
        ACD state to activity table; :meth:`StateMapping.default` if omitted.
    rules : AdherenceRules, optional
        Definition and thresholds; Genesys with no thresholds if omitted.
    period_start, period_end : str or pandas.Timestamp, optional
        Measured period (must be whole intervals). Default: the local days the schedule
        covers. Events starting outside it are bad input.
    until : str or pandas.Timestamp, optional
        End of measurement (default ``period_end``): open states end here and later
        scheduled time is not counted (use the current time for a running figure).
    tz : str, optional
        IANA zone of days and intervals; default the zone of ``schedule["start"]``.
    interval_minutes : int, optional
        Interval length of the interval aggregation, one of 5, 10, 15, 30, 60. Default:
        inferred from the schedule, as the other stages infer it from their frames: the
        longest of 30, 15, 10, 5 minutes on whose local grid every segment starts and ends.
    on_bad : {"raise", "flag"}, default "raise"
        What to do with bad events (missing start, unknown agent or state, outside the
        period, end <= start, unsorted, overlapping): raise :class:`InputError`, or
        return them in ``result.flagged`` (rejected, sorted or truncated, as stated in
        its ``action`` column). Naive timestamps and bad schedules always raise.
    n_jobs : int, default 1
        Threads over groups of agents for large inputs (1 starts none; the result does not
        depend on it). To spread teams over processes or a cluster, see
        :func:`wfm.scale.adherence_by_team` (the agents of different teams never interact).
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs groups of agents as tasks instead (as many groups as the executor runs at
        once, for large inputs); ``n_jobs`` is then ignored and the result is identical.

    Returns
    -------
    AdherenceResult

    Examples
    --------
    >>> import pandas as pd
    >>> t = lambda s: pd.Timestamp(f"2024-01-10 {s}", tz="UTC")
    >>> schedule = pd.DataFrame({"agent": ["a"], "activity": ["work"],
    ...                          "start": [t("09:00")], "end": [t("10:00")]})
    >>> events = pd.DataFrame({"agent": ["a", "a"], "state": ["Available", "Logged Out"],
    ...                        "start": [t("09:10"), t("10:10")]})
    >>> rules = AdherenceRules(outside_shift_is_exception=True)
    >>> result = compute_adherence(schedule, events, rules=rules)
    >>> round(float(result.to_frame()["adherence"].iloc[0]), 3)  # 1 - 20/70
    0.714
    """
    mapping = mapping if mapping is not None else StateMapping.default()
    rules = rules if rules is not None else AdherenceRules()
    encoded = encode_inputs(
        schedule,
        mapping,
        tz=tz,
        period_start=period_start,
        period_end=period_end,
        until=until,
        interval_minutes=interval_minutes,
    )
    states, state_names, flagged = encode_events(
        events,
        agents=encoded.agents,
        activity_names=encoded.activities,
        mapping=mapping,
        grid=encoded.grid,
        until_ns=encoded.until_ns,
        on_bad=on_bad,
    )
    return build_result(
        encoded, states, state_names, rules, flagged, n_jobs=n_jobs, executor=executor
    )
