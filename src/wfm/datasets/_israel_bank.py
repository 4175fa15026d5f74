"""Loader for the Technion "Anonymous Bank" call records (January 1999)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from wfm.core.errors import InputError
from wfm.core.frames import AHT_SECONDS, INTERVAL_START, QUEUE, VOLUME
from wfm.core.grid import check_interval_minutes, make_interval_grid

ISRAEL_BANK_TZ = "Asia/Jerusalem"
"""Time zone of the records (local Israel wall-clock time)."""

ISRAEL_BANK_SOURCE = (
    "Technion Service Enterprise Engineering Lab, 'Anonymous Bank' call-centre data, 1999 "
    "(I. Guedj and A. Mandelbaum); Brown et al. (2005), JASA 100:36-50. Free for use with "
    "acknowledgement."
)
"""Citation to show wherever the data are used."""

_TIME_COLUMNS = ("vru_entry", "vru_exit", "q_start", "q_exit", "ser_start", "ser_exit")


@cache
def _read_records() -> pd.DataFrame:
    path = resources.files("wfm.datasets").joinpath("data/israel_bank_calls_1999_01.csv.gz")
    with path.open("rb") as handle:
        frame = pd.read_csv(handle, compression="gzip", dtype={"call_id": np.int64})
    for column in _TIME_COLUMNS:
        frame[column] = pd.to_datetime(frame[column]).dt.tz_localize(
            ISRAEL_BANK_TZ, ambiguous="raise", nonexistent="raise"
        )
    frame["call_date"] = pd.to_datetime(frame["call_date"]).dt.date
    return frame


def load_israel_bank_calls() -> pd.DataFrame:
    """Return the January 1999 call-by-call records of the Israeli bank's call centre.

    Returns
    -------
    pandas.DataFrame
        One row per call (31,599 rows). Time columns (``vru_entry``, ``vru_exit``,
        ``q_start``, ``q_exit``, ``ser_start``, ``ser_exit``) are aware timestamps in
        ``Asia/Jerusalem`` (NaT where the call never reached that stage). ``q_time`` and
        ``ser_time`` are seconds waited in queue and seconds of service (handle time).
        ``outcome`` is ``AGENT`` (served), ``HANG`` (hung up, in the voice-response unit or
        in the queue) or ``PHANTOM`` (a spurious record). ``server`` is the agent code, or
        ``NO_SERVER``. ``customer`` is a caller code or ``unidentified``.

    Notes
    -----
    Source: see :data:`ISRAEL_BANK_SOURCE`. 1999-01-11 and 1999-01-12 are missing. The
    week runs Sunday–Thursday 07:00–24:00, Friday to 14:00, Saturday from about 20:00.
    """
    return _read_records().copy()


def _agent_arrival(calls: pd.DataFrame) -> pd.Series:
    """Time a call asked for an agent: queue entry, else service start, else VRU exit."""
    return calls["q_start"].fillna(calls["ser_start"]).fillna(calls["vru_exit"])


def israel_bank_intervals(
    interval_minutes: int = 30, *, queue: str = "anonymous_bank"
) -> pd.DataFrame:
    """Return the bank's agent-queue load as a canonical interval frame.

    Parameters
    ----------
    interval_minutes : int, default 30
        Interval length in minutes.
    queue : str, default "anonymous_bank"
        Value of the ``queue`` column.

    Returns
    -------
    pandas.DataFrame
        One row per interval of every local day present in the records (full days, zero
        where no call arrived), with columns ``queue``, ``interval_start`` (aware,
        Asia/Jerusalem), ``volume`` (contacts offered to agents), ``aht_seconds``,
        ``answered``, ``abandoned``, ``abandon_wait_seconds`` (total seconds that the
        abandoned contacts waited), ``wait_seconds`` (total seconds that all offered
        contacts waited in queue, answered or not) and ``aht_imputed``.

        Mean patience under exponential patience is estimated as
        ``wait_seconds.sum() / abandoned.sum()`` (each caller's wait is an observation of
        patience, censored by the answer for the answered ones: Brown et al. 2005, §6).

    Notes
    -----
    Definitions (stated, not hidden):

    * *offered* = calls that asked for an agent: outcome ``AGENT``, or ``HANG`` after
      entering the queue. Calls that hung up inside the voice-response unit and
      ``PHANTOM`` records are not offered. A call counts in the interval in which it
      asked for an agent (queue entry, or service start for calls served at once).
    * *aht_seconds* = mean ``ser_time`` of the calls answered in the interval. Where an
      interval has offered calls but no answered call with positive service time, the
      volume-weighted AHT of the same local day is used and ``aht_imputed`` is True;
      where volume is 0, ``aht_seconds`` is NaN.
    * Days absent from the records (1999-01-11 and 1999-01-12) are absent from the frame:
      they are not filled with zeros.
    """
    check_interval_minutes(interval_minutes)
    calls = _read_records()
    calls = calls[calls["outcome"] != "PHANTOM"]
    offered_mask = (calls["outcome"] == "AGENT") | (
        (calls["outcome"] == "HANG") & calls["q_start"].notna()
    )
    offered = calls[offered_mask]
    step = f"{interval_minutes}min"
    start = _agent_arrival(offered).dt.floor(step)
    answered = offered["outcome"] == "AGENT"
    abandoned = ~answered
    per_call = pd.DataFrame(
        {
            INTERVAL_START: start,
            VOLUME: 1.0,
            "answered": answered.astype(np.float64),
            "abandoned": abandoned.astype(np.float64),
            "service_seconds": np.where(answered, offered["ser_time"], 0.0),
            "served_with_time": (answered & (offered["ser_time"] > 0)).astype(np.float64),
            "abandon_wait_seconds": np.where(abandoned, offered["q_time"], 0.0),
            "wait_seconds": offered["q_time"].astype(np.float64),
        }
    )
    sums = per_call.groupby(INTERVAL_START).sum()

    days = pd.DatetimeIndex(calls["vru_entry"]).normalize().unique().sort_values()
    day_grids = [
        make_interval_grid(
            day, day + pd.Timedelta(days=1), interval_minutes=interval_minutes, tz=ISRAEL_BANK_TZ
        )
        for day in days
    ]
    grid = pd.DatetimeIndex(pd.concat([d.to_series() for d in day_grids]).index)
    grid = grid.as_unit(pd.DatetimeIndex(sums.index).unit)
    sums = sums.reindex(grid, fill_value=0.0)

    with np.errstate(invalid="ignore", divide="ignore"):
        aht = sums["service_seconds"].to_numpy() / sums["served_with_time"].to_numpy()
    local_day = grid.normalize()
    daily = sums.groupby(local_day).sum()
    daily_aht = (daily["service_seconds"] / daily["served_with_time"]).reindex(local_day).to_numpy()
    volume = sums[VOLUME].to_numpy()
    needs_fill = (volume > 0) & ~(np.isfinite(aht) & (aht > 0))
    aht = np.where(needs_fill, daily_aht, aht)
    aht = np.where(volume > 0, aht, np.nan)

    return pd.DataFrame(
        {
            QUEUE: queue,
            INTERVAL_START: grid,
            VOLUME: volume,
            AHT_SECONDS: aht,
            "answered": sums["answered"].to_numpy(),
            "abandoned": sums["abandoned"].to_numpy(),
            "abandon_wait_seconds": sums["abandon_wait_seconds"].to_numpy(),
            "wait_seconds": sums["wait_seconds"].to_numpy(),
            "aht_imputed": needs_fill,
        }
    )


def israel_bank_agent_states(idle_minutes: float = 15.0) -> pd.DataFrame:
    """Derive an agent state log from the records' service intervals.

    The records hold when each agent served each call (``ser_start`` to ``ser_exit``), not
    the agents' full state history, so the log is inferred by a stated rule:

    * *On Call* while the agent serves a call. Calls of one agent that overlap (202 pairs
      in January; e.g. a consultation held while another call waits) are merged into one
      On Call stretch; zero-length services add no time.
    * *Available* in a gap of at most ``idle_minutes`` between two On Call stretches.
    * *Logged Out* in a longer gap (including overnight).

    Parameters
    ----------
    idle_minutes : float, default 15
        Longest gap between calls, in minutes, still counted as Available.

    Returns
    -------
    pandas.DataFrame
        Columns ``agent``, ``state``, ``start``, ``end`` (aware, Asia/Jerusalem; end
        exclusive), sorted by agent and start, with no overlaps and no gaps between an
        agent's first and last event.
    """
    if not idle_minutes > 0:
        raise InputError(f"idle_minutes={idle_minutes!r} must be > 0. Fix: pass e.g. 15.")
    calls = _read_records()
    served = calls[
        (calls["server"] != "NO_SERVER") & calls["ser_start"].notna() & calls["ser_exit"].notna()
    ]
    served = served[served["ser_exit"] > served["ser_start"]].sort_values(["server", "ser_start"])
    agent = served["server"].to_numpy()
    start = pd.DatetimeIndex(served["ser_start"]).as_unit("ns").asi8
    end = pd.DatetimeIndex(served["ser_exit"]).as_unit("ns").asi8
    # union of each agent's service intervals: a new stretch starts where the call begins
    # after every earlier call of the same agent has ended
    running_end = pd.Series(end).groupby(agent).cummax().to_numpy()
    previous_end = np.concatenate([[np.iinfo(np.int64).min], running_end[:-1]])
    new_agent = np.concatenate([[True], agent[1:] != agent[:-1]])
    new_stretch = new_agent | (start > previous_end)
    stretch_id = np.cumsum(new_stretch) - 1
    stretch_start = start[new_stretch]
    stretch_end = pd.Series(running_end).groupby(stretch_id).max().to_numpy()
    stretch_agent = agent[new_stretch]

    same_agent_next = np.concatenate([stretch_agent[1:] == stretch_agent[:-1], [False]])
    gap_start = stretch_end[same_agent_next]
    gap_end = np.roll(stretch_start, -1)[same_agent_next]
    gap_agent = stretch_agent[same_agent_next]
    idle_ns = int(idle_minutes * 60e9)
    gap_state = np.where(gap_end - gap_start <= idle_ns, "Available", "Logged Out")
    keep_gap = gap_end > gap_start

    events = pd.DataFrame(
        {
            "agent": np.concatenate([stretch_agent, gap_agent[keep_gap]]),
            "state": np.concatenate([np.full(len(stretch_agent), "On Call"), gap_state[keep_gap]]),
            "start": np.concatenate([stretch_start, gap_start[keep_gap]]),
            "end": np.concatenate([stretch_end, gap_end[keep_gap]]),
        }
    )
    for column in ("start", "end"):
        events[column] = pd.to_datetime(events[column], utc=True).dt.tz_convert(ISRAEL_BANK_TZ)
    return events.sort_values(["agent", "start"], kind="stable").reset_index(drop=True)
