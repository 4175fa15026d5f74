"""Benchmark: thousands of queues, serial vs a local Dask cluster (wfm.scale.plan_queues).

Writes a synthetic parquet dataset partitioned by queue (``wfm.datasets``: one year of
half-hours per queue with intraday and weekly profiles, trend, Poisson noise, holidays and
DST days), then forecasts (``model="auto"``: backtest selection per queue) and sizes
(Erlang C, 80/20, occupancy <= 90 %) every queue twice:

1. serially in this process (``executor=None``);
2. on a ``LocalCluster`` of ``--workers`` processes with one thread each.

Both get the dataset folder: every task reads its own queues' files and writes each
queue's tables to parquet itself (``output=``), so no process holds the whole history or
the whole forecast. The script prints wall times, the speed-up, the per-queue cost in
CPU, time and memory, each worker's peak and current resident memory after 25, 50 and
100 % of its queues, the machine's load average (the machine is shared, so times vary
with it), and a projection to 10 and 100 workers.

A wrong result exits 1: the cluster's tables must equal the serial ones exactly, no
queue may fail, and no worker's peak memory may grow by more than
``GROWTH_TOLERANCE_MB`` from its 25 % checkpoint to its last queue (memory must not grow
with the number of queues). Time never fails the run.

``--quick`` (CI, ``make bench-quick``): 12 queues x 120 days. ``--full``: 2,000 queues x
365 days (about half an hour on 2 shared cores). ``--queues N`` / ``--days D`` override.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from wfm.config import PlanConfig
from wfm.datasets import synthetic_queue_history
from wfm.scale import ScaleResult, dask_client, plan_queues

TZ = "Europe/London"


def write_dataset(folder: Path, queues: int, days: int) -> float:
    """One parquet file per queue in hive layout (``queue=<name>/part-0.parquet``); MiB."""
    total = 0
    for index in range(queues):
        frame = synthetic_queue_history(index, days=days, start="2025-01-06", tz=TZ, seed=11)
        target = folder / f"queue={frame['queue'].iloc[0]}"
        target.mkdir(parents=True)
        path = target / "part-0.parquet"
        frame.drop(columns="queue").to_parquet(path, index=False)
        total += path.stat().st_size
    return total / 2**20


def config() -> PlanConfig:
    return PlanConfig.model_validate(
        {
            "site": {"time_zone": TZ},
            "forecast": {"model": "auto", "horizon_days": 7},
            "staffing": {"default": {"max_occupancy": 0.9}},
        }
    )


def process_cpu() -> float:
    """User + system CPU seconds of this process (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def warm_up() -> None:
    """Run one small queue (imports and first-call costs), as a long-lived worker has."""
    frame = synthetic_queue_history(99_999, days=70, start="2025-01-06", tz=TZ, seed=1)
    plan_queues(frame, config())


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    keys = ["queue", "interval_start"]
    return {
        name: pd.read_parquet(folder / name).sort_values(keys).reset_index(drop=True)
        for name in ("forecast", "requirement")
    }


CHECKPOINTS = (0.25, 0.5, 1.0)
"""Fractions of each worker's queues after which its memory is reported."""

GROWTH_TOLERANCE_MB = 48.0
"""Most a worker's peak RSS may grow from its 25 % checkpoint to its last queue, MiB.

A worker's peak is its imports plus one task's working set (one partition's history and
its fits); a year of half-hours costs about 30-60 MiB at its peak, so growth beyond one
such task's worth means something accumulates per queue.
"""


def memory_by_worker(result: ScaleResult) -> pd.DataFrame:
    """Each worker's peak and current RSS after 25 %, 50 % and 100 % of its queues."""
    stats = result.stats_frame().sort_values("finished_at")
    rows = []
    for worker, part in stats.groupby("worker", sort=True):
        row: dict[str, object] = {"worker": worker, "queues": len(part)}
        for share in CHECKPOINTS:
            upto = part.iloc[: max(1, round(share * len(part)))]
            label = f"{round(share * 100)}%"
            row[f"peak_mb@{label}"] = round(float(upto["peak_rss_mb"].max()), 1)
            row[f"rss_mb@{label}"] = round(float(upto["rss_mb"].iloc[-1]), 1)
        row["growth_mb"] = round(
            float(row[f"peak_mb@{label}"]) - float(row["peak_mb@25%"]),  # type: ignore[arg-type]
            1,
        )
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--queues", type=int, default=None)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    queues = args.queues or (2000 if args.full else 12)
    days = args.days or (365 if args.full else 120)
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("dask[distributed] is not installed (pip install 'openwfm[dask]'): skipped")
        return 0

    print(f"{queues} queues x {days} days of half-hours; load average {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        began = time.perf_counter()
        size_mb = write_dataset(root / "history", queues, days)
        print(f"dataset written in {time.perf_counter() - began:.1f} s ({size_mb:.1f} MiB parquet)")
        history = root / "history"  # each task reads its own queues' files

        warm_up()
        began, began_cpu = time.perf_counter(), process_cpu()
        serial = plan_queues(history, config(), output=root / "serial")
        serial_seconds = time.perf_counter() - began
        serial_process_cpu = process_cpu() - began_cpu
        serial_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"serial:   {serial_seconds:8.1f} s   (this process peak RSS {serial_rss:.0f} MiB)")

        load_before = os.getloadavg()
        began = time.perf_counter()
        with dask_client(workers=args.workers) as client:
            started = time.perf_counter() - began
            # import the library in the workers first: a real cluster keeps its workers
            client.run(warm_up)
            print(
                f"cluster of {args.workers} workers up in {started:.1f} s; importing wfm and "
                f"a first small queue on them took {time.perf_counter() - began - started:.1f} s "
                "(not counted below)"
            )
            workers_before = client.run(process_cpu)
            began, began_cpu = time.perf_counter(), process_cpu()
            parallel = plan_queues(history, config(), executor=client, output=root / "dask")
            parallel_seconds = time.perf_counter() - began
            client_cpu = process_cpu() - began_cpu
            workers_after = client.run(process_cpu)
        worker_cpu = [workers_after[w] - workers_before[w] for w in workers_after]
        load_after = os.getloadavg()
        speedup = serial_seconds / parallel_seconds
        print(
            f"dask x{args.workers}: {parallel_seconds:8.1f} s   speed-up {speedup:.2f}x "
            f"(load average before {load_before[0]:.1f}, after {load_after[0]:.1f})"
        )

        wrong = []
        for name, result in (("serial", serial), ("dask", parallel)):
            if result.failures:
                wrong.append(f"{name} failures: {[str(f) for f in result.failures[:5]]}")
            if len(result.models) != queues:
                wrong.append(f"{name}: {len(result.models)} of {queues} queues")
        expected, got = read_tables(root / "serial"), read_tables(root / "dask")
        for name in expected:
            try:
                pd.testing.assert_frame_equal(got[name], expected[name])
            except AssertionError as exc:
                wrong.append(f"{name} differs from serial: {str(exc)[:300]}")
        if serial.models != parallel.models:
            wrong.append("models differ from serial")
        print("results identical to serial:", not wrong)

        stats = serial.stats_frame()
        per_queue = serial_seconds / queues
        mean_task = float(stats["seconds"].mean())
        rows = int(stats["history_rows"].mean())
        print(
            f"per queue (serial): {per_queue:.3f} s wall, {mean_task:.3f} s in the task "
            f"(read + scan {per_queue - mean_task:.3f} s); history {rows} rows"
        )
        models = pd.Series(serial.models).value_counts().to_dict()
        print(f"models chosen: {models}")
        memory = memory_by_worker(parallel)
        print(
            "peak / current resident memory per worker (MiB) after 25, 50 and 100 % of its queues:"
        )
        print(memory.to_string(index=False))
        growth = float(memory["growth_mb"].max())
        bounded = growth <= GROWTH_TOLERANCE_MB
        print(
            f"memory bounded (peak growth from 25 % to 100 % of the queues <= "
            f"{GROWTH_TOLERANCE_MB:.0f} MiB): {bounded} (largest growth {growth:.1f} MiB)"
        )
        if not bounded:
            wrong.append(f"a worker's peak memory grew by {growth:.1f} MiB with the queues")

        dask_stats = parallel.stats_frame()
        serial_cpu = float(stats["cpu_seconds"].sum())
        dask_cpu = float(dask_stats["cpu_seconds"].sum())
        busiest = float(dask_stats.groupby("worker")["cpu_seconds"].sum().max())
        print(
            f"CPU seconds in tasks: serial {serial_cpu:.1f}, dask {dask_cpu:.1f} (ratio "
            f"{dask_cpu / serial_cpu:.2f}); busiest worker {busiest:.1f}: load-free "
            f"speed-up bound {serial_cpu / busiest:.2f}x"
        )
        idle_estimate = max(max(worker_cpu), (sum(worker_cpu) + client_cpu) / args.workers)
        print(
            f"process CPU seconds: serial {serial_process_cpu:.1f}; dask workers "
            f"{', '.join(f'{c:.1f}' for c in worker_cpu)}, client + scheduler {client_cpu:.1f}"
        )
        print(
            f"load-free estimate on {args.workers} idle cores: {idle_estimate:.1f} s, "
            f"speed-up {serial_process_cpu / idle_estimate:.2f}x (CPU time does not depend "
            "on other sessions' load; wall time here does)"
        )
        busy = float(dask_stats["seconds"].sum())
        per_task_overhead = max(parallel_seconds * args.workers - busy, 0.0) / queues
        print(
            f"dask: {busy / queues:.3f} s per queue in tasks, {per_task_overhead:.3f} s per "
            "queue of scheduling, reading, writing and idle time"
        )
        worker_per_queue = sum(worker_cpu) / queues
        central_per_queue = client_cpu / queues
        print(
            f"per-queue CPU cost: serial {serial_process_cpu / queues:.3f} s (in the task "
            f"{serial_cpu / queues:.3f} s); on a worker {worker_per_queue:.3f} s (in the task "
            f"{dask_cpu / queues:.3f} s); client + scheduler {1000 * central_per_queue:.1f} ms"
        )
        for workers in (10, 100):
            # idle cores: the workers' CPU shared out, unless the one scheduler is slower
            by_cpu = max(queues * worker_per_queue / workers, queues * central_per_queue)
            at_load = queues * (busy / queues + per_task_overhead) / workers
            print(
                f"projection {workers:>3} workers: {by_cpu:8.1f} s for {queues} queues, "
                f"{by_cpu * 10_000 / queues:8.1f} s for 10,000 (CPU per queue / workers, "
                f"bounded below by the scheduler's CPU per queue); at this machine's load "
                f"{at_load:8.1f} s"
            )
    if wrong:
        print("WRONG:", *wrong, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
