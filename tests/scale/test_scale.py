"""wfm.scale: per-queue forecast, backtest and sizing equal the serial plan on every engine.

The Dask tests run a LocalCluster of two worker processes (one thread each), as CI's two
cores allow; one of them kills its worker with ``os._exit`` to check that the finished
queues survive a worker's death.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from wfm.config import PlanConfig
from wfm.core import InputError
from wfm.core._parallel import map_tasks
from wfm.datasets import synthetic_interval_history, synthetic_queue_history
from wfm.pipeline import PlanResult, plan
from wfm.scale import ScaleResult, plan_queues

TZ = "Europe/London"
DAYS = 77  # 11 weeks: two backtest origins and the auto selection's four
QUEUES = 4


def _config() -> PlanConfig:
    return PlanConfig.model_validate(
        {
            "site": {"time_zone": TZ},
            "forecast": {"horizon_days": 3, "backtest_origins": 2},
            "staffing": {"default": {"max_occupancy": 0.9}},
        }
    )


def _sorted(frame: pd.DataFrame | None, keys: list[str]) -> pd.DataFrame:
    assert frame is not None
    return frame.sort_values(keys).reset_index(drop=True)


def _assert_same_as_serial(result: ScaleResult, serial: PlanResult) -> None:
    assert result.ok, result.failures
    keys = ["queue", "interval_start"]
    pd.testing.assert_frame_equal(_sorted(result.forecast, keys), _sorted(serial.forecast, keys))
    pd.testing.assert_frame_equal(
        _sorted(result.requirement, keys), _sorted(serial.requirement, keys)
    )
    assert result.models == serial.models


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    # the history runs over the October DST change (a 50-interval day)
    return synthetic_interval_history(QUEUES, days=DAYS, start="2025-08-11", tz=TZ, seed=7)


@pytest.fixture(scope="module")
def serial(history: pd.DataFrame) -> PlanResult:
    return plan(history, _config(), run_backtest=True)


@pytest.fixture(scope="module")
def parquet_dataset(history: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("history")
    history.to_parquet(folder / "by_queue", partition_cols=["queue"])
    return folder / "by_queue"


def test_per_queue_run_equals_the_serial_plan(history: pd.DataFrame, serial: PlanResult) -> None:
    seen: list[tuple[str, int, int]] = []
    result = plan_queues(
        history, _config(), run_backtest=True, progress=lambda *args: seen.append(args)
    )
    _assert_same_as_serial(result, serial)
    assert serial.backtest is not None
    keys = ["queue", "model", "origin", "lead_day"]
    pd.testing.assert_frame_equal(
        _sorted(result.backtest, keys), _sorted(serial.backtest.errors, keys)
    )
    assert seen[-1] == ("queues", QUEUES, QUEUES)
    assert [s.queue for s in result.stats] == sorted(serial.models)


def test_plan_with_an_executor_and_task_progress_equals_serial(
    history: pd.DataFrame, serial: PlanResult
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    seen: list[tuple[str, int, int]] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        again = plan(
            history,
            _config(),
            run_backtest=True,
            executor=pool,
            task_progress=lambda *args: seen.append(args),
        )
    pd.testing.assert_frame_equal(again.forecast, serial.forecast)
    pd.testing.assert_frame_equal(again.requirement, serial.requirement)
    assert {stage for stage, _, _ in seen} == {"backtest", "selection", "forecast"}
    assert ("forecast", QUEUES, QUEUES) in seen


def test_queues_grouped_per_task_equal_serial(history: pd.DataFrame, serial: PlanResult) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        result = plan_queues(history, _config(), executor=pool, queues_per_task=3)
    _assert_same_as_serial(result, serial)
    with pytest.raises(InputError, match="queues_per_task"):
        plan_queues(history, _config(), queues_per_task=0)


def test_a_bad_queue_fails_by_name_and_the_others_are_kept(
    history: pd.DataFrame, serial: PlanResult
) -> None:
    broken = history.copy()
    bad = broken["queue"] == "q00002"
    broken.loc[bad & (broken["volume"] > 0), "volume"] = -1.0
    result = plan_queues(broken, _config())
    assert [f.key for f in result.failures] == ["q00002"]
    assert result.failures[0].error_type == "InputError"
    assert "volume" in result.failures[0].message
    good = serial.forecast[serial.forecast["queue"] != "q00002"]
    keys = ["queue", "interval_start"]
    pd.testing.assert_frame_equal(_sorted(result.forecast, keys), _sorted(good, keys))
    with pytest.raises(InputError, match="q00002"):
        result.raise_on_failure()


def test_outputs_written_per_queue_read_back_identical(
    history: pd.DataFrame, serial: PlanResult, tmp_path: Path
) -> None:
    result = plan_queues(history, _config(), output=tmp_path)
    assert result.forecast is None
    assert result.requirement is None
    assert len(result.written) == 2 * QUEUES
    assert all(path.exists() for path in result.written)
    keys = ["queue", "interval_start"]
    forecast = pd.read_parquet(tmp_path / "forecast")
    requirement = pd.read_parquet(tmp_path / "requirement")
    pd.testing.assert_frame_equal(
        _sorted(forecast, keys), _sorted(serial.forecast, keys), check_dtype=False
    )
    pd.testing.assert_frame_equal(
        _sorted(requirement, keys), _sorted(serial.requirement, keys), check_dtype=False
    )


dd = pytest.importorskip("dask.dataframe", reason="the dask extra (openwfm[dask]) is needed")


def test_dask_frame_partitioned_by_queue_equals_serial(
    parquet_dataset: Path, serial: PlanResult
) -> None:
    frame = dd.read_parquet(parquet_dataset)
    assert frame.npartitions == QUEUES
    _assert_same_as_serial(plan_queues(frame, _config()), serial)


def test_dataset_folder_read_by_each_task_equals_serial(
    parquet_dataset: Path, serial: PlanResult, tmp_path: Path
) -> None:
    _assert_same_as_serial(plan_queues(parquet_dataset, _config()), serial)
    with pytest.raises(InputError, match="queue=<name>"):
        plan_queues(tmp_path, _config())
    # an unreadable file fails its queue by name; the other queue is planned
    shutil.copytree(parquet_dataset / "queue=q00001", tmp_path / "queue=q00001")
    (tmp_path / "queue=broken").mkdir()
    (tmp_path / "queue=broken" / "part-0.parquet").write_text("not parquet")
    (tmp_path / "queue=empty").mkdir()
    pd.read_parquet(parquet_dataset / "queue=q00001").head(0).to_parquet(
        tmp_path / "queue=empty" / "part-0.parquet"
    )
    result = plan_queues(tmp_path, _config())
    assert [f.key for f in result.failures] == ["broken", "empty"]
    assert "no rows" in result.failures[1].message
    assert sorted(result.models) == ["q00001"]
    expected = serial.forecast[serial.forecast["queue"] == "q00001"].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.forecast, expected)


def test_a_queue_spread_over_partitions_is_refused(history: pd.DataFrame) -> None:
    frame = dd.from_pandas(history.sort_values("interval_start"), npartitions=3, sort=False)
    with pytest.raises(InputError, match="more than one partition"):
        plan_queues(frame, _config())


def _load_queue(index: int, marker: str, once: bool = False) -> pd.DataFrame:
    """One queue's history, as a worker reads it; queue 2 kills its worker on its 2nd read.

    The first read is the scan for queue names and the last timestamp, the second the
    forecast task: the worker dies in the middle of the run. With ``once`` only that read
    kills; a third (the rerun) succeeds.
    """
    if index == 2:
        died = Path(marker + ".died")
        if os.path.exists(marker) and not (once and died.exists()):
            died.touch()
            os._exit(17)
        Path(marker).touch()
    return synthetic_queue_history(index, days=DAYS, start="2025-08-11", tz=TZ, seed=7)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    pytest.importorskip("distributed")
    import cloudpickle
    import dask

    from wfm.scale import dask_client

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    # no retry of a task whose worker died, and one task at a time per worker, so that
    # only the killing task is lost with its worker
    settings = {
        "distributed.scheduler.allowed-failures": 0,
        "distributed.scheduler.worker-saturation": 1.0,
        "distributed.worker.daemon": False,
    }
    with dask.config.set(settings), dask_client(workers=2) as client:
        yield client


def _profiling(dask_worker: Any) -> bool:
    return "profile" in dask_worker.periodic_callbacks


def _blas_threads(_: int) -> list[int]:
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_local_cluster_equals_serial(
    client: Any, parquet_dataset: Path, history: pd.DataFrame, serial: PlanResult
) -> None:
    # the dataset folder: each task reads its queues' files (a Dask frame's partitions
    # run on the cluster in the dead-worker test below)
    result = plan_queues(parquet_dataset, _config(), executor=client)
    _assert_same_as_serial(result, serial)
    assert len({s.worker for s in result.stats}) >= 1
    for threads in map_tasks(_blas_threads, [0, 1, 2, 3], executor=client):
        assert all(n == 1 for n in threads)
    # Dask's profiler, which grew worker memory with every queue, is off
    assert not any(client.run(_profiling).values())
    again = plan(history, _config(), run_backtest=False, executor=client)
    pd.testing.assert_frame_equal(again.forecast, serial.forecast)
    pd.testing.assert_frame_equal(again.requirement, serial.requirement)


def test_queues_of_a_group_lost_with_its_worker_are_rerun_one_by_one(
    client: Any, serial: PlanResult, tmp_path: Path
) -> None:
    # queues 2 and 3 share a task; queue 2 kills its worker once: both are rerun alone
    marker = str(tmp_path / "queue-2-was-read")
    frame = dd.from_map(_load_queue, list(range(QUEUES)), marker=marker, once=True)
    result = plan_queues(frame, _config(), executor=client, queues_per_task=2)
    assert Path(marker + ".died").exists()
    _assert_same_as_serial(result, serial)


def test_a_dead_worker_loses_only_its_queue(
    client: Any, serial: PlanResult, tmp_path: Path
) -> None:
    marker = str(tmp_path / "queue-2-was-read")
    frame = dd.from_map(_load_queue, list(range(QUEUES)), marker=marker)
    result = plan_queues(frame, _config(), executor=client)
    assert [f.key for f in result.failures] == ["q00002"]
    assert result.failures[0].error_type == "KilledWorker"
    good = serial.requirement[serial.requirement["queue"] != "q00002"]
    keys = ["queue", "interval_start"]
    pd.testing.assert_frame_equal(
        _sorted(result.requirement, keys), _sorted(good, keys), check_dtype=False
    )
    assert sorted(result.models) == ["q00000", "q00001", "q00003"]


def test_cli_scale_writes_per_queue_and_lists_failures(
    parquet_dataset: Path, history: pd.DataFrame, serial: PlanResult, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from wfm.cli import main

    config = tmp_path / "plan.toml"
    config.write_text(
        f'[site]\ntime_zone = "{TZ}"\n[forecast]\nhorizon_days = 3\nbacktest_origins = 2\n'
        "[staffing.default]\nmax_occupancy = 0.9\n"
    )
    out = tmp_path / "out"
    args = ["scale", str(parquet_dataset), "-c", str(config), "-o", str(out), "--progress"]
    args += ["--queues-per-task", "2"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"{QUEUES} queue(s) done" in result.output
    keys = ["queue", "interval_start"]
    requirement = pd.read_parquet(out / "requirement")
    pd.testing.assert_frame_equal(
        _sorted(requirement, keys), _sorted(serial.requirement, keys), check_dtype=False
    )
    csv = tmp_path / "history.csv"
    history.head(10).to_csv(csv, index=False)
    run_out = tmp_path / "run_out"
    both = ["run", str(csv), "-c", str(config), "-o", str(run_out), "--workers", "2"]
    clash = CliRunner().invoke(main, [*both, "--scheduler", "tcp://127.0.0.1:1"])
    assert clash.exit_code == 2
    assert "give exactly one" in clash.output


# ---------------------------------------------------------------- sites and teams


def _site_config() -> PlanConfig:
    templates = [
        {
            "name": f"day{q}",
            "earliest_start": "08:00",
            "latest_start": "12:00",
            "start_step_minutes": 60,
            "paid_minutes": [240],
            "queue": f"q{q}",
        }
        for q in range(6)
    ]
    return PlanConfig.model_validate(
        {"site": {"time_zone": TZ}, "schedule": {"templates": templates}}
    )


SITES = {f"q{q}": f"site{q % 3}" for q in range(6)}


@pytest.fixture(scope="module")
def site_requirement() -> pd.DataFrame:
    stamps = pd.date_range("2025-03-03 08:00", periods=16, freq="30min", tz=TZ)
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "queue": np.repeat([f"q{q}" for q in range(6)], stamps.size),
            "interval_start": np.tile(stamps, 6),
            "required_agents": rng.integers(0, 5, 6 * stamps.size),
        }
    )


def _own_config(site: str) -> PlanConfig:
    """The configuration of one site: the templates of its queues only."""
    config = _site_config()
    templates = [t for t in config.schedule.templates if SITES[str(t.queue)] == site]
    return config.model_copy(
        update={"schedule": config.schedule.model_copy(update={"templates": templates})}
    )


def _serial_site(requirement: pd.DataFrame, site: str) -> pd.DataFrame:
    from wfm.pipeline import schedule_requirement

    rows = requirement[requirement["queue"].map(SITES) == site]
    return schedule_requirement(rows, _own_config(site)).segments


def test_schedules_by_site_equal_one_serial_call_per_site(site_requirement: pd.DataFrame) -> None:
    from wfm.scale import schedule_by_site

    result = schedule_by_site(site_requirement, _site_config(), sites=SITES)
    assert result.ok, result.failures
    assert list(result.results) == ["site0", "site1", "site2"]
    for site, schedule in result.results.items():
        pd.testing.assert_frame_equal(schedule.segments, _serial_site(site_requirement, site))
    with_column = site_requirement.assign(site=site_requirement["queue"].map(SITES))
    again = schedule_by_site(with_column, _site_config())
    both = again.frame(lambda s: s.segments, "site")
    pd.testing.assert_frame_equal(both, result.frame(lambda s: s.segments, "site"))
    with pytest.raises(InputError, match="no site"):
        schedule_by_site(site_requirement, _site_config(), sites={"q0": "site0"})


def test_a_bad_site_fails_by_name_and_the_others_are_kept(site_requirement: pd.DataFrame) -> None:
    from wfm.scale import schedule_by_site

    broken = site_requirement.copy()
    broken.loc[broken["queue"] == "q4", "required_agents"] = -3  # q4 is at site1
    configs = {"site0": _own_config("site0"), "site1": _own_config("site1")}  # no site2
    result = schedule_by_site(broken, configs, sites=SITES)
    assert [f.key for f in result.failures] == ["site1", "site2"]
    assert "site2" in result.failures[1].message
    pd.testing.assert_frame_equal(
        result.results["site0"].segments, _serial_site(site_requirement, "site0")
    )
    with pytest.raises(InputError, match="site1"):
        result.raise_on_failure()


def _team_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three teams of four agents over one day; events drift from the schedule at random."""
    rng = np.random.default_rng(5)
    day = pd.Timestamp("2025-03-03", tz=TZ)
    segments, events = [], []
    for index in range(12):
        agent, team = f"a{index:02d}", f"team{index % 3}"
        start = day + pd.Timedelta(hours=8 + index % 4)
        for activity, begin, end in (("work", 0, 240), ("lunch", 240, 270), ("work", 270, 480)):
            segments.append(
                (
                    agent,
                    team,
                    activity,
                    start + pd.Timedelta(minutes=begin),
                    start + pd.Timedelta(minutes=end),
                )
            )
        clock = start + pd.Timedelta(minutes=int(rng.integers(-10, 15)))
        for state in ("Available", "On Call", "Available", "Lunch", "Available", "Logged Out"):
            events.append((agent, state, clock))
            clock += pd.Timedelta(minutes=int(rng.integers(20, 120)))
    schedule = pd.DataFrame(segments, columns=["agent", "team", "activity", "start", "end"])
    return schedule, pd.DataFrame(events, columns=["agent", "state", "start"])


def test_adherence_by_team_equals_one_call_on_everything() -> None:
    from wfm.adherence import compute_adherence
    from wfm.scale import adherence_by_team

    schedule, events = _team_inputs()
    whole = compute_adherence(schedule, events, on_bad="flag")
    result = adherence_by_team(schedule, events, on_bad="flag")
    assert result.ok, result.failures
    assert list(result.results) == ["team0", "team1", "team2"]
    for level in ("agent_day", "team"):
        parts = result.frame(lambda r, by=level: r.aggregate(by), "partition")  # type: ignore[misc]
        pd.testing.assert_frame_equal(
            parts.drop(columns="partition")
            .sort_values(list(parts.columns[:1]))
            .reset_index(drop=True),
            whole.aggregate(level).sort_values(list(parts.columns[:1])).reset_index(drop=True),
        )
    # a team with overlapping segments fails by name; events of an unknown agent too
    bad = pd.concat([schedule, schedule[schedule["team"] == "team1"].head(1)], ignore_index=True)
    stray = pd.concat([events, events.head(1).assign(agent="nobody")], ignore_index=True)
    partial = adherence_by_team(bad, stray, on_bad="flag")
    assert [f.key for f in partial.failures] == ["(no team)", "team1"]
    assert "nobody" in partial.failures[0].message
    pd.testing.assert_frame_equal(
        partial.results["team2"].aggregate("agent"), result.results["team2"].aggregate("agent")
    )


def test_sizing_adherence_sites_and_teams_on_the_local_cluster_equal_serial(
    client: Any, site_requirement: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wfm.adherence.batch as batch_module
    from wfm.adherence import compute_adherence
    from wfm.erlang import required_agents
    from wfm.scale import adherence_by_team, schedule_by_site

    rng = np.random.default_rng(3)
    volume = rng.uniform(1, 400, 66_000)  # two tasks: 65,536 intervals and the rest
    aht = rng.uniform(120, 400, volume.size)
    np.testing.assert_array_equal(
        required_agents(volume, aht, executor=client), required_agents(volume, aht)
    )
    schedule, events = _team_inputs()
    serial = compute_adherence(schedule, events)
    monkeypatch.setattr(batch_module, "_PARALLEL_MIN_ROWS", 0)  # split even this small input
    spread = compute_adherence(schedule, events, executor=client)
    pd.testing.assert_frame_equal(spread.aggregate("agent_day"), serial.aggregate("agent_day"))
    pd.testing.assert_frame_equal(spread.exceptions, serial.exceptions)
    sites = schedule_by_site(site_requirement, _site_config(), sites=SITES, executor=client)
    assert sites.ok, sites.failures
    for site, result in sites.results.items():
        pd.testing.assert_frame_equal(result.segments, _serial_site(site_requirement, site))
    teams = adherence_by_team(schedule, events, executor=client)
    local = adherence_by_team(schedule, events)
    assert list(teams.results) == list(local.results)
    for team, result in teams.results.items():
        pd.testing.assert_frame_equal(result.exceptions, local.results[team].exceptions)
        pd.testing.assert_frame_equal(
            result.aggregate("agent_day"), local.results[team].aggregate("agent_day")
        )
