"""Run one job per queue under the library's parallelism convention (``wfm.core._parallel``).

Per-queue fits multiply small matrices (statsmodels' ETS, SARIMA), where a multi-threaded
BLAS spends more time coordinating threads than computing; with worker processes it also
oversubscribes the cores (2 processes x N BLAS threads). Measured on 20 synthetic queues
with two years of half-hours on 2 cores: ``model="auto"`` 5.5 s serial / 6.2 s with two
processes under the default BLAS threads, 4.1 s / 2.7 s with one (threadpoolctl, the
library joblib uses for the same purpose). Every job therefore runs under one BLAS thread,
lifted when the job is done.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from wfm.core._parallel import TaskProgress, map_tasks
from wfm.core.types import ExecutorLike

JobT = TypeVar("JobT")
ResultT = TypeVar("ResultT")


def map_queue_jobs(
    func: Callable[[JobT], ResultT],
    jobs: Sequence[JobT],
    n_jobs: int = 1,
    *,
    queues: Sequence[Hashable] | None = None,
    executor: ExecutorLike | None = None,
    progress: TaskProgress | None = None,
    stage: str = "forecast",
) -> list[ResultT]:
    """Return ``[func(job) for job in jobs]``, serially, in processes or on ``executor``.

    Parameters
    ----------
    func : callable
        Picklable function of one job (a module-level function).
    jobs : sequence
        One job per queue; results keep their order.
    n_jobs : int, default 1
        Worker processes; 1 (or a single job) runs in this process.
    queues : sequence, optional
        Queue of each job, named in the error when a job fails.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs the jobs instead of local processes.
    progress : callable, optional
        ``progress(stage, done, total)`` after each queue.
    stage : str, default "forecast"
        Stage name for ``progress``.

    Returns
    -------
    list
        Results in the order of ``jobs`` (identical for any ``n_jobs`` or executor).
    """
    return map_tasks(
        func,
        jobs,
        keys=queues,
        n_jobs=n_jobs,
        executor=executor,
        progress=progress,
        stage=stage,
    )
