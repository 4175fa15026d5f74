"""Validation and integer encoding of schedule segments and agent state events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.adherence._kernel import IntArray, SegmentArrays, StateArrays
from wfm.adherence.mapping import (
    ACTIVITY,
    AGENT,
    CHANNEL,
    END,
    START,
    STATE,
    TEAM,
    StateMapping,
)
from wfm.core.errors import InputError, describe_value
from wfm.core.frames import require_columns
from wfm.core.grid import IntervalGrid, check_time_zone, to_local_timestamp
from wfm.core.validate import MAX_SPAN_DAYS, check_durations, check_span

OnBad = Literal["raise", "flag"]

FLAG_COLUMNS = ("row", AGENT, STATE, START, "reason", "action")
"""Columns of the flagged-events frame."""


def epoch_ns(values: pd.Series) -> IntArray:
    """Aware timestamps as int64 ns since the epoch (UTC)."""
    return np.asarray(pd.DatetimeIndex(values).as_unit("ns").asi8, dtype=np.int64)


def _require_aware(frame: pd.DataFrame, column: str, name: str) -> None:
    dtype = frame[column].dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return
    if pd.api.types.is_datetime64_any_dtype(dtype):
        raise InputError(
            f"{name}[{column!r}] holds naive timestamps (no time zone). Fix: "
            f"{name}[{column!r}] = {name}[{column!r}].dt.tz_localize('Area/City') with the "
            "site's IANA time zone."
        )
    raise InputError(
        f"{name}[{column!r}] has dtype {dtype}, not timezone-aware datetimes. Fix: convert "
        "with pandas.to_datetime(...) and tz_localize the site's time zone."
    )


def _first_rows(frame: pd.DataFrame, mask: npt.NDArray[np.bool_], columns: list[str]) -> str:
    positions = np.flatnonzero(mask)[:3]
    parts = []
    for pos in positions:
        row = frame.iloc[pos]
        values = ", ".join(f"{c}={describe_value(row[c])}" for c in columns)
        parts.append(f"row {frame.index[pos]!r} ({values})")
    more = int(mask.sum()) - len(parts)
    return "; ".join(parts) + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True, eq=False)
class Encoded:
    """Inputs as integer codes and ns times, ready for the kernel."""

    agents: pd.Index
    teams: pd.Index | None
    agent_team: IntArray | None
    activities: list[str]
    is_work: npt.NDArray[np.bool_]
    off_code: int
    states: list[str]
    segments: SegmentArrays
    grid: IntervalGrid
    until_ns: int
    tz: str


def schedule_time_zone(schedule: pd.DataFrame) -> str:
    """Return the IANA zone of the schedule's ``start`` column."""
    _require_aware(schedule, START, "schedule")
    zone = pd.DatetimeIndex(schedule[START]).tz
    return str(zone)


def validate_schedule(schedule: pd.DataFrame) -> pd.DataFrame:
    """Check a schedule segments frame and return it sorted by (agent, start).

    Raises
    ------
    InputError
        On missing columns, naive or missing times, ``end <= start``, missing agents or
        activities, overlapping segments of one agent, or an agent in two teams.
    """
    require_columns(schedule, [AGENT, ACTIVITY, START, END], name="schedule")
    if schedule.empty:
        raise InputError(
            "schedule has no segments. Fix: pass the agents' scheduled segments (agent, "
            "activity, start, end)."
        )
    for column in (START, END):
        _require_aware(schedule, column, "schedule")
        missing = schedule[column].isna().to_numpy()
        if missing.any():
            raise InputError(
                f"schedule[{column!r}] is missing (NaT) at "
                f"{_first_rows(schedule, missing, [AGENT, ACTIVITY])}. Fix: give every "
                "segment a start and an end."
            )
    for column in (AGENT, ACTIVITY):
        missing = schedule[column].isna().to_numpy()
        if missing.any():
            raise InputError(
                f"schedule[{column!r}] is missing at "
                f"{_first_rows(schedule, missing, [START, END])}. Fix: name it."
            )
    backwards = (schedule[END] <= schedule[START]).to_numpy()
    if backwards.any():
        raise InputError(
            f"schedule has segments with end <= start at "
            f"{_first_rows(schedule, backwards, [AGENT, START, END])}. Fix: end is exclusive "
            "and must be after start."
        )
    # bounded before any grid is built: a segment dated 2204 or lasting weeks is a typo
    check_span(pd.concat([schedule[START], schedule[END]]), "schedule['start'/'end']")
    lengths = (schedule[END] - schedule[START]).dt.total_seconds().to_numpy()
    check_durations(lengths, "schedule segment lengths (end - start)")
    ordered = schedule.sort_values([AGENT, START], kind="stable")
    same = (ordered[AGENT].to_numpy()[1:] == ordered[AGENT].to_numpy()[:-1]) & (
        epoch_ns(ordered[START])[1:] < epoch_ns(ordered[END])[:-1]
    )
    if same.any():
        mask = np.r_[False, same]
        raise InputError(
            "schedule has overlapping segments for one agent at "
            f"{_first_rows(ordered, mask, [AGENT, ACTIVITY, START])} (it starts before the "
            "agent's previous segment ends). Fix: an agent does one activity at a time; "
            "split or trim the segments."
        )
    if TEAM in ordered.columns:
        no_team = ordered[TEAM].isna().to_numpy()
        if no_team.any():
            raise InputError(
                f"schedule['team'] is missing at {_first_rows(ordered, no_team, [AGENT, START])}. "
                "Fix: give every segment its agent's team, or drop the team column."
            )
        teams_per_agent = ordered.groupby(AGENT, sort=False)[TEAM].nunique(dropna=False)
        several = teams_per_agent[teams_per_agent > 1]
        if len(several):
            raise InputError(
                f"schedule['team'] gives agent(s) {list(several.index[:3])} more than one "
                "team. Fix: one team per agent for the period."
            )
    return ordered.reset_index(drop=True)


SCHEDULE_INTERVAL_CHOICES: tuple[int, ...] = (30, 15, 10, 5)
"""Interval lengths :func:`schedule_interval_minutes` tries, longest first (30 is the most)."""


def schedule_interval_minutes(schedule: pd.DataFrame, tz: str) -> int:
    """Infer the interval length a schedule was planned on, in minutes.

    Shifts start and end on the planning grid while breaks may not (a 15-minute break in
    30-minute planning), so only shift boundaries count: the start and end of each run of
    an agent's back-to-back segments. The answer is the longest of 30, 15, 10 and 5
    minutes on whose local grid every shift starts and ends (so shifts on whole hours keep
    the usual 30-minute interval); 30 if none fits (segments are split across intervals
    anyway).

    Parameters
    ----------
    schedule : pandas.DataFrame
        Validated schedule segments (aware ``start`` and ``end``), sorted by agent and start.
    tz : str
        IANA zone of the intervals.

    Returns
    -------
    int
        Interval length in minutes.
    """
    agents = schedule[AGENT].to_numpy()
    starts = pd.DatetimeIndex(schedule[START]).tz_convert(tz)
    ends = pd.DatetimeIndex(schedule[END]).tz_convert(tz)
    same_agent = np.r_[False, agents[1:] == agents[:-1]]
    joined = same_agent & np.r_[False, starts[1:] == ends[:-1]]
    ends_run = np.r_[~joined[1:], True]
    boundaries = starts[~joined].append(ends[ends_run]).tz_localize(None).as_unit("ns")
    since_midnight = (boundaries - boundaries.normalize()).asi8
    for minutes in SCHEDULE_INTERVAL_CHOICES:
        if not np.any(since_midnight % (minutes * 60_000_000_000)):
            return minutes
    return SCHEDULE_INTERVAL_CHOICES[0]


def resolve_period(
    schedule: pd.DataFrame,
    tz: str,
    period_start: str | pd.Timestamp | None,
    period_end: str | pd.Timestamp | None,
    until: str | pd.Timestamp | None,
    interval_minutes: int | None,
) -> tuple[IntervalGrid, int]:
    """Return the interval grid of the measured period and the cut-off ``until`` in ns.

    By default the period is whole local days: from the local midnight before the first
    segment starts to the local midnight at or after the last segment ends. Without
    ``interval_minutes`` the interval comes from the schedule
    (:func:`schedule_interval_minutes`).
    """
    check_time_zone(tz)
    if interval_minutes is None:
        interval_minutes = schedule_interval_minutes(schedule, tz)
    if period_start is None:
        first = pd.Timestamp(schedule[START].min()).tz_convert(tz)
        start = first.normalize()
    else:
        start = to_local_timestamp(period_start, tz, "period_start")
    if period_end is None:
        last = pd.Timestamp(schedule[END].max()).tz_convert(tz)
        end = last.normalize()
        if end < last:
            next_day = last.tz_localize(None).normalize() + pd.Timedelta(days=1)
            end = to_local_timestamp(next_day, tz, "period_end")
    else:
        end = to_local_timestamp(period_end, tz, "period_end")
    span_days = (end - start) / pd.Timedelta(days=1)
    if span_days > MAX_SPAN_DAYS:
        raise InputError(
            f"the measured period from {start} to {end} spans {span_days:,.0f} days, more than "
            f"{MAX_SPAN_DAYS}. Fix: pass period_start and period_end around the schedule (check "
            "for a mistyped year)."
        )
    grid = IntervalGrid.from_range(start, end, interval_minutes=interval_minutes, tz=tz)
    if until is None:
        until_stamp = grid.end
    else:
        until_stamp = to_local_timestamp(until, tz, "until")
        if not grid.start < until_stamp <= grid.end:
            raise InputError(
                f"until={until_stamp} is outside the period ({grid.start} to {grid.end}]. "
                "Fix: pass a time after period_start and no later than period_end."
            )
    return grid, int(until_stamp.as_unit("ns").value)


def encode_schedule(
    ordered: pd.DataFrame, mapping: StateMapping
) -> tuple[pd.Index, pd.Index | None, IntArray | None, list[str], SegmentArrays]:
    """Encode a validated, sorted schedule (off segments dropped, they are unscheduled)."""
    agents = pd.Index(pd.unique(ordered[AGENT]))
    try:
        agents = agents.sort_values()
    except TypeError:
        pass
    activity_names = sorted(set(mapping.activities()) | set(map(str, ordered[ACTIVITY].unique())))
    activity_index = pd.Index(activity_names)
    teams: pd.Index | None = None
    agent_team: IntArray | None = None
    if TEAM in ordered.columns:
        per_agent = ordered.groupby(AGENT, sort=False)[TEAM].first().reindex(agents)
        codes, uniques = pd.factorize(per_agent, sort=True)
        teams = pd.Index(uniques)
        agent_team = np.asarray(codes, dtype=np.int64)
    on_shift = ~ordered[ACTIVITY].astype(str).isin(mapping.off_activities).to_numpy()
    kept = ordered[on_shift]
    segments = SegmentArrays(
        agent=np.asarray(agents.get_indexer(pd.Index(kept[AGENT])), dtype=np.int64),
        start=epoch_ns(kept[START]),
        end=epoch_ns(kept[END]),
        activity=np.asarray(
            activity_index.get_indexer(pd.Index(kept[ACTIVITY].astype(str))), np.int64
        ),
    )
    return agents, teams, agent_team, activity_names, segments


def _flag_frame(
    events: pd.DataFrame, positions: IntArray, reason: str, action: str
) -> pd.DataFrame:
    rows = events.iloc[positions]
    return pd.DataFrame(
        {
            "row": rows.index,
            AGENT: rows[AGENT].to_numpy(),
            STATE: rows[STATE].to_numpy(),
            START: rows[START].to_numpy(),
            "reason": reason,
            "action": action,
        }
    )


_REASON_TEXT = {
    "missing_start": "has no start time (NaT)",
    "unknown_agent": "is for an agent with no schedule in the period",
    "unknown_state": "has a state that the state mapping does not know",
    "outside_period": "starts outside the measured period",
    "end_not_after_start": "has end <= start",
    "unsorted": "is out of time order for its agent",
    "overlap": "overlaps the agent's next event",
}
_REASON_FIX = {
    "missing_start": "remove or repair those rows",
    "unknown_agent": "add the agent's schedule or remove the events",
    "unknown_state": "add the state to StateMapping.states (or channel_states)",
    "outside_period": "widen period_start/period_end or remove the events",
    "end_not_after_start": "repair the end times",
    "unsorted": "sort with events.sort_values(['agent', 'start'])",
    "overlap": "give each event an end no later than the agent's next start",
}


def _bad(
    events: pd.DataFrame,
    mask: npt.NDArray[np.bool_],
    reason: str,
    action: str,
    on_bad: OnBad,
    flags: list[pd.DataFrame],
) -> None:
    if not mask.any():
        return
    if on_bad == "raise":
        raise InputError(
            f"events row(s) {_REASON_TEXT[reason]}: "
            f"{_first_rows(events, mask, [AGENT, STATE, START])}. Fix: {_REASON_FIX[reason]}, "
            "or pass on_bad='flag' to get them back in the result's flagged frame."
        )
    flags.append(_flag_frame(events, np.flatnonzero(mask), reason, action))


def encode_events(
    events: pd.DataFrame,
    *,
    agents: pd.Index,
    activity_names: list[str],
    mapping: StateMapping,
    grid: IntervalGrid,
    until_ns: int,
    on_bad: OnBad,
) -> tuple[StateArrays, list[str], pd.DataFrame]:
    """Validate, flag and encode state events.

    Returns
    -------
    states : StateArrays
        Accepted events as non-overlapping intervals, sorted by (agent, start); an event
        without ``end`` lasts until the agent's next event or ``until``.
    state_names : list of str
        Labels of the state codes.
    flagged : pandas.DataFrame
        One row per flagged event with ``reason`` and ``action`` (``"rejected"`` rows are
        not used; ``"sorted"`` and ``"truncated"`` rows are used as described).
    """
    if on_bad not in ("raise", "flag"):
        raise InputError(f"on_bad={on_bad!r} is not known. Fix: use 'raise' or 'flag'.")
    require_columns(events, [AGENT, STATE, START], name="events")
    _require_aware(events, START, "events")
    has_end = END in events.columns
    if has_end:
        _require_aware(events, END, "events")
    frame = events
    flags: list[pd.DataFrame] = []
    rejected = np.zeros(len(frame), dtype=bool)

    def reject(mask: npt.NDArray[np.bool_], reason: str) -> None:
        mask = mask & ~rejected
        _bad(frame, mask, reason, "rejected", on_bad, flags)
        rejected[mask] = True

    start_ns_all = np.asarray(pd.DatetimeIndex(frame[START]).as_unit("ns").asi8, dtype=np.int64)
    missing = frame[START].isna().to_numpy()
    reject(missing, "missing_start")
    agent_code = np.asarray(agents.get_indexer(pd.Index(frame[AGENT])), dtype=np.int64)
    reject(agent_code < 0, "unknown_agent")
    state_code_all, state_uniques = pd.factorize(frame[STATE])
    activity_code_all = _activity_codes(
        mapping,
        np.asarray(state_code_all, dtype=np.int64),
        [str(s) for s in state_uniques],
        frame[CHANNEL] if CHANNEL in frame.columns else None,
        pd.Index(activity_names),
    )
    reject(activity_code_all < 0, "unknown_state")
    period_lo = int(grid.start.as_unit("ns").value)
    period_hi = int(grid.end.as_unit("ns").value)
    outside = (start_ns_all < period_lo) | (start_ns_all >= period_hi)
    reject(outside & ~missing, "outside_period")
    if has_end:
        end_all = np.asarray(pd.DatetimeIndex(frame[END]).as_unit("ns").asi8, dtype=np.int64)
        end_known = frame[END].notna().to_numpy()
        reject(end_known & (end_all <= start_ns_all), "end_not_after_start")

    keep = np.flatnonzero(~rejected)
    agent_kept = agent_code[keep]
    start_kept = start_ns_all[keep]
    already_sorted = bool(
        np.all(
            (agent_kept[1:] > agent_kept[:-1])
            | ((agent_kept[1:] == agent_kept[:-1]) & (start_kept[1:] >= start_kept[:-1]))
        )
    )
    if already_sorted:
        order = np.arange(keep.size, dtype=np.int64)
    else:
        # unsorted: within an agent (in input order), a start earlier than the previous one
        by_input = np.argsort(agent_kept, kind="stable")
        agents_in_input = agent_kept[by_input]
        starts_in_input = start_kept[by_input]
        late = np.r_[
            False,
            (agents_in_input[1:] == agents_in_input[:-1])
            & (starts_in_input[1:] < starts_in_input[:-1]),
        ]
        unsorted_mask = np.zeros(len(frame), dtype=bool)
        unsorted_mask[keep[by_input[late]]] = True
        _bad(frame, unsorted_mask, "unsorted", "sorted", on_bad, flags)
        order = np.lexsort((keep, start_kept, agent_kept))

    idx = keep[order]
    agent_sorted = agent_code[idx]
    start_sorted = start_ns_all[idx]
    next_same = np.r_[agent_sorted[1:] == agent_sorted[:-1], False][: agent_sorted.size]
    next_start = np.r_[start_sorted[1:], 0][: start_sorted.size]
    implicit_end = np.where(next_same, next_start, max(until_ns, period_hi))
    if has_end:
        explicit = end_all[idx]
        explicit_known = end_known[idx]
        overlap = explicit_known & next_same & (explicit > next_start)
        overlap_mask = np.zeros(len(frame), dtype=bool)
        overlap_mask[idx[overlap]] = True
        _bad(frame, overlap_mask, "overlap", "truncated", on_bad, flags)
        end_sorted = np.where(explicit_known, np.minimum(explicit, implicit_end), implicit_end)
    else:
        end_sorted = implicit_end
    states = StateArrays(
        agent=agent_sorted,
        start=start_sorted,
        end=end_sorted,
        activity=activity_code_all[idx],
        state=np.asarray(state_code_all, dtype=np.int64)[idx],
    )
    state_names = list(state_uniques)
    if flags:
        flagged = pd.concat(flags, ignore_index=True)
    else:
        flagged = empty_flags(grid.tz)
    return states, [str(s) for s in state_names], flagged


def _activity_codes(
    mapping: StateMapping,
    state_codes: IntArray,
    state_names: list[str],
    channels: pd.Series | None,
    activities: pd.Index,
) -> IntArray:
    """Return the activity code of every event (-1 where the state is not mapped).

    The mapping is looked up once per distinct (state, channel) pair.
    """
    if channels is None:
        channel_codes = np.zeros(state_codes.size, dtype=np.int64)
        channel_names: list[str | None] = [None]
    else:
        codes, uniques = pd.factorize(channels)
        channel_codes = np.asarray(codes, dtype=np.int64) + 1  # 0 = no channel (NaN)
        channel_names = [None, *(str(c) for c in uniques)]
    n_channels = len(channel_names)
    position = {name: index for index, name in enumerate(activities)}
    table = np.full(len(state_names) * n_channels, -1, dtype=np.int64)
    for state_index, state in enumerate(state_names):
        for channel_index, channel in enumerate(channel_names):
            try:
                activity = mapping.activity_of(state, channel)
            except InputError:
                continue
            table[state_index * n_channels + channel_index] = position[activity]
    pair = state_codes * n_channels + channel_codes
    return np.where(state_codes >= 0, table[np.maximum(pair, 0)], -1)


def empty_flags(tz: str) -> pd.DataFrame:
    """Return an empty flagged-events frame."""
    return pd.DataFrame(
        {
            "row": pd.Series([], dtype=object),
            AGENT: pd.Series([], dtype=object),
            STATE: pd.Series([], dtype=object),
            START: pd.Series([], dtype=pd.DatetimeTZDtype(tz=tz)),
            "reason": pd.Series([], dtype=object),
            "action": pd.Series([], dtype=object),
        }
    )
