"""Size a real call centre month with Erlang C and Erlang A.

The bundled data are the call-by-call records of an Israeli bank's call centre (January
1999), aggregated to half-hours by ``wfm.datasets.israel_bank_intervals``. We size every
half-hour for 80 % of calls answered within 20 seconds:

- with Erlang C (nobody hangs up), and
- with Erlang A, using the callers' mean patience estimated from the data as the total time
  all offered callers waited (answered or not) divided by the number of abandons (the
  maximum-likelihood estimator for exponential patience: time at risk over events; an
  answered caller's wait is a censored observation of their patience),

then gross the Erlang A requirement up for shrinkage and write the table to
``erlang_requirements.csv`` in the current directory.
"""

from __future__ import annotations

import pandas as pd

import wfm

TARGET_LEVEL = 0.8
TARGET_SECONDS = 20


def main() -> None:
    intervals = wfm.datasets.israel_bank_intervals(30)
    patience_seconds = intervals["wait_seconds"].sum() / intervals["abandoned"].sum()
    print(f"{len(intervals)} half-hours, {int(intervals['volume'].sum()):,} calls offered")
    print(
        f"estimated mean patience: {patience_seconds:.1f} s "
        f"({int(intervals['abandoned'].sum()):,} abandons)"
    )

    erlang_c = wfm.staff_intervals(
        intervals, target_service_level=TARGET_LEVEL, target_seconds=TARGET_SECONDS
    )
    erlang_a = wfm.staff_intervals(
        intervals,
        target_service_level=TARGET_LEVEL,
        target_seconds=TARGET_SECONDS,
        patience_seconds=patience_seconds,
        service_level_definition="answered_of_offered",
        shrinkage={"breaks": 0.10, "meetings_and_training": 0.08, "absence": 0.05},
    )

    table = pd.DataFrame(
        {
            "interval_start": erlang_c["interval_start"],
            "volume": erlang_c["volume"],
            "aht_seconds": erlang_c["aht_seconds"].round(0),
            "agents_erlang_c": erlang_c["required_agents"],
            "sl_erlang_c": erlang_c["service_level"].round(3),
            "agents_erlang_a": erlang_a["required_agents"],
            "agents_erlang_a_fractional": erlang_a["required_agents_continuous"].round(2),
            "sl_erlang_a": erlang_a["service_level"].round(3),
            "abandon_rate_erlang_a": erlang_a["abandon_rate"].round(3),
            "scheduled_agents": erlang_a["scheduled_agents"].round(1),
        }
    )
    busiest_day = table["interval_start"].dt.date == pd.Timestamp("1999-01-04").date()
    shown = table[busiest_day & (table["volume"] > 0)].iloc[14:24]
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print("\nMonday 4 January 1999, afternoon:")
        print(shown.to_string(index=False))

    print(
        f"\nagent-half-hours over the month: Erlang C {int(table['agents_erlang_c'].sum()):,}, "
        f"Erlang A {int(table['agents_erlang_a'].sum()):,} "
        f"(abandonment lets the centre answer 80/20 of offered calls with fewer agents)"
    )
    table.to_csv("erlang_requirements.csv", index=False)
    print("wrote erlang_requirements.csv")


if __name__ == "__main__":
    main()
