"""Intraday re-forecast: update the rest of today from the actuals that have arrived.

For one queue and one local day, with ``A`` the contacts arrived before ``now`` and ``F`` the
original forecast of those same intervals:

``ratio``
    remaining forecast ``x (A / F)`` (unchanged if ``F == 0``).
``share_of_day``
    the day total is estimated as ``A / P``, with ``P`` the share of the day's volume that
    normally arrives before ``now`` according to the weekday intraday profile learned from
    ``history`` (last ``profile_weeks`` same weekdays); each remaining interval gets
    ``(A / P) * p_i``. Without ``history``, or on a day listed in ``special_days`` (whose
    shape is not the ordinary weekday's), the profile is the forecast's own shape (and the
    method equals ``ratio``).
``bayes``
    a gamma-Poisson update of the day's level: prior multiplier ``theta ~ Gamma(k, k)`` (mean
    1, variance ``1/k``) and overdispersed arrivals ``A / phi ~ Poisson(theta F / phi)``
    (variance ``phi`` times the mean) give the posterior mean
    ``(k + A / phi) / (k + F / phi)``; the remaining forecast is scaled by it. Early in the
    day (small ``F``) it stays near the original forecast, later it approaches ``ratio``.
    ``k = 1 / prior_cv**2``. :func:`estimate_intraday_prior` estimates ``prior_cv`` (spread
    of day totals around a 4-week same-weekday average) and ``phi`` (variance-to-mean of
    the intervals once the day level is known) from history.

Prediction bands are scaled by the same factor. Intervals before ``now`` keep their
actuals (the output's ``volume`` there is the actual); closed intervals stay 0.

Guard: an outage (few contacts arrive because the lines are down) or a flood (an incident
brings many) makes the morning unrepresentative of the rest of the day. With
``factor_range=(low, high)`` (learned by :func:`estimate_factor_range`: the range of the
update factor over past normal days) a factor outside the range is an alert: it is clipped
to the range (``outside="clip"``) or the plan is kept unchanged (``outside="keep"``), and
:func:`intraday_alerts` lists the alerted queues.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from wfm.core.errors import InputError
from wfm.core.frames import INTERVAL_START, QUEUE, VOLUME, require_columns
from wfm.core.grid import to_local_timestamp
from wfm.core.types import TimestampLike

ReforecastMethod = Literal["ratio", "share_of_day", "bayes"]
REFORECAST_METHODS: tuple[str, ...] = ("ratio", "share_of_day", "bayes")
GuardAction = Literal["clip", "keep"]
GUARD_ACTIONS: tuple[str, ...] = ("clip", "keep")
ALERT_COLUMNS: tuple[str, ...] = (
    "queue",
    "raw_factor",
    "factor",
    "factor_low",
    "factor_high",
    "direction",
    "action",
)
"""Columns of :func:`intraday_alerts`."""


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
    now: TimestampLike,
    method: ReforecastMethod = "bayes",
    history: pd.DataFrame | None = None,
    prior_cv: float = 0.1,
    dispersion: float = 1.0,
    profile_weeks: int = 8,
    factor_range: tuple[float, float] | None = None,
    outside: GuardAction = "clip",
    special_days: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Re-forecast the rest of ``now``'s local day for every queue.

    Parameters
    ----------
    forecast : pandas.DataFrame
        Forecast frame covering at least the local day of ``now`` (``queue``,
        ``interval_start``, ``volume``, optional band and ``aht_seconds`` columns).
    actuals : pandas.DataFrame
        ``queue``, ``interval_start``, ``volume`` for intervals that started before ``now``
        (closed intervals, forecast 0, may be absent and count as 0).
    now : timestamp
        Aware time; intervals starting before it are "so far", the rest are re-forecast.
    method : {"ratio", "share_of_day", "bayes"}, default "bayes"
        Update rule (module docstring).
    history : pandas.DataFrame, optional
        Past intervals for the ``share_of_day`` profile.
    prior_cv : float, default 0.1
        ``bayes``: prior coefficient of variation of the day-level multiplier (> 0).
    dispersion : float, default 1.0
        ``bayes``: variance-to-mean ratio of interval counts (1 = Poisson; >= 1 usually).
    profile_weeks : int, default 8
        ``share_of_day``: same-weekday days in the profile.
    factor_range : (float, float), optional
        Plausible range ``(low, high)`` of the update factor (``0 < low <= 1 <= high``),
        e.g. from :func:`estimate_factor_range`. A factor outside it raises an alert (see
        :func:`intraday_alerts`) and is handled by ``outside``. None: no guard.
    outside : {"clip", "keep"}, default "clip"
        With ``factor_range``: ``"clip"`` bounds the factor to the range, ``"keep"`` leaves
        the plan unchanged (factor 1) for an alerted queue.
    special_days : pandas.DataFrame, optional
        ``queue`` and ``date`` of special days, e.g. the forecast report's
        ``special_days``. On those days ``share_of_day`` spreads the day by the forecast's
        own shape (which carries the special day's profile, e.g. an eve's short day)
        instead of the ordinary weekday profile of ``history``.

    Returns
    -------
    pandas.DataFrame
        The day's rows of ``forecast`` with ``volume`` (and bands) updated after ``now`` and
        the actual volume before it; column ``factor`` holds the multiplier used. With
        ``factor_range`` also ``raw_factor`` (before the guard), ``factor_low``,
        ``factor_high`` and ``guard`` (``"inside"``, ``"clipped"`` or ``"kept"``).

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
    if not (np.isfinite(dispersion) and dispersion > 0):
        raise InputError(f"dispersion={dispersion!r} must be > 0. Fix: e.g. dispersion=1.0.")
    _check_guard(factor_range, outside)
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
    absent = merged["_actual"].isna().to_numpy()
    closed = (merged[VOLUME] == 0).to_numpy()
    lacking = past & absent & ~closed
    if lacking.any():
        first = merged.loc[lacking, [QUEUE, INTERVAL_START]].head(3).to_dict("records")
        raise InputError(
            f"actuals lack {int(lacking.sum())} open interval(s) before now (first: {first}). "
            "Fix: pass every open interval that started before now (0 where none arrived)."
        )
    # closed intervals (forecast 0) may be absent from the actuals: they count as 0
    merged["_actual"] = merged["_actual"].where(~(absent & closed), 0.0)
    bands = [c for c in merged.columns if c.startswith("volume_lo_") or c.startswith("volume_hi_")]
    day = day_start.date()
    special = _special_pairs(special_days)
    parts = []
    for queue, rows in merged.groupby(QUEUE, sort=False):
        rows = rows.sort_values(INTERVAL_START)
        before = (rows[INTERVAL_START] < stamp).to_numpy()
        forecast_so_far = float(rows.loc[before, VOLUME].sum())
        actual_so_far = float(rows.loc[before, "_actual"].sum())
        factor = _factor(method, actual_so_far, forecast_so_far, prior_cv, dispersion)
        updated = rows.copy()
        after = ~before
        if method == "share_of_day" and history is not None and (queue, day) not in special:
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
        updated["factor"] = factor_column
        if factor_range is not None:
            updated = _apply_guard(updated, rows, after, bands, factor_range, outside)
        updated.loc[before, VOLUME] = rows.loc[before, "_actual"]
        parts.append(updated.drop(columns="_actual"))
    return pd.concat(parts, ignore_index=True)


def _special_pairs(special_days: pd.DataFrame | None) -> set[tuple[Hashable, object]]:
    """``(queue, local date)`` pairs of a special-days table (empty for None)."""
    if special_days is None:
        return set()
    require_columns(special_days, [QUEUE, "date"], name="special_days")
    dates = pd.to_datetime(special_days["date"]).dt.date
    return set(zip(special_days[QUEUE], dates, strict=True))


def _check_guard(factor_range: tuple[float, float] | None, outside: str) -> None:
    """Raise unless the guard settings are usable."""
    if outside not in GUARD_ACTIONS:
        raise InputError(f"outside={outside!r} is not known. Fix: use one of {GUARD_ACTIONS}.")
    if factor_range is None:
        return
    try:
        low, high = (float(v) for v in factor_range)
    except (TypeError, ValueError):
        raise InputError(
            f"factor_range={factor_range!r} is not a pair of numbers. "
            "Fix: pass (low, high), e.g. estimate_factor_range(history)."
        ) from None
    if not (np.isfinite(low) and np.isfinite(high) and 0 < low <= 1 <= high):
        raise InputError(
            f"factor_range={factor_range!r} must have 0 < low <= 1 <= high. "
            "Fix: pass (low, high), e.g. (0.9, 1.2) or estimate_factor_range(history)."
        )


def _apply_guard(
    updated: pd.DataFrame,
    rows: pd.DataFrame,
    after: np.ndarray,
    bands: list[str],
    factor_range: tuple[float, float],
    outside: str,
) -> pd.DataFrame:
    """Bound one queue's update to ``factor_range``; sets ``factor`` and the guard columns."""
    low, high = float(factor_range[0]), float(factor_range[1])
    raw = float(np.asarray(updated["factor"])[0])
    inside = low <= raw <= high
    target = raw if inside else (1.0 if outside == "keep" else min(max(raw, low), high))
    correction = target / raw if raw > 0 else 1.0
    if not inside and outside == "keep":
        updated.loc[after, VOLUME] = rows.loc[after, VOLUME]
        for column in bands:
            updated.loc[after, column] = rows.loc[after, column]
    elif not inside:
        updated.loc[after, VOLUME] = updated.loc[after, VOLUME] * correction
        for column in bands:
            updated.loc[after, column] = updated.loc[after, column] * correction
    updated["raw_factor"] = raw
    updated["factor_low"] = low
    updated["factor_high"] = high
    updated["guard"] = "inside" if inside else ("kept" if outside == "keep" else "clipped")
    updated["factor"] = target
    return updated


def intraday_alerts(reforecast: pd.DataFrame) -> pd.DataFrame:
    """List the queues whose intraday update fell outside its plausible range.

    Parameters
    ----------
    reforecast : pandas.DataFrame
        Output of :func:`reforecast_intraday` called with ``factor_range``.

    Returns
    -------
    pandas.DataFrame
        One row per alerted queue with :data:`ALERT_COLUMNS`: ``raw_factor`` (the update
        the actuals asked for), ``factor`` (the one used), the range, ``direction``
        (``"low"``: fewer contacts than plausible, e.g. a telephony outage; ``"high"``: a
        flood) and ``action`` (``"clipped"`` or ``"kept"``). Empty when nothing is out of
        range.

    Raises
    ------
    InputError
        If the frame has no guard columns (``factor_range`` was not given).
    """
    require_columns(
        reforecast,
        [QUEUE, "factor", "raw_factor", "factor_low", "factor_high", "guard"],
        name="reforecast",
    )
    rows = reforecast.drop_duplicates(QUEUE)
    rows = rows[rows["guard"] != "inside"]
    return pd.DataFrame(
        {
            "queue": rows[QUEUE].to_numpy(),
            "raw_factor": rows["raw_factor"].to_numpy(dtype=np.float64),
            "factor": rows["factor"].to_numpy(dtype=np.float64),
            "factor_low": rows["factor_low"].to_numpy(dtype=np.float64),
            "factor_high": rows["factor_high"].to_numpy(dtype=np.float64),
            "direction": np.where(rows["raw_factor"] < rows["factor_low"], "low", "high"),
            "action": rows["guard"].to_numpy(),
        },
        columns=list(ALERT_COLUMNS),
    )


def _factor(
    method: str, actual_so_far: float, forecast_so_far: float, prior_cv: float, dispersion: float
) -> float:
    """Multiplier for the remaining intervals (ratio and bayes; share_of_day falls back)."""
    if method == "bayes":
        strength = 1.0 / prior_cv**2
        return (strength + actual_so_far / dispersion) / (strength + forecast_so_far / dispersion)
    if forecast_so_far <= 0:
        return 1.0
    return actual_so_far / forecast_so_far


def backtest_intraday(
    history: pd.DataFrame,
    *,
    model: str = "weighted_average",
    days: int = 20,
    cutoffs: tuple[str, ...] = ("10:00", "12:00", "14:00"),
    methods: tuple[ReforecastMethod, ...] = ("ratio", "share_of_day", "bayes"),
    prior_cv: float | None = None,
    dispersion: float | None = None,
) -> pd.DataFrame:
    """Score intraday re-forecasts on the last ``days`` days of a history.

    For each of those days the model is fitted on the history before it and forecasts the
    day; at each local ``cutoff`` the rest of the day is re-forecast by each method from
    the actuals so far. The error of the remaining intervals is pooled over days.

    Parameters
    ----------
    history : pandas.DataFrame
        Interval frame (one or more queues).
    model : str, default "weighted_average"
        Day-ahead model whose forecast is updated.
    days : int, default 20
        Number of final local days used as test days (days without volume are skipped).
    cutoffs : tuple of str, default ("10:00", "12:00", "14:00")
        Local wall-clock times of the update.
    methods : tuple of str
        Re-forecast methods compared with the original forecast.
    prior_cv, dispersion : float, optional
        ``bayes`` settings; by default estimated by :func:`estimate_intraday_prior` on the
        history before the first test day (never on the test days).

    Returns
    -------
    pandas.DataFrame
        ``cutoff``, ``method`` (``original`` plus each method), ``wape`` and ``bias`` of the
        remaining-day intervals (fractions), ``days`` scored.
    """
    import warnings

    from wfm.forecast._warnings import MissingIntervalsWarning
    from wfm.forecast.intervals import forecast_intervals

    stamps = pd.DatetimeIndex(history[INTERVAL_START])
    tz = str(stamps.tz)
    local_dates = stamps.tz_localize(None).normalize()
    daily = pd.Series(history[VOLUME].to_numpy(dtype=np.float64)).groupby(local_dates).sum()
    test_days = [d for d in daily.index[daily.to_numpy() > 0]][-days:]
    if prior_cv is None or dispersion is None:
        first_test = pd.Timestamp(test_days[0]).tz_localize(tz)
        estimated_cv, estimated_dispersion = estimate_intraday_prior(history[stamps < first_test])
        prior_cv = estimated_cv if prior_cv is None else prior_cv
        dispersion = estimated_dispersion if dispersion is None else dispersion
    sums: dict[tuple[str, str], np.ndarray] = {}
    scored = 0
    for day in test_days:
        day_start = pd.Timestamp(day).tz_localize(tz)
        train = history[stamps < day_start]
        actual_day = history[(local_dates == day)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingIntervalsWarning)
            forecast = forecast_intervals(
                train, model=model, horizon_days=1, start=day.date(), levels=(80,)
            ).frame
        scored += 1
        for cutoff in cutoffs:
            now = pd.Timestamp(f"{day.date()} {cutoff}").tz_localize(tz)
            so_far = actual_day[actual_day[INTERVAL_START] < now]
            rest_actual = actual_day[actual_day[INTERVAL_START] >= now]
            candidates: dict[str, pd.DataFrame] = {"original": forecast}
            for method in methods:
                candidates[method] = reforecast_intraday(
                    forecast,
                    so_far,
                    now=now,
                    method=method,
                    history=train,
                    prior_cv=prior_cv,
                    dispersion=dispersion,
                )
            for name, frame in candidates.items():
                merged = rest_actual.merge(
                    frame[[QUEUE, INTERVAL_START, VOLUME]],
                    on=[QUEUE, INTERVAL_START],
                    suffixes=("", "_forecast"),
                )
                a = merged[VOLUME].to_numpy(dtype=np.float64)
                f = merged[f"{VOLUME}_forecast"].to_numpy(dtype=np.float64)
                key = (cutoff, name)
                increment = np.array([np.abs(f - a).sum(), (f - a).sum(), a.sum()])
                sums[key] = sums.get(key, np.zeros(3)) + increment
    rows = [
        {
            "cutoff": cutoff,
            "method": name,
            "wape": total[0] / total[2] if total[2] > 0 else float("nan"),
            "bias": total[1] / total[2] if total[2] > 0 else float("nan"),
            "days": scored,
            "prior_cv": prior_cv,
            "dispersion": dispersion,
        }
        for (cutoff, name), total in sums.items()
    ]
    return pd.DataFrame(rows)


GUARD_BACKTEST_COLUMNS: tuple[str, ...] = (
    "day",
    "scenario",
    "method",
    "abs_error",
    "actual",
    "forecast",
    "raw_factor",
    "factor",
    "alert",
)
"""Columns of :func:`backtest_intraday_guard`."""


def backtest_intraday_guard(
    history: pd.DataFrame,
    *,
    model: str = "weighted_average",
    days: int = 20,
    cutoff: str = "10:00",
    outage_hours: float = 3.0,
    outage_level: float = 0.3,
    coverage: float = 0.98,
) -> pd.DataFrame:
    """Backtest the guarded ``bayes`` update on normal days and on injected outage mornings.

    For each of the last ``days`` days with volume, the model is fitted on the history
    before it and forecasts the day; at the local ``cutoff`` the rest of the day is updated
    from the morning's actuals, once as they were (``"normal"``) and once with the
    ``outage_hours`` before the cutoff at ``outage_level`` of their actual volume
    (``"outage"``: a telephony outage that hides contacts, while the rest of the day is
    normal). The prior
    (:func:`estimate_intraday_prior`) and the factor range (:func:`estimate_factor_range`)
    are learned on the history before the first test day only.

    Parameters
    ----------
    history : pandas.DataFrame
        Interval frame (one or more queues), at least 5 weeks before the test days.
    model : str, default "weighted_average"
        Day-ahead model whose forecast is updated.
    days : int, default 20
        Number of final local days with volume used as test days.
    cutoff : str, default "10:00"
        Local wall-clock time of the update.
    outage_hours : float, default 3.0
        Length of the injected outage, ending at the cutoff, in hours.
    outage_level : float, default 0.3
        Share of the volume that gets through during the outage (0 to 1).
    coverage : float, default 0.98
        ``coverage`` of :func:`estimate_factor_range`.

    Returns
    -------
    pandas.DataFrame
        One row per (day, scenario, method) with :data:`GUARD_BACKTEST_COLUMNS`: methods
        ``original`` (no update), ``bayes`` (unguarded), ``clipped`` and ``kept`` (guarded
        with ``outside="clip"`` / ``"keep"``); ``abs_error`` and ``actual`` are the
        remaining-day sums over queues (WAPE = sum of ``abs_error`` / sum of ``actual``),
        ``raw_factor`` and ``factor`` the volume-weighted update factors, ``alert`` whether
        any queue was out of range. The range is in ``attrs["factor_range"]``.
    """
    import warnings

    from wfm.forecast._warnings import MissingIntervalsWarning
    from wfm.forecast.intervals import forecast_intervals

    if not (np.isfinite(outage_level) and 0 <= outage_level <= 1):
        raise InputError(
            f"outage_level={outage_level!r} must be in [0, 1]. Fix: e.g. outage_level=0.3."
        )
    stamps = pd.DatetimeIndex(history[INTERVAL_START])
    tz = str(stamps.tz)
    local_dates = stamps.tz_localize(None).normalize()
    daily = pd.Series(history[VOLUME].to_numpy(dtype=np.float64)).groupby(local_dates).sum()
    test_days = [d for d in daily.index[daily.to_numpy() > 0]][-days:]
    before_tests = history[stamps < pd.Timestamp(test_days[0]).tz_localize(tz)]
    prior_cv, dispersion = estimate_intraday_prior(before_tests)
    factor_range = estimate_factor_range(
        before_tests, prior_cv=prior_cv, dispersion=dispersion, coverage=coverage
    )
    rows = []
    for day in test_days:
        day_start = pd.Timestamp(day).tz_localize(tz)
        train = history[stamps < day_start]
        actual_day = history[local_dates == day]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingIntervalsWarning)
            forecast = forecast_intervals(
                train, model=model, horizon_days=1, start=day.date()
            ).frame
        now = pd.Timestamp(f"{day.date()} {cutoff}").tz_localize(tz)
        so_far = actual_day[actual_day[INTERVAL_START] < now]
        rest = actual_day[actual_day[INTERVAL_START] >= now]
        for scenario, morning in (
            ("normal", so_far),
            ("outage", _inject_outage(so_far, now, outage_hours, outage_level)),
        ):
            settings: dict[str, dict[str, Any]] = {
                "bayes": {},
                "clipped": {"factor_range": factor_range, "outside": "clip"},
                "kept": {"factor_range": factor_range, "outside": "keep"},
            }
            candidates = {"original": forecast.assign(factor=1.0)}
            for name, extra in settings.items():
                candidates[name] = reforecast_intraday(
                    forecast,
                    morning,
                    now=now,
                    method="bayes",
                    prior_cv=prior_cv,
                    dispersion=dispersion,
                    **extra,
                )
            for name, frame in candidates.items():
                merged = rest.merge(frame, on=[QUEUE, INTERVAL_START], suffixes=("", "_forecast"))
                a = merged[VOLUME].to_numpy(dtype=np.float64)
                f = merged[f"{VOLUME}_forecast"].to_numpy(dtype=np.float64)
                weights = np.maximum(f, 0.0)
                used = merged["factor"].to_numpy(dtype=np.float64)
                raw = (
                    merged["raw_factor"].to_numpy(dtype=np.float64)
                    if "raw_factor" in merged
                    else used
                )
                total = weights.sum()
                rows.append(
                    {
                        "day": day.date(),
                        "scenario": scenario,
                        "method": name,
                        "abs_error": float(np.abs(f - a).sum()),
                        "actual": float(a.sum()),
                        "forecast": float(f.sum()),
                        "raw_factor": float((raw * weights).sum() / total) if total else 1.0,
                        "factor": float((used * weights).sum() / total) if total else 1.0,
                        "alert": bool((merged["guard"] != "inside").any())
                        if "guard" in merged
                        else False,
                    }
                )
    table = pd.DataFrame(rows, columns=list(GUARD_BACKTEST_COLUMNS))
    table.attrs["factor_range"] = factor_range
    table.attrs["prior_cv"] = prior_cv
    table.attrs["dispersion"] = dispersion
    return table


def _inject_outage(
    so_far: pd.DataFrame, now: pd.Timestamp, hours: float, level: float
) -> pd.DataFrame:
    """Scale the intervals in the ``hours`` before ``now`` by ``level`` (an outage)."""
    hit = (so_far[INTERVAL_START] >= now - pd.Timedelta(hours=hours)).to_numpy()
    out = so_far.copy()
    volume = so_far[VOLUME].to_numpy(dtype=np.float64)
    out[VOLUME] = np.where(hit, volume * level, volume)
    return out


def _remaining_day_loss(
    log_kappa: float,
    rest_actual: np.ndarray,
    rest_forecast: np.ndarray,
    actual_so_far: np.ndarray,
    forecast_so_far: np.ndarray,
) -> float:
    """Absolute remaining-day error of the gamma-Poisson update with strength exp(log_kappa)."""
    kappa = np.exp(log_kappa)
    updated = rest_forecast * (kappa + actual_so_far) / (kappa + forecast_so_far)
    return float(np.abs(rest_actual - updated).sum())


@dataclass(frozen=True)
class _PastUpdates:
    """Hourly updates of past days of one queue (so-far and remaining volumes)."""

    actual: np.ndarray
    forecast: np.ndarray
    rest_actual: np.ndarray
    rest_forecast: np.ndarray
    dispersion: float


def _past_day_updates(history: pd.DataFrame, weeks: int) -> list[_PastUpdates]:
    """Replay hourly updates on the last ``weeks`` weeks of each queue with >= 5 weeks.

    Each day is predicted by the mean of the same weekday in the 4 weeks before it; the
    updates are taken every hour while 10 % to 90 % of the predicted day has passed.
    """
    import warnings

    from wfm.forecast._warnings import MissingIntervalsWarning
    from wfm.forecast.intervals import split_histories

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingIntervalsWarning)
        histories, _, minutes = split_histories(history)
    step = max(60 // minutes, 1)
    found = []
    for queue_history in histories.values():
        volume = queue_history.volume
        n_days = volume.shape[0]
        if n_days < 35:
            continue
        days = np.arange(max(28, n_days - 7 * weeks), n_days)
        predicted = np.mean([volume[days - 7 * k] for k in range(1, 5)], axis=0)
        usable = predicted.sum(axis=1) > 0
        if not usable.any():
            continue
        actual, predicted = volume[days][usable], predicted[usable]
        ratio = actual.sum(axis=1) / predicted.sum(axis=1)
        scaled = ratio[:, None] * predicted
        phi = max(float(((actual - scaled) ** 2).sum() / scaled.sum()), 1.0)
        so_far_f = np.cumsum(predicted, axis=1)[:, ::step]
        so_far_a = np.cumsum(actual, axis=1)[:, ::step]
        total_f, total_a = predicted.sum(axis=1)[:, None], actual.sum(axis=1)[:, None]
        share = so_far_f / total_f
        inside = (share >= 0.1) & (share <= 0.9)
        found.append(
            _PastUpdates(
                actual=so_far_a[inside],
                forecast=so_far_f[inside],
                rest_actual=(total_a - so_far_a)[inside],
                rest_forecast=(total_f - so_far_f)[inside],
                dispersion=phi,
            )
        )
    return found


def estimate_factor_range(
    history: pd.DataFrame,
    *,
    method: ReforecastMethod = "bayes",
    prior_cv: float | None = None,
    dispersion: float | None = None,
    coverage: float = 0.98,
    weeks: int = 8,
) -> tuple[float, float]:
    """Learn the plausible range of the intraday update factor from past normal days.

    The past days of :func:`estimate_intraday_prior` are replayed (each day predicted by
    the mean of the same weekday in the 4 weeks before it, updated every hour while 10 %
    to 90 % of the day has passed) and the update factor of ``method`` is computed at each
    update: ``(k + A/phi) / (k + F/phi)`` for ``bayes``, ``A / F`` for ``ratio`` and
    ``share_of_day``. The range is robust to the abnormal days history holds (holidays,
    past outages): with ``m`` the median and ``s = 1.4826 MAD`` the robust spread of the log
    factors (pooled over queues), it is ``exp(m -/+ z s)`` with ``z`` the standard normal
    quantile of ``(1 + coverage) / 2``, widened if needed to contain 1. On normal days
    (log factors near normal) a factor falls outside it with probability about
    ``1 - coverage``.

    Parameters
    ----------
    history : pandas.DataFrame
        Interval frame with at least 5 weeks per queue (days before the ones to update).
    method : {"ratio", "share_of_day", "bayes"}, default "bayes"
        Update whose factor is bounded.
    prior_cv, dispersion : float, optional
        ``bayes`` settings; by default :func:`estimate_intraday_prior` on ``history``.
    coverage : float, default 0.98
        Share of past factors inside the range (0 < coverage < 1).
    weeks : int, default 8
        Weeks of past days replayed.

    Returns
    -------
    tuple of float
        ``(low, high)`` with ``0 < low <= 1 <= high``.

    Raises
    ------
    InputError
        On a bad ``coverage`` or ``method``, or if no queue has 5 weeks of history.
    """
    if method not in REFORECAST_METHODS:
        raise InputError(f"method={method!r} is not known. Fix: use one of {REFORECAST_METHODS}.")
    if not (np.isfinite(coverage) and 0 < coverage < 1):
        raise InputError(f"coverage={coverage!r} must be in (0, 1). Fix: e.g. coverage=0.98.")
    if method == "bayes" and (prior_cv is None or dispersion is None):
        estimated_cv, estimated_dispersion = estimate_intraday_prior(history, weeks=weeks)
        prior_cv = estimated_cv if prior_cv is None else prior_cv
        dispersion = estimated_dispersion if dispersion is None else dispersion
    factors = []
    for updates in _past_day_updates(history, weeks):
        if method == "bayes" and prior_cv is not None and dispersion is not None:
            strength = 1.0 / prior_cv**2
            factors.append(
                (strength + updates.actual / dispersion)
                / (strength + updates.forecast / dispersion)
            )
        else:
            keep = updates.forecast > 0
            factors.append(updates.actual[keep] / updates.forecast[keep])
    if not factors or not np.concatenate(factors).size:
        raise InputError("history needs at least 5 weeks for one queue. Fix: pass more history.")
    from scipy import stats

    logs = np.log(np.concatenate(factors)[np.concatenate(factors) > 0])
    centre = float(np.median(logs))
    spread = 1.4826 * float(np.median(np.abs(logs - centre)))
    z = float(stats.norm.ppf(0.5 + coverage / 2.0))
    low, high = np.exp(centre - z * spread), np.exp(centre + z * spread)
    return float(min(low, 1.0)), float(max(high, 1.0))


def estimate_intraday_prior(history: pd.DataFrame, *, weeks: int = 8) -> tuple[float, float]:
    """Estimate ``prior_cv`` and ``dispersion`` of the ``bayes`` re-forecast from history.

    Over the last ``weeks`` weeks, each day is predicted by the mean of the same weekday in
    the 4 weeks before it. ``dispersion`` ``phi`` is ``sum (a_i - r f_i)^2 / sum r f_i``
    over the day's intervals with ``r`` the day's actual/predicted ratio (variance-to-mean
    once the day level is known). The prior strength is then chosen empirically: the
    effective strength ``kappa = phi / prior_cv**2`` (in contacts) minimises the absolute
    remaining-day error of ``(kappa + A) / (kappa + F)`` over those past days, updated at
    every hour between 10% and 90% of the day's predicted volume (bounded scalar search on
    ``log kappa``). Pooled over queues by the median.

    Parameters
    ----------
    history : pandas.DataFrame
        Interval frame with at least 5 weeks per queue.
    weeks : int, default 8
        Weeks of evaluated days.

    Returns
    -------
    tuple of float
        ``(prior_cv, dispersion)``; ``dispersion`` >= 1.

    Raises
    ------
    InputError
        If no queue has 5 weeks of history.
    """
    from scipy.optimize import minimize_scalar

    cvs, dispersions = [], []
    for updates in _past_day_updates(history, weeks):
        best = minimize_scalar(
            _remaining_day_loss,
            bounds=(0.0, np.log(1e9)),
            args=(updates.rest_actual, updates.rest_forecast, updates.actual, updates.forecast),
            method="bounded",
        )
        kappa = float(np.exp(best.x))
        cvs.append(float(np.sqrt(updates.dispersion / kappa)))
        dispersions.append(updates.dispersion)
    if not cvs:
        raise InputError("history needs at least 5 weeks for one queue. Fix: pass more history.")
    return float(np.median(cvs)), float(np.median(dispersions))
