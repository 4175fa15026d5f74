"""Benchmark: holidays learned over several years, with a fixed and an estimated shrinkage ``k``.

Usage::

    python benchmarks/bench_holiday_years.py [--full]   # two scenarios, every special day
    python benchmarks/bench_holiday_years.py --quick    # distinct holidays, holidays only

A synthetic Monday-Friday centre (30-minute Poisson counts, US public holidays of
2020-2022 from the ``holidays`` package, America/New_York) in which every holiday has its
own ratio to an ordinary day, each year's ratio off by a normal error of s.d. 0.03 (the
truth is drawn with a fixed seed, not tuned). Black Friday (the bridge day after Thanksgiving) is at
60% and the first working day after a holiday at 130%. Every special day of 2022 is
forecast from the history before it with ``weighted_average_8w`` and
``EventCalendar.for_country("US")``, once with ``k = 2`` fixed and once with ``k``
estimated from the repeated holidays (Buhlmann credibility, the default). Scenario
"alike": every holiday at the same 50%, where the estimate should pool instead.

Printed: per day the true expected total, both forecasts and the ``k`` used; the mean
absolute percentage error of each setting. Exit 1 only on wrong results: a NaN forecast, or
the estimated ``k`` doing worse than the fixed one on the distinct-holidays scenario.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import warnings

import numpy as np
import pandas as pd

from wfm.forecast import EventCalendar, SpecialDays, forecast_intervals
from wfm.forecast.special_days import holiday_name

TZ = "America/New_York"
START, END = dt.date(2020, 1, 6), dt.date(2022, 12, 30)
WEEK = np.array([1.2, 1.0, 1.0, 1.0, 0.9, 0.0, 0.0])  # Monday = 0
DISTINCT_BY_2022_DATE = {
    dt.date(2022, 11, 24): 0.1,  # Thanksgiving
    dt.date(2022, 12, 26): 0.0,  # Christmas Day (observed)
    dt.date(2022, 1, 1): 0.2,  # New Year's Day
    dt.date(2022, 7, 4): 0.3,  # Independence Day
    dt.date(2022, 5, 30): 0.4,  # Memorial Day
    dt.date(2022, 9, 5): 0.4,  # Labor Day
    dt.date(2022, 1, 17): 0.8,  # Martin Luther King Jr. Day
    dt.date(2022, 2, 21): 0.8,  # Washington's Birthday
    dt.date(2022, 11, 11): 0.9,  # Veterans Day
    dt.date(2022, 10, 10): 0.9,  # Columbus Day
    dt.date(2022, 6, 20): 0.9,  # Juneteenth (observed)
}
"""Each holiday's ratio, keyed by a 2022 date so the names are the holidays package's own."""


def distinct_ratios() -> dict[str, float]:
    """Holiday name (as the installed holidays package spells it) -> ratio."""
    table = SpecialDays(country="US").holiday_table(dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    return {table[day]: ratio for day, ratio in DISTINCT_BY_2022_DATE.items()}


def profile(slots: int = 48) -> np.ndarray:
    """Open 08:00-20:00, one broad midday peak; shares summing to 1."""
    hours = (np.arange(slots) + 0.5) / 2
    shape = np.where((hours > 8) & (hours < 20), np.exp(-((hours - 12.5) ** 2) / 12), 0.0)
    return shape / shape.sum()


def synthetic_centre(ratios: dict[str, float], seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Interval history and the per-day truth (date, what, expected total)."""
    import holidays

    rng = np.random.default_rng(seed)
    dates = pd.date_range(START, END, freq="D")
    table = holidays.country_holidays("US", years=range(START.year, END.year + 1))
    multiplier = np.ones(len(dates))
    what = [""] * len(dates)
    names = {d: holiday_name(str(n)) for d, n in table.items()}
    year_noise = {
        (n, y): rng.normal(0.0, 0.03) for n in sorted(set(names.values())) for y in (0, 1, 2)
    }
    for row, day in enumerate(dates.date):
        name = names.get(day)
        if name is not None:
            base = ratios.get(name, 0.5)
            multiplier[row] = max(
                base + (year_noise[(name, day.year - START.year)] if base else 0), 0
            )
            what[row] = name
    for row, day in enumerate(dates.date):
        before = names.get(day - dt.timedelta(days=1))
        if what[row] or WEEK[day.weekday()] == 0 or before is None:
            continue
        black_friday = day.month == 11 and day.weekday() == 4 and 23 <= day.day <= 29
        multiplier[row] = 0.6 if black_friday else 1.3
        what[row] = "Black Friday" if black_friday else f"after {before}"
    expected = 3000.0 * WEEK[dates.day_of_week] * multiplier
    means = expected[:, None] * profile()
    grid = pd.date_range(
        pd.Timestamp(START, tz=TZ),
        pd.Timestamp(END + dt.timedelta(days=1), tz=TZ),
        freq="30min",
        inclusive="left",
    )
    local = grid.tz_localize(None)
    day_index = (local.normalize() - pd.Timestamp(START)).days.to_numpy()
    slot = (local.hour * 2 + local.minute // 30).to_numpy()
    history = pd.DataFrame(
        {
            "queue": "q",
            "interval_start": grid,
            "volume": rng.poisson(means[day_index, slot]).astype(float),
        }
    )
    truth = pd.DataFrame({"date": dates.date, "what": what, "expected": expected})
    return history, truth


def run(scenario: str, ratios: dict[str, float], holidays_only: bool) -> dict[str, float]:
    """Forecast every 2022 special day with k fixed and estimated; print and return MAPE."""
    history, truth = synthetic_centre(ratios, seed=11)
    local_dates = history["interval_start"].dt.tz_convert(TZ).dt.date
    chosen = truth[(truth["what"] != "") & (pd.to_datetime(truth["date"]).dt.year == 2022)]
    chosen = chosen[chosen["expected"] > 0]
    if holidays_only:
        chosen = chosen[~chosen["what"].str.startswith("after")]
    rows = []
    started = time.perf_counter()
    for _, day in chosen.iterrows():
        before = history[local_dates < day["date"]]
        row = {"date": day["date"], "what": day["what"], "expected": day["expected"]}
        for label, estimate in (("k=2", False), ("estimated", True)):
            calendar = EventCalendar.for_country("US", estimate_shrinkage=estimate)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = forecast_intervals(
                    before,
                    model="weighted_average_8w",
                    horizon_days=1,
                    start=day["date"],
                    calendar=calendar,
                )
            row[label] = float(result.frame["volume"].sum())
            special = result.report.special_days
            row[f"k ({label})"] = float(special["shrinkage"].iloc[0]) if len(special) else np.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    elapsed = time.perf_counter() - started
    print(f"\n== scenario {scenario!r}: {len(table)} special days of 2022 ({elapsed:.0f} s)")
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table.round(3).to_string(index=False))
    out = {}
    for label in ("k=2", "estimated"):
        error = (table[label] - table["expected"]).abs() / table["expected"]
        out[label] = float(error.mean())
        print(f"  mean absolute % error, {label}: {out[label]:.1%}")
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 1 only on wrong results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="distinct scenario, holidays only")
    size.add_argument("--full", action="store_true", help="both scenarios (the default)")
    args = parser.parse_args(argv)
    problems = []
    distinct = run("distinct holidays", distinct_ratios(), holidays_only=args.quick)
    if not all(np.isfinite(v) for v in distinct.values()):
        problems.append("NaN forecast")
    if distinct["estimated"] > distinct["k=2"]:
        problems.append("the estimated k did worse than k = 2 on distinct holidays")
    if not args.quick:
        alike = run("alike (every holiday 50%)", {}, holidays_only=False)
        if not all(np.isfinite(v) for v in alike.values()):
            problems.append("NaN forecast")
    if problems:
        print("WRONG RESULTS:", *problems, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
