"""Staffing under time-varying load: SIPP, lagged SIPP, modified offered load, simulation.

Per-interval staffing (SIPP, "stationary independent period by period") sizes each
interval with Erlang C/A as if its arrival rate lasted for ever. When the rate changes
faster than calls end (long handle times, steep ramps) the load in the system lags the
arrivals, and SIPP under-staffs rising intervals and over-staffs falling ones (Green,
Kolesar and Soares, "Improving the SIPP approach for staffing service systems that have
cyclic demands", Operations Research 49(4), 2001).

* ``lagged``: SIPP on the arrival rate one mean handle time earlier (Green et al. 2001).
* ``modified_offered_load``: SIPP on the mean number of busy servers of the infinite-server
  queue with the same arrivals, ``m'(t) = lambda(t) - m(t) / AHT`` (Jennings, Mandelbaum,
  Massey and Whitt, "Server staffing to meet time-varying demand", Management Science
  42(10), 1996), solved exactly for piecewise-constant rates and averaged per interval
  (the closed form :func:`wfm.erlang.modified_offered_load`).
* ``simulation``: iterative staffing in the spirit of Feldman, Mandelbaum, Massey and Whitt
  ("Staffing of time-varying queues to achieve time-stable performance", Management
  Science 54(2), 2008): start from the modified-offered-load plan, simulate, add an agent
  where an interval misses the target, try removing one where it is comfortably met, and
  repeat with common random numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from wfm.core.errors import InputError
from wfm.core.frames import AHT_SECONDS, INTERVAL_START, QUEUE, REQUIRED_AGENTS, VOLUME
from wfm.erlang.offered_load import modified_offered_load
from wfm.erlang.staffing import required_agents
from wfm.simulation._inputs import AGENTS, ForecastGrid, forecast_grid
from wfm.simulation._simulator import SimulationQueue, simulate_centre

__all__ = ["compare_time_varying_methods", "staff_time_varying"]

TimeVaryingMethod = Literal["sipp", "lagged", "modified_offered_load", "simulation"]
METHODS: tuple[str, ...] = ("sipp", "lagged", "modified_offered_load", "simulation")


def _lagged_volume(
    volume: np.ndarray, aht_seconds: np.ndarray, interval_seconds: float
) -> np.ndarray:
    """Volume per interval read one mean handle time earlier (linear interpolation)."""
    n = volume.shape[1]
    position = np.arange(n)[None, :] - aht_seconds / interval_seconds
    position = np.clip(position, 0.0, n - 1)
    lower = np.floor(position).astype(np.int64)
    upper = np.minimum(lower + 1, n - 1)
    fraction = position - lower
    rows = np.arange(volume.shape[0])[:, None]
    lagged: np.ndarray = volume[rows, lower] * (1 - fraction) + volume[rows, upper] * fraction
    return lagged


def _erlang_staffing(
    effective_volume: np.ndarray,
    grid: ForecastGrid,
    *,
    target_service_level: float,
    target_seconds: float,
    patience_seconds: float | None,
    service_level_definition: str | None,
) -> np.ndarray:
    aht = np.where(grid.aht_seconds > 0, grid.aht_seconds, 1.0)
    return np.asarray(
        required_agents(
            effective_volume,
            aht,
            interval_seconds=grid.interval_seconds,
            target_service_level=target_service_level,
            target_seconds=target_seconds,
            patience_seconds=patience_seconds,
            service_level_definition=service_level_definition,
        ),
        dtype=np.int64,
    )


def _grid_frame(grid: ForecastGrid, agents: np.ndarray, effective: np.ndarray) -> pd.DataFrame:
    n_queues, n_intervals = agents.shape
    return pd.DataFrame(
        {
            QUEUE: np.repeat(np.asarray(grid.queues, dtype=object), n_intervals),
            INTERVAL_START: np.tile(grid.interval_starts, n_queues),
            VOLUME: grid.volume.ravel(),
            AHT_SECONDS: grid.aht_seconds.ravel(),
            "effective_volume": effective.ravel(),
            REQUIRED_AGENTS: agents.ravel(),
        }
    )


def _simulated_levels(
    forecast: pd.DataFrame,
    grid: ForecastGrid,
    agents: np.ndarray,
    *,
    queues: Sequence[SimulationQueue] | None,
    target_seconds: float,
    service_level_definition: str,
    replications: int,
    seed: int,
) -> np.ndarray:
    """Mean simulated service level per (queue, interval) for a staffing matrix."""
    staffing = pd.DataFrame(
        {
            QUEUE: np.repeat(np.asarray(grid.queues, dtype=object), len(grid.interval_starts)),
            INTERVAL_START: np.tile(grid.interval_starts, len(grid.queues)),
            AGENTS: agents.ravel(),
        }
    )
    result = simulate_centre(
        forecast,
        staffing=staffing,
        queues=queues,
        target_seconds=target_seconds,
        replications=replications,
        seed=seed,
    )
    numerator, denominator = result.service_level_counts(service_level_definition)
    total = denominator.sum(axis=0)
    levels: np.ndarray = np.where(
        total > 0, numerator.sum(axis=0) / np.where(total > 0, total, 1), 1.0
    )
    return levels


def staff_time_varying(
    frame: pd.DataFrame,
    *,
    method: TimeVaryingMethod = "modified_offered_load",
    target_service_level: float = 0.8,
    target_seconds: float = 20.0,
    patience_seconds: float | None = None,
    service_level_definition: str | None = None,
    replications: int = 8,
    iterations: int = 12,
    trim_margin: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """Compute required agents per interval under time-varying load by the chosen method.

    Parameters
    ----------
    frame : pandas.DataFrame
        Interval frame (``queue``, ``interval_start``, ``volume``, ``aht_seconds``), every
        queue on the same contiguous grid; each queue is staffed with dedicated agents.
    method : {"sipp", "lagged", "modified_offered_load", "simulation"}
        See the module docstring. Default ``"modified_offered_load"``.
    target_service_level : float, default 0.8
        Fraction (0 to 1) of contacts to answer within ``target_seconds``.
    target_seconds : float, default 20.0
        Answer-time target in seconds.
    patience_seconds : float, optional
        Mean patience in seconds (Erlang A and abandoning callers in the simulation).
    service_level_definition : str, optional
        Required with ``patience_seconds``; one of
        ``wfm.erlang.ERLANG_A_SERVICE_LEVEL_DEFINITIONS``.
    replications : int, default 8
        Simulation replications per iteration (``method="simulation"``).
    iterations : int, default 12
        Most simulate-and-adjust rounds (``method="simulation"``).
    trim_margin : float, default 0.05
        An interval whose simulated service level exceeds the target by this much tries
        one agent fewer (``method="simulation"``).
    seed : int, default 0
        Seed of the simulation's common random numbers.

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``interval_start``, ``volume``, ``aht_seconds``, ``effective_volume``
        (the volume the Erlang formula was given; the forecast volume for simulation) and
        ``required_agents``.

    Raises
    ------
    InputError
        On a bad frame, an unknown method or bad targets.
    """
    if method not in METHODS:
        raise InputError(f"method={method!r} is not one of {METHODS}.")
    grid = forecast_grid(frame)
    erlang_kwargs = {
        "target_service_level": target_service_level,
        "target_seconds": target_seconds,
        "patience_seconds": patience_seconds,
        "service_level_definition": service_level_definition,
    }
    if method == "sipp":
        effective = grid.volume
    elif method == "lagged":
        effective = _lagged_volume(grid.volume, grid.aht_seconds, grid.interval_seconds)
    else:
        load = modified_offered_load(grid.volume, grid.aht_seconds, grid.interval_seconds)
        safe_aht = np.where(grid.aht_seconds > 0, grid.aht_seconds, 1.0)
        effective = np.where(grid.aht_seconds > 0, load * grid.interval_seconds / safe_aht, 0.0)
    agents = _erlang_staffing(effective, grid, **erlang_kwargs)  # type: ignore[arg-type]
    if method == "simulation":
        agents = _iterate_by_simulation(
            frame,
            grid,
            agents,
            target_service_level=target_service_level,
            target_seconds=target_seconds,
            patience_seconds=patience_seconds,
            service_level_definition=service_level_definition or "answered_of_offered",
            replications=replications,
            iterations=iterations,
            trim_margin=trim_margin,
            seed=seed,
        )
        effective = grid.volume
    return _grid_frame(grid, agents, effective)


def _iterate_by_simulation(
    frame: pd.DataFrame,
    grid: ForecastGrid,
    start: np.ndarray,
    *,
    target_service_level: float,
    target_seconds: float,
    patience_seconds: float | None,
    service_level_definition: str,
    replications: int,
    iterations: int,
    trim_margin: float,
    seed: int,
) -> np.ndarray:
    """Simulate, add where short, trim where comfortable; common random numbers."""
    queues = [SimulationQueue(name, patience_seconds=patience_seconds) for name in grid.queues]
    agents = start.copy()
    busy = grid.volume > 0

    def levels_of(candidate: np.ndarray) -> np.ndarray:
        return _simulated_levels(
            frame,
            grid,
            candidate,
            queues=queues,
            target_seconds=target_seconds,
            service_level_definition=service_level_definition,
            replications=replications,
            seed=seed,
        )

    levels = levels_of(agents)
    for _ in range(iterations):
        short = busy & (levels < target_service_level)
        if short.any():
            agents = agents + short
            levels = levels_of(agents)
            continue
        comfortable = busy & (levels >= target_service_level + trim_margin) & (agents > 0)
        if not comfortable.any():
            break
        trial = agents - comfortable
        trial_levels = levels_of(trial)
        keep = comfortable & (trial_levels >= target_service_level)
        if not keep.any():
            break
        agents = agents - keep
        levels = levels_of(agents)
    # never return a plan that the last simulation shows short
    while (busy & (levels < target_service_level)).any():
        agents = agents + (busy & (levels < target_service_level))
        levels = levels_of(agents)
    return agents


def compare_time_varying_methods(
    frame: pd.DataFrame,
    *,
    methods: Sequence[TimeVaryingMethod] = (
        "sipp",
        "lagged",
        "modified_offered_load",
        "simulation",
    ),
    target_service_level: float = 0.8,
    target_seconds: float = 20.0,
    patience_seconds: float | None = None,
    service_level_definition: str | None = None,
    replications: int = 8,
    evaluation_replications: int = 20,
    seed: int = 0,
    evaluation_seed: int = 12345,
    tolerance: float = 0.02,
) -> pd.DataFrame:
    """Staff with each method, then judge every plan by an independent simulation.

    Parameters
    ----------
    frame : pandas.DataFrame
        Interval frame (see :func:`staff_time_varying`).
    methods : sequence of str
        Methods to compare.
    target_service_level, target_seconds, patience_seconds, service_level_definition
        Targets, as in :func:`staff_time_varying`.
    replications : int, default 8
        Replications inside the simulation-based method.
    evaluation_replications : int, default 20
        Replications of the judging simulation (its own seed, so the simulation method is
        not judged on the random numbers it was tuned on).
    seed, evaluation_seed : int
        Seeds of the tuning and the judging simulations.
    tolerance : float, default 0.02
        An interval counts as meeting the target if its simulated service level is at least
        ``target_service_level - tolerance`` (simulation noise).

    Returns
    -------
    pandas.DataFrame
        One row per method: ``agent_hours``, ``intervals_meeting_target`` (fraction of busy
        intervals), ``worst_service_level``, ``mean_service_level``.
    """
    grid = forecast_grid(frame)
    definition = service_level_definition or "answered_of_offered"
    queues = [SimulationQueue(name, patience_seconds=patience_seconds) for name in grid.queues]
    busy = grid.volume > 0
    rows = []
    for method in methods:
        plan = staff_time_varying(
            frame,
            method=method,
            target_service_level=target_service_level,
            target_seconds=target_seconds,
            patience_seconds=patience_seconds,
            service_level_definition=service_level_definition,
            replications=replications,
            seed=seed,
        )
        agents = plan[REQUIRED_AGENTS].to_numpy().reshape(grid.volume.shape)
        levels = _simulated_levels(
            frame,
            grid,
            agents,
            queues=queues,
            target_seconds=target_seconds,
            service_level_definition=definition,
            replications=evaluation_replications,
            seed=evaluation_seed,
        )
        rows.append(
            {
                "method": method,
                "agent_hours": float(agents.sum() * grid.interval_seconds / 3600.0),
                "intervals_meeting_target": float(
                    (levels[busy] >= target_service_level - tolerance).mean()
                ),
                "worst_service_level": float(levels[busy].min()),
                "mean_service_level": float(levels[busy].mean()),
            }
        )
    return pd.DataFrame(rows)
