"""Benchmark of wfm.adherence: batch adherence, the real-time tracker and contact KPIs.

--quick (CI): 500 agents x 7 days of state events, tracker on 200k events, KPIs from 1M
contact records. --full: 5,000 agents x 30 days (about 18 million state events),
tracker on 1M events, KPIs from 10M records. Targets (issue 6): batch <= 20 s,
tracker >= 50,000 events/s, KPIs <= 10 s, memory < 8 GiB.

Exit code 1 only if a result is wrong: tracker differs from batch on a sample, an
aggregation does not add up, adherence leaves [0, 1], or KPI counts disagree with a
direct pandas computation. Times are printed, with the ratio to a baseline measured in the
same process (a plain pandas sort of the same events / records).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

import numpy as np
import pandas as pd

from wfm.adherence import (
    AdherenceRules,
    AdherenceTracker,
    ContactColumns,
    compute_adherence,
    contact_kpis,
)

TZ = "Europe/Paris"
FIRST_DAY = pd.Timestamp("2024-01-08", tz=TZ)
# one shift template: (activity, minutes from shift start, minutes long)
TEMPLATE = [
    ("work", 0, 120),
    ("break", 120, 15),
    ("work", 135, 105),
    ("lunch", 240, 30),
    ("work", 270, 120),
    ("break", 390, 15),
    ("work", 405, 75),
]
SHIFT_MINUTES = 480
STATE_NAMES = [
    "Available",
    "On Call",
    "After Call Work",
    "Break",
    "Lunch",
    "Not Ready",
    "Logged Out",
]
STATE_CODE = {"break": 3, "lunch": 4}
QUEUES = np.array(["sales", "support", "billing", "retention"])


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def make_schedule(n_agents: int, n_days: int, rng: np.random.Generator) -> pd.DataFrame:
    day_starts = np.array(
        [(FIRST_DAY + pd.Timedelta(days=d)).value for d in range(n_days)], dtype=np.int64
    )
    offsets = rng.integers(0, 33, size=(n_agents, n_days)) * 15 + 7 * 60  # 07:00-15:00
    shift_start = day_starts[None, :] + offsets * 60_000_000_000
    agent = np.repeat(np.arange(n_agents), n_days)
    starts = shift_start.reshape(-1)
    rows_agent = np.repeat(agent, len(TEMPLATE))
    rel_start = np.tile([m for _, m, _ in TEMPLATE], agent.size) * 60_000_000_000
    rel_len = np.tile([n for _, _, n in TEMPLATE], agent.size) * 60_000_000_000
    base = np.repeat(starts, len(TEMPLATE))
    activity = np.tile([a for a, _, _ in TEMPLATE], agent.size)
    frame = pd.DataFrame(
        {
            "agent": rows_agent,
            "activity": activity,
            "start": pd.DatetimeIndex(base + rel_start, tz="UTC").tz_convert(TZ),
            "end": pd.DatetimeIndex(base + rel_start + rel_len, tz="UTC").tz_convert(TZ),
        }
    )
    frame["team"] = frame["agent"] // 50
    return frame


def make_events(
    schedule: pd.DataFrame, events_per_shift: int, rng: np.random.Generator
) -> pd.DataFrame:
    first = schedule.groupby(["agent", schedule["start"].dt.date], sort=True)["start"].min()
    shift_start = pd.DatetimeIndex(first.to_numpy()).as_unit("ns").asi8
    agents = first.index.get_level_values(0).to_numpy()
    n_shifts = shift_start.size
    minute = 60_000_000_000
    # login within +-5 min of the start, then sorted random state changes, logout near end
    offsets = np.sort(
        rng.uniform(0, SHIFT_MINUTES * minute, size=(n_shifts, events_per_shift - 2)), axis=1
    )
    login = rng.normal(0, 3 * minute, size=(n_shifts, 1))
    logout = SHIFT_MINUTES * minute + rng.normal(0, 3 * minute, size=(n_shifts, 1))
    rel = np.concatenate([login, offsets, logout], axis=1)
    rel = np.maximum.accumulate(rel, axis=1).astype(np.int64)
    template_starts = np.array([m for _, m, _ in TEMPLATE]) * minute
    which = np.clip(np.searchsorted(template_starts, rel, side="right") - 1, 0, len(TEMPLATE) - 1)
    template_code = np.array([STATE_CODE.get(a, -1) for a, _, _ in TEMPLATE])[which]
    work_pick = rng.integers(0, 3, size=rel.shape)  # Available, On Call, After Call Work
    code = np.where(template_code < 0, work_pick, template_code)
    deviate = rng.random(rel.shape) < 0.06
    other = np.array([5, 3, 0])[rng.integers(0, 3, rel.shape)]  # Not Ready, Break, Available
    code = np.where(deviate, other, code)
    code[:, -1] = 6  # Logged Out
    times = shift_start[:, None] + rel
    return pd.DataFrame(
        {
            "agent": np.repeat(agents, events_per_shift),
            "state": pd.Categorical.from_codes(code.reshape(-1), categories=STATE_NAMES),
            "start": pd.DatetimeIndex(times.reshape(-1), tz="UTC").tz_convert(TZ),
        }
    )


def check(condition: bool, message: str, failures: list[str]) -> None:
    status = "ok" if condition else "WRONG"
    print(f"  check {status}: {message}")
    if not condition:
        failures.append(message)


def bench_batch(n_agents: int, n_days: int, failures: list[str]) -> None:
    rng = np.random.default_rng(7)
    started = time.perf_counter()
    schedule = make_schedule(n_agents, n_days, rng)
    events = make_events(schedule, 120, rng)
    print(
        f"generated {len(schedule):,} segments and {len(events):,} state events for "
        f"{n_agents:,} agents x {n_days} days in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    events.sort_values(["agent", "start"], kind="stable")
    baseline = time.perf_counter() - started
    rules = AdherenceRules(start_before_seconds=60, end_after_seconds=60, min_exception_seconds=30)
    started = time.perf_counter()
    cpu_started = time.process_time()
    result = compute_adherence(schedule, events, rules=rules)
    per_agent_day = result.aggregate("agent_day")
    per_interval = result.aggregate("interval")
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(
        f"batch adherence (per agent-day {len(per_agent_day):,} rows and per interval "
        f"{len(per_interval):,} rows): {elapsed:.2f} s = {len(events) / elapsed:,.0f} events/s; "
        f"{elapsed / baseline:.1f}x a pandas sort of the events ({baseline:.2f} s); "
        f"{len(result.exceptions):,} exceptions; process CPU {cpu:.2f} s; "
        f"peak RSS {peak_rss_gib():.2f} GiB"
    )
    total = result.summary()
    check(
        abs(per_agent_day["scheduled_seconds"].sum() - total["scheduled_seconds"])
        < 1e-6 * total["scheduled_seconds"],
        "agent-day scheduled time adds up to the total",
        failures,
    )
    check(
        abs(per_interval["exception_seconds"].sum() - total["exception_seconds"])
        < 1e-6 * max(total["exception_seconds"], 1),
        "interval exception time adds up to the total",
        failures,
    )
    values = per_agent_day["adherence"].dropna()
    check(bool(((values >= 0) & (values <= 1)).all()), "adherence within [0, 1]", failures)
    expected_scheduled = n_agents * n_days * sum(n for _, _, n in TEMPLATE) * 60
    check(
        abs(total["scheduled_seconds"] - expected_scheduled) < 1e-9 * expected_scheduled,
        "scheduled time equals the generated schedule",
        failures,
    )
    print(f"  overall adherence {total['adherence']:.4f}, conformance {total['conformance']:.4f}")


def bench_tracker(n_events: int, failures: list[str]) -> None:
    rng = np.random.default_rng(11)
    n_agents = max(50, n_events // 600)
    schedule = make_schedule(n_agents, 2, rng)
    events = make_events(schedule, 300, rng)
    stream = events.sort_values("start", kind="stable").reset_index(drop=True).iloc[:n_events]
    now = stream["start"].iloc[-1] + pd.Timedelta(minutes=1)
    agents = stream["agent"].tolist()
    states = stream["state"].astype(str).tolist()
    stamps = list(stream["start"])
    tracker = AdherenceTracker(schedule)
    started = time.perf_counter()
    for agent, state, stamp in zip(agents, states, stamps, strict=True):
        tracker.observe(agent, state, stamp)
    running = tracker.agent_adherence(now)
    one_by_one = time.perf_counter() - started
    print(
        f"tracker, one event at a time: {len(stream):,} events in {one_by_one:.2f} s = "
        f"{len(stream) / one_by_one:,.0f} events/s (incl. one adherence query)"
    )
    batched = AdherenceTracker(schedule)
    started = time.perf_counter()
    queries = 0
    for lo in range(0, len(stream), 1000):
        batched.observe_many(stream.iloc[lo : lo + 1000])
        if lo % 50_000 == 0:
            batched.out_of_adherence(stream["start"].iloc[min(lo + 999, len(stream) - 1)])
            queries += 1
    batched_running = batched.agent_adherence(now)
    in_batches = time.perf_counter() - started
    print(
        f"tracker, batches of 1,000 with {queries} who-is-out queries: {in_batches:.2f} s = "
        f"{len(stream) / in_batches:,.0f} events/s"
    )
    started = time.perf_counter()
    batch = compute_adherence(schedule, stream, until=now).to_frame()
    batch_time = time.perf_counter() - started
    print(f"  batch path on the same events: {batch_time:.2f} s")
    for name, table in (("one at a time", running), ("batches", batched_running)):
        same = np.allclose(
            table["adherence"].to_numpy(), batch["adherence"].to_numpy(), rtol=1e-12, equal_nan=True
        ) and np.allclose(
            table["exception_seconds"].to_numpy(), batch["exception_seconds"].to_numpy(), rtol=1e-12
        )
        check(same, f"tracker ({name}) equals the batch computation per agent", failures)


def make_contacts(n_records: int, rng: np.random.Generator) -> pd.DataFrame:
    days = 30
    start = pd.Timestamp("2024-01-01", tz=TZ).value
    seconds = rng.uniform(7 * 3600, 22 * 3600, n_records) + rng.integers(0, days, n_records) * 86400
    arrival = start + (seconds * 1e9).astype(np.int64)
    answered = rng.random(n_records) < 0.9
    wait = np.round(rng.exponential(30, n_records))
    talk = np.round(rng.lognormal(5.2, 0.6, n_records))
    answered_at = np.where(
        answered, arrival + (wait * 1e9).astype(np.int64), np.iinfo(np.int64).min
    )
    customer = rng.integers(0, n_records // 3, n_records).astype(np.int64)
    frame = pd.DataFrame(
        {
            "arrival": pd.DatetimeIndex(arrival, tz="UTC").tz_convert(TZ),
            "answered_at": pd.DatetimeIndex(answered_at, tz="UTC").tz_convert(TZ),
            "outcome": pd.Categorical(np.where(answered, "answered", "abandoned")),
            "wait_seconds": wait,
            "talk_seconds": np.where(answered, talk, 0.0),
            "customer": np.where(rng.random(n_records) < 0.4, -1, customer),
            "queue": pd.Categorical(
                np.array(["sales", "support", "billing", "retention"])[
                    rng.integers(0, 4, n_records)
                ]
            ),
        }
    )
    return frame


def bench_kpis(n_records: int, failures: list[str]) -> None:
    rng = np.random.default_rng(3)
    records = make_contacts(n_records, rng)
    columns = ContactColumns(unidentified_customers=(-1,))
    started = time.perf_counter()
    records.sort_values("arrival")
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    cpu_started = time.process_time()
    result = contact_kpis(records, columns=columns)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(
        f"contact KPIs: {n_records:,} records -> {len(result.frame):,} queue-intervals in "
        f"{elapsed:.2f} s = {n_records / elapsed:,.0f} records/s; {elapsed / baseline:.1f}x a "
        f"pandas sort of the records ({baseline:.2f} s); process CPU {cpu:.2f} s; "
        f"peak RSS {peak_rss_gib():.2f} GiB"
    )
    # independent pandas groupby on the same records
    started = time.perf_counter()
    floor = records["arrival"].dt.floor("30min")
    answered = records["outcome"] == "answered"
    grouped = (
        pd.DataFrame(
            {
                "queue": records["queue"].astype(str),
                "interval_start": floor,
                "offered": 1,
                "within": (answered & (records["wait_seconds"] <= 20)).astype(int),
            }
        )
        .groupby(["queue", "interval_start"])
        .sum()
    )
    ours = result.frame.set_index(["queue", "interval_start"])
    ours = ours[ours["offered"] > 0]
    aligned = grouped.reindex(ours.index)
    check(
        bool((aligned["offered"].to_numpy() == ours["offered"].to_numpy()).all())
        and len(grouped) == len(ours),
        "offered per queue-interval equals a pandas groupby",
        failures,
    )
    check(
        bool((aligned["within"].to_numpy() == ours["answered_within_threshold"].to_numpy()).all()),
        "answered within 20 s per queue-interval equals a pandas groupby",
        failures,
    )
    print(f"  (pandas groupby check took {time.perf_counter() - started:.2f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="CI sizes (default)")
    mode.add_argument("--full", action="store_true", help="the sizes of issue 6")
    args = parser.parse_args()
    full = bool(args.full)
    failures: list[str] = []
    print("pyworkforce comparison skipped: pyworkforce has no adherence or contact-KPI functions")
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (wall times include waiting)")
    if full:
        bench_batch(5000, 30, failures)
        bench_tracker(1_000_000, failures)
        bench_kpis(10_000_000, failures)
    else:
        bench_batch(500, 7, failures)
        bench_tracker(200_000, failures)
        bench_kpis(1_000_000, failures)
    if failures:
        print(f"WRONG results: {failures}", file=sys.stderr)
        return 1
    print("all adherence benchmark results correct")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
