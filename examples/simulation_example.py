"""Simulate a day, peak-test it, and size chat, email, Erlang X and a multi-skill team.

Run: python examples/simulation_example.py  (about 10 seconds; writes nothing)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.core import make_interval_grid
from wfm.erlang import chat_required_agents, email_staffing, erlang_x, required_agents
from wfm.simulation import (
    LognormalTime,
    SimulationQueue,
    peak_test,
    pooling_comparison,
    simulate_centre,
    staff_time_varying,
)


def main() -> None:
    # a forecast for one queue, 08:00-18:00, with a mid-day peak
    starts = make_interval_grid("2024-06-03 08:00", "2024-06-03 18:00", tz="Europe/London")
    hours = np.arange(len(starts)) / 2
    volume = np.round(80 + 40 * np.sin(np.pi * hours / 10))
    forecast = pd.DataFrame(
        {"queue": "sales", "interval_start": starts, "volume": volume, "aht_seconds": 280.0}
    )

    # 1. staff it with the modified-offered-load method and simulate the plan
    plan = staff_time_varying(forecast, method="modified_offered_load")
    staffing = plan[["queue", "interval_start", "required_agents"]]
    queue = SimulationQueue(
        "sales",
        handle_time=LognormalTime(cv=0.9),
        patience_seconds=200.0,
        retrial_probability=0.3,
        retrial_delay_seconds=300.0,
    )
    result = simulate_centre(forecast, staffing=staffing, queues=[queue], replications=10, seed=7)
    print("simulated day (mean over 10 replications, 95% CI):")
    print(result.summary().breakdown.round(3).to_string(index=False))
    daily = result.daily_service_level()["service_level"]
    print(
        f"daily service level across replications: min {daily.min():.3f}, max {daily.max():.3f}\n"
    )

    # 2. peak test: +20 % between 12:00 and 14:00
    peak = peak_test(
        forecast,
        staffing=staffing,
        queues=[queue],
        surge_factor=1.2,
        surge_start="2024-06-03 12:00",
        surge_end="2024-06-03 14:00",
        replications=10,
        seed=7,
    )
    print("intervals missing 80/20 under the surge:")
    columns = [
        "interval_start",
        "tested_volume",
        "service_level",
        "shortfall",
        "probability_below_target",
    ]
    failing = peak.failing()[columns]
    print(failing.round({c: 3 for c in columns[1:]}).to_string(index=False), "\n")

    # 3. Erlang X: 20 lines, half of the lost callers redial
    x = erlang_x(110, 300, 18, patience_seconds=180, lines=20, redial_probability=0.5)
    print("Erlang X:", x.to_frame().round(3).to_dict("records")[0], "\n")

    # 4. chat with up to 3 sessions per agent
    chat = chat_required_agents(forecast, [300.0, 380.0, 470.0], target_seconds=60)
    print("chat agents (concurrency 3) vs voice agents, first intervals:")
    voice = required_agents(forecast["volume"], 280.0)
    print(pd.DataFrame({"chat": chat["required_agents"], "voice": voice}).head().T, "\n")

    # 5. email with a deadline of 4 business hours (open 08:00-18:00 Monday to Friday)
    mail = email_staffing(
        forecast.assign(queue="email", aht_seconds=420.0),
        deadline_hours=4,
        business_hours=("08:00", "18:00"),
    )
    print("email plan summary:")
    print(mail.summary().breakdown.round(2).to_string(index=False), "\n")

    # 6. pooling two 10-Erlang queues
    two = pd.DataFrame(
        {
            "queue": ["a", "b", "a", "b"],
            "interval_start": np.repeat(starts[:2], 2),
            "volume": 60.0,
            "aht_seconds": 300.0,
        }
    )
    print("pooling two 10-Erlang queues:")
    print(pooling_comparison(two).to_string(index=False))


if __name__ == "__main__":
    main()
