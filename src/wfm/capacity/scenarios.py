"""What-if scenarios compared side by side against a locked baseline plan."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from pydantic import ConfigDict, Field

from wfm.capacity._demand import combined_shrinkage
from wfm.capacity.models import CapacityPlanInput
from wfm.capacity.planner import CapacityPlanResult, plan_capacity
from wfm.core._models import WfmModel, fix
from wfm.core.errors import InputError

BASELINE = "baseline"
"""Row label of the baseline in :func:`compare_scenarios`."""

COMPARISON_COLUMNS: tuple[str, ...] = (
    "average_required_fte",
    "peak_required_fte",
    "total_hires",
    "ending_headcount",
    "peak_fte_gap",
    "peak_uncovered_fte",
    "overtime_hours",
    "total_cost",
    "delta_average_required_fte",
    "delta_total_hires",
    "delta_ending_headcount",
    "delta_total_cost",
    "delta_total_cost_fraction",
)
"""Columns of the table returned by :func:`compare_scenarios`, in order."""


class CapacityScenario(WfmModel):
    """A what-if change applied to every queue and the workforce of a baseline plan.

    Attributes
    ----------
    target_service_level : float or None
        New service-level target for every queue (0 < value < 1); None keeps each queue's.
    target_seconds : float or None
        New answer-time threshold in seconds for every queue; None keeps each queue's.
    aht_change : float
        Relative change of every AHT, e.g. 0.10 for +10 % (> -1).
    volume_change : float
        Relative change of every volume, e.g. -0.05 for -5 % (>= -1).
    shrinkage_points : float
        Change of the combined shrinkage in fraction points, e.g. 0.03 turns 30 % into
        33 %; the result must stay in [0, 1).
    attrition_factor : float
        Multiplier on every attrition rate, e.g. 1.2 for 20 % more leavers (>= 0; every
        rate must stay below 1).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    target_service_level: float | None = Field(
        default=None,
        gt=0.0,
        lt=1.0,
        json_schema_extra=fix("give a fraction strictly between 0 and 1, or None"),
    )
    target_seconds: float | None = Field(
        default=None,
        gt=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix("give a positive number of seconds, or None"),
    )
    aht_change: float = Field(
        default=0.0,
        gt=-1.0,
        allow_inf_nan=False,
        json_schema_extra=fix("give a relative change above -1"),
    )
    volume_change: float = Field(
        default=0.0,
        ge=-1.0,
        allow_inf_nan=False,
        json_schema_extra=fix("give a relative change of -1 or more"),
    )
    shrinkage_points: float = Field(
        default=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix("give a change in fraction points, e.g. 0.03"),
    )
    attrition_factor: float = Field(
        default=1.0,
        ge=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix("give a non-negative multiplier, e.g. 1.2"),
    )

    def apply(self, plan: CapacityPlanInput) -> CapacityPlanInput:
        """Return a copy of ``plan`` with this scenario's changes.

        Parameters
        ----------
        plan : CapacityPlanInput
            The baseline input (left unchanged).

        Returns
        -------
        CapacityPlanInput
            The changed input.

        Raises
        ------
        InputError
            If a change is out of range (names the scenario field, value and fix).
        """
        check_scenario(self)
        queues = []
        for queue in plan.queues:
            service_update: dict[str, float] = {}
            if self.target_service_level is not None:
                service_update["target_service_level"] = self.target_service_level
            if self.target_seconds is not None:
                service_update["target_seconds"] = self.target_seconds
            queues.append(
                queue.model_copy(
                    update={
                        "volume": [v * (1.0 + self.volume_change) for v in queue.volume],
                        "aht_seconds": [a * (1.0 + self.aht_change) for a in queue.aht_seconds],
                        "service": queue.service.model_copy(update=service_update),
                    }
                )
            )
        workforce = plan.workforce
        bands = [
            band.model_copy(update={"rate": band.rate * self.attrition_factor})
            for band in workforce.attrition
        ]
        shrinkage = dict(workforce.shrinkage)
        if self.shrinkage_points != 0.0:
            base = combined_shrinkage(shrinkage)
            changed = base + self.shrinkage_points
            if not 0.0 <= changed < 1.0:
                raise InputError(
                    f"scenario.shrinkage_points={self.shrinkage_points!r} turns the combined "
                    f"shrinkage {base!r} into {changed!r}, outside [0, 1). Fix: choose a "
                    "change that keeps shrinkage between 0 and 1."
                )
            shrinkage = {"combined": changed}
        workforce = workforce.model_copy(update={"attrition": bands, "shrinkage": shrinkage})
        return plan.model_copy(update={"queues": queues, "workforce": workforce})


def check_scenario(scenario: CapacityScenario) -> None:
    """Validate a scenario again (``model_copy`` and ``model_construct`` skip validation).

    Raises
    ------
    ModelInputError
        An :class:`~wfm.core.errors.InputError` naming the field, the value and the fix.
    """
    CapacityScenario.model_validate(scenario.model_dump())


ScenarioSpec = CapacityScenario | CapacityPlanInput | CapacityPlanResult


def _comparison_row(result: CapacityPlanResult) -> dict[str, float]:
    summary = result.summary()
    numbers = {k: v for k, v in summary.items() if isinstance(v, int | float)}
    return {column: float(numbers[column]) for column in COMPARISON_COLUMNS[:8]}


def compare_scenarios(
    baseline: CapacityPlanInput | CapacityPlanResult,
    scenarios: Mapping[str, ScenarioSpec],
) -> pd.DataFrame:
    """Plan each what-if scenario and compare it with a locked baseline, side by side.

    Parameters
    ----------
    baseline : CapacityPlanInput or CapacityPlanResult
        The baseline input (planned here) or an already computed, locked baseline result
        (used as is, not re-planned).
    scenarios : mapping of str to CapacityScenario, CapacityPlanInput or CapacityPlanResult
        Scenario name to a change applied to the baseline input, a complete alternative
        input, or an already planned result.

    Returns
    -------
    pandas.DataFrame
        Index ``scenario`` (``"baseline"`` first, then the scenarios in the given order);
        columns :data:`COMPARISON_COLUMNS`: FTE required (average weighted by calendar
        weeks, and peak), total hires, ending headcount, peak FTE gap and uncovered FTE,
        overtime hours, total cost, and each figure's difference from the baseline
        (``delta_*``; ``delta_total_cost_fraction`` is relative).

    Raises
    ------
    InputError
        If a scenario is named ``"baseline"``, has an unsupported type, or is out of range.
    """
    base_result = baseline if isinstance(baseline, CapacityPlanResult) else plan_capacity(baseline)
    rows = {BASELINE: _comparison_row(base_result)}
    for name, spec in scenarios.items():
        if name == BASELINE:
            raise InputError(
                f"scenarios[{name!r}] uses the name reserved for the baseline row. "
                "Fix: rename the scenario."
            )
        if isinstance(spec, CapacityScenario):
            result = plan_capacity(spec.apply(base_result.plan))
        elif isinstance(spec, CapacityPlanInput):
            result = plan_capacity(spec)
        elif isinstance(spec, CapacityPlanResult):
            result = spec
        else:
            raise InputError(
                f"scenarios[{name!r}]={type(spec).__name__} is not a scenario. Fix: give a "
                "CapacityScenario, a CapacityPlanInput or a CapacityPlanResult."
            )
        rows[name] = _comparison_row(result)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "scenario"
    base = rows[BASELINE]
    for column in ("average_required_fte", "total_hires", "ending_headcount", "total_cost"):
        table[f"delta_{column}"] = table[column] - base[column]
    base_cost = base["total_cost"]
    table["delta_total_cost_fraction"] = (
        table["delta_total_cost"] / base_cost if base_cost > 0 else float("nan")
    )
    return table.loc[:, list(COMPARISON_COLUMNS)]
