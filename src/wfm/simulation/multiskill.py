"""Multi-skill staffing: agents per skill group and interval meeting every queue's target.

:func:`pooling_comparison` gives the two Erlang C bounds of a multi-queue centre per
interval: every queue staffed separately (dedicated agents) and every queue pooled into
one (universal agents, volume-weighted AHT). :func:`multiskill_staffing` searches the
cheapest mix of skill groups between those bounds with the simulator. For each interval
it simulates the interval's rates in steady state. A staffing is **accepted only when the
one-sided lower confidence bound** of every busy queue's service level (mean minus
``t_{R-1}(confidence)`` standard errors over ``R`` replications, the ratio estimator's
delta-method error) meets the target; an undecided staffing (bound below, point estimate
at or above the target) is re-simulated with twice the replications, up to
``max_replications``. Staffings whose agents all serve every queue are judged exactly by
Erlang C when the queues follow its assumptions (default :class:`SimulationQueue`: Poisson
arrivals, exponential handle times, no abandonment, equal priority, equal AHT).

The search, from two starts:

* **pooled start**: the pooled Erlang C agents, all in the cheapest group serving every
  queue (when there is one). If that group is among the cheapest groups, no mix can be
  cheaper (the pooled requirement is the fewest agents any mix needs) and it is returned;
* **specialist start**: every queue at its offered load (rounded down) on the cheapest group
  that serves it;

from each start:

1. while some queue's bound misses the target, add one agent to the group with the lowest
   cost per short queue it serves, among the groups serving the queue furthest below;
2. remove agents, most expensive group first, while every target stays met;
3. local search: move one agent to a cheaper group, or replace two agents by one agent of a
   group cheaper than the pair (two specialists by one cross-trained agent), accepting the
   first move that keeps every target met, until none does or the budget is spent.

The cheaper result is kept. Finally the answer is **re-checked on independent random
numbers** (``check_replications``, another seed); if a queue's re-checked point estimate
misses the target, agents are added (rule 1) on those numbers. The ``service`` frame
reports the re-check with its 95 % confidence interval. Common random numbers are used
between candidates of the search. This is a heuristic, not a proof of optimality; the
benchmark (docs/simulation.md) measures its distance from the cheapest mix found by
exhaustive search.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wfm.core._display import ResultDisplay, Summary
from wfm.core.errors import InputError
from wfm.core.frames import INTERVAL_START, QUEUE
from wfm.erlang.metrics import service_level as erlang_service_level
from wfm.erlang.staffing import required_agents
from wfm.simulation._inputs import (
    AGENTS,
    SKILL_GROUP,
    AgentRoster,
    ForecastGrid,
    check_every_queue_served,
    forecast_grid,
)
from wfm.simulation._simulator import SimulationQueue, queue_models, run_replications

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


@dataclass(frozen=True, repr=False)
class MultiskillStaffingResult(ResultDisplay):
    """Outcome of :func:`multiskill_staffing`.

    Attributes
    ----------
    staffing : pandas.DataFrame
        ``skill_group``, ``interval_start``, ``agents`` (ready for
        :func:`~wfm.simulation.simulate_centre`'s ``staffing=``), ``cost``.
    service : pandas.DataFrame
        ``queue``, ``interval_start``, ``service_level`` (answered within the target /
        offered) of the chosen staffing re-checked on independent random numbers, with
        its 95 % confidence interval ``service_level_low`` / ``service_level_high``;
        ``search_service_level_low`` (the lower bound it was accepted on during the
        search), ``target_service_level`` and ``check`` (``"simulation"``, or
        ``"erlang_c"`` where the staffing is exactly an Erlang C system).
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

    def summary(self) -> Summary:
        """Agent-intervals over the horizon: multi-skill, separate queues, full pooling.

        The breakdown has one row per staffing (``multiskill``, ``separate_queues``,
        ``full_pooling``) with ``agent_intervals`` and ``cost`` (NaN for the Erlang C
        bounds, which have no skill-group costs).
        """
        totals = self.comparison[["multiskill_agents", "separate_agents", "pooled_agents"]].sum()
        breakdown = pd.DataFrame(
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
        levels = self.service["service_level"].to_numpy(dtype=float)
        figures = {
            "multiskill_agent_intervals": int(totals["multiskill_agents"]),
            "separate_queues_agent_intervals": int(totals["separate_agents"]),
            "full_pooling_agent_intervals": int(totals["pooled_agents"]),
            "multiskill_cost": float(self.comparison["multiskill_cost"].sum()),
            "lowest_service_level": float(np.nanmin(levels)) if np.isfinite(levels).any() else None,
        }
        units = {name: "agent-intervals" for name in figures if name.endswith("_intervals")}
        units.update(multiskill_cost="cost units", lowest_service_level="fraction")
        return Summary("MultiskillStaffingResult", figures, units=units, breakdown=breakdown)


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


@dataclass(frozen=True)
class _Estimate:
    """Service level per queue: point estimate and confidence bounds (fractions)."""

    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _ratio_estimate(answered: np.ndarray, offered: np.ndarray, quantile: float) -> _Estimate:
    """Ratio estimate over replications (axis 0) with a delta-method standard error."""
    from scipy import stats

    n = answered.shape[0]
    total = offered.sum(axis=0)
    mean = np.where(total > 0, answered.sum(axis=0) / np.where(total > 0, total, 1), 1.0)
    residual = answered - mean[None, :] * offered
    mean_offered = np.where(total > 0, total / n, 1.0)
    spread = np.sqrt((residual**2).sum(axis=0) / (n * (n - 1))) / mean_offered
    half = float(stats.t.ppf(quantile, n - 1)) * spread
    return _Estimate(mean, mean - half, mean + half)


def _erlang_c_exact(models: Sequence[SimulationQueue]) -> bool:
    """Whether the simulated queues follow Erlang C's assumptions (default behaviour)."""
    return all(model == SimulationQueue(model.name) for model in models)


@dataclass(frozen=True)
class _Evaluator:
    """Judges staffings of one steady-state interval block (search or re-check numbers)."""

    block: ForecastGrid
    models: Sequence[SimulationQueue]
    names: tuple[Hashable, ...]
    group_queues: tuple[tuple[int, ...], ...]
    targets: np.ndarray
    replications: int
    max_replications: int
    seed: int
    quantile: float
    exact: bool
    seen: dict[tuple[int, ...], _Estimate] = field(default_factory=dict)

    def __call__(self, counts: np.ndarray, target: float) -> _Estimate:
        key = tuple(int(c) for c in counts)
        if key not in self.seen:
            self.seen[key] = self._estimate(counts, target)
        return self.seen[key]

    def _estimate(self, counts: np.ndarray, target: float) -> _Estimate:
        busy = self.block.volume[:, 0] > 0
        pools = self._pools(counts, busy)
        if pools is not None:
            return self._erlang_c(pools)
        replications = self.replications
        while True:
            estimate = self._simulate(counts, replications)
            undecided = busy & (estimate.low < target) & (estimate.mean >= target)
            if not undecided.any() or 2 * replications > self.max_replications:
                return estimate
            replications *= 2

    def _pools(self, counts: np.ndarray, busy: np.ndarray) -> list[tuple[int, list[int]]] | None:
        """Disjoint agent pools ``(agents, busy queues)`` when Erlang C is exact, else None.

        Exact when the queues follow Erlang C's assumptions and the staffed groups split the
        busy queues into disjoint pools (groups serving the same busy queues merge), each
        with one handle time: every pool is then an M/M/n queue served first come, first
        served.
        """
        if not self.exact:
            return None
        pools: dict[tuple[int, ...], int] = {}
        for g in np.flatnonzero(counts > 0):
            members = tuple(q for q in self.group_queues[g] if busy[q])
            if members:
                pools[members] = pools.get(members, 0) + int(counts[g])
        covered = [q for members in pools for q in members]
        if len(covered) != len(set(covered)) or set(covered) != set(np.flatnonzero(busy)):
            return None
        aht = self.block.aht_seconds[:, 0]
        for members in pools:
            if not np.allclose(aht[list(members)], aht[members[0]], rtol=1e-12):
                return None
        return [(agents, list(members)) for members, agents in pools.items()]

    def _simulate(self, counts: np.ndarray, replications: int) -> _Estimate:
        roster = _roster(counts, self.names, self.group_queues)
        result = run_replications(
            self.block, self.models, roster, self.targets, replications, self.seed
        )
        numerator, denominator = result.service_level_counts("answered_of_offered")
        answered = numerator[:, :, 1:].sum(axis=2)
        offered = denominator[:, :, 1:].sum(axis=2)
        return _ratio_estimate(answered, offered, self.quantile)

    def _erlang_c(self, pools: list[tuple[int, list[int]]]) -> _Estimate:
        volume = self.block.volume[:, 0]
        mean = np.ones(volume.size)
        for agents, members in pools:
            mean[members] = float(
                erlang_service_level(
                    float(volume[members].sum()),
                    float(self.block.aht_seconds[members[0], 0]),
                    agents,
                    float(self.targets[members[0]]),
                    interval_seconds=self.block.interval_seconds,
                )
            )
        return _Estimate(mean, mean.copy(), mean.copy())


def multiskill_staffing(
    forecast: pd.DataFrame,
    skill_groups: Mapping[Hashable, Iterable[Hashable]],
    *,
    group_costs: Mapping[Hashable, float] | None = None,
    target_service_level: float = 0.8,
    target_seconds: float = 20.0,
    queues: Sequence[SimulationQueue] | None = None,
    replications: int = 16,
    block_intervals: int = 5,
    confidence: float = 0.95,
    max_replications: int = 64,
    check_replications: int = 64,
    seed: int = 0,
    max_steps: int = 500,
    max_local_evaluations: int = 40,
    interval_minutes: int | None = None,
) -> MultiskillStaffingResult:
    """Cheapest agents per skill group and interval that meet every queue's target.

    A staffing is accepted only when the lower ``confidence`` bound of every busy queue's
    simulated service level meets the target; the answer is re-checked on independent
    random numbers (module docstring and docs/simulation.md).

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
    replications : int, default 16
        Replications per evaluated staffing at first (>= 2).
    block_intervals : int, default 5
        Length of each steady-state evaluation in intervals (the first is warm-up).
    confidence : float, default 0.95
        One-sided confidence of the lower bound that must meet the target (0.5 to 1; 0.5
        accepts on the point estimate).
    max_replications : int, default 64
        Most replications spent on one undecided staffing (doubling from
        ``replications``).
    check_replications : int, default 64
        Replications of the independent re-check of the answer (>= 2).
    seed : int, default 0
        Seed of the common random numbers (the re-check uses other numbers).
    max_steps : int, default 500
        Most agents added per interval before giving up.
    max_local_evaluations : int, default 40
        Most staffings evaluated per interval and start by the local search.
    interval_minutes : int, optional
        Interval length; inferred from the timestamps if omitted (needed for one interval).

    Returns
    -------
    MultiskillStaffingResult
        ``service`` holds the re-checked service level and its 95 % interval.

    Raises
    ------
    InputError
        On a bad frame, a skill nobody has, unknown queues, a bad cost, target or
        replication setting.
    """
    if not 0 < target_service_level < 1:
        raise InputError(
            f"target_service_level={target_service_level!r} must be strictly between 0 and 1."
        )
    if block_intervals < 2:
        raise InputError(f"block_intervals={block_intervals!r} must be >= 2 (one is warm-up).")
    if not 0.5 <= confidence < 1:
        raise InputError(
            f"confidence={confidence!r} must be in [0.5, 1). Fix: e.g. confidence=0.95."
        )
    if replications < 2 or check_replications < 2 or max_replications < replications:
        raise InputError(
            f"replications={replications!r}, max_replications={max_replications!r} and "
            f"check_replications={check_replications!r} need 2 <= replications <= "
            "max_replications and check_replications >= 2 (a confidence bound needs two). "
            "Fix: e.g. replications=16, max_replications=64, check_replications=64."
        )
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
    models = queue_models(grid, queues)
    targets = np.full(len(grid.queues), float(target_seconds))
    n_intervals = len(grid.interval_starts)
    n_queues = len(grid.queues)
    chosen = np.zeros((len(names), n_intervals), dtype=np.int64)
    checked = {key: np.ones((n_queues, n_intervals)) for key in ("mean", "low", "high")}
    searched = np.ones((n_queues, n_intervals))
    exact_checks = np.zeros(n_intervals, dtype=bool)
    models_exact = _erlang_c_exact(models)
    for interval in range(n_intervals):
        block = _stationary_grid(grid, interval, block_intervals)
        busy = block.volume[:, 0] > 0
        universal = np.asarray(
            [bool(np.all(np.isin(np.flatnonzero(busy), queues))) for queues in group_queues]
        )
        exact = models_exact and bool(busy.any())

        common = (block, models, names, group_queues, targets)
        search = _Evaluator(*common, replications, max_replications, seed, confidence, exact)
        counts, estimate = _search(
            search,
            block,
            group_queues,
            costs,
            universal,
            target_service_level,
            target_seconds,
            max_steps,
            max_local_evaluations,
        )
        # Independent re-check (other random numbers, two-sided 95 % interval).
        check = _Evaluator(
            *common,
            check_replications,
            check_replications,
            seed + 1_000_003,
            0.975,
            exact,
        )
        counts, verdict = _repair(check, counts, costs, group_queues, busy, target_service_level)
        chosen[:, interval] = counts
        searched[:, interval] = estimate.low
        checked["mean"][:, interval] = verdict.mean
        checked["low"][:, interval] = verdict.low
        checked["high"][:, interval] = verdict.high
        exact_checks[interval] = bool(verdict.low[busy].size) and bool(
            np.array_equal(verdict.low, verdict.high)
        )
    return _result(
        grid,
        names,
        costs,
        chosen,
        checked,
        searched,
        exact_checks,
        target_service_level,
        target_seconds,
        forecast,
        interval_minutes,
    )


def _meets(estimate: _Estimate, busy: np.ndarray, target: float) -> bool:
    """Whether every busy queue's lower bound meets the target."""
    return not (busy & (estimate.low < target)).any()


def _serves(group_queues: tuple[tuple[int, ...], ...], n_queues: int) -> np.ndarray:
    serves = np.zeros((len(group_queues), n_queues), dtype=bool)
    for g, queues in enumerate(group_queues):
        serves[g, list(queues)] = True
    return serves


def _add_one(
    counts: np.ndarray,
    estimate: _Estimate,
    serves: np.ndarray,
    costs: np.ndarray,
    short: np.ndarray,
    target: float,
) -> np.ndarray:
    """Add one agent to the cheapest group per short queue served (furthest short first)."""
    worst = int(np.argmax(np.where(short, target - estimate.low, -np.inf)))
    candidates = np.flatnonzero(serves[:, worst])
    helped = (serves[candidates] & short[None, :]).sum(axis=1)
    score = costs[candidates] / helped
    counts = counts.copy()
    counts[candidates[int(np.argmin(score))]] += 1
    return counts


def _search(
    evaluate: _Evaluator,
    block: ForecastGrid,
    group_queues: tuple[tuple[int, ...], ...],
    costs: np.ndarray,
    universal: np.ndarray,
    target: float,
    target_seconds: float,
    max_steps: int,
    max_evaluations: int,
) -> tuple[np.ndarray, _Estimate]:
    """Search from the pooled and the specialist start; keep the cheaper answer."""
    n_groups = len(group_queues)
    serves = _serves(group_queues, block.volume.shape[0])
    busy = block.volume[:, 0] > 0
    answers = []
    if universal.any() and busy.any():
        volume = block.volume[:, 0]
        total, mean_aht = _combined_aht(volume[:, None], block.aht_seconds[:, :1])
        pooled = int(
            np.asarray(
                required_agents(
                    total,
                    mean_aht,
                    interval_seconds=block.interval_seconds,
                    target_service_level=target,
                    target_seconds=target_seconds,
                )
            )[0]
        )
        groups = np.flatnonzero(universal)
        cheapest = int(groups[np.argmin(costs[groups])])
        start = np.zeros(n_groups, dtype=np.int64)
        start[cheapest] = pooled
        answer = _climb(evaluate, start, serves, costs, busy, target, max_steps, max_evaluations)
        answers.append(answer)
        pooled_is_cheapest = costs[cheapest] <= costs.min() and answer[0].sum() == pooled
        if pooled_is_cheapest:
            return answer
    start = np.zeros(n_groups, dtype=np.int64)
    load = block.volume[:, 0] * block.aht_seconds[:, 0] / block.interval_seconds
    for q in np.flatnonzero(load > 0):
        candidates = np.flatnonzero(serves[:, q])
        best = candidates[np.lexsort((serves[candidates].sum(axis=1), costs[candidates]))[0]]
        start[best] += int(np.floor(load[q]))
    answers.append(_climb(evaluate, start, serves, costs, busy, target, max_steps, max_evaluations))
    return min(answers, key=lambda answer: float(costs @ answer[0]))


def _climb(
    evaluate: _Evaluator,
    counts: np.ndarray,
    serves: np.ndarray,
    costs: np.ndarray,
    busy: np.ndarray,
    target: float,
    max_steps: int,
    max_evaluations: int,
) -> tuple[np.ndarray, _Estimate]:
    """Add until every bound meets the target, trim, then improve locally."""
    estimate = evaluate(counts, target)
    for _ in range(max_steps):
        short = busy & (estimate.low < target)
        if not short.any():
            break
        counts = _add_one(counts, estimate, serves, costs, short, target)
        estimate = evaluate(counts, target)
    else:
        raise InputError(
            f"no staffing with up to {int(counts.sum())} agents meets the targets. Fix: check "
            "volume and AHT units, or raise max_steps."
        )
    for g in np.argsort(-costs, kind="stable"):
        while counts[g] > 0:
            counts[g] -= 1
            trial = evaluate(counts, target)
            if not _meets(trial, busy, target):
                counts[g] += 1
                break
            estimate = trial
    return _improve(evaluate, counts, estimate, costs, busy, target, max_evaluations)


def _repair(
    check: _Evaluator,
    counts: np.ndarray,
    costs: np.ndarray,
    group_queues: tuple[tuple[int, ...], ...],
    busy: np.ndarray,
    target: float,
) -> tuple[np.ndarray, _Estimate]:
    """Re-check on independent numbers; add agents while a point estimate misses."""
    serves = _serves(group_queues, busy.size)
    verdict = check(counts, target)
    for _ in range(50):
        short = busy & (verdict.mean < target)
        if not short.any():
            break
        counts = _add_one(counts, verdict, serves, costs, short, target)
        verdict = check(counts, target)
    return counts, verdict


def _moves(counts: np.ndarray, costs: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """List cost-saving moves, biggest saving first.

    A move swaps one agent to a cheaper group, replaces two agents by one agent of any
    group cheaper than the pair (two specialists by one cross-trained agent), or replaces
    two agents by two of other groups costing less together (e.g. two cross-trained agents
    by two specialists of different skills).
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
            for first in range(n_groups):
                for second in range(first, n_groups):
                    saving = costs[source] + costs[other] - costs[first] - costs[second]
                    if saving > 1e-12 and {first, second}.isdisjoint({source, other}):
                        step = np.zeros(n_groups, dtype=np.int64)
                        step[source] -= 1
                        step[other] -= 1
                        step[first] += 1
                        step[second] += 1
                        moves.append((float(saving), step))
    moves.sort(key=lambda move: -move[0])
    return moves


def _improve(
    evaluate: _Evaluator,
    counts: np.ndarray,
    estimate: _Estimate,
    costs: np.ndarray,
    busy: np.ndarray,
    target: float,
    max_evaluations: int,
) -> tuple[np.ndarray, _Estimate]:
    """Local search after the trim: accept the first cost-saving move that meets targets."""
    evaluations = 0
    improved = True
    while improved and evaluations < max_evaluations:
        improved = False
        for _, step in _moves(counts, costs):
            if evaluations >= max_evaluations:
                break
            candidate = counts + step
            trial = evaluate(candidate, target)
            evaluations += 1
            if _meets(trial, busy, target):
                counts, estimate, improved = candidate, trial, True
                break
    return counts, estimate


def _result(
    grid: ForecastGrid,
    names: tuple[Hashable, ...],
    costs: np.ndarray,
    chosen: np.ndarray,
    checked: dict[str, np.ndarray],
    searched: np.ndarray,
    exact_checks: np.ndarray,
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
            AGENTS: chosen.ravel(),
            "cost": (chosen * costs[:, None]).ravel(),
        }
    )
    service = pd.DataFrame(
        {
            QUEUE: np.repeat(np.asarray(grid.queues, dtype=object), n_intervals),
            INTERVAL_START: np.tile(grid.interval_starts, len(grid.queues)),
            "service_level": checked["mean"].ravel(),
            "service_level_low": checked["low"].ravel(),
            "service_level_high": checked["high"].ravel(),
            "search_service_level_low": searched.ravel(),
            "target_service_level": target_service_level,
            "check": np.tile(np.where(exact_checks, "erlang_c", "simulation"), len(grid.queues)),
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
