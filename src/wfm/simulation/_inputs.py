"""Turn the library's frames into the simulator's arrays (and validate them).

* forecast: the interval frame (``queue``, ``interval_start``, ``volume``,
  ``aht_seconds``) becomes a (queue x interval) grid;
* staffing: a frame of agent counts per skill group (or per queue) and interval becomes
  on-duty periods of individual agents;
* schedule: a segments frame (``agent``, ``activity``, ``start``, ``end``) becomes the
  on-duty periods of the named agents (only working activities count; agents on break,
  lunch or off do not serve).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.core.errors import InputError, describe_value
from wfm.core.frames import (
    AHT_SECONDS,
    INTERVAL_START,
    QUEUE,
    REQUIRED_AGENTS,
    SEGMENT_KEY_COLUMNS,
    VOLUME,
    check_aware_timestamps,
    check_nonnegative_finite,
    require_columns,
    validate_interval_frame,
)

SKILL_GROUP = "skill_group"
AGENTS = "agents"


@dataclass(frozen=True)
class ForecastGrid:
    """A forecast frame as dense arrays.

    Attributes
    ----------
    queues : tuple
        Queue identifiers, sorted.
    interval_starts : pandas.DatetimeIndex
        Aware left edges of the intervals.
    interval_seconds : float
        Interval length in seconds.
    volume : numpy.ndarray
        Contacts offered per (queue, interval).
    aht_seconds : numpy.ndarray
        Average handle time per (queue, interval) in seconds (0 where volume is 0 and AHT
        was missing).
    """

    queues: tuple[Hashable, ...]
    interval_starts: pd.DatetimeIndex
    interval_seconds: float
    volume: np.ndarray
    aht_seconds: np.ndarray

    @property
    def horizon_seconds(self) -> float:
        """Length of the simulated horizon in seconds."""
        return self.interval_seconds * len(self.interval_starts)

    def seconds_from_start(self, stamps: pd.Series | pd.DatetimeIndex) -> np.ndarray:
        """Convert aware timestamps to seconds since the first interval start."""
        index = pd.DatetimeIndex(stamps)
        origin = self.interval_starts[0]
        return np.asarray((index - origin).total_seconds(), dtype=np.float64)


@dataclass(frozen=True)
class AgentRoster:
    """Agents, their skill groups and their on-duty periods (seconds from the start).

    Attributes
    ----------
    group_names : tuple
        Name of each skill group.
    group_queues : tuple of tuple of int
        Queue indices each group serves.
    agent_group : tuple of int
        Group index of each agent.
    agent_names : tuple
        Name of each agent.
    duty_start_seconds, duty_end_seconds, duty_agent : numpy.ndarray
        On-duty periods.
    """

    group_names: tuple[Hashable, ...]
    group_queues: tuple[tuple[int, ...], ...]
    agent_group: tuple[int, ...]
    agent_names: tuple[Hashable, ...]
    duty_start_seconds: np.ndarray
    duty_end_seconds: np.ndarray
    duty_agent: np.ndarray


def forecast_grid(forecast: pd.DataFrame, interval_minutes: int | None = None) -> ForecastGrid:
    """Validate a forecast interval frame and pivot it to a dense grid.

    ``interval_minutes`` is inferred from the timestamps unless given (it must be given
    for a single-interval frame).

    Raises
    ------
    InputError
        On any problem :func:`~wfm.core.frames.validate_interval_frame` finds, or when a
        queue lacks some interval the others have (the grid must be complete: pass 0
        volume for closed intervals).
    """
    frame = validate_interval_frame(forecast, interval_minutes=interval_minutes, name="forecast")
    starts = pd.DatetimeIndex(sorted(frame[INTERVAL_START].unique()))
    queues = tuple(sorted(frame[QUEUE].unique(), key=str))
    steps = np.diff(starts.as_unit("ns").asi8)
    if steps.size and not np.all(steps == steps[0]):
        raise InputError(
            "forecast['interval_start'] has gaps: the simulated horizon must be a contiguous "
            "run of intervals. Fix: add the missing intervals with volume 0."
        )
    if interval_minutes is not None:
        interval_seconds = 60.0 * interval_minutes
        if steps.size and float(steps[0]) / 1e9 != interval_seconds:
            raise InputError(
                f"forecast['interval_start'] steps by {float(steps[0]) / 60e9:g} minutes, not "
                f"interval_minutes={interval_minutes}. Fix: pass the frame's interval length."
            )
    else:
        interval_seconds = float(steps[0]) / 1e9
    volume = frame.pivot(index=QUEUE, columns=INTERVAL_START, values=VOLUME)
    volume = volume.reindex(index=list(queues), columns=starts)
    if volume.isna().to_numpy().any():
        row, column = np.argwhere(volume.isna().to_numpy())[0]
        raise InputError(
            f"forecast has no row for queue={queues[row]!r}, interval_start={starts[column]}; "
            "every queue "
            "needs every interval. Fix: add the row with volume 0."
        )
    aht = frame.pivot(index=QUEUE, columns=INTERVAL_START, values=AHT_SECONDS)
    aht = aht.reindex(index=list(queues), columns=starts)
    aht_values = np.nan_to_num(aht.to_numpy(dtype=np.float64), nan=0.0)
    return ForecastGrid(
        queues=queues,
        interval_starts=starts,
        interval_seconds=interval_seconds,
        volume=volume.to_numpy(dtype=np.float64),
        aht_seconds=aht_values,
    )


def _queue_indices(grid: ForecastGrid, skills: Iterable[Hashable], field: str) -> tuple[int, ...]:
    position = {queue: i for i, queue in enumerate(grid.queues)}
    indices = []
    for queue in skills:
        if queue not in position:
            raise InputError(
                f"{field} names queue {queue!r}, which is not in the forecast "
                f"(queues: {list(grid.queues)}). Fix: use the forecast's queue names."
            )
        indices.append(position[queue])
    if not indices:
        raise InputError(f"{field} has no skills. Fix: give every agent at least one queue.")
    return tuple(sorted(set(indices)))


def check_every_queue_served(grid: ForecastGrid, group_queues: Sequence[tuple[int, ...]]) -> None:
    """Raise if a queue with volume has no skill group that can serve it."""
    served = {q for queues in group_queues for q in queues}
    for q, queue in enumerate(grid.queues):
        if q not in served and grid.volume[q].sum() > 0:
            raise InputError(
                f"skills: no agent has the skill for queue {queue!r}, which has "
                f"{grid.volume[q].sum():g} contacts. Fix: add {queue!r} to some agent's "
                "skills or skill group, or drop the queue from the forecast."
            )


def _integer_counts(values: np.ndarray, field: str) -> np.ndarray:
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise InputError(
            f"{field} must hold finite agent counts >= 0, got {describe_value(values.tolist())}. "
            "Fix: pass whole numbers of agents."
        )
    if not np.all(values == np.round(values)):
        raise InputError(
            f"{field} holds fractional agent counts. Fix: round up with numpy.ceil first."
        )
    return values.astype(np.int64)


def roster_from_staffing(
    staffing: pd.DataFrame,
    grid: ForecastGrid,
    *,
    skill_groups: Mapping[Hashable, Iterable[Hashable]] | None,
    drain: bool,
) -> AgentRoster:
    """Agents from counts per skill group (or queue) and interval.

    Parameters
    ----------
    staffing : pandas.DataFrame
        Columns ``interval_start``, a count column (``agents`` or ``required_agents``) and
        a group column: ``skill_group`` (with ``skill_groups`` mapping each group to the
        queues it serves) or ``queue`` (each queue's agents serve that queue only).
    grid : ForecastGrid
        The forecast grid (defines the intervals).
    skill_groups : mapping, optional
        Skill group -> queues it serves.
    drain : bool
        If true, agents on duty in the last interval stay until their queues are empty.
    """
    count_column = AGENTS if AGENTS in staffing.columns else REQUIRED_AGENTS
    group_column = SKILL_GROUP if SKILL_GROUP in staffing.columns else QUEUE
    require_columns(staffing, [group_column, INTERVAL_START, count_column], name="staffing")
    check_aware_timestamps(staffing, INTERVAL_START, name="staffing")
    check_nonnegative_finite(staffing, count_column, name="staffing")
    if staffing.duplicated(subset=[group_column, INTERVAL_START]).any():
        raise InputError(
            f"staffing has duplicate ({group_column}, interval_start) rows. Fix: sum them."
        )
    names = tuple(sorted(staffing[group_column].unique(), key=str))
    if group_column == SKILL_GROUP:
        if skill_groups is None:
            raise InputError(
                "staffing has a 'skill_group' column but skill_groups was not given. Fix: pass "
                "skill_groups={group: [queues it serves], ...}."
            )
        missing = [name for name in names if name not in skill_groups]
        if missing:
            raise InputError(
                f"skill_groups has no entry for skill group(s) {missing} of staffing. Fix: list "
                "the queues each group serves."
            )
        group_queues = tuple(
            _queue_indices(grid, skill_groups[name], f"skill_groups[{name!r}]") for name in names
        )
    else:
        group_queues = tuple(_queue_indices(grid, [name], "staffing['queue']") for name in names)
    check_every_queue_served(grid, group_queues)
    table = staffing.pivot(index=group_column, columns=INTERVAL_START, values=count_column)
    outside = ~table.columns.isin(grid.interval_starts)
    if outside.any():
        raise InputError(
            f"staffing['interval_start'] has {table.columns[outside][0]}, outside the forecast's "
            "intervals. Fix: give staffing on the forecast's interval grid."
        )
    table = table.reindex(index=list(names), columns=grid.interval_starts)
    if table.isna().to_numpy().any():
        raise InputError(
            "staffing lacks some (group, interval_start) of the forecast grid. Fix: give every "
            "group a count for every interval (0 when nobody works)."
        )
    counts = _integer_counts(table.to_numpy(dtype=np.float64), "staffing[agents]")
    n_intervals = counts.shape[1]
    starts_list: list[np.ndarray] = []
    ends_list: list[np.ndarray] = []
    agents_list: list[np.ndarray] = []
    agent_group: list[int] = []
    agent_names: list[Hashable] = []
    step = grid.interval_seconds
    for g, name in enumerate(names):
        peak = int(counts[g].max()) if n_intervals else 0
        if peak == 0:
            continue
        first_agent = len(agent_group)
        agent_group.extend([g] * peak)
        agent_names.extend(f"{name}#{j}" for j in range(peak))
        on = np.arange(peak)[:, None] < counts[g][None, :]
        padded = np.zeros((peak, n_intervals + 2), dtype=np.int8)
        padded[:, 1:-1] = on
        change = np.diff(padded, axis=1)
        agent_of_start, start_interval = np.nonzero(change == 1)
        _, end_interval = np.nonzero(change == -1)
        ends = end_interval * step
        if drain:
            ends = np.where(end_interval == n_intervals, np.inf, ends)
        starts_list.append(start_interval * step)
        ends_list.append(ends.astype(np.float64))
        agents_list.append(agent_of_start + first_agent)
    return AgentRoster(
        group_names=names,
        group_queues=group_queues,
        agent_group=tuple(agent_group),
        agent_names=tuple(agent_names),
        duty_start_seconds=_concat(starts_list),
        duty_end_seconds=_concat(ends_list),
        duty_agent=_concat(agents_list).astype(np.int64),
    )


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    if not parts:
        return np.zeros(0, dtype=np.float64)
    return np.concatenate(parts).astype(np.float64)


def roster_from_schedule(
    schedule: pd.DataFrame,
    grid: ForecastGrid,
    *,
    agent_skills: Mapping[Hashable, Iterable[Hashable]] | None,
    working_activities: Sequence[str],
    drain: bool,
) -> AgentRoster:
    """Agents from a schedule segments frame.

    Parameters
    ----------
    schedule : pandas.DataFrame
        Columns ``agent``, ``activity``, ``start``, ``end`` (aware timestamps). Rows whose
        activity is in ``working_activities`` are on-duty time; all else (break, lunch,
        off, training...) is not.
    grid : ForecastGrid
        The forecast grid.
    agent_skills : mapping, optional
        Agent -> queues the agent serves. Default: every agent serves every queue.
    working_activities : sequence of str
        Activities during which the agent takes contacts.
    drain : bool
        If true, work segments reaching the end of the horizon continue until the queues
        are empty.
    """
    require_columns(schedule, list(SEGMENT_KEY_COLUMNS), name="schedule")
    check_aware_timestamps(schedule, "start", name="schedule")
    check_aware_timestamps(schedule, "end", name="schedule")
    bad = (schedule["end"] <= schedule["start"]).to_numpy()
    if bad.any():
        row = schedule.index[np.flatnonzero(bad)[0]]
        raise InputError(
            f"schedule row {row!r} has end <= start. Fix: every segment must have end > start."
        )
    work = schedule[schedule["activity"].isin(list(working_activities))]
    agents = list(dict.fromkeys(schedule["agent"].tolist()))
    if agent_skills is None:
        skill_of = {agent: tuple(range(len(grid.queues))) for agent in agents}
    else:
        unknown = [agent for agent in agents if agent not in agent_skills]
        if unknown:
            raise InputError(
                f"agent_skills has no entry for agent(s) {unknown[:3]}. Fix: give every "
                "scheduled agent a list of queues."
            )
        skill_of = {
            agent: _queue_indices(grid, agent_skills[agent], f"agent_skills[{agent!r}]")
            for agent in agents
        }
    group_sets = sorted(set(skill_of.values()))
    group_index = {skills: g for g, skills in enumerate(group_sets)}
    group_names = tuple("+".join(str(grid.queues[q]) for q in skills) for skills in group_sets)
    check_every_queue_served(grid, group_sets)
    agent_index = {agent: i for i, agent in enumerate(agents)}
    starts = grid.seconds_from_start(work["start"])
    ends = grid.seconds_from_start(work["end"])
    starts = np.clip(starts, 0.0, grid.horizon_seconds)
    ends = np.clip(ends, 0.0, grid.horizon_seconds)
    keep = ends > starts
    if drain:
        ends = np.where(ends >= grid.horizon_seconds, np.inf, ends)
    duty_agent = np.asarray([agent_index[a] for a in work["agent"].tolist()], dtype=np.int64)
    return AgentRoster(
        group_names=group_names,
        group_queues=tuple(group_sets),
        agent_group=tuple(group_index[skill_of[agent]] for agent in agents),
        agent_names=tuple(agents),
        duty_start_seconds=starts[keep],
        duty_end_seconds=ends[keep],
        duty_agent=duty_agent[keep],
    )
