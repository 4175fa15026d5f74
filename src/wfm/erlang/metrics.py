"""Interval performance metrics under Erlang C (M/M/N) and Erlang A (M/M/N+M).

Every function takes the offered ``volume`` (contacts per interval), the average handle time
``aht_seconds`` and the ``agents`` on the queue, broadcast together as numpy arrays (pandas
Series are accepted; the result is always a numpy array, 0-d for all-scalar input). The
offered traffic in Erlangs is ``volume × aht_seconds / interval_seconds``.

Without ``patience_seconds`` the model is Erlang C: nobody abandons. With
``patience_seconds`` (the mean of exponentially distributed patience) the model is Erlang A
(Garnett, Mandelbaum and Reiman, 2002), evaluated exactly through incomplete gamma functions
(see ``docs/erlang.md``).

Conventions for degenerate intervals (documented, never silent):

- zero volume: nobody waits; service level 1, ASA 0, occupancy 0, abandonment 0;
- Erlang C with ``agents <= traffic`` (unstable queue): probability of waiting 1, service
  level 0, ASA ``inf``, occupancy 1 (every agent busy);
- Erlang A with ``agents == 0``: every contact abandons; service level 0, ASA ``inf``
  (there are no answered contacts), occupancy 1.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wfm.core import InputError
from wfm.core._deprecation import REMOVED_IN, renamed_keyword
from wfm.core.service_level import (
    MODELLED_SERVICE_LEVEL_DEFINITIONS,
    canonical_service_level_definition,
)
from wfm.erlang._checks import (
    BoolArray,
    FloatArray,
    check_agents,
    check_aht,
    check_fraction_open,
    check_interval_seconds,
    check_patience,
    check_seconds,
    check_volume,
)
from wfm.erlang.kernels import (
    ErlangAState,
    erlang_a_state,
    erlang_a_tail_terms,
    log_erlang_c,
)

ERLANG_A_SERVICE_LEVEL_DEFINITIONS: tuple[str, ...] = MODELLED_SERVICE_LEVEL_DEFINITIONS
"""The service-level definitions Erlang A computes (names of :mod:`wfm.core.service_level`)."""


def __getattr__(name: str) -> object:
    if name == "SERVICE_LEVEL_DEFINITIONS":
        warnings.warn(
            "wfm.erlang.metrics.SERVICE_LEVEL_DEFINITIONS is deprecated and goes in wfm "
            f"{REMOVED_IN}; use wfm.erlang.ERLANG_A_SERVICE_LEVEL_DEFINITIONS (what Erlang A "
            "computes) or wfm.core.SERVICE_LEVEL_DEFINITIONS (every definition) instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return ERLANG_A_SERVICE_LEVEL_DEFINITIONS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_PERCENTILE_BISECTION_STEPS = 60


@dataclass(frozen=True)
class QueueInputs:
    """Validated, broadcast inputs of one metric call (private helper type).

    Attributes
    ----------
    volume : numpy.ndarray
        Contacts offered per interval.
    aht_seconds : numpy.ndarray
        Average handle time in seconds (1.0 placeholder where volume is 0 and AHT missing).
    agents : numpy.ndarray
        Agents (fractional allowed).
    traffic : numpy.ndarray
        Offered traffic in Erlangs.
    patience_seconds : numpy.ndarray or None
        Mean patience in seconds; ``None`` for Erlang C.
    """

    volume: FloatArray
    aht_seconds: FloatArray
    agents: FloatArray
    traffic: FloatArray
    patience_seconds: FloatArray | None


def prepare_inputs(
    volume: npt.ArrayLike,
    aht_seconds: npt.ArrayLike,
    agents: npt.ArrayLike,
    *,
    interval_seconds: npt.ArrayLike,
    patience_seconds: npt.ArrayLike | None,
    also: tuple[FloatArray, ...] = (),
) -> QueueInputs:
    """Validate and broadcast the common metric inputs.

    Parameters
    ----------
    volume, aht_seconds, agents, interval_seconds, patience_seconds : array_like
        See the public metric functions.
    also : tuple of numpy.ndarray, default ()
        Further validated arrays (targets) whose shape takes part in the broadcast.

    Returns
    -------
    QueueInputs
        Broadcast float64 arrays.

    Raises
    ------
    InputError
        On any invalid value.
    """
    volume_a = check_volume(volume)
    aht_a = check_aht(aht_seconds, volume_a)
    agents_a = check_agents(agents)
    interval_a = check_interval_seconds(interval_seconds)
    patience_a = check_patience(patience_seconds)
    arrays = [volume_a, aht_a, agents_a, interval_a]
    if patience_a is not None:
        arrays.append(patience_a)
    try:
        if also:
            shape = np.broadcast_shapes(*(np.shape(a) for a in (*arrays, *also)))
            arrays = [np.broadcast_to(a, shape) for a in arrays]
        broadcast = [np.asarray(a, dtype=np.float64) for a in np.broadcast_arrays(*arrays)]
    except ValueError as exc:
        shapes = [np.shape(a) for a in (*arrays, *also)]
        raise InputError(
            "volume, aht_seconds, agents, interval_seconds, patience_seconds and targets have "
            f"shapes {shapes} that do not broadcast together. Fix: pass arrays of one length "
            "(or scalars)."
        ) from exc
    traffic = broadcast[0] * broadcast[1] / broadcast[3]
    return QueueInputs(
        volume=broadcast[0],
        aht_seconds=broadcast[1],
        agents=broadcast[2],
        traffic=traffic,
        patience_seconds=broadcast[4] if patience_a is not None else None,
    )


def check_definition(definition: str | None) -> str:
    """Validate an Erlang A service-level definition name (required, no default).

    Parameters
    ----------
    definition : str or None
        One of :data:`ERLANG_A_SERVICE_LEVEL_DEFINITIONS` (a deprecated former name warns).

    Returns
    -------
    str
        The canonical name.

    Raises
    ------
    InputError
        If missing or unknown.
    """
    if definition is None:
        raise InputError(
            "service-level definition is required with patience_seconds (Erlang A), because "
            "abandoned contacts make the usual definitions differ. Fix: pass "
            f"service_level_definition= as one of "
            f"{list(ERLANG_A_SERVICE_LEVEL_DEFINITIONS)}."
        )
    return canonical_service_level_definition(
        definition,
        supported=ERLANG_A_SERVICE_LEVEL_DEFINITIONS,
        stage="Erlang A (its exponential patience has no short-abandon threshold)",
        stacklevel=4,
    )


# --------------------------------------------------------------------------------------
# Erlang C pieces (arrays already validated)
# --------------------------------------------------------------------------------------


def erlang_c_service_level(q: QueueInputs, target_seconds: FloatArray) -> FloatArray:
    """Fraction answered within ``target_seconds`` under Erlang C: ``1 − C e^{−(N−A)T/AHT}``."""
    log_c = log_erlang_c(q.traffic, q.agents)
    excess = q.agents - q.traffic
    with np.errstate(invalid="ignore", over="ignore"):
        missed = np.exp(log_c - excess * target_seconds / q.aht_seconds)
    level = np.where(excess > 0, 1.0 - np.minimum(missed, 1.0), 0.0)
    return np.asarray(np.where(q.traffic > 0, level, 1.0), dtype=np.float64)


def erlang_c_asa(q: QueueInputs) -> FloatArray:
    """Mean wait of all contacts in seconds under Erlang C: ``C × AHT / (N − A)``."""
    log_c = log_erlang_c(q.traffic, q.agents)
    excess = q.agents - q.traffic
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = np.exp(log_c) * q.aht_seconds / excess
    asa = np.where(excess > 0, asa, np.inf)
    return np.asarray(np.where(q.traffic > 0, asa, 0.0), dtype=np.float64)


def erlang_c_occupancy(q: QueueInputs) -> FloatArray:
    """Agent occupancy under Erlang C: ``A / N``, 1 where ``N <= A`` and 0 without traffic."""
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = np.where(
            q.agents > q.traffic, q.traffic / np.where(q.agents > q.traffic, q.agents, 1.0), 1.0
        )
    return np.asarray(np.where(q.traffic > 0, busy, 0.0), dtype=np.float64)


# --------------------------------------------------------------------------------------
# Erlang A pieces
# --------------------------------------------------------------------------------------


def _erlang_a(
    q: QueueInputs, *, derivative: bool = False
) -> tuple[ErlangAState, BoolArray, FloatArray]:
    """State on the positive-traffic entries, the mask and the patience/AHT ratio there."""
    assert q.patience_seconds is not None
    positive = q.traffic > 0
    ratio = q.patience_seconds[positive] / q.aht_seconds[positive]
    state = erlang_a_state(q.traffic[positive], q.agents[positive], ratio, derivative=derivative)
    return state, positive, ratio


def _scatter(positive: BoolArray, values: FloatArray, fill: float) -> FloatArray:
    """Put ``values`` where ``positive`` holds and ``fill`` elsewhere."""
    out = np.full(positive.shape, fill, dtype=np.float64)
    out[positive] = values
    return out


def erlang_a_abandon(state: ErlangAState) -> FloatArray:
    """Fraction of offered contacts that abandon: ``π_N D / y``."""
    abandon = np.minimum(np.exp(state.log_pi + state.sums.log_d - np.log(state.y)), 1.0)
    return np.asarray(np.where(state.s > 0, abandon, 1.0), dtype=np.float64)


def erlang_a_served(state: ErlangAState) -> FloatArray:
    """Fraction of offered contacts that are answered (0 with no agents)."""
    served = np.where(state.s > 0, np.exp(state.log_served), 0.0)
    return np.asarray(np.clip(served, 0.0, 1.0), dtype=np.float64)


def erlang_a_service_level(
    q: QueueInputs, target_seconds: FloatArray, definition: str
) -> FloatArray:
    """Service level under Erlang A for one of :data:`ERLANG_A_SERVICE_LEVEL_DEFINITIONS`."""
    state, positive, _ = _erlang_a(q)
    patience = q.patience_seconds[positive]  # type: ignore[index]
    target = np.broadcast_to(target_seconds, q.traffic.shape)[positive]
    served_later, _, abandoned_early = erlang_a_tail_terms(state, target / patience)
    served = erlang_a_served(state)
    answered_within = np.clip(served - served_later, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if definition == "answered_of_offered":
            level = answered_within
        elif definition == "answered_of_answered":
            level = np.where(served > 0, 1.0 - served_later / served, 0.0)
        elif definition == "answered_or_early_abandoned_of_offered":
            level = answered_within + abandoned_early
        else:
            denominator = 1.0 - abandoned_early
            level = np.where(denominator > 0, answered_within / denominator, 0.0)
    return _scatter(positive, np.clip(level, 0.0, 1.0), 1.0)


def erlang_a_abandon_rate(q: QueueInputs) -> FloatArray:
    """Fraction of offered contacts that abandon under Erlang A (0 without traffic)."""
    state, positive, _ = _erlang_a(q)
    return _scatter(positive, erlang_a_abandon(state), 0.0)


def erlang_a_asa(q: QueueInputs) -> FloatArray:
    """Mean wait of answered contacts in seconds under Erlang A."""
    state, positive, _ = _erlang_a(q, derivative=True)
    patience = q.patience_seconds[positive]  # type: ignore[index]
    served = erlang_a_served(state)
    s = state.s
    with np.errstate(divide="ignore", invalid="ignore"):
        log_wait_mass = (
            np.log(patience)
            + state.log_pi
            + np.log(s)
            - np.log1p(s)
            + np.logaddexp(state.sums.log_m2 - np.log1p(s), state.sums.log_dm2)
        )
        asa = np.exp(log_wait_mass - np.log(served))
    asa = np.where((s > 0) & (served > 0), asa, np.inf)
    return _scatter(positive, asa, 0.0)


def erlang_a_occupancy(q: QueueInputs) -> FloatArray:
    """Agent occupancy under Erlang A: carried load ``A (1 − abandon)`` over ``N``."""
    state, positive, _ = _erlang_a(q)
    served = erlang_a_served(state)
    agents = q.agents[positive]
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = np.where(agents > 0, q.traffic[positive] * served / agents, 1.0)
    return _scatter(positive, np.clip(busy, 0.0, 1.0), 0.0)


# --------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------


def probability_of_waiting(
    volume: npt.ArrayLike,
    aht_seconds: npt.ArrayLike,
    agents: npt.ArrayLike,
    *,
    interval_seconds: npt.ArrayLike = 1800,
    patience_seconds: npt.ArrayLike | None = None,
) -> FloatArray:
    """Probability that an offered contact has to wait (is not answered at once).

    Parameters
    ----------
    volume : array_like
        Contacts offered per interval (>= 0).
    aht_seconds : array_like
        Average handle time in seconds (> 0 where volume > 0).
    agents : array_like
        Agents on the queue (>= 0; fractional allowed).
    interval_seconds : array_like, default 1800
        Interval length in seconds.
    patience_seconds : array_like, optional
        Mean patience in seconds; switches from Erlang C to Erlang A.

    Returns
    -------
    numpy.ndarray
        Fraction 0..1 of offered contacts that find every agent busy (Erlang C: the Erlang C
        formula; Erlang A: ``π_N × M(1, s+1, y)``). 0 where volume is 0.
    """
    q = prepare_inputs(
        volume,
        aht_seconds,
        agents,
        interval_seconds=interval_seconds,
        patience_seconds=patience_seconds,
    )
    if q.patience_seconds is None:
        return np.asarray(np.exp(log_erlang_c(q.traffic, q.agents)), dtype=np.float64)
    state, positive, _ = _erlang_a(q)
    waiting = np.minimum(np.exp(state.log_pi + state.sums.log_t), 1.0)
    return _scatter(positive, waiting, 0.0)


def service_level(
    volume: npt.ArrayLike,
    aht_seconds: npt.ArrayLike,
    agents: npt.ArrayLike,
    target_seconds: npt.ArrayLike,
    *,
    interval_seconds: npt.ArrayLike = 1800,
    patience_seconds: npt.ArrayLike | None = None,
    service_level_definition: str | None = None,
    definition: str | None = None,
) -> FloatArray:
    """Service level: the fraction of contacts answered within ``target_seconds``.

    Parameters
    ----------
    volume : array_like
        Contacts offered per interval (>= 0).
    aht_seconds : array_like
        Average handle time in seconds (> 0 where volume > 0).
    agents : array_like
        Agents on the queue (>= 0; fractional allowed).
    target_seconds : array_like
        Answer-time target T in seconds (>= 0).
    interval_seconds : array_like, default 1800
        Interval length in seconds (3600 for hourly volumes).
    patience_seconds : array_like, optional
        Mean patience in seconds. Without it: Erlang C, ``SL = 1 − C e^{−(N−A)T/AHT}``
        (0 where ``N <= A``). With it: Erlang A, and ``service_level_definition`` is
        required.
    service_level_definition : str, optional
        Erlang A only (required there, ignored by Erlang C where all three coincide):

        - ``"answered_of_offered"``: answered within T / offered;
        - ``"answered_of_answered"``: answered within T / answered;
        - ``"answered_of_offered_excluding_early_abandons"``: answered within T /
          (offered − abandoned within T);
        - ``"answered_or_early_abandoned_of_offered"``: (answered within T + abandoned
          within T) / offered.

        (see :data:`wfm.core.SERVICE_LEVEL_DEFINITIONS`; the fifth,
        ``answered_of_offered_excluding_short_abandons``, is measured only).

        The same keyword as in :func:`required_agents` and :func:`staff_intervals`.
    definition : str, optional
        Deprecated former name of ``service_level_definition`` (warns; removed in 0.3.0).

    Returns
    -------
    numpy.ndarray
        Service level as a fraction 0..1 (1 where volume is 0).

    Raises
    ------
    InputError
        On invalid input, ``patience_seconds`` without ``service_level_definition``, or
        both ``definition`` and ``service_level_definition``.

    Examples
    --------
    >>> round(float(service_level(400, 180, 23, 30, interval_seconds=3600)), 3)
    0.748
    """
    chosen = renamed_keyword(
        "service_level",
        "definition",
        "service_level_definition",
        definition,
        service_level_definition,
    )
    target = check_seconds(target_seconds, "target_seconds")
    q = prepare_inputs(
        volume,
        aht_seconds,
        agents,
        interval_seconds=interval_seconds,
        patience_seconds=patience_seconds,
        also=(target,),
    )
    target = np.broadcast_to(target, q.traffic.shape)
    if q.patience_seconds is None:
        return erlang_c_service_level(q, target)
    return erlang_a_service_level(q, target, check_definition(chosen))


def average_speed_of_answer(
    volume: npt.ArrayLike,
    aht_seconds: npt.ArrayLike,
    agents: npt.ArrayLike,
    *,
    interval_seconds: npt.ArrayLike = 1800,
    patience_seconds: npt.ArrayLike | None = None,
) -> FloatArray:
    """Average speed of answer (ASA) in seconds.

    Parameters
    ----------
    volume, aht_seconds, agents, interval_seconds, patience_seconds : array_like
        As in :func:`service_level`.

    Returns
    -------
    numpy.ndarray
        Erlang C: the mean wait over all offered contacts, ``C × AHT / (N − A)`` seconds
        (``inf`` where ``N <= A``). Erlang A: the mean wait of *answered* contacts in seconds
        (``inf`` with no agents). 0 where volume is 0.

    Examples
    --------
    >>> round(float(average_speed_of_answer(400, 180, 23, interval_seconds=3600)), 1)
    24.9
    """
    q = prepare_inputs(
        volume,
        aht_seconds,
        agents,
        interval_seconds=interval_seconds,
        patience_seconds=patience_seconds,
    )
    if q.patience_seconds is None:
        return erlang_c_asa(q)
    return erlang_a_asa(q)


def occupancy(
    volume: npt.ArrayLike,
    aht_seconds: npt.ArrayLike,
    agents: npt.ArrayLike,
    *,
    interval_seconds: npt.ArrayLike = 1800,
    patience_seconds: npt.ArrayLike | None = None,
) -> FloatArray:
    """Agent occupancy: the fraction of staffed time agents spend handling contacts.

    Parameters
    ----------
    volume, aht_seconds, agents, interval_seconds, patience_seconds : array_like
        As in :func:`service_level`.

    Returns
    -------
    numpy.ndarray
        Erlang C: ``A / N``, reported as 1 where ``N <= A`` (the queue is unstable and every
        agent is busy all the time). Erlang A: carried load ``A (1 − abandon rate)`` over
        ``N`` (1 where ``N == 0``). 0 where volume is 0.
    """
    q = prepare_inputs(
        volume,
        aht_seconds,
        agents,
        interval_seconds=interval_seconds,
        patience_seconds=patience_seconds,
    )
    if q.patience_seconds is None:
        return erlang_c_occupancy(q)
    return erlang_a_occupancy(q)


def abandon_rate(
    volume: npt.ArrayLike,
    aht_seconds: npt.ArrayLike,
    agents: npt.ArrayLike,
    *,
    patience_seconds: npt.ArrayLike,
    interval_seconds: npt.ArrayLike = 1800,
) -> FloatArray:
    """Fraction of offered contacts that abandon before being answered (Erlang A).

    Parameters
    ----------
    volume, aht_seconds, agents, interval_seconds : array_like
        As in :func:`service_level`.
    patience_seconds : array_like
        Mean patience in seconds (required; exponential patience).

    Returns
    -------
    numpy.ndarray
        Abandoned / offered, a fraction 0..1 (0 where volume is 0).
    """
    if patience_seconds is None:
        raise InputError(
            "abandon_rate needs patience_seconds (mean patience in seconds); without "
            "abandonment (Erlang C) nobody abandons. Fix: pass patience_seconds=..."
        )
    q = prepare_inputs(
        volume,
        aht_seconds,
        agents,
        interval_seconds=interval_seconds,
        patience_seconds=patience_seconds,
    )
    return erlang_a_abandon_rate(q)


def waiting_time_percentile(
    volume: npt.ArrayLike,
    aht_seconds: npt.ArrayLike,
    agents: npt.ArrayLike,
    percentile: npt.ArrayLike,
    *,
    interval_seconds: npt.ArrayLike = 1800,
    patience_seconds: npt.ArrayLike | None = None,
) -> FloatArray:
    """Return the waiting time in seconds that a given fraction of contacts does not exceed.

    Parameters
    ----------
    volume, aht_seconds, agents, interval_seconds, patience_seconds : array_like
        As in :func:`service_level`.
    percentile : array_like
        Fraction strictly between 0 and 1 (0.9 for the 90th percentile).

    Returns
    -------
    numpy.ndarray
        Erlang C: the ``percentile`` quantile of the wait of all offered contacts,
        ``max(0, AHT / (N − A) × ln(C / (1 − p)))`` seconds (``inf`` where ``N <= A``).
        Erlang A: the quantile of the wait of *answered* contacts (solved by bisection on the
        exact distribution; ``inf`` with no agents). 0 where volume is 0.
    """
    fraction = check_fraction_open(percentile, "percentile")
    q = prepare_inputs(
        volume,
        aht_seconds,
        agents,
        interval_seconds=interval_seconds,
        patience_seconds=patience_seconds,
        also=(fraction,),
    )
    level = np.broadcast_to(fraction, q.traffic.shape)
    if q.patience_seconds is None:
        log_c = log_erlang_c(q.traffic, q.agents)
        excess = q.agents - q.traffic
        with np.errstate(divide="ignore", invalid="ignore"):
            wait = q.aht_seconds / excess * (log_c - np.log1p(-level))
        wait = np.where(excess > 0, np.maximum(wait, 0.0), np.inf)
        return np.asarray(np.where(q.traffic > 0, wait, 0.0), dtype=np.float64)
    return _erlang_a_percentile(q, level)


def _erlang_a_percentile(q: QueueInputs, level: FloatArray) -> FloatArray:
    """Quantile of the answered contacts' wait under Erlang A, by vectorised bisection."""
    state, positive, _ = _erlang_a(q)
    patience = q.patience_seconds[positive]  # type: ignore[index]
    p = level[positive]
    served = erlang_a_served(state)
    has_agents = (state.s > 0) & (served > 0)

    def missed_fraction(time_in_patience: FloatArray) -> FloatArray:
        later, _, _ = erlang_a_tail_terms(state, time_in_patience)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.where(has_agents, later / served, 1.0), dtype=np.float64)

    zero = np.zeros_like(p)
    result = np.where(missed_fraction(zero) <= 1.0 - p, 0.0, np.nan)
    todo = np.isnan(result) & has_agents
    low = np.zeros_like(p)
    high = np.ones_like(p)
    for _ in range(200):
        short = todo & (missed_fraction(high) > 1.0 - p)
        if not short.any():
            break
        low = np.where(short, high, low)
        high = np.where(short, 2.0 * high, high)
    for _ in range(_PERCENTILE_BISECTION_STEPS):
        middle = 0.5 * (low + high)
        above = missed_fraction(middle) > 1.0 - p
        low = np.where(todo & above, middle, low)
        high = np.where(todo & ~above, middle, high)
    result = np.where(todo, high * patience, result)
    result = np.where(has_agents, result, np.inf)
    return _scatter(positive, result, 0.0)
