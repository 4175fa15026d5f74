"""Fast exact whole-agent search for Erlang C targets (private).

The search needs one incomplete-gamma evaluation per interval:

1. a start from square-root staffing ``N ≈ A + β√A``, with β read from precomputed tables of
   the Halfin–Whitt approximation (service level, ASA) by interpolation;
2. Erlang B at the start ``N₀`` (incomplete gamma, :func:`~wfm.erlang.kernels`), then the
   stable forward recursion ``B(n+1) = A B(n) / (n + 1 + A B(n))`` over a short window,
   testing every target at each ``n`` exactly (Erlang C, service level, ASA, occupancy);
3. the first ``n`` that meets every target is the answer when the window start misses a
   target (or is the lowest admissible count). Intervals whose answer lies outside the
   window (a poor start) are returned as unresolved and finished by the general search.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy import special

from wfm.erlang._checks import FloatArray, IntArray
from wfm.erlang.kernels import log_inverse_erlang_b

_WINDOW_BELOW = 1
_WINDOW_STEPS = 8
_EXTRA_STEPS = 48
_COMPACT_AFTER = 3
_CLOSE = 1e-10  # margin to a target below which the fast path defers to the general search
_BETA_GRID = np.linspace(0.0, 7.0, 1401)
_TAU_GRID = np.linspace(0.0, np.log1p(2000.0), 161)  # in log1p(τ) coordinates
_LEVEL_GRID = np.linspace(0.0, 1.0, 201)
_KAPPA_GRID = np.linspace(np.log(1e-6), np.log(1e4), 301)  # in log κ coordinates


def _halfin_whitt_wait(beta: FloatArray) -> FloatArray:
    """Halfin–Whitt probability of waiting ``1 / (1 + β Φ(β)/φ(β))`` (β >= 0)."""
    density = np.exp(-0.5 * beta**2) / np.sqrt(2.0 * np.pi)
    return np.asarray(1.0 / (1.0 + beta * special.ndtr(beta) / density), dtype=np.float64)


@cache
def _service_level_table() -> FloatArray:
    """β needed for service level ``L`` at ``τ = √A·T/AHT``: table over (log1p τ, L)."""
    tau = np.expm1(_TAU_GRID)[:, None]
    level = 1.0 - _halfin_whitt_wait(_BETA_GRID)[None, :] * np.exp(-_BETA_GRID[None, :] * tau)
    level = np.maximum.accumulate(level, axis=1)  # rising in β; guard against rounding
    first = np.stack([np.searchsorted(row, _LEVEL_GRID, side="left") for row in level])
    first = np.minimum(first, _BETA_GRID.size - 1)
    return np.asarray(_BETA_GRID[first], dtype=np.float64)


@cache
def _asa_table() -> FloatArray:
    """β needed for ``α(β)/β <= κ`` with ``κ = max ASA × √A / AHT``: table over log κ."""
    beta = _BETA_GRID[1:]
    ratio = _halfin_whitt_wait(beta) / beta  # decreasing in β
    kappa = np.exp(_KAPPA_GRID)
    index = np.searchsorted(-ratio, -kappa, side="left")
    return np.asarray(beta[np.minimum(index, beta.size - 1)], dtype=np.float64)


def _bilinear(
    table: FloatArray, x_grid: FloatArray, y_grid: FloatArray, x: FloatArray, y: FloatArray
) -> FloatArray:
    """Bilinear interpolation on a uniform grid (clamped at the edges)."""
    fx = np.clip((x - x_grid[0]) / (x_grid[1] - x_grid[0]), 0.0, x_grid.size - 1.000001)
    fy = np.clip((y - y_grid[0]) / (y_grid[1] - y_grid[0]), 0.0, y_grid.size - 1.000001)
    ix = fx.astype(np.intp)
    iy = fy.astype(np.intp)
    wx = fx - ix
    wy = fy - iy
    return np.asarray(
        (1 - wx) * ((1 - wy) * table[ix, iy] + wy * table[ix, iy + 1])
        + wx * ((1 - wy) * table[ix + 1, iy] + wy * table[ix + 1, iy + 1]),
        dtype=np.float64,
    )


def square_root_start(
    traffic: FloatArray,
    aht_seconds: FloatArray,
    *,
    service_level: FloatArray | None,
    target_seconds: FloatArray,
    max_asa_seconds: FloatArray | None,
    max_occupancy: FloatArray | None,
) -> FloatArray:
    """Square-root-staffing estimate ``A + β√A`` meeting every given target (float)."""
    root = np.sqrt(traffic)
    start = traffic + 0.0
    if service_level is not None:
        tau = np.log1p(root * target_seconds / aht_seconds)
        if service_level.size and np.ptp(service_level) == 0:  # one target: 1-D table
            column = _bilinear(
                _service_level_table(),
                _TAU_GRID,
                _LEVEL_GRID,
                _TAU_GRID,
                np.full(_TAU_GRID.size, service_level.flat[0]),
            )
            beta = np.interp(tau, _TAU_GRID, column)
        else:
            beta = _bilinear(_service_level_table(), _TAU_GRID, _LEVEL_GRID, tau, service_level)
        start = np.maximum(start, traffic + beta * root)
    if max_asa_seconds is not None:
        with np.errstate(divide="ignore"):
            kappa = np.log(max_asa_seconds * root / aht_seconds)
        beta = np.interp(kappa, _KAPPA_GRID, _asa_table())
        start = np.maximum(start, traffic + beta * root)
    if max_occupancy is not None:
        start = np.maximum(start, traffic / max_occupancy)
    return start


def erlang_c_window_search(
    traffic: FloatArray,
    aht_seconds: FloatArray,
    floor_agents: FloatArray,
    *,
    service_level: FloatArray | None,
    target_seconds: FloatArray,
    max_asa_seconds: FloatArray | None,
    max_occupancy: FloatArray | None,
) -> FloatArray:
    """Smallest whole agents meeting the Erlang C targets; NaN where unresolved.

    Parameters
    ----------
    traffic : numpy.ndarray
        Offered traffic in Erlangs (> 0), flat.
    aht_seconds : numpy.ndarray
        Average handle time in seconds, flat.
    floor_agents : numpy.ndarray
        Lowest admissible agents (``min_agents``), flat.
    service_level, target_seconds, max_asa_seconds, max_occupancy : numpy.ndarray or None
        Targets, flat (``None`` when not given).

    Returns
    -------
    numpy.ndarray
        Whole agents as floats, NaN where the window did not bracket the answer.
    """
    lowest = np.maximum(floor_agents, np.floor(traffic) + 1.0)  # stable queue: N > A
    estimate = square_root_start(
        traffic,
        aht_seconds,
        service_level=service_level,
        target_seconds=target_seconds,
        max_asa_seconds=max_asa_seconds,
        max_occupancy=max_occupancy,
    )
    agents = np.maximum(lowest, np.ceil(estimate) - _WINDOW_BELOW)
    blocking = np.exp(-log_inverse_erlang_b(traffic, agents))
    tail = decay = None
    if service_level is not None:
        decay = np.exp(-target_seconds / aht_seconds)
        tail = np.exp(-(agents - traffic) * target_seconds / aht_seconds)
    result = np.full(traffic.shape, np.nan)
    doubtful = np.zeros(traffic.shape, dtype=bool)
    open_ = np.ones(traffic.shape, dtype=bool)
    at_lowest = agents <= lowest
    index: IntArray | None = None  # None: still working on the full arrays
    a, aht, level, asa_cap, occupancy_cap = (
        traffic,
        aht_seconds,
        service_level,
        max_asa_seconds,
        max_occupancy,
    )
    for step in range(_WINDOW_STEPS + _EXTRA_STEPS):
        waiting = blocking / (1.0 - a / agents * (1.0 - blocking))
        ok = open_.copy()
        close = np.zeros(ok.shape, dtype=bool)  # within rounding of a target: decide exactly
        if level is not None:
            assert tail is not None
            achieved = 1.0 - np.minimum(waiting * tail, 1.0)
            ok &= achieved >= level
            close |= np.abs(achieved - level) < _CLOSE
        if asa_cap is not None:
            asa = waiting * aht / (agents - a)
            ok &= asa <= asa_cap
            close |= np.abs(asa - asa_cap) < _CLOSE * asa_cap
        if occupancy_cap is not None:
            ok &= a <= occupancy_cap * agents
        # meeting at the window start is only conclusive at the lowest admissible count
        conclusive = ok & at_lowest if step == 0 else ok
        positions = np.flatnonzero(conclusive)
        result[positions if index is None else index[positions]] = agents[positions]
        undecided = np.flatnonzero(close & open_)
        doubtful[undecided if index is None else index[undecided]] = True
        open_ &= ~ok
        if step == _COMPACT_AFTER or (index is not None and step > _COMPACT_AFTER):
            keep = np.flatnonzero(open_)
            if keep.size == 0:
                break
            index = keep if index is None else index[keep]
            a, aht, agents, blocking, open_ = (
                a[keep],
                aht[keep],
                agents[keep],
                blocking[keep],
                open_[keep],
            )
            level = None if level is None else level[keep]
            asa_cap = None if asa_cap is None else asa_cap[keep]
            occupancy_cap = None if occupancy_cap is None else occupancy_cap[keep]
            if tail is not None and decay is not None:
                tail, decay = tail[keep], decay[keep]
        elif not open_.any():
            break
        ab = a * blocking
        agents = agents + 1.0
        blocking = ab / (agents + ab)
        if tail is not None and decay is not None:
            tail = tail * decay
    # a count whose margin to a target is within rounding (the recursion and the direct
    # formula may round differently there) is left to the general search, which uses the
    # public metric functions, so the answer agrees with them exactly
    result[doubtful] = np.nan
    return result
