"""The capacity plan: required FTE, supply roll-forward, hiring, overtime and budget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from pydantic import BaseModel

from wfm.capacity._checks import check_capacity_plan
from wfm.capacity._demand import combined_shrinkage, period_edges, queue_requirement
from wfm.capacity._supply import (
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
)
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
)
"""Columns of :meth:`CapacityPlanResult.to_frame`, in order."""

_FTE_NOISE = 1e-9


@dataclass(frozen=True)
class CapacityPlanResult:
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
            plan's currency.
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
            summary=self.summary(),
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

    def summary(self) -> dict[str, float | int | str]:
        """Headline figures: how many more people, how much budget.

        Returns
        -------
        dict
            ``periods``, ``period``, ``total_hires``, ``starting_headcount``,
            ``ending_headcount``, ``average_required_fte``, ``peak_required_fte``,
            ``peak_fte_gap``, ``periods_uncovered`` (periods with uncovered FTE),
            ``peak_uncovered_fte``, ``overtime_hours``, ``staff_cost``, ``overtime_cost``,
            ``hiring_cost`` and ``total_cost`` (the budget over the horizon).
        """
        frame = self.periods
        weeks = frame["calendar_weeks"].to_numpy()
        hours = self.plan.workforce.paid_hours_per_week
        return {
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
        }


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
    edges = period_edges(plan)
    days = np.asarray([(edges[k + 1] - edges[k]).days for k in range(plan.n_periods)], float)
    shrinkage = combined_shrinkage(plan.workforce.shrinkage)
    productive_hours = (1.0 - shrinkage) * plan.workforce.paid_hours_per_week
    rows = []
    total = np.zeros(plan.n_periods)
    for queue in plan.queues:
        need = queue_requirement(queue, days, plan.staffing)
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
    return queues, total, shrinkage


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
    queues, required, shrinkage = required_fte_by_queue(plan)
    edges = period_edges(plan)
    starts = edges[:-1]
    weeks = np.asarray([(edges[k + 1] - edges[k]).days / 7.0 for k in range(len(starts))])
    curves = supply_curves(plan.workforce, plan.n_periods, plan.period_weeks)
    allowed = allowed_start_periods(plan.hiring, starts)
    overtime_fraction = plan.overtime.max_fraction
    hires = plan_hires(required, curves, allowed, plan.hiring, overtime_fraction)
    headcount = curves.existing_headcount + hire_contribution(hires, curves.hire_headcount)
    effective = curves.existing_effective + hire_contribution(hires, curves.hire_effective)
    gap = required - effective
    # Rounding noise of the roll-forward (~1e-15 FTE) must not show as overtime or a gap.
    gap = np.where(np.abs(gap) > _FTE_NOISE, gap, 0.0)
    overtime = np.clip(gap, 0.0, overtime_fraction * effective)
    uncovered = np.maximum(gap - overtime, 0.0)
    uncovered = np.where(uncovered > _FTE_NOISE, uncovered, 0.0)
    paid_hours = plan.workforce.paid_hours_per_week * weeks
    hourly = plan.costs.cost_per_paid_hour
    staff_cost = headcount * paid_hours * hourly
    overtime_cost = overtime * paid_hours * hourly * (1.0 + plan.overtime.premium)
    hiring_cost = hires * plan.costs.cost_per_hire
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
