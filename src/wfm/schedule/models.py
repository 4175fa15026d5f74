"""Boundary models of the schedule stage: shift templates, agents, rules and solver settings.

All are pydantic models with ``extra="forbid"`` and ``frozen=True``; they round-trip
through JSON exactly (``Model.model_validate_json(model.model_dump_json()) == model``).
Times of day are local wall-clock times of the site; lengths are in minutes of elapsed
(real) time, so an 8-hour shift is 8 real hours even across a DST change.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from wfm.core._models import WfmModel
from wfm.core.errors import InputError

ALL_DAYS: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
"""Weekday numbers Monday=0 ... Sunday=6."""


def _minutes_of_day(value: dt.time) -> int:
    """Minutes since midnight of a wall-clock time."""
    return value.hour * 60 + value.minute


class BreakRule(WfmModel):
    """A break or lunch inside a shift, placed by the optimiser within a window.

    Parameters
    ----------
    activity : {"break", "lunch"}
        Label written to the segments frame.
    length_minutes : int
        Length of the break in minutes (> 0).
    earliest_start_minutes, latest_start_minutes : int
        Window for the break start, in minutes after the shift start (inclusive).
    step_minutes : int, default 15
        Spacing of the candidate break starts inside the window, in minutes.
    paid : bool, default True
        Paid breaks count in the paid length; unpaid ones lengthen the shift.
    min_paid_minutes : int, default 0
        The break applies only to shift lengths with at least this many paid minutes
        (e.g. a lunch only on shifts of 6 hours or more).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    activity: Literal["break", "lunch"] = "break"
    length_minutes: int = Field(gt=0)
    earliest_start_minutes: int = Field(ge=0)
    latest_start_minutes: int = Field(ge=0)
    step_minutes: int = Field(default=15, gt=0)
    paid: bool = True
    min_paid_minutes: int = Field(default=0, ge=0)

    def check(self) -> BreakRule:
        """Return ``self`` or raise :class:`~wfm.core.InputError` naming the bad field."""
        if self.latest_start_minutes < self.earliest_start_minutes:
            raise InputError(
                f"BreakRule.latest_start_minutes={self.latest_start_minutes} is before "
                f"earliest_start_minutes={self.earliest_start_minutes}. Fix: latest >= earliest."
            )
        span = self.latest_start_minutes - self.earliest_start_minutes
        if span % self.step_minutes:
            raise InputError(
                f"BreakRule window {self.earliest_start_minutes}..{self.latest_start_minutes} "
                f"min is not a whole number of step_minutes={self.step_minutes}. Fix: align it."
            )
        return self

    def offsets_minutes(self) -> tuple[int, ...]:
        """Candidate break starts in minutes after the shift start."""
        return tuple(
            range(self.earliest_start_minutes, self.latest_start_minutes + 1, self.step_minutes)
        )


class ShiftTemplate(WfmModel):
    """A family of shifts: start window, paid lengths, days, cost and breaks.

    Parameters
    ----------
    name : str
        Unique template name (e.g. ``"FT8"``).
    earliest_start, latest_start : datetime.time
        Local wall-clock window of shift starts (inclusive); ``latest_start`` may be
        earlier than ``earliest_start`` to wrap past midnight is NOT supported.
    start_step_minutes : int, default 30
        Spacing of candidate starts in minutes.
    paid_minutes : tuple of int
        Allowed paid lengths in minutes (e.g. ``(240, 300, 360)`` for 4-6 h part time).
        The elapsed length is the paid length plus the unpaid breaks.
    days : tuple of int, default all
        Weekdays on which the template may start (Monday=0).
    cost_per_paid_hour : float, default 1.0
        Cost of one paid hour (any currency unit).
    cost_per_shift : float, default 0.0
        Fixed cost per shift worked.
    breaks : tuple of BreakRule
        Breaks and lunches in time order; windows must not overlap.
    min_gap_minutes : int, default 0
        Minimum work time between shift start, each break and shift end, in minutes.
    min_agents_per_shift, max_agents_per_shift : int
        Bounds on agents working each individual shift (template, day, start, length).
    queue : str or None
        Queue (skill) the shift serves; ``None`` when the requirement has one queue.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    earliest_start: dt.time
    latest_start: dt.time
    start_step_minutes: int = Field(default=30, gt=0)
    paid_minutes: tuple[int, ...] = Field(min_length=1)
    days: tuple[int, ...] = ALL_DAYS
    cost_per_paid_hour: float = Field(default=1.0, ge=0)
    cost_per_shift: float = Field(default=0.0, ge=0)
    breaks: tuple[BreakRule, ...] = ()
    min_gap_minutes: int = Field(default=0, ge=0)
    min_agents_per_shift: int = Field(default=0, ge=0)
    max_agents_per_shift: int | None = Field(default=None, ge=0)
    queue: str | None = None

    def check(self) -> ShiftTemplate:
        """Return ``self`` or raise :class:`~wfm.core.InputError` naming the bad field."""
        where = f"ShiftTemplate {self.name!r}"
        start, latest = _minutes_of_day(self.earliest_start), _minutes_of_day(self.latest_start)
        if latest < start:
            raise InputError(
                f"{where}: latest_start={self.latest_start} is before earliest_start="
                f"{self.earliest_start}. Fix: latest_start >= earliest_start (same day)."
            )
        if any(p <= 0 for p in self.paid_minutes):
            raise InputError(f"{where}: paid_minutes={self.paid_minutes} must all be > 0.")
        bad_days = [d for d in self.days if d not in ALL_DAYS]
        if bad_days or not self.days:
            raise InputError(
                f"{where}: days={self.days} must be non-empty weekday numbers 0 (Mon) to 6 (Sun)."
            )
        if (
            self.max_agents_per_shift is not None
            and self.max_agents_per_shift < self.min_agents_per_shift
        ):
            raise InputError(
                f"{where}: max_agents_per_shift={self.max_agents_per_shift} < "
                f"min_agents_per_shift={self.min_agents_per_shift}. Fix: max >= min."
            )
        for rule in self.breaks:
            rule.check()
        for paid in self.paid_minutes:
            self._check_breaks_fit(paid)
        return self

    def breaks_for(self, paid_minutes: int) -> tuple[BreakRule, ...]:
        """Break rules that apply to a shift of ``paid_minutes`` paid minutes."""
        return tuple(b for b in self.breaks if paid_minutes >= b.min_paid_minutes)

    def elapsed_minutes(self, paid_minutes: int) -> int:
        """Elapsed (real) length in minutes of a shift with ``paid_minutes`` paid minutes."""
        unpaid = sum(b.length_minutes for b in self.breaks_for(paid_minutes) if not b.paid)
        return paid_minutes + unpaid

    def _check_breaks_fit(self, paid: int) -> None:
        """Raise InputError unless every break window fits the shift, in order, with gaps."""
        where = f"ShiftTemplate {self.name!r} (paid_minutes={paid})"
        elapsed = self.elapsed_minutes(paid)
        previous_end = 0
        previous = "shift start"
        for index, rule in enumerate(self.breaks_for(paid)):
            if rule.earliest_start_minutes < previous_end + self.min_gap_minutes:
                raise InputError(
                    f"{where}: breaks[{index}].earliest_start_minutes="
                    f"{rule.earliest_start_minutes} is less than {self.min_gap_minutes} min "
                    f"after the latest end of {previous} (minute {previous_end}). Fix: move the "
                    "window later or make the windows disjoint and in time order."
                )
            previous_end = rule.latest_start_minutes + rule.length_minutes
            previous = f"breaks[{index}]"
        if previous_end + self.min_gap_minutes > elapsed:
            raise InputError(
                f"{where}: {previous} can end at minute {previous_end}, which leaves less "
                f"than min_gap_minutes={self.min_gap_minutes} before the shift end at minute "
                f"{elapsed}. Fix: move the break window earlier or lengthen the shift."
            )

    def start_minutes_of_day(self) -> tuple[int, ...]:
        """Candidate start times in minutes after local midnight."""
        first = _minutes_of_day(self.earliest_start)
        last = _minutes_of_day(self.latest_start)
        return tuple(range(first, last + 1, self.start_step_minutes))


class Agent(WfmModel):
    """A named agent with a contract, availability, skills and preferences.

    Parameters
    ----------
    agent : str
        Agent identifier written to the segments frame.
    templates : tuple of str or None
        Names of the shift templates the agent's contract allows (``None``: all).
    min_weekly_hours, max_weekly_hours : float
        Contracted paid hours per 7 days: the minimum applies once per full 7-day block
        of the horizon, the maximum once per started block.
    skills : tuple of str
        Queues the agent can serve (empty: every queue).
    available_days : tuple of int
        Weekdays (Monday=0) the agent can work.
    available_from, available_until : datetime.time or None
        Daily availability window (local clock): shifts must start at or after
        ``available_from`` and end at or before ``available_until`` on the start day
        (``None``: no limit).
    preferred_days_off : tuple of int
        Weekdays the agent would rather not work (soft).
    preferred_start : {"early", "late"} or None
        Soft preference for shifts starting before noon ("early") or from noon ("late").
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    agent: str = Field(min_length=1)
    templates: tuple[str, ...] | None = None
    min_weekly_hours: float = Field(default=0.0, ge=0)
    max_weekly_hours: float = Field(default=40.0, ge=0)
    skills: tuple[str, ...] = ()
    available_days: tuple[int, ...] = ALL_DAYS
    available_from: dt.time | None = None
    available_until: dt.time | None = None
    preferred_days_off: tuple[int, ...] = ()
    preferred_start: Literal["early", "late"] | None = None

    def check(self) -> Agent:
        """Return ``self`` or raise :class:`~wfm.core.InputError` naming the bad field."""
        if self.min_weekly_hours > self.max_weekly_hours:
            raise InputError(
                f"Agent {self.agent!r}: min_weekly_hours={self.min_weekly_hours} > "
                f"max_weekly_hours={self.max_weekly_hours}. Fix: min <= max."
            )
        for field, days in (
            ("available_days", self.available_days),
            ("preferred_days_off", self.preferred_days_off),
        ):
            if any(d not in ALL_DAYS for d in days):
                raise InputError(
                    f"Agent {self.agent!r}: {field}={days} must be weekday numbers 0 to 6."
                )
        return self


class ScheduleRules(WfmModel):
    """Coverage costs and labour rules.

    Parameters
    ----------
    under_cost_per_agent_hour : float, default 50.0
        Penalty per agent-hour of under-coverage (per queue).
    over_cost_per_agent_hour : float, default 1.0
        Penalty per agent-hour of over-coverage.
    hard_coverage : bool, default False
        Treat under-coverage as a rule: any under-coverage is reported as the
        ``coverage`` conflict instead of being priced.
    seat_limit : int or None
        Maximum agents present (working or on break) in any interval.
    min_rest_hours : float, default 11.0
        Minimum rest between the end of one shift and the start of the next, in hours.
    max_consecutive_days : int, default 6
        Maximum working days in a row.
    consecutive_days_off : int, default 2
        Each full 7-day block must contain this many consecutive days off (0: no rule).
    start_tolerance_minutes : int or None, default None
        An agent's shift starts (local clock) must lie within a band this wide
        (``None``: no rule). Tight bands make the two-phase roster costlier, because
        phase 1 does not see them (see ``docs/schedule.md``).
    fairness_weight : float, default 1.0
        Cost per weekend or unsocial shift above the even share, per agent.
    preference_weight : float, default 0.5
        Cost per violated soft preference.
    unsocial_before, unsocial_after : datetime.time
        A shift is unsocial if it starts before ``unsocial_before`` or ends after
        ``unsocial_after`` (local clock).
    on_infeasible : {"raise", "return"}, default "raise"
        When a rule has to be relaxed, raise :class:`~wfm.core.InfeasibleError` with
        the conflicts, or return the relaxed result with ``result.conflicts`` filled.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    under_cost_per_agent_hour: float = Field(default=50.0, ge=0)
    over_cost_per_agent_hour: float = Field(default=1.0, ge=0)
    hard_coverage: bool = False
    seat_limit: int | None = Field(default=None, ge=0)
    min_rest_hours: float = Field(default=11.0, ge=0)
    max_consecutive_days: int = Field(default=6, ge=1)
    consecutive_days_off: int = Field(default=2, ge=0, le=3)
    start_tolerance_minutes: int | None = Field(default=None, ge=0)
    fairness_weight: float = Field(default=1.0, ge=0)
    preference_weight: float = Field(default=0.5, ge=0)
    unsocial_before: dt.time = dt.time(7, 0)
    unsocial_after: dt.time = dt.time(21, 0)
    on_infeasible: Literal["raise", "return"] = "raise"


class SolverSettings(WfmModel):
    """MIP solver settings.

    Parameters
    ----------
    solver : {"cbc", "highs"}, default "cbc"
        CBC (bundled with PuLP) or HiGHS (``highspy``).
    time_limit_seconds : float, default 60
        Wall-clock limit per solve, in seconds.
    mip_gap : float, default 0.01
        Relative gap (fraction 0 to 1) at which the solver may stop.
    threads : int, default 1
        Solver threads.
    verbose : bool, default False
        Log the solver log (logger ``wfm.schedule``, level INFO; CBC only, HiGHS prints its own).
    roster_method : {"auto", "tour", "monolithic"}, default "auto"
        Named rosters only: ``"tour"`` solves the tour model per contract profile and
        hands its shifts to the agents (phase 1 + phase 2); ``"monolithic"`` solves one
        exact model with a variable per (agent, shift); ``"auto"`` takes the monolithic
        model when agents x days <= 60 (e.g. 8 agents for one week), else the tour model.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    solver: Literal["cbc", "highs"] = "cbc"
    time_limit_seconds: float = Field(default=60.0, gt=0)
    mip_gap: float = Field(default=0.01, ge=0, le=1)
    threads: int = Field(default=1, ge=1)
    verbose: bool = False
    roster_method: Literal["auto", "tour", "monolithic"] = "auto"
