"""docs/howto-acd.md runs: its commands, in order, on an ACD export of the bundled records."""

import json
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from wfm.cli import main
from wfm.datasets import load_israel_bank_calls

HOWTO = Path(__file__).resolve().parents[2] / "docs" / "howto-acd.md"


def _commands() -> list[list[str]]:
    text = HOWTO.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    lines = [line.strip() for block in blocks for line in block.splitlines() if line.strip()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("wfm ")]


def _export(path: Path) -> None:
    """The export the page describes: queue_entry, answered, result, wait, talk."""
    calls = load_israel_bank_calls()
    offered = calls[
        (calls["outcome"] == "AGENT") | ((calls["outcome"] == "HANG") & calls["q_start"].notna())
    ]
    entered = offered["q_start"].fillna(offered["ser_start"])
    pd.DataFrame(
        {
            "queue_entry": entered.dt.tz_localize(None),
            "answered": offered["ser_start"].dt.tz_localize(None),
            "result": offered["outcome"].map({"AGENT": "ANSWERED", "HANG": "ABANDONED"}),
            "wait": offered["q_time"],
            "talk": offered["ser_time"],
        }
    ).dropna(subset=["queue_entry"]).to_csv(path, index=False)


def test_howto_commands_run_from_export_to_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = _commands()
    assert [c[0] for c in commands] == ["history", "init", "run", "report"]
    monkeypatch.chdir(tmp_path)
    _export(tmp_path / "acd_export.csv")
    runner = CliRunner()
    for command in commands:
        result = runner.invoke(main, command)
        assert result.exit_code == 0, f"wfm {' '.join(command)}\n{result.output}"
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    # the page says the generic Monday-Friday 08:00-20:00 hours leave calls outside
    assert summary["demand_outside_opening_hours"]["contacts"] > 0
    assert summary["patience_seconds"]  # Erlang A: the export has abandonments
    report = (tmp_path / "out" / "report.html").read_text()
    for heading in ("Summary", "Forecast", "Requirement vs scheduled agents", "Hours per agent"):
        assert f"<h2>{heading}</h2>" in report
    assert "Demand not planned for, per day" in report
