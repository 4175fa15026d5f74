"""One parallelism convention for every stage: ``n_jobs``, ``executor=`` and ``progress=``.

Every entry point that can run independent tasks (one per queue, one per chunk of
intervals) takes the same three keywords and resolves them here:

``n_jobs`` (int, default 1)
    Local workers. ``1`` runs in the calling thread and starts nothing; ``-1`` means one
    per CPU. Per-queue stages use processes, numpy-bound array stages (Erlang sizing,
    adherence) use threads, because numpy releases the GIL in their loops.
``executor`` (optional)
    A :class:`concurrent.futures.Executor` or a ``dask.distributed.Client`` that runs the
    tasks instead; ``n_jobs`` is then ignored and nothing else is started.
``progress`` (optional)
    ``progress(stage, done, total)`` after every finished task.

Inside every task BLAS and OpenMP are limited to one thread (threadpoolctl): the tasks are
the parallelism, and a BLAS pool per task would oversubscribe the cores of a process or
Dask worker that already runs one task per core.

Results come back in the order of the jobs whatever the order of completion, so they are
identical to the serial run. A task that raises is reported with its key (the queue name):
with ``on_error="raise"`` the first failure (in job order) is re-raised with a note naming
the key; with ``on_error="collect"`` every other task still runs and the failures are
returned beside the results.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, cast

from threadpoolctl import threadpool_limits

from wfm.core.errors import InputError

JobT = TypeVar("JobT")
ResultT = TypeVar("ResultT")

TaskProgress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called after each finished task."""

OnError = Literal["raise", "collect"]


@dataclass(frozen=True)
class TaskFailure:
    """A task that did not produce a result.

    Attributes
    ----------
    key : str
        What the task was for (a queue name, or several joined by ``", "``).
    error_type : str
        Class name of the exception (``"KilledWorker"`` when its worker died).
    message : str
        The exception's message.
    """

    key: str
    error_type: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.error_type}: {self.message}"


@dataclass(frozen=True)
class TaskOutcome(Generic[ResultT]):
    """Results in job order (``None`` where a task failed) and the failures."""

    results: list[ResultT | None]
    failures: list[TaskFailure]


def check_n_jobs(n_jobs: int) -> int:
    """Return the number of local workers ``n_jobs`` asks for (``-1``: one per CPU).

    Raises
    ------
    InputError
        If ``n_jobs`` is not a positive integer or ``-1``.
    """
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or (n_jobs < 1 and n_jobs != -1):
        raise InputError(
            f"n_jobs={n_jobs!r} is not a number of workers. Fix: pass a positive integer "
            "(1 runs serially in this process) or -1 for one worker per CPU."
        )
    return os.cpu_count() or 1 if n_jobs == -1 else n_jobs


def is_dask_client(executor: Any) -> bool:
    """Whether ``executor`` is a ``dask.distributed.Client`` (without importing dask)."""
    distributed = sys.modules.get("distributed")
    return distributed is not None and isinstance(executor, distributed.Client)


def check_executor(executor: Any) -> None:
    """Raise :class:`InputError` unless ``executor`` is None, an Executor or a Dask client."""
    if executor is None or isinstance(executor, Executor) or is_dask_client(executor):
        return
    raise InputError(
        f"executor={executor!r} is neither a concurrent.futures.Executor nor a "
        "dask.distributed.Client. Fix: pass one of those, or None and n_jobs for local "
        "processes."
    )


def executor_width(executor: Any) -> int:
    """How many tasks ``executor`` runs at once (Dask: its worker threads; at least 1)."""
    if is_dask_client(executor):
        return max(1, int(sum(executor.nthreads().values())))
    return max(1, int(getattr(executor, "_max_workers", 1) or 1))


def one_blas_thread() -> None:
    """Process initializer: one BLAS/OpenMP thread for the process's lifetime."""
    threadpool_limits(limits=1)


@dataclass(frozen=True)
class _Outcome:
    """What one job returned (picklable, so a chunk can report each job on its own)."""

    ok: bool
    value: Any
    error_type: str = ""
    message: str = ""


_PROCESS_LIMITED = False


def _in_dask_worker() -> bool:
    """Whether this code runs inside a Dask worker process."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return False
    try:
        distributed.get_worker()
    except ValueError:
        return False
    return True


class _Chunk(Generic[JobT, ResultT]):
    """Picklable task: run ``func`` on each job of a chunk under one BLAS thread.

    Each job's exception is caught and returned, so one bad queue does not lose the others
    of its chunk. ``limit=False`` when the caller already holds the limit (the serial loop,
    or a process pool started with :func:`one_blas_thread`). In a Dask worker, a process
    that only runs tasks, the limit is set once for the process (asking threadpoolctl
    costs about 10 ms a time, several % of a queue's fit); elsewhere (a caller's thread
    pool) it is set around the chunk and lifted after.
    """

    def __init__(self, func: Callable[[JobT], ResultT], *, limit: bool = True) -> None:
        self.func = func
        self.limit = limit

    def __call__(self, jobs: Sequence[JobT]) -> list[_Outcome]:
        global _PROCESS_LIMITED
        if not self.limit:
            return self._run(jobs)
        if _in_dask_worker():
            if not _PROCESS_LIMITED:
                one_blas_thread()
                _PROCESS_LIMITED = True
            return self._run(jobs)
        with threadpool_limits(limits=1):
            return self._run(jobs)

    def _run(self, jobs: Sequence[JobT]) -> list[_Outcome]:
        out: list[_Outcome] = []
        for job in jobs:
            try:
                out.append(_Outcome(True, self.func(job)))
            except Exception as exc:
                message = str(exc) or "".join(traceback.format_exception_only(exc)).strip()
                out.append(_Outcome(False, exc, type(exc).__name__, message))
        return out


def _chunks(n_items: int, size: int) -> Iterator[range]:
    for start in range(0, n_items, size):
        yield range(start, min(start + size, n_items))


MAX_JOBS_PER_TASK = 16
"""Most jobs (queues) in one task: enough to amortise a task's scheduling cost."""

TASKS_PER_WORKER = 8
"""Aim for at least this many tasks per worker thread, so the load balances at the end."""


def chunk_size(n_items: int, workers: int) -> int:
    """Jobs per task: about ``TASKS_PER_WORKER`` tasks per worker, at most 16 jobs each.

    Grouping queues into one task pays the executor's per-task cost (scheduling,
    serialising the task, a round trip to the client) once per group; with few jobs per
    worker every job stays its own task, so the load still balances.
    """
    return max(1, min(MAX_JOBS_PER_TASK, n_items // (TASKS_PER_WORKER * max(1, workers))))


def in_flight_window(workers: int) -> int:
    """Tasks submitted and not yet collected, at most: two per worker thread (>= 2).

    Every worker has its next task queued while it runs one, so none idles, yet neither
    the client, the scheduler nor the workers ever hold more than this many tasks' inputs
    and results, whatever the number of queues.
    """
    return max(2, 2 * workers)


def run_tasks(
    func: Callable[[JobT], ResultT],
    jobs: Sequence[JobT],
    *,
    keys: Sequence[Hashable] | None = None,
    n_jobs: int = 1,
    executor: Any = None,
    progress: TaskProgress | None = None,
    stage: str = "tasks",
    on_error: OnError = "raise",
    jobs_per_task: int | None = None,
    window: int | None = None,
) -> TaskOutcome[ResultT]:
    """Run ``func`` on every job: serially, in ``n_jobs`` processes, or on ``executor``.

    Parameters
    ----------
    func : callable
        Function of one job. For processes or Dask it must be picklable (a module-level
        function or an instance of a module-level class).
    jobs : sequence
        The jobs; results keep their order.
    keys : sequence, optional
        Name of each job (queue) for failures and notes; default the job's position.
    n_jobs : int, default 1
        Local worker processes when ``executor`` is None; 1 runs here, starting nothing.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs the tasks instead of local processes.
    progress : callable, optional
        ``progress(stage, done, total)`` as jobs finish.
    stage : str, default "tasks"
        Stage name passed to ``progress``.
    on_error : {"raise", "collect"}, default "raise"
        ``"raise"``: re-raise the first failed job's exception (in job order) with a note
        naming its key. ``"collect"``: keep going and return the failures.
    jobs_per_task : int, optional
        Jobs grouped into one task; default :func:`chunk_size` of the jobs and workers.
    window : int, optional
        Most tasks submitted and not yet collected; default :func:`in_flight_window`.
        Tasks are submitted as earlier ones finish, so memory does not grow with the
        number of jobs.

    Returns
    -------
    TaskOutcome
        ``results`` in job order (``None`` for failed jobs) and ``failures``.
    """
    check_executor(executor)
    names = [str(k) for k in keys] if keys is not None else [str(i) for i in range(len(jobs))]
    if len(names) != len(jobs):
        raise InputError(f"keys has {len(names)} entries for {len(jobs)} jobs. Fix: one per job.")
    workers = check_n_jobs(n_jobs) if executor is None else executor_width(executor)
    task = _Chunk(func)
    unlimited = _Chunk(func, limit=False)
    outcomes: list[_Outcome | None] = [None] * len(jobs)
    total = len(jobs)
    done = 0

    def finished(indices: range, results: list[_Outcome]) -> None:
        nonlocal done
        for index, outcome in zip(indices, results, strict=True):
            outcomes[index] = outcome
        done += len(indices)
        if progress is not None:
            progress(stage, done, total)

    def lost(indices: range, exc: BaseException) -> None:
        message = str(exc) or type(exc).__name__
        finished(indices, [_Outcome(False, exc, type(exc).__name__, message)] * len(indices))

    if executor is None and (workers == 1 or total <= 1):
        with threadpool_limits(limits=1):  # once for the loop, lifted after
            for index in range(total):
                result = unlimited([jobs[index]])
                finished(range(index, index + 1), result)
                if on_error == "raise" and not result[0].ok:
                    break  # fail fast: the serial run stops at its first bad job
        return _collect(outcomes, names, on_error)
    for name, value in (("jobs_per_task", jobs_per_task), ("window", window)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise InputError(f"{name}={value!r} is not a positive integer. Fix: pass one, or None.")
    size = jobs_per_task or chunk_size(total, workers)
    chunks = list(_chunks(total, size))
    limit = window or in_flight_window(workers)
    if is_dask_client(executor):
        _run_on_dask(
            executor, task, jobs, chunks, names, stage, limit, finished, lost, adaptive=not window
        )
        return _collect(outcomes, names, on_error)
    own_pool = executor is None
    pool = executor or ProcessPoolExecutor(max_workers=workers, initializer=one_blas_thread)
    runner = unlimited if own_pool else task
    try:
        for chunk, future in bounded(
            lambda chunk: pool.submit(runner, [jobs[i] for i in chunk]), chunks, limit
        ):
            exc = future.exception()
            if exc is None:
                finished(chunk, future.result())
            else:  # the task itself died (e.g. a broken process pool)
                lost(chunk, exc)
    finally:
        if own_pool:
            pool.shutdown(wait=True, cancel_futures=True)
    return _collect(outcomes, names, on_error)


ItemT = TypeVar("ItemT")


def bounded(
    submit: Callable[[ItemT], Future[Any]], items: Sequence[ItemT], window: int
) -> Iterator[tuple[ItemT, Future[Any]]]:
    """Submit ``items`` keeping at most ``window`` futures pending; yield each as it ends.

    A new item is submitted only when a pending one has finished and been yielded, so the
    number of submitted-but-unconsumed futures never exceeds ``window``. An item that
    cannot be submitted (a broken pool) is yielded with a future holding that error.
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    def start(item: ItemT) -> Future[Any]:
        try:
            return submit(item)
        except Exception as exc:  # e.g. a process pool broken by an earlier task
            failed: Future[Any] = Future()
            failed.set_exception(exc)
            return failed

    queue = iter(items)
    pending: dict[Future[Any], ItemT] = {}
    for item in queue:
        pending[start(item)] = item
        if len(pending) >= window:
            break
    while pending:
        ended, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in ended:
            item = pending.pop(future)
            yield item, future
            following = next(queue, None)
            if following is not None:
                pending[start(following)] = following


def _run_on_dask(
    client: Any,
    task: _Chunk[Any, Any],
    jobs: Sequence[Any],
    chunks: Sequence[range],
    names: Sequence[str],
    stage: str,
    window: int,
    finished: Callable[[range, list[_Outcome]], None],
    lost: Callable[[range, BaseException], None],
    *,
    adaptive: bool = False,
) -> None:
    """Submit the chunks as Dask tasks, at most ``window`` at a time, and record each.

    With ``adaptive``, the window follows workers that join during the run (an adaptive
    or still-starting cluster): the number of worker threads is asked again at most once
    a second and the window grows to two tasks per thread. Each result is fetched and its
    future released as soon as its task ends, so neither the workers nor the scheduler
    keep finished results. A task lost with its worker
    (``KilledWorker``) may only have been sharing the worker with the task that killed it,
    so each of its jobs is run once more, alone; only a job that kills its worker again
    is reported as a failure.
    """
    from uuid import uuid4

    from distributed import as_completed as dask_completed

    run = uuid4().hex[:8]

    def submit(chunk: range, attempt: str = "") -> Any:
        label = names[chunk[0]] if len(chunk) == 1 else f"{names[chunk[0]]}..{names[chunk[-1]]}"
        key = f"wfm-{stage}-{run}{attempt}-{chunk[0]}-{label}"
        return client.submit(task, [jobs[i] for i in chunk], key=key, pure=False)

    import time

    queue = iter(chunks)
    pending: dict[Any, range] = {}
    for chunk in queue:
        pending[submit(chunk)] = chunk
        if len(pending) >= window:
            break
    killed: list[int] = []
    running = dask_completed(list(pending))  # type: ignore[no-untyped-call]
    asked = time.monotonic()
    for future in running:
        chunk = pending.pop(future)
        if future.status == "finished":
            finished(chunk, future.result())
        elif type(future.exception()).__name__ == "KilledWorker":
            killed.extend(chunk)
        else:
            lost(chunk, future.exception())
        future.release()
        if adaptive and time.monotonic() - asked > 1.0:
            window = max(window, in_flight_window(executor_width(client)))
            asked = time.monotonic()
        while len(pending) < window:
            following = next(queue, None)
            if following is None:
                break
            added = submit(following)
            pending[added] = following
            running.add(added)  # type: ignore[no-untyped-call]
    for index in sorted(killed):
        future = submit(range(index, index + 1), "-retry")
        try:
            finished(range(index, index + 1), future.result())
        except Exception as exc:  # the task killed its worker again (or could not run)
            lost(range(index, index + 1), exc)
        future.release()


def _collect(
    outcomes: Sequence[_Outcome | None], names: Sequence[str], on_error: OnError
) -> TaskOutcome[Any]:
    results: list[Any] = []
    failures: list[TaskFailure] = []
    for name, outcome in zip(names, outcomes, strict=True):
        if outcome is None:  # not run: an earlier job failed and the run stopped
            continue
        if outcome.ok:
            results.append(outcome.value)
            continue
        if on_error == "raise":
            exc = outcome.value
            if isinstance(exc, BaseException):
                exc.add_note(f"(while processing {name!r})")
                raise exc
            raise RuntimeError(f"{name}: {outcome.error_type}: {outcome.message}")
        results.append(None)
        failures.append(TaskFailure(name, outcome.error_type, outcome.message))
    return TaskOutcome(results, failures)


def map_tasks(
    func: Callable[[JobT], ResultT],
    jobs: Sequence[JobT],
    *,
    keys: Sequence[Hashable] | None = None,
    n_jobs: int = 1,
    executor: Any = None,
    progress: TaskProgress | None = None,
    stage: str = "tasks",
) -> list[ResultT]:
    """Return ``[func(job) for job in jobs]`` under the convention (failures raise)."""
    outcome = run_tasks(
        func,
        jobs,
        keys=keys,
        n_jobs=n_jobs,
        executor=executor,
        progress=progress,
        stage=stage,
        on_error="raise",
    )
    return cast(list[ResultT], outcome.results)


def thread_map(
    func: Callable[[JobT], ResultT], jobs: Sequence[JobT], *, n_jobs: int = 1
) -> list[ResultT]:
    """``[func(job) for job in jobs]`` on ``n_jobs`` threads (1: serially, no thread started).

    For numpy-bound work that releases the GIL (array chunks of one stage); results keep
    their order.
    """
    workers = min(check_n_jobs(n_jobs), len(jobs))
    if workers <= 1:
        return [func(job) for job in jobs]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(func, jobs))
