"""Inputs of a long-range capacity plan, as pydantic models with an exact JSON round trip.

The models check their own values: ``Field`` constraints bound each number (rates in
[0, 1), positive handle times, ...) and model validators check what crosses fields
(lengths, shares summing to 1, ordered attrition bands, ...). Every bad value raises
:class:`~wfm.core.errors.ModelInputError` (an :class:`~wfm.core.errors.InputError`) naming
the key path, the value and the fix, as the run configuration does.
:func:`check_capacity_plan` validates a plan again, for plans changed with ``model_copy``
(which pydantic does not validate).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Literal, Self

import numpy as np
from pydantic import ConfigDict, Field, field_validator, model_validator

from wfm.core._models import NumbersNotBooleansModel, WfmModel, fix, located_error
from wfm.core.targets import ServiceTarget

_FROZEN = ConfigDict(extra="forbid", frozen=True)

WEEKS_PER_MONTH = 52.0 / 12.0
"""Length of one planning month in weeks for tenure, attrition and lead times (52/12)."""

MINUTES_PER_WEEK = 7 * 24 * 60
SHARE_SUM_TOLERANCE = 1e-6
"""How far the volume shares of a week may sum from 1."""

NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
"""A finite number >= 0."""
Positive = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
"""A finite number > 0."""


CapacityServiceTarget = ServiceTarget
"""Former name of :class:`wfm.core.ServiceTarget`, kept as an alias (see CHANGELOG.md)."""


class CapacityWeekPattern(WfmModel):
    """A representative week of one queue: how a period's contacts spread over its intervals.

    The week starts on Monday 00:00 local time; interval ``i`` covers minutes
    ``[i * interval_minutes, (i + 1) * interval_minutes)`` of the week.

    Attributes
    ----------
    interval_minutes : int
        Interval length in minutes (the week has ``10080 / interval_minutes`` intervals).
    volume_shares : list of float
        Share of the week's contacts offered in each interval (>= 0, summing to 1).
    aht_factors : list of float or None
        Handle time of each interval relative to the period's AHT (> 0). They are rescaled
        so that their volume-weighted mean is exactly 1, so the period's AHT stays the
        average. None means a flat handle time.
    open_intervals : list of bool or None
        Whether the centre is open in each interval. None means open exactly where
        ``volume_shares > 0``. A closed interval needs no agents and must have zero share.
    """

    model_config = _FROZEN

    interval_minutes: int = Field(
        default=30, gt=0, json_schema_extra=fix("use 15, 30 or 60 minutes")
    )
    volume_shares: list[NonNegative] = Field(
        json_schema_extra=fix(
            "give one non-negative share per interval, starting Monday 00:00 local time"
        )
    )
    aht_factors: list[Positive] | None = Field(
        default=None,
        json_schema_extra=fix(
            "give a positive relative handle time per interval, or None for flat AHT"
        ),
    )
    open_intervals: list[bool] | None = None

    @field_validator("interval_minutes")
    @classmethod
    def _divides_a_week(cls, minutes: int) -> int:
        if MINUTES_PER_WEEK % minutes != 0:
            raise ValueError("does not divide a week. Fix: use 15, 30 or 60 minutes")
        return minutes

    @model_validator(mode="after")
    def _one_week(self) -> Self:
        n_intervals = MINUTES_PER_WEEK // self.interval_minutes
        for name in ("volume_shares", "aht_factors", "open_intervals"):
            values = getattr(self, name)
            if values is not None and len(values) != n_intervals:
                raise located_error(
                    type(self),
                    (name,),
                    f"<{len(values)} values>",
                    f"must have {n_intervals} values, one per {self.interval_minutes}-minute "
                    "interval of the week. Fix: give one value per interval from Monday 00:00"
                    + (", or None" if name != "volume_shares" else ""),
                )
        total = math.fsum(self.volume_shares)
        if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
            raise located_error(
                type(self),
                ("volume_shares",),
                f"<sum {total!r}>",
                "does not sum to 1. Fix: divide the weekly volume profile by its total",
            )
        if self.open_intervals is not None:
            closed_with_volume = ~np.asarray(self.open_intervals, dtype=bool) & (
                np.asarray(self.volume_shares) > 0
            )
            if closed_with_volume.any():
                position = int(np.flatnonzero(closed_with_volume)[0])
                raise located_error(
                    type(self),
                    ("volume_shares", position),
                    self.volume_shares[position],
                    "is positive in a closed interval. "
                    "Fix: open that interval or move its share to open intervals",
                )
        return self


class CapacityQueuePlan(WfmModel):
    """The per-period volume and handle-time plan of one queue.

    Attributes
    ----------
    queue : str
        Queue (or skill, or channel) name.
    volume : list of float
        Contacts offered in each planning period (count >= 0, one value per period).
    aht_seconds : list of float
        Average handle time in each period, in seconds (> 0).
    pattern : CapacityWeekPattern
        Representative week used to spread each period's volume over intervals.
    service : ServiceTarget
        Service targets of the queue (``patience_seconds`` must be a number: a plan has no
        history to estimate it from).
    """

    model_config = _FROZEN

    queue: str
    volume: list[NonNegative] = Field(
        min_length=1,
        json_schema_extra=fix("give one non-negative contact count per planning period"),
    )
    aht_seconds: list[Positive] = Field(
        json_schema_extra=fix("give one positive handle time in seconds per planning period"),
    )
    pattern: CapacityWeekPattern
    service: ServiceTarget = Field(default_factory=ServiceTarget)

    @model_validator(mode="after")
    def _aht_per_period(self) -> Self:
        if self.service.patience_seconds == "estimate":
            raise located_error(
                type(self),
                ("service", "patience_seconds"),
                "estimate",
                "needs a history of abandonments, which a capacity plan does not have. "
                "Fix: give the mean patience in seconds",
            )
        if len(self.aht_seconds) != len(self.volume):
            raise located_error(
                type(self),
                ("aht_seconds",),
                f"<{len(self.aht_seconds)} values>",
                f"must have {len(self.volume)} values, as many as volume. "
                "Fix: give one handle time per planning period",
            )
        return self


class CapacityCohort(WfmModel):
    """Current staff of one tenure, at the start of the plan.

    Attributes
    ----------
    tenure_weeks : float
        Weeks since these people started (>= 0); sets their productivity and attrition.
    headcount : float
        Number of people (FTE; fractional values allowed for part-timers), >= 0.
    """

    model_config = _FROZEN

    tenure_weeks: float = Field(
        ge=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix("give the weeks since this cohort started (0 or more)"),
    )
    headcount: float = Field(
        ge=0.0, allow_inf_nan=False, json_schema_extra=fix("give a non-negative headcount")
    )


class CapacityAttritionBand(WfmModel):
    """Attrition rate of staff whose tenure is at least ``min_tenure_weeks``.

    A band applies from its ``min_tenure_weeks`` up to the next band's; the first band
    must start at 0.

    Attributes
    ----------
    min_tenure_weeks : float
        Lower tenure bound of the band, in weeks (>= 0).
    rate : float
        Fraction of the band's staff leaving per ``basis`` (0 <= rate < 1).
    basis : {"annual", "monthly"}
        Whether ``rate`` is per year or per month.
    """

    model_config = _FROZEN

    min_tenure_weeks: float = Field(
        default=0.0,
        ge=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix("list attrition bands from tenure 0 in increasing tenure order"),
    )
    rate: float = Field(
        ge=0.0,
        lt=1.0,
        json_schema_extra=fix(
            "give the fraction leaving per year or month in [0, 1), e.g. 0.3 for 30 %"
        ),
    )
    basis: Literal["annual", "monthly"] = "annual"


class CapacityRampStep(WfmModel):
    """One step of the new-hire productivity curve after training and nesting.

    Attributes
    ----------
    weeks : float
        Duration of the step in weeks (> 0).
    productivity : float
        Productivity during the step, a fraction of a fully proficient agent (0 to 1).
    """

    model_config = _FROZEN

    weeks: float = Field(
        gt=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix("give the duration of the ramp-up step in weeks (> 0)"),
    )
    productivity: float = Field(
        ge=0.0,
        le=1.0,
        json_schema_extra=fix("give the productivity of the ramp-up step as a fraction in [0, 1]"),
    )


class CapacityWorkforce(WfmModel):
    """Who is on staff, how they leave and how new hires become productive.

    Attributes
    ----------
    paid_hours_per_week : float
        Paid hours of one FTE per week (e.g. 37.5), > 0.
    shrinkage : dict of str to float
        Shrinkage components as fractions of paid time (e.g. ``{"breaks": 0.08,
        "absence": 0.05}``), combined as ``1 - prod(1 - s_i)``.
    cohorts : list of CapacityCohort
        Current headcount by tenure.
    attrition : list of CapacityAttritionBand
        Attrition by tenure band (the first band starts at 0 weeks).
    training_weeks : float
        Classroom weeks of a new hire: paid, productivity 0.
    nesting_weeks : float
        Nesting weeks after training: taking contacts with support at
        ``nesting_productivity``.
    nesting_productivity : float
        Productivity while nesting, a fraction (0 to 1).
    ramp : list of CapacityRampStep
        Further steps after nesting before full productivity (1.0).
    """

    model_config = _FROZEN

    paid_hours_per_week: float = Field(
        default=37.5,
        gt=0.0,
        le=168.0,
        json_schema_extra=fix("give the paid hours of one FTE per week, e.g. 37.5"),
    )
    shrinkage: dict[str, Annotated[float, Field(ge=0.0, lt=1.0)]] = Field(
        default_factory=dict,
        json_schema_extra=fix("give each shrinkage component as a fraction of paid time in [0, 1)"),
    )
    cohorts: list[CapacityCohort]
    attrition: list[CapacityAttritionBand] = Field(default_factory=list)
    training_weeks: float = Field(
        default=0.0,
        ge=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix("give a duration in weeks (0 or more)"),
    )
    nesting_weeks: float = Field(
        default=0.0,
        ge=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix("give a duration in weeks (0 or more)"),
    )
    nesting_productivity: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        json_schema_extra=fix("give the productivity while nesting as a fraction in [0, 1]"),
    )
    ramp: list[CapacityRampStep] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered_attrition_bands(self) -> Self:
        previous = -math.inf
        for index, band in enumerate(self.attrition):
            if index == 0 and band.min_tenure_weeks != 0:
                raise located_error(
                    type(self),
                    ("attrition", index, "min_tenure_weeks"),
                    band.min_tenure_weeks,
                    "must be 0 for the first band. Fix: start the first attrition band at tenure 0",
                )
            if band.min_tenure_weeks <= previous:
                raise located_error(
                    type(self),
                    ("attrition", index, "min_tenure_weeks"),
                    band.min_tenure_weeks,
                    "is not above the previous band's. "
                    "Fix: list attrition bands in increasing tenure order",
                )
            previous = band.min_tenure_weeks
        return self


class CapacityHiringPolicy(WfmModel):
    """When and how many people may be hired.

    Attributes
    ----------
    lead_time_weeks : float
        Weeks from the hiring decision to the start date (>= 0). The plan is decided at the
        start of period 0, so the first possible start is the period that begins
        ``lead_time_weeks`` or more after it.
    no_hire_before : date or None
        Hires may only start in periods that begin on or after this date.
    freeze : list of (date, date)
        Hiring freezes: no hire starts in a period whose start date ``d`` has
        ``first <= d < last`` for any ``(first, last)``.
    max_hires_per_period : float or None
        Cap on the hires starting in one period.
    whole_hires : bool
        Round hires up to whole people (True) or plan fractional FTE hires (False).
    """

    model_config = _FROZEN

    lead_time_weeks: float = Field(
        default=0.0,
        ge=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix("give the weeks from hiring decision to start date (0 or more)"),
    )
    no_hire_before: date | None = None
    freeze: list[tuple[date, date]] = Field(default_factory=list)
    max_hires_per_period: float | None = Field(
        default=None,
        ge=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix("give a non-negative cap, or None for no cap"),
    )
    whole_hires: bool = True

    @model_validator(mode="after")
    def _freezes_forward(self) -> Self:
        for index, (first, last) in enumerate(self.freeze):
            if not first < last:
                raise located_error(
                    type(self),
                    ("freeze", index),
                    (first.isoformat(), last.isoformat()),
                    "is empty or reversed. Fix: give (first_day, day_after_last_day) with "
                    "first_day < day_after_last_day",
                )
        return self


class CapacityOvertime(WfmModel):
    """Overtime that fills small gaps before anyone is hired.

    Attributes
    ----------
    max_fraction : float
        Overtime cap as a fraction of the effective FTE on staff (e.g. 0.05 = 5 %), >= 0.
    premium : float
        Extra cost of an overtime hour over a regular hour, a fraction (0.5 = time and a
        half), >= 0.
    """

    model_config = _FROZEN

    max_fraction: float = Field(
        default=0.0,
        ge=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix(
            "give the overtime cap as a fraction of effective FTE, e.g. 0.05, or 0"
        ),
    )
    premium: float = Field(
        default=0.5,
        ge=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix(
            "give the overtime premium as a fraction, e.g. 0.5 for time and a half"
        ),
    )


class CapacityCosts(WfmModel):
    """Money: all amounts in one currency.

    Attributes
    ----------
    cost_per_paid_hour : float
        Fully loaded cost of one paid hour of one FTE (wages, on-costs, seat), >= 0.
    cost_per_hire : float
        One-off recruiting and training cost of one hire, charged in the start period, >= 0.
    """

    model_config = _FROZEN

    cost_per_paid_hour: float = Field(
        default=0.0, ge=0.0, allow_inf_nan=False, json_schema_extra=fix("give a non-negative cost")
    )
    cost_per_hire: float = Field(
        default=0.0, ge=0.0, allow_inf_nan=False, json_schema_extra=fix("give a non-negative cost")
    )


class CapacityBudget(WfmModel):
    """Spending caps that hires and overtime must fit in (all amounts in the plan's currency).

    The plan's cost of a period is its ``total_cost``: pay of everyone on staff, overtime at
    its premium and the one-off cost of the period's hires. Current staff are paid whatever
    the budget; hires are added only while every period they are paid in stays within its
    cap and the horizon stays within ``max_total_cost``; overtime then uses what is left,
    period by period. What the caps leave open shows as ``uncovered_fte`` and a lower
    ``service_level`` (see docs/capacity.md).

    Attributes
    ----------
    max_cost_per_period : float, list of float or None
        Cap on each period's total cost: one value for every period or one per period
        (>= 0). None means no per-period cap.
    max_total_cost : float or None
        Cap on the total cost over the horizon (>= 0). None means no total cap.
    """

    model_config = _FROZEN

    max_cost_per_period: float | list[float] | None = None
    max_total_cost: float | None = Field(
        default=None,
        ge=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix(
            "give a non-negative cap on the horizon's total cost, or None for no cap"
        ),
    )

    @field_validator("max_cost_per_period")
    @classmethod
    def _non_negative_caps(cls, caps: float | list[float] | None) -> float | list[float] | None:
        values = [caps] if isinstance(caps, float | int) else caps or []
        bad = [value for value in values if not (math.isfinite(value) and value >= 0.0)]
        if bad:
            raise ValueError(
                f"holds {bad[0]!r}, not a finite non-negative cost. Fix: give one non-negative "
                "cap per period, one number for every period, or None for no cap"
            )
        return caps


class CapacityPlanInput(NumbersNotBooleansModel):
    """Everything a long-range capacity plan needs.

    Attributes
    ----------
    period : {"week", "month"}
        Planning period.
    start_date : date
        First day of period 0 (the first of a month for monthly plans).
    queues : list of CapacityQueuePlan
        Volume, handle time, pattern and targets per queue; every queue has one value per
        period.
    workforce : CapacityWorkforce
        Staff, shrinkage, attrition and ramp-up.
    hiring : CapacityHiringPolicy
        Lead time and hiring rules.
    overtime : CapacityOvertime
        Overtime cap and premium.
    costs : CapacityCosts
        Cost per paid hour and per hire.
    staffing : {"integer", "continuous"}
        Whole agents per interval (:func:`wfm.erlang.required_agents`) or the
        continuous relaxation (:func:`wfm.erlang.required_agents_continuous`).
    budget : CapacityBudget or None
        Spending caps per period and in total; None plans without a cap.
    """

    model_config = _FROZEN

    period: Literal["week", "month"] = "month"
    start_date: date
    queues: list[CapacityQueuePlan] = Field(
        min_length=1, json_schema_extra=fix("give at least one CapacityQueuePlan")
    )
    workforce: CapacityWorkforce
    hiring: CapacityHiringPolicy = Field(default_factory=CapacityHiringPolicy)
    overtime: CapacityOvertime = Field(default_factory=CapacityOvertime)
    costs: CapacityCosts = Field(default_factory=CapacityCosts)
    staffing: Literal["integer", "continuous"] = "integer"
    budget: CapacityBudget | None = None

    @model_validator(mode="after")
    def _consistent_plan(self) -> Self:
        n_periods = self.n_periods
        seen: dict[str, int] = {}
        for index, queue in enumerate(self.queues):
            if queue.queue in seen:
                raise located_error(
                    type(self),
                    ("queues", index, "queue"),
                    queue.queue,
                    f"repeats queues[{seen[queue.queue]}].queue. Fix: give each queue once",
                )
            seen[queue.queue] = index
            if len(queue.volume) != n_periods:
                raise located_error(
                    type(self),
                    ("queues", index, "volume"),
                    f"<{len(queue.volume)} values>",
                    f"must have {n_periods} values, as many as queues[0].volume. "
                    "Fix: give every queue one value per planning period",
                )
        if self.period == "month" and self.start_date.day != 1:
            raise located_error(
                type(self),
                ("start_date",),
                self.start_date.isoformat(),
                "is not the first day of a month. Fix: start a monthly plan on the 1st",
            )
        caps = self.budget.max_cost_per_period if self.budget is not None else None
        if isinstance(caps, list) and len(caps) != n_periods:
            raise located_error(
                type(self),
                ("budget", "max_cost_per_period"),
                f"<{len(caps)} values>",
                f"must have {n_periods} values. Fix: give one cap per period, "
                "or one number for every period",
            )
        return self

    @property
    def n_periods(self) -> int:
        """Number of planning periods (the length of the first queue's volume plan)."""
        return len(self.queues[0].volume) if self.queues else 0

    @property
    def period_weeks(self) -> float:
        """Length of one period in weeks for tenure and attrition (1 or 52/12)."""
        return 1.0 if self.period == "week" else WEEKS_PER_MONTH


class CapacityPeriodRow(WfmModel):
    """One period of a plan's output (see :meth:`CapacityPlanResult.to_frame`)."""

    model_config = _FROZEN

    period_start: date
    calendar_weeks: float
    required_fte: float
    headcount: float
    effective_fte: float
    fte_gap: float
    overtime_fte: float
    uncovered_fte: float
    surplus_fte: float
    hires: float
    staff_cost: float
    overtime_cost: float
    hiring_cost: float
    total_cost: float
    service_level: float | None = None


class CapacityQueueRow(WfmModel):
    """One (period, queue) requirement row; ``occupancy`` is None without agent-hours."""

    model_config = _FROZEN

    period_start: date
    queue: str
    volume: float
    aht_seconds: float
    workload_hours_per_week: float
    agent_hours_per_week: float
    occupancy: float | None
    peak_agents: float
    required_fte: float
    service_level: float | None = None


class CapacityHireRow(WfmModel):
    """One start period of the hiring plan."""

    model_config = _FROZEN

    decision_date: date
    start_date: date
    hires: float


class CapacityPlanOutput(WfmModel):
    """A capacity plan's result as JSON-ready data (exact round trip).

    Build it with :meth:`CapacityPlanResult.to_model` and turn it back with
    :meth:`CapacityPlanResult.from_model`.

    Attributes
    ----------
    plan : CapacityPlanInput
        The input.
    shrinkage : float
        Combined shrinkage used.
    summary : dict
        Headline figures (:meth:`CapacityPlanResult.summary`).
    periods : list of CapacityPeriodRow
        Per-period rows.
    queues : list of CapacityQueueRow
        Per-(period, queue) rows.
    hiring : list of CapacityHireRow
        Hiring plan rows.
    """

    model_config = _FROZEN

    plan: CapacityPlanInput
    shrinkage: float
    summary: dict[str, float | int | str | None]
    periods: list[CapacityPeriodRow]
    queues: list[CapacityQueueRow]
    hiring: list[CapacityHireRow]


def check_capacity_plan(plan: CapacityPlanInput) -> None:
    """Validate every value of a capacity plan input again.

    The models check themselves when built, but ``model_copy(update=...)`` skips
    validation; :func:`wfm.capacity.plan_capacity` therefore calls this first.

    Parameters
    ----------
    plan : CapacityPlanInput
        The plan to check.

    Raises
    ------
    ModelInputError
        An :class:`~wfm.core.errors.InputError` naming the key path of every bad value
        (e.g. ``workforce.attrition[0].rate``), the value and the fix.
    """
    CapacityPlanInput.model_validate(plan.model_dump())
