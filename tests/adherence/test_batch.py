"""Batch adherence: hand-worked vendor examples, rules, aggregation, bad data, DST."""

import numpy as np
import pandas as pd
import pytest

from wfm.adherence import AdherenceRules, StateMapping, compute_adherence
from wfm.core import InputError

TZ = "UTC"


def t(clock: str, day: str = "2024-01-10", tz: str = TZ) -> pd.Timestamp:
    return pd.Timestamp(f"{day} {clock}", tz=tz)


def schedule_frame(rows: list[tuple[str, str, str, str]], tz: str = TZ) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agent": [r[0] for r in rows],
            "activity": [r[1] for r in rows],
            "start": [t(r[2], tz=tz) for r in rows],
            "end": [t(r[3], tz=tz) for r in rows],
        }
    )


def events_frame(rows: list[tuple[str, str, str]], tz: str = TZ) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agent": [r[0] for r in rows],
            "state": [r[1] for r in rows],
            "start": [t(r[2], tz=tz) for r in rows],
        }
    )


def agent_row(result, agent: str = "a") -> pd.Series:
    frame = result.to_frame().set_index("agent")
    return frame.loc[agent]


# --- Genesys Cloud worked example --------------------------------------------------------
# Source: Genesys Cloud Resource Center, "How Genesys Cloud calculates adherence and
# conformance" (help.mypurecloud.com): scheduled 60 min on queue, agent 10 min late, stays
# 10 min after; with "working outside shift considered exception" adherence is
# 1 - (10 + 10) / (60 + 10) = 71.4 %.
GENESYS_SCHEDULE = [("a", "work", "09:00", "10:00")]
GENESYS_EVENTS = [("a", "Available", "09:10"), ("a", "Logged Out", "10:10")]


def test_genesys_outside_shift_example_is_71_4_percent() -> None:
    rules = AdherenceRules(definition="genesys", outside_shift_is_exception=True)
    result = compute_adherence(
        schedule_frame(GENESYS_SCHEDULE), events_frame(GENESYS_EVENTS), rules=rules
    )
    row = agent_row(result)
    assert row["adherence"] == pytest.approx(1 - 20 / 70)
    assert round(row["adherence"] * 100, 1) == 71.4
    assert row["exception_seconds"] == 1200
    assert row["denominator_seconds"] == 4200
    # conformance: 60 min on queue / 60 min scheduled on queue
    assert row["conformance"] == pytest.approx(1.0)
    assert len(result.exceptions) == 2
    assert set(result.exceptions["impact"]) == {"negative", "positive"}


def test_genesys_without_outside_shift_rule_counts_only_the_late_start() -> None:
    result = compute_adherence(
        schedule_frame(GENESYS_SCHEDULE), events_frame(GENESYS_EVENTS), rules=AdherenceRules()
    )
    row = agent_row(result)
    assert row["adherence"] == pytest.approx(1 - 10 / 60)
    assert row["outside_shift_worked_seconds"] == 600
    assert list(result.exceptions["category"]) == ["not_working_when_scheduled"]


# --- Calabrio ready-time variants ----------------------------------------------------------
# Source: Calabrio ONE help, "About ready-time adherence": ready time vs. scheduled ready
# time = (scheduled ready time - deviation) / scheduled ready time (ready during a break
# does not count); ready time vs. scheduled time = (scheduled time - deviation) / scheduled
# time (ready when scheduled for something else also deviates).
CALABRIO_SCHEDULE = [
    ("a", "work", "09:00", "10:00"),
    ("a", "break", "10:00", "10:15"),
    ("a", "work", "10:15", "11:00"),
]
CALABRIO_EVENTS = [
    ("a", "Available", "09:00"),  # works through the break
    ("a", "Not Ready", "10:30"),
    ("a", "Available", "10:40"),
    ("a", "Logged Out", "11:00"),
]


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ("calabrio_ready", 1 - 10 / 105),
        ("calabrio_scheduled_time", 1 - 25 / 120),
        ("genesys", 1 - 25 / 120),
    ],
)
def test_definitions_on_a_worked_through_break(definition: str, expected: float) -> None:
    result = compute_adherence(
        schedule_frame(CALABRIO_SCHEDULE),
        events_frame(CALABRIO_EVENTS),
        rules=AdherenceRules(definition=definition),  # type: ignore[arg-type]
    )
    row = agent_row(result)
    assert row["adherence"] == pytest.approx(expected)
    # conformance: worked 110 min against 105 min scheduled work
    assert row["conformance"] == pytest.approx(110 / 105)
    impacts = dict(zip(result.exceptions["category"], result.exceptions["impact"], strict=True))
    assert impacts == {
        "working_during_other_activity": "positive",
        "not_working_when_scheduled": "negative",
    }


def test_calabrio_scheduled_time_counts_ready_outside_shift_within_two_hours() -> None:
    events = [("a", "Available", "06:30"), ("a", "Logged Out", "10:00")]
    result = compute_adherence(
        schedule_frame(GENESYS_SCHEDULE),
        events_frame(events),
        rules=AdherenceRules(definition="calabrio_scheduled_time"),
    )
    row = agent_row(result)
    # 2.5 h early, but only 2 h before the shift count (Calabrio's default window)
    assert row["exception_seconds"] == 7200
    assert row["adherence"] == 0.0  # 1 - 120/60 clipped at zero


def test_neutral_impact_for_other_non_work_activity() -> None:
    schedule = [("a", "training", "09:00", "10:00")]
    events = [("a", "Meeting", "09:00"), ("a", "Logged Out", "10:00")]
    result = compute_adherence(schedule_frame(schedule), events_frame(events))
    assert list(result.exceptions["impact"]) == ["neutral"]
    assert agent_row(result)["adherence"] == 0.0


# --- thresholds ------------------------------------------------------------------------------
def test_start_before_and_end_after_grace() -> None:
    schedule = CALABRIO_SCHEDULE
    events = [
        ("a", "Available", "09:00"),
        ("a", "Break", "09:58"),  # 2 min early
        ("a", "Available", "10:16"),  # 1 min late back
        ("a", "Logged Out", "11:00"),
    ]
    strict = compute_adherence(schedule_frame(schedule), events_frame(events))
    assert agent_row(strict)["exception_seconds"] == 180
    graced = compute_adherence(
        schedule_frame(schedule),
        events_frame(events),
        rules=AdherenceRules(start_before_seconds=120, end_after_seconds=60),
    )
    assert agent_row(graced)["exception_seconds"] == 0
    assert agent_row(graced)["adherence"] == 1.0
    too_short = compute_adherence(
        schedule_frame(schedule),
        events_frame(events),
        rules=AdherenceRules(start_before_seconds=60, end_after_seconds=30),
    )
    assert agent_row(too_short)["exception_seconds"] == 60 + 30


def test_minimum_exception_duration() -> None:
    events = [
        ("a", "Available", "09:00"),
        ("a", "Not Ready", "09:20"),
        ("a", "Available", "09:20:40"),
        ("a", "Break", "09:40"),
        ("a", "Available", "09:45"),
        ("a", "Logged Out", "10:00"),
    ]
    result = compute_adherence(
        schedule_frame(GENESYS_SCHEDULE),
        events_frame(events),
        rules=AdherenceRules(min_exception_seconds=60),
    )
    assert list(result.exceptions["duration_seconds"]) == [300]
    assert agent_row(result)["exception_seconds"] == 300


def test_excuse_recomputes_without_deleting() -> None:
    result = compute_adherence(
        schedule_frame(CALABRIO_SCHEDULE),
        events_frame(CALABRIO_EVENTS),
        rules=AdherenceRules(definition="calabrio_ready"),
    )
    ids = result.exceptions.loc[result.exceptions["counted"], "exception_id"].tolist()
    excused = result.excuse(ids)
    assert len(excused.exceptions) == len(result.exceptions)
    assert excused.exceptions["excused"].sum() == len(ids)
    row = agent_row(excused)
    assert row["adherence"] == 1.0
    assert row["excused_seconds"] == 600
    # the original result is unchanged, and un-excusing restores it
    assert agent_row(result)["adherence"] == pytest.approx(1 - 10 / 105)
    back = excused.excuse(ids, excused=False)
    assert agent_row(back)["adherence"] == pytest.approx(1 - 10 / 105)
    with pytest.raises(InputError, match="not exceptions of this result"):
        result.excuse([99])


# --- inputs ----------------------------------------------------------------------------------
def test_explicit_end_leaves_a_gap_without_state() -> None:
    events = pd.DataFrame(
        {
            "agent": ["a", "a"],
            "state": ["Available", "Available"],
            "start": [t("09:00"), t("09:40")],
            "end": [t("09:30"), pd.NaT],
        }
    )
    events["end"] = events["end"].astype(events["start"].dtype)
    result = compute_adherence(
        schedule_frame(GENESYS_SCHEDULE), events, until=t("10:00"), period_end="2024-01-11"
    )
    assert agent_row(result)["exception_seconds"] == 600
    assert list(result.exceptions["actual_state"]) == ["<no state>"]


def test_per_channel_mapping() -> None:
    mapping = StateMapping(
        states={"Ready": "work", "Busy": "work", "Logged Out": "off"},
        channel_states={"email": {"Busy": "backoffice"}},
    )
    events = events_frame([("a", "Busy", "09:00"), ("b", "Busy", "09:00")])
    events["channel"] = ["voice", "email"]
    schedule = schedule_frame([("a", "work", "09:00", "10:00"), ("b", "work", "09:00", "10:00")])
    result = compute_adherence(schedule, events, mapping=mapping, until=t("10:00"))
    frame = result.to_frame().set_index("agent")
    assert frame.loc["a", "adherence"] == 1.0
    assert frame.loc["b", "adherence"] == 0.0


def test_naive_timestamps_raise() -> None:
    events = events_frame(GENESYS_EVENTS)
    events["start"] = events["start"].dt.tz_localize(None)
    with pytest.raises(InputError, match="naive"):
        compute_adherence(schedule_frame(GENESYS_SCHEDULE), events)
    schedule = schedule_frame(GENESYS_SCHEDULE)
    schedule["end"] = schedule["end"].dt.tz_localize(None)
    with pytest.raises(InputError, match="naive"):
        compute_adherence(schedule, events_frame(GENESYS_EVENTS))


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (("a", "Dancing", "09:30"), "unknown_state"),
        (("zed", "Available", "09:30"), "unknown_agent"),
        (("a", "Available", "23:59"), None),
    ],
)
def test_bad_events_raise_or_are_flagged(row: tuple[str, str, str], reason: str | None) -> None:
    events = events_frame([*GENESYS_EVENTS, row])
    if reason is None:  # a valid extra event: nothing to flag
        compute_adherence(schedule_frame(GENESYS_SCHEDULE), events)
        return
    with pytest.raises(InputError, match="Fix"):
        compute_adherence(schedule_frame(GENESYS_SCHEDULE), events)
    flagged = compute_adherence(schedule_frame(GENESYS_SCHEDULE), events, on_bad="flag")
    assert list(flagged.flagged["reason"]) == [reason]
    assert list(flagged.flagged["action"]) == ["rejected"]
    clean = compute_adherence(schedule_frame(GENESYS_SCHEDULE), events_frame(GENESYS_EVENTS))
    pd.testing.assert_frame_equal(flagged.to_frame(), clean.to_frame())


def test_event_outside_the_period_is_flagged() -> None:
    events = events_frame([*GENESYS_EVENTS, ("a", "Available", "09:00")])
    events.loc[2, "start"] = t("09:00", day="2024-01-12")
    with pytest.raises(InputError, match="outside the measured period"):
        compute_adherence(schedule_frame(GENESYS_SCHEDULE), events)
    result = compute_adherence(schedule_frame(GENESYS_SCHEDULE), events, on_bad="flag")
    assert list(result.flagged["reason"]) == ["outside_period"]


def test_unsorted_events_raise_or_are_sorted_and_flagged() -> None:
    events = events_frame(CALABRIO_EVENTS).iloc[[0, 2, 1, 3]]
    with pytest.raises(InputError, match="out of time order"):
        compute_adherence(schedule_frame(CALABRIO_SCHEDULE), events)
    result = compute_adherence(schedule_frame(CALABRIO_SCHEDULE), events, on_bad="flag")
    assert list(result.flagged["action"]) == ["sorted"]
    clean = compute_adherence(schedule_frame(CALABRIO_SCHEDULE), events_frame(CALABRIO_EVENTS))
    pd.testing.assert_frame_equal(result.to_frame(), clean.to_frame())


def test_overlapping_events_raise_or_are_truncated() -> None:
    events = pd.DataFrame(
        {
            "agent": ["a", "a"],
            "state": ["Available", "Break"],
            "start": [t("09:00"), t("09:30")],
            "end": [t("09:45"), t("09:40")],
        }
    )
    with pytest.raises(InputError, match="overlaps"):
        compute_adherence(schedule_frame(GENESYS_SCHEDULE), events)
    result = compute_adherence(schedule_frame(GENESYS_SCHEDULE), events, on_bad="flag")
    assert list(result.flagged["action"]) == ["truncated"]
    # 09:30-09:40 on break, 09:40-10:00 no state
    assert agent_row(result)["exception_seconds"] == 1800


def test_end_before_start_is_rejected() -> None:
    events = pd.DataFrame(
        {"agent": ["a"], "state": ["Available"], "start": [t("09:10")], "end": [t("09:05")]}
    )
    result = compute_adherence(schedule_frame(GENESYS_SCHEDULE), events, on_bad="flag")
    assert list(result.flagged["reason"]) == ["end_not_after_start"]
    assert agent_row(result)["adherence"] == 0.0


def test_overlapping_schedule_raises() -> None:
    schedule = schedule_frame([("a", "work", "09:00", "10:00"), ("a", "break", "09:50", "10:05")])
    with pytest.raises(InputError, match="overlapping segments"):
        compute_adherence(schedule, events_frame(GENESYS_EVENTS))


def test_off_segments_are_unscheduled_and_agent_without_events_is_absent() -> None:
    schedule = schedule_frame(
        [
            ("a", "work", "09:00", "10:00"),
            ("a", "off", "10:00", "12:00"),
            ("b", "work", "09:00", "10:00"),
        ]
    )
    result = compute_adherence(schedule, events_frame(GENESYS_EVENTS))
    frame = result.to_frame().set_index("agent")
    assert frame.loc["a", "scheduled_seconds"] == 3600
    assert frame.loc["b", "adherence"] == 0.0  # scheduled, never logged in
    assert frame.loc["b", "worked_seconds"] == 0.0


# --- aggregation ------------------------------------------------------------------------------
def test_aggregations_are_consistent_and_teams_work() -> None:
    schedule = schedule_frame([*CALABRIO_SCHEDULE, ("b", "work", "09:00", "11:00")])
    schedule["team"] = ["x", "x", "x", "y"]
    events = events_frame(
        [*CALABRIO_EVENTS, ("b", "Available", "09:05"), ("b", "Logged Out", "10:30")]
    )
    result = compute_adherence(schedule, events)
    total = result.summary()
    for level in ("agent", "agent_day", "team", "interval", "day", "week", "team_interval"):
        frame = result.aggregate(level)  # type: ignore[arg-type]
        assert frame["scheduled_seconds"].sum() == pytest.approx(total["scheduled_seconds"])
        assert frame["exception_seconds"].sum() == pytest.approx(total["exception_seconds"])
    intervals = result.aggregate("interval")
    assert len(intervals) == 48
    team = result.aggregate("team").set_index("team")
    assert team.loc["y", "adherence"] == pytest.approx(1 - 35 / 120)
    required = pd.DataFrame({"interval_start": intervals["interval_start"], "required_agents": 1.0})
    staffing = result.staffing(required)
    at_nine = staffing.set_index("interval_start").loc[t("09:00")]
    assert at_nine["scheduled_agents"] == 2.0
    assert at_nine["available_agents"] == pytest.approx(1 + 25 / 30)
    assert at_nine["available_minus_required"] == pytest.approx(25 / 30)


def test_team_aggregation_needs_a_team_column() -> None:
    result = compute_adherence(schedule_frame(GENESYS_SCHEDULE), events_frame(GENESYS_EVENTS))
    with pytest.raises(InputError, match="team"):
        result.aggregate("team")


# --- DST -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "intervals", "hours"), [("2024-03-31", 46, 3.0), ("2024-10-27", 50, 5.0)]
)
def test_dst_days(day: str, intervals: int, hours: float) -> None:
    tz = "Europe/London"
    start = pd.Timestamp(f"{day} 00:00", tz=tz)
    end = pd.Timestamp(f"{day} 04:00", tz=tz)
    schedule = pd.DataFrame({"agent": ["a"], "activity": ["work"], "start": [start], "end": [end]})
    events = pd.DataFrame(
        {"agent": ["a", "a"], "state": ["Available", "Logged Out"], "start": [start, end]}
    )
    result = compute_adherence(schedule, events)
    per_interval = result.aggregate("interval")
    assert len(per_interval) == intervals
    assert result.summary()["scheduled_seconds"] == hours * 3600
    assert result.summary()["adherence"] == 1.0
    busy = per_interval[per_interval["scheduled_seconds"] > 0]
    assert len(busy) == hours * 2
    assert (busy["scheduled_seconds"] == 1800).all()
    per_day = result.aggregate("agent_day")
    assert list(per_day["scheduled_seconds"]) == [hours * 3600]


def test_until_cuts_measurement() -> None:
    result = compute_adherence(
        schedule_frame(GENESYS_SCHEDULE), events_frame(GENESYS_EVENTS), until=t("09:30")
    )
    row = agent_row(result)
    assert row["scheduled_seconds"] == 1800
    assert row["adherence"] == pytest.approx(1 - 600 / 1800)
    with pytest.raises(InputError, match="outside the period"):
        compute_adherence(
            schedule_frame(GENESYS_SCHEDULE),
            events_frame(GENESYS_EVENTS),
            until=t("09:30", "2024-01-13"),
        )


def test_rules_validation() -> None:
    with pytest.raises(InputError, match="definition"):
        AdherenceRules(definition="nice")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="start_before_seconds"):
        AdherenceRules(start_before_seconds=-1)
    with pytest.raises(InputError, match="on_bad"):
        compute_adherence(
            schedule_frame(GENESYS_SCHEDULE),
            events_frame(GENESYS_EVENTS),
            on_bad="ignore",  # type: ignore[arg-type]
        )


def test_default_mapping_is_documented_table() -> None:
    table = StateMapping.default().to_frame()
    assert {
        "Available",
        "On Call",
        "After Call Work",
        "Break",
        "Lunch",
        "Meeting",
        "Logged Out",
    } <= set(table["state"])
    assert table.loc[table["state"] == "After Call Work", "is_work"].item()
    assert np.all(table.loc[table["state"] == "Logged Out", "is_off"])


def test_config_models_round_trip_through_json() -> None:
    from wfm.adherence import ContactColumns

    mapping = StateMapping(
        states={"Ready": "work", "Gone": "off"},
        channel_states={"chat": {"Ready": "chat_work"}},
        work_activities=("work", "chat_work"),
    )
    assert StateMapping.model_validate_json(mapping.model_dump_json()) == mapping
    columns = ContactColumns.israel_bank(queue="type").model_copy(
        update={"unidentified_customers": ("unidentified", -1)}
    )
    back = ContactColumns.model_validate_json(columns.model_dump_json())
    assert back == columns
    assert back.unidentified_customers == ("unidentified", -1)
    with pytest.raises(ValueError, match="both work and off"):
        StateMapping(work_activities=("work",), off_activities=("work",))


@pytest.mark.parametrize(("minutes", "rows"), [(15, 96), (60, 24)])
def test_other_interval_lengths(minutes: int, rows: int) -> None:
    result = compute_adherence(
        schedule_frame(CALABRIO_SCHEDULE), events_frame(CALABRIO_EVENTS), interval_minutes=minutes
    )
    per_interval = result.aggregate("interval")
    assert len(per_interval) == rows
    assert per_interval["scheduled_seconds"].sum() == 7200
    assert per_interval["scheduled_seconds"].max() == minutes * 60


def test_period_must_be_whole_intervals() -> None:
    with pytest.raises(InputError, match="whole number"):
        compute_adherence(
            schedule_frame(GENESYS_SCHEDULE),
            events_frame(GENESYS_EVENTS),
            period_start="2024-01-10 00:10",
            period_end="2024-01-11",
        )
