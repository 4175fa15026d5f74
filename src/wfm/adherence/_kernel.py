"""Vectorised interval arithmetic behind adherence: sweep, classify, runs, interval split.

All times are int64 nanoseconds since the epoch (UTC). Agents, activities and states are
integer codes. Nothing here loops over events or intervals in Python.

The sweep: every boundary (segment start/end, grace and outside-shift window edges, state
start/end, the agent's measurement window) becomes a row ``(agent, time)``; rows are
sorted by agent then time, and the elementary *pieces* are the gaps between consecutive
rows of one agent. Because segments (and states) of one agent never overlap and carry
ids increasing with their start, ``maximum.accumulate`` over the sorted rows gives, for
every piece, the last segment (state) that started at or before it; it is current if the
piece starts before that segment's end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

CATEGORY_NONE = 0
CATEGORY_NOT_WORKING = 1
"""Scheduled to work, in a non-work activity (negative impact)."""
CATEGORY_WORKING_WHEN_NOT_SCHEDULED = 2
"""Scheduled for a non-work activity (break, lunch, meeting), working (positive impact)."""
CATEGORY_OTHER_ACTIVITY = 3
"""Scheduled for an activity, in a different one, neither being work (neutral impact)."""
CATEGORY_OUTSIDE_SHIFT = 4
"""Working while no segment is scheduled (positive impact)."""

CATEGORY_NAMES: dict[int, str] = {
    CATEGORY_NOT_WORKING: "not_working_when_scheduled",
    CATEGORY_WORKING_WHEN_NOT_SCHEDULED: "working_during_other_activity",
    CATEGORY_OTHER_ACTIVITY: "other_activity",
    CATEGORY_OUTSIDE_SHIFT: "working_outside_shift",
}
CATEGORY_IMPACT: dict[int, str] = {
    CATEGORY_NOT_WORKING: "negative",
    CATEGORY_WORKING_WHEN_NOT_SCHEDULED: "positive",
    CATEGORY_OTHER_ACTIVITY: "neutral",
    CATEGORY_OUTSIDE_SHIFT: "positive",
}


@dataclass(frozen=True, eq=False)
class SegmentArrays:
    """Scheduled segments sorted by (agent, start), never overlapping within an agent."""

    agent: IntArray
    start: IntArray
    end: IntArray
    activity: IntArray


@dataclass(frozen=True, eq=False)
class StateArrays:
    """State intervals sorted by (agent, start), never overlapping within an agent."""

    agent: IntArray
    start: IntArray
    end: IntArray
    activity: IntArray
    state: IntArray


@dataclass(frozen=True)
class KernelRules:
    """Rule parameters of the classification, in nanoseconds."""

    start_before_ns: int
    end_after_ns: int
    outside_window_ns: int | None
    outside_shift_is_exception: bool


@dataclass(frozen=True, eq=False)
class Pieces:
    """Elementary pieces of agents' timelines, sorted by (agent, start).

    ``scheduled_activity`` is -1 outside every segment; ``state`` is -1 where no state
    event covers the piece (its ``activity`` is then the off activity).
    """

    agent: IntArray
    start: IntArray
    end: IntArray
    scheduled_activity: IntArray
    activity: IntArray
    state: IntArray
    category: npt.NDArray[np.int8]
    outside_shift_work: BoolArray

    def __len__(self) -> int:
        return int(self.agent.size)


def sort_order(
    agent: IntArray, time: IntArray, lowest: int, highest: int, *, stable: bool = True
) -> IntArray:
    """Return indices that sort rows by (agent, time), with a single int64 key when it fits."""
    offset = time - lowest
    span = highest - lowest
    n_agents = int(agent.max()) + 1
    for unit in (1, 1_000, 1_000_000, 1_000_000_000):
        if unit > 1 and np.any(offset % unit):
            break
        units = span // unit + 1
        if n_agents * units < 2**62:
            key = agent * units + offset // unit
            # sweep rows are a few blocks each already sorted: a stable (run-merging) sort
            if stable:
                return np.argsort(key, kind="stable").astype(np.int64, copy=False)
            return np.argsort(key, kind="quicksort").astype(np.int64, copy=False)
    return np.lexsort((time, agent)).astype(np.int64, copy=False)


def _ends_with_gap(agent: IntArray, start: IntArray, end: IntArray) -> BoolArray:
    """Return True where an interval's end is not the same agent's next start."""
    gap = np.ones(agent.size, dtype=bool)
    if agent.size > 1:
        gap[:-1] = (agent[1:] != agent[:-1]) | (start[1:] != end[:-1])
    return gap


def _take(values: IntArray, index: IntArray, ok: BoolArray, fill: int) -> IntArray:
    """``values[index]`` where ``ok``, else ``fill`` (safe for empty ``values``)."""
    if values.size == 0:
        return np.full(index.shape, fill, dtype=np.int64)
    return np.where(ok, values[np.where(ok, index, 0)], fill)


def _same_agent(index: IntArray, owner: IntArray, agent: IntArray) -> BoolArray:
    """Whether ``index`` (possibly -1 or past the end) points at a row of ``agent``."""
    inside = (index >= 0) & (index < owner.size)
    safe = np.where(inside, index, 0)
    if owner.size == 0:
        return np.zeros(index.shape, dtype=bool)
    same: BoolArray = inside & (owner[safe] == agent)
    return same


def sweep(
    segments: SegmentArrays,
    states: StateArrays,
    window_start: IntArray,
    window_end: IntArray,
    is_work: BoolArray,
    off_activity: int,
    rules: KernelRules,
) -> Pieces:
    """Cut every agent's window ``[window_start[a], window_end[a])`` into pieces.

    Parameters
    ----------
    segments, states : SegmentArrays, StateArrays
        Sorted, non-overlapping per agent.
    window_start, window_end : numpy.ndarray of int64
        Per-agent measurement window in ns (agents with an empty window get no pieces).
    is_work : numpy.ndarray of bool
        Indexed by activity code.
    off_activity : int
        Activity code of time without a state.
    rules : KernelRules
        Grace and outside-shift parameters.

    Returns
    -------
    Pieces
    """
    n_agents = window_start.size
    # an end that is the same agent's next start adds nothing: keep only the other ends
    seg_gap = _ends_with_gap(segments.agent, segments.start, segments.end)
    state_gap = _ends_with_gap(states.agent, states.start, states.end)
    times = [
        segments.start,
        segments.end[seg_gap],
        states.start,
        states.end[state_gap],
        window_start,
        window_end,
    ]
    owners = [
        segments.agent,
        segments.agent[seg_gap],
        states.agent,
        states.agent[state_gap],
        np.arange(n_agents, dtype=np.int64),
        np.arange(n_agents, dtype=np.int64),
    ]
    extra_offsets: list[tuple[int, int]] = []
    if rules.start_before_ns > 0:
        extra_offsets.append((-rules.start_before_ns, 0))
    if rules.end_after_ns > 0:
        extra_offsets.append((rules.end_after_ns, 1))
    if rules.outside_window_ns is not None and rules.outside_window_ns > 0:
        extra_offsets.append((-rules.outside_window_ns, 0))
        extra_offsets.append((rules.outside_window_ns, 1))
    for shift, which in extra_offsets:
        base = segments.start if which == 0 else segments.end
        times.append(base + shift)
        owners.append(segments.agent)
    n_seg = segments.agent.size
    n_state = states.agent.size
    n_seg_rows = n_seg + int(seg_gap.sum())
    seg_value = np.full(sum(t.size for t in times), -1, dtype=np.int64)
    state_value = np.full(seg_value.size, -1, dtype=np.int64)
    seg_value[:n_seg] = np.arange(n_seg, dtype=np.int64)
    state_value[n_seg_rows : n_seg_rows + n_state] = np.arange(n_state, dtype=np.int64)
    time = np.concatenate(times).astype(np.int64, copy=False)
    agent = np.concatenate(owners).astype(np.int64, copy=False)
    lo = window_start[agent]
    hi = window_end[agent]
    time = np.minimum(np.maximum(time, lo), hi)
    if time.size == 0:
        return _empty_pieces()
    order = sort_order(agent, time, int(time.min()), int(time.max()))
    time = time[order]
    agent = agent[order]
    last_seg = np.maximum.accumulate(seg_value[order])
    last_state = np.maximum.accumulate(state_value[order])
    del order, seg_value, state_value

    keep = (agent[:-1] == agent[1:]) & (time[1:] > time[:-1])
    rows = np.flatnonzero(keep)
    start = time[rows]
    end = time[rows + 1]
    owner = agent[rows]
    seg_last = last_seg[rows]
    state_last = last_state[rows]
    del time, agent, last_seg, last_state, keep

    seg_started = _same_agent(seg_last, segments.agent, owner)
    seg_current = seg_started & (start < _take(segments.end, seg_last, seg_started, 0))
    scheduled = _take(segments.activity, seg_last, seg_current, -1)

    state_started = _same_agent(state_last, states.agent, owner)
    state_current = state_started & (start < _take(states.end, state_last, state_started, 0))
    activity = _take(states.activity, state_last, state_current, off_activity)
    state = _take(states.state, state_last, state_current, -1)

    working = is_work[activity]
    is_scheduled = scheduled >= 0
    scheduled_work = is_scheduled & is_work[np.where(is_scheduled, scheduled, 0)]
    outside_work = ~is_scheduled & working
    raw_mismatch = is_scheduled & (activity != scheduled)
    raw_outside = outside_work & rules.outside_shift_is_exception
    # grace and the outside-shift window only matter for the (few) candidate pieces
    candidate = np.flatnonzero(raw_mismatch | raw_outside)
    c_start = start[candidate]
    c_owner = owner[candidate]
    c_activity = activity[candidate]
    c_last = seg_last[candidate]
    next_seg = c_last + 1
    next_ok = _same_agent(next_seg, segments.agent, c_owner)
    prev_seg = np.where(seg_current[candidate], c_last - 1, c_last)
    prev_ok = _same_agent(prev_seg, segments.agent, c_owner)
    next_start = _take(segments.start, next_seg, next_ok, 0)
    prev_end = _take(segments.end, prev_seg, prev_ok, 0)
    next_activity = _take(segments.activity, next_seg, next_ok, -2)
    prev_activity = _take(segments.activity, prev_seg, prev_ok, -2)
    grace = (
        next_ok & (c_activity == next_activity) & (c_start >= next_start - rules.start_before_ns)
    )
    grace |= prev_ok & (c_activity == prev_activity) & (c_start < prev_end + rules.end_after_ns)
    if rules.outside_window_ns is None:
        in_window = np.ones(candidate.size, dtype=bool)
    else:
        in_window = (next_ok & (c_start >= next_start - rules.outside_window_ns)) | (
            prev_ok & (c_start < prev_end + rules.outside_window_ns)
        )
    mismatch = np.zeros(start.size, dtype=bool)
    mismatch[candidate] = raw_mismatch[candidate] & ~grace
    outside_exception = np.zeros(start.size, dtype=bool)
    outside_exception[candidate] = raw_outside[candidate] & ~grace & in_window

    category = np.zeros(start.size, dtype=np.int8)
    category[mismatch] = CATEGORY_OTHER_ACTIVITY
    category[mismatch & scheduled_work & ~working] = CATEGORY_NOT_WORKING
    category[mismatch & ~scheduled_work & working] = CATEGORY_WORKING_WHEN_NOT_SCHEDULED
    category[outside_exception] = CATEGORY_OUTSIDE_SHIFT
    return Pieces(
        agent=owner,
        start=start,
        end=end,
        scheduled_activity=scheduled.astype(np.int64, copy=False),
        activity=activity.astype(np.int64, copy=False),
        state=state.astype(np.int64, copy=False),
        category=category,
        outside_shift_work=outside_work,
    )


def _empty_pieces() -> Pieces:
    empty = np.zeros(0, dtype=np.int64)
    return Pieces(
        agent=empty,
        start=empty,
        end=empty,
        scheduled_activity=empty,
        activity=empty,
        state=empty,
        category=np.zeros(0, dtype=np.int8),
        outside_shift_work=np.zeros(0, dtype=bool),
    )


@dataclass(frozen=True, eq=False)
class Runs:
    """Maximal contiguous stretches of out-of-adherence pieces with one classification."""

    piece_run: IntArray
    agent: IntArray
    start: IntArray
    end: IntArray
    scheduled_activity: IntArray
    activity: IntArray
    state: IntArray
    category: npt.NDArray[np.int8]

    @property
    def duration_ns(self) -> IntArray:
        """Run lengths in nanoseconds."""
        return self.end - self.start


def find_runs(pieces: Pieces) -> Runs:
    """Group candidate pieces into runs (agent, contiguity, scheduled and actual activity).

    Returns
    -------
    Runs
        ``piece_run[i]`` is the run of piece ``i`` or -1 if the piece is in adherence.
    """
    candidate = pieces.category > 0
    index = np.flatnonzero(candidate)
    piece_run = np.full(len(pieces), -1, dtype=np.int64)
    if index.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Runs(piece_run, empty, empty, empty, empty, empty, empty, np.zeros(0, np.int8))
    agent = pieces.agent[index]
    start = pieces.start[index]
    end = pieces.end[index]
    scheduled = pieces.scheduled_activity[index]
    activity = pieces.activity[index]
    category = pieces.category[index]
    new = np.ones(index.size, dtype=bool)
    new[1:] = ~(
        (agent[1:] == agent[:-1])
        & (start[1:] == end[:-1])
        & (scheduled[1:] == scheduled[:-1])
        & (activity[1:] == activity[:-1])
        & (category[1:] == category[:-1])
    )
    run_of = np.cumsum(new) - 1
    piece_run[index] = run_of
    first = np.flatnonzero(new)
    last = np.r_[first[1:] - 1, index.size - 1]
    return Runs(
        piece_run=piece_run,
        agent=agent[first],
        start=start[first],
        end=end[last],
        scheduled_activity=scheduled[first],
        activity=activity[first],
        state=pieces.state[index][first],
        category=category[first],
    )


@dataclass(frozen=True, eq=False)
class SplitPieces:
    """Pieces cut at interval boundaries: each sub-piece lies inside one interval."""

    piece: IntArray
    interval: IntArray
    duration_ns: IntArray


def split_at_intervals(
    start: IntArray, end: IntArray, grid_start_ns: int, step_ns: int
) -> SplitPieces:
    """Cut ``[start, end)`` pieces at the boundaries of a fixed-step grid.

    Parameters
    ----------
    start, end : numpy.ndarray of int64
        Piece bounds in ns, all inside the grid.
    grid_start_ns, step_ns : int
        Left edge of the first interval and the interval length in ns.

    Returns
    -------
    SplitPieces
        Source piece, interval index and duration of every sub-piece: first every
        piece's part in its first interval (in piece order), then the further parts of
        the pieces that cross a boundary (in piece order, intervals increasing).
    """
    first = (start - grid_start_ns) // step_ns
    first_end = grid_start_ns + (first + 1) * step_ns
    # every piece's part in its first interval, in piece order ...
    head_duration = np.minimum(end, first_end) - start
    crossing = np.flatnonzero(end > first_end)
    if crossing.size == 0:
        return SplitPieces(
            piece=np.arange(start.size, dtype=np.int64), interval=first, duration_ns=head_duration
        )
    # ... then the rest of the (few) pieces that cross a boundary, one row per interval
    last = (end[crossing] - 1 - grid_start_ns) // step_ns
    repeats = last - first[crossing]
    source = np.repeat(crossing, repeats)
    group_start = np.cumsum(repeats) - repeats
    within = np.arange(source.size, dtype=np.int64) - np.repeat(group_start, repeats) + 1
    index = first[source] + within
    lo = grid_start_ns + index * step_ns
    hi = np.minimum(end[source], lo + step_ns)
    return SplitPieces(
        piece=np.concatenate([np.arange(start.size, dtype=np.int64), source]),
        interval=np.concatenate([first, index]),
        duration_ns=np.concatenate([head_duration, hi - lo]),
    )
