r"""Queueing kernels: Erlang B, Erlang C and the Erlang A (M/M/N+M) building blocks.

All functions work on numpy arrays with broadcasting and compute in log space, so they stay
finite for traffic up to (at least) 10,000 Erlangs and 20,000 agents. Fractional agents use
the continuous extension of Erlang B,

.. math::

    B(N, A)^{-1} = A \int_0^\infty e^{-A t} (1 + t)^N \, dt
                 = e^{A} A^{-N} \Gamma(N + 1) \, Q(N + 1, A),

where :math:`Q` is the regularised upper incomplete gamma function. Where :math:`Q`
underflows (traffic far above the agents) the same quantity is summed as the finite series
:math:`\sum_j N (N-1) \cdots (N-j+1) / A^j`, whose terms shrink geometrically there.

The Erlang A quantities reduce to Kummer's function :math:`M(1, b, x) = \sum_k x^k/(b)_k`
(:func:`log_kummer_one`), evaluated through the regularised lower incomplete gamma
function where that is accurate and by its positive series where it would underflow.
See ``docs/erlang.md`` for the derivations.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from numpy.polynomial.laguerre import laggauss
from scipy import special

from wfm.erlang._checks import (
    BoolArray,
    FloatArray,
    as_float_array,
    broadcast_named,
    check_range,
)

_TINY_Q = 1e-280
"""Below this the incomplete gamma value is too close to underflow to take its log."""

_SERIES_TOLERANCE = 1e-17
"""Relative size of the last series term kept."""

_HALF_LOG_TWO_PI = 0.5 * float(np.log(2.0 * np.pi))
_DEVIANCE_TERMS = 14  # series terms of w − log(1+w) for |w| < 0.02 (error < 1e-24)

_QUADRATURE_ORDER = 36.0
"""Above this order the small-argument Kummer sums use Gauss–Laguerre quadrature."""

_BELOW_DEVIATIONS = 3.0
"""Arguments more than this many √order below the order avoid the incomplete gamma."""

_QUADRATURE_POINTS = 32
_QUADRATURE_BLOCK = 8192

_MAX_SERIES_TERMS = 2_000_000
"""Safety cap on series length (never reached for finite inputs in the documented range)."""


def _log_inverse_erlang_b(agents: FloatArray, traffic: FloatArray) -> FloatArray:
    """Return ``log(1 / B(agents, traffic))`` for broadcast arrays with ``traffic > 0``.

    Parameters
    ----------
    agents : numpy.ndarray
        Number of servers N >= 0 (fractional allowed).
    traffic : numpy.ndarray
        Offered traffic A > 0 in Erlangs.

    Returns
    -------
    numpy.ndarray
        ``log(1/B) >= 0``.
    """
    agents, traffic = np.broadcast_arrays(agents, traffic)
    with np.errstate(all="ignore"):
        upper = special.gammaincc(agents + 1.0, traffic)
        result = -_log_poisson_pmf(agents, traffic) + np.log(np.where(upper > _TINY_Q, upper, 1.0))
    underflow = ~(upper > _TINY_Q)
    if underflow.any():
        result = np.array(result, dtype=np.float64, copy=True)
        result[underflow] = np.log(_falling_ratio_series(agents[underflow], traffic[underflow]))
    return np.maximum(result, 0.0)


def _stirling_error(k: FloatArray) -> FloatArray:
    """``log Γ(k+1) − (k + ½) log k + k − ½ log 2π`` for ``k > 0`` (Stirling's remainder)."""
    with np.errstate(all="ignore"):
        inverse = 1.0 / k
        square = inverse * inverse
        series = inverse * (
            1.0 / 12.0 - square * (1.0 / 360.0 - square * (1.0 / 1260.0 - square / 1680.0))
        )
        direct = special.gammaln(k + 1.0) - (k + 0.5) * np.log(k) + k - _HALF_LOG_TWO_PI
    return np.asarray(np.where(k > 15.0, series, direct), dtype=np.float64)


def _log_ratio_deviance(w: FloatArray) -> FloatArray:
    """``w − log(1 + w)`` (>= 0) without cancellation for small ``w``."""
    small = np.abs(w) < 0.02
    with np.errstate(all="ignore"):
        direct = w - np.log1p(w)
    if not small.any():
        return np.asarray(direct, dtype=np.float64)
    ws = w[small]
    total = np.zeros_like(ws)
    for j in range(_DEVIANCE_TERMS + 1, 1, -1):  # Horner on sum_{j>=2} (-w)^j / j
        total = total * (-ws) + 1.0 / j
    result = np.array(direct, dtype=np.float64, copy=True)
    result[small] = ws * ws * total
    return result


def _log_poisson_pmf(k: FloatArray, mean: FloatArray) -> FloatArray:
    """``k log(mean) − mean − log Γ(k+1)`` for ``k >= 0``, ``mean > 0``, accurate for large k.

    Written as ``−½ log(2πk) − stirling_error(k) − k h(mean/k − 1)`` with ``h(w) = w −
    log(1+w)`` (Loader's saddle-point form), so the large terms never cancel.
    """
    k, mean = np.broadcast_arrays(k, mean)
    positive = k > 0
    safe_k = np.where(positive, k, 1.0)
    with np.errstate(all="ignore"):
        ratio = mean / safe_k
        near = ratio < 2.0  # saddle-point deviance; far from k the plain form has no cancellation
        deviance = np.where(
            near,
            safe_k * _log_ratio_deviance(np.where(near, ratio - 1.0, 0.0)),
            mean - safe_k - safe_k * (np.log(mean) - np.log(safe_k)),
        )
        value = -0.5 * np.log(2.0 * np.pi * safe_k) - _stirling_error(safe_k) - deviance
    return np.asarray(np.where(positive, value, -mean), dtype=np.float64)


def _falling_ratio_series(agents: FloatArray, traffic: FloatArray) -> FloatArray:
    """Sum ``sum_j N (N-1) ... (N-j+1) / A**j`` (equal to ``1/B`` when ``A`` exceeds ``N``).

    Used only where the traffic is far above the agents, so the factors ``(N-j)/A`` are well
    below one and the sum converges geometrically; it stops at the first non-positive factor
    (exact for whole N; the omitted tail is below the last term for fractional N).
    """
    total = np.ones_like(agents)
    term = np.ones_like(agents)
    active = np.ones(agents.shape, dtype=bool)
    j = 0
    while active.any() and j < _MAX_SERIES_TERMS:
        factor = (agents - j) / traffic
        active &= factor > 0
        term = np.where(active, term * factor, 0.0)
        total += term
        active &= term > _SERIES_TOLERANCE * total
        j += 1
    return total


def _prepare_pair(traffic_erlangs: Any, agents: Any) -> tuple[FloatArray, FloatArray]:
    """Validate and broadcast traffic (Erlangs, >= 0) and agents (>= 0)."""
    traffic = check_range(traffic_erlangs, "traffic_erlangs", low=0.0, unit="Erlangs")
    servers = check_range(agents, "agents", low=0.0, unit="agents")
    traffic_b, servers_b = broadcast_named({"traffic_erlangs": traffic, "agents": servers})
    return traffic_b, servers_b


def log_inverse_erlang_b(traffic: FloatArray, agents: FloatArray) -> FloatArray:
    """Return ``log(1/B)`` for validated, broadcast arrays; ``inf`` where traffic is 0 < N.

    Parameters
    ----------
    traffic : numpy.ndarray
        Offered traffic in Erlangs (>= 0).
    agents : numpy.ndarray
        Agents (>= 0, fractional allowed), same shape as ``traffic``.

    Returns
    -------
    numpy.ndarray
        ``log(1 / B(N, A))``; 0 where ``N == 0`` and ``+inf`` where ``A == 0 < N``.
    """
    positive = traffic > 0
    safe_traffic = np.where(positive, traffic, 1.0)
    result = _log_inverse_erlang_b(agents, safe_traffic)
    # B(0, A) = 1 exactly (older scipy leaves a rounding residue in the general formula)
    return np.where(positive, np.where(agents > 0, result, 0.0), np.where(agents > 0, np.inf, 0.0))


def erlang_b(traffic_erlangs: npt.ArrayLike, agents: npt.ArrayLike) -> FloatArray:
    """Erlang B blocking probability of an M/M/N/N loss system.

    Parameters
    ----------
    traffic_erlangs : array_like
        Offered traffic A in Erlangs (arrival rate × mean holding time), >= 0.
    agents : array_like
        Number of servers N >= 0; fractional values use the continuous extension.

    Returns
    -------
    numpy.ndarray
        Blocking probability in [0, 1], broadcast over the inputs (0-d for scalars).
        ``B(0, A) = 1``; ``B(N, 0) = 0`` for ``N > 0``.

    Raises
    ------
    InputError
        On negative, NaN or infinite inputs.

    Examples
    --------
    >>> round(float(erlang_b(5.0, 10)), 5)
    0.01838
    """
    traffic, servers = _prepare_pair(traffic_erlangs, agents)
    log_inverse = log_inverse_erlang_b(traffic, servers)
    with np.errstate(over="ignore"):
        return np.asarray(np.exp(-log_inverse), dtype=np.float64)


def log_erlang_c(traffic: FloatArray, agents: FloatArray) -> FloatArray:
    """Return ``log C(N, A)`` for validated, broadcast arrays.

    ``C = 1`` (log 0) where ``N <= A`` and ``A > 0``; ``C = 0`` (log ``-inf``) where ``A == 0``.

    Parameters
    ----------
    traffic : numpy.ndarray
        Offered traffic in Erlangs (>= 0).
    agents : numpy.ndarray
        Agents (>= 0), same shape as ``traffic``.

    Returns
    -------
    numpy.ndarray
        Natural log of the probability of waiting.
    """
    stable = agents > traffic
    positive = traffic > 0
    safe_agents = np.where(stable, agents, traffic + 1.0)
    safe_traffic = np.where(positive, traffic, 1.0)
    log_inverse = _log_inverse_erlang_b(safe_agents, safe_traffic)
    load = safe_traffic / safe_agents
    with np.errstate(divide="ignore"):
        log_c = -np.logaddexp(log_inverse + np.log1p(-load), np.log(load))
    log_c = np.where(stable, np.minimum(log_c, 0.0), 0.0)
    return np.asarray(np.where(positive, log_c, -np.inf), dtype=np.float64)


def erlang_c(traffic_erlangs: npt.ArrayLike, agents: npt.ArrayLike) -> FloatArray:
    """Erlang C probability that an arriving contact waits (M/M/N queue).

    ``C(N, A) = B / (1 − (A/N)(1 − B))`` for ``N > A`` with ``B`` the Erlang B value.

    Parameters
    ----------
    traffic_erlangs : array_like
        Offered traffic A in Erlangs, >= 0.
    agents : array_like
        Number of agents N >= 0; fractional values use the continuous extension.

    Returns
    -------
    numpy.ndarray
        Probability of waiting in [0, 1]. It is 1 where ``N <= A`` (the queue is unstable,
        every contact waits) and 0 where ``A == 0`` (no contacts, nobody waits).

    Raises
    ------
    InputError
        On negative, NaN or infinite inputs.

    Examples
    --------
    >>> round(float(erlang_c(10.0, 12)), 5)  # 10 erlangs on 12 agents
    0.44939
    """
    traffic, servers = _prepare_pair(traffic_erlangs, agents)
    return np.asarray(np.exp(log_erlang_c(traffic, servers)), dtype=np.float64)


# --------------------------------------------------------------------------------------
# Kummer's function M(1, b, x) and the Erlang A building blocks
# --------------------------------------------------------------------------------------


def _series_regime(order: FloatArray, x: FloatArray) -> BoolArray:
    """Where ``x`` is far enough below ``order`` to avoid the incomplete gamma function.

    Below ``max(order − 3√order, order/2)`` the lower incomplete gamma is tiny; scipy's
    ``gammainc`` loses accuracy there for very large orders (relative error up to 1e-2 at
    order 1e7, five standard deviations out), and it underflows further out. There the
    sums come from their series (small orders) or Gauss–Laguerre quadrature instead.
    """
    threshold = np.maximum(order - _BELOW_DEVIATIONS * np.sqrt(order), 0.5 * order)
    return np.asarray((x < threshold) | (x == 0), dtype=bool)


class KummerSums(NamedTuple):
    """Logs of the series sums the Erlang A formulas need, for parameter ``s`` and ``x``.

    With ``r_k = x**k / ((s+1)(s+2)...(s+k))``:

    - ``log_t``: log of ``T = sum_k r_k = M(1, s+1, x)``;
    - ``log_d``: log of ``D = sum_k k r_k``;
    - ``log_m2``: log of ``M(1, s+2, x)``;
    - ``log_dm2``: log of ``-dM(1, b, x)/db`` at ``b = s+2``.
    """

    log_t: FloatArray
    log_d: FloatArray
    log_m2: FloatArray
    log_dm2: FloatArray


def log_kummer_one(b: npt.ArrayLike, x: npt.ArrayLike) -> FloatArray:
    """Natural log of Kummer's function ``M(1, b, x) = sum_k x**k / (b (b+1) ... (b+k-1))``.

    Parameters
    ----------
    b : array_like
        Second parameter, >= 1.
    x : array_like
        Argument, >= 0.

    Returns
    -------
    numpy.ndarray
        ``log M(1, b, x)``, finite for any finite inputs (it grows like ``x``).
    """
    b_array = as_float_array(b, "b")
    x_array = as_float_array(x, "x")
    b_array, x_array = np.broadcast_arrays(b_array, x_array)
    return _log_kummer_one(np.asarray(b_array - 1.0), np.asarray(x_array))


def _log_kummer_one(order: FloatArray, x: FloatArray) -> FloatArray:
    """``log M(1, order + 1, x)`` for broadcast arrays, ``order >= 0``, ``x >= 0``."""
    series = _series_regime(order, x)
    with np.errstate(all="ignore"):
        lower = special.gammainc(order, x)
        direct = -_log_poisson_pmf(order, x) + np.log(np.where(lower > 0, lower, 1.0))
    result = np.where(order == 0, x, direct)
    if series.any():
        result = np.array(result, dtype=np.float64, copy=True)
        sums = _kummer_below(order[series], x[series])
        result[series] = sums.log_t
    return np.asarray(result, dtype=np.float64)


def _kummer_below(order: FloatArray, x: FloatArray) -> KummerSums:
    """Kummer sums where ``x`` is well below ``order``: power series, or quadrature if large.

    For ``order > 36`` this region has ``order − x > 3 √order``, where the series would need
    up to ``~12 √order`` terms; there the equivalent Laplace-type integrals are evaluated by
    Gauss–Laguerre quadrature instead (agreement with the series ~1e-13).
    """
    large = order > _QUADRATURE_ORDER
    if not large.any():
        return _kummer_series(order, x)
    log_t = np.empty_like(x)
    log_d = np.empty_like(x)
    log_m2 = np.empty_like(x)
    log_dm2 = np.empty_like(x)
    for mask, method in ((large, _kummer_laguerre), (~large, _kummer_series)):
        if mask.any():
            sums = method(order[mask], x[mask])
            log_t[mask] = sums.log_t
            log_d[mask] = sums.log_d
            log_m2[mask] = sums.log_m2
            log_dm2[mask] = sums.log_dm2
    return KummerSums(log_t, log_d, log_m2, log_dm2)


def _kummer_laguerre(order: FloatArray, x: FloatArray) -> KummerSums:
    """Kummer sums by Gauss–Laguerre quadrature of their integral forms (``x < order``).

    With ``c = s − x``, ``v = t / c`` and ``φ(v) = x (1 − e^{−v} − v) <= 0``:
    ``T = (s/c) ∫ e^{−t} e^{φ} dt``, ``D = (s x / c) ∫ e^{−t} (1 − e^{−v}) e^{φ} dt``,
    ``M(1, s+2, x) = ((s+1)/c) ∫ e^{−t} e^{φ − v} dt`` and
    ``−∂_b M(1, b, x)|_{b=s+2} = (x / c²) ∫ e^{−t} t e^{φ − 2v} dt`` (all positive integrands;
    the last one after an integration by parts).
    """
    nodes, weights = _laguerre_rule()
    log_weights = np.log(weights)
    log_nodes = np.log(nodes)
    out = [np.empty_like(x) for _ in range(4)]
    for start in range(0, x.size, _QUADRATURE_BLOCK):
        block = slice(start, start + _QUADRATURE_BLOCK)
        s = order[block][:, None]
        xs = x[block][:, None]
        gap = s - xs
        v = nodes[None, :] / gap
        with np.errstate(divide="ignore"):
            phi = xs * (-np.expm1(-v) - v)
            log_x = np.log(xs[:, 0])
            log_gap = np.log(gap[:, 0])
            out[0][block] = np.log(s[:, 0]) - log_gap + special.logsumexp(log_weights + phi, axis=1)
            out[1][block] = (
                np.log(s[:, 0])
                + log_x
                - log_gap
                + special.logsumexp(log_weights + phi + np.log(-np.expm1(-v)), axis=1)
            )
            out[2][block] = (
                np.log1p(s[:, 0]) - log_gap + special.logsumexp(log_weights + phi - v, axis=1)
            )
            out[3][block] = (
                log_x
                - 2.0 * log_gap
                + special.logsumexp(log_weights + log_nodes + phi - 2.0 * v, axis=1)
            )
    return KummerSums(out[0], out[1], out[2], out[3])


@cache
def _laguerre_rule() -> tuple[FloatArray, FloatArray]:
    """Gauss–Laguerre nodes and weights (32 points)."""
    nodes, weights = laggauss(_QUADRATURE_POINTS)
    return np.asarray(nodes, dtype=np.float64), np.asarray(weights, dtype=np.float64)


def _kummer_series(order: FloatArray, x: FloatArray) -> KummerSums:
    """Sum the four Kummer series directly (used where ``x`` is well below ``order``).

    Terms ``r_k = x**k / ((s+1)...(s+k))`` with ``s = order`` shrink at least geometrically
    here, so all sums are of positive terms and accurate to rounding.
    """
    s = order
    t_sum = np.ones_like(x)
    d_sum = np.zeros_like(x)
    m2_sum = np.ones_like(x)
    dm2_sum = np.zeros_like(x)
    term = np.ones_like(x)  # r_k
    term2 = np.ones_like(x)  # x**k / ((s+2)...(s+k+1))
    harmonic = np.zeros_like(x)  # sum_{i<k} 1/(s+2+i)
    active = x > 0
    k = 0
    while active.any() and k < _MAX_SERIES_TERMS:
        k += 1
        term = np.where(active, term * x / (s + k), 0.0)
        harmonic = harmonic + 1.0 / (s + k + 1.0)
        term2 = np.where(active, term2 * x / (s + k + 1.0), 0.0)
        t_sum += term
        d_sum += k * term
        m2_sum += term2
        dm2_sum += term2 * harmonic
        active &= (k * term > _SERIES_TOLERANCE * np.maximum(d_sum, 1e-300)) | (
            term > _SERIES_TOLERANCE * t_sum
        )
    with np.errstate(divide="ignore"):
        return KummerSums(np.log(t_sum), np.log(d_sum), np.log(m2_sum), np.log(dm2_sum))


def _log_lower_gamma_derivative(order: FloatArray, x: FloatArray) -> FloatArray:
    """``d/d(order) log P(order, x)`` by a fourth-order central difference (order >= 1)."""
    step = 1e-3 * np.sqrt(np.maximum(order, 1.0))
    values = [np.log(special.gammainc(order + k * step, x)) for k in (-2.0, -1.0, 1.0, 2.0)]
    return np.asarray(
        (values[0] - 8.0 * values[1] + 8.0 * values[2] - values[3]) / (12.0 * step),
        dtype=np.float64,
    )


def kummer_sums(order: FloatArray, x: FloatArray, *, derivative: bool = False) -> KummerSums:
    """Compute :class:`KummerSums` for broadcast arrays ``order = s >= 0`` and ``x >= 0``.

    Parameters
    ----------
    order : numpy.ndarray
        The parameter ``s`` (``agents × patience / AHT`` in Erlang A).
    x : numpy.ndarray
        The argument (``traffic × patience / AHT``, possibly discounted by time).
    derivative : bool, default False
        Whether ``log_dm2`` is needed (mean wait only); otherwise it is NaN wherever the
        incomplete-gamma branch is used, which saves four incomplete-gamma evaluations.

    Returns
    -------
    KummerSums
        Logs of ``T``, ``D``, ``M(1, s+2, x)`` and ``-dM/db`` at ``b = s+2``.
    """
    order, x = (np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(order, x))
    series = _series_regime(order, x)
    direct = ~series
    log_t = np.zeros_like(x)
    log_d = np.full_like(x, -np.inf)
    log_m2 = np.zeros_like(x)
    log_dm2 = np.full_like(x, -np.inf)
    if direct.any():
        s = order[direct]
        xs = x[direct]
        with np.errstate(all="ignore"):
            lt = _log_kummer_one(s, xs)
            lm2 = _log_kummer_one(s + 1.0, xs)
            log_s = np.log(s)
            above = xs >= s
            ld_above = np.logaddexp(log_s, np.log(xs - s) + lt)
            ratio = np.exp(np.log(s - xs) - log_s + lt)
            ld_below = log_s + np.log1p(-np.minimum(ratio, 1.0))
            ld = np.where(above, ld_above, ld_below)
            if derivative:
                # d/db log M(1, b, x) at b = s + 2, with M = e^x x^(1-b) Gamma(b) P(b-1, x)
                dlog = (
                    -np.log(xs)
                    + special.digamma(s + 2.0)
                    + _log_lower_gamma_derivative(s + 1.0, xs)
                )
                ldm2 = lm2 + np.log(np.maximum(-dlog, 0.0))
            else:
                ldm2 = np.full_like(xs, np.nan)
        log_t[direct] = lt
        log_d[direct] = ld
        log_m2[direct] = lm2
        log_dm2[direct] = ldm2
    if series.any():
        sums = _kummer_below(order[series], x[series])
        log_t[series] = sums.log_t
        log_d[series] = sums.log_d
        log_m2[series] = sums.log_m2
        log_dm2[series] = sums.log_dm2
    return KummerSums(log_t, log_d, log_m2, log_dm2)


class ErlangAState(NamedTuple):
    """Stationary quantities of an M/M/N+M queue (Erlang A), all per arriving contact.

    Attributes
    ----------
    s : numpy.ndarray
        ``N × patience / AHT`` (agents' service capacity in units of the abandon rate).
    y : numpy.ndarray
        ``A × patience / AHT`` (offered load in units of the abandon rate).
    log_pi : numpy.ndarray
        Log of the probability of exactly ``N`` in system, ``π_N``.
    sums : KummerSums
        The Kummer sums at ``(s, y)``.
    log_served : numpy.ndarray
        Log of the probability of being answered, ``π_N (1/B − 1 + s/(s+1) M(1, s+2, y))``
        (answered at once, or after a wait shorter than the patience), a sum of positive
        terms that keeps its relative accuracy even when nearly everybody abandons.
    """

    s: FloatArray
    y: FloatArray
    log_pi: FloatArray
    sums: KummerSums
    log_served: FloatArray


def erlang_a_state(
    traffic: FloatArray, agents: FloatArray, patience_ratio: FloatArray, *, derivative: bool = False
) -> ErlangAState:
    """Compute the Erlang A building blocks for broadcast arrays with ``traffic > 0``.

    Parameters
    ----------
    traffic : numpy.ndarray
        Offered traffic A in Erlangs (> 0).
    agents : numpy.ndarray
        Agents N (>= 0, fractional allowed through the continuous extension).
    patience_ratio : numpy.ndarray
        Mean patience divided by AHT (> 0).
    derivative : bool, default False
        Also compute the parameter derivative needed for the mean wait.

    Returns
    -------
    ErlangAState
        See the class.
    """
    traffic, agents, patience_ratio = (
        np.asarray(v, dtype=np.float64)
        for v in np.broadcast_arrays(traffic, agents, patience_ratio)
    )
    s = agents * patience_ratio
    y = traffic * patience_ratio
    log_inverse_b = _log_inverse_erlang_b(agents, traffic)
    sums = kummer_sums(s, y, derivative=derivative)
    with np.errstate(divide="ignore"):
        # log(1/B - 1) = z + log(1 - e^-z)
        log_excess = log_inverse_b + np.log(-np.expm1(-log_inverse_b))
    log_pi = -np.logaddexp(log_excess, sums.log_t)
    with np.errstate(divide="ignore"):
        log_later = np.log(s) - np.log1p(s) + sums.log_m2
    log_served = log_pi + np.logaddexp(log_excess, log_later)
    return ErlangAState(s, y, log_pi, sums, log_served)


def erlang_a_tail_terms(
    state: ErlangAState, time_in_patience: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Time-dependent Erlang A terms at ``t' = t / patience`` (broadcast with the state).

    Parameters
    ----------
    state : ErlangAState
        From :func:`erlang_a_state`.
    time_in_patience : numpy.ndarray
        Time ``t`` divided by the mean patience (>= 0).

    Returns
    -------
    tuple of numpy.ndarray
        ``(served_later, waiting_beyond, abandoned_by)``: the probabilities (per arriving
        contact) of being answered after waiting more than ``t``, of an offered wait (the
        wait of an infinitely patient contact) longer than ``t``, and of abandoning within
        ``t``.
    """
    s, y = state.s, state.y
    t = np.asarray(time_in_patience, dtype=np.float64)
    u = y * np.exp(-t)
    sums_u = kummer_sums(s, u)
    growth = -y * np.expm1(-t)  # y - u
    with np.errstate(divide="ignore", invalid="ignore"):
        log_served_later = (
            state.log_pi + np.log(s) - np.log1p(s) + growth - (s + 1.0) * t + sums_u.log_m2
        )
        served_later = np.where(s > 0, np.exp(log_served_later), 0.0)
        waiting_beyond = np.exp(state.log_pi + growth - s * t + sums_u.log_t)
        log_scale = state.log_pi - np.log(y)
        abandoned_total = np.exp(log_scale + state.sums.log_d)
        abandoned_after = np.exp(log_scale + growth - s * t + sums_u.log_d)
        abandoned_by = np.maximum(abandoned_total - abandoned_after, 0.0)
    return (
        np.asarray(served_later, dtype=np.float64),
        np.asarray(waiting_beyond, dtype=np.float64),
        np.asarray(abandoned_by, dtype=np.float64),
    )
