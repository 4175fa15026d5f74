"""Contact-record KPIs: hand-worked cases and the real Israeli bank records checked against
an independent, straightforward computation written differently (per-call Python loops
and pandas string-keyed groupbys)."""

import bisect
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from wfm.adherence import (
    SERVICE_LEVEL_DEFINITIONS,
    ContactColumns,
    contact_kpis,
    kpi_definitions,
    kpi_forecast_accuracy,
)
from wfm.core import FlaggedRecordsWarning, InputError
from wfm.datasets import israel_bank_intervals, load_israel_bank_calls


def t(clock: str) -> pd.Timestamp:
    return pd.Timestamp(f"2024-01-10 {clock}", tz="Europe/London")


def tiny_records() -> pd.DataFrame:
    # four contacts in the 09:00 interval: answered at 10 s and 40 s, abandoned at 3 s
    # (short) and 60 s; a repeat call from "c1" 1 h later
    rows = [
        ("c1", "09:01:00", 10, "answered", 100.0),
        ("c2", "09:02:00", 40, "answered", 200.0),
        ("c3", "09:05:00", 3, "abandoned", 0.0),
        ("c4", "09:10:00", 60, "abandoned", 0.0),
        ("c1", "10:01:00", 0, "answered", 50.0),
    ]
    frame = pd.DataFrame(
        rows, columns=["customer", "arrival", "wait_seconds", "outcome", "talk_seconds"]
    )
    frame["arrival"] = frame["arrival"].map(t)
    answered = frame["outcome"] == "answered"
    frame["answered_at"] = (
        frame["arrival"] + pd.to_timedelta(frame["wait_seconds"], unit="s")
    ).where(answered)
    frame["queue"] = "sales"
    return frame


def test_hand_worked_interval() -> None:
    result = contact_kpis(tiny_records(), target_seconds=20, short_abandon_seconds=5)
    row = result.frame.set_index("interval_start").loc[t("09:00")]
    assert row["offered"] == 4
    assert row["answered"] == 2
    assert row["abandoned"] == 2
    assert row["short_abandoned"] == 1
    assert row["service_level_answered_of_offered"] == pytest.approx(1 / 4)
    # c3 abandoned within 20 s
    excluding_early = row["service_level_answered_of_offered_excluding_early_abandons"]
    assert excluding_early == pytest.approx(1 / 3)
    assert row["service_level_answered_or_early_abandoned_of_offered"] == pytest.approx(2 / 4)
    assert row["service_level_answered_of_answered"] == pytest.approx(1 / 2)
    assert row["service_level_answered_of_offered_excluding_short_abandons"] == pytest.approx(1 / 3)
    assert row["asa_seconds"] == pytest.approx(25)
    assert row["aht_seconds"] == pytest.approx(150)
    assert row["abandon_rate"] == pytest.approx(0.5)
    # patience: all waits (10 + 40 + 3 + 60) over 2 abandons
    assert row["patience_seconds"] == pytest.approx(113 / 2)
    # FCR: c1 calls again within 24 h, c2 does not
    assert row["fcr_eligible"] == 2
    assert row["fcr_resolved"] == 1
    assert row["first_contact_resolution"] == pytest.approx(0.5)
    assert len(result.frame) == 48


def test_fcr_window_and_unidentified() -> None:
    records = tiny_records()
    short_window = contact_kpis(records, fcr_window_seconds=1800).frame
    row = short_window.set_index("interval_start").loc[t("09:00")]
    assert row["fcr_resolved"] == 2  # the repeat came after 30 min
    records.loc[1, "customer"] = "unidentified"
    row = contact_kpis(records).frame.set_index("interval_start").loc[t("09:00")]
    assert row["fcr_unidentified"] == 1
    assert row["fcr_eligible"] == 1


def test_occupancy_from_staffed_time() -> None:
    records = tiny_records()
    staffed = pd.DataFrame(
        {"interval_start": [t("09:00"), t("10:00")], "staffed_seconds": [600.0, 100.0]}
    )
    frame = contact_kpis(records, staffed=staffed).frame.set_index("interval_start")
    assert frame.loc[t("09:00"), "busy_seconds"] == 300
    assert frame.loc[t("09:00"), "occupancy"] == pytest.approx(0.5)
    assert frame.loc[t("10:00"), "occupancy"] == pytest.approx(0.5)
    assert np.isnan(frame.loc[t("11:00"), "occupancy"])


def test_busy_time_is_split_across_intervals() -> None:
    records = tiny_records().iloc[[0]].copy()
    records["talk_seconds"] = 3600.0  # answered 09:01:10, busy until 10:01:10
    frame = contact_kpis(records).frame.set_index("interval_start")
    assert frame.loc[t("09:00"), "busy_seconds"] == 1800 - 70
    assert frame.loc[t("09:30"), "busy_seconds"] == 1800
    assert frame.loc[t("10:00"), "busy_seconds"] == 70


def test_bad_records_raise() -> None:
    records = tiny_records()
    records.loc[0, "outcome"] = "transferred"
    with pytest.raises(InputError, match="transferred"):
        contact_kpis(records)
    records = tiny_records()
    records.loc[1, "wait_seconds"] = -5
    with pytest.raises(InputError, match="wait_seconds"):
        contact_kpis(records)
    records = tiny_records()
    records["arrival"] = records["arrival"].dt.tz_localize(None)
    with pytest.raises(InputError, match="timezone-aware"):
        contact_kpis(records)
    records = tiny_records()
    records.loc[0, "arrival"] = pd.NaT
    with pytest.raises(InputError, match="no arrival"):
        contact_kpis(records)
    with pytest.raises(InputError, match="service_level_definition"):
        contact_kpis(tiny_records(), service_level_definition="best")  # type: ignore[arg-type]


def test_kpi_definitions_cover_every_column() -> None:
    table = kpi_definitions()
    frame = contact_kpis(tiny_records()).frame
    ratio_and_counts = set(frame.columns) - {"queue", "interval_start"}
    assert ratio_and_counts - {
        "answered_wait_seconds",
        "total_wait_seconds",
        "handle_seconds",
        "handled_with_time",
    } <= set(table["name"])
    assert table["formula"].str.len().min() > 5
    for name in SERVICE_LEVEL_DEFINITIONS:
        assert f"service_level_{name}" in set(table["name"])


def test_forecast_accuracy() -> None:
    kpis = contact_kpis(tiny_records())
    forecast = pd.DataFrame(
        {"queue": "sales", "interval_start": [t("09:00"), t("10:00")], "volume": [2.0, 3.0]}
    )
    table = kpi_forecast_accuracy(kpis, forecast).set_index("queue")
    # actual 4 and 1: |2-4| + |3-1| = 4 over 5; bias (5 - 5) / 5 = 0
    assert table.loc["sales", "wape"] == pytest.approx(4 / 5)
    assert table.loc["sales", "bias"] == pytest.approx(0.0)
    assert table.loc["<all>", "forecast_volume"] == 5
    bad = forecast.assign(queue="support")
    with pytest.raises(InputError, match="no actual"):
        kpi_forecast_accuracy(kpis, bad)


# --- real data --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def calls() -> pd.DataFrame:
    return load_israel_bank_calls()


def independent_interval_table(
    calls: pd.DataFrame, threshold: float, short: float, window_s: float
) -> pd.DataFrame:
    """Per-call Python loop over the records; keys are local-time strings."""
    table: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    rows = calls.to_dict("records")
    identified_arrivals: dict[str, list[pd.Timestamp]] = defaultdict(list)
    arrivals = []
    for rec in rows:
        if rec["outcome"] == "PHANTOM":
            arrivals.append(None)
            continue
        answered = rec["outcome"] == "AGENT"
        arrival = rec["q_start"]
        if pd.isna(arrival) and answered:
            arrival = rec["ser_start"] if not pd.isna(rec["ser_start"]) else rec["vru_exit"]
        if pd.isna(arrival):
            arrivals.append(None)
            continue
        arrivals.append(arrival)
        if rec["customer"] != "unidentified":
            identified_arrivals[rec["customer"]].append(arrival)
    for times in identified_arrivals.values():
        times.sort()
    for rec, arrival in zip(rows, arrivals, strict=True):
        if arrival is None:
            continue
        minute = (arrival.minute // 30) * 30
        key = arrival.strftime("%Y-%m-%d %H:") + f"{minute:02d}"
        cell = table[key]
        answered = rec["outcome"] == "AGENT"
        wait = float(rec["q_time"])
        cell["offered"] += 1
        cell["wait"] += wait
        if answered:
            cell["answered"] += 1
            cell["answered_wait"] += wait
            if wait <= threshold:
                cell["within"] += 1
            if rec["ser_time"] > 0:
                cell["handle"] += rec["ser_time"]
                cell["handled"] += 1
            if rec["customer"] != "unidentified":
                cell["eligible"] += 1
                times = identified_arrivals[rec["customer"]]
                after = bisect.bisect_right(times, arrival)
                repeat = after < len(times) and (times[after] - arrival).total_seconds() <= window_s
                if not repeat:
                    cell["resolved"] += 1
        else:
            cell["abandoned"] += 1
            if wait <= threshold:
                cell["abandoned_within"] += 1
            if wait < short:
                cell["short"] += 1
    return pd.DataFrame.from_dict({k: dict(v) for k, v in table.items()}, orient="index").fillna(
        0.0
    )


def test_real_records_match_independent_computation(calls: pd.DataFrame) -> None:
    # ContactColumns.israel_bank() allows 10 minutes of clock disagreement (next test)
    result = contact_kpis(
        calls,
        columns=ContactColumns.israel_bank(),
        target_seconds=20,
        short_abandon_seconds=5,
        fcr_window_seconds=86_400,
    )
    frame = result.frame
    ours = frame[frame["offered"] > 0].copy()
    ours.index = ours["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
    ref = independent_interval_table(calls, 20, 5, 86_400).reindex(ours.index)
    assert len(ref) == len(ours)
    assert not ref["offered"].isna().any()
    np.testing.assert_array_equal(ours["offered"], ref["offered"])
    np.testing.assert_array_equal(ours["answered"], ref["answered"])
    np.testing.assert_array_equal(ours["abandoned"], ref["abandoned"])
    np.testing.assert_array_equal(ours["short_abandoned"], ref["short"])
    np.testing.assert_array_equal(ours["answered_within_threshold"], ref["within"])
    np.testing.assert_array_equal(ours["abandoned_within_threshold"], ref["abandoned_within"])
    np.testing.assert_allclose(ours["service_level"], ref["within"] / ref["offered"])
    with np.errstate(invalid="ignore", divide="ignore"):
        np.testing.assert_allclose(
            ours["asa_seconds"], ref["answered_wait"] / ref["answered"].where(ref["answered"] > 0)
        )
        np.testing.assert_allclose(
            ours["aht_seconds"], ref["handle"] / ref["handled"].where(ref["handled"] > 0)
        )
        np.testing.assert_allclose(
            ours["patience_seconds"], ref["wait"] / ref["abandoned"].where(ref["abandoned"] > 0)
        )
    np.testing.assert_array_equal(ours["fcr_eligible"], ref["eligible"])
    np.testing.assert_array_equal(ours["fcr_resolved"], ref["resolved"])
    # totals agree with the bundled interval frame built by wfm.datasets
    bundled = israel_bank_intervals(30)
    assert frame["offered"].sum() == bundled["volume"].sum()
    assert frame["abandoned"].sum() == bundled["abandoned"].sum()
    assert result.ignored_records == (calls["outcome"] == "PHANTOM").sum()
    # the two days missing from the records are absent, not zero
    days = set(frame["interval_start"].dt.date.astype(str))
    assert "1999-01-11" not in days
    assert "1999-01-12" not in days


def test_real_records_with_contradicting_waits_are_refused_or_flagged(
    calls: pd.DataFrame,
) -> None:
    strict = ContactColumns.israel_bank().model_copy(update={"timing_tolerance_seconds": 60.0})
    with pytest.raises(InputError, match="21 impossible contact record"):
        contact_kpis(calls, columns=strict)
    with pytest.warns(FlaggedRecordsWarning, match="21 impossible"):
        flagged = contact_kpis(calls, columns=strict, on_bad="flag")
    assert flagged.flagged is not None
    assert set(flagged.flagged["reason"]) <= {
        "wait_contradicts_timestamps",
        "answered_before_arrival",
    }
    full = contact_kpis(calls, columns=ContactColumns.israel_bank())
    assert full.frame["answered"].sum() - flagged.frame["answered"].sum() == 21
    assert flagged.summary()["flagged_records"] == 21


def test_real_busy_seconds_match_a_per_call_split(calls: pd.DataFrame) -> None:
    # integer epoch seconds; Israel is UTC+2 all January 1999, so half-hours are aligned
    result = contact_kpis(calls, columns=ContactColumns.israel_bank())
    busy: dict[int, float] = defaultdict(float)
    served = calls[
        (calls["outcome"] == "AGENT") & calls["ser_start"].notna() & (calls["ser_time"] > 0)
    ]
    starts = (
        served["ser_start"].dt.tz_convert("UTC").dt.tz_localize(None) - pd.Timestamp(0)
    ) // pd.Timedelta(seconds=1)
    for start, seconds in zip(starts.tolist(), served["ser_time"].tolist(), strict=True):
        end = start + int(seconds)
        cursor = start
        while cursor < end:
            edge = cursor - cursor % 1800 + 1800
            stop = min(edge, end)
            busy[cursor - cursor % 1800] += stop - cursor
            cursor = stop
    ours = result.frame.set_index("interval_start")["busy_seconds"]
    ours.index = (ours.index.tz_convert("UTC").tz_localize(None) - pd.Timestamp(0)) // pd.Timedelta(
        seconds=1
    )
    ref = pd.Series(busy)
    np.testing.assert_allclose(ours.reindex(ref.index), ref)
    assert ours.sum() == pytest.approx(ref.sum())


def test_dst_day_has_46_intervals_and_counts_in_the_right_one() -> None:
    tz = "Europe/London"
    arrivals = pd.to_datetime(
        ["2024-03-31 00:40", "2024-03-31 02:10", "2024-03-31 23:59"]
    ).tz_localize(tz)
    records = pd.DataFrame(
        {
            "arrival": arrivals,
            "answered_at": arrivals + pd.Timedelta(seconds=5),
            "outcome": "answered",
            "wait_seconds": 5.0,
            "talk_seconds": 60.0,
            "customer": ["x", "y", "z"],
            "queue": "q",
        }
    )
    frame = contact_kpis(records).frame
    assert len(frame) == 46
    offered = frame.set_index("interval_start")["offered"]
    assert offered[pd.Timestamp("2024-03-31 00:30", tz=tz)] == 1
    assert offered[pd.Timestamp("2024-03-31 02:00", tz=tz)] == 1  # 01:00-02:00 does not exist
    assert offered.sum() == 3


def test_answered_before_arrival_is_refused_or_flagged() -> None:
    records = tiny_records()
    records.loc[1, "answered_at"] = records.loc[1, "arrival"] - pd.Timedelta(hours=1)
    with pytest.raises(InputError, match="row 1: answered 3600 s before it arrived"):
        contact_kpis(records)
    with pytest.warns(FlaggedRecordsWarning):
        result = contact_kpis(records, on_bad="flag")
    assert result.flagged is not None
    assert list(result.flagged["row"]) == [1]
    assert list(result.flagged["reason"]) == ["answered_before_arrival"]
    assert result.frame["answered"].sum() == 2  # c2 kept out, c1 twice kept


def test_wait_contradicting_the_timestamps_is_refused() -> None:
    records = tiny_records()
    records.loc[0, "wait_seconds"] = 3600
    with pytest.raises(InputError, match="wait 3600 s but answered 10 s after arrival"):
        contact_kpis(records)


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [
        ("talk_seconds", 1.7e9, "talk_seconds"),
        ("talk_seconds", 1.7e12, "talk_seconds"),
        ("wait_seconds", 1e10, "wait_seconds"),
    ],
)
def test_absurd_durations_are_refused_before_allocation(
    column: str, value: float, match: str
) -> None:
    records = tiny_records()
    records.loc[0, column] = value
    with pytest.raises(InputError, match=match):
        contact_kpis(records)


def test_a_mistyped_year_is_refused_before_allocation() -> None:
    records = tiny_records()
    records.loc[2, "arrival"] = records.loc[2, "arrival"] + pd.DateOffset(years=180)
    with pytest.raises(InputError, match="gap of"):
        contact_kpis(records)


def test_former_threshold_keyword_still_works_with_a_deprecation_warning() -> None:
    current = contact_kpis(tiny_records(), target_seconds=20).to_frame()
    with pytest.warns(DeprecationWarning, match="target_seconds"):
        former = contact_kpis(tiny_records(), service_level_seconds=20).to_frame()
    pd.testing.assert_frame_equal(former, current)


def test_former_definition_names_still_work_with_a_deprecation_warning() -> None:
    canonical = contact_kpis(
        tiny_records(), service_level_definition="answered_or_early_abandoned_of_offered"
    )
    with pytest.warns(DeprecationWarning, match="abandons_positive"):
        former = contact_kpis(tiny_records(), service_level_definition="abandons_positive")
    assert former.service_level_definition == "answered_or_early_abandoned_of_offered"
    pd.testing.assert_frame_equal(former.frame, canonical.frame)
    pd.testing.assert_series_equal(
        canonical.frame["service_level"],
        canonical.frame["service_level_answered_or_early_abandoned_of_offered"],
        check_names=False,
    )


def test_unknown_definition_names_the_vocabulary() -> None:
    with pytest.raises(InputError, match=r"'abandons_neutral'.*answered_of_offered"):
        contact_kpis(tiny_records(), service_level_definition="abandons_neutral")
