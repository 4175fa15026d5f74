"""The inverse question: which budget (and how many hires) meets the service target."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.capacity.models import CapacityBudget, CapacityPlanInput
from wfm.capacity.planner import CapacityPlanResult, plan_capacity
from wfm.core.errors import InputError

BUDGET_COLUMNS: tuple[str, ...] = (
    "period_start",
    "hires",
    "headcount",
    "budget",
    "staff_cost",
    "overtime_cost",
    "hiring_cost",
    "uncovered_fte",
    "service_level",
)
"""Columns of :attr:`CapacityBudgetNeed.periods`, in order."""


@dataclass(frozen=True)
class CapacityBudgetNeed:
    """The budget and hires a plan needs to meet its service target.

    Attributes
    ----------
    periods : pandas.DataFrame
        One row per period with :data:`BUDGET_COLUMNS`: ``budget`` is the period's cost
        cap that is enough (the cost of the uncapped plan), split into staff, overtime and
        hiring; ``uncovered_fte`` and ``service_level`` show what no budget can fix
        (lead time, freezes, training).
    total_budget : float
        Sum of ``budget``: the smallest ``max_total_cost`` with the same plan.
    total_hires : float
        Hires over the horizon.
    result : CapacityPlanResult
        The uncapped plan the answer comes from.
    """

    periods: pd.DataFrame
    total_budget: float
    total_hires: float
    result: CapacityPlanResult

    def as_budget(self) -> CapacityBudget:
        """Return the answer as per-period and total caps for :class:`CapacityPlanInput`."""
        return CapacityBudget(
            max_cost_per_period=[float(v) for v in self.periods["budget"]],
            max_total_cost=self.total_budget,
        )


def budget_for_target(
    plan: CapacityPlanInput,
    *,
    target_service_level: float | None = None,
    target_seconds: float | None = None,
) -> CapacityBudgetNeed:
    """Answer "what budget and how many hires meet the target?" for a plan.

    The plan is made without its budget caps (optionally with every queue's target
    changed); each period's cost of that plan is the period budget needed, and their sum
    the total. Hiring follows the documented rule (docs/capacity.md), so a smaller cap in
    any period that pays for a hire leaves FTE uncovered: the plan under
    :meth:`CapacityBudgetNeed.as_budget` is the uncapped plan, and any lower cap binds.
    Gaps no budget can close (inside the lead time, freezes, training) stay reported.

    Parameters
    ----------
    plan : CapacityPlanInput
        The plan (its ``budget`` is ignored).
    target_service_level : float, optional
        Service level target for every queue (0 < value < 1); default: each queue's own.
    target_seconds : float, optional
        Answer-time threshold for every queue (seconds > 0); default: each queue's own.

    Returns
    -------
    CapacityBudgetNeed
        Per-period budget and hires, totals, and the plan behind them.

    Raises
    ------
    InputError
        If ``plan`` is not a :class:`CapacityPlanInput` or a target is out of range.
    """
    if not isinstance(plan, CapacityPlanInput):
        raise InputError(
            f"plan={type(plan).__name__} is not a CapacityPlanInput. "
            "Fix: build one, e.g. CapacityPlanInput.model_validate(config_dict)."
        )
    uncapped = plan.model_copy(update={"budget": None})
    if target_service_level is not None or target_seconds is not None:
        from wfm.capacity.scenarios import CapacityScenario

        scenario = CapacityScenario(
            target_service_level=target_service_level, target_seconds=target_seconds
        )
        uncapped = scenario.apply(uncapped)
    result = plan_capacity(uncapped)
    frame = result.to_frame()
    periods = pd.DataFrame(
        {
            "period_start": frame["period_start"],
            "hires": frame["hires"],
            "headcount": frame["headcount"],
            "budget": frame["total_cost"],
            "staff_cost": frame["staff_cost"],
            "overtime_cost": frame["overtime_cost"],
            "hiring_cost": frame["hiring_cost"],
            "uncovered_fte": frame["uncovered_fte"],
            "service_level": frame["service_level"],
        },
        columns=list(BUDGET_COLUMNS),
    )
    return CapacityBudgetNeed(
        periods=periods,
        total_budget=float(np.sum(frame["total_cost"])),
        total_hires=float(np.sum(frame["hires"])),
        result=result,
    )
