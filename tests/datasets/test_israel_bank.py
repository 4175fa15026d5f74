import numpy as np
import pandas as pd

from wfm.core import validate_interval_frame
from wfm.datasets import israel_bank_intervals, load_israel_bank_calls


def test_records_load_with_aware_times_and_documented_counts() -> None:
    calls = load_israel_bank_calls()
    assert len(calls) == 31_599
    counts = calls["outcome"].value_counts()
    assert counts["AGENT"] == 27_060
    assert counts["HANG"] == 4_299
    assert counts["PHANTOM"] == 240
    assert str(calls["vru_entry"].dt.tz) == "Asia/Jerusalem"


def test_interval_frame_is_valid_and_conserves_offered_calls() -> None:
    frame = israel_bank_intervals(30)
    validate_interval_frame(frame, interval_minutes=30)
    calls = load_israel_bank_calls()
    offered = (calls["outcome"] == "AGENT") | (
        (calls["outcome"] == "HANG") & calls["q_start"].notna()
    )
    assert frame["volume"].sum() == offered.sum()
    assert frame["answered"].sum() == (calls["outcome"] == "AGENT").sum()
    # independent AHT check on one busy interval: mean service time of answered calls
    busy = frame.loc[frame["volume"].idxmax()]
    start = busy["interval_start"]
    arrival = calls["q_start"].fillna(calls["ser_start"]).fillna(calls["vru_exit"])
    in_interval = (arrival >= start) & (arrival < start + pd.Timedelta(minutes=30))
    served = calls[in_interval & (calls["outcome"] == "AGENT") & (calls["ser_time"] > 0)]
    np.testing.assert_allclose(busy["aht_seconds"], served["ser_time"].mean())


def test_missing_days_are_absent_not_zero_filled() -> None:
    frame = israel_bank_intervals(60)
    days = set(frame["interval_start"].dt.date.astype(str))
    assert "1999-01-11" not in days
    assert "1999-01-12" not in days
    assert frame.groupby(frame["interval_start"].dt.date).size().eq(24).all()


def test_total_wait_covers_every_offered_call() -> None:
    frame = israel_bank_intervals(30)
    calls = load_israel_bank_calls()
    offered = (calls["outcome"] == "AGENT") | (
        (calls["outcome"] == "HANG") & calls["q_start"].notna()
    )
    assert frame["wait_seconds"].sum() == calls.loc[offered, "q_time"].sum()
    hung_up_in_queue = (calls["outcome"] == "HANG") & calls["q_start"].notna()
    assert frame["abandon_wait_seconds"].sum() == calls.loc[hung_up_in_queue, "q_time"].sum()
    patience = frame["wait_seconds"].sum() / frame["abandoned"].sum()
    assert 60 < patience < 3600  # minutes, as Brown et al. (2005) report for this centre


def test_agent_states_cover_exactly_the_union_of_service_intervals() -> None:
    from wfm.datasets import israel_bank_agent_states

    events = israel_bank_agent_states(idle_minutes=15)
    calls = load_israel_bank_calls()
    served = calls[
        (calls["server"] != "NO_SERVER") & calls["ser_start"].notna() & calls["ser_exit"].notna()
    ]
    # independent union of service intervals per agent, with a plain loop
    expected_on_call = 0.0
    for _, group in served.sort_values("ser_start").groupby("server"):
        current_start = current_end = None
        for begin, finish in zip(group["ser_start"], group["ser_exit"], strict=True):
            if current_end is None or begin > current_end:
                if current_end is not None:
                    expected_on_call += (current_end - current_start).total_seconds()
                current_start, current_end = begin, finish
            else:
                current_end = max(current_end, finish)
        expected_on_call += (current_end - current_start).total_seconds()
    on_call = events[events["state"] == "On Call"]
    assert (on_call["end"] - on_call["start"]).dt.total_seconds().sum() == expected_on_call
    # no overlaps and no gaps within each agent's log
    for _, group in events.groupby("agent"):
        assert (group["start"].iloc[1:].to_numpy() == group["end"].iloc[:-1].to_numpy()).all()
    gaps = events[events["state"] == "Available"]
    assert ((gaps["end"] - gaps["start"]) <= pd.Timedelta(minutes=15)).all()
    assert set(events["state"]) == {"On Call", "Available", "Logged Out"}
    assert str(events["start"].dt.tz) == "Asia/Jerusalem"
