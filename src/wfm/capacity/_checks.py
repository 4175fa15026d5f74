"""Value checks of a capacity plan input; each failure names field path, value and fix."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from wfm.capacity.models import (
    CapacityBudget,
    CapacityHiringPolicy,
    CapacityPlanInput,
    CapacityQueuePlan,
    CapacityServiceTarget,
    CapacityWeekPattern,
    CapacityWorkforce,
)
from wfm.core.errors import InputError, describe_value

MINUTES_PER_WEEK = 7 * 24 * 60
SHARE_SUM_TOLERANCE = 1e-6


def _fail(field: str, value: object, problem: str, fix: str) -> InputError:
    return InputError(f"{field}={describe_value(value)} {problem}. Fix: {fix}.")


def _check_number(
    field: str,
    value: float,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    fix: str,
) -> None:
    """Raise unless ``value`` is finite and inside the (open or closed) bounds."""
    ok = isinstance(value, int | float) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        bounds = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise _fail(field, value, f"is not a finite number in {bounds}", fix)


def _check_array(
    field: str, values: Sequence[float], *, positive: bool, length: int | None, fix: str
) -> None:
    """Raise unless ``values`` is finite, non-negative (or positive) and of ``length``."""
    if length is not None and len(values) != length:
        raise _fail(field, f"<{len(values)} values>", f"must have {length} values", fix)
    array = np.asarray(values, dtype=float)
    bad = ~np.isfinite(array) | ((array <= 0) if positive else (array < 0))
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        kind = "positive" if positive else "non-negative"
        raise _fail(f"{field}[{position}]", values[position], f"is not a finite {kind} number", fix)


def check_service_target(field: str, service: CapacityServiceTarget) -> None:
    """Check one queue's service targets (see :class:`CapacityServiceTarget`)."""
    _check_number(
        f"{field}.target_service_level",
        service.target_service_level,
        low=0.0,
        high=1.0,
        low_open=True,
        high_open=True,
        fix="give the service-level target as a fraction strictly between 0 and 1, e.g. 0.8",
    )
    _check_number(
        f"{field}.target_seconds",
        service.target_seconds,
        low=0.0,
        low_open=True,
        fix="give the answer-time threshold in seconds, e.g. 20",
    )
    if service.max_asa_seconds is not None:
        _check_number(
            f"{field}.max_asa_seconds",
            service.max_asa_seconds,
            low=0.0,
            low_open=True,
            fix="give a positive ASA cap in seconds or None",
        )
    if service.max_occupancy is not None:
        _check_number(
            f"{field}.max_occupancy",
            service.max_occupancy,
            low=0.0,
            high=1.0,
            low_open=True,
            fix="give the occupancy cap as a fraction in (0, 1], e.g. 0.85, or None",
        )
    if service.patience_seconds is not None:
        _check_number(
            f"{field}.patience_seconds",
            service.patience_seconds,
            low=0.0,
            low_open=True,
            fix="give the mean patience in seconds, or None for Erlang C",
        )
    if service.patience_seconds is not None and service.service_level_definition is None:
        raise _fail(
            f"{field}.service_level_definition",
            None,
            "is required with patience_seconds (Erlang A)",
            "set it, e.g. to 'answered_of_offered'",
        )
    if service.max_abandon_rate is not None:
        _check_number(
            f"{field}.max_abandon_rate",
            service.max_abandon_rate,
            low=0.0,
            high=1.0,
            low_open=True,
            high_open=True,
            fix="give the abandon-rate cap as a fraction in (0, 1), or None",
        )
    if service.min_agents < 0:
        raise _fail(
            f"{field}.min_agents", service.min_agents, "is negative", "use 0 or more agents"
        )


def check_week_pattern(field: str, pattern: CapacityWeekPattern) -> None:
    """Check a representative week: lengths, shares summing to 1, open hours."""
    minutes = pattern.interval_minutes
    if minutes <= 0 or MINUTES_PER_WEEK % minutes != 0:
        raise _fail(
            f"{field}.interval_minutes",
            minutes,
            "does not divide a week",
            "use 15, 30 or 60 minutes",
        )
    n_intervals = MINUTES_PER_WEEK // minutes
    _check_array(
        f"{field}.volume_shares",
        pattern.volume_shares,
        positive=False,
        length=n_intervals,
        fix=f"give {n_intervals} non-negative shares starting Monday 00:00 local time",
    )
    total = float(np.sum(pattern.volume_shares))
    if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
        raise _fail(
            f"{field}.volume_shares",
            f"<sum {total!r}>",
            "does not sum to 1",
            "divide the weekly volume profile by its total",
        )
    if pattern.aht_factors is not None:
        _check_array(
            f"{field}.aht_factors",
            pattern.aht_factors,
            positive=True,
            length=n_intervals,
            fix="give a positive relative handle time per interval, or None for flat AHT",
        )
    if pattern.open_intervals is not None:
        if len(pattern.open_intervals) != n_intervals:
            raise _fail(
                f"{field}.open_intervals",
                f"<{len(pattern.open_intervals)} values>",
                f"must have {n_intervals} values",
                "give one open/closed flag per interval of the week, or None",
            )
        closed_with_volume = ~np.asarray(pattern.open_intervals, dtype=bool) & (
            np.asarray(pattern.volume_shares) > 0
        )
        if closed_with_volume.any():
            position = int(np.flatnonzero(closed_with_volume)[0])
            raise _fail(
                f"{field}.volume_shares[{position}]",
                pattern.volume_shares[position],
                "is positive in a closed interval",
                "open that interval or move its share to open intervals",
            )


def check_queue_plan(field: str, queue: CapacityQueuePlan, n_periods: int) -> None:
    """Check one queue's per-period volume and AHT, pattern and targets."""
    _check_array(
        f"{field}.volume",
        queue.volume,
        positive=False,
        length=n_periods,
        fix=f"give {n_periods} non-negative contact counts, one per period",
    )
    _check_array(
        f"{field}.aht_seconds",
        queue.aht_seconds,
        positive=True,
        length=n_periods,
        fix=f"give {n_periods} positive handle times in seconds, one per period",
    )
    check_week_pattern(f"{field}.pattern", queue.pattern)
    check_service_target(f"{field}.service", queue.service)


def check_workforce(workforce: CapacityWorkforce) -> None:
    """Check hours, shrinkage, cohorts, attrition bands and the ramp-up curve."""
    _check_number(
        "workforce.paid_hours_per_week",
        workforce.paid_hours_per_week,
        low=0.0,
        high=168.0,
        low_open=True,
        fix="give the paid hours of one FTE per week, e.g. 37.5",
    )
    for name, value in workforce.shrinkage.items():
        _check_number(
            f"workforce.shrinkage[{name!r}]",
            value,
            low=0.0,
            high=1.0,
            high_open=True,
            fix="give each shrinkage component as a fraction of paid time in [0, 1)",
        )
    for index, cohort in enumerate(workforce.cohorts):
        _check_number(
            f"workforce.cohorts[{index}].tenure_weeks",
            cohort.tenure_weeks,
            low=0.0,
            fix="give the weeks since this cohort started (0 or more)",
        )
        _check_number(
            f"workforce.cohorts[{index}].headcount",
            cohort.headcount,
            low=0.0,
            fix="give a non-negative headcount",
        )
    previous = -math.inf
    for index, band in enumerate(workforce.attrition):
        field = f"workforce.attrition[{index}]"
        _check_number(
            f"{field}.rate",
            band.rate,
            low=0.0,
            high=1.0,
            high_open=True,
            fix="give the fraction leaving per year or month in [0, 1), e.g. 0.3 for 30 %",
        )
        if index == 0 and band.min_tenure_weeks != 0:
            raise _fail(
                f"{field}.min_tenure_weeks",
                band.min_tenure_weeks,
                "must be 0 for the first band",
                "start the first attrition band at tenure 0",
            )
        if not math.isfinite(band.min_tenure_weeks) or band.min_tenure_weeks <= previous:
            raise _fail(
                f"{field}.min_tenure_weeks",
                band.min_tenure_weeks,
                "is not finite and above the previous band's",
                "list attrition bands in increasing tenure order",
            )
        previous = band.min_tenure_weeks
    for name in ("training_weeks", "nesting_weeks"):
        _check_number(
            f"workforce.{name}",
            getattr(workforce, name),
            low=0.0,
            fix="give a duration in weeks (0 or more)",
        )
    _check_number(
        "workforce.nesting_productivity",
        workforce.nesting_productivity,
        low=0.0,
        high=1.0,
        fix="give the productivity while nesting as a fraction in [0, 1]",
    )
    for index, step in enumerate(workforce.ramp):
        _check_number(
            f"workforce.ramp[{index}].weeks",
            step.weeks,
            low=0.0,
            low_open=True,
            fix="give the duration of the ramp-up step in weeks (> 0)",
        )
        _check_number(
            f"workforce.ramp[{index}].productivity",
            step.productivity,
            low=0.0,
            high=1.0,
            fix="give the productivity of the ramp-up step as a fraction in [0, 1]",
        )


def check_hiring(hiring: CapacityHiringPolicy) -> None:
    """Check lead time, freezes and the per-period cap."""
    _check_number(
        "hiring.lead_time_weeks",
        hiring.lead_time_weeks,
        low=0.0,
        fix="give the weeks from hiring decision to start date (0 or more)",
    )
    for index, (first, last) in enumerate(hiring.freeze):
        if not first < last:
            raise _fail(
                f"hiring.freeze[{index}]",
                (first.isoformat(), last.isoformat()),
                "is empty or reversed",
                "give (first_day, day_after_last_day) with first_day < day_after_last_day",
            )
    if hiring.max_hires_per_period is not None:
        _check_number(
            "hiring.max_hires_per_period",
            hiring.max_hires_per_period,
            low=0.0,
            fix="give a non-negative cap, or None for no cap",
        )


def check_capacity_plan(plan: CapacityPlanInput) -> None:
    """Check every value of a capacity plan input.

    Parameters
    ----------
    plan : CapacityPlanInput
        The plan to check.

    Raises
    ------
    InputError
        On the first bad value, naming its field path (e.g.
        ``workforce.attrition[0].rate``), the value and the fix.
    """
    if not plan.queues:
        raise _fail("queues", [], "is empty", "give at least one CapacityQueuePlan")
    n_periods = plan.n_periods
    if n_periods == 0:
        raise _fail("queues[0].volume", [], "is empty", "give one volume value per planning period")
    names = [queue.queue for queue in plan.queues]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise _fail("queues[].queue", duplicates, "repeats", "give each queue once")
    for index, queue in enumerate(plan.queues):
        check_queue_plan(f"queues[{index}]", queue, n_periods)
    if plan.period == "month" and plan.start_date.day != 1:
        raise _fail(
            "start_date",
            plan.start_date.isoformat(),
            "is not the first day of a month",
            "start a monthly plan on the 1st",
        )
    check_workforce(plan.workforce)
    check_hiring(plan.hiring)
    _check_number(
        "overtime.max_fraction",
        plan.overtime.max_fraction,
        low=0.0,
        fix="give the overtime cap as a fraction of effective FTE, e.g. 0.05, or 0",
    )
    _check_number(
        "overtime.premium",
        plan.overtime.premium,
        low=0.0,
        fix="give the overtime premium as a fraction, e.g. 0.5 for time and a half",
    )
    for name in ("cost_per_paid_hour", "cost_per_hire"):
        _check_number(
            f"costs.{name}", getattr(plan.costs, name), low=0.0, fix="give a non-negative cost"
        )
    if plan.budget is not None:
        check_budget(plan.budget, n_periods)


def check_budget(budget: CapacityBudget, n_periods: int) -> None:
    """Check budget caps: finite, non-negative, one per period when given as a list.

    Parameters
    ----------
    budget : CapacityBudget
        The caps.
    n_periods : int
        Number of planning periods.

    Raises
    ------
    InputError
        On a negative, non-finite or wrongly sized cap.
    """
    per_period = budget.max_cost_per_period
    if isinstance(per_period, list):
        _check_array(
            "budget.max_cost_per_period",
            per_period,
            positive=False,
            length=n_periods,
            fix="give one non-negative cap per period, or one number for every period",
        )
    elif per_period is not None:
        _check_number(
            "budget.max_cost_per_period",
            per_period,
            low=0.0,
            fix="give a non-negative cost cap per period, or None for no cap",
        )
    if budget.max_total_cost is not None:
        _check_number(
            "budget.max_total_cost",
            budget.max_total_cost,
            low=0.0,
            fix="give a non-negative cap on the horizon's total cost, or None for no cap",
        )
