"""Fuzz the public entry points: every input gives a result or a WfmError, fast and small.

Hypothesis generates malformed arrays, frames, tables and configurations (NaN, infinities,
booleans, text, huge and negative numbers, mistyped years, unequal lengths, naive times,
unknown zones). Each call must return, or raise a ``WfmError`` subclass, within
``TIME_LIMIT_SECONDS`` and without allocating more than ``MEMORY_LIMIT_BYTES`` (measured by
tracemalloc, which numpy reports its buffers to). The suite's ``ci`` profile keeps the
examples fixed (derandomized); ``make test-explore`` draws ten times as many at random.
"""

import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import wfm
from wfm.core import Table, TableColumn, WfmError

TIME_LIMIT_SECONDS = 10.0
MEMORY_LIMIT_BYTES = 256 * 2**20
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


def result_or_wfm_error(call: Callable[[], Any]) -> None:
    """Run ``call``; fail unless it returns or raises WfmError, in bounded time and memory."""
    tracemalloc.start()
    began = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()
    except WfmError:
        pass
    finally:
        elapsed = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < TIME_LIMIT_SECONDS, f"took {elapsed:.1f} s"
    assert peak < MEMORY_LIMIT_BYTES, f"allocated {peak / 2**20:.0f} MiB"


scalars = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e3, max_value=1e4),
    st.integers(-5, 10**12),
    st.booleans(),
    st.none(),
    st.text(max_size=4),
    st.sampled_from([1.7e9, 1.7e12, -0.0, 1e-300, 2**63]),
)
numbers = st.one_of(scalars, st.lists(scalars, min_size=0, max_size=6))


@FUZZ
@given(volume=numbers, aht=numbers, agents=numbers, level=scalars)
def test_erlang_entry_points(volume: Any, aht: Any, agents: Any, level: Any) -> None:
    result_or_wfm_error(lambda: wfm.erlang_c(volume, agents))
    result_or_wfm_error(lambda: wfm.erlang_b(volume, agents))
    result_or_wfm_error(
        lambda: wfm.required_agents(volume, aht, target_service_level=level, target_seconds=20)
    )
    result_or_wfm_error(lambda: wfm.service_level(volume, aht, agents, target_seconds=20))


stamps = st.one_of(
    st.datetimes(
        min_value=pd.Timestamp("1990-01-01").to_pydatetime(),
        max_value=pd.Timestamp("2240-01-01").to_pydatetime(),
    ).map(lambda d: pd.Timestamp(d).floor("min")),
    st.sampled_from(
        [pd.Timestamp("2024-03-31 01:30"), pd.Timestamp("2204-01-01"), pd.Timestamp("2024-01-01")]
    ),
)
zones = st.sampled_from(["UTC", "Europe/London", "America/New_York", None])


@st.composite
def interval_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 30))
    base = draw(stamps)
    step = draw(st.sampled_from([15, 30, 60, 7]))
    starts = [base + pd.Timedelta(minutes=step * i) for i in range(n)]
    if n and draw(st.booleans()):
        starts[draw(st.integers(0, n - 1))] = draw(stamps)
    zone = draw(zones)
    index = pd.DatetimeIndex(starts)
    if zone is not None:
        index = index.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    columns: dict[str, Any] = {
        "queue": draw(st.sampled_from([["q"] * n, [None] * n, list(range(n))])),
        "interval_start": index,
        "volume": [draw(scalars) for _ in range(n)],
    }
    if draw(st.booleans()):
        columns["aht_seconds"] = [draw(scalars) for _ in range(n)]
    return pd.DataFrame(columns)


@FUZZ
@given(frame=interval_frames(), minutes=st.sampled_from([None, 15, 30, 60, 45, True]))
def test_interval_frame_entry_points(frame: pd.DataFrame, minutes: Any) -> None:
    result_or_wfm_error(lambda: wfm.validate_interval_frame(frame, interval_minutes=minutes))
    result_or_wfm_error(lambda: wfm.staff_intervals(frame, target_service_level=0.8))


@FUZZ
@given(
    kind=st.sampled_from(["float", "int", "bool", "str", "datetime", "timedelta"]),
    values=st.lists(
        st.one_of(scalars, st.sampled_from(["2024-01-01T00:00", "2204-13-01"])), max_size=5
    ),
    other=st.integers(0, 5),
    tz=st.sampled_from([None, "UTC", "Europe/London", "Nowhere/City"]),
)
@example(kind="timedelta", values=[9223372036855.0], other=1, tz=None)  # found: overflow
def test_table_entry_point(kind: str, values: list[Any], other: int, tz: str | None) -> None:
    cells = [v if not isinstance(v, int) or abs(v) < 2**53 else float(v) for v in values]
    table = Table(
        columns=[
            TableColumn(name="a", kind=kind, tz=tz, values=cells),  # type: ignore[arg-type]
            TableColumn(name="b", kind="int", values=list(range(other))),
        ]
    )
    result_or_wfm_error(table.to_frame)


@st.composite
def schedules_and_events(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    day = draw(stamps).tz_localize("UTC")
    n = draw(st.integers(0, 4))
    starts = [day + pd.Timedelta(minutes=draw(st.integers(-60, 600))) for _ in range(n)]
    ends = [s + pd.Timedelta(minutes=draw(st.integers(-30, 10**6))) for s in starts]
    schedule = pd.DataFrame(
        {
            "agent": [draw(st.sampled_from(["a", "b", None])) for _ in range(n)],
            "activity": [draw(st.sampled_from(["work", "break", "zzz"])) for _ in range(n)],
            "start": pd.DatetimeIndex(starts, dtype="datetime64[ns, UTC]"),
            "end": pd.DatetimeIndex(ends, dtype="datetime64[ns, UTC]"),
        }
    )
    m = draw(st.integers(0, 4))
    events = pd.DataFrame(
        {
            "agent": [draw(st.sampled_from(["a", "b", "ghost"])) for _ in range(m)],
            "state": [draw(st.sampled_from(["Available", "Break", "Dancing"])) for _ in range(m)],
            "start": pd.DatetimeIndex(
                [draw(stamps).tz_localize("UTC") for _ in range(m)], dtype="datetime64[ns, UTC]"
            ),
        }
    )
    return schedule, events


EMPTY_SCHEDULE = pd.DataFrame(
    {
        "agent": [],
        "activity": [],
        "start": pd.DatetimeIndex([], tz="UTC"),
        "end": pd.DatetimeIndex([], tz="UTC"),
    }
)
NO_EVENTS = pd.DataFrame({"agent": [], "state": [], "start": pd.DatetimeIndex([], tz="UTC")})


@FUZZ
@given(data=schedules_and_events(), on_bad=st.sampled_from(["raise", "flag", "ignore"]))
@example(data=(EMPTY_SCHEDULE, NO_EVENTS), on_bad="raise")  # found: NaT.normalize()
def test_adherence_entry_points(data: tuple[pd.DataFrame, pd.DataFrame], on_bad: str) -> None:
    schedule, events = data
    result_or_wfm_error(lambda: wfm.compute_adherence(schedule, events, on_bad=on_bad))  # type: ignore[arg-type]

    def tracker() -> None:
        live = wfm.AdherenceTracker(schedule, on_bad=on_bad)  # type: ignore[arg-type]
        live.observe_many(events)
        live.out_of_adherence(events["start"].max() if len(events) else schedule["end"].max())

    result_or_wfm_error(tracker)


@FUZZ
@given(
    wait=scalars,
    talk=scalars,
    answered_after=st.integers(-(10**6), 10**6),
    arrival=stamps,
)
def test_contact_kpis_entry_point(wait: Any, talk: Any, answered_after: int, arrival: Any) -> None:
    at = arrival.tz_localize("UTC")
    records = pd.DataFrame(
        {
            "arrival": [at, pd.Timestamp("2024-01-01 09:00", tz="UTC")],
            "answered_at": [at + pd.Timedelta(seconds=answered_after), pd.NaT],
            "outcome": ["answered", "abandoned"],
            "wait_seconds": [wait, 3.0],
            "talk_seconds": [talk, 0.0],
            "customer": ["c", "d"],
            "queue": ["q", "q"],
        }
    )
    result_or_wfm_error(lambda: wfm.contact_kpis(records))


config_values = st.one_of(
    scalars,
    st.lists(scalars, max_size=2),
    st.dictionaries(st.text(max_size=3), scalars, max_size=2),
)


@FUZZ
@given(
    section=st.sampled_from(["site", "forecast", "staffing", "schedule", "adherence", "nope"]),
    key=st.sampled_from(["time_zone", "horizon_days", "interval_minutes", "levels", "model", "x"]),
    value=config_values,
)
def test_config_entry_point(section: str, key: str, value: Any) -> None:
    from wfm.config import parse_config

    result_or_wfm_error(lambda: parse_config({"site": {"time_zone": "UTC"}, section: {key: value}}))


@FUZZ
@given(
    y=numbers,
    h=scalars,
    levels=st.one_of(st.lists(scalars, max_size=3), scalars),
    start=st.one_of(st.text(max_size=12), stamps.map(str)),
    end=st.one_of(st.text(max_size=12), stamps.map(str)),
    minutes=scalars,
    tz=st.sampled_from(["UTC", "Europe/London", "Mars/Olympus", "", "utc"]),
)
@example(y=0.0, h=2**63, levels=[], start="", end="", minutes=None, tz="UTC")  # found: 2^63 h
def test_forecast_and_grid_entry_points(
    y: Any, h: Any, levels: Any, start: str, end: str, minutes: Any, tz: str
) -> None:
    result_or_wfm_error(
        lambda: (
            wfm.SeasonalNaive(slots_per_day=2)
            .fit(np.resize(np.asarray(y, dtype=object), 28))
            .predict(h, levels=levels)
        )
    )
    result_or_wfm_error(lambda: wfm.make_interval_grid(start, end, interval_minutes=minutes, tz=tz))


@FUZZ
@given(content=st.binary(max_size=200), tz=st.sampled_from(["UTC", "Nowhere/Zone"]))
def test_read_frame_entry_point(content: bytes, tz: str) -> None:
    import tempfile
    from pathlib import Path

    from wfm.io import read_frame

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes(b"queue,interval_start,volume\n" + content)
        result_or_wfm_error(lambda: read_frame(path, tz=tz, time_columns=["interval_start"]))
