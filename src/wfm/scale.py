"""Thousands of queues: forecast and sizing by queue, schedules by site, adherence by team.

:func:`plan_queues` runs the per-queue part of :func:`wfm.plan` (optional backtest, model
selection, forecast, patience estimate and sizing) in tasks of a few queues each. The
history is a pandas frame, a ``dask.dataframe`` whose partitions each hold whole queues,
or the folder of a parquet dataset partitioned by queue (``queue=<name>/``), which the
client only lists: each task reads its own queues' files. No task sees more than its own
queues' history, and with a folder or a Dask frame no process, not even the client, ever
holds the whole history; with ``output=`` each task writes its tables itself and returns
only figures, so the client does not hold the whole forecast either. At most two tasks per
worker thread are in flight at once, so memory does not grow with the number of queues.

The results are those of the serial run: every queue is forecast from the same start day
(the day after the latest history row of any queue, found first from the timestamps
alone), each task runs under one BLAS thread, and the tables come back sorted by
``(queue, interval_start)``. A queue whose input is bad, or whose task dies with its
worker, is listed in :attr:`ScaleResult.failures` with its name; the other queues' results
are kept.

:func:`schedule_by_site` schedules each site's queues on their own, one task per site, and
:func:`adherence_by_team` measures each team on its own; both keep the other partitions
when one fails (:class:`PartitionResult`).

Run it on a Dask cluster by passing a ``dask.distributed.Client`` as ``executor``
(``docs/scale.md`` shows Slurm and Kubernetes); ``n_jobs`` uses local processes and any
``concurrent.futures.Executor`` works too.
"""

from __future__ import annotations

import datetime
import importlib
import os
import resource
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeGuard, TypeVar
from urllib.parse import quote, unquote

import pandas as pd

from wfm.config import PlanConfig
from wfm.core._display import ResultDisplay
from wfm.core._parallel import TaskFailure, TaskProgress, run_tasks
from wfm.core._summary import Summary
from wfm.core.errors import InputError, MissingDependencyError
from wfm.core.frames import AGENT, INTERVAL_START, QUEUE, require_columns
from wfm.core.types import ExecutorLike, HistoryFrame

if TYPE_CHECKING:
    from wfm.adherence import AdherenceResult, AdherenceRules, StateMapping
    from wfm.schedule import ScheduleResult

_TABLES = ("forecast", "requirement", "backtest")
SITE = "site"
TEAM = "team"


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
    rss_mb : float
        Resident memory of that process when the queue was done, MiB.
    finished_at : float
        When the queue was done (seconds since the epoch), to order a worker's queues.
    """

    queue: str
    seconds: float
    cpu_seconds: float
    history_rows: int
    peak_rss_mb: float
    worker: str
    rss_mb: float = 0.0
    finished_at: float = 0.0


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


class _Failures:
    """``ok`` and ``raise_on_failure`` for results that keep the failed tasks by name."""

    failures: list[TaskFailure]
    _failed_what: ClassVar[str]
    _failed_whose: ClassVar[str]

    @property
    def ok(self) -> bool:
        """Whether every task succeeded."""
        return not self.failures

    def raise_on_failure(self) -> None:
        """Raise :class:`InputError` listing every failed task (nothing if none failed)."""
        if self.failures:
            lines = "\n".join(f"  {failure}" for failure in self.failures)
            raise InputError(
                f"{len(self.failures)} {self._failed_what} failed; the others' results are "
                f"kept:\n{lines}\nFix: correct those {self._failed_whose} input and rerun them."
            )


@dataclass(frozen=True, repr=False)
class ScaleResult(_Failures, ResultDisplay):
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

    _failed_what = "queue task(s)"
    _failed_whose = "queues'"

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


def _rss_mb() -> float:
    """Return the resident set size of this process now, MiB (0 where /proc is absent)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * resource.getpagesize() / 2**20


def _worker_name() -> str:
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def _file_name(queue: str) -> str:
    return quote(queue, safe="") + ".parquet"


def _one_queue(queue: str, rows: pd.DataFrame, task: _QueueTask) -> _QueueOutput:
    """Backtest, forecast and size one queue (the per-queue part of :func:`wfm.plan`)."""
    from wfm.pipeline import (  # here, not at the top: a worker imports only what it runs
        backtest_history,
        estimate_patience_seconds,
        forecast_history,
        history_in_site_zone,
        size_open_forecast,
    )

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
        rss_mb=_rss_mb(),
        finished_at=time.time(),
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


@dataclass(frozen=True)
class _QueueFiles:
    """One queue's parquet files in a dataset folder: a worker reads them itself."""

    queue: str
    files: tuple[str, ...]

    def read(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Return the queue's rows (only ``columns`` if given) with a ``queue`` column."""
        frames = [pd.read_parquet(path, columns=columns) for path in self.files]
        frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        return frame.assign(**{QUEUE: self.queue})


def _read_piece(piece: Any) -> pd.DataFrame:
    """Return the rows of a piece: a pandas frame, a queue's files or a Dask partition."""
    if isinstance(piece, _QueueFiles):
        return piece.read()
    if hasattr(piece, "compute"):
        return _plain_queue_column(piece.compute(scheduler="sync"))
    return _plain_queue_column(piece)


class _RunPartition:
    """Picklable task: run every queue of one history piece, each failure kept apart."""

    def __init__(self, task: _QueueTask) -> None:
        self.task = task

    def __call__(self, piece: Any) -> _PartitionOutput:
        frame = _read_piece(piece)
        outputs: list[_QueueOutput] = []
        failures: list[TaskFailure] = []
        if isinstance(piece, _QueueFiles) and not len(frame):
            message = (
                f"its files {list(piece.files)[:3]} hold no rows. Fix: write the queue's "
                "history there, or remove its folder."
            )
            failures.append(TaskFailure(piece.queue, "InputError", message))
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
    history: Any, n_jobs: int, executor: ExecutorLike | None
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


def _is_dataset_folder(history: object) -> TypeGuard[str | os.PathLike[str]]:
    return isinstance(history, str | os.PathLike) and Path(history).is_dir()


def _dataset_queues(root: Path) -> list[_QueueFiles]:
    """Every ``queue=<name>`` folder of a hive-partitioned dataset and its parquet files.

    Only names are listed here: no file is opened, so the client reads no history.
    """
    jobs = []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or not folder.name.startswith(f"{QUEUE}="):
            continue
        files = tuple(str(path) for path in sorted(folder.rglob("*.parquet")))
        if files:
            jobs.append(_QueueFiles(unquote(folder.name.split("=", 1)[1]), files))
    if not jobs:
        raise InputError(
            f"{root} holds no '{QUEUE}=<name>' folder with parquet files. Fix: write the "
            f"history with to_parquet(folder, partition_cols=[{QUEUE!r}]), or pass a "
            "pandas or dask.dataframe DataFrame."
        )
    return jobs


def _scan_queue_files(job: _QueueFiles) -> tuple[list[str], Any]:
    """Return the queue's name and latest timestamp (reading only that column)."""
    stamps = job.read(columns=[INTERVAL_START])[INTERVAL_START]
    return [job.queue], stamps.max() if len(stamps) else None


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
    history: HistoryFrame | str | os.PathLike[str],
    config: PlanConfig,
    *,
    run_backtest: bool = False,
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
    progress: TaskProgress | None = None,
    output: str | Path | None = None,
    queues_per_task: int | None = None,
) -> ScaleResult:
    """Backtest, forecast and size every queue, one task per queue (or per partition).

    Parameters
    ----------
    history : pandas.DataFrame, dask.dataframe.DataFrame, str or pathlib.Path
        Interval history as for :func:`wfm.plan`. A folder is a parquet dataset
        partitioned by queue (``queue=<name>/*.parquet``, as written by
        ``to_parquet(folder, partition_cols=["queue"])``): the client only lists it and
        each task reads its own queues' files, the leanest way (no Dask graph per
        partition). A Dask frame must hold each queue in a single partition; each task
        then reads only its partition.
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
    queues_per_task : int, optional
        Queues (or Dask partitions) grouped into one task; default about 8 tasks per
        worker thread and at most 16 queues a task. Larger groups cost the scheduler less
        per queue (for hundreds of workers); the results do not depend on it.

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
    if queues_per_task is not None and (
        isinstance(queues_per_task, bool)
        or not isinstance(queues_per_task, int)
        or queues_per_task < 1
    ):
        raise InputError(
            f"queues_per_task={queues_per_task!r} is not a positive integer. Fix: pass one "
            "(e.g. 16), or None for the default grouping."
        )
    unread: list[TaskFailure] = []
    jobs: list[Any]
    if _is_dataset_folder(history):
        files = _dataset_queues(Path(history))
        scanned = run_tasks(
            _scan_queue_files,
            files,
            keys=[job.queue for job in files],
            n_jobs=n_jobs,
            executor=executor,
            stage="scan",
            on_error="collect",
        )
        unread = scanned.failures
        kept = [(job, found) for job, found in zip(files, scanned.results, strict=True) if found]
        jobs = [job for job, _ in kept]
        names = [job.queue for job in jobs]
        latest = max((found[1] for _, found in kept if found[1] is not None), default=None)
    elif _is_dask_frame(history):
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
            f"history is a {type(history).__name__}. Fix: pass a pandas DataFrame, a "
            "dask.dataframe.DataFrame or the folder of a parquet dataset partitioned by queue."
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
        jobs_per_task=queues_per_task,
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


PartT = TypeVar("PartT")
JobT = TypeVar("JobT")


@dataclass(frozen=True, repr=False)
class PartitionResult(_Failures, ResultDisplay, Generic[PartT]):
    """Results of independent partitions (sites or teams) and the partitions that failed.

    Attributes
    ----------
    results : dict of str to result
        One result per partition that succeeded, in partition-name order.
    failures : list of TaskFailure
        Partitions without a result, each named, with the error.
    seconds : float
        Wall-clock seconds of the whole run.
    """

    results: dict[str, PartT]
    failures: list[TaskFailure]
    seconds: float = 0.0

    _failed_what = "partition(s)"
    _failed_whose = "partitions'"

    def to_frame(self) -> pd.DataFrame:
        """One row per partition: ``partition``, ``ok``, ``error_type`` and ``message``.

        Partitions that succeeded come first (in name order), then the failures.
        """
        rows: list[tuple[str, bool, str | None, str | None]]
        rows = [(name, True, None, None) for name in self.results]
        rows += [(f.key, False, f.error_type, f.message) for f in self.failures]
        return pd.DataFrame(rows, columns=["partition", "ok", "error_type", "message"])

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the partition table (:meth:`to_frame`) by name."""
        return {"partitions": self.to_frame()}

    def summary(self) -> Summary:
        """Partitions that succeeded and failed, and the run's wall-clock seconds.

        The breakdown is :meth:`to_frame` (one row per partition).
        """
        figures = {
            "partitions_succeeded": len(self.results),
            "partitions_failed": len(self.failures),
            "seconds": self.seconds,
        }
        frame = self.to_frame()
        return Summary(
            "PartitionResult",
            figures,
            units={"seconds": "seconds"},
            breakdown=frame if len(frame) else None,
        )

    def frame(self, get: Callable[[PartT], pd.DataFrame], column: str) -> pd.DataFrame:
        """One frame of every partition's result, with the partition name in ``column``."""
        frames = [get(result).assign(**{column: name}) for name, result in self.results.items()]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True)


class _ScheduleSite:
    """Picklable task: schedule one site's requirement under its configuration."""

    def __call__(self, job: tuple[pd.DataFrame, PlanConfig]) -> ScheduleResult:
        from wfm.pipeline import schedule_requirement

        requirement, config = job
        return schedule_requirement(requirement, config)


def _site_of_queues(requirement: pd.DataFrame, sites: Mapping[str, str] | None) -> pd.Series:
    """Return the site of every requirement row, from ``sites`` or a site column."""
    if sites is None:
        if SITE not in requirement.columns:
            raise InputError(
                f"the requirement has no {SITE!r} column and no sites mapping was given. Fix: "
                f"pass sites={{queue: site}} or add a {SITE!r} column."
            )
        _require_filled(requirement, SITE, QUEUE, name="requirement", noun="site")
        return requirement[SITE].astype(str)
    queue_of_row: pd.Series = requirement[QUEUE].astype(str)
    unknown = sorted(set(queue_of_row) - set(sites))
    if unknown:
        raise InputError(
            f"queue(s) {unknown[:10]} have no site in the sites mapping. Fix: map every "
            "queue of the requirement to a site."
        )
    site_of_row: pd.Series = queue_of_row.map(dict(sites)).astype(str)
    return site_of_row


def _templates_of(config: PlanConfig, queues: set[str]) -> PlanConfig:
    """Return the shared configuration with only the templates of ``queues`` (or none)."""
    templates = [t for t in config.schedule.templates if t.queue is None or t.queue in queues]
    schedule = config.schedule.model_copy(update={"templates": templates})
    return config.model_copy(update={"schedule": schedule})


def _run_partitions(
    task: Callable[[JobT], PartT],
    jobs: Sequence[JobT],
    names: list[str],
    failures: list[TaskFailure],
    n_jobs: int,
    executor: ExecutorLike | None,
    progress: TaskProgress | None,
    stage: str,
    began: float,
) -> PartitionResult[PartT]:
    """Run one task per named partition, keep the failures by name, and time the run.

    ``failures`` are partitions already refused before any task ran; the result lists
    them with the tasks' failures, in name order.
    """
    outcome = run_tasks(
        task,
        jobs,
        keys=names,
        n_jobs=n_jobs,
        executor=executor,
        progress=progress,
        stage=stage,
        on_error="collect",
        jobs_per_task=1,
    )
    pairs = zip(names, outcome.results, strict=True)
    results = {name: result for name, result in pairs if result is not None}
    every_failure = sorted([*failures, *outcome.failures], key=lambda failure: failure.key)
    return PartitionResult(results, every_failure, time.perf_counter() - began)


def _require_filled(frame: pd.DataFrame, column: str, owner: str, *, name: str, noun: str) -> None:
    """Raise naming the ``owner`` values (queues, agents) whose ``column`` is empty."""
    empty = frame[column].isna()
    if empty.any():
        owners = sorted(frame.loc[empty, owner].astype(str).unique())
        raise InputError(
            f"{name}[{column!r}] is empty for {owner}(s) {owners[:10]}. Fix: give every "
            f"{owner} a {noun}."
        )


def schedule_by_site(
    requirement: pd.DataFrame,
    config: PlanConfig | Mapping[str, PlanConfig],
    *,
    sites: Mapping[str, str] | None = None,
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
    progress: TaskProgress | None = None,
) -> PartitionResult[ScheduleResult]:
    """Schedule every site on its own, one task per site (its queues' requirement only).

    Scheduling couples the queues a site's agents serve, so it is partitioned by site:
    each task runs :func:`wfm.pipeline.schedule_requirement` on the rows of that site's
    queues, exactly what a serial call on that site's requirement returns.

    Parameters
    ----------
    requirement : pandas.DataFrame
        Requirement of every queue (as from :func:`plan_queues` or :func:`wfm.plan`),
        with a ``site`` column unless ``sites`` is given.
    config : PlanConfig or mapping of str to PlanConfig
        One configuration per site (its templates, agents, rules), or one shared by every
        site: each site then gets the templates of its own queues (and those without a
        queue) and every other setting, including ``schedule.agents``.
    sites : mapping of str to str, optional
        Site of each queue; default the requirement's ``site`` column.
    n_jobs, executor, progress
        As in :func:`plan_queues` (stage ``"sites"``).

    Returns
    -------
    PartitionResult of wfm.schedule.ScheduleResult
        One schedule per site that succeeded; a site whose input is bad (or has no
        configuration in the mapping) is in ``failures`` by name and the others are kept.

    Raises
    ------
    InputError
        If a queue has no site.
    """
    began = time.perf_counter()
    require_columns(requirement, [QUEUE], name="requirement")
    site_of_row = _site_of_queues(requirement, sites)
    names: list[str] = []
    jobs: list[tuple[pd.DataFrame, PlanConfig]] = []
    missing: list[TaskFailure] = []
    for site, rows in requirement.groupby(site_of_row, sort=True):
        name = str(site)
        site_config = config if isinstance(config, PlanConfig) else config.get(name)
        if site_config is None:
            missing.append(
                TaskFailure(
                    name,
                    "InputError",
                    f"no configuration for site {name!r}. Fix: add it to the config mapping.",
                )
            )
            continue
        if isinstance(config, PlanConfig):
            site_config = _templates_of(config, set(rows[QUEUE].astype(str)))
        names.append(name)
        jobs.append((rows.drop(columns=[SITE], errors="ignore"), site_config))
    return _run_partitions(
        _ScheduleSite(), jobs, names, missing, n_jobs, executor, progress, "sites", began
    )


@dataclass(frozen=True)
class _TeamAdherence:
    """Picklable task: adherence of one team's agents (every option of the whole call)."""

    mapping: StateMapping | None
    rules: AdherenceRules | None
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    until: Any
    tz: str
    interval_minutes: int
    on_bad: str

    def __call__(self, job: tuple[pd.DataFrame, pd.DataFrame]) -> AdherenceResult:
        from wfm.adherence import compute_adherence

        schedule, events = job
        return compute_adherence(
            schedule,
            events,
            mapping=self.mapping,
            rules=self.rules,
            period_start=self.period_start,
            period_end=self.period_end,
            until=self.until,
            tz=self.tz,
            interval_minutes=self.interval_minutes,
            on_bad=self.on_bad,  # type: ignore[arg-type]
        )


def adherence_by_team(
    schedule: pd.DataFrame,
    events: pd.DataFrame,
    *,
    team_column: str = TEAM,
    mapping: StateMapping | None = None,
    rules: AdherenceRules | None = None,
    period_start: str | pd.Timestamp | None = None,
    period_end: str | pd.Timestamp | None = None,
    until: str | pd.Timestamp | None = None,
    tz: str | None = None,
    interval_minutes: int | None = None,
    on_bad: str = "raise",
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
    progress: TaskProgress | None = None,
) -> PartitionResult[AdherenceResult]:
    """Adherence of every team on its own, one task per team.

    The agents of different teams never interact, so each task runs
    :func:`wfm.adherence.compute_adherence` on one team's schedule and the events of its
    agents. Every team is measured over the same period (by default the local days of the
    whole schedule), so each agent's figures equal those of one call on everything.

    Parameters
    ----------
    schedule : pandas.DataFrame
        Schedule segments with a team column (``team_column``; one team per agent).
    events : pandas.DataFrame
        Agent state events; each goes to the team of its agent.
    team_column : str, default "team"
        Column of ``schedule`` naming each agent's team.
    mapping, rules, period_start, period_end, until, tz, interval_minutes, on_bad
        As in :func:`wfm.adherence.compute_adherence`. When ``interval_minutes`` is not
        given it is inferred once from the whole schedule, so every team shares one grid.
    n_jobs, executor, progress
        As in :func:`plan_queues` (stage ``"teams"``).

    Returns
    -------
    PartitionResult of wfm.adherence.AdherenceResult
        One result per team that succeeded. A team with bad input (e.g. overlapping
        segments, or bad events with ``on_bad="raise"``) fails by name and the others are
        kept; events of agents in no team's schedule are one failure named ``"(no team)"``.

    Raises
    ------
    InputError
        If the team column is missing or empty, or an agent is in two teams.
    """
    from wfm.adherence._inputs import resolve_period, schedule_time_zone

    began = time.perf_counter()
    require_columns(schedule, [AGENT, team_column], name="schedule")
    require_columns(events, [AGENT], name="events")
    _require_filled(schedule, team_column, AGENT, name="schedule", noun="team")
    team_of = schedule.groupby(AGENT, sort=False)[team_column].unique()
    several = team_of[team_of.map(len) > 1]
    if len(several):
        raise InputError(
            f"agent(s) {list(several.index[:5])} are in more than one team. Fix: one team "
            "per agent for the period."
        )
    agent_team = team_of.map(lambda values: str(values[0]))
    zone = tz or schedule_time_zone(schedule)
    grid, _ = resolve_period(schedule, zone, period_start, period_end, None, interval_minutes)
    # the interval is resolved once, from the whole schedule, so every team shares the grid
    task = _TeamAdherence(
        mapping, rules, grid.start, grid.end, until, zone, grid.interval_minutes, on_bad
    )
    event_team = events[AGENT].map(agent_team)
    names: list[str] = []
    jobs: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    for team, rows in schedule.groupby(schedule[team_column].astype(str), sort=True):
        names.append(str(team))
        jobs.append((rows, events[event_team == str(team)]))
    failures: list[TaskFailure] = []
    orphans = event_team.isna()
    if orphans.any():
        agents = sorted(events.loc[orphans, AGENT].astype(str).unique())
        failures.append(
            TaskFailure(
                "(no team)",
                "InputError",
                f"{int(orphans.sum())} event(s) of agent(s) {agents[:10]} not in the "
                "schedule. Fix: add the agents to the schedule (with a team) or drop their "
                "events.",
            )
        )
    return _run_partitions(task, jobs, names, failures, n_jobs, executor, progress, "teams", began)


LEAN_WORKER_CONFIG = {"distributed.worker.profile.enabled": False}
"""Dask settings of the workers :func:`dask_client` starts.

Dask's statistical profiler samples every worker thread's stack every 10 ms and keeps an
hour of one-second profiles per worker: with the many distinct call stacks of a
statsmodels fit it grew a worker's memory by about 0.5 MiB per queue (330 -> 412 MiB over
250 queues) and took CPU from the tasks. Start the workers of an existing cluster with
``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False`` for the same effect.
"""


@contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """Open a Dask client: a local cluster of ``workers`` processes, or ``scheduler``.

    Local workers run one thread each (the tasks are the parallelism; BLAS is limited to
    one thread per task) and without Dask's profiler (:data:`LEAN_WORKER_CONFIG`). The
    cluster is closed on exit; a client of an existing ``scheduler`` is only disconnected.

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
    dask: Any = importlib.import_module("dask")
    with (
        dask.config.set(LEAN_WORKER_CONFIG),
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
    "PartitionResult",
    "ProgressBar",
    "QueueStats",
    "ScaleResult",
    "TaskFailure",
    "adherence_by_team",
    "dask_client",
    "plan_queues",
    "schedule_by_site",
]
