"""Thousands of queues: forecast, backtest and sizing partitioned by queue, on Dask or locally.

:func:`plan_queues` runs the per-queue part of :func:`wfm.plan` (optional backtest, model
selection, forecast, patience estimate and sizing) as one task per queue, or per partition
of a ``dask.dataframe`` whose partitions each hold whole queues (e.g. a parquet dataset
with one file or directory per queue). No task sees more than its own queues' history,
and no process, not even the client, ever holds the whole history when it comes as a
Dask frame; with ``output=`` each task writes its tables itself and returns only
figures, so the client does not hold the whole forecast either.

The results are those of the serial run: every queue is forecast from the same start day
(the day after the latest history row of any queue, found first from the timestamps
alone), each task runs under one BLAS thread, and the tables come back sorted by
``(queue, interval_start)``. A queue whose input is bad, or whose task dies with its
worker, is listed in :attr:`ScaleResult.failures` with its name; the other queues' results
are kept.

Run it on a Dask cluster by passing a ``dask.distributed.Client`` as ``executor``
(``docs/scale.md`` shows Slurm and Kubernetes); ``n_jobs`` uses local processes and any
``concurrent.futures.Executor`` works too.
"""

from __future__ import annotations

import datetime
import importlib
import resource
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from wfm.config import PlanConfig
from wfm.core._display import ResultDisplay
from wfm.core._parallel import TaskFailure, TaskProgress, run_tasks
from wfm.core._summary import Summary
from wfm.core.errors import InputError, MissingDependencyError
from wfm.core.frames import INTERVAL_START, QUEUE
from wfm.core.types import HistoryFrame
from wfm.pipeline import (
    backtest_history,
    estimate_patience_seconds,
    forecast_history,
    history_in_site_zone,
    size_open_forecast,
)

_TABLES = ("forecast", "requirement", "backtest")


@dataclass(frozen=True)
class QueueStats:
    """What one queue cost where it ran.

    Attributes
    ----------
    queue : str
        Queue name.
    seconds : float
        Wall-clock seconds of its work (reading excluded), seconds.
    cpu_seconds : float
        CPU seconds of the task's thread during that work (the task runs in one thread
        under one BLAS thread, so this is its whole cost, independent of the machine's
        load).
    history_rows : int
        Intervals of history.
    peak_rss_mb : float
        Peak resident memory of the process that ran it so far, MiB.
    worker : str
        Host and process id that ran it.
    """

    queue: str
    seconds: float
    cpu_seconds: float
    history_rows: int
    peak_rss_mb: float
    worker: str


@dataclass(frozen=True)
class _QueueOutput:
    """One queue's results (frames are None when written to ``output``)."""

    queue: str
    tables: dict[str, pd.DataFrame | None]
    model: str
    patience_seconds: float | None
    warnings: list[str]
    stats: QueueStats


@dataclass(frozen=True)
class _PartitionOutput:
    """Results and failures of the queues of one task."""

    outputs: list[_QueueOutput]
    failures: list[TaskFailure]


@dataclass(frozen=True, repr=False)
class ScaleResult(ResultDisplay):
    """What :func:`plan_queues` produced.

    Attributes
    ----------
    forecast, requirement, backtest : pandas.DataFrame or None
        Tables of the queues that succeeded, sorted by queue then time (``backtest``: the
        error table of :class:`wfm.forecast.BacktestResult`). None when written to
        ``output`` (or, for ``backtest``, when not run).
    models : dict of str to str
        Forecast model used per queue.
    patience_seconds : dict of str to float
        Patience used per queue (estimated or configured), seconds.
    failures : list of TaskFailure
        Queues (or groups of queues whose task died) without results, with the error.
    warnings : dict of str to list of str
        Warnings raised per queue (e.g. missing intervals imputed).
    stats : list of QueueStats
        Time and memory of every queue that succeeded.
    written : list of pathlib.Path
        Files written with ``output``.
    seconds : float
        Wall-clock seconds of the whole run.
    """

    forecast: pd.DataFrame | None
    requirement: pd.DataFrame | None
    backtest: pd.DataFrame | None
    models: dict[str, str]
    patience_seconds: dict[str, float]
    failures: list[TaskFailure]
    warnings: dict[str, list[str]] = field(default_factory=dict)
    stats: list[QueueStats] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether every queue succeeded."""
        return not self.failures

    def raise_on_failure(self) -> None:
        """Raise :class:`InputError` listing every failed queue (nothing if all succeeded)."""
        if self.failures:
            lines = "\n".join(f"  {failure}" for failure in self.failures)
            raise InputError(
                f"{len(self.failures)} queue task(s) failed; the other queues' results are "
                f"kept:\n{lines}\nFix: correct those queues' input and rerun them."
            )

    def stats_frame(self) -> pd.DataFrame:
        """Per-queue cost as a frame (``queue``, ``seconds``, ``history_rows``, ...)."""
        return pd.DataFrame([vars(s) for s in self.stats])

    def failures_frame(self) -> pd.DataFrame:
        """Return the failed tasks as a frame: ``key``, ``error_type``, ``message``."""
        return pd.DataFrame(
            [vars(f) for f in self.failures], columns=["key", "error_type", "message"]
        )

    def to_frame(self) -> pd.DataFrame:
        """Return the requirement table of the queues that succeeded (a copy).

        Empty (no rows, no columns) when the results were written to ``output``.
        """
        return pd.DataFrame() if self.requirement is None else self.requirement.copy()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the in-memory forecast, requirement and backtest tables, stats, failures."""
        tables = {
            name: frame
            for name, frame in (
                ("forecast", self.forecast),
                ("requirement", self.requirement),
                ("backtest", self.backtest),
            )
            if frame is not None
        }
        tables["stats"] = self.stats_frame()
        tables["failures"] = self.failures_frame()
        return tables

    def summary(self) -> Summary:
        """Queues done and failed, warnings, files written and the run's time.

        The breakdown is :meth:`stats_frame` (one row per queue that succeeded) when there
        is one.
        """
        stats = self.stats_frame()
        figures = {
            "queues_succeeded": len(self.stats),
            "queues_failed": len(self.failures),
            "queues_with_warnings": sum(1 for w in self.warnings.values() if w),
            "files_written": len(self.written),
            "seconds": self.seconds,
            "queue_cpu_seconds": float(stats["cpu_seconds"].sum()) if len(stats) else 0.0,
            "peak_rss_mb": float(stats["peak_rss_mb"].max()) if len(stats) else None,
        }
        units = {"seconds": "seconds", "queue_cpu_seconds": "seconds", "peak_rss_mb": "MiB"}
        return Summary("ScaleResult", figures, units=units, breakdown=stats if len(stats) else None)


@dataclass(frozen=True)
class _QueueTask:
    """Everything a task needs besides its history (picklable, shipped once per task)."""

    config: PlanConfig
    start: str
    run_backtest: bool
    output: str | None


def _peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _worker_name() -> str:
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def _file_name(queue: str) -> str:
    return quote(queue, safe="") + ".parquet"


def _one_queue(queue: str, rows: pd.DataFrame, task: _QueueTask) -> _QueueOutput:
    """Backtest, forecast and size one queue (the per-queue part of :func:`wfm.plan`)."""
    began = time.perf_counter()
    began_cpu = time.thread_time()
    config = task.config
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = history_in_site_zone(rows, config)
        patience: dict[str, float] = {}
        configured = config.staffing.target_for(queue).patience_seconds
        if configured == "estimate":
            patience = estimate_patience_seconds(frame)
        tables: dict[str, pd.DataFrame | None] = {}
        if task.run_backtest:
            tables["backtest"] = backtest_history(frame, config).errors
        forecast = forecast_history(frame, config, start=task.start)
        forecast_frame = forecast.to_frame()
        tables["forecast"] = forecast_frame
        tables["requirement"] = size_open_forecast(
            forecast_frame, config, frame, patience_estimates=patience
        )
    used = patience.get(queue, configured)
    if task.output is not None:
        for name, table in tables.items():
            folder = Path(task.output) / name
            folder.mkdir(parents=True, exist_ok=True)
            assert table is not None
            table.to_parquet(folder / _file_name(queue), index=False)
            tables[name] = None
    stats = QueueStats(
        queue=queue,
        seconds=time.perf_counter() - began,
        cpu_seconds=time.thread_time() - began_cpu,
        history_rows=len(rows),
        peak_rss_mb=_peak_rss_mb(),
        worker=_worker_name(),
    )
    return _QueueOutput(
        queue=queue,
        tables=tables,
        model=str(next(iter(forecast.report.models.values()))),
        patience_seconds=float(used) if isinstance(used, int | float) else None,
        warnings=[str(item.message) for item in caught],
        stats=stats,
    )


def _plain_queue_column(frame: pd.DataFrame) -> pd.DataFrame:
    """Queue values as plain strings (a hive-partitioned parquet reads them categorical)."""
    if isinstance(frame[QUEUE].dtype, pd.CategoricalDtype):
        frame = frame.assign(**{QUEUE: frame[QUEUE].astype(str)})
    return frame


class _RunPartition:
    """Picklable task: run every queue of one history piece, each failure kept apart."""

    def __init__(self, task: _QueueTask) -> None:
        self.task = task

    def __call__(self, piece: Any) -> _PartitionOutput:
        frame = piece.compute(scheduler="sync") if hasattr(piece, "compute") else piece
        frame = _plain_queue_column(frame)
        outputs: list[_QueueOutput] = []
        failures: list[TaskFailure] = []
        for queue, rows in frame.groupby(QUEUE, sort=True, observed=True):
            name = str(queue)
            try:
                outputs.append(_one_queue(name, rows, self.task))
            except Exception as exc:
                failures.append(TaskFailure(name, type(exc).__name__, str(exc)))
        return _PartitionOutput(outputs, failures)


def _is_dask_frame(history: Any) -> bool:
    return hasattr(history, "to_delayed") and hasattr(history, "npartitions")


def _partitions(history: Any) -> list[Any]:
    """One ``Delayed`` per partition, each carrying only its own part of the graph.

    ``to_delayed()`` gives every partition the graph of all of them, so shipping one per
    task would cost O(partitions) each and O(partitions²) in all (measured: 57 kB per task
    at 200 partitions); culled, a task is a few kB whatever the number of queues.
    """
    delayed: Any = importlib.import_module("dask.delayed")
    optimization: Any = importlib.import_module("dask.optimization")
    parts = history.to_delayed()
    if not parts:
        return []
    graph: dict[Any, Any] = {}
    culled = []
    for part in parts:
        if part.key not in graph:  # the partitions normally share one graph
            graph.update(part.__dask_graph__())
        culled.append(delayed.Delayed(part.key, optimization.cull(graph, [part.key])[0]))
    return culled


def _scan_dask_frame(
    history: Any, n_jobs: int, executor: Any
) -> tuple[list[Any], list[str], Any, list[TaskFailure]]:
    """Partitions that could be read, their queue names, the latest timestamp, failures.

    The scan reads the same partitions the tasks will (a column projection may fuse small
    files into fewer partitions), so reading costs twice; it is small beside the fits. A
    partition that cannot be read (or whose worker dies) is a failure named by position.
    """
    parts = _partitions(history)
    scanned = run_tasks(
        _scan_partition,
        parts,
        keys=[f"partition {i}" for i in range(len(parts))],
        n_jobs=n_jobs,
        executor=executor,
        stage="scan",
        on_error="collect",
    )
    kept = [(part, found) for part, found in zip(parts, scanned.results, strict=True) if found]
    latest = max((found[1] for _, found in kept if found[1] is not None), default=None)
    first_partition: dict[str, int] = {}
    split = sorted(
        {
            queue
            for index, (_, found) in enumerate(kept)
            for queue in found[0]
            if first_partition.setdefault(queue, index) != index
        }
    )
    if split:
        raise InputError(
            f"queue(s) {split[:10]} have rows in more than one partition of the Dask frame, "
            "so no task would see a queue's whole history. Fix: partition the data by queue "
            "(e.g. write parquet with partition_cols=['queue'] and read it with "
            "dd.read_parquet), or repartition with history.shuffle('queue')."
        )
    names = [", ".join(found[0]) or "empty partition" for _, found in kept]
    return [part for part, _ in kept], names, latest, scanned.failures


def _scan_partition(piece: Any) -> tuple[list[str], Any]:
    """Queues and latest timestamp of one partition (read on the worker)."""
    frame = _plain_queue_column(piece.compute(scheduler="sync"))
    queues = sorted(str(q) for q in pd.unique(frame[QUEUE]))
    latest = frame[INTERVAL_START].max() if len(frame) else None
    return queues, latest


def _start_day(latest: Any, config: PlanConfig) -> str:
    """Local day after the latest history row (the serial forecast's default start)."""
    if latest is None or pd.isna(latest):
        raise InputError("history has no rows. Fix: pass a non-empty interval history.")
    stamp = pd.Timestamp(latest)
    if stamp.tzinfo is None:
        raise InputError(
            f"history[{INTERVAL_START!r}] is naive. Fix: localize it to the site's time zone "
            f"({config.site.time_zone!r})."
        )
    local = stamp.tz_convert(config.site.time_zone)
    return str(local.date() + datetime.timedelta(days=1))  # calendar day: DST-safe


def plan_queues(
    history: HistoryFrame,
    config: PlanConfig,
    *,
    run_backtest: bool = False,
    n_jobs: int = 1,
    executor: Any = None,
    progress: TaskProgress | None = None,
    output: str | Path | None = None,
) -> ScaleResult:
    """Backtest, forecast and size every queue, one task per queue (or per partition).

    Parameters
    ----------
    history : pandas.DataFrame or dask.dataframe.DataFrame
        Interval history as for :func:`wfm.plan`. A Dask frame must hold each queue in a
        single partition (a parquet dataset partitioned by queue does); each task then
        reads only its partition.
    config : PlanConfig
        Run configuration (forecast and staffing sections are used).
    run_backtest : bool, default False
        Also compute each queue's rolling-origin backtest table.
    n_jobs : int, default 1
        Local worker processes when ``executor`` is None; 1 runs in this process.
    executor : dask.distributed.Client or concurrent.futures.Executor, optional
        Runs the tasks (one per queue; one per partition for a Dask frame).
    progress : callable, optional
        ``progress("queues", done, total)`` after each task.
    output : str or pathlib.Path, optional
        Folder to which each task writes ``forecast/<queue>.parquet``,
        ``requirement/<queue>.parquet`` (and ``backtest/...``) itself; the result then
        holds no tables (read them with ``pandas.read_parquet(folder / "forecast")``).

    Returns
    -------
    ScaleResult
        Tables of the queues that succeeded and the failures (see
        :meth:`ScaleResult.raise_on_failure`).

    Raises
    ------
    InputError
        If the history is empty or naive, or a queue spans partitions of a Dask frame.
        Errors of single queues do not raise: they are listed in ``failures``.
    """
    began = time.perf_counter()
    unread: list[TaskFailure] = []
    jobs: list[Any]
    if _is_dask_frame(history):
        jobs, names, latest, unread = _scan_dask_frame(history, n_jobs, executor)
    elif isinstance(history, pd.DataFrame):
        if QUEUE not in history.columns or INTERVAL_START not in history.columns:
            raise InputError(
                f"history needs columns {QUEUE!r} and {INTERVAL_START!r}; it has "
                f"{list(history.columns)}. Fix: pass the canonical interval frame."
            )
        latest = history[INTERVAL_START].max() if len(history) else None
        groups = _plain_queue_column(history).groupby(QUEUE, sort=True, observed=True)
        names = [str(q) for q in groups.groups]
        jobs = [rows for _, rows in groups]
    else:
        raise InputError(
            f"history is a {type(history).__name__}. Fix: pass a pandas DataFrame or a "
            "dask.dataframe.DataFrame."
        )
    task = _QueueTask(
        config=config,
        start=_start_day(latest, config),
        run_backtest=run_backtest,
        output=str(output) if output is not None else None,
    )
    outcome = run_tasks(
        _RunPartition(task),
        jobs,
        keys=names,
        n_jobs=n_jobs,
        executor=executor,
        progress=progress,
        stage="queues",
        on_error="collect",
    )
    outputs: list[_QueueOutput] = []
    failures = unread + list(outcome.failures)
    for part in outcome.results:
        if part is not None:
            outputs.extend(part.outputs)
            failures.extend(part.failures)
    outputs.sort(key=lambda out: out.queue)
    failures.sort(key=lambda failure: failure.key)
    return _assemble(outputs, failures, task, time.perf_counter() - began)


def _assemble(
    outputs: Sequence[_QueueOutput], failures: list[TaskFailure], task: _QueueTask, seconds: float
) -> ScaleResult:
    tables: dict[str, pd.DataFrame | None] = dict.fromkeys(_TABLES)
    written: list[Path] = []
    for name in _TABLES:
        frames = [out.tables[name] for out in outputs if out.tables.get(name) is not None]
        if frames:
            tables[name] = pd.concat(frames, ignore_index=True)
        if task.output is not None:
            written += [
                Path(task.output) / name / _file_name(out.queue)
                for out in outputs
                if name in out.tables
            ]
    return ScaleResult(
        forecast=tables["forecast"],
        requirement=tables["requirement"],
        backtest=tables["backtest"],
        models={out.queue: out.model for out in outputs},
        patience_seconds={
            out.queue: out.patience_seconds for out in outputs if out.patience_seconds is not None
        },
        failures=failures,
        warnings={out.queue: out.warnings for out in outputs if out.warnings},
        stats=[out.stats for out in outputs],
        written=written,
        seconds=seconds,
    )


@contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """Open a Dask client: a local cluster of ``workers`` processes, or ``scheduler``.

    Local workers run one thread each (the tasks are the parallelism; BLAS is limited to
    one thread per task). The cluster is closed on exit; a client of an existing
    ``scheduler`` is only disconnected.

    Raises
    ------
    MissingDependencyError
        If ``dask[distributed]`` is not installed (``pip install 'openwfm[dask]'``).
    InputError
        If both or neither of ``workers`` and ``scheduler`` are given.
    """
    try:
        distributed: Any = importlib.import_module("distributed")
    except ImportError as exc:
        raise MissingDependencyError(
            "running on Dask needs dask[distributed]. Fix: pip install 'openwfm[dask]'."
        ) from exc
    if (workers is None) == (scheduler is None):
        raise InputError(
            f"workers={workers!r}, scheduler={scheduler!r}: give exactly one. Fix: a number "
            "of local worker processes, or the address of a running Dask scheduler."
        )
    if scheduler is not None:
        with distributed.Client(scheduler) as client:
            yield client
        return
    assert workers is not None
    if workers < 1:
        raise InputError(f"workers={workers}: need at least 1. Fix: pass a positive number.")
    with (
        distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


class ProgressBar:
    """A ``progress(stage, done, total)`` callback drawing one tqdm bar per stage.

    Works in a terminal and (through ``tqdm.auto``) in notebooks; use as a context manager
    or call :meth:`close`.

    Raises
    ------
    MissingDependencyError
        If tqdm is not installed (it comes with ``openwfm[dask]``).
    """

    def __init__(self, *, file: Any = None) -> None:
        try:
            tqdm = importlib.import_module("tqdm.auto").tqdm
        except ImportError as exc:
            raise MissingDependencyError(
                "a progress bar needs tqdm. Fix: pip install 'openwfm[dask]' (or tqdm)."
            ) from exc
        self._tqdm: Callable[..., Any] = tqdm
        self._file = file
        self._bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Advance the bar of ``stage`` to ``done`` of ``total``."""
        bar = self._bars.get(stage)
        if bar is None:
            bar = self._tqdm(total=total, desc=stage, unit="queue", file=self._file)
            self._bars[stage] = bar
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    def close(self) -> None:
        """Close every bar."""
        for bar in self._bars.values():
            bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [
    "ProgressBar",
    "QueueStats",
    "ScaleResult",
    "TaskFailure",
    "dask_client",
    "plan_queues",
]
