"""Workforce supply: productivity by tenure, attrition survival, roll-forward and hiring.

Conventions (see docs/capacity.md):

* Period ``p`` covers tenure ``[p * L, (p + 1) * L)`` weeks of someone who started at the
  start of period 0, with ``L = 1`` for weekly and ``52 / 12`` for monthly plans.
* Headcount in a period is the headcount at its start; leavers leave at its end.
* A person's effective FTE in a period is their headcount times their average productivity
  over the period (the productivity curve is a step function of tenure in weeks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from wfm.capacity.models import (
    WEEKS_PER_MONTH,
    CapacityAttritionBand,
    CapacityHiringPolicy,
    CapacityWorkforce,
)

WEEKS_PER_YEAR = 52.0
_TOLERANCE = 1e-9


def productivity_breakpoints(workforce: CapacityWorkforce) -> tuple[np.ndarray, np.ndarray]:
    """Return the productivity step function of a new hire.

    Parameters
    ----------
    workforce : CapacityWorkforce
        Training, nesting and ramp-up settings.

    Returns
    -------
    edges : numpy.ndarray
        Tenure in weeks where each step ends (increasing, starts after 0); productivity is 1
        from ``edges[-1]`` on (``edges`` may be empty: productive from day one).
    levels : numpy.ndarray
        Productivity (fraction 0 to 1) of each step, same length as ``edges``.
    """
    durations = [workforce.training_weeks, workforce.nesting_weeks]
    levels = [0.0, workforce.nesting_productivity]
    for step in workforce.ramp:
        durations.append(step.weeks)
        levels.append(step.productivity)
    keep = np.asarray(durations, dtype=float) > 0
    edges = np.cumsum(np.asarray(durations, dtype=float)[keep])
    return edges, np.asarray(levels, dtype=float)[keep]


def cumulative_productivity(tenure_weeks: np.ndarray, workforce: CapacityWorkforce) -> np.ndarray:
    """Integral of productivity from tenure 0 to ``tenure_weeks`` (productive weeks).

    Parameters
    ----------
    tenure_weeks : numpy.ndarray
        Tenure in weeks (>= 0).
    workforce : CapacityWorkforce
        Training, nesting and ramp-up settings.

    Returns
    -------
    numpy.ndarray
        Productive weeks accumulated up to each tenure.
    """
    tenure = np.asarray(tenure_weeks, dtype=float)
    edges, levels = productivity_breakpoints(workforce)
    if edges.size == 0:
        return tenure.copy()
    starts = np.concatenate(([0.0], edges[:-1]))
    at_edges = np.concatenate(([0.0], np.cumsum(levels * (edges - starts))))
    within = np.interp(tenure, np.concatenate(([0.0], edges)), at_edges)
    beyond = at_edges[-1] + (tenure - edges[-1])
    return np.asarray(np.where(tenure <= edges[-1], within, beyond), dtype=float)


def period_productivity(
    start_tenure_weeks: np.ndarray, period_weeks: float, workforce: CapacityWorkforce
) -> np.ndarray:
    """Average productivity over a period that starts at the given tenure.

    Parameters
    ----------
    start_tenure_weeks : numpy.ndarray
        Tenure at the start of the period, in weeks.
    period_weeks : float
        Period length in weeks.
    workforce : CapacityWorkforce
        Training, nesting and ramp-up settings.

    Returns
    -------
    numpy.ndarray
        Mean productivity over the period, a fraction 0 to 1.
    """
    start = np.asarray(start_tenure_weeks, dtype=float)
    gained = cumulative_productivity(start + period_weeks, workforce) - cumulative_productivity(
        start, workforce
    )
    return np.asarray(gained / period_weeks, dtype=float)


def period_survival(
    start_tenure_weeks: np.ndarray,
    period_weeks: float,
    bands: list[CapacityAttritionBand],
) -> np.ndarray:
    """Fraction of staff still employed at the end of a period.

    The band is chosen by the tenure at the start of the period. A monthly rate ``m`` over
    a period of ``L`` weeks keeps ``(1 - m) ** (L / (52 / 12))``; an annual rate ``a`` keeps
    ``(1 - a) ** (L / 52)``, so a monthly plan with a monthly rate keeps exactly ``1 - m``.

    Parameters
    ----------
    start_tenure_weeks : numpy.ndarray
        Tenure at the start of the period, in weeks.
    period_weeks : float
        Period length in weeks.
    bands : list of CapacityAttritionBand
        Attrition bands (increasing ``min_tenure_weeks``, first at 0); empty means none.

    Returns
    -------
    numpy.ndarray
        Survival fraction of the period (0 to 1).
    """
    tenure = np.asarray(start_tenure_weeks, dtype=float)
    if not bands:
        return np.ones_like(tenure)
    lower = np.asarray([band.min_tenure_weeks for band in bands], dtype=float)
    rates = np.asarray([band.rate for band in bands], dtype=float)
    exponents = np.asarray(
        [
            period_weeks / (WEEKS_PER_YEAR if band.basis == "annual" else WEEKS_PER_MONTH)
            for band in bands
        ]
    )
    band_index = np.searchsorted(lower, tenure, side="right") - 1
    return np.asarray((1.0 - rates[band_index]) ** exponents[band_index], dtype=float)


@dataclass(frozen=True)
class SupplyCurves:
    """Per-period headcount and effective FTE of current staff and of one unit hire.

    Attributes
    ----------
    existing_headcount : numpy.ndarray
        Headcount of current staff at the start of each period.
    existing_effective : numpy.ndarray
        Effective FTE (headcount x productivity) of current staff in each period.
    hire_headcount : numpy.ndarray
        ``hire_headcount[j]``: share of one hire still employed ``j`` periods after start.
    hire_effective : numpy.ndarray
        ``hire_effective[j]``: effective FTE of one hire in the ``j``-th period after start.
    """

    existing_headcount: np.ndarray
    existing_effective: np.ndarray
    hire_headcount: np.ndarray
    hire_effective: np.ndarray


def supply_curves(
    workforce: CapacityWorkforce,
    n_periods: int,
    period_weeks: float,
) -> SupplyCurves:
    """Roll current cohorts and a unit hire forward over the horizon.

    Parameters
    ----------
    workforce : CapacityWorkforce
        Cohorts, attrition and productivity settings.
    n_periods : int
        Number of periods.
    period_weeks : float
        Period length in weeks.

    Returns
    -------
    SupplyCurves
        Headcount and effective FTE curves.
    """
    offsets = np.arange(n_periods, dtype=float) * period_weeks

    def roll(start_tenure: float) -> tuple[np.ndarray, np.ndarray]:
        tenure = start_tenure + offsets
        survival = period_survival(tenure, period_weeks, workforce.attrition)
        alive = np.concatenate(([1.0], np.cumprod(survival)[:-1]))
        return alive, alive * period_productivity(tenure, period_weeks, workforce)

    headcount = np.zeros(n_periods)
    effective = np.zeros(n_periods)
    for cohort in workforce.cohorts:
        alive, productive = roll(cohort.tenure_weeks)
        headcount += cohort.headcount * alive
        effective += cohort.headcount * productive
    hire_alive, hire_productive = roll(0.0)
    return SupplyCurves(headcount, effective, hire_alive, hire_productive)


def hire_contribution(hires: np.ndarray, unit_curve: np.ndarray) -> np.ndarray:
    """Per-period total of a per-hire curve over all hire start periods (a convolution).

    Parameters
    ----------
    hires : numpy.ndarray
        Hires starting in each period.
    unit_curve : numpy.ndarray
        Value of one hire ``j`` periods after its start.

    Returns
    -------
    numpy.ndarray
        ``out[p] = sum_q hires[q] * unit_curve[p - q]`` for ``q <= p``.
    """
    return np.convolve(hires, unit_curve)[: len(hires)]


def lead_time_days(lead_time_weeks: float) -> int:
    """Whole calendar days from decision to start: ``ceil(7 * lead_time_weeks)``."""
    return math.ceil(lead_time_weeks * 7.0 - _TOLERANCE)


def allowed_start_periods(policy: CapacityHiringPolicy, period_starts: list[date]) -> np.ndarray:
    """Which periods new hires may start in.

    The whole plan is decided on the first day of period 0, so a period is reachable when
    it starts at least :func:`lead_time_days` later.

    Parameters
    ----------
    policy : CapacityHiringPolicy
        Lead time, earliest start and freezes.
    period_starts : list of datetime.date
        First day of each period.

    Returns
    -------
    numpy.ndarray of bool
        True where a hire decided at the start of period 0 can start.
    """
    earliest = period_starts[0] + timedelta(days=lead_time_days(policy.lead_time_weeks))
    if policy.no_hire_before is not None:
        earliest = max(earliest, policy.no_hire_before)
    return np.asarray(
        [
            start >= earliest and not any(first <= start < last for first, last in policy.freeze)
            for start in period_starts
        ],
        dtype=bool,
    )


@dataclass(frozen=True)
class HireBudget:
    """Money left for hires, per period and over the horizon (see :func:`plan_hires`).

    Attributes
    ----------
    period_room : numpy.ndarray
        Per period: the period's cap minus the cost already committed (current staff), in
        currency; ``inf`` where there is no cap.
    total_room : float
        Horizon cap minus the committed cost; ``inf`` without a cap.
    cost_per_head : numpy.ndarray
        Paid cost of one person on staff for each whole period (hours x hourly cost).
    cost_per_hire : float
        One-off cost of a hire, charged in the start period.
    """

    period_room: np.ndarray
    total_room: float
    cost_per_head: np.ndarray
    cost_per_hire: float


def _affordable_hires(start: int, curves: SupplyCurves, budget: HireBudget) -> float:
    """Largest (fractional) number of hires starting in ``start`` that the budget allows."""
    tail = len(budget.period_room) - start
    unit = curves.hire_headcount[:tail] * budget.cost_per_head[start:]
    unit[0] += budget.cost_per_hire
    room = budget.period_room[start:]
    paying = unit > 0
    limits = [budget.total_room / unit.sum()] if unit.sum() > 0 else [math.inf]
    if paying.any():
        limits.append(float(np.min(room[paying] / unit[paying])))
    return max(min(limits), 0.0)


def _spend(start: int, added: float, curves: SupplyCurves, budget: HireBudget) -> HireBudget:
    """Return the budget left after ``added`` hires start in ``start``."""
    tail = len(budget.period_room) - start
    unit = curves.hire_headcount[:tail] * budget.cost_per_head[start:]
    unit[0] += budget.cost_per_hire
    period_room = budget.period_room.copy()
    period_room[start:] -= added * unit
    return HireBudget(
        period_room,
        budget.total_room - added * float(unit.sum()),
        budget.cost_per_head,
        budget.cost_per_hire,
    )


def start_preference(period: int, periods_to_full: int) -> list[int]:
    """Start periods to try for a gap in ``period``, most preferred first.

    The latest start from which a hire is fully productive in ``period`` comes first
    (nobody is paid to wait longer than needed), then earlier starts, latest first; starts
    from which a hire is only partly productive in ``period`` come last, the most
    productive (earliest) of them first.

    Parameters
    ----------
    period : int
        Period with the gap.
    periods_to_full : int
        Whole periods after its start from which a hire is fully productive.

    Returns
    -------
    list of int
        Start periods (all ``<= period``, none negative).
    """
    latest_full = period - periods_to_full
    full = list(range(latest_full, -1, -1))
    partial = list(range(max(latest_full + 1, 0), period + 1))
    return full + partial


def plan_hires(
    required_fte: np.ndarray,
    curves: SupplyCurves,
    allowed: np.ndarray,
    policy: CapacityHiringPolicy,
    overtime_fraction: float,
    budget: HireBudget | None = None,
) -> np.ndarray:
    """Choose hires per start period so that supply plus overtime meets the requirement.

    Periods are visited in order. Each period's shortfall is sized on **headcount**:
    ``R_p / (1 + overtime_fraction)`` minus the people on staff in ``p`` (current staff
    and every hire already planned, trainees included, at their surviving headcount). A
    positive shortfall gets ``ceil(shortfall / survivors)`` hires from the first usable
    start of :func:`start_preference` (allowed, under the cap, affordable, and
    contributing something in ``p``), then the next ones while a shortfall remains. So a
    gap inside a ramp-up (of new or current trainees) is not filled by hiring extra people
    who stay as a permanent surplus: the dip shows as overtime or uncovered FTE. A gap no
    allowed start can reach (lead time, freeze, cap, budget or training) stays open and
    shows as uncovered FTE.

    Parameters
    ----------
    required_fte : numpy.ndarray
        Required FTE per period (paid FTE, shrinkage included).
    curves : SupplyCurves
        Supply of current staff and of one unit hire.
    allowed : numpy.ndarray of bool
        Periods in which hires may start.
    policy : CapacityHiringPolicy
        Cap per period and whole-person rounding.
    overtime_fraction : float
        Overtime cap as a fraction of effective FTE.
    budget : HireBudget or None
        Money left for hires; None means no budget cap.

    Returns
    -------
    numpy.ndarray
        Hires starting in each period.
    """
    n_periods = len(required_fte)
    hires = np.zeros(n_periods)
    heads = curves.existing_headcount.copy()
    full = np.flatnonzero(curves.hire_effective >= curves.hire_headcount * (1 - _TOLERANCE))
    periods_to_full = int(full[0]) if full.size else n_periods
    cap = math.inf if policy.max_hires_per_period is None else policy.max_hires_per_period
    if policy.whole_hires:
        cap = math.floor(cap + _TOLERANCE) if math.isfinite(cap) else cap
    for period in range(n_periods):
        shortfall = required_fte[period] / (1.0 + overtime_fraction) - heads[period]
        if shortfall <= _TOLERANCE:
            continue
        for start in start_preference(period, periods_to_full):
            productive = curves.hire_effective[period - start]
            survivors = curves.hire_headcount[period - start]
            room = cap - hires[start]
            if budget is not None:
                room = min(room, _affordable_hires(start, curves, budget))
            if policy.whole_hires and math.isfinite(room):
                room = math.floor(room + _TOLERANCE)
            if not allowed[start] or productive <= _TOLERANCE or room <= _TOLERANCE:
                continue
            wanted = shortfall / survivors
            if policy.whole_hires:
                wanted = float(math.ceil(wanted - _TOLERANCE))
            added = min(wanted, room)
            hires[start] += added
            heads[start:] += added * curves.hire_headcount[: n_periods - start]
            if budget is not None:
                budget = _spend(start, added, curves, budget)
            shortfall -= added * survivors
            if shortfall <= _TOLERANCE:
                break
    return hires
