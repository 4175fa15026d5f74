"""Build capacity-plan inputs from interval history or an interval forecast."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from wfm.capacity.models import CapacityWeekPattern
from wfm.core.errors import InputError
from wfm.core.frames import (
    AHT_SECONDS,
    INTERVAL_START,
    QUEUE,
    VOLUME,
    infer_interval_minutes,
    validate_interval_frame,
)
from wfm.core.grid import minutes_since_local_midnight

MINUTES_PER_DAY = 24 * 60


def capacity_week_patterns(frame: pd.DataFrame) -> dict[str, CapacityWeekPattern]:
    """Build the representative week of each queue from an interval frame.

    Each slot of the week (local weekday and wall-clock time, Monday 00:00 first) gets the
    mean volume over the local dates of that weekday present in the frame, so a month with
    five Fridays does not overweight Fridays; the shares are these means divided by their
    total. The AHT factor of a slot is its volume-weighted AHT divided by the
    mean AHT of the representative week (weighted by the shares), so the factors average 1
    over the week's contacts; a slot without volume gets the overall AHT. On a fall-back DST day
    the repeated wall-clock hour adds to the same slots; a spring-forward day leaves its
    skipped hour out.

    Parameters
    ----------
    frame : pandas.DataFrame
        Interval frame with ``queue``, ``interval_start`` (aware), ``volume`` and
        ``aht_seconds`` (see :func:`wfm.core.validate_interval_frame`).

    Returns
    -------
    dict of str to CapacityWeekPattern
        Queue name (as ``str``) to its representative week.

    Raises
    ------
    InputError
        If the frame is invalid or a queue has no volume at all.
    """
    checked = validate_interval_frame(frame, name="frame")
    starts = pd.DatetimeIndex(checked[INTERVAL_START])
    minutes = infer_interval_minutes(checked[INTERVAL_START], name="frame")
    slots_per_day = MINUTES_PER_DAY // minutes
    weekday = np.asarray(starts.day_of_week, dtype=np.int64)
    slot = weekday * slots_per_day + minutes_since_local_midnight(starts) // minutes
    local_date = np.asarray(starts.tz_localize(None).normalize())
    patterns: dict[str, CapacityWeekPattern] = {}
    for name, rows in checked.groupby(QUEUE, sort=True):
        mask = (checked[QUEUE] == name).to_numpy()
        volume = rows[VOLUME].to_numpy(dtype=float)
        aht = rows[AHT_SECONDS].to_numpy(dtype=float)
        work = np.where(volume > 0, volume * np.nan_to_num(aht), 0.0)
        queue_slots = slot[mask]
        days_per_weekday = np.zeros(7)
        dates = pd.DataFrame({"date": local_date[mask], "weekday": weekday[mask]})
        counts = dates.drop_duplicates("date")["weekday"].value_counts()
        days_per_weekday[counts.index.to_numpy()] = counts.to_numpy()
        n_slots = 7 * slots_per_day
        slot_volume = np.bincount(queue_slots, weights=volume, minlength=n_slots)
        slot_work = np.bincount(queue_slots, weights=work, minlength=n_slots)
        day_count = np.repeat(days_per_weekday, slots_per_day)
        mean_volume = np.divide(slot_volume, day_count, out=np.zeros(n_slots), where=day_count > 0)
        total = mean_volume.sum()
        if total <= 0:
            raise InputError(
                f"frame: queue {name!r} has no volume, so it has no weekly pattern. "
                "Fix: drop the queue or give its history."
            )
        overall_aht = slot_work.sum() / slot_volume.sum()
        slot_aht = np.divide(
            slot_work, slot_volume, out=np.full(n_slots, overall_aht), where=slot_volume > 0
        )
        shares = mean_volume / total
        patterns[str(name)] = CapacityWeekPattern(
            interval_minutes=minutes,
            volume_shares=shares.tolist(),
            aht_factors=(slot_aht / float(np.sum(shares * slot_aht))).tolist(),
        )
    return patterns


def capacity_period_totals(
    frame: pd.DataFrame, period: Literal["week", "month"] = "month"
) -> pd.DataFrame:
    """Contacts and volume-weighted AHT per queue and local calendar week or month.

    Use it to turn a forecast's intervals (or history) into the per-period volume and AHT
    of :class:`~wfm.capacity.CapacityQueuePlan`.

    Parameters
    ----------
    frame : pandas.DataFrame
        Interval frame with ``queue``, ``interval_start`` (aware), ``volume`` and
        ``aht_seconds``.
    period : {"week", "month"}, default "month"
        Calendar month, or the week starting on Monday.

    Returns
    -------
    pandas.DataFrame
        Columns ``queue``, ``period_start`` (date), ``volume`` (contacts),
        ``aht_seconds`` (volume-weighted mean, NaN without volume) and ``days`` (local
        dates present in the frame, so partial periods are visible).
    """
    if period not in ("week", "month"):
        raise InputError(f"period={period!r} is not supported. Fix: use 'week' or 'month'.")
    checked = validate_interval_frame(frame, name="frame")
    local = pd.DatetimeIndex(checked[INTERVAL_START]).tz_localize(None)
    day = local.normalize()
    if period == "month":
        start = day - pd.to_timedelta(day.day - 1, unit="D")
    else:
        start = day - pd.to_timedelta(day.day_of_week, unit="D")
    volume = checked[VOLUME].to_numpy(dtype=float)
    work = np.where(volume > 0, volume * np.nan_to_num(checked[AHT_SECONDS].to_numpy()), 0.0)
    table = pd.DataFrame(
        {
            QUEUE: checked[QUEUE].to_numpy(),
            "period_start": start.date,
            "date": day.date,
            VOLUME: volume,
            "work": work,
        }
    )
    grouped = table.groupby([QUEUE, "period_start"], sort=True)
    totals = grouped.agg(volume=(VOLUME, "sum"), work=("work", "sum"), days=("date", "nunique"))
    totals[AHT_SECONDS] = np.where(
        totals[VOLUME] > 0, totals["work"] / totals[VOLUME].where(totals[VOLUME] > 0), np.nan
    )
    return totals.reset_index().loc[:, [QUEUE, "period_start", VOLUME, AHT_SECONDS, "days"]]
