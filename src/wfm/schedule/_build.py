"""Requirement parsing, shift enumeration and sparse coverage matrices (vectorised)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wfm.core.errors import InputError, describe_value
from wfm.core.frames import (
    AHT_SECONDS,
    INTERVAL_START,
    QUEUE,
    REQUIRED_AGENTS,
    VOLUME,
    check_aware_timestamps,
    require_columns,
)
from wfm.schedule.models import ShiftTemplate

DEFAULT_QUEUE = "all"
"""Queue name used when the requirement is a plain per-interval series."""

RULE_PENALTY = 1.0e4
"""Cost per unit of slack on a hard rule (elastic relaxation); dominates every real cost."""


@dataclass(frozen=True)
class Requirement:
    """Per-queue, per-interval staffing requirement on one regular aware grid.

    Attributes
    ----------
    starts : pandas.DatetimeIndex
        Interval left edges, aware, regular in absolute time.
    interval_minutes : int
        Interval length in minutes.
    queues : tuple of str
        Queue names, in row order of the arrays.
    required : numpy.ndarray
        Shape (queues, intervals): agents required (>= 0).
    volume, aht_seconds : numpy.ndarray or None
        Same shape: contacts offered per interval and handle time in seconds.
    """

    starts: pd.DatetimeIndex
    interval_minutes: int
    queues: tuple[str, ...]
    required: np.ndarray
    volume: np.ndarray | None
    aht_seconds: np.ndarray | None

    @property
    def n_intervals(self) -> int:
        """Number of intervals."""
        return len(self.starts)

    @property
    def tz(self) -> str:
        """Time zone name of the grid."""
        return str(self.starts.tz)

    @property
    def horizon_minutes(self) -> int:
        """Length of the horizon in minutes."""
        return self.n_intervals * self.interval_minutes

    def local_dates(self) -> list[pd.Timestamp]:
        """Distinct local calendar days of the grid (naive midnights), in order."""
        days = self.starts.tz_localize(None).normalize().unique()
        return list(days)


def _grid_from_index(starts: pd.DatetimeIndex, name: str) -> int:
    """Check an aware, regular, strictly increasing index and return its step in minutes."""
    if starts.tz is None:
        raise InputError(
            f"{name} has naive timestamps. Fix: tz_localize the site's IANA time zone."
        )
    if len(starts) < 1:
        raise InputError(f"{name} is empty. Fix: pass at least one interval.")
    if len(starts) == 1:
        raise InputError(
            f"{name} has a single interval; the interval length cannot be inferred. "
            "Fix: pass the whole planning horizon."
        )
    steps = np.diff(starts.as_unit("ns").asi8)
    if (steps != steps[0]).any() or steps[0] <= 0:
        bad = int(np.flatnonzero(steps != steps[0])[0]) + 1 if (steps != steps[0]).any() else 1
        raise InputError(
            f"{name} is not a regular, increasing grid: the step changes at position {bad} "
            f"({starts[bad]}). Fix: pass every interval of the horizon exactly once."
        )
    minutes = steps[0] / 60e9
    if minutes != int(minutes):
        raise InputError(f"{name} has a step of {minutes} minutes. Fix: use whole minutes.")
    return int(minutes)


def parse_requirement(
    requirement: pd.DataFrame | pd.Series | np.ndarray | Sequence[float],
    *,
    interval_starts: pd.DatetimeIndex | None = None,
) -> Requirement:
    """Turn a requirement frame, series or array into a :class:`Requirement`.

    Parameters
    ----------
    requirement : DataFrame, Series or array
        Long frame with ``queue``, ``interval_start`` and ``required_agents`` (optionally
        ``volume`` and ``aht_seconds``); or a Series of agents indexed by aware interval
        starts; or an array of agents per interval together with ``interval_starts``.
    interval_starts : pandas.DatetimeIndex, optional
        Aware interval starts, required for an array.

    Returns
    -------
    Requirement

    Raises
    ------
    InputError
        On missing columns, naive or irregular times, gaps, negative or non-finite values.
    """
    volume = aht = None
    if isinstance(requirement, pd.DataFrame):
        require_columns(requirement, (QUEUE, INTERVAL_START, REQUIRED_AGENTS), name="requirement")
        check_aware_timestamps(requirement, INTERVAL_START, name="requirement")
        frame = requirement.sort_values([QUEUE, INTERVAL_START], kind="stable")
        queues = tuple(str(q) for q in pd.unique(frame[QUEUE]))
        starts = pd.DatetimeIndex(frame.loc[frame[QUEUE] == frame[QUEUE].iloc[0], INTERVAL_START])
        interval_minutes = _grid_from_index(starts, "requirement['interval_start']")
        if len(frame) != len(queues) * len(starts):
            raise InputError(
                f"requirement has {len(frame)} rows for {len(queues)} queue(s) but the first "
                f"queue has {len(starts)} intervals. Fix: give every queue the same complete "
                "interval grid (one row per queue and interval)."
            )
        shaped = frame[INTERVAL_START].to_numpy().reshape(len(queues), len(starts))
        if not (shaped == starts.to_numpy()[None, :]).all():
            raise InputError(
                "requirement queues do not share the same interval_start values. Fix: give "
                "every queue the same complete interval grid."
            )
        required = _finite_nonnegative(frame, REQUIRED_AGENTS).reshape(len(queues), -1)
        if VOLUME in frame.columns and AHT_SECONDS in frame.columns:
            volume = frame[VOLUME].to_numpy(dtype=float).reshape(len(queues), -1)
            aht = frame[AHT_SECONDS].to_numpy(dtype=float).reshape(len(queues), -1)
    elif isinstance(requirement, pd.Series):
        if not isinstance(requirement.index, pd.DatetimeIndex):
            raise InputError(
                "requirement is a Series whose index is not a DatetimeIndex. Fix: index it by "
                "aware interval starts."
            )
        starts = requirement.index
        interval_minutes = _grid_from_index(starts, "requirement.index")
        queues = (str(requirement.name) if requirement.name is not None else DEFAULT_QUEUE,)
        required = _finite_nonnegative(
            requirement.rename(REQUIRED_AGENTS).to_frame(), REQUIRED_AGENTS
        ).reshape(1, -1)
    else:
        if interval_starts is None:
            raise InputError(
                "requirement is an array but interval_starts is None. Fix: pass "
                "interval_starts=IntervalGrid.from_range(...).starts."
            )
        values = np.asarray(requirement, dtype=float)
        if values.ndim != 1 or len(values) != len(interval_starts):
            raise InputError(
                f"requirement has shape {values.shape} but interval_starts has "
                f"{len(interval_starts)} entries. Fix: one value per interval."
            )
        return parse_requirement(pd.Series(values, index=pd.DatetimeIndex(interval_starts)))
    starts = pd.DatetimeIndex(starts, name=INTERVAL_START)
    return Requirement(starts, interval_minutes, queues, required, volume, aht)


MAX_AGENTS_PER_INTERVAL = 1_000_000
"""More agents than this in one interval is a data error (a volume or a unit mix-up)."""


def _finite_nonnegative(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Return ``frame[column]`` as floats or raise naming the first bad row."""
    dtype = frame[column].dtype
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        raise InputError(
            f"requirement[{column!r}] has dtype {dtype}, not numbers (booleans and text are "
            "refused). Fix: convert it with pandas.to_numeric."
        )
    values = frame[column].to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0) | (values > MAX_AGENTS_PER_INTERVAL)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"requirement[{column!r}] has {describe_value(values[pos])} at row "
            f"{frame.index[pos]!r} ({int(bad.sum())} bad value(s)). Fix: requirements must be "
            f"finite, >= 0 and at most {MAX_AGENTS_PER_INTERVAL:,}."
        )
    return values


@dataclass(frozen=True)
class ShiftSet:
    """Every candidate shift (template, day, start, paid length) as parallel arrays.

    All times are minutes after the first interval start (absolute elapsed time).
    """

    template: np.ndarray  # index into templates
    paid_minutes: np.ndarray
    start_minute: np.ndarray
    elapsed_minutes: np.ndarray
    day: np.ndarray  # index into local dates
    clock_minute: np.ndarray  # local wall-clock start, minutes after midnight
    queue: np.ndarray  # index into requirement.queues
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray  # -1: unbounded

    def __len__(self) -> int:
        return len(self.template)

    @property
    def end_minute(self) -> np.ndarray:
        """Shift end in minutes after the horizon start (exclusive)."""
        return np.asarray(self.start_minute + self.elapsed_minutes, dtype=np.int64)


def template_queue_index(templates: Sequence[ShiftTemplate], queues: tuple[str, ...]) -> np.ndarray:
    """Index of each template's queue in ``queues``, or raise naming the unknown queue."""
    out = np.zeros(len(templates), dtype=np.int64)
    for i, template in enumerate(templates):
        if template.queue is None:
            if len(queues) > 1:
                raise InputError(
                    f"ShiftTemplate {template.name!r} has queue=None but the requirement has "
                    f"queues {list(queues)}. Fix: set queue on every template."
                )
            continue
        if template.queue not in queues:
            raise InputError(
                f"ShiftTemplate {template.name!r} has queue={template.queue!r}, which is not in "
                f"the requirement queues {list(queues)}. Fix: use one of them."
            )
        out[i] = queues.index(template.queue)
    return out


def enumerate_shifts(requirement: Requirement, templates: Sequence[ShiftTemplate]) -> ShiftSet:
    """List every shift that starts and ends inside the horizon.

    Start clocks are local wall-clock times; a start that does not exist on a
    spring-forward day is skipped and an ambiguous one (fall back) takes the first
    occurrence. Lengths are elapsed time, so they do not change across DST.

    Raises
    ------
    InputError
        If the template names repeat, or a template has no shift that fits the horizon.
    """
    names = [t.name for t in templates]
    if not templates:
        raise InputError("templates is empty. Fix: pass at least one ShiftTemplate.")
    if len(set(names)) != len(names):
        raise InputError(f"templates have duplicate names {names}. Fix: make names unique.")
    queue_index = template_queue_index(templates, requirement.queues)
    dates = pd.DatetimeIndex(requirement.local_dates())
    weekdays = np.asarray(dates.day_of_week)
    origin = requirement.starts[0]
    horizon = requirement.horizon_minutes
    parts: list[dict[str, np.ndarray]] = []
    for t_index, template in enumerate(templates):
        template.check()
        clocks = np.asarray(template.start_minutes_of_day(), dtype=np.int64)
        day_ok = np.flatnonzero(np.isin(weekdays, template.days))
        day_grid, clock_grid = np.meshgrid(day_ok, clocks, indexing="ij")
        day_flat, clock_flat = day_grid.ravel(), clock_grid.ravel()
        naive = dates[day_flat] + pd.to_timedelta(clock_flat, unit="min")
        aware = naive.tz_localize(
            requirement.tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT"
        )
        exists = ~np.asarray(aware.isna())
        offsets = np.full(len(aware), -1, dtype=np.int64)
        offsets[exists] = (aware[exists] - origin) // pd.Timedelta(minutes=1)
        fitted = 0
        for paid in template.paid_minutes:
            elapsed = template.elapsed_minutes(paid)
            keep = exists & (offsets >= 0) & (offsets + elapsed <= horizon)
            n = int(keep.sum())
            fitted += n
            parts.append(
                {
                    "template": np.full(n, t_index),
                    "paid_minutes": np.full(n, paid),
                    "start_minute": offsets[keep],
                    "elapsed_minutes": np.full(n, elapsed),
                    "day": day_flat[keep],
                    "clock_minute": clock_flat[keep],
                    "queue": np.full(n, queue_index[t_index]),
                    "cost": np.full(
                        n, template.cost_per_shift + template.cost_per_paid_hour * paid / 60.0
                    ),
                    "lower": np.full(n, template.min_agents_per_shift),
                    "upper": np.full(
                        n,
                        -1
                        if template.max_agents_per_shift is None
                        else template.max_agents_per_shift,
                    ),
                }
            )
        if fitted == 0:
            raise InputError(
                f"ShiftTemplate {template.name!r}: no shift with starts {template.earliest_start}"
                f"-{template.latest_start} on days {template.days} and lengths "
                f"{template.paid_minutes} min fits the requirement horizon {origin} to "
                f"{requirement.starts[-1]}. Fix: widen the start window or days, or extend "
                "the horizon."
            )
    merged = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    return ShiftSet(**{k: v.astype(float if k == "cost" else np.int64) for k, v in merged.items()})


@dataclass(frozen=True)
class BreakSlots:
    """Candidate break placements of the shifts (Aykin-style break variables).

    ``movable_*`` arrays hold one row per (shift, break rule, start offset) for rules
    with a window of more than one start; ``fixed_*`` hold one row per (shift, rule)
    for rules whose window has a single start (those need no variable).
    """

    movable_shift: np.ndarray
    movable_rule: np.ndarray  # index into the template's applicable breaks
    movable_offset: np.ndarray  # minutes after shift start
    movable_length: np.ndarray
    fixed_shift: np.ndarray
    fixed_rule: np.ndarray
    fixed_offset: np.ndarray
    fixed_length: np.ndarray


def enumerate_breaks(shifts: ShiftSet, templates: Sequence[ShiftTemplate]) -> BreakSlots:
    """List the break placements of every shift, grouped by (template, paid length)."""
    movable: list[tuple[np.ndarray, ...]] = []
    fixed: list[tuple[np.ndarray, ...]] = []
    keys = np.stack([shifts.template, shifts.paid_minutes], axis=1)
    for t_index, paid in np.unique(keys, axis=0):
        members = np.flatnonzero((shifts.template == t_index) & (shifts.paid_minutes == paid))
        rules = templates[int(t_index)].breaks_for(int(paid))
        for r_index, rule in enumerate(rules):
            offsets = np.asarray(rule.offsets_minutes(), dtype=np.int64)
            shift_rep = np.repeat(members, len(offsets))
            offset_rep = np.tile(offsets, len(members))
            block = (
                shift_rep,
                np.full(len(shift_rep), r_index),
                offset_rep,
                np.full(len(shift_rep), rule.length_minutes),
            )
            (movable if len(offsets) > 1 else fixed).append(block)

    def cat(blocks: list[tuple[np.ndarray, ...]], i: int) -> np.ndarray:
        return (
            np.concatenate([b[i] for b in blocks]).astype(np.int64)
            if blocks
            else np.zeros(0, dtype=np.int64)
        )

    return BreakSlots(*(cat(movable, i) for i in range(4)), *(cat(fixed, i) for i in range(4)))


def span_matrix(
    start_minute: np.ndarray, end_minute: np.ndarray, interval_minutes: int, n_intervals: int
) -> sp.csr_matrix:
    """Fraction of each interval covered by each span ``[start, end)`` (sparse rows).

    Parameters
    ----------
    start_minute, end_minute : numpy.ndarray
        Span edges in minutes after the horizon start (``end > start``).
    interval_minutes : int
        Interval length in minutes.
    n_intervals : int
        Number of intervals (columns).

    Returns
    -------
    scipy.sparse.csr_matrix
        Shape (spans, intervals); entry = overlap minutes / interval minutes (0 to 1).
    """
    start = np.asarray(start_minute, dtype=np.int64)
    end = np.asarray(end_minute, dtype=np.int64)
    first = start // interval_minutes
    last = -(-end // interval_minutes) - 1
    counts = np.maximum(last - first + 1, 0)
    rows = np.repeat(np.arange(len(start)), counts)
    within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    cols = first[rows] + within
    left = np.maximum(start[rows], cols * interval_minutes)
    right = np.minimum(end[rows], (cols + 1) * interval_minutes)
    data = (right - left) / interval_minutes
    return sp.csr_matrix((data, (rows, cols)), shape=(len(start), n_intervals))


def shift_net_matrix(
    shifts: ShiftSet, breaks: BreakSlots, interval_minutes: int, n_intervals: int
) -> sp.csr_matrix:
    """Coverage of each shift net of its fixed (single-placement) breaks."""
    present = span_matrix(shifts.start_minute, shifts.end_minute, interval_minutes, n_intervals)
    if len(breaks.fixed_shift) == 0:
        return present
    fixed_start = shifts.start_minute[breaks.fixed_shift] + breaks.fixed_offset
    fixed = span_matrix(
        fixed_start, fixed_start + breaks.fixed_length, interval_minutes, n_intervals
    )
    to_shift = sp.csr_matrix(
        (np.ones(len(breaks.fixed_shift)), (breaks.fixed_shift, np.arange(len(fixed_start)))),
        shape=(len(shifts), len(fixed_start)),
    )
    return sp.csr_matrix(present - to_shift @ fixed)


def movable_break_matrix(
    shifts: ShiftSet, breaks: BreakSlots, interval_minutes: int, n_intervals: int
) -> sp.csr_matrix:
    """Coverage removed by each movable break placement (rows = placements)."""
    start = shifts.start_minute[breaks.movable_shift] + breaks.movable_offset
    return span_matrix(start, start + breaks.movable_length, interval_minutes, n_intervals)
