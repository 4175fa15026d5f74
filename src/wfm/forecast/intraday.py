"""Intraday re-forecast: update the rest of today from the actuals that have arrived.

For one queue and one local day, with ``A`` the contacts arrived before ``now`` and ``F`` the
original forecast of those same intervals:

``ratio``
    remaining forecast ``x (A / F)`` (unchanged if ``F == 0``).
``share_of_day``
    the day total is estimated as ``A / P``, with ``P`` the share of the day's volume that
    normally arrives before ``now`` according to the weekday intraday profile learned from
    ``history`` (last ``profile_weeks`` same weekdays); each remaining interval gets
    ``(A / P) * p_i``. Without ``history`` the profile is the forecast's own shape (and the
    method equals ``ratio``).
``bayes``
    a gamma-Poisson update of the day's level: prior multiplier ``theta ~ Gamma(k, k)`` (mean
    1, variance ``1/k``) and ``A ~ Poisson(theta F)`` give the posterior mean
    ``(k + A) / (k + F)``; the remaining forecast is scaled by it. Early in the day (small
    ``F``) it stays near the original forecast, later it approaches ``ratio``. ``k`` is
    ``1 / prior_cv**2`` (default ``prior_cv = 0.1``: day levels typically within +-10%).

Prediction bands are scaled by the same factor. Intervals before ``now`` keep their
actuals (the output's ``volume`` there is the actual); closed intervals stay 0.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Literal

import numpy as np
import pandas as pd

from wfm.core.errors import InputError
from wfm.core.frames import INTERVAL_START, QUEUE, VOLUME, require_columns
from wfm.core.grid import to_local_timestamp

ReforecastMethod = Literal["ratio", "share_of_day", "bayes"]
REFORECAST_METHODS: tuple[str, ...] = ("ratio", "share_of_day", "bayes")


def _profile_share(
    history: pd.DataFrame, queue: Hashable, day_stamps: pd.DatetimeIndex, weeks: int
) -> np.ndarray:
    """Share of the weekday's volume per interval of ``day_stamps`` (learned from history)."""
    rows = history[history[QUEUE] == queue]
    stamps = pd.DatetimeIndex(rows[INTERVAL_START]).tz_convert(day_stamps.tz)
    local = stamps.tz_localize(None)
    weekday = day_stamps[0].tz_localize(None).day_of_week
    recent_dates = np.unique(local.normalize()[local.day_of_week == weekday])[-weeks:]
    keep = np.isin(local.normalize(), recent_dates)
    minutes = np.asarray(local.hour * 60 + local.minute)[keep]
    volume = rows[VOLUME].to_numpy(dtype=np.float64)[keep]
    totals = pd.Series(volume).groupby(minutes).sum()
    target = day_stamps.tz_localize(None)
    wanted = np.asarray(target.hour * 60 + target.minute)
    values = totals.reindex(wanted).fillna(0.0).to_numpy()
    total = values.sum()
    return values / total if total > 0 else np.full(values.size, 1.0 / max(values.size, 1))


def reforecast_intraday(
    forecast: pd.DataFrame,
    actuals: pd.DataFrame,
    *,
    now: Any,
    method: ReforecastMethod = "bayes",
    history: pd.DataFrame | None = None,
    prior_cv: float = 0.1,
    profile_weeks: int = 8,
) -> pd.DataFrame:
    """Re-forecast the rest of ``now``'s local day for every queue.

    Parameters
    ----------
    forecast : pandas.DataFrame
        Forecast frame covering at least the local day of ``now`` (``queue``,
        ``interval_start``, ``volume``, optional band and ``aht_seconds`` columns).
    actuals : pandas.DataFrame
        ``queue``, ``interval_start``, ``volume`` for intervals that ended by ``now``.
    now : timestamp
        Aware time; intervals starting before it are "so far", the rest are re-forecast.
    method : {"ratio", "share_of_day", "bayes"}, default "bayes"
        Update rule (module docstring).
    history : pandas.DataFrame, optional
        Past intervals for the ``share_of_day`` profile.
    prior_cv : float, default 0.1
        ``bayes``: prior coefficient of variation of the day-level multiplier (> 0).
    profile_weeks : int, default 8
        ``share_of_day``: same-weekday days in the profile.

    Returns
    -------
    pandas.DataFrame
        The day's rows of ``forecast`` with ``volume`` (and bands) updated after ``now`` and
        the actual volume before it; column ``factor`` holds the multiplier used.

    Raises
    ------
    InputError
        On an unknown method, naive ``now``, a day the forecast does not cover, or
        missing actuals for intervals before ``now``.
    """
    if method not in REFORECAST_METHODS:
        raise InputError(f"method={method!r} is not known. Fix: use one of {REFORECAST_METHODS}.")
    if not (np.isfinite(prior_cv) and prior_cv > 0):
        raise InputError(f"prior_cv={prior_cv!r} must be > 0. Fix: e.g. prior_cv=0.1.")
    require_columns(forecast, [QUEUE, INTERVAL_START, VOLUME], name="forecast")
    require_columns(actuals, [QUEUE, INTERVAL_START, VOLUME], name="actuals")
    stamp = pd.Timestamp(now)
    if stamp.tzinfo is None:
        raise InputError(f"now={now!r} is naive. Fix: pass an aware timestamp.")
    tz = str(pd.DatetimeIndex(forecast[INTERVAL_START]).tz)
    stamp = to_local_timestamp(stamp, tz, "now")
    day_start = stamp.normalize()
    day_end = (day_start + pd.Timedelta(days=1)).tz_localize(None).tz_localize(tz)
    in_day = (forecast[INTERVAL_START] >= day_start) & (forecast[INTERVAL_START] < day_end)
    today = forecast[in_day].copy()
    if today.empty:
        raise InputError(f"forecast has no interval on the local day of now={stamp}. Fix: pass it.")
    merged = today.merge(
        actuals[[QUEUE, INTERVAL_START, VOLUME]].rename(columns={VOLUME: "_actual"}),
        on=[QUEUE, INTERVAL_START],
        how="left",
    )
    past = (merged[INTERVAL_START] < stamp).to_numpy()
    lacking = past & merged["_actual"].isna().to_numpy()
    if lacking.any():
        first = merged.loc[lacking, [QUEUE, INTERVAL_START]].head(3).to_dict("records")
        raise InputError(
            f"actuals lack {int(lacking.sum())} interval(s) before now (first: {first}). "
            "Fix: pass every interval that started before now (0 where none arrived)."
        )
    bands = [c for c in merged.columns if c.startswith("volume_lo_") or c.startswith("volume_hi_")]
    parts = []
    for queue, rows in merged.groupby(QUEUE, sort=False):
        rows = rows.sort_values(INTERVAL_START)
        before = (rows[INTERVAL_START] < stamp).to_numpy()
        forecast_so_far = float(rows.loc[before, VOLUME].sum())
        actual_so_far = float(rows.loc[before, "_actual"].sum())
        factor = _factor(method, actual_so_far, forecast_so_far, prior_cv)
        updated = rows.copy()
        after = ~before
        if method == "share_of_day" and history is not None:
            share = _profile_share(
                history, queue, pd.DatetimeIndex(rows[INTERVAL_START]), profile_weeks
            )
            share_before = share[before].sum()
            if share_before > 0:
                day_total = actual_so_far / share_before
                new = np.where(rows[VOLUME].to_numpy() > 0, day_total * share, 0.0)
                old = rows[VOLUME].to_numpy(dtype=np.float64)
                ratio = np.divide(new, old, out=np.ones_like(new), where=old > 0)
                updated.loc[after, VOLUME] = new[after]
                for column in bands:
                    updated.loc[after, column] = rows[column].to_numpy()[after] * ratio[after]
                factor = day_total / max(float(rows[VOLUME].sum()), 1e-12)
            factor_column = np.full(len(rows), factor)
        else:
            updated.loc[after, VOLUME] = rows.loc[after, VOLUME] * factor
            for column in bands:
                updated.loc[after, column] = rows.loc[after, column] * factor
            factor_column = np.full(len(rows), factor)
        updated.loc[before, VOLUME] = rows.loc[before, "_actual"]
        updated["factor"] = factor_column
        parts.append(updated.drop(columns="_actual"))
    return pd.concat(parts, ignore_index=True)


def _factor(method: str, actual_so_far: float, forecast_so_far: float, prior_cv: float) -> float:
    """Multiplier for the remaining intervals (ratio and bayes; share_of_day falls back)."""
    if method == "bayes":
        strength = 1.0 / prior_cv**2
        return (strength + actual_so_far) / (strength + forecast_so_far)
    if forecast_so_far <= 0:
        return 1.0
    return actual_so_far / forecast_so_far
