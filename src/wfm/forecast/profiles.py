"""Intraday profiles: each weekday's share of the day per slot, recency-weighted and shrunk.

A day-ahead forecast that knows the daily total still has to split it into intervals. The
plain estimate, the share of each slot summed over the last ``k`` same weekdays, is noisy:
a weekday has only ``k`` past days, and on real call series the day-to-day variation of
the shape is several times Poisson noise (short bursts that last about an hour). The
estimator here lowers that noise in two ways that hold for any centre:

1. **More weeks, weighted by recency.** The last ``weeks`` same weekdays, the day ``j``
   weeks back weighted ``0.5 ** (j / half_life)``, so a shape that drifts with the season
   (opening after sunset, longer summer evenings) is followed while old days still add
   information: ``p_w[s] = sum_j u_j a_j[s] / sum_j u_j A_j`` (``a_j`` the day's volume
   per slot, ``A_j`` its total).
2. **Shrinkage towards similar weekdays** (James-Stein, empirical Bayes). The noise of
   ``p_w`` is estimated from the spread of the single days' shares:
   ``v_w = sum_s Var_j(a_j[s] / A_j) / n_eff`` with ``n_eff = (sum u)^2 / sum u^2``. The
   target ``t_w`` is the mean of the other weekdays' profiles, each weighted
   ``1 / (||p_x - p_w||^2 + v_w)``, so weekdays of another shape (a short Friday, a closed
   Sunday) weigh little. The profile used is ``t_w + (1 - B) (p_w - t_w)`` with
   ``B = min(1, v_w / ||p_w - t_w||^2)``: a weekday whose difference from its neighbours
   is within its own noise borrows their shape, a weekday clearly different keeps its
   own.

Both steps were chosen on the first part of each benchmark series only (see
docs/forecast.md, "Intraday profile"). Days with a zero total carry no shape and are
skipped.
"""

from __future__ import annotations

import numpy as np

from wfm.forecast._slots import BoolArray, FloatArray, IntArray

PROFILE_WEEKS = 20
"""Same weekdays used by :func:`shrunk_profiles` by default."""

PROFILE_HALF_LIFE = 8.0
"""Weeks after which a past day's weight in the profile halves, by default."""


def _one_weekday(
    days: FloatArray, weeks: int, half_life: float | None
) -> tuple[FloatArray, float] | None:
    """Recency-weighted profile and its noise ``v`` from one weekday's days (oldest first)."""
    totals = days.sum(axis=1)
    used = days[totals > 0][-weeks:]
    if used.shape[0] == 0:
        return None
    age = np.arange(used.shape[0])[::-1].astype(np.float64)
    weight = np.ones_like(age) if half_life is None else 0.5 ** (age / half_life)
    summed = weight @ used
    profile: FloatArray = summed / summed.sum()
    if used.shape[0] < 2:
        return profile, np.inf
    shares = used / used.sum(axis=1, keepdims=True)
    n_eff = weight.sum() ** 2 / (weight**2).sum()
    noise = float(shares.var(axis=0, ddof=1).sum() / n_eff)
    return profile, noise


def shrunk_profiles(
    days: FloatArray,
    weekdays: IntArray,
    *,
    usable: BoolArray | None = None,
    weeks: int = PROFILE_WEEKS,
    half_life: float | None = PROFILE_HALF_LIFE,
    shrink: bool = True,
) -> FloatArray:
    """``(7, slots)`` share of each weekday's total per slot (module docstring).

    Parameters
    ----------
    days : numpy.ndarray
        ``(n_days, slots)`` contacts per interval, oldest day first.
    weekdays : numpy.ndarray
        ``(n_days,)`` weekday of each row (Monday = 0).
    usable : numpy.ndarray, optional
        ``(n_days,)`` True for days that may teach the shape (e.g. not special days);
        default all.
    weeks : int, default 20
        Most recent same weekdays used per weekday.
    half_life : float or None, default 8.0
        Recency half-life in weeks; None weighs the days equally.
    shrink : bool, default True
        Shrink each weekday towards the similar weekdays' profiles.

    Returns
    -------
    numpy.ndarray
        Rows sum to 1, or are all 0 for a weekday with no day of positive total.
    """
    keep = np.ones(days.shape[0], dtype=bool) if usable is None else np.asarray(usable)
    fitted = [_one_weekday(days[keep & (weekdays == w)], weeks, half_life) for w in range(7)]
    profiles = np.zeros((7, days.shape[1]))
    for w, entry in enumerate(fitted):
        if entry is not None:
            profiles[w] = entry[0]
    if not shrink:
        return profiles
    out = profiles.copy()
    for w, entry in enumerate(fitted):
        if entry is None or not np.isfinite(entry[1]):
            continue
        own, noise = entry
        others = [x for x in range(7) if x != w and fitted[x] is not None]
        if not others:
            continue
        distance = ((profiles[others] - own) ** 2).sum(axis=1)
        weight = 1.0 / (distance + noise) if noise > 0 else (distance == 0).astype(np.float64)
        if weight.sum() <= 0:
            continue
        target = weight @ profiles[others] / weight.sum()
        gap = float(((own - target) ** 2).sum())
        factor = 1.0 if gap <= noise else noise / gap
        out[w] = target + (1.0 - factor) * (own - target)
    return out
