"""Peak tests: a schedule with breaks, the forecast, and a +20 % surge for two hours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.core import InputError, make_interval_grid
from wfm.simulation import SimulationQueue, peak_test


def _plan() -> tuple[pd.DataFrame, pd.DataFrame]:
    starts = make_interval_grid("2024-03-11 08:00", "2024-03-11 16:00", tz="Europe/Madrid")
    forecast = pd.DataFrame(
        {"queue": "sales", "interval_start": starts, "volume": 100.0, "aht_seconds": 300.0}
    )
    day = pd.Timestamp("2024-03-11 08:00", tz="Europe/Madrid")
    rows = []
    for agent in range(24):
        # two agents take a 30-minute break in each half hour from 09:00 to 14:00
        break_start = day + pd.Timedelta(minutes=60 + 30 * (agent // 2))
        break_end = break_start + pd.Timedelta(minutes=30)
        rows += [
            (f"a{agent}", "work", day, break_start),
            (f"a{agent}", "break", break_start, break_end),
            (f"a{agent}", "work", break_end, day + pd.Timedelta(hours=8)),
        ]
    schedule = pd.DataFrame(rows, columns=["agent", "activity", "start", "end"])
    return forecast, schedule


def test_surge_of_twenty_percent_for_two_hours_breaks_service_level_there() -> None:
    forecast, schedule = _plan()
    result = peak_test(
        forecast,
        schedule=schedule,
        surge_factor=1.2,
        surge_start="2024-03-11 12:00",
        surge_end="2024-03-11 14:00",
        target_service_level=0.8,
        target_seconds=20,
        replications=8,
        seed=21,
    )
    frame = result.to_frame().set_index("interval_start")
    hours = frame.index.hour
    surge = (hours >= 12) & (hours < 14)
    assert (frame.loc[surge, "tested_volume"] == 120.0).all()
    assert (frame.loc[~surge, "tested_volume"] == 100.0).all()
    # 20 Erlangs offered to 22 agents on duty (Erlang C: 50 % in 20 s in steady state);
    # the first surge interval starts from an uncongested queue, the later ones fail badly
    settled = surge & ~((hours == 12) & (frame.index.minute == 0))
    assert frame.loc[settled, "fails"].all()
    assert (frame.loc[settled, "shortfall"] > 0.05).all()
    assert frame.loc[surge, "shortfall"].max() > 0.15
    assert (frame.loc[settled, "probability_below_target"] >= 0.5).all()
    # Erlang C for 16.7 Erlangs on 22 agents: 89 % in 20 s
    # the same plan holds the target there without the surge, and before the surge
    assert (frame.loc[surge, "baseline_service_level"] >= 0.8).all()
    before = (hours >= 9) & (hours < 12)
    assert not frame.loc[before, "fails"].any()
    failing = result.failing()
    assert failing["shortfall"].is_monotonic_decreasing
    assert set(failing["interval_start"].dt.hour) >= {12, 13}
    summary = result.summary().breakdown
    assert summary.loc[0, "failing_intervals"] >= 4
    assert summary.loc[0, "worst_shortfall"] == pytest.approx(failing["shortfall"].max())


def test_peak_test_with_staffing_and_abandonment() -> None:
    forecast, _ = _plan()
    staffing = forecast[["queue", "interval_start"]].assign(agents=19)
    result = peak_test(
        forecast,
        staffing=staffing,
        queues=[SimulationQueue("sales", patience_seconds=150.0)],
        surge_factor=1.3,
        replications=4,
        seed=2,
    )
    frame = result.to_frame()
    assert np.allclose(frame["tested_volume"], 130.0)
    assert np.all(frame["service_level"] <= frame["baseline_service_level"] + 0.05)


def test_peak_test_bad_input_names_the_field() -> None:
    forecast, schedule = _plan()
    with pytest.raises(InputError, match="surge_factor"):
        peak_test(forecast, schedule=schedule, surge_factor=-1.0)
    with pytest.raises(InputError, match="surge"):
        peak_test(forecast, schedule=schedule, surge_start="2030-01-01", surge_end="2030-01-02")
    with pytest.raises(InputError, match="surge_queues"):
        peak_test(forecast, schedule=schedule, surge_queues=["nope"])
