"""Month-position effect: busier or quieter parts of the month (paydays, statements, bills).

Banks, utilities and billing lines get more contacts in some parts of the month than in
others (salaries and statements early in the month, due dates, month-end quiet). The
weekly models do not see this: an average of the last 8 same weekdays spans two months and
averages it away, and a daily ETS follows it only after the fact.

The month is cut into :data:`BINS` fixed parts by day of month (1-5, 6-10, 11-15, 16-20,
21-25, 26-end; fixed in advance, not fitted). For each past open, ordinary day ``t`` the
*weekly expectation* ``E_t`` is the mean of the same weekday 1, 2 and 3 weeks before and
after (days inside the history, open, ordinary; at least two of them), computed on totals
with the current factors divided out. A part ``b`` of the month gets the ratio
``r_b = sum_{t in b} D_t / sum_{t in b} f_b E_t`` ... in closed form, ``f_b = sum D_t /
sum E_t`` over its days, shrunk towards 1 by the number of distinct months ``n_b`` that
contributed and by the evidence of the departure from 1:
``f_b <- 1 + n_b / (n_b + k) * J_b * (f_b - 1)`` (``k`` the special-day shrinkage, 2 by
default; ``J_b = max(0, 1 - se_b^2 / (f_b - 1)^2)`` the James-Stein weight of
:func:`evidence_weight`, with ``se_b`` the month-clustered standard error of the ratio), so
a part whose departure is within its own noise has no effect (on a weekday-only series
with few months the raw factors are mostly noise), and the factors are rescaled so their
mean over the history's days is 1 (the level stays with the models). Two passes (the
second with the first pass's factors divided out of the neighbours) settle the estimate.

For training, each day is divided by its factor; a forecast day is multiplied by it. Like
the special days, this runs inside the calendar path, so backtests and ``model="auto"``
use it exactly as the forecast does.
"""

from __future__ import annotations

import numpy as np

from wfm.forecast._slots import BoolArray, FloatArray, IntArray

BINS = 6
"""Parts of the month: days 1-5, 6-10, 11-15, 16-20, 21-25 and 26-end."""

BIN_LABELS: tuple[str, ...] = (
    "days 1-5",
    "days 6-10",
    "days 11-15",
    "days 16-20",
    "days 21-25",
    "days 26-31",
)
"""Names of the parts of the month (keys of ``metadata["month_position"]``)."""

NEIGHBOUR_WEEKS = (1, 2, 3)
"""Weeks before and after a day whose same weekday forms its weekly expectation."""

PASSES = 2


def month_bins(first_date: np.datetime64, n_days: int) -> IntArray:
    """Part of the month (0 .. BINS - 1) of ``n_days`` consecutive local dates."""
    dates = first_date + np.arange(n_days).astype("timedelta64[D]")
    day_of_month = (dates - dates.astype("datetime64[M]")).astype(np.int64)  # 0-based
    return np.asarray(np.minimum(day_of_month // 5, BINS - 1), dtype=np.int64)


def month_months(first_date: np.datetime64, n_days: int) -> IntArray:
    """Month number (months since 1970-01) of each date."""
    dates = first_date + np.arange(n_days).astype("timedelta64[D]")
    return np.asarray(dates.astype("datetime64[M]").astype(np.int64), dtype=np.int64)


def _weekly_expectation(totals: FloatArray, usable: BoolArray) -> FloatArray:
    """Mean of the usable same weekday 1-3 weeks before and after (NaN if fewer than 2)."""
    n = totals.size
    values = []
    for weeks in NEIGHBOUR_WEEKS:
        for sign in (-1, 1):
            other = np.arange(n) + sign * 7 * weeks
            inside = (other >= 0) & (other < n)
            other = np.clip(other, 0, n - 1)
            ok = inside & usable[other]
            values.append(np.where(ok, totals[other], np.nan))
    block = np.vstack(values)
    count = np.isfinite(block).sum(axis=0)
    summed = np.nansum(block, axis=0)
    expected: FloatArray = np.divide(summed, count, out=np.full(n, np.nan), where=count >= 2)
    return expected


def evidence_weight(
    raw: float, totals: FloatArray, expected: FloatArray, months: IntArray
) -> float:
    """James-Stein weight ``max(0, 1 - se^2 / (raw - 1)^2)`` of one part's ratio.

    ``se`` is the standard error of the ratio estimator ``raw = sum D / sum E``, clustered
    by month (days of one part of one month move together):
    ``se^2 = M / (M - 1) * sum_m (sum_{t in m} (D_t - raw E_t))^2 / (sum E)^2`` over the
    ``M`` months that contributed. A part whose departure from 1 is within its own noise
    gets weight 0 (no effect); a clear departure keeps nearly all of it. With one month
    there is no spread to measure and the weight is 0.
    """
    labels, index = np.unique(months, return_inverse=True)
    if labels.size < 2 or raw == 1.0:
        return 0.0
    residual = np.bincount(index, weights=totals - raw * expected)
    variance = labels.size / (labels.size - 1) * float((residual**2).sum()) / expected.sum() ** 2
    return float(max(0.0, 1.0 - variance / (raw - 1.0) ** 2))


def learn_month_factors(
    totals: FloatArray,
    first_date: np.datetime64,
    usable: BoolArray,
    shrinkage: float,
    *,
    evidence: bool = True,
) -> FloatArray:
    """``(BINS,)`` shrunk month-position factors of a daily-total history (module docstring).

    Parameters
    ----------
    totals : numpy.ndarray
        ``(n_days,)`` contacts per local day.
    first_date : numpy.datetime64
        Local date of ``totals[0]``.
    usable : numpy.ndarray
        ``(n_days,)`` True for open, ordinary days (not special, positive total).
    shrinkage : float
        ``k`` of the weight ``n / (n + k)`` (``n`` distinct months seen in a part).
    evidence : bool, default True
        Also weight each part by :func:`evidence_weight` (False only to measure what it
        does).

    Returns
    -------
    numpy.ndarray
        Factors with mean 1 over the history's days (all 1 without enough history).
    """
    n = totals.size
    bins = month_bins(first_date, n)
    months = month_months(first_date, n)
    usable = np.asarray(usable, dtype=bool) & (totals > 0)
    factors = np.ones(BINS)
    for _ in range(PASSES):
        expected = _weekly_expectation(totals / factors[bins], usable)
        ok = usable & np.isfinite(expected)
        new = np.ones(BINS)
        for b in range(BINS):
            rows = ok & (bins == b)
            if not rows.any() or expected[rows].sum() <= 0:
                continue
            raw = totals[rows].sum() / expected[rows].sum()
            n_months = np.unique(months[rows]).size
            weight = n_months / (n_months + shrinkage) if n_months + shrinkage > 0 else 0.0
            if evidence:
                weight *= evidence_weight(raw, totals[rows], expected[rows], months[rows])
            new[b] = 1.0 + weight * (raw - 1.0)
        scale = new[bins[usable]].mean() if usable.any() else 1.0
        factors = new / scale if scale > 0 else new
    return factors


def day_factors(factors: FloatArray, first_date: np.datetime64, n_days: int) -> FloatArray:
    """``(n_days,)`` factor of each local date from ``first_date``."""
    return np.asarray(factors[month_bins(first_date, n_days)], dtype=np.float64)
