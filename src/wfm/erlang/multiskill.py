"""Multi-skill staffing: agents per skill group and interval meeting every queue's target.

:func:`pooling_comparison` gives the two Erlang C bounds of a multi-queue centre per
interval: every queue staffed separately (dedicated agents) and every queue pooled into
one (universal agents, volume-weighted AHT). :func:`multiskill_staffing` searches the
cheapest mix of skill groups between those bounds with the simulator: for each interval it
simulates the interval's rates in steady state and

1. starts every queue at its offered load (rounded down, the stability floor) on the
   cheapest group that serves it;
2. while some queue misses its target, adds one agent to the group with the lowest cost per
   short queue it serves, among the groups serving the queue furthest below target;
3. then tries to remove agents, most expensive group first, keeping every target met;
4. finally a local search: move one agent to a cheaper group, or replace two agents by one
   agent of a group cheaper than the pair (typically two specialists by one cross-trained
   agent), accepting the first move that keeps every target met, until none does or the
   evaluation budget is spent.

The same random numbers are used for every candidate (common random numbers), so
comparisons between neighbouring staffings are not blurred by noise. This is a greedy
heuristic, not a proof of optimality; the report states the two Erlang C bounds next to it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.core.errors import InputError
from wfm.core.frames import INTERVAL_START, QUEUE
from wfm.erlang._sim_inputs import (
    SKILL_GROUP,
    AgentRoster,
    ForecastGrid,
    check_every_queue_served,
    forecast_grid,
)
from wfm.erlang.simulation import SimulationQueue, _queue_models, _run
from wfm.erlang.staffing import required_agents

__all__ = ["MultiskillStaffingResult", "multiskill_staffing", "pooling_comparison"]


def _combined_aht(volume: np.ndarray, aht: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Total volume and volume-weighted AHT per interval (axis 0 = queues)."""
    total = volume.sum(axis=0)
    work = (volume * aht).sum(axis=0)
    mean_aht = np.where(total > 0, work / np.where(total > 0, total, 1), 1.0)
    return total, mean_aht


def pooling_comparison(
    frame: pd.DataFrame,
    *,
    target_service_level: float = 0.8,
    target_seconds: float = 20.0,
    interval_minutes: int | None = None,
) -> pd.DataFrame:
    """Erlang C agents per interval with every queue separate versus all queues pooled.

    Parameters
    ----------
    frame : pandas.DataFrame
        Interval frame with several queues on one grid (``volume`` per interval,
        ``aht_seconds`` in seconds).
    target_service_level : float, default 0.8
        Fraction (0 to 1) answered within ``target_seconds``, for every queue.
    target_seconds : float, default 20.0
        Answer-time target in seconds.
    interval_minutes : int, optional
        Interval length; inferred from the timestamps if omitted.

    Returns
    -------
    pandas.DataFrame
        Per ``interval_start``: ``separate_agents`` (sum of each queue's own Erlang C
        requirement), ``pooled_agents`` (Erlang C on the summed volume with the
        volume-weighted AHT; exact when the AHTs are equal) and ``pooling_gain`` (their
        difference).

    Examples
    --------
    Two queues of 10 Erlangs each (60 calls per half hour, AHT 300 s) need 14 + 14 = 28
    agents apart and 25 together under 80/20.
    """
    grid = forecast_grid(frame, interval_minutes)
    aht = np.where(grid.aht_seconds > 0, grid.aht_seconds, 1.0)

    def staff(volume: np.ndarray, handle_seconds: np.ndarray) -> np.ndarray:
        return np.asarray(
            required_agents(
                volume,
                handle_seconds,
                interval_seconds=grid.interval_seconds,
                target_service_level=target_service_level,
                target_seconds=target_seconds,
            )
        )

    separate = staff(grid.volume, aht).sum(axis=0)
    total, mean_aht = _combined_aht(grid.volume, aht)
    pooled = staff(total, mean_aht)
    return pd.DataFrame(
        {
            INTERVAL_START: grid.interval_starts,
            "separate_agents": separate.astype(np.int64),
            "pooled_agents": pooled.astype(np.int64),
            "pooling_gain": (separate - pooled).astype(np.int64),
        }
    )


@dataclass(frozen=True)
class MultiskillStaffingResult:
    """Outcome of :func:`multiskill_staffing`.

    Attributes
    ----------
    staffing : pandas.DataFrame
        ``skill_group``, ``interval_start``, ``agents`` (ready for
        :func:`~wfm.erlang.simulate_centre`'s ``staffing=``), ``cost``.
    service : pandas.DataFrame
        ``queue``, ``interval_start``, simulated ``service_level`` (answered within the
        target / offered) of the chosen staffing, ``target_service_level``.
    comparison : pandas.DataFrame
        Per ``interval_start``: ``multiskill_agents``, ``multiskill_cost``,
        ``separate_agents`` and ``pooled_agents`` (the Erlang C bounds of
        :func:`pooling_comparison`).
    """

    staffing: pd.DataFrame
    service: pd.DataFrame
    comparison: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Return the staffing frame."""
        return self.staffing

    def summary(self) -> pd.DataFrame:
        """Agent-intervals over the horizon: multi-skill, separate queues, full pooling."""
        totals = self.comparison[["multiskill_agents", "separate_agents", "pooled_agents"]].sum()
        return pd.DataFrame(
            {
                "staffing": ["multiskill", "separate_queues", "full_pooling"],
                "agent_intervals": [
                    int(totals["multiskill_agents"]),
                    int(totals["separate_agents"]),
                    int(totals["pooled_agents"]),
                ],
                "cost": [
                    float(self.comparison["multiskill_cost"].sum()),
                    np.nan,
                    np.nan,
                ],
            }
        )


def _stationary_grid(grid: ForecastGrid, interval: int, block_intervals: int) -> ForecastGrid:
    """Repeat the interval's rates ``block_intervals`` times (steady-state evaluation)."""
    return ForecastGrid(
        queues=grid.queues,
        interval_starts=pd.DatetimeIndex(
            [
                grid.interval_starts[0] + pd.Timedelta(seconds=grid.interval_seconds * k)
                for k in range(block_intervals)
            ]
        ),
        interval_seconds=grid.interval_seconds,
        volume=np.repeat(grid.volume[:, interval : interval + 1], block_intervals, axis=1),
        aht_seconds=np.repeat(
            grid.aht_seconds[:, interval : interval + 1], block_intervals, axis=1
        ),
    )


def _roster(
    counts: np.ndarray, group_names: tuple[Hashable, ...], group_queues: tuple[tuple[int, ...], ...]
) -> AgentRoster:
    agent_group = np.repeat(np.arange(counts.size), counts)
    n_agents = int(agent_group.size)
    return AgentRoster(
        group_names=group_names,
        group_queues=group_queues,
        agent_group=tuple(int(g) for g in agent_group),
        agent_names=tuple(range(n_agents)),
        duty_start_seconds=np.zeros(n_agents),
        duty_end_seconds=np.full(n_agents, np.inf),
        duty_agent=np.arange(n_agents, dtype=np.int64),
    )


def multiskill_staffing(
    forecast: pd.DataFrame,
    skill_groups: Mapping[Hashable, Iterable[Hashable]],
    *,
    group_costs: Mapping[Hashable, float] | None = None,
    target_service_level: float = 0.8,
    target_seconds: float = 20.0,
    queues: Sequence[SimulationQueue] | None = None,
    replications: int = 6,
    block_intervals: int = 5,
    seed: int = 0,
    max_steps: int = 500,
    max_local_evaluations: int = 40,
    interval_minutes: int | None = None,
) -> MultiskillStaffingResult:
    """Cheapest agents per skill group and interval that meet every queue's target.

    Parameters
    ----------
    forecast : pandas.DataFrame
        Interval frame of every queue (``volume`` per interval, ``aht_seconds``).
    skill_groups : mapping
        Skill group -> queues its agents serve.
    group_costs : mapping, optional
        Cost of one agent of each group per interval (default 1 for every group; give
        cross-trained groups a premium to prefer specialists).
    target_service_level : float, default 0.8
        Fraction (0 to 1) of each queue's contacts to answer within ``target_seconds``.
    target_seconds : float, default 20.0
        Answer-time target in seconds.
    queues : sequence of SimulationQueue, optional
        Queue behaviour (priority, patience, handle-time shape) for the simulation.
    replications : int, default 6
        Replications per evaluated staffing.
    block_intervals : int, default 5
        Length of each steady-state evaluation in intervals (the first is warm-up).
    seed : int, default 0
        Seed of the common random numbers.
    max_steps : int, default 500
        Most agents added per interval before giving up.
    max_local_evaluations : int, default 40
        Most simulations per interval spent on the local search after the trim.
    interval_minutes : int, optional
        Interval length; inferred from the timestamps if omitted (needed for one interval).

    Returns
    -------
    MultiskillStaffingResult

    Raises
    ------
    InputError
        On a bad frame, a skill nobody has, unknown queues, a bad cost or target.
    """
    if not 0 < target_service_level < 1:
        raise InputError(
            f"target_service_level={target_service_level!r} must be strictly between 0 and 1."
        )
    if block_intervals < 2:
        raise InputError(f"block_intervals={block_intervals!r} must be >= 2 (one is warm-up).")
    grid = forecast_grid(forecast, interval_minutes)
    names = tuple(skill_groups)
    position = {queue: i for i, queue in enumerate(grid.queues)}
    group_queues_list: list[tuple[int, ...]] = []
    for name in names:
        members = list(skill_groups[name])
        unknown = [q for q in members if q not in position]
        if unknown or not members:
            raise InputError(
                f"skill_groups[{name!r}] names queue(s) {unknown or members} not in the "
                f"forecast (queues: {list(grid.queues)}). Fix: use the forecast's queue names."
            )
        group_queues_list.append(tuple(sorted(position[q] for q in members)))
    group_queues = tuple(group_queues_list)
    check_every_queue_served(grid, group_queues)
    costs = np.ones(len(names))
    if group_costs is not None:
        for g, name in enumerate(names):
            value = float(group_costs.get(name, 1.0))
            if not np.isfinite(value) or value <= 0:
                raise InputError(f"group_costs[{name!r}]={value!r} must be a cost > 0.")
            costs[g] = value
    models = _queue_models(grid, queues)
    targets = np.full(len(grid.queues), float(target_seconds))
    n_intervals = len(grid.interval_starts)
    chosen = np.zeros((len(names), n_intervals), dtype=np.int64)
    levels = np.ones((len(grid.queues), n_intervals))
    for interval in range(n_intervals):
        block = _stationary_grid(grid, interval, block_intervals)

        def evaluate(counts: np.ndarray, block: ForecastGrid = block) -> np.ndarray:
            result = _run(
                block, models, _roster(counts, names, group_queues), targets, replications, seed
            )
            numerator, denominator = result.service_level_counts("answered_of_offered")
            offered = denominator[:, :, 1:].sum(axis=(0, 2))
            answered = numerator[:, :, 1:].sum(axis=(0, 2))
            return np.where(offered > 0, answered / np.where(offered > 0, offered, 1), 1.0)

        counts, level = _search(
            evaluate,
            block,
            group_queues,
            costs,
            target_service_level,
            max_steps,
            max_local_evaluations,
        )
        chosen[:, interval] = counts
        levels[:, interval] = level
    return _result(
        grid,
        names,
        costs,
        chosen,
        levels,
        target_service_level,
        target_seconds,
        forecast,
        interval_minutes,
    )


def _search(
    evaluate: Callable[[np.ndarray], np.ndarray],
    block: ForecastGrid,
    group_queues: tuple[tuple[int, ...], ...],
    costs: np.ndarray,
    target: float,
    max_steps: int,
    max_evaluations: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy add-then-trim search and local improvement for one interval."""
    n_groups = len(group_queues)
    serves = np.zeros((n_groups, block.volume.shape[0]), dtype=bool)
    for g, queues in enumerate(group_queues):
        serves[g, list(queues)] = True
    counts = np.zeros(n_groups, dtype=np.int64)
    load = block.volume[:, 0] * block.aht_seconds[:, 0] / block.interval_seconds
    for q in np.flatnonzero(load > 0):
        candidates = np.flatnonzero(serves[:, q])
        cheapest = candidates[np.lexsort((serves[candidates].sum(axis=1), costs[candidates]))[0]]
        counts[cheapest] += int(np.floor(load[q]))
    busy = block.volume[:, 0] > 0
    level = np.asarray(evaluate(counts))
    for _ in range(max_steps):
        short = busy & (level < target)
        if not short.any():
            break
        worst = int(np.argmax(np.where(short, target - level, -np.inf)))
        candidates = np.flatnonzero(serves[:, worst])
        helped = (serves[candidates] & short[None, :]).sum(axis=1)
        score = costs[candidates] / helped
        counts[candidates[int(np.argmin(score))]] += 1
        level = np.asarray(evaluate(counts))
    else:
        raise InputError(
            f"no staffing with up to {int(counts.sum())} agents meets the targets. Fix: check "
            "volume and AHT units, or raise max_steps."
        )
    for g in np.argsort(-costs, kind="stable"):
        while counts[g] > 0:
            counts[g] -= 1
            trial = np.asarray(evaluate(counts))
            if (busy & (trial < target)).any():
                counts[g] += 1
                break
            level = trial
    return _improve(evaluate, counts, level, costs, busy, target, max_evaluations)


def _moves(counts: np.ndarray, costs: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """List cost-saving moves, biggest saving first.

    A move either swaps one agent to a cheaper group or replaces two agents by one agent of
    any group cheaper than the pair.
    """
    n_groups = counts.size
    moves: list[tuple[float, np.ndarray]] = []
    for source in range(n_groups):
        if counts[source] == 0:
            continue
        for destination in range(n_groups):
            if destination != source and costs[destination] < costs[source]:
                step = np.zeros(n_groups, dtype=np.int64)
                step[source] -= 1
                step[destination] += 1
                moves.append((float(costs[source] - costs[destination]), step))
        for other in range(source, n_groups):
            if counts[other] - (other == source) <= 0:
                continue
            for destination in range(n_groups):
                saving = costs[source] + costs[other] - costs[destination]
                if saving > 0:
                    step = np.zeros(n_groups, dtype=np.int64)
                    step[source] -= 1
                    step[other] -= 1
                    step[destination] += 1
                    moves.append((float(saving), step))
    moves.sort(key=lambda move: -move[0])
    return moves


def _improve(
    evaluate: Callable[[np.ndarray], np.ndarray],
    counts: np.ndarray,
    level: np.ndarray,
    costs: np.ndarray,
    busy: np.ndarray,
    target: float,
    max_evaluations: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Local search after the trim: accept the first feasible cost-saving move, repeat."""
    evaluations = 0
    improved = True
    while improved and evaluations < max_evaluations:
        improved = False
        for _, step in _moves(counts, costs):
            if evaluations >= max_evaluations:
                break
            candidate = counts + step
            trial = np.asarray(evaluate(candidate))
            evaluations += 1
            if not (busy & (trial < target)).any():
                counts, level, improved = candidate, trial, True
                break
    return counts, level


def _result(
    grid: ForecastGrid,
    names: tuple[Hashable, ...],
    costs: np.ndarray,
    chosen: np.ndarray,
    levels: np.ndarray,
    target_service_level: float,
    target_seconds: float,
    forecast: pd.DataFrame,
    interval_minutes: int | None,
) -> MultiskillStaffingResult:
    n_groups, n_intervals = chosen.shape
    staffing = pd.DataFrame(
        {
            SKILL_GROUP: np.repeat(np.asarray(names, dtype=object), n_intervals),
            INTERVAL_START: np.tile(grid.interval_starts, n_groups),
            "agents": chosen.ravel(),
            "cost": (chosen * costs[:, None]).ravel(),
        }
    )
    service = pd.DataFrame(
        {
            QUEUE: np.repeat(np.asarray(grid.queues, dtype=object), n_intervals),
            INTERVAL_START: np.tile(grid.interval_starts, len(grid.queues)),
            "service_level": levels.ravel(),
            "target_service_level": target_service_level,
        }
    )
    bounds = pooling_comparison(
        forecast,
        target_service_level=target_service_level,
        target_seconds=target_seconds,
        interval_minutes=interval_minutes,
    )
    comparison = pd.DataFrame(
        {
            INTERVAL_START: grid.interval_starts,
            "multiskill_agents": chosen.sum(axis=0),
            "multiskill_cost": (chosen * costs[:, None]).sum(axis=0),
            "separate_agents": bounds["separate_agents"].to_numpy(),
            "pooled_agents": bounds["pooled_agents"].to_numpy(),
        }
    )
    return MultiskillStaffingResult(staffing=staffing, service=service, comparison=comparison)
