"""End to end: history -> forecast -> requirement -> schedule -> projected service.

Runs the planning pipeline on the bundled Israeli bank centre (Technion SEE Lab data) for a
two-day horizon with a short solver time limit, then prints the headline figures and the
first rows of each output table. ``wfm demo`` runs the full week and writes a report.
"""

import warnings

import pandas as pd

import wfm
from wfm.config import PlanConfig
from wfm.demo import demo_config
from wfm.pipeline import plan


def main() -> None:
    history = wfm.datasets.israel_bank_intervals(30)
    history = history[history["interval_start"] < pd.Timestamp("1999-01-25", tz="Asia/Jerusalem")]

    settings = demo_config().model_dump(mode="json")
    settings["forecast"]["horizon_days"] = 2
    settings["schedule"]["solver"]["time_limit_seconds"] = 10
    config = PlanConfig.model_validate(settings)

    with warnings.catch_warnings():
        # the history lacks two days (11-12 January); the forecaster reports and imputes them
        warnings.simplefilter("ignore", wfm.forecast.MissingIntervalsWarning)
        result = plan(history, config, run_backtest=False, progress=print)

    print(result.summary())  # aligned text: metric, value, unit; sections as dotted names
    print(
        result.requirement[["interval_start", "volume", "aht_seconds", "required_agents"]].iloc[
            16:22
        ]
    )
    assert result.projection is not None
    print(
        result.projection[["interval_start", "scheduled_agents", "projected_service_level"]].iloc[
            16:22
        ]
    )


if __name__ == "__main__":
    main()
