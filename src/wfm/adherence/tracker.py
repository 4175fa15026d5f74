"""Real-time adherence: an incremental tracker fed agent state events as they happen.

:class:`AdherenceTracker` keeps, per agent, the totals of the part of the day that is
already decided (everything before the agent's latest event) and the exception run that
is still open at that point. New events are buffered and folded in batches by the same
vectorised kernel as the batch path, over each agent's new stretch only; a query at time
``now`` adds the open tail ``[latest event, now)`` without changing the stored totals. A
schedule change for one agent re-derives that agent alone from its stored events.

Because runs that touch a fold boundary are merged with the next stretch before the
minimum-exception rule is applied, and time is summed in integer nanoseconds, the
tracker's figures equal :func:`~wfm.adherence.compute_adherence` on the same events for
any way of splitting the event stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.adherence._inputs import OnBad, epoch_ns, validate_schedule
from wfm.adherence._kernel import (
    CATEGORY_IMPACT,
    CATEGORY_OUTSIDE_SHIFT,
    IntArray,
    Pieces,
    SegmentArrays,
    StateArrays,
    find_runs,
    sweep,
)
from wfm.adherence.batch import (
    NS,
    AdherenceResult,
    build_result,
    encode_inputs,
    kernel_rules,
)
from wfm.adherence.mapping import (
    ACTIVITY,
    AGENT,
    CHANNEL,
    NO_STATE,
    START,
    STATE,
    TEAM,
    UNSCHEDULED,
    StateMapping,
)
from wfm.adherence.rules import AdherenceRules
from wfm.core.errors import InputError
from wfm.core.frames import require_columns

_N_CATEGORIES = 5


@dataclass
class _OpenRuns:
    """Per-agent exception run still open at the agent's fold boundary."""

    active: npt.NDArray[np.bool_]
    start: IntArray
    end: IntArray
    scheduled: IntArray
    activity: IntArray
    category: IntArray
    state: IntArray

    @classmethod
    def empty(cls, n_agents: int) -> _OpenRuns:
        zeros = np.zeros(n_agents, dtype=np.int64)
        return cls(
            np.zeros(n_agents, bool),
            zeros.copy(),
            zeros.copy(),
            zeros.copy(),
            zeros.copy(),
            zeros.copy(),
            zeros.copy(),
        )

    def copy(self) -> _OpenRuns:
        return _OpenRuns(
            self.active.copy(),
            self.start.copy(),
            self.end.copy(),
            self.scheduled.copy(),
            self.activity.copy(),
            self.category.copy(),
            self.state.copy(),
        )


@dataclass
class _Totals:
    """Per-agent decided totals in integer nanoseconds."""

    scheduled: IntArray
    scheduled_work: IntArray
    worked: IntArray
    outside_work: IntArray
    exception: npt.NDArray[np.int64]  # (agents, categories)
    exceptions: IntArray

    @classmethod
    def empty(cls, n_agents: int) -> _Totals:
        zeros = np.zeros(n_agents, dtype=np.int64)
        return cls(
            zeros.copy(),
            zeros.copy(),
            zeros.copy(),
            zeros.copy(),
            np.zeros((n_agents, _N_CATEGORIES), dtype=np.int64),
            zeros.copy(),
        )

    def copy(self) -> _Totals:
        return _Totals(
            self.scheduled.copy(),
            self.scheduled_work.copy(),
            self.worked.copy(),
            self.outside_work.copy(),
            self.exception.copy(),
            self.exceptions.copy(),
        )


class AdherenceTracker:
    """Incremental, real-time schedule adherence.

    Parameters
    ----------
    schedule : pandas.DataFrame
        Schedule segments (``agent``, ``activity``, ``start``, ``end``), as for
        :func:`~wfm.adherence.compute_adherence`.
    mapping : StateMapping, optional
        State to activity mapping (default :meth:`StateMapping.default`).
    rules : AdherenceRules, optional
        Definition and thresholds (default Genesys, no thresholds).
    period_start, period_end : str or pandas.Timestamp, optional
        Measured period (default: the local days of the schedule).
    tz : str, optional
        IANA zone (default the schedule's).
    interval_minutes : int, optional
        Interval length of :meth:`result`; default inferred from the schedule as in
        :func:`~wfm.adherence.compute_adherence`.
    on_bad : {"raise", "flag"}, default "raise"
        Bad events (unknown agent or state, outside the period, earlier than the agent's
        previous event) raise :class:`InputError` or are kept in :attr:`flagged` and
        ignored.
    batch_size : int, default 50000
        Buffered events are folded into the totals when this many are waiting (and at
        every query).

    Notes
    -----
    An event means "from ``start`` on, the agent is in ``state``"; the agent's latest
    state lasts until the query time ``now``. Events of one agent must arrive in time
    order (events of different agents may interleave freely).

    Examples
    --------
    >>> import pandas as pd
    >>> t = lambda s: pd.Timestamp(f"2024-01-10 {s}", tz="UTC")
    >>> schedule = pd.DataFrame({"agent": ["a"], "activity": ["work"],
    ...                          "start": [t("09:00")], "end": [t("10:00")]})
    >>> tracker = AdherenceTracker(schedule)
    >>> tracker.observe("a", "Available", t("09:10"))
    >>> float(tracker.agent_adherence(t("09:30"))["adherence"].iloc[0])  # 1 - 10/30
    0.6666666666666667
    """

    def __init__(
        self,
        schedule: pd.DataFrame,
        *,
        mapping: StateMapping | None = None,
        rules: AdherenceRules | None = None,
        period_start: str | pd.Timestamp | None = None,
        period_end: str | pd.Timestamp | None = None,
        tz: str | None = None,
        interval_minutes: int | None = None,
        on_bad: OnBad = "raise",
        batch_size: int = 50_000,
    ) -> None:
        if on_bad not in ("raise", "flag"):
            raise InputError(f"on_bad={on_bad!r} is not known. Fix: use 'raise' or 'flag'.")
        self._mapping = mapping if mapping is not None else StateMapping.default()
        self._rules = rules if rules is not None else AdherenceRules()
        self._kernel_rules = kernel_rules(self._rules)
        self._on_bad = on_bad
        self._batch_size = int(batch_size)
        self._interval_minutes = interval_minutes
        self._schedule = validate_schedule(schedule)
        self._encoded = encode_inputs(
            self._schedule,
            self._mapping,
            tz=tz,
            period_start=period_start,
            period_end=period_end,
            until=None,
            interval_minutes=interval_minutes,
        )
        self._period_start_ns = int(self._encoded.grid.start.as_unit("ns").value)
        self._period_end_ns = int(self._encoded.grid.end.as_unit("ns").value)
        self._agent_code = {agent: code for code, agent in enumerate(self._encoded.agents)}
        self._activity_code = {name: i for i, name in enumerate(self._encoded.activities)}
        n_agents = len(self._encoded.agents)
        self._state_names: list[str] = []
        self._state_code: dict[str, int] = {}
        self._lookup: dict[tuple[str, str | None], tuple[int, int]] = {}
        # decided part
        self._folded_until = np.full(n_agents, self._period_start_ns, dtype=np.int64)
        self._current_state = np.full(n_agents, -1, dtype=np.int64)
        self._current_activity = np.full(n_agents, self._encoded.off_code, dtype=np.int64)
        self._last_time: list[int] = [self._period_start_ns] * n_agents
        self._totals = _Totals.empty(n_agents)
        self._open = _OpenRuns.empty(n_agents)
        # event log (all accepted events) and buffer of events not yet folded
        self._log: list[IntArray] = []  # chunks of shape (4, n): agent, time, state, activity
        self._buffer: list[tuple[int, int, int, int]] = []
        self._chunks: list[IntArray] = []  # buffered batches from observe_many, in order
        self._flagged: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ ingestion
    @property
    def flagged(self) -> pd.DataFrame:
        """Events refused with ``on_bad="flag"``: agent, state, start, reason."""
        return pd.DataFrame(self._flagged, columns=[AGENT, STATE, START, "reason"])

    def _bad(self, agent: Any, state: Any, time: Any, reason: str, text: str) -> None:
        if self._on_bad == "raise":
            raise InputError(
                f"event (agent={agent!r}, state={state!r}, start={time}) {text}. Fix: repair "
                "it, or create the tracker with on_bad='flag' to collect such events."
            )
        self._flagged.append({AGENT: agent, STATE: state, START: time, "reason": reason})

    def _codes(self, state: str, channel: str | None) -> tuple[int, int] | None:
        key = (state, channel)
        found = self._lookup.get(key)
        if found is not None:
            return found
        try:
            activity = self._mapping.activity_of(state, channel)
        except InputError:
            return None
        if state not in self._state_code:
            self._state_code[state] = len(self._state_names)
            self._state_names.append(state)
        codes = (self._state_code[state], self._activity_code[activity])
        self._lookup[key] = codes
        return codes

    def _time_ns(self, time: pd.Timestamp | datetime | str) -> int:
        stamp = time if isinstance(time, pd.Timestamp) else pd.Timestamp(time)
        if stamp.tzinfo is None:
            raise InputError(f"time={time!r} is naive. Fix: pass a timezone-aware timestamp.")
        return int(stamp.value)

    def observe(
        self,
        agent: Any,
        state: str,
        time: pd.Timestamp | datetime | str,
        channel: str | None = None,
    ) -> None:
        """Record that ``agent`` entered ``state`` at ``time`` (aware).

        Raises
        ------
        InputError
            With ``on_bad="raise"``: unknown agent or state, a time outside the period
            or before the agent's previous event, or a naive time.
        """
        when = self._time_ns(time)
        code = self._agent_code.get(agent)
        if code is None:
            self._bad(agent, state, time, "unknown_agent", "is for an agent with no schedule")
            return
        codes = self._codes(state, channel)
        if codes is None:
            self._bad(agent, state, time, "unknown_state", "has a state the mapping lacks")
            return
        if not self._period_start_ns <= when < self._period_end_ns:
            self._bad(agent, state, time, "outside_period", "starts outside the period")
            return
        if when < self._last_time[code]:
            self._bad(agent, state, time, "unsorted", "is earlier than the agent's last event")
            return
        self._last_time[code] = when
        self._buffer.append((code, when, codes[0], codes[1]))
        if len(self._buffer) >= self._batch_size:
            self.flush()

    def observe_many(self, events: pd.DataFrame) -> None:
        """Record a batch of events (``agent``, ``state``, ``start``, optional ``channel``).

        Vectorised; rows are taken in the order given (per agent they must be in time
        order, and not before the agent's previous event).
        """
        require_columns(events, [AGENT, STATE, START], name="events")
        if not isinstance(events[START].dtype, pd.DatetimeTZDtype):
            raise InputError("events['start'] is not timezone-aware. Fix: tz_localize it.")
        if events[START].isna().any():
            raise InputError("events['start'] has NaT. Fix: remove or repair those rows.")
        times = epoch_ns(events[START])
        agents = np.asarray(self._encoded.agents.get_indexer(pd.Index(events[AGENT])), np.int64)
        channels = events[CHANNEL] if CHANNEL in events.columns else None
        local_state, state_uniques = pd.factorize(events[STATE])
        if channels is None:
            local_channel = np.zeros(len(events), dtype=np.int64)
            channel_names: list[str | None] = [None]
        else:
            codes, channel_uniques = pd.factorize(channels)
            local_channel = np.asarray(codes, dtype=np.int64) + 1  # 0 = missing channel
            channel_names = [None, *(str(c) for c in channel_uniques)]
        width = len(channel_names)
        lookup = np.full((len(state_uniques) * width + 1, 2), -1, dtype=np.int64)
        for state_index, state in enumerate(state_uniques):
            for channel_index, channel in enumerate(channel_names):
                found = self._codes(str(state), channel)
                if found is not None:
                    lookup[state_index * width + channel_index] = found
        local_state = np.asarray(local_state, dtype=np.int64)
        pair_code = np.where(local_state >= 0, local_state * width + local_channel, -1)
        state_codes = lookup[pair_code, 0]
        activity_codes = lookup[pair_code, 1]
        reason = np.full(len(events), "", dtype=object)
        reason[(agents >= 0) & (state_codes < 0)] = "unknown_state"
        reason[agents < 0] = "unknown_agent"
        outside = (times < self._period_start_ns) | (times >= self._period_end_ns)
        reason[(reason == "") & outside] = "outside_period"
        ok = reason == ""
        # per agent, in input order, each time must not precede the previous one
        previous = np.asarray(self._last_time, dtype=np.int64)
        rows = np.flatnonzero(ok)
        order = rows[np.argsort(agents[rows], kind="stable")]
        sorted_agents = agents[order]
        sorted_times = times[order]
        first = np.r_[True, sorted_agents[1:] != sorted_agents[:-1]][: order.size]
        before = np.where(
            first, previous[np.maximum(sorted_agents, 0)], np.r_[0, sorted_times[:-1]][: order.size]
        )
        if order.size and (sorted_times < before).any():
            # rare: replay row by row so that each event is judged against the last
            # accepted one, exactly as observe() does
            for row in range(len(events)):
                channel = None if channels is None else channels.iloc[row]
                self.observe(
                    events[AGENT].iloc[row],
                    str(events[STATE].iloc[row]),
                    events[START].iloc[row],
                    None if channel is None or pd.isna(channel) else str(channel),
                )
            return
        bad = np.flatnonzero(reason != "")
        for position in bad:
            self._bad(
                events[AGENT].iloc[position],
                events[STATE].iloc[position],
                events[START].iloc[position],
                str(reason[position]),
                {
                    "unknown_agent": "is for an agent with no schedule",
                    "unknown_state": "has a state the mapping lacks",
                    "outside_period": "starts outside the period",
                    "unsorted": "is earlier than the agent's last event",
                }[str(reason[position])],
            )
        good = np.flatnonzero(reason == "")
        if good.size == 0:
            return
        self._seal_rows()
        self._chunks.append(
            np.vstack([agents[good], times[good], state_codes[good], activity_codes[good]])
        )
        latest = previous.copy()
        np.maximum.at(latest, agents[good], times[good])
        self._last_time = latest.tolist()
        if sum(c.shape[1] for c in self._chunks) >= self._batch_size:
            self.flush()

    # ------------------------------------------------------------------ folding
    def _segments_near(self, lo: int, hi: int) -> SegmentArrays:
        """Segments that can influence pieces in ``[lo, hi)`` (contiguous per agent)."""
        seg = self._encoded.segments
        margin = max(
            self._kernel_rules.start_before_ns,
            self._kernel_rules.end_after_ns,
            self._kernel_rules.outside_window_ns or 0,
        )
        keep = (seg.end >= lo - margin) & (seg.start <= hi + margin)
        if keep.all():
            return seg
        return SegmentArrays(seg.agent[keep], seg.start[keep], seg.end[keep], seg.activity[keep])

    def _window_states(
        self,
        agents: IntArray,
        times: IntArray,
        states: IntArray,
        activities: IntArray,
        upto: IntArray,
    ) -> StateArrays:
        """Build the states of the stretches to fold.

        Each agent's current state runs from its boundary, then the new events, each
        lasting until the next (the last until ``upto``).
        """
        n_agents = len(self._encoded.agents)
        has_current = self._current_state >= 0
        carried = np.flatnonzero(has_current)
        all_agents = np.r_[carried, agents]
        all_times = np.r_[self._folded_until[carried], times]
        all_states = np.r_[self._current_state[carried], states]
        all_activities = np.r_[self._current_activity[carried], activities]
        sequence = np.r_[np.zeros(carried.size, np.int64), np.arange(1, agents.size + 1)]
        order = np.lexsort((sequence, all_times, all_agents))
        agent_sorted = all_agents[order]
        start_sorted = all_times[order]
        same_next = np.r_[agent_sorted[1:] == agent_sorted[:-1], False][: agent_sorted.size]
        end_sorted = np.where(
            same_next, np.r_[start_sorted[1:], 0][: start_sorted.size], upto[agent_sorted]
        )
        del n_agents
        return StateArrays(
            agent=agent_sorted,
            start=start_sorted,
            end=end_sorted,
            activity=all_activities[order],
            state=all_states[order],
        )

    def _pieces(self, states: StateArrays, lo: IntArray, hi: IntArray) -> Pieces:
        active = hi > lo
        if not active.any():
            return sweep(
                SegmentArrays(*(np.zeros(0, np.int64) for _ in range(4))),
                StateArrays(*(np.zeros(0, np.int64) for _ in range(5))),
                lo,
                lo,
                self._encoded.is_work,
                self._encoded.off_code,
                self._kernel_rules,
            )
        segments = self._segments_near(int(lo[active].min()), int(hi[active].max()))
        return sweep(
            segments,
            states,
            lo,
            hi,
            self._encoded.is_work,
            self._encoded.off_code,
            self._kernel_rules,
        )

    def _fold(
        self,
        pieces: Pieces,
        lo: IntArray,
        hi: IntArray,
        totals: _Totals,
        open_runs: _OpenRuns,
        *,
        close_all: bool,
    ) -> None:
        """Add ``pieces`` of the windows ``[lo, hi)`` to ``totals`` and ``open_runs``."""
        is_work = self._encoded.is_work
        n_agents = lo.size
        duration = pieces.end - pieces.start
        scheduled = pieces.scheduled_activity >= 0
        scheduled_work = scheduled & is_work[np.maximum(pieces.scheduled_activity, 0)]
        working = is_work[pieces.activity]
        for target, mask in (
            (totals.scheduled, scheduled),
            (totals.scheduled_work, scheduled_work),
            (totals.worked, working),
            (totals.outside_work, pieces.outside_shift_work),
        ):
            target += _sum_by_agent(pieces.agent, np.where(mask, duration, 0), n_agents)
        runs = find_runs(pieces)
        min_ns = max(round(self._rules.min_exception_seconds * NS), 1)
        agent = runs.agent
        first = np.r_[True, agent[1:] != agent[:-1]] if agent.size else np.zeros(0, bool)
        last = np.r_[agent[1:] != agent[:-1], True] if agent.size else np.zeros(0, bool)
        start = runs.start.copy()
        length = runs.duration_ns.copy()
        category = runs.category.astype(np.int64)
        merge = (
            first
            & open_runs.active[agent]
            & (open_runs.end[agent] == runs.start)
            & (open_runs.scheduled[agent] == runs.scheduled_activity)
            & (open_runs.activity[agent] == runs.activity)
            & (open_runs.category[agent] == category)
        )
        length[merge] += (open_runs.end - open_runs.start)[agent[merge]]
        start[merge] = open_runs.start[agent[merge]]
        # open runs not continued by this window (for agents whose window is not empty)
        continued = np.zeros(n_agents, dtype=bool)
        continued[agent[merge]] = True
        ending = open_runs.active & ~continued & ((hi > lo) | close_all)
        self._close(
            totals,
            np.flatnonzero(ending),
            (open_runs.end - open_runs.start)[ending],
            open_runs.category[ending],
            min_ns,
        )
        open_runs.active[ending] = False
        open_runs.active[agent[merge]] = False
        stays_open = last & (runs.end == hi[agent]) & (not close_all)
        closing = ~stays_open
        self._close(totals, agent[closing], length[closing], category[closing], min_ns)
        owners = agent[stays_open]
        open_runs.active[owners] = True
        open_runs.start[owners] = start[stays_open]
        open_runs.end[owners] = runs.end[stays_open]
        open_runs.scheduled[owners] = runs.scheduled_activity[stays_open]
        open_runs.activity[owners] = runs.activity[stays_open]
        open_runs.category[owners] = category[stays_open]
        open_runs.state[owners] = runs.state[stays_open]

    @staticmethod
    def _close(
        totals: _Totals, agent: IntArray, length: IntArray, category: IntArray, min_ns: int
    ) -> None:
        real = length >= min_ns
        if not real.any():
            return
        np.add.at(totals.exception, (agent[real], category[real]), length[real])
        np.add.at(totals.exceptions, agent[real], 1)

    def _seal_rows(self) -> None:
        if self._buffer:
            self._chunks.append(np.asarray(self._buffer, dtype=np.int64).reshape(-1, 4).T)
            self._buffer = []

    def flush(self) -> None:
        """Fold the buffered events into the decided totals (done automatically)."""
        self._seal_rows()
        if not self._chunks:
            return
        chunk = np.concatenate(self._chunks, axis=1)
        self._chunks = []
        self._log.append(chunk)
        agents, times, states, activities = chunk
        n_agents = len(self._encoded.agents)
        new_until = self._folded_until.copy()
        np.maximum.at(new_until, agents, times)
        states_arrays = self._window_states(agents, times, states, activities, new_until)
        pieces = self._pieces(states_arrays, self._folded_until, new_until)
        self._fold(pieces, self._folded_until, new_until, self._totals, self._open, close_all=False)
        # the agents' current state after the fold
        order = np.lexsort((np.arange(agents.size), times, agents))
        last_of_agent = np.r_[agents[order][1:] != agents[order][:-1], True][: order.size]
        final = order[last_of_agent]
        self._current_state[agents[final]] = states[final]
        self._current_activity[agents[final]] = activities[final]
        self._folded_until = new_until
        del n_agents

    # ------------------------------------------------------------------ queries
    def _now_ns(self, now: pd.Timestamp | datetime | str) -> int:
        when = self._time_ns(now)
        if not self._period_start_ns <= when <= self._period_end_ns:
            start = pd.Timestamp(self._period_start_ns, tz="UTC").tz_convert(self._encoded.tz)
            end = pd.Timestamp(self._period_end_ns, tz="UTC").tz_convert(self._encoded.tz)
            raise InputError(
                f"now={now} is outside the tracker's period [{start}, {end}]. Fix: query at a "
                "time within the period (both edges included)."
            )
        latest = max(self._last_time) if self._last_time else self._period_start_ns
        if when < latest:
            raise InputError(
                f"now={now} is before the latest observed event. Fix: query at a later time."
            )
        return when

    def _tail(self, when: int) -> tuple[_Totals, _OpenRuns, Pieces]:
        self.flush()
        totals = self._totals.copy()
        open_runs = self._open.copy()
        upto = np.full(self._folded_until.size, when, dtype=np.int64)
        empty = np.zeros(0, dtype=np.int64)
        states = self._window_states(empty, empty, empty, empty, upto)
        pieces = self._pieces(states, self._folded_until, upto)
        before = open_runs.copy()
        self._fold(pieces, self._folded_until, upto, totals, open_runs, close_all=True)
        return totals, before, pieces

    def agent_adherence(self, now: pd.Timestamp | datetime | str) -> pd.DataFrame:
        """Return the running adherence per agent from the period start to ``now``.

        Returns
        -------
        pandas.DataFrame
            ``agent``, ``scheduled_seconds``, ``scheduled_work_seconds``,
            ``worked_seconds``, ``outside_shift_worked_seconds``, ``exception_seconds``,
            ``denominator_seconds``, ``adherence`` (fraction 0 to 1), ``conformance``
            and ``exceptions`` (count), equal to the batch computation with
            ``until=now`` (no exception excused).
        """
        totals, _, _ = self._tail(self._now_ns(now))
        counted = sorted(self._rules.counted_categories)
        exception = totals.exception[:, counted].sum(axis=1)
        scheduled = totals.scheduled
        if self._rules.definition == "genesys":
            denominator = scheduled + totals.exception[:, CATEGORY_OUTSIDE_SHIFT]
        elif self._rules.definition == "calabrio_ready":
            denominator = totals.scheduled_work
        else:
            denominator = scheduled
        with np.errstate(divide="ignore", invalid="ignore"):
            adherence = np.where(
                denominator > 0, np.clip(1.0 - exception / denominator, 0.0, 1.0), np.nan
            )
            conformance = np.where(
                totals.scheduled_work > 0,
                totals.worked / totals.scheduled_work,
                np.where(totals.worked > 0, np.inf, np.nan),
            )
        return pd.DataFrame(
            {
                AGENT: self._encoded.agents,
                "scheduled_seconds": scheduled / NS,
                "scheduled_work_seconds": totals.scheduled_work / NS,
                "worked_seconds": totals.worked / NS,
                "outside_shift_worked_seconds": totals.outside_work / NS,
                "exception_seconds": exception / NS,
                "denominator_seconds": denominator / NS,
                "adherence": adherence,
                "conformance": conformance,
                "exceptions": totals.exceptions,
            }
        )

    def out_of_adherence(self, now: pd.Timestamp | datetime | str) -> pd.DataFrame:
        """Agents out of adherence at ``now`` (whatever the minimum exception duration).

        An agent is listed when an out-of-adherence stretch covers the instant ``now``
        with both ends included: the stretch in effect at ``now`` (an event at exactly
        ``now`` takes effect at ``now``, so an agent who just went out is listed with
        ``out_seconds`` 0), or, if the agent is in adherence from ``now`` on, a stretch
        that ended exactly at ``now`` (``open`` is then False). This is the batch
        result's exceptions that contain ``now`` (``start <= now <= end``), one row per
        agent, preferring the stretch still open.

        Returns
        -------
        pandas.DataFrame
            ``agent``, ``scheduled_activity``, ``actual_activity``, ``actual_state``,
            ``since`` (aware start of the out-of-adherence stretch), ``out_seconds``
            (seconds from ``since`` to ``now``), ``impact`` and ``open`` (True while the
            stretch goes on after ``now``).
        """
        when = self._now_ns(now)
        # one nanosecond past now: the piece that starts at now is the state in effect
        _, open_before, pieces = self._tail(when + 1)
        runs = find_runs(pieces)
        run_agent = runs.agent
        since = runs.start.copy()
        joined = (
            (runs.start == self._folded_until[run_agent])
            & open_before.active[run_agent]
            & (open_before.end[run_agent] == runs.start)
            & (open_before.scheduled[run_agent] == runs.scheduled_activity)
            & (open_before.activity[run_agent] == runs.activity)
            & (open_before.category[run_agent] == runs.category)
        )
        since[joined] = open_before.start[run_agent[joined]]
        n_agents = self._folded_until.size
        carried_end = (
            open_before.active
            & (open_before.end == when)
            & ~np.isin(np.arange(n_agents), run_agent[joined])
        )
        # rows of (agent, scheduled, activity, state, category, since, open)
        rows: list[tuple[int, int, int, int, int, int, bool]] = []
        seen = np.zeros(n_agents, dtype=bool)
        for is_open, mask in ((True, runs.end == when + 1), (False, runs.end == when)):
            for position in np.flatnonzero(mask):
                agent = int(run_agent[position])
                if seen[agent]:
                    continue
                seen[agent] = True
                rows.append(
                    (
                        agent,
                        int(runs.scheduled_activity[position]),
                        int(runs.activity[position]),
                        int(runs.state[position]),
                        int(runs.category[position]),
                        int(since[position]),
                        is_open,
                    )
                )
        for a in np.flatnonzero(carried_end & ~seen):
            rows.append(
                (
                    int(a),
                    int(open_before.scheduled[a]),
                    int(open_before.activity[a]),
                    int(open_before.state[a]),
                    int(open_before.category[a]),
                    int(open_before.start[a]),
                    False,
                )
            )
        rows.sort(key=lambda row: row[0])
        table = np.asarray([row[:6] for row in rows], dtype=np.int64).reshape(-1, 6)
        activities = np.asarray([*self._encoded.activities, UNSCHEDULED], dtype=object)
        states = np.asarray([*self._state_names, NO_STATE], dtype=object)
        impacts = np.asarray([CATEGORY_IMPACT.get(c, "") for c in range(5)], dtype=object)
        stamp = pd.DatetimeIndex(table[:, 5].astype("datetime64[ns]")).tz_localize("UTC")
        return pd.DataFrame(
            {
                AGENT: np.asarray(self._encoded.agents, dtype=object)[table[:, 0]],
                "scheduled_activity": activities[table[:, 1]],
                "actual_activity": activities[table[:, 2]],
                "actual_state": states[table[:, 3]],
                "since": stamp.tz_convert(self._encoded.tz),
                "out_seconds": (when - table[:, 5]) / NS,
                "impact": impacts[table[:, 4]],
                "open": np.asarray([row[6] for row in rows], dtype=bool),
            }
        )

    def events(self) -> pd.DataFrame:
        """All accepted events so far (``agent``, ``state``, ``start``), in arrival order."""
        self.flush()
        if self._log:
            agents, times, states, _ = np.concatenate(self._log, axis=1)
        else:
            agents = times = states = np.zeros(0, dtype=np.int64)
        stamp = pd.DatetimeIndex(times.astype("datetime64[ns]")).tz_localize("UTC")
        return pd.DataFrame(
            {
                AGENT: np.asarray(self._encoded.agents)[agents],
                STATE: np.asarray(self._state_names, dtype=object)[states]
                if len(self._state_names)
                else np.zeros(0, object),
                START: stamp.tz_convert(self._encoded.tz),
            }
        )

    def result(self, now: pd.Timestamp | datetime | str) -> AdherenceResult:
        """Full :class:`AdherenceResult` (exceptions, intervals) of the events so far.

        Computed by the batch path on the stored events with ``until=now``.
        """
        when = self._now_ns(now)
        self.flush()
        if self._log:
            agents, times, states, activities = np.concatenate(self._log, axis=1)
        else:
            agents = times = states = activities = np.zeros(0, dtype=np.int64)
        order = np.lexsort((np.arange(agents.size), times, agents))
        agent_sorted = agents[order]
        start_sorted = times[order]
        same_next = np.r_[agent_sorted[1:] == agent_sorted[:-1], False][: agent_sorted.size]
        end_sorted = np.where(
            same_next, np.r_[start_sorted[1:], 0][: start_sorted.size], self._period_end_ns
        )
        state_arrays = StateArrays(
            agent_sorted, start_sorted, end_sorted, activities[order], states[order]
        )
        encoded = self._encoded
        until_encoded = type(encoded)(
            agents=encoded.agents,
            teams=encoded.teams,
            agent_team=encoded.agent_team,
            activities=encoded.activities,
            is_work=encoded.is_work,
            off_code=encoded.off_code,
            states=encoded.states,
            segments=encoded.segments,
            grid=encoded.grid,
            until_ns=when,
            tz=encoded.tz,
        )
        return build_result(
            until_encoded, state_arrays, self._state_names, self._rules, self.flagged
        )

    # ------------------------------------------------------------------ schedule changes
    def update_schedule(self, agent: Any, segments: pd.DataFrame) -> None:
        """Replace one agent's schedule mid-day (e.g. a moved break or added meeting).

        Only that agent is re-derived, from its stored events; every other agent's
        totals are kept as they are.

        Parameters
        ----------
        agent : hashable
            Agent whose segments are replaced (must already have a schedule).
        segments : pandas.DataFrame
            The agent's new segments (``activity``, ``start``, ``end``; an ``agent``
            column, if present, must equal ``agent``).
        """
        code = self._agent_code.get(agent)
        if code is None:
            raise InputError(
                f"agent={agent!r} has no schedule in this tracker. Fix: pass a known agent."
            )
        new = segments.copy()
        if AGENT in new.columns and not (new[AGENT] == agent).all():
            raise InputError("segments['agent'] must all equal the agent being updated.")
        new[AGENT] = agent
        require_columns(new, [ACTIVITY], name="segments")
        if TEAM in self._schedule.columns and TEAM not in new.columns:
            old = self._schedule.loc[self._schedule[AGENT] == agent, TEAM]
            new[TEAM] = old.iloc[0] if len(old) else None
        unknown = set(map(str, new[ACTIVITY])) - set(self._encoded.activities)
        if unknown:
            raise InputError(
                f"segments use activities {sorted(unknown)} unknown to this tracker. Fix: use "
                f"one of {self._encoded.activities}."
            )
        others = self._schedule[self._schedule[AGENT] != agent]
        combined = pd.concat([others, new[[c for c in others.columns if c in new.columns]]])
        self._schedule = validate_schedule(combined.reset_index(drop=True))
        seg = encode_schedule_keeping(self._schedule, self._mapping, self._encoded)
        self._encoded = type(self._encoded)(
            agents=self._encoded.agents,
            teams=self._encoded.teams,
            agent_team=self._encoded.agent_team,
            activities=self._encoded.activities,
            is_work=self._encoded.is_work,
            off_code=self._encoded.off_code,
            states=self._encoded.states,
            segments=seg,
            grid=self._encoded.grid,
            until_ns=self._encoded.until_ns,
            tz=self._encoded.tz,
        )
        self._rederive(code)

    def _rederive(self, code: int) -> None:
        """Recompute one agent's decided totals from its stored events."""
        self.flush()
        n_agents = len(self._encoded.agents)
        if self._log:
            agents, times, states, activities = np.concatenate(self._log, axis=1)
        else:
            agents = times = states = activities = np.zeros(0, dtype=np.int64)
        mine = agents == code
        lo = np.full(n_agents, self._period_start_ns, dtype=np.int64)
        hi = lo.copy()
        hi[code] = self._folded_until[code]
        order = np.lexsort((np.flatnonzero(mine), times[mine]))
        own_times = times[mine][order]
        ends = np.r_[own_times[1:], hi[code]]
        state_arrays = StateArrays(
            np.full(own_times.size, code, dtype=np.int64),
            own_times,
            ends,
            activities[mine][order],
            states[mine][order],
        )
        pieces = self._pieces(state_arrays, lo, hi)
        fresh = _Totals.empty(n_agents)
        fresh_open = _OpenRuns.empty(n_agents)
        self._fold(pieces, lo, hi, fresh, fresh_open, close_all=False)
        for name in ("scheduled", "scheduled_work", "worked", "outside_work", "exceptions"):
            getattr(self._totals, name)[code] = getattr(fresh, name)[code]
        self._totals.exception[code] = fresh.exception[code]
        for name in ("active", "start", "end", "scheduled", "activity", "category", "state"):
            getattr(self._open, name)[code] = getattr(fresh_open, name)[code]


def encode_schedule_keeping(
    schedule: pd.DataFrame, mapping: StateMapping, encoded: Any
) -> SegmentArrays:
    """Re-encode a schedule with the agent and activity codes of ``encoded``."""
    on_shift = ~schedule[ACTIVITY].astype(str).isin(mapping.off_activities).to_numpy()
    kept = schedule[on_shift]
    activity_index = pd.Index(encoded.activities)
    segments = SegmentArrays(
        agent=np.asarray(encoded.agents.get_indexer(pd.Index(kept[AGENT])), dtype=np.int64),
        start=epoch_ns(kept[START]),
        end=epoch_ns(kept["end"]),
        activity=np.asarray(
            activity_index.get_indexer(pd.Index(kept[ACTIVITY].astype(str))), dtype=np.int64
        ),
    )
    order = np.lexsort((segments.start, segments.agent))
    segments = SegmentArrays(
        segments.agent[order], segments.start[order], segments.end[order], segments.activity[order]
    )
    return segments


def _sum_by_agent(agent: IntArray, values: IntArray, n_agents: int) -> IntArray:
    """Exact int64 sums of ``values`` per agent (pieces are sorted by agent)."""
    out = np.zeros(n_agents, dtype=np.int64)
    if agent.size == 0:
        return out
    boundaries = np.flatnonzero(np.r_[True, agent[1:] != agent[:-1]])
    out[agent[boundaries]] = np.add.reduceat(values, boundaries)
    return out
