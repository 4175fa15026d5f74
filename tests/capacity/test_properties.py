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


@SETTINGS
@given(
    volume=volumes,
    rate=st.floats(0.0, 0.2),
    lead=st.floats(0.0, 12.0),
    overtime=st.floats(0.0, 0.2),
    headcount=st.floats(0.0, 80.0),
    cap=st.one_of(st.none(), st.floats(0.0, 10.0)),
    whole=st.booleans(),
)
def test_plan_invariants(plan_factory, volume, rate, lead, overtime, headcount, cap, whole) -> None:
    from wfm.capacity import CapacityHiringPolicy

    plan = plan_factory(
        volume=volume,
        monthly_attrition=rate,
        overtime_fraction=overtime,
        cohorts=[(1.0, headcount / 4), (60.0, headcount)],
        hiring=CapacityHiringPolicy(
            lead_time_weeks=lead, max_hires_per_period=cap, whole_hires=whole
        ),
    )
    frame = plan_capacity(plan).to_frame()
    assert (frame["hires"] >= 0).all()
    if cap is not None:
        assert (frame["hires"] <= cap + 1e-9).all()
    if whole:
        assert np.allclose(frame["hires"], np.round(frame["hires"]))
    assert (frame["effective_fte"] <= frame["headcount"] + 1e-9).all()
    assert (frame["overtime_fte"] <= overtime * frame["effective_fte"] + 1e-9).all()
    covered = frame["effective_fte"] + frame["overtime_fte"] + frame["uncovered_fte"]
    assert (covered >= frame["required_fte"] - 1e-9).all()
    parts = frame["staff_cost"] + frame["overtime_cost"] + frame["hiring_cost"]
    np.testing.assert_allclose(parts, frame["total_cost"])
    # Nobody starts inside the lead time.
    first_start = plan.start_date.toordinal() + np.ceil(lead * 7 - 1e-9)
    hired = frame.loc[frame["hires"] > 0, "period_start"]
    starts = [d.toordinal() for d in hired]
    assert all(s >= first_start for s in starts)
