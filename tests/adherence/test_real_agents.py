"""The state-event path on a real activity stream: the Israeli bank agents' service
intervals (ser_start to ser_exit per server) against a simple schedule, checked against a
plain-Python loop over the records."""

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from wfm.adherence import AdherenceTracker, StateMapping, compute_adherence
from wfm.core import InputError
from wfm.datasets import ISRAEL_BANK_TZ, load_israel_bank_calls


@pytest.fixture(scope="module")
def service() -> pd.DataFrame:
    calls = load_israel_bank_calls()
    served = calls[
        (calls["server"] != "NO_SERVER") & calls["ser_start"].notna() & (calls["ser_time"] > 0)
    ]
    return served[["server", "ser_start", "ser_exit"]].reset_index(drop=True)


MAPPING = StateMapping(states={"On Call": "work"})


def events_and_schedule(service: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    events = pd.DataFrame(
        {
            "agent": service["server"],
            "state": "On Call",
            "start": service["ser_start"],
            "end": service["ser_exit"],
        }
    ).sort_values(["agent", "start"], kind="stable")
    # schedule: each agent works from the half-hour before its first call of the day to
    # the half-hour after its last call ends (days merged where they touch)
    day = events["start"].dt.date.rename("date")
    spans = (
        events.groupby(["agent", day]).agg(start=("start", "min"), end=("end", "max")).reset_index()
    )
    spans["start"] = spans["start"].dt.floor("30min")
    spans["end"] = spans["end"].dt.ceil("30min")
    rows = []
    for agent, group in spans.groupby("agent"):
        current = None
        for start, end in zip(group["start"], group["end"], strict=True):
            if current is not None and start <= current[1]:
                current[1] = max(current[1], end)
                continue
            if current is not None:
                rows.append((agent, "work", *current))
            current = [start, end]
        rows.append((agent, "work", *current))
    schedule = pd.DataFrame(rows, columns=["agent", "activity", "start", "end"])
    return events, schedule


def truncated_seconds(intervals: list[tuple[int, int]]) -> int:
    """Total time of an agent's states when a state ends at the agent's next event (the
    documented rule for overlapping events): plain loop over the sorted records."""
    ordered = sorted(intervals)
    total = 0
    for position, (start, end) in enumerate(ordered):
        if position + 1 < len(ordered):
            end = min(end, ordered[position + 1][0])
        total += end - start
    return total


def test_real_service_intervals_through_the_state_path(service: pd.DataFrame) -> None:
    events, schedule = events_and_schedule(service)
    with pytest.raises(InputError, match="overlaps"):
        compute_adherence(
            schedule, events, mapping=MAPPING, period_start="1999-01-01", period_end="1999-02-01"
        )
    result = compute_adherence(
        schedule,
        events,
        mapping=MAPPING,
        period_start="1999-01-01",
        period_end="1999-02-01",
        on_bad="flag",
    )
    # overlapping service records of one agent are flagged and truncated, never dropped
    nxt = events.groupby("agent")["start"].shift(-1)
    overlapping = int(((events["end"] > nxt) & nxt.notna()).sum())
    assert overlapping > 0
    assert (result.flagged["reason"] == "overlap").sum() == overlapping
    assert set(result.flagged["action"]) == {"truncated"}
    # independent: each agent's service intervals, a state ending at the next event
    per_agent: dict[str, list[tuple[int, int]]] = defaultdict(list)

    def to_s(s):
        return (s.dt.tz_convert("UTC").dt.tz_localize(None) - pd.Timestamp(0)) // pd.Timedelta(
            seconds=1
        )

    for agent, start, end in zip(
        events["agent"], to_s(events["start"]), to_s(events["end"]), strict=True
    ):
        per_agent[agent].append((start, end))
    scheduled = (
        (schedule["end"] - schedule["start"]).dt.total_seconds().groupby(schedule["agent"]).sum()
    )
    ours = result.to_frame().set_index("agent")
    for agent, intervals in per_agent.items():
        worked = truncated_seconds(intervals)
        assert ours.loc[agent, "worked_seconds"] == worked
        assert ours.loc[agent, "scheduled_seconds"] == scheduled[agent]
        assert ours.loc[agent, "adherence"] == pytest.approx(worked / scheduled[agent])
    # per-interval available agents integrate back to the total worked time
    staffing = result.staffing()
    assert len(staffing) == 31 * 48
    assert staffing["available_agents"].sum() * 1800 == pytest.approx(ours["worked_seconds"].sum())
    assert result.interval_starts.tz is not None
    assert str(result.interval_starts.tz) == ISRAEL_BANK_TZ


def test_real_stream_tracker_equals_batch(service: pd.DataFrame) -> None:
    # state changes only (no end): On Call at ser_start, Logged Out at ser_exit
    events, schedule = events_and_schedule(service.iloc[:4000])
    starts = events.assign(state="On Call")[["agent", "state", "start"]]
    ends = events.assign(state="Logged Out", start=events["end"])[["agent", "state", "start"]]
    stream = pd.concat([ends, starts]).sort_values("start", kind="stable").reset_index(drop=True)
    mapping = StateMapping(states={"On Call": "work", "Logged Out": "off"})
    # an agent's next call can start before its previous one "ended": keep time order per agent
    stream = stream.sort_values(["start"], kind="stable")
    now = stream["start"].max() + pd.Timedelta(minutes=1)
    tracker = AdherenceTracker(
        schedule,
        mapping=mapping,
        period_start="1999-01-01",
        period_end="1999-02-01",
        batch_size=997,
    )
    for lo in range(0, len(stream), 500):
        tracker.observe_many(stream.iloc[lo : lo + 500])
    batch = compute_adherence(
        schedule,
        stream,
        mapping=mapping,
        period_start="1999-01-01",
        period_end="1999-02-01",
        until=now,
    )
    running = tracker.agent_adherence(now).set_index("agent")
    expected = batch.to_frame().set_index("agent")
    for column in ("scheduled_seconds", "worked_seconds", "exception_seconds", "adherence"):
        np.testing.assert_allclose(running[column], expected[column], rtol=1e-12)


def test_parallel_agent_groups_give_the_same_result(
    service: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wfm.adherence.batch as batch_module

    events, schedule = events_and_schedule(service)
    kwargs = {
        "mapping": MAPPING,
        "period_start": "1999-01-01",
        "period_end": "1999-02-01",
        "on_bad": "flag",
    }
    whole = compute_adherence(schedule, events, **kwargs)
    monkeypatch.setattr(batch_module, "_PARALLEL_MIN_ROWS", 0)
    split = compute_adherence(schedule, events, n_jobs=3, **kwargs)
    pd.testing.assert_frame_equal(split.exceptions, whole.exceptions)
    for level in ("agent", "interval", "agent_day"):
        pd.testing.assert_frame_equal(split.aggregate(level), whole.aggregate(level))
