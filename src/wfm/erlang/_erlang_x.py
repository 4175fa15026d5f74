"""Erlang X: Erlang A with finite lines (blocking) and redials, solved by a fixed point.

Model (per interval, steady state): fresh contacts arrive as a Poisson stream of rate
``lambda = volume / interval_seconds``; ``N`` agents serve at rate ``mu = 1 / AHT``;
waiting callers abandon at rate ``theta = 1 / patience`` (exponential patience); at most
``L`` contacts (``lines``) may be in the system, an arrival finding ``L`` is blocked. A
blocked or abandoned contact calls again with probability ``r`` (``redial_probability``).
Redials are treated as extra Poisson arrivals, so the total attempt rate solves the fixed
point

    lambda_total = lambda + r * lambda_total * (P_block + (1 - P_block) * P_abandon)

where ``P_block`` and ``P_abandon`` are those of the birth-death chain on the number in
system ``n = 0..L`` with birth rate ``lambda_total`` (``n < L``) and death rate
``min(n, N) mu + max(n - N, 0) theta``. The fixed point is found by damped iteration.

Service levels (over attempts that get a line), for target time ``T``:

* ``virtual_waiting_time``: P(an infinitely patient caller would wait <= T);
* ``answered_of_answered``: answered within T / answered;
* ``answered_of_offered``: answered within T / offered (abandoned included).

A tagged caller who finds ``j`` callers waiting ahead moves up at rate ``N mu + i theta``
while ``i`` are ahead and abandons at rate ``theta``; its wait distribution follows from the
matrix exponential of that small absorbing chain (Koole, "Call Center Optimization", 2013,
chapter 5, describes the same construction; the chain is the M/M/N/L+M of Garnett,
Mandelbaum and Reiman, "Designing a call center with impatient customers", MSOM 4(3), 2002,
with lines).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.linalg import expm

from wfm.core._display import ResultDisplay, Summary, units_from_names
from wfm.core.errors import InputError, describe_value
from wfm.core.frames import (
    AHT_SECONDS,
    INTERVAL_START,
    VOLUME,
    require_columns,
    validate_interval_frame,
)
from wfm.erlang._checks import broadcast_named, check_range

__all__ = ["ErlangXMetrics", "erlang_x", "erlang_x_intervals"]

_TAIL_TOLERANCE = 1e-13
_MAX_ITERATIONS = 500


@dataclass(frozen=True, repr=False)
class ErlangXMetrics(ResultDisplay):
    """Steady-state figures of :func:`erlang_x`, one entry per interval.

    Attributes
    ----------
    service_level_virtual_waiting_time : numpy.ndarray
        P(virtual wait <= target) for attempts that get a line (fraction).
    service_level_answered_of_answered : numpy.ndarray
        Answered within target / answered (fraction).
    service_level_answered_of_offered : numpy.ndarray
        Answered within target / attempts that get a line (fraction).
    probability_blocked : numpy.ndarray
        Fraction of attempts that find every line busy.
    abandon_rate : numpy.ndarray
        Fraction of attempts with a line that abandon.
    asa_seconds : numpy.ndarray
        Mean wait of answered attempts in seconds.
    occupancy : numpy.ndarray
        Mean busy agents / agents (fraction).
    attempts : numpy.ndarray
        Attempts per interval including redials (fixed-point solution).
    redials : numpy.ndarray
        Redial attempts per interval.
    """

    service_level_virtual_waiting_time: np.ndarray
    service_level_answered_of_answered: np.ndarray
    service_level_answered_of_offered: np.ndarray
    probability_blocked: np.ndarray
    abandon_rate: np.ndarray
    asa_seconds: np.ndarray
    occupancy: np.ndarray
    attempts: np.ndarray
    redials: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """One row per interval, one column per figure."""
        return pd.DataFrame({f.name: getattr(self, f.name) for f in fields(self)})

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the per-interval figures by name (``{"intervals": to_frame()}``)."""
        return {"intervals": self.to_frame()}

    def summary(self) -> Summary:
        """Worst interval of each figure and the attempts and redials over all intervals.

        NaN figures (intervals without load) are left out; a figure that is NaN in every
        interval is NaN.
        """

        def worst(values: np.ndarray, lowest: bool) -> float:
            finite = values[~np.isnan(values)]
            if not finite.size:
                return math.nan
            return float(finite.min() if lowest else finite.max())

        figures = {
            "intervals": int(np.size(self.attempts)),
            "min_service_level_answered_of_offered": worst(
                np.atleast_1d(self.service_level_answered_of_offered), True
            ),
            "max_probability_blocked": worst(np.atleast_1d(self.probability_blocked), False),
            "max_abandon_rate": worst(np.atleast_1d(self.abandon_rate), False),
            "max_asa_seconds": worst(np.atleast_1d(self.asa_seconds), False),
            "max_occupancy": worst(np.atleast_1d(self.occupancy), False),
            "attempts": float(np.nansum(self.attempts)),
            "redials": float(np.nansum(self.redials)),
        }
        units = units_from_names(
            figures,
            min_service_level_answered_of_offered="fraction",
            max_probability_blocked="fraction",
            max_occupancy="fraction",
            attempts="contacts",
            redials="contacts",
        )
        return Summary("ErlangXMetrics", figures, units=units)


def _check(name: str, value: Any, *, positive: bool, allow_none: bool = False) -> np.ndarray:
    """Finite, >= 0 (> 0 when ``positive``), no booleans; ``None`` is NaN where allowed."""
    if value is None:
        if allow_none:
            return np.asarray(np.nan)
        raise InputError(f"{name} is required. Fix: pass {name}.")
    return check_range(value, name, low=0.0, low_inclusive=not positive)


def _chain(
    arrival: float, agents: int, mu: float, theta: float, lines: int
) -> tuple[np.ndarray, float, float]:
    """Stationary distribution of the M/M/N/L+M chain, P(block), P(abandon | admitted)."""
    n = np.arange(1, lines + 1)
    death = np.minimum(n, agents) * mu + np.maximum(n - agents, 0) * theta
    with np.errstate(divide="ignore"):
        log_ratio = np.log(arrival) - np.log(death)
    log_pi = np.concatenate([[0.0], np.cumsum(log_ratio)])
    log_pi -= log_pi.max()
    pi = np.exp(log_pi)
    pi /= pi.sum()
    blocked = float(pi[-1])
    waiting = np.maximum(np.arange(lines + 1) - agents, 0)
    admitted = arrival * (1 - blocked)
    abandon = float(theta * (pi * waiting).sum() / admitted) if admitted > 0 else 0.0
    return pi, blocked, abandon


def _lines_for(arrival: float, agents: int, mu: float, theta: float, lines: float) -> int:
    """Lines to use: the given number, or enough that the truncated tail is negligible."""
    if np.isfinite(lines):
        return int(lines)
    size = max(agents + 20, 2 * agents)
    while True:
        pi, _, _ = _chain(arrival, agents, mu, theta, size)
        if pi[-1] < _TAIL_TOLERANCE:
            return size
        size *= 2
        if size > 1_000_000:
            raise InputError(
                "erlang_x needs patience_seconds or lines for an overloaded queue. Fix: give "
                "the mean patience or the number of lines."
            )


def tagged_wait(
    agents: int, mu: float, theta: float, ahead_max: int, target: float, own_theta: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fates of a waiting caller with i = 0..ahead_max callers ahead of it.

    Returns P(served), P(served by T), E[wait; served] (seconds) and P(abandoned by T).
    Callers ahead leave at rate ``agents * mu + i * theta``; the caller itself abandons at
    rate ``own_theta`` (0 for the virtual waiting time).
    """
    size = ahead_max + 1
    ahead = np.arange(size)
    move = agents * mu + ahead * theta
    total = move + own_theta
    served = np.empty(size)
    time_served = np.empty(size)
    previous_served, previous_time = 1.0, 0.0
    for i in range(size):  # short forward recursion over positions in the queue
        served[i] = move[i] / total[i] * previous_served
        time_served[i] = served[i] / total[i] + move[i] / total[i] * previous_time
        previous_served, previous_time = served[i], time_served[i]
    generator = np.zeros((size + 2, size + 2))
    generator[ahead, ahead] = -total
    generator[ahead[1:], ahead[:-1]] = move[1:]
    generator[0, size] = move[0]  # reaches an agent
    generator[ahead, size + 1] = own_theta  # abandons
    if target > 0:
        transition = expm(generator * target)
        by_target, abandoned_by_target = transition[:size, size], transition[:size, size + 1]
    else:
        by_target, abandoned_by_target = np.zeros(size), np.zeros(size)
    return served, by_target, time_served, abandoned_by_target


def _single(
    volume: float,
    aht: float,
    agents: int,
    target: float,
    patience: float,
    lines: float,
    redial: float,
    interval: float,
) -> tuple[float, ...]:
    """All figures for one interval (see :class:`ErlangXMetrics` for the order)."""
    fresh = volume / interval
    if fresh == 0:
        return (1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    mu = 1 / aht
    theta = 0.0 if not np.isfinite(patience) else 1 / patience
    if agents == 0 and not np.isfinite(lines):
        raise InputError("agents=0 with unlimited lines has no steady state. Fix: give lines.")
    total = fresh
    size = _lines_for(total / (1 - redial) if redial < 1 else total, agents, mu, theta, lines)
    for _ in range(_MAX_ITERATIONS):
        _, blocked, abandon = _chain(total, agents, mu, theta, size)
        updated = fresh + redial * total * (blocked + (1 - blocked) * abandon)
        if abs(updated - total) <= 1e-12 * max(total, 1e-300):
            total = updated
            break
        total = 0.5 * total + 0.5 * updated
    pi, blocked, abandon = _chain(total, agents, mu, theta, size)
    admitted_states = pi[:-1] / (1 - blocked)  # PASTA: states seen by admitted arrivals
    waiting_ahead = np.maximum(np.arange(size) - agents, 0)
    queued = np.arange(size) >= agents
    ahead_max = max(size - 1 - agents, 0)
    served, by_target, time_served, _ = tagged_wait(agents, mu, theta, ahead_max, target, theta)
    _, virtual_by_target, _, _ = tagged_wait(agents, mu, theta, ahead_max, target, 0.0)
    position = np.minimum(waiting_ahead, ahead_max)
    p_answered = np.where(queued, served[position], 1.0)
    p_answered_in_target = np.where(queued, by_target[position], 1.0)
    p_virtual = np.where(queued, virtual_by_target[position], 1.0)
    wait_answered = np.where(queued, time_served[position], 0.0)
    answered = float((admitted_states * p_answered).sum())
    in_target = float((admitted_states * p_answered_in_target).sum())
    virtual = float((admitted_states * p_virtual).sum())
    asa = float((admitted_states * wait_answered).sum()) / answered if answered > 0 else np.inf
    busy = float((pi * np.minimum(np.arange(size + 1), agents)).sum())
    attempts = total * interval
    return (
        virtual,
        in_target / answered if answered > 0 else 0.0,
        in_target,
        blocked,
        abandon,
        asa,
        busy / agents if agents > 0 else 0.0,
        attempts,
        (total - fresh) * interval,
    )


def erlang_x(
    volume: npt.ArrayLike,
    aht_seconds: npt.ArrayLike,
    agents: npt.ArrayLike,
    *,
    target_seconds: npt.ArrayLike = 20.0,
    patience_seconds: npt.ArrayLike | None = None,
    lines: npt.ArrayLike | None = None,
    redial_probability: npt.ArrayLike = 0.0,
    interval_seconds: float = 1800.0,
) -> ErlangXMetrics:
    """Erlang X figures per interval: Erlang A with finite lines and redials.

    Parameters
    ----------
    volume : array_like
        Fresh contacts offered per interval (>= 0), redials excluded.
    aht_seconds : array_like
        Average handle time in seconds (> 0).
    agents : array_like
        Agents (whole numbers >= 0).
    target_seconds : array_like, default 20.0
        Answer-time target in seconds.
    patience_seconds : array_like, optional
        Mean (exponential) patience in seconds; ``None`` = callers never abandon (then
        ``lines`` is needed unless the queue is stable).
    lines : array_like, optional
        Lines (trunks): most contacts in the system, >= agents; ``None`` = unlimited.
    redial_probability : array_like, default 0.0
        Probability (0 to 1, < 1) that a blocked or abandoned contact calls again.
    interval_seconds : float, default 1800.0
        Interval length in seconds.

    Returns
    -------
    ErlangXMetrics

    Raises
    ------
    InputError
        On negative or missing values, fractional agents, lines below agents, or a
        redial probability outside [0, 1).

    Notes
    -----
    With unlimited lines and no redials this is Erlang A (M/M/N+M); without patience and
    with unlimited lines it is Erlang C.
    """
    volume_a = _check("volume", volume, positive=False)
    aht_a = _check("aht_seconds", aht_seconds, positive=True)
    agents_a = _check("agents", agents, positive=False)
    target_a = _check("target_seconds", target_seconds, positive=False)
    patience_a = _check("patience_seconds", patience_seconds, positive=True, allow_none=True)
    lines_a = _check("lines", lines, positive=True, allow_none=True)
    redial_a = _check("redial_probability", redial_probability, positive=False)
    _check("interval_seconds", interval_seconds, positive=True)
    if np.any(redial_a >= 1):
        raise InputError(
            f"redial_probability={describe_value(redial_a.tolist())} must be below 1 (every "
            "caller redialling for ever has no steady state)."
        )
    if np.any(agents_a != np.round(agents_a)):
        raise InputError("agents must be whole numbers for Erlang X. Fix: round up.")
    arrays = broadcast_named(
        {
            "volume": volume_a,
            "aht_seconds": aht_a,
            "agents": agents_a,
            "target": target_a,
            "patience_seconds": patience_a,
            "lines": lines_a,
            "redial_probability": redial_a,
        }
    )
    flat = [np.atleast_1d(a).ravel() for a in arrays]
    lines_flat = np.where(np.isnan(flat[5]), np.inf, flat[5])
    patience_flat = np.where(np.isnan(flat[4]), np.inf, flat[4])
    if np.any(lines_flat < flat[2]):
        raise InputError("lines must be >= agents (every agent needs a line). Fix: add lines.")
    no_patience = ~np.isfinite(patience_flat) & ~np.isfinite(lines_flat)
    unstable = no_patience & (flat[0] * flat[1] / interval_seconds >= flat[2]) & (flat[0] > 0)
    if unstable.any():
        raise InputError(
            "erlang_x without patience_seconds and lines needs agents > offered traffic. Fix: "
            "give patience_seconds or lines, or add agents."
        )
    rows = [
        _single(
            float(flat[0][i]),
            float(flat[1][i]),
            int(flat[2][i]),
            float(flat[3][i]),
            float(patience_flat[i]),
            float(lines_flat[i]),
            float(flat[6][i]),
            float(interval_seconds),
        )
        for i in range(flat[0].size)
    ]
    table = np.asarray(rows, dtype=np.float64).reshape(len(rows), 9)
    return ErlangXMetrics(*(table[:, column] for column in range(9)))


def erlang_x_intervals(
    frame: pd.DataFrame,
    *,
    agents_column: str = "agents",
    target_seconds: float = 20.0,
    patience_seconds: float | None = None,
    lines: int | None = None,
    redial_probability: float = 0.0,
) -> pd.DataFrame:
    """Erlang X for every row of an interval frame (the DataFrame entry point).

    Parameters
    ----------
    frame : pandas.DataFrame
        Interval frame (``queue``, ``interval_start``, ``volume``, ``aht_seconds``) with a
        column of whole agent counts.
    agents_column : str, default "agents"
        Name of that column (e.g. ``"required_agents"``).
    target_seconds, patience_seconds, lines, redial_probability
        As in :func:`erlang_x` (scalars, the same for every row).

    Returns
    -------
    pandas.DataFrame
        The validated, sorted frame with every :class:`ErlangXMetrics` figure as a column.

    Raises
    ------
    InputError
        On a bad frame or any value :func:`erlang_x` rejects.
    """
    require_columns(frame, [agents_column], name="frame")
    table = validate_interval_frame(frame, extra_columns=[agents_column], name="frame")
    starts = pd.DatetimeIndex(table[INTERVAL_START].unique()).sort_values()
    interval_seconds = (
        float(np.diff(starts.as_unit("ns").asi8).min()) / 1e9 if len(starts) > 1 else 1800.0
    )
    aht = table[AHT_SECONDS].to_numpy(dtype=np.float64)
    volume = table[VOLUME].to_numpy(dtype=np.float64)
    metrics = erlang_x(
        volume,
        np.where(np.isfinite(aht) & (aht > 0), aht, 1.0),
        table[agents_column].to_numpy(dtype=np.float64),
        target_seconds=target_seconds,
        patience_seconds=patience_seconds,
        lines=lines,
        redial_probability=redial_probability,
        interval_seconds=interval_seconds,
    )
    return pd.concat([table, metrics.to_frame()], axis=1)
