"""One ServiceTarget type for the run configuration and capacity plans."""

import pandas as pd
import pytest

from wfm.capacity import CapacityQueuePlan, CapacityServiceTarget
from wfm.config import PlanConfig, StaffingConfig
from wfm.core import InputError, ServiceTarget
from wfm.pipeline import size_forecast


def test_config_and_capacity_share_one_type() -> None:
    assert StaffingConfig.model_fields["default"].annotation is ServiceTarget
    assert CapacityQueuePlan.model_fields["service"].annotation is ServiceTarget
    assert CapacityServiceTarget is ServiceTarget  # the former name is an alias


@pytest.mark.parametrize(
    ("given", "key"),
    [
        (
            {"patience_seconds": -5.0, "service_level_definition": "answered_of_offered"},
            "patience_seconds = -5.0",
        ),
        ({"patience_seconds": 90.0}, "service_level_definition = None"),
        ({"target_seconds": -1.0}, "target_seconds = -1.0"),
        ({"min_agents": -1}, "min_agents = -1"),
    ],
)
def test_bad_targets_name_key_value_and_fix(given: dict[str, object], key: str) -> None:
    with pytest.raises(InputError) as info:
        ServiceTarget.model_validate(given)
    assert key in str(info.value)
    assert "Fix:" in str(info.value)


def test_the_configured_minimum_staffs_every_interval() -> None:
    starts = pd.date_range("2027-03-01 08:00", periods=4, freq="30min", tz="UTC")
    forecast = pd.DataFrame(
        {"queue": "sales", "interval_start": starts, "volume": [0.0, 10.0, 60.0, 0.0]}
    ).assign(aht_seconds=300.0)
    free = size_forecast(forecast, PlanConfig())
    floored = size_forecast(
        forecast, PlanConfig.model_validate({"staffing": {"default": {"min_agents": 3}}})
    )
    expected = free["required_agents"].clip(lower=3)
    assert (floored["required_agents"].to_numpy() == expected.to_numpy()).all()
    assert (free["required_agents"].iloc[[0, 3]] == 0).all()
