"""The parallelism convention: n_jobs / executor / progress, failures by name, BLAS limits."""

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_info

from wfm.adherence import AdherenceRules, compute_adherence
from wfm.core import InputError
from wfm.core._parallel import check_n_jobs, map_tasks, run_tasks
from wfm.erlang import required_agents


def _square(x: int) -> int:
    if x == 13:
        raise ValueError("thirteen is unlucky")
    return x * x


def _blas_threads(_: int) -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_results_keep_job_order_on_every_executor() -> None:
    jobs = [x for x in range(40) if x != 13]
    serial = map_tasks(_square, jobs)
    assert serial == [x * x for x in jobs]
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert map_tasks(_square, jobs, executor=pool) == serial
    assert map_tasks(_square, jobs, n_jobs=2) == serial


def test_a_failing_job_is_named_and_the_others_are_kept() -> None:
    jobs = [11, 12, 13, 14]
    keys = ["a", "b", "bad-queue", "d"]
    for n_jobs in (1, 2):
        outcome = run_tasks(_square, jobs, keys=keys, n_jobs=n_jobs, on_error="collect")
        assert outcome.results == [121, 144, None, 196]
        assert [(f.key, f.error_type) for f in outcome.failures] == [("bad-queue", "ValueError")]
        assert "thirteen" in outcome.failures[0].message
    with pytest.raises(ValueError, match="thirteen") as caught:
        map_tasks(_square, jobs, keys=keys)
    assert any("bad-queue" in note for note in caught.value.__notes__)


def test_progress_counts_up_to_the_total() -> None:
    seen: list[tuple[str, int, int]] = []
    map_tasks(_square, list(range(5)), progress=lambda *a: seen.append(a), stage="demo")
    assert seen == [("demo", k, 5) for k in range(1, 6)]


def test_tasks_run_with_one_blas_thread() -> None:
    if not _blas_threads(0):
        pytest.skip("no BLAS library loaded through threadpoolctl")
    for threads in map_tasks(_blas_threads, [0, 1]) + map_tasks(_blas_threads, [0, 1], n_jobs=2):
        assert threads
        assert all(n == 1 for n in threads)


def test_bad_n_jobs_and_executor_are_clear_errors() -> None:
    assert check_n_jobs(-1) >= 1
    for bad in (0, -2, 1.5, True):
        with pytest.raises(InputError, match="n_jobs"):
            check_n_jobs(bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="executor"):
        map_tasks(_square, [1], executor="dask")


@pytest.fixture
def no_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: threading.Thread) -> None:
        raise AssertionError(f"a thread was started: {self.name}")

    monkeypatch.setattr(threading.Thread, "start", refuse)


def test_erlang_sizing_starts_no_thread_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    volume = rng.uniform(1, 400, 140_000)  # three chunks of 65,536 intervals
    aht = rng.uniform(120, 400, volume.size)
    threaded = required_agents(volume, aht, n_jobs=2)

    def refuse(self: threading.Thread) -> None:
        raise AssertionError("a thread was started")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    serial = required_agents(volume, aht)
    np.testing.assert_array_equal(serial, threaded)
    with pytest.raises(InputError, match="n_jobs"):
        required_agents(volume[:3], aht[:3], n_jobs=0)


def test_adherence_starts_no_thread_by_default(
    monkeypatch: pytest.MonkeyPatch, no_threads: None
) -> None:
    import wfm.adherence.batch as batch_module

    monkeypatch.setattr(batch_module, "_PARALLEL_MIN_ROWS", 0)

    def t(s: str) -> pd.Timestamp:
        return pd.Timestamp(f"2024-01-10 {s}", tz="UTC")

    schedule = pd.DataFrame(
        {
            "agent": ["a", "b"],
            "activity": ["work", "work"],
            "start": [t("09:00"), t("09:00")],
            "end": [t("10:00"), t("10:00")],
        }
    )
    events = pd.DataFrame(
        {
            "agent": ["a", "a", "b"],
            "state": ["Available", "Logged Out", "Available"],
            "start": [t("09:10"), t("10:10"), t("09:00")],
        }
    )
    result = compute_adherence(
        schedule, events, rules=AdherenceRules(outside_shift_is_exception=True)
    )
    frame = result.to_frame()
    assert round(float(frame["adherence"].iloc[0]), 3) == 0.714  # 1 - 20/70, as serial


def test_erlang_sizing_and_adherence_on_an_executor_equal_serial(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from concurrent.futures import ProcessPoolExecutor

    import wfm.adherence.batch as batch_module
    from wfm.erlang import staff_intervals

    rng = np.random.default_rng(4)
    volume = rng.uniform(1, 300, 66_000)  # two tasks: 65,536 intervals and the rest
    aht = rng.uniform(120, 400, volume.size)
    frame = pd.DataFrame(
        {
            "queue": "q",
            "interval_start": pd.date_range(
                "2024-01-01", periods=volume.size, freq="30min", tz="UTC"
            ),
            "volume": volume,
            "aht_seconds": aht,
        }
    )
    serial = staff_intervals(frame, max_occupancy=0.9)
    monkeypatch.setattr(batch_module, "_PARALLEL_MIN_ROWS", 0)
    schedule, events = _two_agents()
    alone = compute_adherence(schedule, events)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pd.testing.assert_frame_equal(
            staff_intervals(frame, max_occupancy=0.9, executor=pool), serial
        )
        spread = compute_adherence(schedule, events, executor=pool)
    pd.testing.assert_frame_equal(spread.aggregate("agent_day"), alone.aggregate("agent_day"))
    pd.testing.assert_frame_equal(spread.exceptions, alone.exceptions)


def _two_agents() -> tuple[pd.DataFrame, pd.DataFrame]:
    def t(clock: str) -> pd.Timestamp:
        return pd.Timestamp(f"2024-01-10 {clock}", tz="UTC")

    schedule = pd.DataFrame(
        {
            "agent": ["a", "a", "b"],
            "activity": ["work", "work", "work"],
            "start": [t("09:00"), t("11:00"), t("09:00")],
            "end": [t("10:00"), t("12:00"), t("10:00")],
        }
    )
    events = pd.DataFrame(
        {
            "agent": ["a", "a", "a", "b"],
            "state": ["Available", "Logged Out", "Available", "Available"],
            "start": [t("09:10"), t("10:10"), t("11:20"), t("09:00")],
        }
    )
    return schedule, events


def _slow_square(x: int) -> int:
    time.sleep(0.001)
    return _square(x)


class _CountingExecutor(ThreadPoolExecutor):
    """A thread pool that records the most tasks submitted and not yet finished."""

    def __init__(self) -> None:
        super().__init__(max_workers=3)
        self.pending = 0
        self.most = 0
        self.lock = threading.Lock()

    def _ended(self, _: Future[Any]) -> None:
        with self.lock:
            self.pending -= 1

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.lock:
            self.pending += 1
            self.most = max(self.most, self.pending)
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._ended)
        return future


def test_tasks_in_flight_stay_within_the_window_whatever_the_number_of_jobs() -> None:
    from wfm.core._parallel import bounded, chunk_size, in_flight_window

    assert in_flight_window(3) == 6
    assert chunk_size(10, 2) == 1  # few jobs: one per task, the load still balances
    assert chunk_size(2000, 2) == 16  # many: grouped, at most 16 per task
    items = [x for x in range(200) if x != 13]
    with _CountingExecutor() as pool:
        seen = [
            item
            for item, future in bounded(lambda i: pool.submit(_slow_square, i), items, 5)
            if future.result() == _square(item)
        ]
        assert sorted(seen) == items
        assert pool.most <= 5
    with _CountingExecutor() as pool:
        jobs = [12, 13] * 100
        outcome = run_tasks(
            _slow_square, jobs, executor=pool, on_error="collect", jobs_per_task=4, window=3
        )
        assert pool.most <= 3
        assert len(outcome.failures) == 100  # every 13 fails, by its key; the 12s are kept
        assert outcome.results[:4] == [144, None, 144, None]
        default = run_tasks(_slow_square, [2] * 300, executor=pool)
        assert default.results == [4] * 300
        assert pool.most <= in_flight_window(3)


def _die_on_13(x: int) -> int:
    if x == 13:
        import os

        os._exit(3)  # the worker process dies: the pool is broken
    return x * x


def test_a_broken_process_pool_loses_its_tasks_not_the_finished_ones() -> None:
    jobs = list(range(40))
    outcome = run_tasks(_die_on_13, jobs, n_jobs=2, on_error="collect", jobs_per_task=1, window=2)
    failed = {f.key for f in outcome.failures}
    assert "13" in failed
    assert all(f.error_type == "BrokenProcessPool" for f in outcome.failures)
    # with a window of 2, jobs 0-11 were collected before job 13 was even submitted
    assert outcome.results[:12] == [x * x for x in range(12)]
    kept = [r for k, r in zip(map(str, jobs), outcome.results, strict=True) if k not in failed]
    assert kept == [x * x for x in jobs if str(x) not in failed]
