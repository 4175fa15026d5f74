"""Schedule adherence, exceptions and interval KPIs with wfm.adherence.

1. A small synthetic schedule and ACD state log for three agents: adherence per agent
   under the Genesys and Calabrio definitions, the exceptions, and excusing one.
2. The real-time tracker on the same log: who is out of adherence at 10:05.
3. Contact KPIs per half-hour from the bundled Israeli bank call records (January 1999).
"""

from __future__ import annotations

import pandas as pd

from wfm.adherence import (
    AdherenceRules,
    AdherenceTracker,
    ContactColumns,
    compute_adherence,
    contact_kpis,
    kpi_definitions,
)
from wfm.datasets import ISRAEL_BANK_SOURCE, load_israel_bank_calls

TZ = "Europe/London"


def at(clock: str) -> pd.Timestamp:
    return pd.Timestamp(f"2024-06-03 {clock}", tz=TZ)


def synthetic() -> tuple[pd.DataFrame, pd.DataFrame]:
    segments = []
    for agent, team in (("ana", "blue"), ("ben", "blue"), ("eva", "red")):
        segments += [
            (agent, team, "work", "09:00", "10:00"),
            (agent, team, "break", "10:00", "10:15"),
            (agent, team, "work", "10:15", "12:00"),
        ]
    schedule = pd.DataFrame(segments, columns=["agent", "team", "activity", "start", "end"])
    schedule["start"] = schedule["start"].map(at)
    schedule["end"] = schedule["end"].map(at)
    log = [
        ("ana", "Available", "08:58"),
        ("ana", "On Call", "09:05"),
        ("ana", "Break", "09:59"),  # one minute early: inside the 2-minute grace
        ("ana", "Available", "10:15"),
        ("ana", "Logged Out", "12:00"),
        ("ben", "Available", "09:12"),  # 12 minutes late
        ("ben", "Break", "10:00"),
        ("ben", "Available", "10:25"),  # 10 minutes late back from break
        ("ben", "Logged Out", "12:10"),  # 10 minutes over
        ("eva", "Available", "09:00"),  # works through the break
        ("eva", "Not Ready", "11:00"),
        ("eva", "Available", "11:20"),
        ("eva", "Logged Out", "12:00"),
    ]
    events = pd.DataFrame(log, columns=["agent", "state", "start"])
    events["start"] = events["start"].map(at)
    return schedule, events


def main() -> None:
    schedule, events = synthetic()
    rules = AdherenceRules(
        definition="genesys",
        start_before_seconds=120,
        end_after_seconds=120,
        min_exception_seconds=60,
        outside_shift_is_exception=True,
    )
    result = compute_adherence(schedule, events, rules=rules)
    print("Adherence per agent (Genesys, outside-shift work counted):")
    columns = ["agent", "scheduled_seconds", "exception_seconds", "adherence", "conformance"]
    print(result.to_frame()[columns].round(3).to_string(index=False))
    for definition in ("calabrio_ready", "calabrio_scheduled_time"):
        other = compute_adherence(
            schedule, events, rules=AdherenceRules(definition=definition)
        ).to_frame()
        print(
            f"  {definition}: "
            + ", ".join(
                f"{a} {v:.3f}" for a, v in zip(other["agent"], other["adherence"], strict=True)
            )
        )
    print("\nExceptions:")
    shown = [
        "exception_id",
        "agent",
        "start",
        "end",
        "scheduled_activity",
        "actual_state",
        "impact",
    ]
    print(result.exceptions[shown].to_string(index=False))
    late = result.exceptions.query("agent == 'ben'")["exception_id"].iloc[0]
    excused = result.excuse([late])
    print(f"\nExcusing exception {late} (ben's late start, approved):")
    print(
        excused.to_frame()[["agent", "adherence", "excused_seconds"]]
        .round(3)
        .to_string(index=False)
    )
    print("\nPer team:")
    print(
        result.aggregate("team")[["team", "adherence", "conformance"]]
        .round(3)
        .to_string(index=False)
    )

    tracker = AdherenceTracker(schedule, rules=rules)
    tracker.observe_many(events[events["start"] <= at("10:05")])
    print("\nReal time at 10:05, out of adherence:")
    print(tracker.out_of_adherence(at("10:05")).to_string(index=False))

    calls = load_israel_bank_calls()
    kpis = contact_kpis(calls, columns=ContactColumns.israel_bank(), target_seconds=20)
    day = kpis.frame[kpis.frame["interval_start"].dt.date == pd.Timestamp("1999-01-05").date()]
    busy = day[day["offered"] > 0]
    print(f"\nIsraeli bank, 1999-01-05, per half-hour ({ISRAEL_BANK_SOURCE.split(',')[0]}):")
    wanted = [
        "interval_start",
        "offered",
        "abandoned",
        "service_level",
        "asa_seconds",
        "aht_seconds",
    ]
    table = busy[wanted].head(12).copy()
    numeric = wanted[1:]
    table[numeric] = table[numeric].round(2)
    print(table.to_string(index=False))
    summary = kpis.summary()
    print(
        f"January: offered {summary['offered']:.0f}, SL(20 s, abandons negative) "
        f"{summary['service_level']:.3f}, ASA {summary['asa_seconds']:.1f} s, patience "
        f"{summary['patience_seconds']:.0f} s, FCR(24 h) {summary['first_contact_resolution']:.3f}"
    )
    print(f"\n{len(kpi_definitions())} KPI definitions available for dashboards, e.g.:")
    print(kpi_definitions().head(3).to_string(index=False))


if __name__ == "__main__":
    main()
