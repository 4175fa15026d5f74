"""Required agents per interval: the smallest staffing that meets every target at once.

:func:`required_agents` returns whole agents, :func:`required_agents_continuous` the
fractional requirement through the continuous extension of the Erlang formulas (rounding
belongs to the scheduler). Both are vectorised over all intervals: a square-root-staffing
start, then a galloping search and bisection run on the whole array at once, with each
iteration touching only the intervals that are still open. Because every metric is monotone
in the number of agents, the search is exact: the integer result ``N`` meets every target
and ``N − 1`` misses at least one (or ``N`` equals ``min_agents``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from wfm.core import InputError
from wfm.core._parallel import check_executor, check_n_jobs, map_tasks, thread_map
from wfm.core.types import ExecutorLike
from wfm.erlang._checks import (
    BoolArray,
    FloatArray,
    IntArray,
    check_fraction_open,
    check_min_agents,
    check_positive,
    check_range,
    check_seconds,
)
from wfm.erlang._fast import erlang_c_window_search, square_root_start
from wfm.erlang.metrics import (
    QueueInputs,
    check_definition,
    erlang_a_abandon_rate,
    erlang_a_asa,
    erlang_a_occupancy,
    erlang_a_service_level,
    erlang_c_asa,
    erlang_c_service_level,
    prepare_inputs,
)

_CONTINUOUS_BISECTION_STEPS = 24  # unit interval halved to ~6e-8 agents
_MAX_GALLOP_STEPS = 64
_CHUNK_SIZE = 1 << 16  # intervals per work unit (fits the CPU cache)


@dataclass(frozen=True)
class _Targets:
    """Validated staffing targets, each broadcast to the interval shape or ``None``."""

    service_level: FloatArray | None
    target_seconds: FloatArray
    max_occupancy: FloatArray | None
    max_asa_seconds: FloatArray | None
    max_abandon_rate: FloatArray | None
    definition: str | None

    def subset(self, index: IntArray) -> _Targets:
        """Restrict every array target to the positions ``index`` (flat)."""

        def pick(values: FloatArray | None) -> FloatArray | None:
            return None if values is None else values.reshape(-1)[index]

        return _Targets(
            service_level=pick(self.service_level),
            target_seconds=self.target_seconds.reshape(-1)[index],
            max_occupancy=pick(self.max_occupancy),
            max_asa_seconds=pick(self.max_asa_seconds),
            max_abandon_rate=pick(self.max_abandon_rate),
            definition=self.definition,
        )


def _broadcast(values: FloatArray | None, shape: tuple[int, ...], name: str) -> FloatArray | None:
    """Broadcast a target to the interval shape, naming it if that fails."""
    if values is None:
        return None
    try:
        return np.ascontiguousarray(np.broadcast_to(values, shape), dtype=np.float64)
    except ValueError as exc:
        raise InputError(
            f"{name} with shape {np.shape(values)} does not broadcast with the interval shape "
            f"{shape}. Fix: pass a scalar or one value per interval."
        ) from exc


def _check_targets(
    shape: tuple[int, ...],
    *,
    target_service_level: Any,
    target_seconds: Any,
    max_occupancy: Any,
    max_asa_seconds: Any,
    max_abandon_rate: Any,
    patience_given: bool,
    service_level_definition: str | None,
) -> _Targets:
    """Validate the staffing targets and broadcast them to ``shape``."""
    if all(
        t is None for t in (target_service_level, max_occupancy, max_asa_seconds, max_abandon_rate)
    ):
        raise InputError(
            "no staffing target given (target_service_level, max_occupancy, max_asa_seconds "
            "and max_abandon_rate are all None). Fix: give at least one target."
        )
    level = (
        None
        if target_service_level is None
        else check_fraction_open(target_service_level, "target_service_level")
    )
    seconds = check_seconds(target_seconds, "target_seconds")
    occupancy_cap = (
        None
        if max_occupancy is None
        else check_range(max_occupancy, "max_occupancy", low=0.0, high=1.0, low_inclusive=False)
    )
    asa_cap = (
        None
        if max_asa_seconds is None
        else check_positive(max_asa_seconds, "max_asa_seconds", "seconds")
    )
    abandon_cap = (
        None
        if max_abandon_rate is None
        else check_fraction_open(max_abandon_rate, "max_abandon_rate")
    )
    if abandon_cap is not None and not patience_given:
        raise InputError(
            "max_abandon_rate needs patience_seconds (Erlang A); under Erlang C nobody "
            "abandons. Fix: pass patience_seconds=... or drop max_abandon_rate."
        )
    definition = None
    if level is not None and patience_given:
        definition = check_definition(service_level_definition)
    seconds_b = _broadcast(seconds, shape, "target_seconds")
    assert seconds_b is not None
    return _Targets(
        service_level=_broadcast(level, shape, "target_service_level"),
        target_seconds=seconds_b,
        max_occupancy=_broadcast(occupancy_cap, shape, "max_occupancy"),
        max_asa_seconds=_broadcast(asa_cap, shape, "max_asa_seconds"),
        max_abandon_rate=_broadcast(abandon_cap, shape, "max_abandon_rate"),
        definition=definition,
    )


def _subset_inputs(q: QueueInputs, index: IntArray, agents: FloatArray) -> QueueInputs:
    """Return the inputs at flat positions ``index`` with the candidate ``agents``."""
    return QueueInputs(
        volume=q.volume.reshape(-1)[index],
        aht_seconds=q.aht_seconds.reshape(-1)[index],
        agents=agents,
        traffic=q.traffic.reshape(-1)[index],
        patience_seconds=None
        if q.patience_seconds is None
        else q.patience_seconds.reshape(-1)[index],
    )


def _meets_targets(q: QueueInputs, targets: _Targets) -> BoolArray:
    """Whether ``q.agents`` meets every target (all arrays are flat and aligned)."""
    if q.patience_seconds is None:
        ok = q.agents > q.traffic  # Erlang C staffing always requires a stable queue
        if targets.service_level is not None:
            ok &= erlang_c_service_level(q, targets.target_seconds) >= targets.service_level
        if targets.max_asa_seconds is not None:
            ok &= erlang_c_asa(q) <= targets.max_asa_seconds
        if targets.max_occupancy is not None:
            ok &= q.traffic <= targets.max_occupancy * q.agents
        return ok
    ok = np.ones(q.agents.shape, dtype=bool)
    if targets.service_level is not None:
        assert targets.definition is not None
        level = erlang_a_service_level(q, targets.target_seconds, targets.definition)
        ok &= level >= targets.service_level
    if targets.max_asa_seconds is not None:
        ok &= erlang_a_asa(q) <= targets.max_asa_seconds
    if targets.max_occupancy is not None:
        ok &= erlang_a_occupancy(q) <= targets.max_occupancy
    if targets.max_abandon_rate is not None:
        ok &= erlang_a_abandon_rate(q) <= targets.max_abandon_rate
    return ok


def _initial_estimate(q: QueueInputs, targets: _Targets) -> FloatArray:
    """Start of the search: the largest of per-target estimates (whole agents, >= 0).

    Service-level and ASA targets use square-root staffing ``A + β√A`` with the Erlang C
    (Halfin–Whitt) β, an upper-side start for Erlang A; an abandonment cap uses the fluid
    estimate ``A (1 − max abandon rate)``; an occupancy cap ``A / max occupancy``.
    """
    traffic = q.traffic
    start = np.zeros_like(traffic)
    if targets.service_level is not None or targets.max_asa_seconds is not None:
        start = square_root_start(
            traffic,
            q.aht_seconds,
            service_level=targets.service_level,
            target_seconds=targets.target_seconds,
            max_asa_seconds=targets.max_asa_seconds,
            max_occupancy=None,
        )
    if targets.max_occupancy is not None:
        start = np.maximum(start, traffic / targets.max_occupancy)
    if targets.max_abandon_rate is not None:
        start = np.maximum(start, traffic * (1.0 - targets.max_abandon_rate))
    return np.asarray(np.floor(start), dtype=np.float64)


def _search_integer(
    q: QueueInputs, targets: _Targets, floor_agents: FloatArray, start: FloatArray
) -> FloatArray:
    """Smallest whole ``N >= floor_agents`` meeting every target, for flat arrays."""
    size = q.traffic.size
    all_index = np.arange(size)

    def meets(index: IntArray, agents: FloatArray) -> BoolArray:
        return _meets_targets(_subset_inputs(q, index, agents), targets.subset(index))

    start = np.maximum(start, floor_agents)
    ok_start = meets(all_index, start)
    low = np.where(ok_start, np.nan, start)  # largest known failing count (nan: unknown)
    high = np.where(ok_start, start, np.nan)  # smallest known meeting count

    # Gallop down from a meeting start until a failing count or the floor is found.
    step = np.ones(size)
    open_down = ok_start & (start > floor_agents)
    low = np.where(ok_start & ~open_down, floor_agents - 1.0, low)
    for _ in range(_MAX_GALLOP_STEPS):
        index = np.flatnonzero(open_down)
        if index.size == 0:
            break
        candidate = np.maximum(high[index] - step[index], floor_agents[index])
        ok = meets(index, candidate)
        high[index] = np.where(ok, candidate, high[index])
        at_floor = candidate <= floor_agents[index]
        low[index] = np.where(ok, np.where(at_floor, floor_agents[index] - 1.0, np.nan), candidate)
        open_down[index] = ok & ~at_floor
        step[index] *= 2.0

    # Gallop up from a failing start until a meeting count is found.
    step = np.ones(size)
    open_up = ~ok_start
    for _ in range(_MAX_GALLOP_STEPS):
        index = np.flatnonzero(open_up)
        if index.size == 0:
            break
        candidate = low[index] + step[index]
        ok = meets(index, candidate)
        high[index] = np.where(ok, candidate, high[index])
        low[index] = np.where(ok, low[index], candidate)
        open_up[index] = ~ok
        step[index] *= 2.0
    if open_up.any():  # pragma: no cover - targets below 1 are always reachable
        raise InputError("a staffing target could not be reached with any number of agents.")

    # Bisection between a failing low and a meeting high.
    for _ in range(_MAX_GALLOP_STEPS):
        index = np.flatnonzero(high - low > 1.0)
        if index.size == 0:
            break
        middle = np.floor(0.5 * (low[index] + high[index]))
        ok = meets(index, middle)
        high[index] = np.where(ok, middle, high[index])
        low[index] = np.where(ok, low[index], middle)
    return high


def _erlang_a_lowest(q: QueueInputs, targets: _Targets, floor_agents: FloatArray) -> FloatArray:
    """Lowest agent count that can meet the Erlang A targets (a proven lower bound).

    Agents carry at most ``N`` Erlangs, so the answered fraction is at most ``N / A``: an
    answered-of-offered service level ``L`` needs ``N >= A L`` and an abandon cap ``r`` needs
    ``N >= A (1 − r)``.
    """
    lowest = floor_agents
    slack = 1e-9  # never exclude a count through rounding of the product
    if targets.service_level is not None and targets.definition == "answered_of_offered":
        lowest = np.maximum(lowest, np.ceil(q.traffic * targets.service_level - slack))
    if targets.max_abandon_rate is not None:
        lowest = np.maximum(lowest, np.ceil(q.traffic * (1.0 - targets.max_abandon_rate) - slack))
    return np.asarray(lowest, dtype=np.float64)


def _whole_requirement(q: QueueInputs, targets: _Targets, floor_agents: FloatArray) -> FloatArray:
    """Whole-agent requirement for flat arrays with positive traffic."""
    if q.patience_seconds is not None:
        return _search_integer(
            q, targets, _erlang_a_lowest(q, targets, floor_agents), _initial_estimate(q, targets)
        )
    whole = erlang_c_window_search(
        q.traffic,
        q.aht_seconds,
        floor_agents,
        service_level=targets.service_level,
        target_seconds=targets.target_seconds,
        max_asa_seconds=targets.max_asa_seconds,
        max_occupancy=targets.max_occupancy,
    )
    unresolved = np.flatnonzero(np.isnan(whole))
    if unresolved.size:
        rest = _subset_inputs(q, unresolved, np.zeros(unresolved.size))
        rest_targets = targets.subset(unresolved)
        whole[unresolved] = _search_integer(
            rest, rest_targets, floor_agents[unresolved], _initial_estimate(rest, rest_targets)
        )
    return whole


def _search_continuous(
    q: QueueInputs, targets: _Targets, whole: FloatArray, floor_agents: FloatArray
) -> FloatArray:
    """Smallest real ``N`` in ``(whole − 1, whole]`` meeting every target (flat arrays)."""
    result = whole.copy()
    index = np.flatnonzero(whole > floor_agents)
    if index.size == 0:
        return result
    low = whole[index] - 1.0
    high = whole[index].copy()
    for _ in range(_CONTINUOUS_BISECTION_STEPS):
        middle = 0.5 * (low + high)
        ok = _meets_targets(_subset_inputs(q, index, middle), targets.subset(index))
        high = np.where(ok, middle, high)
        low = np.where(ok, low, middle)
    result[index] = high
    return result


@dataclass(frozen=True)
class _SizingJob:
    """One chunk of intervals to size (picklable: it travels to a process or Dask worker)."""

    inputs: QueueInputs
    targets: _Targets
    floor_agents: FloatArray
    continuous: bool


def _size_job(job: _SizingJob) -> FloatArray:
    """Whole (row 0) and, when asked, fractional (row 1) requirement of one chunk."""
    whole = _whole_requirement(job.inputs, job.targets, job.floor_agents)
    if not job.continuous:
        return whole[None, :]
    continuous = _search_continuous(job.inputs, job.targets, whole, job.floor_agents)
    return np.stack([whole, continuous])


def _in_chunks(
    index: IntArray,
    make_job: Callable[[IntArray], _SizingJob],
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
) -> FloatArray:
    """Size cache-sized chunks of ``index``: here, on ``n_jobs`` threads, or on ``executor``.

    numpy and scipy release the GIL inside their array loops, so with ``n_jobs > 1`` the
    chunks run in parallel threads; by default (1) no thread is started, so a Dask or
    Spark worker that already runs one task per core is not oversubscribed. With an
    ``executor`` every chunk (its own slice of the inputs only) is a task on it. Each
    element's result does not depend on the chunking, the threads or the executor.
    """
    chunks = [index[i : i + _CHUNK_SIZE] for i in range(0, index.size, _CHUNK_SIZE)]
    if executor is not None:
        jobs = [make_job(chunk) for chunk in chunks]
        keys = [f"intervals {chunk[0]}-{chunk[-1]}" for chunk in chunks]
        return np.concatenate(
            map_tasks(_size_job, jobs, keys=keys, executor=executor, stage="sizing"), axis=-1
        )
    if len(chunks) == 1:
        return _size_job(make_job(index))
    results = thread_map(lambda chunk: _size_job(make_job(chunk)), chunks, n_jobs=n_jobs)
    return np.concatenate(results, axis=-1)


def _solve(
    volume: Any,
    aht_seconds: Any,
    *,
    interval_seconds: Any,
    target_service_level: Any,
    target_seconds: Any,
    max_occupancy: Any,
    max_asa_seconds: Any,
    patience_seconds: Any,
    max_abandon_rate: Any,
    min_agents: Any,
    service_level_definition: str | None,
    continuous: bool,
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
) -> tuple[FloatArray, tuple[int, ...]]:
    """Shared driver of the staffing functions.

    Returns the flat whole-agent requirement (row 0) and, when ``continuous``, the
    fractional requirement (row 1), with the broadcast shape.
    """
    q = prepare_inputs(
        volume,
        aht_seconds,
        0.0,
        interval_seconds=interval_seconds,
        patience_seconds=patience_seconds,
    )
    check_n_jobs(n_jobs)
    check_executor(executor)
    floor_array = check_min_agents(min_agents)
    targets = _check_targets(
        q.traffic.shape,
        target_service_level=target_service_level,
        target_seconds=target_seconds,
        max_occupancy=max_occupancy,
        max_asa_seconds=max_asa_seconds,
        max_abandon_rate=max_abandon_rate,
        patience_given=q.patience_seconds is not None,
        service_level_definition=service_level_definition,
    )
    shape = q.traffic.shape
    floor_flat = _broadcast(floor_array.astype(np.float64), shape, "min_agents")
    assert floor_flat is not None
    floor_flat = floor_flat.reshape(-1)
    busy = np.flatnonzero(q.traffic.reshape(-1) > 0)

    def make_job(index: IntArray) -> _SizingJob:
        return _SizingJob(
            inputs=_subset_inputs(q, index, np.zeros(index.size)),
            targets=targets.subset(index),
            floor_agents=floor_flat[index],
            continuous=continuous,
        )

    rows = 2 if continuous else 1
    result = np.repeat(floor_flat[None, :], rows, axis=0)
    if busy.size:
        result[:, busy] = _in_chunks(busy, make_job, n_jobs, executor)
    return result, shape


def required_agents(
    volume: npt.ArrayLike,
    aht_seconds: npt.ArrayLike,
    *,
    interval_seconds: npt.ArrayLike = 1800,
    target_service_level: npt.ArrayLike | None = 0.8,
    target_seconds: npt.ArrayLike = 20,
    max_occupancy: npt.ArrayLike | None = None,
    max_asa_seconds: npt.ArrayLike | None = None,
    patience_seconds: npt.ArrayLike | None = None,
    max_abandon_rate: npt.ArrayLike | None = None,
    min_agents: npt.ArrayLike = 0,
    service_level_definition: str | None = None,
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
) -> IntArray:
    """Smallest whole number of agents per interval that meets every target at once.

    Parameters
    ----------
    volume : array_like
        Contacts offered per interval (>= 0).
    aht_seconds : array_like
        Average handle time in seconds (> 0 where volume > 0).
    interval_seconds : array_like, default 1800
        Interval length in seconds.
    target_service_level : array_like or None, default 0.8
        Fraction in (0, 1) to be answered within ``target_seconds``; ``None`` skips it.
    target_seconds : array_like, default 20
        Answer-time target in seconds (>= 0).
    max_occupancy : array_like, optional
        Highest allowed occupancy, a fraction in (0, 1].
    max_asa_seconds : array_like, optional
        Highest allowed average speed of answer in seconds (> 0).
    patience_seconds : array_like, optional
        Mean patience in seconds; switches from Erlang C to Erlang A.
    max_abandon_rate : array_like, optional
        Highest allowed fraction of offered contacts abandoning (Erlang A only).
    min_agents : array_like of int, default 0
        Floor on the result (also the answer for zero-volume intervals).
    service_level_definition : str, optional
        Required with ``patience_seconds`` and a service-level target; see
        :func:`wfm.erlang.service_level`.
    n_jobs : int, default 1
        Threads over chunks of 65,536 intervals (numpy releases the GIL); 1 starts no
        thread. The result does not depend on it.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs each chunk of 65,536 intervals as a task instead (``n_jobs`` is then
        ignored); the result is identical to the serial one.

    Returns
    -------
    numpy.ndarray of int64
        Agents per interval, broadcast over the inputs. Under Erlang C the result always
        exceeds the offered traffic (a stable queue).

    Raises
    ------
    InputError
        On invalid input or when no target is given.

    Examples
    --------
    >>> int(required_agents(400, 180, interval_seconds=3600, target_service_level=0.8,
    ...                     target_seconds=30))
    24
    """
    result, shape = _solve(
        volume,
        aht_seconds,
        interval_seconds=interval_seconds,
        target_service_level=target_service_level,
        target_seconds=target_seconds,
        max_occupancy=max_occupancy,
        max_asa_seconds=max_asa_seconds,
        patience_seconds=patience_seconds,
        max_abandon_rate=max_abandon_rate,
        min_agents=min_agents,
        service_level_definition=service_level_definition,
        continuous=False,
        n_jobs=n_jobs,
        executor=executor,
    )
    return np.asarray(result[0], dtype=np.int64).reshape(shape)


def required_agents_continuous(
    volume: npt.ArrayLike,
    aht_seconds: npt.ArrayLike,
    *,
    interval_seconds: npt.ArrayLike = 1800,
    target_service_level: npt.ArrayLike | None = 0.8,
    target_seconds: npt.ArrayLike = 20,
    max_occupancy: npt.ArrayLike | None = None,
    max_asa_seconds: npt.ArrayLike | None = None,
    patience_seconds: npt.ArrayLike | None = None,
    max_abandon_rate: npt.ArrayLike | None = None,
    min_agents: npt.ArrayLike = 0,
    service_level_definition: str | None = None,
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
) -> FloatArray:
    """Fractional agents per interval: the smallest real ``N`` meeting every target.

    Same arguments as :func:`required_agents`. The Erlang formulas are evaluated at
    fractional ``N`` through their continuous extension (incomplete gamma functions), so
    ``ceil`` of the result equals :func:`required_agents` (up to the bisection tolerance of
    about 1e-7 agents).

    Returns
    -------
    numpy.ndarray of float64
        Agents per interval (>= ``min_agents``; ``min_agents`` where volume is 0).
    """
    result, shape = _solve(
        volume,
        aht_seconds,
        interval_seconds=interval_seconds,
        target_service_level=target_service_level,
        target_seconds=target_seconds,
        max_occupancy=max_occupancy,
        max_asa_seconds=max_asa_seconds,
        patience_seconds=patience_seconds,
        max_abandon_rate=max_abandon_rate,
        min_agents=min_agents,
        service_level_definition=service_level_definition,
        continuous=True,
        n_jobs=n_jobs,
        executor=executor,
    )
    return np.asarray(result[1], dtype=np.float64).reshape(shape)


def required_agents_both(
    volume: npt.ArrayLike, aht_seconds: npt.ArrayLike, **targets: npt.ArrayLike
) -> tuple[IntArray, FloatArray]:
    """Whole and fractional requirements from one search (same keywords as required_agents).

    Returns
    -------
    tuple of numpy.ndarray
        ``(required_agents, required_agents_continuous)``.
    """
    arguments: dict[str, Any] = {
        "interval_seconds": 1800,
        "target_service_level": 0.8,
        "target_seconds": 20,
        "max_occupancy": None,
        "max_asa_seconds": None,
        "patience_seconds": None,
        "max_abandon_rate": None,
        "min_agents": 0,
        "service_level_definition": None,
        "n_jobs": 1,
        "executor": None,
    }
    unknown = set(targets) - set(arguments)
    if unknown:
        raise TypeError(f"unexpected keyword arguments {sorted(unknown)}")
    arguments.update(targets)
    result, shape = _solve(volume, aht_seconds, continuous=True, **arguments)
    whole = np.asarray(result[0], dtype=np.int64).reshape(shape)
    return whole, np.asarray(result[1], dtype=np.float64).reshape(shape)
