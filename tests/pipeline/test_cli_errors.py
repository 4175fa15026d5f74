"""Every bad input on the command line is one line on stderr and exit status 2."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from wfm.cli import main

CONFIG = '[site]\ntime_zone = "UTC"\n[forecast]\nhorizon_days = 1\n'


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.output


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(CONFIG)
    return path


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\xfd" * 20, "not a readable UTF-8 CSV"),
        (b"queue,queue,interval_start\nq,q,2024-01-01\n", "duplicate column names"),
        (b"queue,interval_start,volume\nq,not a time,3\n", "row 2 ('not a time')"),
    ],
    ids=["empty", "binary", "duplicate-columns", "bad-time"],
)
def test_bad_history_files_exit_2_with_one_line(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    history = tmp_path / "history.csv"
    history.write_bytes(content)
    code, output = _run(
        ["forecast", str(history), "-c", str(_config(tmp_path)), "-o", str(tmp_path / "o")]
    )
    assert code == 2
    line = _one_error_line(output)
    assert expected in line
    assert "Fix:" in line


def test_row_numbers_are_translated_to_csv_lines(tmp_path: Path) -> None:
    history = tmp_path / "history.csv"
    history.write_text("queue,interval_start,volume\nq,2024-01-01 00:00,3\nq,not a time,3\n")
    code, output = _run(
        ["forecast", str(history), "-c", str(_config(tmp_path)), "-o", str(tmp_path / "o")]
    )
    assert code == 2
    # the CLI labels rows by their CSV line (the header is line 1): 'not a time' is on line 3
    assert "row 3 ('not a time')" in _one_error_line(output)


def test_bad_json_plan_exits_2(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text("{not json")
    code, output = _run(["capacity", str(plan), "-o", str(tmp_path / "o")])
    assert code == 2
    assert "invalid JSON" in _one_error_line(output)


def test_unknown_time_zone_on_the_command_line_exits_2(tmp_path: Path) -> None:
    records = tmp_path / "calls.csv"
    records.write_text("arrival,answered_at\n2024-01-01 09:00,2024-01-01 09:01\n")
    code, output = _run(["kpis", str(records), "--tz", "Mars/Olympus", "-o", str(tmp_path)])
    assert code == 2
    assert "Mars/Olympus" in _one_error_line(output)


def test_schedule_on_a_file_without_required_agents_names_the_column(tmp_path: Path) -> None:
    requirement = tmp_path / "requirement.csv"
    requirement.write_text("queue,interval_start,volume\nq,2024-01-01 09:00,3\n")
    config = tmp_path / "plan.toml"
    config.write_text(
        CONFIG + '[[schedule.templates]]\nname = "day"\nearliest_start = "09:00:00"\n'
        'latest_start = "09:00:00"\npaid_minutes = [480]\n'
    )
    code, output = _run(["schedule", str(requirement), "-c", str(config), "-o", str(tmp_path)])
    assert code == 2, output
    line = _one_error_line(output)
    assert "required_agents" in line
