"""Onboarding on the command line: init, example-history, history, run, report, errors."""

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from wfm.cli import main
from wfm.config import load_config
from wfm.datasets import israel_bank_intervals, load_israel_bank_calls
from wfm.pipeline import MANIFEST, estimate_patience_seconds

TZ = "Asia/Jerusalem"
# CLI output must never show Python parameter names or call syntax
PYTHON_WORDS = re.compile(r"\w+\(\)|\bkwargs\b|\bself\b|Traceback|patience_estimates")


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_init_writes_erlang_c_without_abandonment_columns(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    code, output = _invoke("init", str(path), "--time-zone", "Europe/Paris")
    assert code == 0, output
    config = load_config(path)
    assert config.site.time_zone == "Europe/Paris"
    assert config.staffing.default.patience_seconds is None  # Erlang C
    assert config.opening_hours.default is not None
    assert set(config.opening_hours.default) == {"mon", "tue", "wed", "thu", "fri"}
    assert all(v == "08:00-20:00" for v in config.opening_hours.default.values())
    assert {t.name for t in config.schedule.templates} == {"full_time", "part_time"}
    assert "# " in path.read_text()
    assert "EDIT" in path.read_text()
    code, output = _invoke("init", str(path))
    assert code == 2
    assert "--force" in output


def test_init_with_abandonment_history_sizes_with_erlang_a(tmp_path: Path) -> None:
    history = tmp_path / "history.csv"
    code, text = _invoke("example-history")
    assert code == 0
    history.write_text(text)
    path = tmp_path / "plan.toml"
    code, output = _invoke("init", str(path), "--history", str(history), "--time-zone", TZ)
    assert code == 0, output
    config = load_config(path)
    expected = estimate_patience_seconds(israel_bank_intervals(30))["anonymous_bank"]
    assert config.staffing.default.patience_seconds == pytest.approx(expected, abs=0.5)
    assert config.staffing.default.service_level_definition == "answered_of_offered"


def test_example_history_is_the_bundled_history(tmp_path: Path) -> None:
    code, text = _invoke("example-history")
    assert code == 0
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns) == [
        "queue",
        "interval_start",
        "volume",
        "aht_seconds",
        "abandoned",
        "wait_seconds",
    ]
    reference = israel_bank_intervals(30)
    assert len(frame) == len(reference)
    assert frame["volume"].sum() == reference["volume"].sum()


def test_run_help_lists_columns_and_time_zone_rules() -> None:
    code, output = _invoke("run", "--help")
    assert code == 0
    for word in ("queue", "interval_start", "volume", "aht_seconds", "abandoned", "wait_seconds"):
        assert word in output
    assert "required" in output
    assert "optional" in output
    assert "UTC offset" in output
    assert "site.time_zone" in output
    assert "--no-report" in output
    assert "--overwrite" in output
    assert "--json" in output


def _acd_export(path: Path) -> None:
    """Bank records under an ACD's own column names (every offered call, local times)."""
    calls = load_israel_bank_calls()
    offered = calls[
        (calls["outcome"] == "AGENT") | ((calls["outcome"] == "HANG") & calls["q_start"].notna())
    ]
    arrival = offered["q_start"].fillna(offered["ser_start"]).fillna(offered["vru_exit"])
    export = pd.DataFrame(
        {
            "entered": arrival.dt.tz_localize(None),
            "picked_up": offered["ser_start"].dt.tz_localize(None),
            "status": offered["outcome"].map({"AGENT": "ANS", "HANG": "ABN"}),
            "queue_s": offered["q_time"],
            "talk_s": offered["ser_time"],
        }
    )
    export.to_csv(path, index=False)


def test_history_from_an_acd_export_equals_the_bundled_intervals(tmp_path: Path) -> None:
    records = tmp_path / "acd.csv"
    _acd_export(records)
    out = tmp_path / "history.csv"
    code, output = _invoke(
        "history", str(records), "-o", str(out), "--tz", TZ,
        "--arrival", "entered", "--answered-at", "picked_up", "--outcome", "status",
        "--answered-value", "ANS", "--abandoned-value", "ABN",
        "--wait-seconds", "queue_s", "--talk-seconds", "talk_s",
        "--queue-name", "anonymous_bank",
        # the dataset's own rule (ContactColumns.israel_bank): its switch logs waits that
        # differ from the timestamps by up to 310 s on 21 calls
        "--timing-tolerance-seconds", "600",
    )  # fmt: skip
    assert code == 0, output
    assert "aht_imputed" in output
    built = pd.read_csv(out)
    built["interval_start"] = pd.to_datetime(built["interval_start"], utc=True)
    reference = israel_bank_intervals(30)
    reference["interval_start"] = reference["interval_start"].dt.tz_convert("UTC")
    both = built.merge(reference, on=["queue", "interval_start"], suffixes=("", "_ref"))
    assert len(both) == len(reference) == len(built)
    # the dataset's own builder (a different code path) gives the same figures
    for column in ("volume", "abandoned", "wait_seconds", "aht_seconds"):
        pd.testing.assert_series_equal(
            both[column], both[f"{column}_ref"], check_names=False, check_dtype=False
        )
    assert (both["aht_imputed"] == both["aht_imputed_ref"]).all()


def test_history_names_missing_columns_and_the_options_to_map_them(tmp_path: Path) -> None:
    records = tmp_path / "acd.csv"
    _acd_export(records)
    code, output = _invoke("history", str(records), "-o", str(tmp_path / "h.csv"), "--tz", TZ)
    assert code == 2
    assert "'arrival'" in output
    assert "--arrival" in output
    assert not PYTHON_WORDS.search(output)


def test_size_with_estimated_patience_names_the_fix_not_an_api(tmp_path: Path) -> None:
    forecast = tmp_path / "forecast.csv"
    israel_bank_intervals(30).head(48)[["queue", "interval_start", "volume", "aht_seconds"]].to_csv(
        forecast, index=False
    )
    config = tmp_path / "plan.toml"
    config.write_text(
        f'[site]\ntime_zone = "{TZ}"\n[staffing.default]\npatience_seconds = "estimate"\n'
        'service_level_definition = "answered_of_offered"\n'
    )
    code, output = _invoke("size", str(forecast), "-c", str(config), "-o", str(tmp_path / "o"))
    assert code == 2
    assert "wfm run" in output
    assert "[staffing.default]" in output
    assert not PYTHON_WORDS.search(output)


def _small_plan(tmp_path: Path) -> tuple[Path, Path]:
    history = tmp_path / "history.csv"
    frame = israel_bank_intervals(30)
    frame = frame[frame["interval_start"] < pd.Timestamp("1999-01-18", tz=TZ)]
    frame.to_csv(history, index=False)
    config = tmp_path / "plan.toml"
    code, output = _invoke("init", str(config), "--history", str(history), "--time-zone", TZ)
    assert code == 0, output
    text = config.read_text()
    text = text.replace("horizon_days = 7", "horizon_days = 2")
    text = text.replace('model = "auto"', 'model = "weighted_average"')
    text = text.replace("time_limit_seconds = 60", "time_limit_seconds = 8")
    config.write_text(text)
    return history, config


def test_run_writes_report_prints_summary_and_rebuilds(tmp_path: Path) -> None:
    history, config = _small_plan(tmp_path)
    out = tmp_path / "out"
    code, output = _invoke("run", str(history), "-c", str(config), "-o", str(out), "--no-backtest")
    assert code == 0, output
    assert (out / "report.html").is_file()
    assert "report.html" in json.loads((out / MANIFEST).read_text())["files"]
    assert "Agent-hours required on the phones (before shrinkage)" in output
    assert "Paid hours of the schedule" in output
    assert "Timestamp(" not in output
    first = (out / "report.html").read_text()
    (out / "report.html").unlink()
    code, output = _invoke("report", str(out))
    assert code == 0, output
    rebuilt = (out / "report.html").read_text()
    headings = re.findall(r"<h2>(.*?)</h2>", first)
    assert headings == re.findall(r"<h2>(.*?)</h2>", rebuilt)
    assert "Summary" in headings
    assert "Projected service level per interval" in headings
    # --json prints the summary for machines; --no-report writes none
    again = tmp_path / "again"
    code, output = _invoke(
        "run", str(history), "-c", str(config), "-o", str(again), "--no-backtest",
        "--no-report", "--json",
    )  # fmt: skip
    assert code == 0, output
    summary = json.loads(output[output.index("{") : output.rindex("}") + 1])
    assert summary["schedule"]["paid_hours"] > 0
    assert not (again / "report.html").exists()


def test_run_refuses_a_foreign_folder_before_any_work(tmp_path: Path) -> None:
    history, config = _small_plan(tmp_path)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "forecast.csv").write_text("my own forecast\n")
    code, output = _invoke("run", str(history), "-c", str(config), "-o", str(out))
    assert code == 2
    assert "--overwrite" in output
    assert "forecast ..." not in output  # refused before the first stage
    assert (out / "forecast.csv").read_text() == "my own forecast\n"


def test_run_errors_name_csv_lines(tmp_path: Path) -> None:
    history = tmp_path / "h.csv"
    history.write_text(
        "queue,interval_start,volume,aht_seconds\n"
        "q,2024-01-10T08:00:00,3,100\n"
        "q,2024-01-10T08:30:00,-2,100\n"
    )
    config = tmp_path / "plan.toml"
    config.write_text('[site]\ntime_zone = "Europe/London"\n')
    code, output = _invoke("run", str(history), "-c", str(config), "-o", str(tmp_path / "o"))
    assert code == 2
    assert "row 3" in output  # line 3 of the file (the header is line 1)
    assert not PYTHON_WORDS.search(output)


def test_history_errors_speak_in_options(tmp_path: Path) -> None:
    records = tmp_path / "acd.csv"
    records.write_text(
        "queue_entry,answered,result,wait,talk\n"
        "2024-01-10T08:00:00,,ABANDONED,30,0\n"
        "2024-01-10T08:10:00,2024-01-10T08:10:20,ANSWERED,20,100\n"
        "2024-01-10T08:20:00,,TRANSFER,5,0\n"
    )
    code, output = _invoke(
        "history", str(records), "-o", str(tmp_path / "h.csv"), "--tz", "UTC",
        "--arrival", "queue_entry", "--answered-at", "answered", "--outcome", "result",
        "--answered-value", "ANSWERED", "--abandoned-value", "ABANDONED",
        "--wait-seconds", "wait", "--talk-seconds", "talk",
    )  # fmt: skip
    assert code == 2
    assert "TRANSFER" in output
    assert "--ignored-value" in output
    assert "ContactColumns" not in output


def test_run_without_a_history_file_says_how_to_get_one(tmp_path: Path) -> None:
    config = tmp_path / "plan.toml"
    config.write_text('[site]\ntime_zone = "UTC"\n')
    code, output = _invoke("run", "history.csv", "-c", str(config), "-o", str(tmp_path / "o"))
    assert code == 2
    assert "wfm example-history" in output
    assert "wfm history" in output


def test_stage_schedule_writes_the_same_service_level_as_run(tmp_path: Path) -> None:
    history, config = _small_plan(tmp_path)
    out = tmp_path / "out"
    code, output = _invoke(
        "run", str(history), "-c", str(config), "-o", str(out), "--no-backtest", "--no-report"
    )
    assert code == 0, output
    stage = tmp_path / "stage"
    code, output = _invoke(
        "schedule", str(out / "requirement.csv"), "-c", str(config), "-o", str(stage)
    )
    assert code == 0, output
    coverage = pd.read_csv(stage / "coverage.csv")
    projected = pd.read_csv(out / "projected_service.csv")
    both = coverage.merge(projected, on=["queue", "interval_start"], suffixes=("", "_run"))
    assert len(both) == len(projected)
    # the stage recomputes the projection from its own schedule with the run's model
    recomputed = both["scheduled_agents"] == both["scheduled_agents_run"]
    assert recomputed.mean() > 0.5  # same solver, same input: mostly the same schedule
    same = both[recomputed]
    pd.testing.assert_series_equal(
        same["service_level"], same["projected_service_level"], check_names=False
    )


def test_history_names_impossible_records_in_options_and_can_flag_them(tmp_path: Path) -> None:
    records = tmp_path / "acd.csv"
    _acd_export(records)
    out = tmp_path / "history.csv"
    mapping = (
        "--tz", TZ, "--arrival", "entered", "--answered-at", "picked_up", "--outcome", "status",
        "--answered-value", "ANS", "--abandoned-value", "ABN",
        "--wait-seconds", "queue_s", "--talk-seconds", "talk_s",
    )  # fmt: skip
    code, output = _invoke("history", str(records), "-o", str(out), *mapping)
    assert code == 2
    assert "21 impossible contact record(s)" in output
    assert "--on-bad flag" in output
    assert "on_bad" not in output  # no Python argument names on the command line
    assert not out.exists()
    code, output = _invoke("history", str(records), "-o", str(out), *mapping, "--on-bad", "flag")
    assert code == 0, output
    flagged = pd.read_csv(tmp_path / "history_flagged_records.csv")
    assert len(flagged) == 21
    assert "21 contact records were refused" in output
