"""The capacity plan: required FTE, supply roll-forward, hiring, overtime and budget."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from pydantic import BaseModel

from wfm.capacity._demand import (
    QueueRequirement,
    combined_shrinkage,
    period_edges,
    queue_requirement,
    queue_service_level,
)
from wfm.capacity._supply import (
    HireBudget,
    SupplyCurves,
    allowed_start_periods,
    hire_contribution,
    lead_time_days,
    plan_hires,
    supply_curves,
)
from wfm.capacity.models import (
    CapacityHireRow,
    CapacityPeriodRow,
    CapacityPlanInput,
    CapacityPlanOutput,
    CapacityQueueRow,
    check_capacity_plan,
)
from wfm.core._display import ResultDisplay
from wfm.core._summary import Summary, units_from_names
from wfm.core.errors import InputError

PERIOD_COLUMNS: tuple[str, ...] = (
    "period_start",
    "calendar_weeks",
    "required_fte",
    "headcount",
    "effective_fte",
    "fte_gap",
    "overtime_fte",
    "uncovered_fte",
    "surplus_fte",
    "hires",
    "staff_cost",
    "overtime_cost",
    "hiring_cost",
    "total_cost",
    "service_level",
)
"""Columns of :meth:`CapacityPlanResult.to_frame`, in order."""

_FTE_NOISE = 1e-9


@dataclass(frozen=True, repr=False)
class CapacityPlanResult(ResultDisplay):
    """The outcome of :func:`plan_capacity`.

    Attributes
    ----------
    plan : CapacityPlanInput
        The input the plan was made from.
    periods : pandas.DataFrame
        One row per period with :data:`PERIOD_COLUMNS` (see :meth:`to_frame`).
    queues : pandas.DataFrame
        One row per (period, queue): weekly agent-hours, workload hours, occupancy, peak
        agents and required FTE of that queue.
    hiring : pandas.DataFrame
        One row per start period with hires: decision date, start date, hires.
    shrinkage : float
        Combined shrinkage used, a fraction of paid time.
    """

    plan: CapacityPlanInput
    periods: pd.DataFrame
    queues: pd.DataFrame
    hiring: pd.DataFrame
    shrinkage: float

    def to_frame(self) -> pd.DataFrame:
        """Return the per-period table (a copy).

        Returns
        -------
        pandas.DataFrame
            Columns: ``period_start`` (date), ``calendar_weeks`` (days / 7),
            ``required_fte`` (paid FTE incl. shrinkage), ``headcount`` (people on staff at
            the period start, trainees included), ``effective_fte`` (headcount x
            productivity), ``fte_gap`` (required - effective; negative is a surplus),
            ``overtime_fte`` (gap filled by overtime), ``uncovered_fte`` (gap left after
            hires and overtime), ``surplus_fte``, ``hires`` (starting in the period), and
            costs ``staff_cost``, ``overtime_cost``, ``hiring_cost``, ``total_cost`` in the
            plan's currency, and ``service_level``: the contact-weighted service level
            the covered FTE (effective + overtime, at most the requirement) delivers,
            below the target where FTE is uncovered (NaN without contacts).
        """
        return self.periods.copy()

    def queue_frame(self) -> pd.DataFrame:
        """Return the per-(period, queue) requirement table (a copy)."""
        return self.queues.copy()

    def hiring_plan(self) -> pd.DataFrame:
        """Return the hiring plan: ``decision_date``, ``start_date``, ``hires`` (a copy)."""
        return self.hiring.copy()

    def to_model(self) -> CapacityPlanOutput:
        """Return the result as a pydantic model that round-trips through JSON exactly.

        Returns
        -------
        CapacityPlanOutput
            Input, shrinkage, summary and every row; NaN occupancy becomes None.
        """

        def records(frame: pd.DataFrame) -> list[dict[str, object]]:
            clean = frame.astype(object).where(frame.notna(), None)
            return [dict(zip(clean.columns, row, strict=True)) for row in clean.itertuples(False)]

        return CapacityPlanOutput(
            plan=self.plan,
            shrinkage=self.shrinkage,
            summary=self.summary().to_dict(),
            periods=[CapacityPeriodRow.model_validate(r) for r in records(self.periods)],
            queues=[CapacityQueueRow.model_validate(r) for r in records(self.queues)],
            hiring=[CapacityHireRow.model_validate(r) for r in records(self.hiring)],
        )

    @classmethod
    def from_model(cls, output: CapacityPlanOutput) -> CapacityPlanResult:
        """Rebuild a result from :meth:`to_model`'s output (frames equal the original).

        Parameters
        ----------
        output : CapacityPlanOutput
            A result model, e.g. parsed from JSON.

        Returns
        -------
        CapacityPlanResult
            The result, with the same frames, dtypes and values.
        """
        return cls(
            plan=output.plan,
            periods=_rows_to_frame(output.periods, CapacityPeriodRow),
            queues=_rows_to_frame(output.queues, CapacityQueueRow),
            hiring=_rows_to_frame(output.hiring, CapacityHireRow),
            shrinkage=output.shrinkage,
        )

    def summary(self) -> Summary:
        """Headline figures: how many more people, how much budget.

        Returns
        -------
        Summary
            ``periods``, ``period``, ``total_hires``, ``starting_headcount``,
            ``ending_headcount``, ``average_required_fte``, ``peak_required_fte``,
            ``peak_fte_gap``, ``periods_uncovered`` (periods with uncovered FTE),
            ``peak_uncovered_fte``, ``overtime_hours``, ``staff_cost``, ``overtime_cost``,
            ``hiring_cost`` and ``total_cost`` (the budget over the horizon), and
            ``lowest_service_level`` (the worst period's; None without contacts).
        """
        frame = self.periods
        weeks = frame["calendar_weeks"].to_numpy()
        levels = frame["service_level"].to_numpy(dtype=float)
        has_level = bool(np.isfinite(levels).any())
        hours = self.plan.workforce.paid_hours_per_week
        figures: dict[str, float | int | str | None] = {
            "periods": len(frame),
            "period": self.plan.period,
            "total_hires": float(frame["hires"].sum()),
            "starting_headcount": float(frame["headcount"].iloc[0]),
            "ending_headcount": float(frame["headcount"].iloc[-1]),
            "average_required_fte": float(np.average(frame["required_fte"], weights=weeks)),
            "peak_required_fte": float(frame["required_fte"].max()),
            "peak_fte_gap": float(frame["fte_gap"].max()),
            "periods_uncovered": int((frame["uncovered_fte"] > 1e-9).sum()),
            "peak_uncovered_fte": float(frame["uncovered_fte"].max()),
            "overtime_hours": float((frame["overtime_fte"] * weeks).sum() * hours),
            "staff_cost": float(frame["staff_cost"].sum()),
            "overtime_cost": float(frame["overtime_cost"].sum()),
            "hiring_cost": float(frame["hiring_cost"].sum()),
            "total_cost": float(frame["total_cost"].sum()),
            "lowest_service_level": float(np.nanmin(levels)) if has_level else None,
        }
        units = units_from_names(
            figures,
            total_hires="people",
            starting_headcount="people",
            ending_headcount="people",
            average_required_fte="FTE",
            peak_required_fte="FTE",
            peak_fte_gap="FTE",
            peak_uncovered_fte="FTE",
            periods_uncovered="periods",
        )
        return Summary("CapacityPlanResult", figures, units=units)


def required_fte_by_queue(
    plan: CapacityPlanInput,
) -> tuple[pd.DataFrame, np.ndarray, float]:
    """Compute required paid FTE per queue and period (Erlang per representative interval).

    ``FTE = (sum_i agents_i * interval_hours) / ((1 - shrinkage) * paid_hours_per_week)``,
    the weekly agent-hours of the representative week grossed up for shrinkage and divided
    by one FTE's paid hours; the weekly basis makes it the average headcount needed over
    the period, whatever its length.

    Parameters
    ----------
    plan : CapacityPlanInput
        A checked plan.

    Returns
    -------
    queues : pandas.DataFrame
        Per (period, queue) requirement table.
    required_fte : numpy.ndarray
        Total required FTE per period (queues are staffed separately and added).
    shrinkage : float
        Combined shrinkage.
    """
    queues, total, shrinkage, _ = _requirements(plan)
    return queues, total, shrinkage


def _requirements(
    plan: CapacityPlanInput,
) -> tuple[pd.DataFrame, np.ndarray, float, list[QueueRequirement]]:
    """:func:`required_fte_by_queue` plus each queue's per-interval requirement."""
    edges = period_edges(plan)
    days = np.asarray([(edges[k + 1] - edges[k]).days for k in range(plan.n_periods)], float)
    shrinkage = combined_shrinkage(plan.workforce.shrinkage)
    needs = []
    productive_hours = (1.0 - shrinkage) * plan.workforce.paid_hours_per_week
    rows = []
    total = np.zeros(plan.n_periods)
    for queue in plan.queues:
        need = queue_requirement(queue, days, plan.staffing)
        needs.append(need)
        fte = need.agent_hours_per_week / productive_hours
        total += fte
        with np.errstate(divide="ignore", invalid="ignore"):
            occupancy = np.where(
                need.agent_hours_per_week > 0,
                need.workload_hours_per_week / need.agent_hours_per_week,
                np.nan,
            )
        rows.append(
            pd.DataFrame(
                {
                    "period_start": edges[:-1],
                    "queue": queue.queue,
                    "volume": np.asarray(queue.volume, dtype=float),
                    "aht_seconds": np.asarray(queue.aht_seconds, dtype=float),
                    "workload_hours_per_week": need.workload_hours_per_week,
                    "agent_hours_per_week": need.agent_hours_per_week,
                    "occupancy": occupancy,
                    "peak_agents": need.peak_agents,
                    "required_fte": fte,
                }
            )
        )
    queues = pd.concat(rows, ignore_index=True)
    return queues, total, shrinkage, needs


def plan_capacity(plan: CapacityPlanInput) -> CapacityPlanResult:
    """Make a long-range capacity plan: required FTE, hires, overtime, gap and budget.

    Steps (formulas in docs/capacity.md):

    1. Required FTE per period from Erlang on every interval of each queue's
       representative week, grossed up for shrinkage.
    2. Current cohorts rolled forward with attrition by tenure band and productivity by
       tenure (training, nesting, ramp-up).
    3. Hires chosen period by period to close the gap that overtime cannot, respecting
       lead time, earliest start, freezes and the per-period cap.
    4. Overtime fills the remaining gap up to its cap; what is left is uncovered.
    5. Budget: paid hours of everyone on staff, overtime at a premium, and a one-off cost
       per hire.

    Parameters
    ----------
    plan : CapacityPlanInput
        All inputs.

    Returns
    -------
    CapacityPlanResult
        Per-period table (:meth:`~CapacityPlanResult.to_frame`), per-queue table, hiring
        plan and :meth:`~CapacityPlanResult.summary` (total hires and budget).

    Raises
    ------
    InputError
        If any input value is out of range (names field path, value and fix).
    """
    if not isinstance(plan, CapacityPlanInput):
        raise InputError(
            f"plan={type(plan).__name__} is not a CapacityPlanInput. "
            "Fix: build one, e.g. CapacityPlanInput.model_validate(config_dict)."
        )
    check_capacity_plan(plan)
    queues, required, shrinkage, needs = _requirements(plan)
    edges = period_edges(plan)
    starts = edges[:-1]
    weeks = np.asarray([(edges[k + 1] - edges[k]).days / 7.0 for k in range(len(starts))])
    curves = supply_curves(plan.workforce, plan.n_periods, plan.period_weeks)
    allowed = allowed_start_periods(plan.hiring, starts)
    overtime_fraction = plan.overtime.max_fraction
    paid_hours = plan.workforce.paid_hours_per_week * weeks
    hourly = plan.costs.cost_per_paid_hour
    period_caps, total_cap = budget_caps(plan)
    budget = _hire_budget(period_caps, total_cap, curves, paid_hours * hourly, plan)
    hires = plan_hires(required, curves, allowed, plan.hiring, overtime_fraction, budget)
    headcount = curves.existing_headcount + hire_contribution(hires, curves.hire_headcount)
    effective = curves.existing_effective + hire_contribution(hires, curves.hire_effective)
    gap = required - effective
    # Rounding noise of the roll-forward (~1e-15 FTE) must not show as overtime or a gap.
    gap = np.where(np.abs(gap) > _FTE_NOISE, gap, 0.0)
    staff_cost = headcount * paid_hours * hourly
    hiring_cost = hires * plan.costs.cost_per_hire
    overtime_unit_cost = paid_hours * hourly * (1.0 + plan.overtime.premium)
    overtime = affordable_overtime(
        np.clip(gap, 0.0, overtime_fraction * effective),
        overtime_unit_cost,
        period_caps - staff_cost - hiring_cost,
        total_cap - float(np.sum(staff_cost + hiring_cost)),
    )
    uncovered = np.maximum(gap - overtime, 0.0)
    uncovered = np.where(uncovered > _FTE_NOISE, uncovered, 0.0)
    overtime_cost = overtime * overtime_unit_cost
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(required > 0, np.minimum(1.0 - uncovered / required, 1.0), 1.0)
    queues["service_level"] = np.concatenate(
        [queue_service_level(q, need, coverage) for q, need in zip(plan.queues, needs, strict=True)]
    )
    periods = pd.DataFrame(
        {
            "period_start": starts,
            "calendar_weeks": weeks,
            "required_fte": required,
            "headcount": headcount,
            "effective_fte": effective,
            "fte_gap": gap,
            "overtime_fte": overtime,
            "uncovered_fte": uncovered,
            "surplus_fte": np.maximum(-gap, 0.0),
            "hires": hires,
            "staff_cost": staff_cost,
            "overtime_cost": overtime_cost,
            "hiring_cost": hiring_cost,
            "total_cost": staff_cost + overtime_cost + hiring_cost,
            "service_level": _contact_weighted(queues, plan.n_periods),
        },
        columns=list(PERIOD_COLUMNS),
    )
    return CapacityPlanResult(
        plan=plan,
        periods=periods,
        queues=queues,
        hiring=_hiring_table(hires, starts, plan.hiring.lead_time_weeks),
        shrinkage=shrinkage,
    )


def budget_caps(plan: CapacityPlanInput) -> tuple[np.ndarray, float]:
    """Per-period and total cost caps of a plan (``inf`` where there is none).

    Parameters
    ----------
    plan : CapacityPlanInput
        A checked plan.

    Returns
    -------
    period_caps : numpy.ndarray
        Cap on each period's total cost.
    total_cap : float
        Cap on the horizon's total cost.
    """
    period_caps = np.full(plan.n_periods, math.inf)
    total_cap = math.inf
    if plan.budget is not None:
        if plan.budget.max_cost_per_period is not None:
            caps = np.asarray(plan.budget.max_cost_per_period, dtype=float)
            period_caps = np.broadcast_to(caps, period_caps.shape).astype(float)
        if plan.budget.max_total_cost is not None:
            total_cap = float(plan.budget.max_total_cost)
    return period_caps, total_cap


def _hire_budget(
    period_caps: np.ndarray,
    total_cap: float,
    curves: SupplyCurves,
    cost_per_head: np.ndarray,
    plan: CapacityPlanInput,
) -> HireBudget | None:
    """Money left for hires once current staff are paid; None without any cap."""
    if plan.budget is None:
        return None
    committed = curves.existing_headcount * cost_per_head
    return HireBudget(
        period_room=period_caps - committed,
        total_room=total_cap - float(committed.sum()),
        cost_per_head=cost_per_head,
        cost_per_hire=plan.costs.cost_per_hire,
    )


def affordable_overtime(
    wanted_fte: np.ndarray, unit_cost: np.ndarray, period_room: np.ndarray, total_room: float
) -> np.ndarray:
    """Overtime that fits the budget left after pay and hiring, earliest periods first.

    Parameters
    ----------
    wanted_fte : numpy.ndarray
        Overtime FTE each period would use without a budget.
    unit_cost : numpy.ndarray
        Cost of one overtime FTE over each whole period (premium included).
    period_room : numpy.ndarray
        Money left in each period (``inf`` without a cap; may be negative).
    total_room : float
        Money left over the horizon (``inf`` without a cap).

    Returns
    -------
    numpy.ndarray
        Overtime FTE per period, at most ``wanted_fte``.
    """
    cost = wanted_fte * unit_cost
    with np.errstate(invalid="ignore"):
        cost = np.minimum(cost, np.maximum(period_room, 0.0))
        if math.isfinite(total_room):
            spent_before = np.concatenate(([0.0], np.cumsum(cost)[:-1]))
            cost = np.clip(total_room - spent_before, 0.0, cost)
    with np.errstate(divide="ignore", invalid="ignore"):
        fte = np.where(unit_cost > 0, cost / unit_cost, wanted_fte)
    return np.asarray(np.minimum(fte, wanted_fte), dtype=float)


def _contact_weighted(queues: pd.DataFrame, n_periods: int) -> np.ndarray:
    """Per-period service level over all queues, weighted by contacts (NaN without any)."""
    volume = queues["volume"].to_numpy(dtype=float).reshape(-1, n_periods)
    level = queues["service_level"].to_numpy(dtype=float).reshape(-1, n_periods)
    weighted = np.where(volume > 0, np.nan_to_num(level) * volume, 0.0).sum(axis=0)
    contacts = volume.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(contacts > 0, weighted / contacts, np.nan)


def _rows_to_frame(rows: Sequence[BaseModel], model: type[BaseModel]) -> pd.DataFrame:
    """Column-wise frame of pydantic rows: floats as float64, dates as objects, str as str."""
    data: dict[str, object] = {}
    for name, field in model.model_fields.items():
        values = [getattr(row, name) for row in rows]
        if field.annotation is date:
            data[name] = pd.Series(values, dtype=object)
        elif field.annotation is str:
            data[name] = pd.Series(values, dtype="str")
        else:
            data[name] = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    return pd.DataFrame(data, columns=list(model.model_fields))


def _hiring_table(hires: np.ndarray, starts: list[date], lead_time_weeks: float) -> pd.DataFrame:
    """One row per start period with hires: decision date, start date, hires."""
    chosen = np.flatnonzero(hires > 0)
    lead = timedelta(days=lead_time_days(lead_time_weeks))
    return pd.DataFrame(
        {
            "decision_date": pd.Series([starts[k] - lead for k in chosen], dtype=object),
            "start_date": pd.Series([starts[k] for k in chosen], dtype=object),
            "hires": hires[chosen],
        },
        columns=["decision_date", "start_date", "hires"],
    )
