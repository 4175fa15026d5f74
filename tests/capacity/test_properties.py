"""Monotonicity properties of the capacity plan (hypothesis)."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.capacity import CapacityScenario, compare_scenarios, plan_capacity

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

volumes = st.lists(st.floats(0.0, 60000.0), min_size=1, max_size=4)


@SETTINGS
@given(
    volume=volumes,
    aht=st.floats(60.0, 900.0),
    low=st.floats(0.05, 0.94),
    raise_by=st.floats(0.001, 0.5),
    continuous=st.booleans(),
)
def test_raising_the_service_level_target_never_lowers_required_fte(
    plan_factory, volume, aht, low, raise_by, continuous
) -> None:
    high = min(low + raise_by, 0.99)
    staffing = "continuous" if continuous else "integer"
    lower = plan_factory(
        volume=volume, aht_seconds=aht, target_service_level=low, staffing=staffing
    )
    higher = plan_factory(
        volume=volume, aht_seconds=aht, target_service_level=high, staffing=staffing
    )
    required_low = plan_capacity(lower).to_frame()["required_fte"].to_numpy()
    required_high = plan_capacity(higher).to_frame()["required_fte"].to_numpy()
    assert np.all(required_high >= required_low - 1e-9)


@SETTINGS
@given(
    volume=volumes,
    low=st.floats(0.0, 0.3),
    raise_by=st.floats(0.0, 0.3),
    lead=st.floats(0.0, 10.0),
    overtime=st.floats(0.0, 0.2),
    headcount=st.floats(0.0, 80.0),
    tenure=st.floats(0.0, 10.0),
)
def test_raising_attrition_never_lowers_hires(
    plan_factory, volume, low, raise_by, lead, overtime, headcount, tenure
) -> None:
    def hires(rate: float) -> float:
        plan = plan_factory(
            volume=volume,
            monthly_attrition=rate,
            lead_time_weeks=lead,
            overtime_fraction=overtime,
            cohorts=[(tenure, headcount), (100.0, headcount / 2)],
        )
        return float(plan_capacity(plan).summary()["total_hires"])

    assert hires(low + raise_by) >= hires(low) - 1e-9


@SETTINGS
@given(
    aht_change=st.floats(-0.3, 0.5),
    volume_change=st.floats(-0.5, 0.5),
    shrinkage_points=st.floats(-0.1, 0.3),
    attrition_factor=st.floats(0.0, 3.0),
)
def test_scenario_deltas_are_consistent(
    plan_factory, aht_change, volume_change, shrinkage_points, attrition_factor
) -> None:
    baseline = plan_factory()
    scenario = CapacityScenario(
        aht_change=aht_change,
        volume_change=volume_change,
        shrinkage_points=shrinkage_points,
        attrition_factor=attrition_factor,
    )
    table = compare_scenarios(baseline, {"what if": scenario})
    direct = plan_capacity(scenario.apply(baseline)).summary()
    row, base = table.loc["what if"], table.loc["baseline"]
    for column in ("average_required_fte", "total_hires", "ending_headcount", "total_cost"):
        assert row[column] == direct[column]
        assert row[f"delta_{column}"] == row[column] - base[column]
        assert table.loc["baseline", f"delta_{column}"] == 0.0
    assert (
        row["delta_total_cost_fraction"]
        == (row["total_cost"] - base["total_cost"]) / (base["total_cost"])
    )
