"""Forecast accuracy metrics (all returned as fractions, not percent).

With actuals ``a_i`` and forecasts ``f_i`` over the scored intervals (or days, weeks):

* WAPE ``= sum|a - f| / sum a`` (headline; NaN when ``sum a == 0``);
* bias ``= sum(f - a) / sum a`` (positive = over-forecast);
* MAPE ``= mean over a_i > 0 of |a_i - f_i| / a_i``; intervals with ``a_i == 0`` are
  excluded and counted in ``n_zero_actual`` (NaN if every actual is zero);
* sMAPE ``= mean of 2|a - f| / (|a| + |f|)``, a pair with ``a == f == 0`` scoring 0
  (range 0 to 2);
* RMSE ``= sqrt(mean (a - f)^2)`` in contacts per interval (or per day/week);
* coverage at level L ``= share of intervals with lo_L <= a <= hi_L``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.core.errors import InputError
from wfm.core.frames import INTERVAL_START, QUEUE, VOLUME, require_columns

ArrayLike = npt.ArrayLike
Resolution = Literal["interval", "day", "week"]


def _pair(actual: ArrayLike, forecast: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(actual, dtype=np.float64).ravel()
    f = np.asarray(forecast, dtype=np.float64).ravel()
    if a.shape != f.shape:
        raise InputError(
            f"actual has {a.size} values but forecast has {f.size}. Fix: align them first."
        )
    if not (np.isfinite(a).all() and np.isfinite(f).all()):
        raise InputError("actual or forecast holds NaN/inf. Fix: score only finite values.")
    return a, f


def wape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Weighted absolute percentage error ``sum|a - f| / sum a`` (fraction; NaN if sum a = 0)."""
    a, f = _pair(actual, forecast)
    total = a.sum()
    return float(np.abs(a - f).sum() / total) if total > 0 else float("nan")


def forecast_bias(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Relative bias ``sum(f - a) / sum a`` (fraction; positive = over-forecast)."""
    a, f = _pair(actual, forecast)
    total = a.sum()
    return float((f - a).sum() / total) if total > 0 else float("nan")


def mape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Mean absolute percentage error over non-zero actuals (fraction; zeros excluded)."""
    a, f = _pair(actual, forecast)
    positive = a > 0
    if not positive.any():
        return float("nan")
    return float(np.mean(np.abs(a[positive] - f[positive]) / a[positive]))


def smape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Symmetric MAPE ``mean 2|a - f| / (|a| + |f|)`` with 0/0 scored 0 (range 0 to 2)."""
    a, f = _pair(actual, forecast)
    if a.size == 0:
        return float("nan")
    denominator = np.abs(a) + np.abs(f)
    ratio = np.divide(2.0 * np.abs(a - f), denominator, out=np.zeros_like(a), where=denominator > 0)
    return float(ratio.mean())


def rmse(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Root-mean-square error, in the unit of the values (contacts per interval)."""
    a, f = _pair(actual, forecast)
    return float(np.sqrt(np.mean((a - f) ** 2))) if a.size else float("nan")


def interval_coverage(actual: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Share of actuals inside ``[lower, upper]`` (fraction 0 to 1)."""
    a, lo = _pair(actual, lower)
    _, hi = _pair(actual, upper)
    return float(np.mean((a >= lo) & (a <= hi))) if a.size else float("nan")


def _group_metrics(group: pd.DataFrame, levels: Sequence[str]) -> dict[str, float]:
    a = group["actual"].to_numpy(dtype=np.float64)
    f = group[VOLUME].to_numpy(dtype=np.float64)
    row: dict[str, float] = {
        "n": float(a.size),
        "actual": float(a.sum()),
        "forecast": float(f.sum()),
        "wape": wape(a, f),
        "bias": forecast_bias(a, f),
        "mape": mape(a, f),
        "n_zero_actual": float((a == 0).sum()),
        "smape": smape(a, f),
        "rmse": rmse(a, f),
    }
    for key in levels:
        lo, hi = f"volume_lo_{key}", f"volume_hi_{key}"
        if lo in group.columns and hi in group.columns:
            row[f"coverage_{key}"] = interval_coverage(a, group[lo], group[hi])
    return row


def forecast_accuracy(
    forecast: pd.DataFrame,
    actuals: pd.DataFrame,
    *,
    resolution: Resolution = "interval",
    by: Sequence[Literal["queue", "date", "week", "lead_day"]] = ("queue",),
    actual_column: str = VOLUME,
) -> pd.DataFrame:
    """Score a forecast frame against actuals.

    Parameters
    ----------
    forecast : pandas.DataFrame
        ``queue``, ``interval_start``, ``volume`` and optional ``volume_lo_<L>``,
        ``volume_hi_<L>`` columns (the output of ``forecast_intervals``).
    actuals : pandas.DataFrame
        ``queue``, ``interval_start`` and ``actual_column`` (contacts per interval).
    resolution : {"interval", "day", "week"}, default "interval"
        Level at which errors are measured: per interval, or on local daily / weekly
        (Monday-start) totals. Coverage is reported at interval resolution only.
    by : sequence of {"queue", "date", "week", "lead_day"}, default ("queue",)
        Grouping of the scores; ``lead_day`` is 1 for the forecast's first local day.
    actual_column : str, default "volume"
        Column of ``actuals`` holding the observed contacts.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n``, ``actual``, ``forecast``, ``wape``, ``bias``, ``mape``,
        ``n_zero_actual``, ``smape``, ``rmse`` and ``coverage_<L>`` (fractions). Intervals of
        the forecast without an actual are not scored; their count is in
        ``DataFrame.attrs["unmatched"]``.

    Raises
    ------
    InputError
        On missing columns, an unknown resolution or grouping, or no overlapping interval.
    """
    require_columns(forecast, [QUEUE, INTERVAL_START, VOLUME], name="forecast")
    require_columns(actuals, [QUEUE, INTERVAL_START, actual_column], name="actuals")
    if resolution not in ("interval", "day", "week"):
        raise InputError(
            f"resolution={resolution!r} is not known. Fix: use 'interval', 'day' or 'week'."
        )
    allowed = {"queue", "date", "week", "lead_day"}
    if any(key not in allowed for key in by):
        raise InputError(f"by={list(by)!r} must only use {sorted(allowed)}.")
    right = actuals[[QUEUE, INTERVAL_START, actual_column]].rename(
        columns={actual_column: "actual"}
    )
    merged = forecast.merge(right, on=[QUEUE, INTERVAL_START], how="left")
    unmatched = int(merged["actual"].isna().sum())
    merged = merged[merged["actual"].notna()].copy()
    if merged.empty:
        raise InputError(
            "forecast and actuals share no (queue, interval_start). Fix: pass actuals for the "
            "forecast period, on the same time zone grid."
        )
    stamps = pd.DatetimeIndex(merged[INTERVAL_START])
    local = stamps.tz_localize(None) if stamps.tz is not None else stamps
    merged["date"] = local.normalize()
    merged["week"] = (local - pd.to_timedelta(local.day_of_week, unit="D")).normalize()
    first = merged.groupby(QUEUE)["date"].transform("min")
    merged["lead_day"] = (merged["date"] - first).dt.days + 1
    levels = sorted(
        {c.removeprefix("volume_lo_") for c in merged.columns if c.startswith("volume_lo_")}
    )
    if resolution != "interval":
        unit = "date" if resolution == "day" else "week"
        keys = sorted({QUEUE, unit, *by}, key=["queue", "week", "date", "lead_day"].index)
        if unit == "week" and "date" in keys:
            keys.remove("date")
        summed = merged.groupby(keys, sort=True)[[VOLUME, "actual"]].sum().reset_index()
        merged = summed
        levels = []
    group_keys = list(by)
    rows: list[dict[str, Any]] = []
    if group_keys:
        for key, group in merged.groupby(group_keys, sort=True):
            values = key if isinstance(key, tuple) else (key,)
            rows.append(
                {**dict(zip(group_keys, values, strict=True)), **_group_metrics(group, levels)}
            )
    else:
        rows.append(_group_metrics(merged, levels))
    result = pd.DataFrame(rows)
    result.attrs["unmatched"] = unmatched
    return result
