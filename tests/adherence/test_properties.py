"""Property tests: the batch path against a minute-by-minute reference written in plain
Python, bounds, and the real-time tracker against the batch path for any split of the
event stream."""

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wfm.adherence import AdherenceRules, AdherenceTracker, compute_adherence
from wfm.core import InputError

DAY = pd.Timestamp("2024-01-10", tz="UTC")
ACTIVITIES = ["work", "break", "lunch", "meeting"]
STATES = {
    "Available": "work",
    "On Call": "work",
    "Break": "break",
    "Lunch": "lunch",
    "Meeting": "meeting",
    "Not Ready": "not_ready",
    "Logged Out": "off",
}
AGENTS = ["a", "b", "c"]
WORK = {"work"}


def minute(m: int) -> pd.Timestamp:
    return DAY + pd.Timedelta(minutes=m)


@dataclass
class Case:
    segments: list[tuple[str, str, int, int]]
    events: list[tuple[str, str, int]]  # agent, state, minute (sorted per agent)
    rules: AdherenceRules
    until: int


@st.composite
def cases(draw: st.DrawFn) -> Case:
    segments = []
    events = []
    for agent in AGENTS:
        cursor = draw(st.integers(0, 120))
        for _ in range(draw(st.integers(0, 5))):
            gap = draw(st.integers(0, 30))
            length = draw(st.integers(1, 90))
            start = cursor + gap
            if start + length > 600:
                break
            segments.append((agent, draw(st.sampled_from(ACTIVITIES)), start, start + length))
            cursor = start + length
        moment = 0
        for _ in range(draw(st.integers(0, 12))):
            moment += draw(st.integers(0, 60))
            if moment >= 600:
                break
            events.append((agent, draw(st.sampled_from(list(STATES))), moment))
    if not segments:
        segments.append(("a", "work", 60, 120))
    scheduled_agents = {agent for agent, *_ in segments}
    events = [event for event in events if event[0] in scheduled_agents]
    definition = draw(st.sampled_from(["genesys", "calabrio_ready", "calabrio_scheduled_time"]))
    window = draw(st.sampled_from([None, 30.0]))
    rules = AdherenceRules(
        definition=definition,
        start_before_seconds=60.0 * draw(st.integers(0, 5)),
        end_after_seconds=60.0 * draw(st.integers(0, 5)),
        min_exception_seconds=60.0 * draw(st.integers(0, 10)),
        outside_shift_is_exception=draw(st.sampled_from([None, True, False])),
        outside_shift_window_seconds=None if window is None else window * 60,
    )
    last_event = max((m for _, _, m in events), default=0)
    until = draw(st.integers(max(last_event, 1), 720))
    return Case(segments, events, rules, until)


def frames(case: Case) -> tuple[pd.DataFrame, pd.DataFrame]:
    schedule = pd.DataFrame(case.segments, columns=["agent", "activity", "start", "end"])
    schedule["start"] = schedule["start"].map(minute)
    schedule["end"] = schedule["end"].map(minute)
    events = pd.DataFrame(case.events, columns=["agent", "state", "start"])
    events["start"] = pd.to_datetime(events["start"].map(minute), utc=True)
    return schedule, events


def reference(case: Case) -> dict[str, dict[str, float]]:
    """Minute-by-minute classification, written independently of the library."""
    rules = case.rules
    before = rules.start_before_seconds / 60
    after = rules.end_after_seconds / 60
    window = rules.outside_window_seconds
    window_minutes = None if window is None else window / 60
    out: dict[str, dict[str, float]] = {}
    for agent in AGENTS:
        segs = sorted((s, e, a) for g, a, s, e in case.segments if g == agent)
        if not segs and agent not in {g for g, *_ in case.segments}:
            continue
        evs = [(m, STATES[s]) for g, s, m in case.events if g == agent]
        labels = []
        totals = dict.fromkeys(["scheduled", "scheduled_work", "worked", "outside"], 0.0)
        for m in range(case.until):
            current = [a for s, e, a in segs if s <= m < e]
            scheduled = current[0] if current else None
            acts = [a for t, a in evs if t <= m]
            actual = acts[-1] if acts else "off"
            upcoming = [(s, a) for s, e, a in segs if s > m]
            past = [(e, a) for s, e, a in segs if e <= m]
            nxt = upcoming[0] if upcoming else None
            prv = past[-1] if past else None
            grace = (nxt is not None and actual == nxt[1] and m >= nxt[0] - before) or (
                prv is not None and actual == prv[1] and m < prv[0] + after
            )
            in_window = window_minutes is None or (
                (nxt is not None and m >= nxt[0] - window_minutes)
                or (prv is not None and m < prv[0] + window_minutes)
            )
            working = actual in WORK
            category = 0
            if scheduled is not None:
                totals["scheduled"] += 1
                if scheduled in WORK:
                    totals["scheduled_work"] += 1
                if actual != scheduled and not grace:
                    if scheduled in WORK and not working:
                        category = 1
                    elif scheduled not in WORK and working:
                        category = 2
                    else:
                        category = 3
            elif working:
                totals["outside"] += 1
                if not grace and in_window and rules.counts_outside_shift:
                    category = 4
            if working:
                totals["worked"] += 1
            labels.append((scheduled, actual, category))
        # runs of identical out-of-adherence labels
        exception = 0.0
        outside_exception = 0.0
        count = 0
        m = 0
        while m < len(labels):
            label = labels[m]
            end = m
            while end < len(labels) and labels[end] == label:
                end += 1
            if label[2] > 0 and (end - m) * 60 >= max(rules.min_exception_seconds, 1e-9):
                count += 1
                if label[2] in rules.counted_categories:
                    exception += end - m
                if label[2] == 4:
                    outside_exception += end - m
            m = end
        if rules.definition == "genesys":
            denominator = totals["scheduled"] + outside_exception
        elif rules.definition == "calabrio_ready":
            denominator = totals["scheduled_work"]
        else:
            denominator = totals["scheduled"]
        adherence = max(0.0, 1 - exception / denominator) if denominator > 0 else float("nan")
        out[agent] = {
            "scheduled_seconds": totals["scheduled"] * 60,
            "scheduled_work_seconds": totals["scheduled_work"] * 60,
            "worked_seconds": totals["worked"] * 60,
            "outside_shift_worked_seconds": totals["outside"] * 60,
            "exception_seconds": exception * 60,
            "denominator_seconds": denominator * 60,
            "adherence": adherence,
            "exceptions": count,
        }
    return out


COMPARED = [
    "scheduled_seconds",
    "scheduled_work_seconds",
    "worked_seconds",
    "outside_shift_worked_seconds",
    "exception_seconds",
    "denominator_seconds",
    "adherence",
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_batch_matches_minute_reference_and_bounds(case: Case) -> None:
    schedule, events = frames(case)
    result = compute_adherence(schedule, events, rules=case.rules, until=minute(case.until))
    ours = result.to_frame().set_index("agent")
    expected = reference(case)
    for agent, values in expected.items():
        for column in COMPARED:
            np.testing.assert_allclose(ours.loc[agent, column], values[column], err_msg=column)
        assert (result.exceptions["agent"] == agent).sum() == values["exceptions"]
    adherence = ours["adherence"].dropna()
    assert ((adherence >= 0) & (adherence <= 1)).all()
    per_interval = result.aggregate("interval")["adherence"].dropna()
    assert ((per_interval >= 0) & (per_interval <= 1)).all()


@dataclass
class Split:
    """How the event stream is fed to the tracker: cut points, batch size, and per chunk
    whether it goes through observe_many and whether a query follows it."""

    cuts: list[int]
    batch_size: int
    many: list[bool]
    query_after: list[bool]


@st.composite
def splits(draw: st.DrawFn) -> Split:
    return Split(
        cuts=sorted(draw(st.sets(st.integers(0, 40), max_size=6))),
        batch_size=draw(st.integers(1, 8)),
        many=draw(st.lists(st.booleans(), min_size=7, max_size=7)),
        query_after=draw(st.lists(st.booleans(), min_size=7, max_size=7)),
    )


# found by hypothesis: a query at the period's first instant (an event at minute 0)
EDGE_QUERY = Case([("a", "work", 60, 120)], [("a", "Available", 0)], AdherenceRules(), 1)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), split=splits())
@example(case=EDGE_QUERY, split=Split([0], 1, [False] * 7, [True] * 7))
@example(case=EDGE_QUERY, split=Split([0], 1, [True] * 7, [True] * 7))
def test_tracker_equals_batch_for_any_split(case: Case, split: Split) -> None:
    schedule, events = frames(case)
    batch = compute_adherence(schedule, events, rules=case.rules, until=minute(case.until))
    # interleave agents in time order, then cut the stream anywhere into chunks
    stream = events.sort_values("start", kind="stable").reset_index(drop=True)
    cuts = sorted({min(cut, len(stream)) for cut in split.cuts})
    tracker = AdherenceTracker(schedule, rules=case.rules, batch_size=split.batch_size)
    edges = [0, *cuts, len(stream)]
    for number, (lo, hi) in enumerate(itertools.pairwise(edges)):
        chunk = stream.iloc[lo:hi]
        if split.many[number]:
            tracker.observe_many(chunk)
        else:
            for row in chunk.itertuples(index=False):
                tracker.observe(row.agent, row.state, row.start)
        if hi < len(stream) and split.query_after[number]:
            # a query in between must not change later results
            tracker.agent_adherence(stream["start"].iloc[hi])
    running = tracker.agent_adherence(minute(case.until)).set_index("agent")
    expected = batch.to_frame().set_index("agent")
    for column in COMPARED:
        np.testing.assert_allclose(running[column], expected[column], rtol=1e-12, err_msg=column)
    counts = batch.exceptions.groupby("agent").size().reindex(running.index, fill_value=0)
    np.testing.assert_array_equal(running["exceptions"], counts)
    full = tracker.result(minute(case.until))
    pd.testing.assert_frame_equal(full.exceptions, batch.exceptions)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_out_of_adherence_equals_batch_exceptions_at_every_event_time(case: Case) -> None:
    """At every event time t, the agents listed out of adherence are those with a batch
    exception (no minimum duration) containing t, both ends included, and the listed
    stretch is one of those exceptions."""
    rules = AdherenceRules(
        definition=case.rules.definition,
        start_before_seconds=case.rules.start_before_seconds,
        end_after_seconds=case.rules.end_after_seconds,
        min_exception_seconds=0.0,
        outside_shift_is_exception=case.rules.outside_shift_is_exception,
        outside_shift_window_seconds=case.rules.outside_shift_window_seconds,
    )
    schedule, events = frames(case)
    stream = events.sort_values("start", kind="stable").reset_index(drop=True)
    end = minute(720)
    batch = compute_adherence(schedule, events, rules=rules, until=end).exceptions
    tracker = AdherenceTracker(schedule, rules=rules)
    times = sorted(set(stream["start"])) or [minute(0)]
    for moment in times:
        tracker.observe_many(stream[stream["start"] == moment])
        now = tracker.out_of_adherence(moment)
        covering = batch[(batch["start"] <= moment) & (batch["end"] >= moment)]
        assert set(now["agent"]) == set(covering["agent"]), moment
        for row in now.itertuples(index=False):
            mine = covering[covering["agent"] == row.agent]
            if row.open:
                # the stretch in effect at now: it started at `since` and goes on past now
                match = mine[(mine["end"] > moment) & (mine["start"] <= moment)]
                assert list(match["start"]) == [row.since]
                assert row.out_seconds == (moment - row.since).total_seconds()
            else:
                assert (mine["end"] == moment).all()
                assert row.since in set(mine["start"])


@settings(max_examples=15, deadline=None)
@given(case=cases(), data=st.data())
def test_schedule_change_applies_to_one_agent(case: Case, data: st.DataObject) -> None:
    schedule, events = frames(case)
    agent = schedule["agent"].iloc[0]
    new_segments = pd.DataFrame(
        {
            "activity": [data.draw(st.sampled_from(ACTIVITIES))],
            "start": [minute(300)],
            "end": [minute(300 + data.draw(st.integers(1, 200)))],
        }
    )
    tracker = AdherenceTracker(schedule, rules=case.rules)
    tracker.observe_many(events.sort_values("start", kind="stable"))
    tracker.agent_adherence(minute(case.until))
    tracker.update_schedule(agent, new_segments)
    changed = pd.concat(
        [schedule[schedule["agent"] != agent], new_segments.assign(agent=agent)],
        ignore_index=True,
    )
    expected = compute_adherence(
        changed, events, rules=case.rules, until=minute(case.until), period_end="2024-01-11"
    )
    running = tracker.agent_adherence(minute(case.until)).set_index("agent")
    want = expected.to_frame().set_index("agent")
    for column in COMPARED:
        np.testing.assert_allclose(running[column], want[column], rtol=1e-12, err_msg=column)


def test_tracker_reports_who_is_out_of_adherence_now() -> None:
    schedule = pd.DataFrame(
        {
            "agent": ["a", "b"],
            "activity": ["work", "work"],
            "start": [minute(60), minute(60)],
            "end": [minute(180), minute(180)],
        }
    )
    tracker = AdherenceTracker(schedule)
    tracker.observe("a", "Available", minute(55))
    tracker.observe("b", "Available", minute(60))
    tracker.observe("b", "Break", minute(100))
    now = tracker.out_of_adherence(minute(110))
    assert list(now["agent"]) == ["b"]
    assert now["since"].iloc[0] == minute(100)
    assert now["out_seconds"].iloc[0] == 600
    assert now["impact"].iloc[0] == "negative"


def test_out_of_adherence_lists_agents_with_an_event_exactly_at_now() -> None:
    schedule = pd.DataFrame(
        {
            "agent": ["back", "gone", "fine"],
            "activity": ["work"] * 3,
            "start": [minute(60)] * 3,
            "end": [minute(180)] * 3,
        }
    )
    tracker = AdherenceTracker(schedule)
    tracker.observe("back", "Break", minute(60))
    tracker.observe("gone", "Available", minute(60))
    tracker.observe("fine", "Available", minute(60))
    tracker.observe("back", "Available", minute(100))  # exception ends at now
    tracker.observe("gone", "Break", minute(100))  # exception starts at now
    tracker.observe("fine", "On Call", minute(100))
    now = tracker.out_of_adherence(minute(100)).set_index("agent")
    assert sorted(now.index) == ["back", "gone"]
    assert now.loc["back", "since"] == minute(60)
    assert now.loc["back", "out_seconds"] == 40 * 60
    assert not now.loc["back", "open"]
    assert now.loc["gone", "since"] == minute(100)
    assert now.loc["gone", "out_seconds"] == 0
    assert now.loc["gone", "open"]
    assert now.loc["gone", "actual_state"] == "Break"
    later = tracker.out_of_adherence(minute(101)).set_index("agent")
    assert list(later.index) == ["gone"]


def test_tracker_queries_at_both_edges_of_the_period() -> None:
    schedule = pd.DataFrame(
        {"agent": ["a"], "activity": ["work"], "start": [minute(60)], "end": [minute(120)]}
    )
    tracker = AdherenceTracker(schedule)
    tracker.observe("a", "Available", minute(0))
    start = tracker.agent_adherence(minute(0))
    assert start["scheduled_seconds"].iloc[0] == 0
    assert tracker.out_of_adherence(minute(0)).empty
    end = tracker.agent_adherence(DAY + pd.Timedelta(days=1))
    assert end["adherence"].iloc[0] == 1.0
    with pytest.raises(InputError, match="outside the tracker's period"):
        tracker.agent_adherence(DAY + pd.Timedelta(days=1, seconds=1))


def test_tracker_bad_events() -> None:
    schedule = pd.DataFrame(
        {"agent": ["a"], "activity": ["work"], "start": [minute(60)], "end": [minute(180)]}
    )
    tracker = AdherenceTracker(schedule)
    tracker.observe("a", "Available", minute(70))
    with pytest.raises(Exception, match="earlier than the agent's last event"):
        tracker.observe("a", "Break", minute(65))
    with pytest.raises(Exception, match="no schedule"):
        tracker.observe("zed", "Break", minute(75))
    with pytest.raises(Exception, match="naive"):
        tracker.observe("a", "Break", pd.Timestamp("2024-01-10 02:00"))
    flagging = AdherenceTracker(schedule, on_bad="flag")
    flagging.observe("a", "Available", minute(70))
    flagging.observe("a", "Dancing", minute(71))
    flagging.observe("a", "Break", minute(65))
    assert list(flagging.flagged["reason"]) == ["unknown_state", "unsorted"]
    assert flagging.agent_adherence(minute(180))["adherence"].iloc[0] == pytest.approx(110 / 120)


def test_observe_many_with_an_out_of_order_row_matches_observe() -> None:
    schedule = pd.DataFrame(
        {
            "agent": ["a", "b"],
            "activity": ["work", "work"],
            "start": [minute(60)] * 2,
            "end": [minute(180)] * 2,
        }
    )
    batch = pd.DataFrame(
        {
            "agent": ["a", "b", "a", "a"],
            "state": ["Available", "Available", "Break", "Not Ready"],
            "start": [minute(60), minute(61), minute(90), minute(80)],
        }
    )
    many = AdherenceTracker(schedule, on_bad="flag")
    many.observe_many(batch)
    single = AdherenceTracker(schedule, on_bad="flag")
    for row in batch.itertuples(index=False):
        single.observe(row.agent, row.state, row.start)
    assert list(many.flagged["reason"]) == ["unsorted"]
    pd.testing.assert_frame_equal(
        many.agent_adherence(minute(200)), single.agent_adherence(minute(200))
    )


def test_tracker_equals_batch_across_a_fall_back_day() -> None:
    tz = "Europe/London"
    day = pd.Timestamp("2024-10-27", tz=tz)

    def at(hours: float) -> pd.Timestamp:
        return day + pd.Timedelta(hours=hours)  # absolute hours after local midnight

    schedule = pd.DataFrame(
        {
            "agent": ["a", "a", "b"],
            "activity": ["work", "break", "work"],
            "start": [at(0.5), at(2.0), at(1.0)],
            "end": [at(2.0), at(2.5), at(4.0)],
            "team": ["t", "t", "u"],
        }
    )
    events = pd.DataFrame(
        {
            "agent": ["a", "b", "a", "b", "a", "b"],
            "state": ["Available", "Available", "Break", "Not Ready", "Available", "Logged Out"],
            "start": [at(0.6), at(1.0), at(1.9), at(1.5), at(2.6), at(3.5)],
        }
    ).sort_values("start")
    now = at(5.0)
    batch = compute_adherence(schedule, events, until=now)
    tracker = AdherenceTracker(schedule)
    for row in events.itertuples(index=False):
        tracker.observe(row.agent, row.state, row.start)
    running = tracker.agent_adherence(now).set_index("agent")
    expected = batch.to_frame().set_index("agent")
    np.testing.assert_allclose(running["adherence"], expected["adherence"])
    assert len(batch.aggregate("interval")) == 50
    per_team = batch.aggregate("team_interval")
    assert len(per_team) == 100
    assert per_team["scheduled_seconds"].sum() == pytest.approx(5.0 * 3600)  # 2 h + 3 h
