"""Sum counts recorded in short bins (5, 6, 10, 15 minutes...) into the interval grid.

Rule: a bin belongs to the interval that contains its start in local wall-clock time,
``floor(local start, interval)``; the interval keeps the UTC offset of its bins, so on a
fall-back day the two real 01:00 intervals stay apart and on a spring-forward day no bin
can land in the missing hour. Values are summed. An interval is *partial* when fewer bins
than ``interval / bin`` were present (the first or last bins of a day, a gap): the rows are
listed in ``result.attrs["partial_intervals"]`` (``queue``, ``interval_start``, ``bins``,
``expected_bins``) and, by ``partial``, kept as the sum of the bins present
(default), dropped, or refused with an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from wfm.core.errors import InputError
from wfm.core.frames import INTERVAL_START, QUEUE, VOLUME
from wfm.core.grid import check_time_zone


def _aware_stamps(frame: pd.DataFrame, tz: str | None) -> pd.Series:
    stamps = pd.to_datetime(frame[INTERVAL_START])
    if stamps.dt.tz is not None:
        return stamps if tz is None else stamps.dt.tz_convert(check_time_zone(tz))
    if tz is None:
        raise InputError(
            f"{INTERVAL_START!r} has no time zone. Fix: pass tz='Area/City' (the site's zone) "
            "so wall-clock bins can be placed on real instants."
        )
    zone = check_time_zone(tz)
    parts = []
    for _, rows in stamps.groupby(frame[QUEUE], sort=False):
        # a repeated wall-clock time of a fall-back day: its first row (in the given order)
        # is the summer-time instant, the second the winter-time one
        first_seen = ~rows.duplicated(keep="first").to_numpy()
        parts.append(rows.dt.tz_localize(zone, ambiguous=first_seen, nonexistent="NaT"))
    return pd.concat(parts).reindex(frame.index)


def resample_counts(
    frame: pd.DataFrame,
    *,
    interval_minutes: int = 30,
    tz: str | None = None,
    value_columns: Sequence[str] = (VOLUME,),
    partial: Literal["keep", "drop", "raise"] = "keep",
) -> pd.DataFrame:
    """Sum short-bin counts into ``interval_minutes`` intervals (see module docstring).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``queue``, ``interval_start`` (bin start; aware, or naive local time with ``tz``)
        and the count columns (contacts per bin).
    interval_minutes : int, default 30
        Target interval length, a multiple of the bin length that divides a day.
    tz : str, optional
        IANA zone: localises naive bin starts or converts aware ones. A naive wall-clock
        time that occurs twice (the repeated hour of a fall-back day) is told apart by the
        order of the rows: the first is summer time, the second winter time.
    value_columns : sequence of str, default ("volume",)
        Count columns to sum.
    partial : {"keep", "drop", "raise"}, default "keep"
        What to do with intervals that have fewer bins than ``interval / bin``.

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``interval_start`` (aware), the summed columns; ``attrs`` holds
        ``partial_intervals`` and ``dropped_nonexistent`` (naive bins in a spring-forward
        gap with zero counts, which are left out; non-zero ones raise).

    Raises
    ------
    InputError
        Missing columns, naive times without ``tz``, irregular or non-dividing bins,
        non-zero counts at non-existent local times, or partial intervals with
        ``partial="raise"``.
    """
    needed = [QUEUE, INTERVAL_START, *value_columns]
    absent = [c for c in needed if c not in getattr(frame, "columns", [])]
    if absent:
        raise InputError(
            f"frame lacks column(s) {absent}. Fix: pass queue, interval_start and the count "
            f"columns {list(value_columns)} (value_columns=)."
        )
    if partial not in ("keep", "drop", "raise"):
        raise InputError(f"partial={partial!r} is not known. Fix: 'keep', 'drop' or 'raise'.")
    if not isinstance(interval_minutes, int) or interval_minutes <= 0 or 1440 % interval_minutes:
        raise InputError(
            f"interval_minutes={interval_minutes!r} must divide a day. Fix: 15, 30 or 60."
        )
    values = frame[list(value_columns)].to_numpy(dtype=np.float64)
    if not np.isfinite(values).all() or (values < 0).any():
        raise InputError(
            f"{list(value_columns)} hold NaN, infinite or negative counts. Fix: report and "
            "fill or remove them before resampling."
        )
    stamps = _aware_stamps(frame, tz)
    gap = stamps.isna().to_numpy()
    dropped = 0
    if gap.any():
        if (values[gap] != 0).any():
            first = frame.loc[gap, INTERVAL_START].iloc[0]
            raise InputError(
                f"{INTERVAL_START}={first!r} does not exist in {tz} (spring-forward gap) but "
                "has non-zero counts. Fix: check the time zone or the export's clock."
            )
        dropped = int(gap.sum())
    keep = ~gap
    stamps = stamps[keep]
    zone = str(stamps.dt.tz)
    queues = frame[QUEUE].to_numpy()[keep]
    values = values[keep]
    local = stamps.dt.tz_localize(None)
    offset = local - stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    bin_minutes = _bin_minutes(stamps, queues)
    if interval_minutes % bin_minutes:
        raise InputError(
            f"bins of {bin_minutes} minutes do not fit {interval_minutes}-minute intervals. "
            "Fix: choose interval_minutes as a multiple of the bin length."
        )
    floored = local.dt.floor(f"{interval_minutes}min")
    starts = (floored - offset).dt.tz_localize("UTC").dt.tz_convert(zone)
    grouped = pd.DataFrame({QUEUE: queues, INTERVAL_START: starts.to_numpy()})
    grouped[INTERVAL_START] = pd.DatetimeIndex(starts)
    for position, column in enumerate(value_columns):
        grouped[column] = values[:, position]
    grouped["_bins"] = 1
    out = grouped.groupby([QUEUE, INTERVAL_START], sort=True, as_index=False).sum()
    expected = interval_minutes // bin_minutes
    short = out["_bins"] < expected
    report = out.loc[short, [QUEUE, INTERVAL_START, "_bins"]].rename(columns={"_bins": "bins"})
    report["expected_bins"] = expected
    if short.any() and partial == "raise":
        first = report.iloc[0].to_dict()
        raise InputError(
            f"{int(short.sum())} interval(s) have fewer than {expected} bins (first: {first}). "
            "Fix: pass partial='keep' (sum of the bins present) or partial='drop'."
        )
    if partial == "drop":
        out = out[~short]
    out = out.drop(columns="_bins").reset_index(drop=True)
    out.attrs["partial_intervals"] = report.reset_index(drop=True)
    out.attrs["dropped_nonexistent"] = dropped
    return out


def _bin_minutes(stamps: pd.Series, queues: np.ndarray) -> int:
    """Bin length in minutes: the most common positive step between a queue's bins."""
    frame = pd.DataFrame({"q": queues, "t": stamps.to_numpy()}).sort_values(["q", "t"])
    steps = frame.groupby("q")["t"].diff().dropna()
    steps = steps[steps > pd.Timedelta(0)]
    if steps.empty:
        raise InputError(
            "the bin length cannot be inferred (one bin per queue). Fix: pass more rows."
        )
    minutes = int(steps.dt.total_seconds().mode().iloc[0] // 60)
    if minutes <= 0 or 1440 % minutes:
        raise InputError(
            f"bins of {minutes} minutes do not divide a day. Fix: resample regular bins."
        )
    return minutes
