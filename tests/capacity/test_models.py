"""JSON round trip of the inputs, and bad input naming field, value and fix."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.capacity import (
    CapacityAttritionBand,
    CapacityHiringPolicy,
    CapacityPlanInput,
    CapacityRampStep,
    CapacityScenario,
    CapacityServiceTarget,
    check_capacity_plan,
    plan_capacity,
)
from wfm.core import InputError


def test_plan_input_round_trips_through_json_exactly(plan_factory) -> None:
    plan = plan_factory(
        hiring=CapacityHiringPolicy(
            lead_time_weeks=6.5,
            no_hire_before=date(2027, 2, 1),
            freeze=[(date(2027, 7, 1), date(2027, 9, 1))],
            max_hires_per_period=12.0,
            whole_hires=False,
        ),
        staffing="continuous",
    )
    plan = plan.model_copy(
        update={
            "workforce": plan.workforce.model_copy(
                update={"ramp": [CapacityRampStep(weeks=3.0, productivity=0.8)]}
            )
        }
    )
    text = plan.model_dump_json()
    again = CapacityPlanInput.model_validate_json(text)
    assert again == plan
    assert again.model_dump_json() == text


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    # shrinkage components are fractions in [0, 1), which the model now checks
    shares=st.lists(
        st.floats(0.0, 1.0, exclude_max=True, allow_subnormal=True), min_size=3, max_size=3
    ),
    rate=st.floats(0.0, 0.999999),
    lead=st.floats(0.0, 100.0),
    start=st.dates(),
)
def test_floats_and_dates_survive_json_exactly(plan_factory, shares, rate, lead, start) -> None:
    plan = plan_factory(
        hiring=CapacityHiringPolicy(lead_time_weeks=lead, no_hire_before=start),
    )
    plan = plan.model_copy(
        update={
            "workforce": plan.workforce.model_copy(
                update={
                    "shrinkage": {f"s{i}": s for i, s in enumerate(shares)},
                    "attrition": [CapacityAttritionBand(rate=rate)],
                }
            )
        }
    )
    assert CapacityPlanInput.model_validate_json(plan.model_dump_json()) == plan


def test_scenario_round_trips_through_json() -> None:
    scenario = CapacityScenario(target_service_level=0.9, aht_change=0.1, attrition_factor=1.25)
    assert CapacityScenario.model_validate_json(scenario.model_dump_json()) == scenario


def test_unknown_keys_are_rejected(plan_factory) -> None:
    data = plan_factory().model_dump(mode="json")
    data["workforce"]["attrition_rate"] = 0.3
    with pytest.raises(ValueError, match="attrition_rate"):
        CapacityPlanInput.model_validate(data)


def _with_workforce(plan, **changes):
    return plan.model_copy(update={"workforce": plan.workforce.model_copy(update=changes)})


def _with_service(plan, **changes):
    queue = plan.queues[0]
    service = queue.service.model_copy(update=changes)
    return plan.model_copy(update={"queues": [queue.model_copy(update={"service": service})]})


# Bad values reach plan_capacity through model_copy/model_construct, which skip
# validation; plan_capacity validates the whole plan again.
BAD_INPUTS = {
    "attrition >= 1": (
        lambda p: _with_workforce(p, attrition=[CapacityAttritionBand.model_construct(rate=1.0)]),
        "workforce.attrition[0].rate = 1.0",
    ),
    "negative attrition": (
        lambda p: _with_workforce(p, attrition=[CapacityAttritionBand.model_construct(rate=-0.1)]),
        "workforce.attrition[0].rate = -0.1",
    ),
    "negative lead time": (
        lambda p: p.model_copy(
            update={"hiring": CapacityHiringPolicy.model_construct(lead_time_weeks=-1.0)}
        ),
        "hiring.lead_time_weeks = -1.0",
    ),
    "SL target 1": (
        lambda p: _with_service(p, target_service_level=1.0),
        "queues[0].service.target_service_level = 1.0",
    ),
    "SL target 0": (
        lambda p: _with_service(p, target_service_level=0.0),
        "queues[0].service.target_service_level = 0.0",
    ),
    "empty plan": (lambda p: p.model_copy(update={"queues": []}), "queues = []"),
    "no periods": (
        lambda p: p.model_copy(
            update={"queues": [p.queues[0].model_copy(update={"volume": [], "aht_seconds": []})]}
        ),
        "queues[0].volume = []",
    ),
    "negative volume": (
        lambda p: p.model_copy(
            update={"queues": [p.queues[0].model_copy(update={"volume": [1.0, -5.0, 1.0, 1.0]})]}
        ),
        "queues[0].volume[1] = -5.0",
    ),
    "zero aht": (
        lambda p: p.model_copy(
            update={
                "queues": [
                    p.queues[0].model_copy(update={"aht_seconds": [300.0, 300.0, 0.0, 300.0]})
                ]
            }
        ),
        "queues[0].aht_seconds[2] = 0.0",
    ),
    "AHT list too short": (
        lambda p: p.model_copy(
            update={"queues": [p.queues[0].model_copy(update={"aht_seconds": [300.0]})]}
        ),
        "queues[0].aht_seconds = ",
    ),
    "shares do not sum to 1": (
        lambda p: p.model_copy(
            update={
                "queues": [
                    p.queues[0].model_copy(
                        update={
                            "pattern": p.queues[0].pattern.model_copy(
                                update={"volume_shares": [1.0 / 300] * 336}
                            )
                        }
                    )
                ]
            }
        ),
        "queues[0].pattern.volume_shares = ",
    ),
    "shrinkage 1": (
        lambda p: _with_workforce(p, shrinkage={"absence": 1.0}),
        "workforce.shrinkage.absence = 1.0",
    ),
    "negative cost": (
        lambda p: p.model_copy(
            update={"costs": p.costs.model_copy(update={"cost_per_hire": -1.0})}
        ),
        "costs.cost_per_hire = -1.0",
    ),
    "negative headcount": (
        lambda p: _with_workforce(
            p, cohorts=[p.workforce.cohorts[0].model_copy(update={"headcount": -3.0})]
        ),
        "workforce.cohorts[0].headcount = -3.0",
    ),
    "month not starting on the 1st": (
        lambda p: p.model_copy(update={"start_date": date(2027, 1, 15)}),
        "start_date = '2027-01-15'",
    ),
    "Erlang A without a definition": (
        lambda p: _with_service(p, patience_seconds=120.0),
        "queues[0].service.service_level_definition = None",
    ),
    "reversed freeze": (
        lambda p: p.model_copy(
            update={
                "hiring": CapacityHiringPolicy.model_construct(
                    freeze=[(date(2027, 3, 1), date(2027, 2, 1))]
                )
            }
        ),
        "hiring.freeze[0] = ",
    ),
    "attrition bands out of order": (
        lambda p: _with_workforce(
            p,
            attrition=[
                CapacityAttritionBand(rate=0.1),
                CapacityAttritionBand(min_tenure_weeks=0.0, rate=0.2),
            ],
        ),
        "workforce.attrition[1].min_tenure_weeks = 0.0",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_names_field_value_and_fix(plan_factory, case) -> None:
    change, expected = BAD_INPUTS[case]
    plan = change(plan_factory())
    with pytest.raises(InputError) as info:
        plan_capacity(plan)
    message = str(info.value)
    assert expected in message
    assert "Fix:" in message
    with pytest.raises(InputError):
        check_capacity_plan(plan)


def test_service_target_fields_are_checked_before_erlang(plan_factory) -> None:
    plan = _with_service(plan_factory(), max_occupancy=1.5)
    with pytest.raises(InputError, match=r"queues\[0\]\.service\.max_occupancy = 1\.5"):
        plan_capacity(plan)


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: CapacityAttritionBand(rate=1.0), "rate = 1.0"),
        (lambda: CapacityHiringPolicy(lead_time_weeks=-1.0), "lead_time_weeks = -1.0"),
        (
            lambda: CapacityHiringPolicy(freeze=[(date(2027, 3, 1), date(2027, 2, 1))]),
            "freeze[0] = ",
        ),
        (lambda: CapacityServiceTarget(max_occupancy=1.5), "max_occupancy = 1.5"),
        (lambda: CapacityServiceTarget(patience_seconds=90.0), "service_level_definition = None"),
    ],
)
def test_models_refuse_bad_values_when_built(build, expected) -> None:
    with pytest.raises(InputError) as info:
        build()
    assert expected in str(info.value)
    assert "Fix:" in str(info.value)


def test_plan_capacity_rejects_a_dict() -> None:
    with pytest.raises(InputError, match="CapacityPlanInput"):
        plan_capacity({"period": "month"})  # type: ignore[arg-type]


def test_default_service_target_is_80_in_20() -> None:
    target = CapacityServiceTarget()
    assert (target.target_service_level, target.target_seconds) == (0.8, 20.0)


def test_result_round_trips_through_json_exactly(plan_factory) -> None:
    import pandas as pd

    from wfm.capacity import CapacityPlanOutput, CapacityPlanResult

    plan = plan_factory(volume=[0.0, 20000.0, 26000.0])  # month 0 without contacts
    result = plan_capacity(plan)
    text = result.to_model().model_dump_json()
    again = CapacityPlanResult.from_model(CapacityPlanOutput.model_validate_json(text))
    pd.testing.assert_frame_equal(again.to_frame(), result.to_frame(), check_exact=True)
    pd.testing.assert_frame_equal(again.queue_frame(), result.queue_frame(), check_exact=True)
    pd.testing.assert_frame_equal(again.hiring_plan(), result.hiring_plan(), check_exact=True)
    assert again.plan == plan
    assert again.summary() == result.summary()
    assert CapacityPlanOutput.model_validate_json(text).model_dump_json() == text


def test_result_without_hires_round_trips(plan_factory) -> None:
    import pandas as pd

    from wfm.capacity import CapacityPlanOutput, CapacityPlanResult

    result = plan_capacity(plan_factory(volume=[100.0]))
    assert result.hiring_plan().empty
    text = result.to_model().model_dump_json()
    again = CapacityPlanResult.from_model(CapacityPlanOutput.model_validate_json(text))
    pd.testing.assert_frame_equal(again.hiring_plan(), result.hiring_plan(), check_exact=True)


def test_booleans_where_numbers_are_meant_are_refused(plan_factory) -> None:  # type: ignore[no-untyped-def]
    from wfm.capacity import CapacityPlanInput
    from wfm.core.errors import ModelInputError

    data = plan_factory().model_dump(mode="json")
    data["queues"][0]["volume"][1] = True
    with pytest.raises(ModelInputError, match=r"queues\[0\].volume\[1\] is a boolean"):
        CapacityPlanInput.model_validate(data)


def test_a_capacity_plan_cannot_estimate_patience(plan_factory) -> None:  # type: ignore[no-untyped-def]
    data = plan_factory().model_dump(mode="json")
    data["queues"][0]["service"].update(
        patience_seconds="estimate", service_level_definition="answered_of_offered"
    )
    with pytest.raises(InputError, match=r"queues\[0\]\.service\.patience_seconds = 'estimate'"):
        CapacityPlanInput.model_validate(data)
