"""Channels other than voice: chat with concurrent sessions, email / back office with deadlines.

Chat
----
An agent handles up to ``k`` sessions at once. ``aht_seconds_by_concurrency[j - 1]`` is the
mean handle time of a session while its agent has ``j`` sessions open (sessions take
longer when the agent juggles more). A new session goes to the least-loaded agent, so with
``n`` sessions in service among ``N`` agents the loads are balanced (``n = qN + r``: ``r``
agents hold ``q + 1`` sessions and ``N - r`` hold ``q``). The number of sessions in the
system is then a birth-death process with arrival rate ``lambda`` and completion rate

    mu(n) = r (q + 1) / AHT[q + 1] + (N - r) q / AHT[q]      for n <= N k
    mu(n) = N k / AHT[k]                                     for n >  N k  (n - N k wait)

With ``k = 1`` this is exactly M/M/N (Erlang C). Waiting customers are served first come,
first served and, once every slot is busy, leave at the constant rate ``N k / AHT[k]``, so
``P(W > t) = P(wait) exp(-(N k / AHT[k] - lambda) t)`` as in Erlang C. With
``patience_seconds`` waiting sessions also abandon at rate ``(n - N k) / patience`` (Erlang
A at ``k = 1``).

Email and back office
---------------------
Contacts wait in a backlog and must be finished within a deadline counted in business
time. :func:`email_staffing` computes a fluid (work-in-seconds) plan: interval by interval it
staffs the smallest whole number of agents that, kept level until each future deadline,
finishes all work due by then (the "optimal available" rate of Yao, Demers and Shenker,
"A scheduling model for reduced CPU energy", FOCS 1995), but never more agents than the
work already arrived can occupy; agents work at most ``max_occupancy`` of their time,
first in first out. Every deadline is met by construction: the level rate is at least the
rate that finishes the work due at the end of the current interval. The backlog carried from
interval to interval and its age profile come out as frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.core._display import ResultDisplay, Summary, units_from_names
from wfm.core.errors import InputError, describe_value
from wfm.core.frames import (
    AHT_SECONDS,
    INTERVAL_START,
    QUEUE,
    REQUIRED_AGENTS,
    VOLUME,
    validate_interval_frame,
)
from wfm.core.service_level import canonical_service_level_definition
from wfm.erlang._checks import as_float_array, broadcast_named, check_range
from wfm.erlang._erlang_x import tagged_wait
from wfm.erlang.metrics import ERLANG_A_SERVICE_LEVEL_DEFINITIONS

__all__ = [
    "ChatMetrics",
    "EmailStaffingResult",
    "chat_metrics",
    "chat_required_agents",
    "email_staffing",
]


# --------------------------------------------------------------------------- chat


def _check_concurrency_aht(aht_seconds_by_concurrency: Sequence[float]) -> np.ndarray:
    """Validate the per-concurrency AHT list (seconds) and return it as an array."""
    values = as_float_array(aht_seconds_by_concurrency, "aht_seconds_by_concurrency").ravel()
    if values.size < 1:
        raise InputError(
            "aht_seconds_by_concurrency is empty, i.e. concurrency < 1. Fix: give at least the "
            "handle time of a session handled alone, e.g. [300.0]."
        )
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise InputError(
            f"aht_seconds_by_concurrency={describe_value(values.tolist())} must hold handle "
            "times in seconds > 0, one per concurrency level 1..k."
        )
    return values


def _check_rates(name: str, values: Any, *, positive: bool = False) -> np.ndarray:
    """Per-interval counts or seconds: finite, >= 0 (> 0 when ``positive``), no booleans."""
    return check_range(values, name, low=0.0, low_inclusive=not positive)


def _completion_rates(agents: np.ndarray, throughput: np.ndarray, max_sessions: int) -> np.ndarray:
    """Completion rate mu(n) per second for n = 1..N k (columns), one row per case.

    ``throughput[j]`` is an agent's completion rate with j sessions (j = 0..k).
    """
    n = np.arange(1, max_sessions + 1)[None, :]
    safe_agents = np.maximum(agents, 1).astype(np.int64)[:, None]
    q = n // safe_agents
    r = n % safe_agents
    k = throughput.size - 1
    q_capped = np.minimum(q, k)
    q_next = np.minimum(q + 1, k)
    rate = r * throughput[q_next] + (safe_agents - r) * throughput[q_capped]
    full = safe_agents * throughput[k]
    return np.asarray(np.where(n >= safe_agents * k, full, rate), dtype=np.float64)


@dataclass(frozen=True, repr=False)
class ChatMetrics(ResultDisplay):
    """Steady-state chat figures per interval (arrays, one entry per interval).

    Attributes
    ----------
    probability_of_waiting : numpy.ndarray
        Fraction of sessions that find every slot busy (0 to 1).
    service_level : numpy.ndarray
        Fraction of sessions answered within the target (0 to 1).
    asa_seconds : numpy.ndarray
        Mean wait for an agent in seconds.
    sessions_per_agent : numpy.ndarray
        Mean sessions in service per agent (the realised concurrency).
    stable : numpy.ndarray
        False where the arrival rate reaches the full-concurrency capacity without
        abandonment (then ``service_level`` is 0 and waits are infinite).
    abandon_rate : numpy.ndarray
        Fraction of sessions that leave before an agent takes them (0 without patience).
    """

    probability_of_waiting: np.ndarray
    service_level: np.ndarray
    asa_seconds: np.ndarray
    sessions_per_agent: np.ndarray
    stable: np.ndarray
    abandon_rate: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """One row per interval, one column per figure."""
        return pd.DataFrame(
            {
                "probability_of_waiting": self.probability_of_waiting,
                "service_level": self.service_level,
                "asa_seconds": self.asa_seconds,
                "sessions_per_agent": self.sessions_per_agent,
                "stable": self.stable,
                "abandon_rate": self.abandon_rate,
            }
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the per-interval figures by name (``{"intervals": to_frame()}``)."""
        return {"intervals": self.to_frame()}

    def summary(self) -> Summary:
        """Lowest service level, highest ASA and number of unstable intervals."""
        figures = {
            "intervals": self.service_level.size,
            "unstable_intervals": int((~self.stable).sum()),
            "min_service_level": float(self.service_level.min(initial=1.0)),
            "max_asa_seconds": float(self.asa_seconds.max(initial=0.0)),
        }
        units = units_from_names(figures, min_service_level="fraction")
        return Summary("ChatMetrics", figures, units=units)


def chat_metrics(
    volume: npt.ArrayLike,
    agents: npt.ArrayLike,
    aht_seconds_by_concurrency: Sequence[float],
    *,
    target_seconds: float = 60.0,
    interval_seconds: float = 1800.0,
    patience_seconds: float | None = None,
    service_level_definition: str = "answered_of_offered",
) -> ChatMetrics:
    """Service level, probability of waiting and ASA of a chat team with concurrency.

    Parameters
    ----------
    volume : array_like
        Chat sessions offered per interval (>= 0).
    agents : array_like
        Agents logged in per interval (whole numbers >= 0).
    aht_seconds_by_concurrency : sequence of float
        Mean session handle time in seconds when the agent has 1, 2, ..., k sessions open;
        its length is the maximum concurrency k (>= 1).
    target_seconds : float, default 60.0
        Answer-time target in seconds.
    interval_seconds : float, default 1800.0
        Interval length in seconds.
    patience_seconds : float, optional
        Mean (exponential) patience of a waiting session in seconds; waiting sessions then
        also leave at rate ``(n - N k) / patience`` (the chat analogue of Erlang A).
    service_level_definition : str, default "answered_of_offered"
        With patience: one of ``wfm.erlang.ERLANG_A_SERVICE_LEVEL_DEFINITIONS``
        (``"answered_of_offered"``, ``"answered_of_answered"``,
        ``"answered_of_offered_excluding_early_abandons"``,
        ``"answered_or_early_abandoned_of_offered"``); without patience they coincide.

    Returns
    -------
    ChatMetrics

    Raises
    ------
    InputError
        On negative volume or agents, fractional agents, concurrency < 1, AHT <= 0,
        patience <= 0 or an unknown definition.

    Notes
    -----
    The model is defined in the module docstring. With one concurrency level it is Erlang C
    (Erlang A with patience).
    """
    aht = _check_concurrency_aht(aht_seconds_by_concurrency)
    volume_a = np.atleast_1d(_check_rates("volume", volume))
    agents_a = np.atleast_1d(_check_rates("agents", agents))
    if not np.all(agents_a == np.round(agents_a)):
        raise InputError("agents must be whole numbers for the chat model. Fix: round up.")
    _check_rates("interval_seconds", interval_seconds, positive=True)
    _check_rates("target_seconds", target_seconds)
    volume_a, agents_a = broadcast_named({"volume": volume_a, "agents": agents_a})
    if patience_seconds is not None:
        _check_rates("patience_seconds", patience_seconds, positive=True)
        service_level_definition = canonical_service_level_definition(
            service_level_definition,
            supported=ERLANG_A_SERVICE_LEVEL_DEFINITIONS,
            stage="the chat model with patience",
        )
        return _chat_with_patience(
            volume_a / interval_seconds,
            agents_a.astype(np.int64),
            aht,
            float(target_seconds),
            float(patience_seconds),
            service_level_definition,
        )
    arrival = volume_a / interval_seconds
    k = aht.size
    throughput = np.concatenate([[0.0], np.arange(1, k + 1) / aht])
    full_rate = agents_a * throughput[k]
    stable = (arrival < full_rate) | (arrival == 0)
    slots = (agents_a * k).astype(np.int64)
    max_slots = int(slots.max()) if slots.size else 0
    rates = _completion_rates(agents_a, throughput, max(max_slots, 1))
    with np.errstate(divide="ignore"):
        log_ratio = np.log(np.where(arrival > 0, arrival, 1.0))[:, None] - np.log(rates)
    columns = np.arange(1, max(max_slots, 1) + 1)[None, :]
    inside = columns <= slots[:, None]
    log_terms = np.cumsum(np.where(inside, log_ratio, 0.0), axis=1)
    log_terms = np.where(inside, log_terms, -np.inf)
    # unnormalised log pi(n) for n = 0..N k, then the geometric tail beyond N k
    log_pi = np.concatenate([np.zeros((arrival.size, 1)), log_terms], axis=1)
    peak = log_pi.max(axis=1, keepdims=True)
    weights = np.exp(log_pi - peak)
    head = weights.sum(axis=1)
    last = weights[np.arange(arrival.size), slots]
    rho = np.where(stable & (full_rate > 0), arrival / np.where(full_rate > 0, full_rate, 1), 0.0)
    tail = np.where(stable, last * rho / np.where(stable, 1 - rho, 1.0), np.inf)
    total = head + tail
    # an arrival waits when it finds n >= N k sessions (PASTA)
    with np.errstate(invalid="ignore"):
        waiting_mass = last + tail
        p_wait = np.where(stable, waiting_mass / total, 1.0)
    p_wait = np.where(arrival == 0, 0.0, p_wait)
    p_wait = np.where((agents_a == 0) & (arrival > 0), 1.0, p_wait)
    drain = np.where(stable, full_rate - arrival, 0.0)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        service_level = np.where(stable, 1 - p_wait * np.exp(-drain * target_seconds), 0.0)
        asa = np.where(stable, p_wait / np.where(drain > 0, drain, 1.0), np.inf)
    asa = np.where(arrival == 0, 0.0, asa)
    n_values = np.arange(0, max(max_slots, 1) + 1)[None, :]
    in_service = np.minimum(n_values, slots[:, None])
    busy_mass = (weights * in_service).sum(axis=1) + tail * slots
    with np.errstate(invalid="ignore", divide="ignore"):
        per_agent = np.where(
            stable & (agents_a > 0), busy_mass / total / np.maximum(agents_a, 1), np.nan
        )
    return ChatMetrics(
        probability_of_waiting=p_wait,
        service_level=service_level,
        asa_seconds=asa,
        sessions_per_agent=per_agent,
        stable=stable,
        abandon_rate=np.zeros(arrival.size),
    )


def _chat_with_patience(
    arrival: np.ndarray,
    agents: np.ndarray,
    aht: np.ndarray,
    target: float,
    patience: float,
    definition: str,
) -> ChatMetrics:
    """Chat chain with abandonment of waiting sessions, one interval at a time.

    Each interval needs its own truncated chain and one matrix exponential for the waiting
    time of a tagged session (as in :func:`wfm.erlang.erlang_x`).
    """
    k = aht.size
    throughput = np.concatenate([[0.0], np.arange(1, k + 1) / aht])
    theta = 1.0 / patience
    out = np.zeros((6, arrival.size))
    for i, (rate, n_agents) in enumerate(zip(arrival.tolist(), agents.tolist(), strict=True)):
        if rate == 0:
            out[:, i] = (0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
            continue
        slots = n_agents * k
        full = n_agents * throughput[k]
        waiting_states = int(max((rate - full) / theta, 0.0) + 10 * np.sqrt(rate / theta + 1) + 50)
        service = (
            _completion_rates(np.array([n_agents]), throughput, slots)[0]
            if slots > 0
            else np.zeros(0)
        )
        deaths = np.concatenate([service, full + theta * np.arange(1, waiting_states + 1)])
        log_pi = np.concatenate([[0.0], np.cumsum(np.log(rate) - np.log(deaths))])
        pi = np.exp(log_pi - log_pi.max())
        pi /= pi.sum()
        queued = pi[slots:]
        served, by_target, time_served, abandoned_by_target = tagged_wait(
            1, full, theta, queued.size - 1, target, theta
        )
        free = float(pi[:slots].sum())
        answered = free + float(queued @ served)
        in_target = free + float(queued @ by_target)
        early = float(queued @ abandoned_by_target)
        if definition == "answered_of_offered":
            level = in_target
        elif definition == "answered_of_answered":
            level = in_target / answered if answered > 0 else 0.0
        elif definition == "answered_or_early_abandoned_of_offered":
            level = in_target + early
        else:
            level = in_target / (1 - early) if early < 1 else 0.0
        asa = float(queued @ time_served) / answered if answered > 0 else np.inf
        busy = float(pi @ np.minimum(np.arange(pi.size), slots))
        per_agent = busy / n_agents if n_agents > 0 else np.nan
        out[:, i] = (float(queued.sum()), level, asa, per_agent, 1 - answered, 1.0)
    return ChatMetrics(
        probability_of_waiting=out[0],
        service_level=out[1],
        asa_seconds=out[2],
        sessions_per_agent=out[3],
        stable=out[5].astype(bool),
        abandon_rate=out[4],
    )


def chat_required_agents(
    frame: pd.DataFrame,
    aht_seconds_by_concurrency: Sequence[float],
    *,
    target_service_level: float = 0.8,
    target_seconds: float = 60.0,
    max_asa_seconds: float | None = None,
    patience_seconds: float | None = None,
    service_level_definition: str = "answered_of_offered",
    max_agents: int = 10_000,
) -> pd.DataFrame:
    """Fewest chat agents per interval meeting a service-level target (not volume / k).

    Parameters
    ----------
    frame : pandas.DataFrame
        Interval frame with ``queue``, ``interval_start``, ``volume`` (sessions offered per
        interval); ``aht_seconds`` is not used (handle time depends on concurrency).
    aht_seconds_by_concurrency : sequence of float
        Mean session handle time in seconds at concurrency 1..k (see :func:`chat_metrics`).
    target_service_level : float, default 0.8
        Fraction of sessions to answer within ``target_seconds`` (0 to 1).
    target_seconds : float, default 60.0
        Answer-time target in seconds.
    max_asa_seconds : float, optional
        Also require the mean wait to be at most this many seconds.
    patience_seconds : float, optional
        Mean patience of waiting sessions in seconds (see :func:`chat_metrics`).
    service_level_definition : str, default "answered_of_offered"
        Service-level definition used with ``patience_seconds``.
    max_agents : int, default 10000
        Search limit; exceeding it raises.

    Returns
    -------
    pandas.DataFrame
        The validated frame with ``required_agents``, ``service_level``, ``asa_seconds``
        and ``sessions_per_agent`` added.

    Raises
    ------
    InputError
        On a bad frame, concurrency < 1, or a target outside (0, 1).
    """
    aht = _check_concurrency_aht(aht_seconds_by_concurrency)
    if not 0 < target_service_level < 1:
        raise InputError(
            f"target_service_level={target_service_level!r} must be a fraction strictly "
            "between 0 and 1 (e.g. 0.8)."
        )
    table = validate_interval_frame(frame, require_aht=False, name="frame")
    interval_seconds = _interval_seconds(table)
    volume = table[VOLUME].to_numpy(dtype=np.float64)
    k = aht.size
    arrival = volume / interval_seconds
    # without abandonment stability needs N k / AHT[k] > lambda
    agents = np.floor(arrival * aht[-1] / k) + (1 if patience_seconds is None else 0)
    agents = np.where(volume > 0, agents, 0.0)
    for _ in range(max_agents):
        metrics = chat_metrics(
            volume,
            agents,
            aht.tolist(),
            target_seconds=target_seconds,
            interval_seconds=interval_seconds,
            patience_seconds=patience_seconds,
            service_level_definition=service_level_definition,
        )
        ok = metrics.service_level >= target_service_level
        if max_asa_seconds is not None:
            ok &= metrics.asa_seconds <= max_asa_seconds
        ok |= volume == 0
        if ok.all():
            break
        agents = np.where(ok, agents, agents + 1)
        if agents.max() > max_agents:
            raise InputError(
                f"more than max_agents={max_agents} chat agents would be needed. Fix: check the "
                "volume and AHT units (sessions per interval, seconds)."
            )
    out = table.copy()
    out[REQUIRED_AGENTS] = agents.astype(np.int64)
    out["service_level"] = metrics.service_level
    out["asa_seconds"] = metrics.asa_seconds
    out["sessions_per_agent"] = metrics.sessions_per_agent
    out["abandon_rate"] = metrics.abandon_rate
    return out


def _interval_seconds(table: pd.DataFrame) -> float:
    starts = pd.DatetimeIndex(table[INTERVAL_START].unique()).sort_values()
    if len(starts) < 2:
        return 1800.0
    return float(np.diff(starts.as_unit("ns").asi8).min()) / 1e9


# -------------------------------------------------------------------------- email


@dataclass(frozen=True, repr=False)
class EmailStaffingResult(ResultDisplay):
    """Plan of :func:`email_staffing`.

    Attributes
    ----------
    plan : pandas.DataFrame
        Per (queue, interval): ``volume``, ``aht_seconds``, ``open`` (business hours),
        ``required_agents``, ``work_arrived_seconds``, ``work_done_seconds``,
        ``backlog_contacts`` and ``backlog_work_seconds`` at the interval's end,
        ``oldest_age_hours`` of the backlog and ``occupancy`` (work done / agent time).
    age_profile : pandas.DataFrame
        Per (queue, interval): contacts in the backlog at the interval's end by age bucket
        (wall-clock hours since the start of the contact's arrival interval), one column
        per bucket.
    """

    plan: pd.DataFrame
    age_profile: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Return the plan frame."""
        return self.plan

    def summary(self) -> Summary:
        """Agent-hours, peak agents, largest backlog and its oldest age; per queue in breakdown.

        ``peak_agents`` over all queues is the largest total of required agents in one
        interval.
        """
        plan = self.plan
        hours = plan.groupby(QUEUE, sort=True)
        interval_hours = _interval_seconds(plan) / 3600.0
        breakdown = pd.DataFrame(
            {
                "agent_hours": hours[REQUIRED_AGENTS].sum() * interval_hours,
                "peak_agents": hours[REQUIRED_AGENTS].max(),
                "max_backlog_contacts": hours["backlog_contacts"].max(),
                "max_oldest_age_hours": hours["oldest_age_hours"].max(),
            }
        ).reset_index()
        per_interval = plan.groupby(INTERVAL_START, sort=False)[REQUIRED_AGENTS].sum()
        figures = {
            "queues": len(breakdown),
            "agent_hours": float(breakdown["agent_hours"].sum()),
            "peak_agents": float(per_interval.max()) if len(per_interval) else 0.0,
            "max_backlog_contacts": float(plan["backlog_contacts"].max()),
            "max_oldest_age_hours": float(plan["oldest_age_hours"].max()),
        }
        units = units_from_names(figures, peak_agents="agents")
        return Summary("EmailStaffingResult", figures, units=units, breakdown=breakdown)


def _open_mask(
    starts: pd.DatetimeIndex,
    business_hours: tuple[str, str] | None,
    business_days: Sequence[int],
    closed_dates: Sequence[date],
) -> np.ndarray:
    """Whether each interval lies in business hours (local wall clock of its time zone)."""
    try:
        closed_days = np.asarray([pd.Timestamp(d).date() for d in closed_dates], dtype=object)
        closed = np.isin(np.asarray(starts.date), closed_days)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"closed_dates={list(closed_dates)!r} must be dates (e.g. datetime.date or "
            "'2024-12-25')."
        ) from exc
    if business_hours is None:
        return ~closed
    try:
        opening = pd.Timedelta(business_hours[0] + ":00")
        closing = pd.Timedelta(business_hours[1] + ":00")
    except (ValueError, TypeError, IndexError) as exc:
        raise InputError(
            f"business_hours={business_hours!r} must be two 'HH:MM' strings, e.g. "
            "('08:00', '18:00')."
        ) from exc
    if closing <= opening:
        raise InputError(
            f"business_hours={business_hours!r}: closing must be after opening. Fix: pass "
            "('08:00', '18:00') style hours within one day."
        )
    days = set(business_days)
    if not days <= set(range(7)):
        raise InputError(
            f"business_days={list(business_days)!r} must be weekday numbers 0 (Monday) to 6."
        )
    # wall-clock minutes since local midnight (right on DST days too)
    clock = np.asarray(starts.hour * 60 + starts.minute, dtype=np.float64)
    opening_minutes = opening.total_seconds() / 60
    closing_minutes = closing.total_seconds() / 60
    in_hours = (clock >= opening_minutes) & (clock < closing_minutes)
    weekday_ok = np.isin(np.asarray(starts.day_of_week), sorted(days))
    return np.asarray(in_hours & weekday_ok & ~closed)


def _level_plan(
    work: np.ndarray,
    due_index: np.ndarray,
    capacity_per_agent: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Minimum-peak whole-agent plan meeting every deadline (fluid, FIFO).

    Parameters
    ----------
    work : numpy.ndarray
        Work arriving in each interval, seconds.
    due_index : numpy.ndarray
        Interval by whose end each interval's work must be done (>= horizon: not due).
    capacity_per_agent : numpy.ndarray
        Work one agent does per interval, seconds (0 when closed).

    Returns
    -------
    tuple of numpy.ndarray
        Agents per interval and cumulative work done at each interval's end (seconds).
    """
    n = work.size
    due_work = np.bincount(np.minimum(due_index, n), weights=work, minlength=n + 1)[:n]
    due_cumulative = np.cumsum(due_work)
    arrived_cumulative = np.cumsum(work)
    capacity_cumulative = np.concatenate([[0.0], np.cumsum(capacity_per_agent)])
    agents = np.zeros(n)
    done = np.zeros(n)
    done_before = 0.0
    # sequential by nature (each interval's whole-agent rounding changes the next); each
    # step is vectorised over the future deadlines
    for t in range(n):
        if capacity_per_agent[t] > 0:
            window = capacity_cumulative[t + 1 :] - capacity_cumulative[t]
            need = due_cumulative[t:] - done_before
            usable = window > 0
            rate = np.max(np.where(usable, need / np.where(usable, window, 1.0), 0.0))
            usable_rate = (arrived_cumulative[t] - done_before) / capacity_per_agent[t]
            agents[t] = np.ceil(max(min(rate, usable_rate), 0.0) - 1e-9)
        done_before = min(arrived_cumulative[t], done_before + agents[t] * capacity_per_agent[t])
        done[t] = done_before
    return agents, done


def email_staffing(
    frame: pd.DataFrame,
    *,
    deadline_hours: float,
    max_occupancy: float = 0.85,
    business_hours: tuple[str, str] | None = None,
    business_days: Sequence[int] = (0, 1, 2, 3, 4),
    closed_dates: Sequence[date] = (),
    age_bins_hours: Sequence[float] = (1.0, 4.0, 8.0, 24.0, 48.0),
) -> EmailStaffingResult:
    """Agents per interval so every email / back-office item is finished by its deadline.

    Parameters
    ----------
    frame : pandas.DataFrame
        Interval frame: ``queue``, ``interval_start`` (aware), ``volume`` (items arriving
        per interval), ``aht_seconds`` (work per item in seconds).
    deadline_hours : float
        Deadline in business hours, counted from the start of the interval in which an
        item arrives (or from the next opening if it arrives while closed). Must be at
        least one interval long.
    max_occupancy : float, default 0.85
        Fraction (0 to 1] of an agent's time spent on items.
    business_hours : tuple of str, optional
        ``("HH:MM", "HH:MM")`` opening and closing wall-clock times; ``None`` = always open.
    business_days : sequence of int, default Monday to Friday
        Open weekdays (0 = Monday), used with ``business_hours``.
    closed_dates : sequence of datetime.date, default ()
        Local dates on which the office is closed all day (public holidays); the deadline
        clock stops on them.
    age_bins_hours : sequence of float, default (1, 4, 8, 24, 48)
        Upper edges of the backlog age buckets in wall-clock hours; a last open bucket
        collects older items.

    Returns
    -------
    EmailStaffingResult

    Raises
    ------
    InputError
        On a bad frame, a deadline shorter than one interval, or a bad occupancy.

    Notes
    -----
    Fluid model: work is divisible, arrives spread over its interval and is worked first
    in first out. Items due after the horizon end impose nothing (they stay in the final
    backlog).
    """
    table = validate_interval_frame(frame, name="frame")
    if not 0 < max_occupancy <= 1:
        raise InputError(
            f"max_occupancy={max_occupancy!r} must be a fraction in (0, 1], e.g. 0.85."
        )
    interval_seconds = _interval_seconds(table)
    if not np.isfinite(deadline_hours) or deadline_hours * 3600 < interval_seconds:
        raise InputError(
            f"deadline_hours={deadline_hours!r} is shorter than one interval "
            f"({interval_seconds / 3600:g} h). Fix: use a deadline of at least one interval, "
            "or plan the channel with Erlang C (target_seconds) instead."
        )
    edges = np.asarray(age_bins_hours, dtype=np.float64)
    if edges.size == 0 or np.any(np.diff(edges) <= 0) or edges[0] <= 0:
        raise InputError(
            f"age_bins_hours={list(age_bins_hours)!r} must be increasing positive hours."
        )
    plans: list[pd.DataFrame] = []
    profiles: list[pd.DataFrame] = []
    for queue, part in table.groupby(QUEUE, sort=True):
        plan, profile = _email_queue(
            part.reset_index(drop=True),
            interval_seconds,
            deadline_hours,
            max_occupancy,
            business_hours,
            business_days,
            closed_dates,
            edges,
        )
        plan.insert(0, QUEUE, queue)
        profile.insert(0, QUEUE, queue)
        plans.append(plan)
        profiles.append(profile)
    return EmailStaffingResult(
        plan=pd.concat(plans, ignore_index=True), age_profile=pd.concat(profiles, ignore_index=True)
    )


def _email_queue(
    part: pd.DataFrame,
    interval_seconds: float,
    deadline_hours: float,
    max_occupancy: float,
    business_hours: tuple[str, str] | None,
    business_days: Sequence[int],
    closed_dates: Sequence[date],
    edges: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plan one queue (helper of :func:`email_staffing`)."""
    starts = pd.DatetimeIndex(part[INTERVAL_START])
    steps = np.diff(starts.as_unit("ns").asi8)
    if steps.size and np.any(steps != interval_seconds * 1e9):
        raise InputError(
            "frame['interval_start'] has gaps within a queue. Fix: add the missing intervals "
            "with volume 0 (the backlog is carried interval to interval)."
        )
    volume = part[VOLUME].to_numpy(dtype=np.float64)
    aht = np.nan_to_num(part[AHT_SECONDS].to_numpy(dtype=np.float64), nan=0.0)
    work = volume * aht
    is_open = _open_mask(starts, business_hours, business_days, closed_dates)
    open_seconds = np.where(is_open, interval_seconds, 0.0)
    open_before = np.concatenate([[0.0], np.cumsum(open_seconds)])
    deadline_seconds = deadline_hours * 3600.0
    # due by the end of interval s: open time from start of t to end of s >= deadline
    due_index = np.searchsorted(open_before[1:], open_before[:-1] + deadline_seconds - 1e-6)
    capacity = open_seconds * max_occupancy
    agents, done = _level_plan(work, due_index, capacity)
    cumulative_work = np.cumsum(work)
    previous = np.concatenate([[0.0], cumulative_work[:-1]])
    # remaining work of arrival interval j (columns) at the end of interval t (rows), FIFO
    remaining = np.clip(
        cumulative_work[None, :] - np.maximum(done[:, None], previous[None, :]), 0.0, None
    )
    remaining = np.minimum(remaining, work[None, :])
    n = work.size
    arrived_yet = np.arange(n)[None, :] <= np.arange(n)[:, None]
    remaining = np.where(arrived_yet, remaining, 0.0)
    per_item = np.where(aht > 0, aht, 1.0)
    remaining_items = remaining / per_item[None, :]
    age_hours = (np.arange(n)[:, None] - np.arange(n)[None, :] + 1) * interval_seconds / 3600.0
    has_backlog = remaining_items > 1e-9
    oldest = np.where(has_backlog, age_hours, 0.0).max(axis=1)
    bucket = np.searchsorted(edges, age_hours, side="left")
    labels = [f"age_le_{edge:g}h" for edge in edges] + [f"age_gt_{edges[-1]:g}h"]
    profile = {
        label: np.where(bucket == b, remaining_items, 0.0).sum(axis=1)
        for b, label in enumerate(labels)
    }
    delivered = np.diff(np.concatenate([[0.0], done]))
    agent_time = agents * interval_seconds
    with np.errstate(invalid="ignore", divide="ignore"):
        realised = np.where(
            agent_time > 0, delivered / np.where(agent_time > 0, agent_time, 1), 0.0
        )
    plan = pd.DataFrame(
        {
            INTERVAL_START: starts,
            VOLUME: volume,
            AHT_SECONDS: part[AHT_SECONDS].to_numpy(),
            "open": is_open,
            REQUIRED_AGENTS: agents.astype(np.int64),
            "work_arrived_seconds": work,
            "work_done_seconds": delivered,
            "backlog_work_seconds": cumulative_work - done,
            "backlog_contacts": remaining_items.sum(axis=1),
            "oldest_age_hours": oldest,
            "occupancy": realised,
        }
    )
    age_frame = pd.DataFrame({INTERVAL_START: starts, **profile})
    return plan, age_frame
