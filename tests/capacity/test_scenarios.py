"""What-if scenarios against a locked baseline."""

import numpy as np
import pytest

from wfm.capacity import CapacityScenario, compare_scenarios, plan_capacity
from wfm.capacity.scenarios import COMPARISON_COLUMNS
from wfm.core import InputError


def test_one_call_answers_how_many_more_people_and_how_much_budget(plan_factory) -> None:
    baseline = plan_capacity(plan_factory())
    table = compare_scenarios(
        baseline,
        {
            "AHT +10%": CapacityScenario(aht_change=0.10),
            "SL 90/20": CapacityScenario(target_service_level=0.9),
            "volume -20%": CapacityScenario(volume_change=-0.2),
            "no change": CapacityScenario(),
        },
    )
    assert list(table.index) == ["baseline", "AHT +10%", "SL 90/20", "volume -20%", "no change"]
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    # More work or a stricter target needs more FTE and costs more; less volume, less.
    assert table.loc["AHT +10%", "delta_average_required_fte"] > 0
    assert table.loc["AHT +10%", "delta_total_cost"] > 0
    assert table.loc["SL 90/20", "delta_average_required_fte"] > 0
    assert table.loc["volume -20%", "delta_average_required_fte"] < 0
    assert table.loc["no change"].filter(like="delta_").abs().max() == 0.0
    # The baseline row is the locked result, not re-planned.
    assert table.loc["baseline", "total_cost"] == baseline.summary()["total_cost"]


def test_scenario_apply_changes_only_what_it_says(plan_factory) -> None:
    plan = plan_factory()
    changed = CapacityScenario(
        aht_change=0.1, volume_change=-0.25, attrition_factor=2.0, target_seconds=30.0
    ).apply(plan)
    np.testing.assert_allclose(
        changed.queues[0].aht_seconds, np.array(plan.queues[0].aht_seconds) * 1.1
    )
    np.testing.assert_allclose(changed.queues[0].volume, np.array(plan.queues[0].volume) * 0.75)
    assert changed.workforce.attrition[0].rate == plan.workforce.attrition[0].rate * 2
    assert changed.queues[0].service.target_seconds == 30.0
    assert changed.queues[0].service.target_service_level == 0.8
    assert changed.workforce.cohorts == plan.workforce.cohorts
    assert plan.queues[0].aht_seconds[0] == 300.0  # baseline left unchanged


def test_shrinkage_points_add_to_the_combined_shrinkage(plan_factory) -> None:
    plan = plan_factory()  # breaks 0.10 and absence 0.05 combine to 1 - 0.9 x 0.95 = 0.145
    base = plan_capacity(plan)
    assert base.shrinkage == pytest.approx(0.145)
    changed = plan_capacity(CapacityScenario(shrinkage_points=0.05).apply(plan))
    assert changed.shrinkage == pytest.approx(0.195)
    # Same agents, more shrinkage: FTE scales by (1 - 0.145) / (1 - 0.195).
    np.testing.assert_allclose(
        changed.to_frame()["required_fte"],
        base.to_frame()["required_fte"] * (1 - 0.145) / (1 - 0.195),
    )


def test_alternative_inputs_and_results_can_be_compared(plan_factory) -> None:
    other = plan_factory(volume=[30000.0] * 4)
    table = compare_scenarios(plan_factory(), {"input": other, "result": plan_capacity(other)})
    assert table.loc["input"].equals(table.loc["result"])


@pytest.mark.parametrize(
    ("scenario", "field"),
    [
        # model_construct skips validation; compare_scenarios validates the scenario again
        (CapacityScenario.model_construct(aht_change=-1.0), "aht_change = -1.0"),
        (
            CapacityScenario.model_construct(target_service_level=1.2),
            "target_service_level = 1.2",
        ),
        (CapacityScenario.model_construct(attrition_factor=-1.0), "attrition_factor = -1.0"),
        (CapacityScenario(shrinkage_points=0.9), "scenario.shrinkage_points=0.9"),
        (CapacityScenario(attrition_factor=100.0), "workforce.attrition[0].rate = 2.0"),
    ],
)
def test_bad_scenarios_name_the_field(plan_factory, scenario, field) -> None:
    with pytest.raises(InputError) as info:
        compare_scenarios(plan_factory(), {"bad": scenario})
    assert field in str(info.value)


def test_baseline_name_is_reserved(plan_factory) -> None:
    with pytest.raises(InputError, match="baseline"):
        compare_scenarios(plan_factory(), {"baseline": CapacityScenario()})


def test_unsupported_scenario_type(plan_factory) -> None:
    with pytest.raises(InputError, match="CapacityScenario"):
        compare_scenarios(plan_factory(), {"x": {"aht_change": 0.1}})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"aht_change": -1.0}, "aht_change = -1.0"),
        ({"target_service_level": 1.2}, "target_service_level = 1.2"),
        ({"attrition_factor": float("nan")}, "attrition_factor = nan"),
    ],
)
def test_bad_scenarios_are_refused_when_built(changes, field) -> None:
    with pytest.raises(InputError) as info:
        CapacityScenario(**changes)
    assert field in str(info.value)
    assert "Fix:" in str(info.value)
