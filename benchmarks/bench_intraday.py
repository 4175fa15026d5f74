"""Benchmark: the guarded intraday update on held-out days, normal and with outage mornings.

For the last N days of each series (the prior and the factor range are learned on the
days before them), the day-ahead forecast is updated at each cutoff from the morning's
actuals, as they were and with an injected outage (the first 3 open hours at 30 % of
their calls). Prints the remaining-day WAPE of no update, the unguarded ``bayes`` update,
and the guarded ones (``outside="clip"`` and ``"keep"``), and the learned range.

``--quick`` (default): US bank, 20 days, 10:00. ``--full``: US bank and Israeli bank,
40 days, 10:00, 12:00 and 14:00.

Exits 1 only when a result is wrong: a guarded update worse than no update by more than
the stated margin ``max(1 - low, high - 1) x remaining forecast`` on some day, or the
"keep" action not equal to no update on an alerted day.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from bench_forecast import load_israel_bank, load_us_bank

from wfm.forecast import backtest_intraday_guard


def _wape(table: pd.DataFrame) -> pd.DataFrame:
    sums = table.groupby(["scenario", "method"])[["abs_error", "actual"]].sum()
    return (sums["abs_error"] / sums["actual"]).unstack()[["original", "bayes", "clipped", "kept"]]


def _check(table: pd.DataFrame) -> list[str]:
    low, high = table.attrs["factor_range"]
    wide = table.pivot_table(index=["day", "scenario"], columns="method", values="abs_error")
    forecast = table[table["method"] == "original"].set_index(["day", "scenario"])["forecast"]
    margin = max(1 - low, high - 1) * forecast
    problems = []
    for method in ("clipped", "kept"):
        if not (wide[method] <= wide["original"] + margin + 1e-9).all():
            problems.append(f"{method} beyond the stated margin")
    alerted = table[(table["method"] == "kept") & table["alert"]].set_index(["day", "scenario"])
    if not np.allclose(wide.loc[alerted.index, "kept"], wide.loc[alerted.index, "original"]):
        problems.append("keep changed the plan on an alerted day")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    series = {"US bank": load_us_bank()}
    days, cutoffs = 20, ("10:00",)
    if args.full:
        series["Israeli bank"] = load_israel_bank()
        days, cutoffs = 40, ("10:00", "12:00", "14:00")
    problems: list[str] = []
    for name, history in series.items():
        for cutoff in cutoffs:
            began = time.perf_counter()
            table = backtest_intraday_guard(history, days=days, cutoff=cutoff)
            seconds = time.perf_counter() - began
            low, high = table.attrs["factor_range"]
            kept = table[(table["method"] == "kept")]
            alerts = kept.groupby("scenario")["alert"].sum()
            print(
                f"{name}, {days} held-out days, update at {cutoff} ({seconds:.1f} s): "
                f"factor range [{low:.3f}, {high:.3f}], alerts normal "
                f"{alerts.get('normal', 0)}/{days}, outage {alerts.get('outage', 0)}/{days}"
            )
            print(_wape(table).round(4).to_string())
            problems += [f"{name} {cutoff}: {p}" for p in _check(table)]
    print("results: " + (f"WRONG {problems}" if problems else "all checks passed"))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
