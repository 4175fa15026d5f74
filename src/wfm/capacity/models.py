"""Inputs of a long-range capacity plan, as pydantic models with an exact JSON round trip.

The models only fix types and shapes; value ranges (rates in [0, 1), positive handle times,
consistent lengths, ...) are checked by :func:`check_capacity_plan`, which
:func:`wfm.capacity.plan_capacity` calls first, so that every bad value raises
:class:`~wfm.core.errors.InputError` naming the field path, the value and the fix.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field

from wfm.core._models import NumbersNotBooleansModel, WfmModel

_FROZEN = ConfigDict(extra="forbid", frozen=True)

WEEKS_PER_MONTH = 52.0 / 12.0
"""Length of one planning month in weeks for tenure, attrition and lead times (52/12)."""


class CapacityServiceTarget(WfmModel):
    """Service targets of one queue, passed to :func:`wfm.erlang.required_agents`.

    Attributes
    ----------
    target_service_level : float
        Fraction of contacts to answer within ``target_seconds`` (0 < value < 1).
    target_seconds : float
        Answer-time threshold of the service level, in seconds (> 0).
    max_asa_seconds : float or None
        Optional cap on the average speed of answer, in seconds.
    max_occupancy : float or None
        Optional occupancy cap, a fraction in (0, 1].
    patience_seconds : float or None
        Mean customer patience in seconds; when given, staffing uses Erlang A
        (abandonment), otherwise Erlang C.
    max_abandon_rate : float or None
        Optional cap on the abandoned fraction (Erlang A only), in (0, 1).
    min_agents : int
        Minimum agents in every open interval (e.g. 1 so a queue is never unmanned).
    service_level_definition : str or None
        Which service level Erlang A targets (required with ``patience_seconds``, since
        abandons make the definitions differ), one of the names
        :func:`wfm.erlang.required_agents` accepts, e.g. ``"answered_of_offered"``.
    """

    model_config = _FROZEN

    target_service_level: float = 0.8
    target_seconds: float = 20.0
    max_asa_seconds: float | None = None
    max_occupancy: float | None = None
    patience_seconds: float | None = None
    max_abandon_rate: float | None = None
    min_agents: int = 0
    service_level_definition: str | None = None


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

    interval_minutes: int = 30
    volume_shares: list[float]
    aht_factors: list[float] | None = None
    open_intervals: list[bool] | None = None


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
    service : CapacityServiceTarget
        Service targets of the queue.
    """

    model_config = _FROZEN

    queue: str
    volume: list[float]
    aht_seconds: list[float]
    pattern: CapacityWeekPattern
    service: CapacityServiceTarget = Field(default_factory=CapacityServiceTarget)


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

    tenure_weeks: float
    headcount: float


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

    min_tenure_weeks: float = 0.0
    rate: float
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

    weeks: float
    productivity: float


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

    paid_hours_per_week: float = 37.5
    shrinkage: dict[str, float] = Field(default_factory=dict)
    cohorts: list[CapacityCohort]
    attrition: list[CapacityAttritionBand] = Field(default_factory=list)
    training_weeks: float = 0.0
    nesting_weeks: float = 0.0
    nesting_productivity: float = 0.5
    ramp: list[CapacityRampStep] = Field(default_factory=list)


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

    lead_time_weeks: float = 0.0
    no_hire_before: date | None = None
    freeze: list[tuple[date, date]] = Field(default_factory=list)
    max_hires_per_period: float | None = None
    whole_hires: bool = True


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

    max_fraction: float = 0.0
    premium: float = 0.5


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

    cost_per_paid_hour: float = 0.0
    cost_per_hire: float = 0.0


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
    max_total_cost: float | None = None


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
    queues: list[CapacityQueuePlan]
    workforce: CapacityWorkforce
    hiring: CapacityHiringPolicy = Field(default_factory=CapacityHiringPolicy)
    overtime: CapacityOvertime = Field(default_factory=CapacityOvertime)
    costs: CapacityCosts = Field(default_factory=CapacityCosts)
    staffing: Literal["integer", "continuous"] = "integer"
    budget: CapacityBudget | None = None

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
