"""The command line and file I/O: exact time zones, named errors, exit codes."""

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from wfm.cli import main
from wfm.core import InputError, make_interval_grid
from wfm.datasets import israel_bank_intervals
from wfm.io import read_frame, write_frame


def test_read_frame_round_trips_offsets_across_dst(tmp_path: Path) -> None:
    starts = make_interval_grid("2024-10-27", "2024-10-28", tz="Europe/London")
    frame = pd.DataFrame({"queue": "q", "interval_start": starts, "volume": 1.0})
    path = write_frame(frame, tmp_path / "f.csv")
    back = read_frame(path, tz="Europe/London", time_columns=["interval_start"])
    assert len(back) == 50
    assert (back["interval_start"] == frame["interval_start"]).all()


def test_naive_file_times_are_site_local(tmp_path: Path) -> None:
    path = tmp_path / "naive.csv"
    path.write_text("queue,interval_start,volume\nq,2024-01-10T08:00:00,3\n")
    back = read_frame(path, tz="America/New_York", time_columns=["interval_start"])
    assert back["interval_start"].iloc[0] == pd.Timestamp("2024-01-10 13:00", tz="UTC")


def test_ambiguous_naive_time_is_refused_with_fix(tmp_path: Path) -> None:
    path = tmp_path / "amb.csv"
    path.write_text("queue,interval_start,volume\nq,2024-10-27T01:30:00,3\n")
    with pytest.raises(InputError, match="UTC offset"):
        read_frame(path, tz="Europe/London", time_columns=["interval_start"])


def test_mixed_offsets_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "queue,interval_start,volume\nq,2024-01-10T08:00:00+00:00,3\nq,2024-01-10T08:30:00,3\n"
    )
    with pytest.raises(InputError, match="mixes timestamps"):
        read_frame(path, tz="UTC", time_columns=["interval_start"])


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(body)
    return path


def test_cli_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    history = tmp_path / "h.csv"
    israel_bank_intervals(30).head(96).to_csv(history, index=False)
    config = _config(
        tmp_path, '[site]\ntime_zone = "Asia/Jerusalem"\n[forecast]\nhorizon_days = -1\n'
    )
    result = CliRunner().invoke(
        main, ["run", str(history), "-c", str(config), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "forecast.horizon_days = -1" in result.output
    assert "Fix:" in result.output


def test_cli_forecast_then_size(tmp_path: Path) -> None:
    history = tmp_path / "h.csv"
    frame = israel_bank_intervals(30)
    frame = frame[frame["interval_start"] < pd.Timestamp("1999-01-25", tz="Asia/Jerusalem")]
    frame[["queue", "interval_start", "volume", "aht_seconds"]].to_csv(history, index=False)
    config = _config(
        tmp_path,
        '[site]\ntime_zone = "Asia/Jerusalem"\n'
        '[forecast]\nhorizon_days = 2\nmodel = "weighted_average"\n'
        "[staffing.default]\ntarget_service_level = 0.8\ntarget_seconds = 20\n",
    )
    runner = CliRunner()
    out = tmp_path / "out"
    first = runner.invoke(
        main, ["forecast", str(history), "-c", str(config), "-o", str(out), "--no-backtest"]
    )
    assert first.exit_code == 0, first.output
    forecast = out / "forecast.csv"
    assert forecast.is_file()
    second = runner.invoke(main, ["size", str(forecast), "-c", str(config), "-o", str(out)])
    assert second.exit_code == 0, second.output
    requirement = read_frame(
        out / "requirement.csv", tz="Asia/Jerusalem", time_columns=["interval_start"]
    )
    assert len(requirement) == 96
    assert requirement["required_agents"].max() > 0
    assert str(requirement["interval_start"].dt.tz) == "Asia/Jerusalem"


def test_cli_example_config_is_valid(tmp_path: Path) -> None:
    from wfm.config import load_config

    result = CliRunner().invoke(main, ["example-config"])
    assert result.exit_code == 0
    path = tmp_path / "example.toml"
    path.write_text(result.output)
    config = load_config(path)
    assert config.site.time_zone == "Asia/Jerusalem"
    assert config.schedule.templates


def test_cli_kpis_on_bundled_records(tmp_path: Path) -> None:
    from wfm.datasets import load_israel_bank_calls

    records = tmp_path / "calls.csv"
    calls = load_israel_bank_calls()
    calls[calls["call_date"].astype(str) == "1999-01-05"].to_csv(records, index=False)
    result = CliRunner().invoke(
        main,
        [
            "kpis",
            str(records),
            "-o",
            str(tmp_path / "k"),
            "--tz",
            "Asia/Jerusalem",
            "--israel-bank-columns",
        ],
    )
    assert result.exit_code == 0, result.output
    kpis = pd.read_csv(tmp_path / "k" / "kpis.csv")
    assert kpis["offered"].sum() > 0
    assert json.dumps(int(kpis["offered"].sum()))
    chosen = CliRunner().invoke(
        main,
        [
            "kpis",
            str(records),
            "-o",
            str(tmp_path / "k2"),
            "--tz",
            "Asia/Jerusalem",
            "--israel-bank-columns",
            "--service-level-definition",
            "answered_of_answered",
        ],
    )
    assert chosen.exit_code == 0, chosen.output
    answered = pd.read_csv(tmp_path / "k2" / "kpis.csv")
    pd.testing.assert_series_equal(
        answered["service_level"],
        answered["service_level_answered_of_answered"],
        check_names=False,
    )
    pd.testing.assert_series_equal(
        kpis["service_level"], kpis["service_level_answered_of_offered"], check_names=False
    )


def test_cli_capacity_plan_from_json(tmp_path: Path) -> None:
    from datetime import date

    from wfm.capacity import (
        CapacityAttritionBand,
        CapacityCohort,
        CapacityCosts,
        CapacityHiringPolicy,
        CapacityPlanInput,
        CapacityQueuePlan,
        CapacityServiceTarget,
        CapacityWeekPattern,
        CapacityWorkforce,
    )

    shares = [0.0] * 336
    for day in range(5):
        for slot in range(18, 34):
            shares[day * 48 + slot] = 1.0 / 80.0
    plan = CapacityPlanInput(
        period="month",
        start_date=date(2027, 1, 1),
        queues=[
            CapacityQueuePlan(
                queue="q",
                volume=[20_000.0] * 6,
                aht_seconds=[300.0] * 6,
                pattern=CapacityWeekPattern(interval_minutes=30, volume_shares=shares),
                service=CapacityServiceTarget(target_service_level=0.8, target_seconds=20),
            )
        ],
        workforce=CapacityWorkforce(
            paid_hours_per_week=40.0,
            cohorts=[CapacityCohort(tenure_weeks=100.0, headcount=20.0)],
            attrition=[CapacityAttritionBand(rate=0.2, basis="annual")],
        ),
        hiring=CapacityHiringPolicy(lead_time_weeks=4.0),
        costs=CapacityCosts(cost_per_paid_hour=20.0, cost_per_hire=1000.0),
    )
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    result = CliRunner().invoke(main, ["capacity", str(path), "-o", str(tmp_path / "cap")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "cap" / "capacity_plan.csv")
    assert len(table) == 6
    assert "total_hires" in result.output
    bad = json.loads(plan.model_dump_json())
    bad["workforce"]["paid_hours_per_weak"] = 40
    path.write_text(json.dumps(bad))
    failed = CliRunner().invoke(main, ["capacity", str(path), "-o", str(tmp_path / "cap")])
    assert failed.exit_code == 2
    assert "workforce.paid_hours_per_weak: unknown key" in failed.output
