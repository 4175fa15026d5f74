"""Forecast the bundled Israeli bank data's last week from the weeks before it.

Runs in a few seconds, needs no network and writes only a snapshot into the current
directory. Prints the model chosen by the backtest, the accuracy of the forecast against
what really happened, and daily totals.
"""

from __future__ import annotations

import warnings

import pandas as pd

import wfm.datasets
from wfm.forecast import (
    MissingIntervalsWarning,
    aggregate_forecast,
    backtest,
    forecast_accuracy,
    forecast_intervals,
    save_forecast_snapshot,
    score_forecast_snapshot,
)


def main() -> None:
    """Fit on 1999-01-01..01-24, forecast 01-25..01-31, score against the actuals."""
    columns = ["queue", "interval_start", "volume", "aht_seconds"]
    history = wfm.datasets.israel_bank_intervals(30)[columns]
    cut = pd.Timestamp("1999-01-25", tz=wfm.datasets.ISRAEL_BANK_TZ)
    train = history[history["interval_start"] < cut]
    actual = history[history["interval_start"] >= cut]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MissingIntervalsWarning)
        comparison = backtest(
            train, models=["seasonal_naive", "weighted_average", "holt_winters"], origins=2
        )
        result = forecast_intervals(
            train,
            model="auto",
            horizon_days=7,
            candidates=("seasonal_naive", "weighted_average", "holt_winters"),
            backtest_origins=2,
        )
    print(f"{len(caught)} warning(s) about missing history; report:")
    print(" ", result.report.summary())
    print("\nbacktest on the training weeks (2 origins):")
    print(comparison.summary())

    frame = result.to_frame()
    print("\nfirst open intervals of the forecast:")
    numeric = frame.select_dtypes("number").columns
    shown = frame[frame["volume"] > 0].head(6)
    print(shown.round(dict.fromkeys(numeric, 1)).to_string(index=False))

    path = save_forecast_snapshot(result, "israel_forecast.parquet", metadata={"example": True})
    scores = score_forecast_snapshot(path, actual)
    daily = forecast_accuracy(frame, actual, resolution="day")
    print("\naccuracy of the saved forecast against the real last week (fractions):")
    metrics = ["wape", "bias", "mape", "n_zero_actual", "smape", "rmse"]
    metrics += ["coverage_80", "coverage_95"]
    print("  interval level:", scores[metrics].round(3).to_dict("records")[0])
    print("  daily totals:  ", daily[["wape", "bias"]].round(3).to_dict("records")[0])

    totals = aggregate_forecast(result, period="day").merge(
        actual.assign(period_start=actual["interval_start"].dt.tz_localize(None).dt.normalize())
        .groupby("period_start", as_index=False)["volume"]
        .sum()
        .rename(columns={"volume": "actual"}),
        on="period_start",
    )
    print("\ndaily totals (forecast vs actual):")
    shown_totals = totals[["period_start", "volume", "actual", "aht_seconds"]]
    print(shown_totals.round({"volume": 1, "aht_seconds": 1}).to_string(index=False))


if __name__ == "__main__":
    main()
