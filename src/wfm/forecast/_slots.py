"""Local-time slot representation of interval histories.

Models see each queue as a matrix ``(local days, slots per day)``: row ``d`` is a local
calendar day, column ``s`` the wall-clock slot starting ``s * interval_minutes`` minutes
after local midnight. Seasonal positions are therefore local weekday and local time of day,
whatever the DST rules:

* a spring-forward day has slots that never occur (e.g. 02:00 and 02:30 in New York); in
  the history they are filled with the linear interpolation of the neighbouring slots of the
  same day (so the daily shape stays smooth), and in a forecast they are simply not emitted;
* a fall-back day has one wall-clock slot twice; in the history the slot holds the mean of
  the two real intervals (a per-interval rate), and in a forecast both real intervals get
  the slot's per-interval forecast.

Absent intervals are classified, never silently filled: an absent interval at a local
weekday and slot that never had volume in the history is *closed* (zero, and forecast as
zero); an absent interval at an open weekday-slot is *missing*: it is reported and, for
training only, imputed by the median of the observed values at the same weekday and slot.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.core.errors import InputError
from wfm.core.frames import (
    AHT_SECONDS,
    INTERVAL_START,
    VOLUME,
    infer_interval_minutes,
    validate_interval_frame,
)
from wfm.core.grid import check_time_zone, make_interval_grid

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

ONE_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class QueueHistory:
    """One queue's history in local-time slot form.

    Attributes
    ----------
    queue : hashable
        Queue identifier.
    first_date : numpy.datetime64
        Local calendar date (``datetime64[D]``) of row 0.
    volume : numpy.ndarray
        ``(days, slots)`` contacts per interval, complete (missing intervals imputed).
    observed : numpy.ndarray
        ``(days, slots)`` True where a real interval was observed (not imputed, not closed).
    handled_seconds : numpy.ndarray
        ``(days, slots)`` volume times AHT in seconds of observed intervals (0 elsewhere).
    open_slots : numpy.ndarray
        ``(7, slots)`` True where the weekday (Monday = 0) and slot ever had volume.
    missing : pandas.DatetimeIndex
        Real interval starts that were absent at open weekday-slots (imputed for training).
    excluded : pandas.DatetimeIndex
        Real interval starts removed by ``exclude`` events (imputed for training).
    observed_end : numpy.datetime64
        Local date after the last day with any history row (a trimmed partial day counts).
    trimmed_days : tuple of numpy.datetime64
        Partial first/last days dropped from training.
    """

    queue: Hashable
    first_date: np.datetime64
    volume: FloatArray
    observed: BoolArray
    handled_seconds: FloatArray
    open_slots: BoolArray
    missing: pd.DatetimeIndex
    excluded: pd.DatetimeIndex
    observed_end: np.datetime64
    trimmed_days: tuple[np.datetime64, ...] = field(default_factory=tuple)

    @property
    def n_days(self) -> int:
        """Number of local days of training history."""
        return int(self.volume.shape[0])

    @property
    def end_date(self) -> np.datetime64:
        """Local date after the last training day."""
        return self.first_date + np.timedelta64(self.n_days, "D")

    def weekdays(self) -> IntArray:
        """Weekday (Monday = 0) of every history row."""
        return weekday_of(self.first_date, self.n_days)


def weekday_of(first_date: np.datetime64, n_days: int) -> IntArray:
    """Return the weekday (Monday = 0) of ``n_days`` consecutive dates from ``first_date``."""
    dates = first_date + np.arange(n_days).astype("timedelta64[D]")
    # 1970-01-01 was a Thursday (weekday 3)
    return np.asarray((dates.astype(np.int64) + 3) % 7, dtype=np.int64)


def frame_time_zone(frame: pd.DataFrame, *, name: str = "history") -> str:
    """Return the IANA zone of an aware ``interval_start`` column.

    Raises
    ------
    InputError
        If the zone is a fixed UTC offset rather than an IANA name.
    """
    tz = frame[INTERVAL_START].dt.tz
    text = str(tz)
    try:
        return check_time_zone(text)
    except InputError as exc:
        raise InputError(
            f"{name}[{INTERVAL_START!r}] has time zone {text!r}, not an IANA zone name. Fix: "
            f"{name}[{INTERVAL_START!r}].dt.tz_convert('Area/City') with the site's zone so "
            "DST days get the right number of intervals."
        ) from exc


def validate_history(
    history: pd.DataFrame, *, interval_minutes: int | None = None, name: str = "history"
) -> tuple[pd.DataFrame, str, int, bool]:
    """Validate a history frame; return (sorted copy, tz, interval minutes, has AHT)."""
    has_aht = isinstance(history, pd.DataFrame) and AHT_SECONDS in history.columns
    frame = validate_interval_frame(
        history, interval_minutes=interval_minutes, require_aht=has_aht, name=name
    )
    tz = frame_time_zone(frame, name=name)
    if interval_minutes is None:
        interval_minutes = infer_interval_minutes(frame[INTERVAL_START], name=name)
    if 1440 % interval_minutes != 0:
        raise InputError(
            f"interval_minutes={interval_minutes} does not divide a day. Fix: use 15, 30 or 60."
        )
    return frame, tz, interval_minutes, has_aht


def wall_clock_positions(
    stamps: pd.DatetimeIndex, first_date: np.datetime64, interval_minutes: int
) -> tuple[IntArray, IntArray]:
    """Return (local day index from ``first_date``, wall-clock slot) of aware stamps."""
    naive = stamps.tz_localize(None)
    dates = naive.to_numpy().astype("datetime64[D]")
    day = (dates - first_date).astype(np.int64)
    minutes = np.asarray(naive.hour * 60 + naive.minute, dtype=np.int64)
    return day, minutes // interval_minutes


def _dst_gap_fill(values: FloatArray, exists: BoolArray) -> FloatArray:
    """Interpolate the slots that do not exist on DST days from their neighbours."""
    out = values.copy()
    for day in np.flatnonzero(~exists.all(axis=1)):
        present = np.flatnonzero(exists[day])
        if present.size == 0:
            continue
        absent = np.flatnonzero(~exists[day])
        out[day, absent] = np.interp(absent, present, values[day, present])
    return out


def build_queue_history(
    queue: Hashable,
    rows: pd.DataFrame,
    *,
    tz: str,
    interval_minutes: int,
    has_aht: bool,
    exclude_mask: BoolArray | None = None,
) -> QueueHistory:
    """Turn one queue's validated rows into its slot matrix (see module docstring)."""
    slots = 1440 // interval_minutes
    stamps = pd.DatetimeIndex(rows[INTERVAL_START])
    naive_dates = stamps.tz_localize(None).to_numpy().astype("datetime64[D]")
    first_date = naive_dates.min()
    last_date = naive_dates.max()
    n_days = int((last_date - first_date).astype(np.int64)) + 1
    day, slot = wall_clock_positions(stamps, first_date, interval_minutes)
    volume = rows[VOLUME].to_numpy(dtype=np.float64)
    if exclude_mask is not None:
        keep = ~exclude_mask
        excluded = stamps[exclude_mask]
        day, slot, volume = day[keep], slot[keep], volume[keep]
    else:
        keep = np.ones(len(stamps), dtype=bool)
        excluded = stamps[:0]
    sums = np.zeros((n_days, slots))
    counts = np.zeros((n_days, slots))
    np.add.at(sums, (day, slot), volume)
    np.add.at(counts, (day, slot), 1.0)
    handled = np.zeros((n_days, slots))
    if has_aht:
        aht = rows[AHT_SECONDS].to_numpy(dtype=np.float64)[keep]
        np.add.at(handled, (day, slot), np.where(volume > 0, volume * aht, 0.0))
    observed = counts > 0
    per_interval = np.divide(sums, counts, out=np.zeros_like(sums), where=observed)
    handled = np.divide(handled, counts, out=np.zeros_like(handled), where=observed)

    grid = make_interval_grid(
        str(first_date), str(last_date + ONE_DAY), interval_minutes=interval_minutes, tz=tz
    )
    grid_day, grid_slot = wall_clock_positions(grid, first_date, interval_minutes)
    exists = np.zeros((n_days, slots), dtype=bool)
    exists[grid_day, grid_slot] = True
    weekdays = weekday_of(first_date, n_days)
    open_slots = np.zeros((7, slots), dtype=bool)
    np.logical_or.at(open_slots, weekdays, observed & (per_interval > 0))

    inside = (grid >= stamps.min()) & (grid <= stamps.max())
    is_open = open_slots[weekdays[grid_day], grid_slot]
    outside_open_days = np.unique(grid_day[~inside & is_open])
    trimmed = tuple(first_date + np.timedelta64(int(d), "D") for d in outside_open_days)
    grid_absent = ~observed[grid_day, grid_slot] & inside & is_open
    excluded_pos = np.zeros(len(grid), dtype=bool)
    if len(excluded):
        excluded_pos = grid.isin(excluded)
    missing = grid[grid_absent & ~excluded_pos]

    needs_fill = np.zeros((n_days, slots), dtype=bool)
    needs_fill[grid_day[grid_absent], grid_slot[grid_absent]] = True
    filled = per_interval.copy()
    if needs_fill.any():
        for weekday in range(7):
            rows_of_day = weekdays == weekday
            block = np.where(observed[rows_of_day], per_interval[rows_of_day], np.nan)
            if np.isnan(block).all(axis=0).all():
                continue
            with warnings.catch_warnings():
                # a slot never observed on this weekday stays NaN (set to 0 below)
                warnings.filterwarnings(
                    "ignore", message="All-NaN slice encountered", category=RuntimeWarning
                )
                median = np.nanmedian(block, axis=0)
            median = np.where(np.isfinite(median), median, 0.0)
            target = needs_fill[rows_of_day]
            sub = filled[rows_of_day]
            sub[target] = np.broadcast_to(median, sub.shape)[target]
            filled[rows_of_day] = sub
    filled = _dst_gap_fill(filled, exists)

    keep_days = np.ones(n_days, dtype=bool)
    keep_days[outside_open_days] = False
    first_kept = int(np.argmax(keep_days)) if keep_days.any() else 0
    return QueueHistory(
        queue=queue,
        first_date=first_date + np.timedelta64(first_kept, "D"),
        volume=filled[keep_days],
        observed=observed[keep_days],
        handled_seconds=handled[keep_days],
        open_slots=open_slots,
        missing=missing,
        excluded=excluded,
        observed_end=last_date + ONE_DAY,
        trimmed_days=trimmed,
    )


def slot_values_to_stamps(
    start_date: np.datetime64, n_days: int, *, tz: str, interval_minutes: int
) -> tuple[pd.DatetimeIndex, IntArray, IntArray]:
    """Real interval starts of ``n_days`` local days and their (day, slot) positions."""
    grid = make_interval_grid(
        str(start_date),
        str(start_date + np.timedelta64(n_days, "D")),
        interval_minutes=interval_minutes,
        tz=tz,
    )
    day, slot = wall_clock_positions(grid, start_date, interval_minutes)
    return grid, day, slot


def describe_queue(queue: Any) -> str:
    """Short text naming a queue in messages."""
    return f"queue={queue!r}"
