"""wfm.capacity: long-range capacity planning (FTE, hiring, attrition, budget, scenarios).

One call answers "how many more people, how much budget?"::

    result = plan_capacity(plan)          # plan: CapacityPlanInput
    result.summary()["total_hires"], result.summary()["total_cost"]
    result.to_frame()                     # per period: required FTE, supply, gap, cost
    compare_scenarios(result, {"AHT +10%": CapacityScenario(aht_change=0.10)})

See docs/capacity.md for the model and its formulas.
"""

from wfm.capacity.budget import CapacityBudgetNeed, budget_for_target
from wfm.capacity.models import (
    CapacityAttritionBand,
    CapacityBudget,
    CapacityCohort,
    CapacityCosts,
    CapacityHireRow,
    CapacityHiringPolicy,
    CapacityOvertime,
    CapacityPeriodRow,
    CapacityPlanInput,
    CapacityPlanOutput,
    CapacityQueuePlan,
    CapacityQueueRow,
    CapacityRampStep,
    CapacityServiceTarget,
    CapacityWeekPattern,
    CapacityWorkforce,
    check_capacity_plan,
)
from wfm.capacity.patterns import capacity_period_totals, capacity_week_patterns
from wfm.capacity.planner import CapacityPlanResult, plan_capacity
from wfm.capacity.plot import plot_capacity_plan
from wfm.capacity.scenarios import CapacityScenario, compare_scenarios

__all__ = [
    "CapacityAttritionBand",
    "CapacityBudget",
    "CapacityBudgetNeed",
    "CapacityCohort",
    "CapacityCosts",
    "CapacityHireRow",
    "CapacityHiringPolicy",
    "CapacityOvertime",
    "CapacityPeriodRow",
    "CapacityPlanInput",
    "CapacityPlanOutput",
    "CapacityPlanResult",
    "CapacityQueuePlan",
    "CapacityQueueRow",
    "CapacityRampStep",
    "CapacityScenario",
    "CapacityServiceTarget",
    "CapacityWeekPattern",
    "CapacityWorkforce",
    "budget_for_target",
    "capacity_period_totals",
    "capacity_week_patterns",
    "check_capacity_plan",
    "compare_scenarios",
    "plan_capacity",
    "plot_capacity_plan",
]
