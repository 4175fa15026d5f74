"""Every pydantic model of wfm refuses bad input with ModelInputError (a WfmError)."""

import datetime as dt

import pytest

from wfm.capacity import CapacityPlanInput
from wfm.config import PlanConfig
from wfm.core.errors import InputError, ModelInputError, WfmError
from wfm.schedule import ShiftTemplate


def test_direct_construction_raises_the_library_error_naming_key_and_value() -> None:
    with pytest.raises(ModelInputError) as caught:
        ShiftTemplate(
            name="FT",
            earliest_start=dt.time(7),
            latest_start=dt.time(13),
            paid_minutes=(480,),
            colour="red",  # type: ignore[call-arg]
        )
    assert isinstance(caught.value, InputError)
    assert isinstance(caught.value, WfmError)
    assert isinstance(caught.value, ValueError)  # existing `except ValueError` still works
    text = str(caught.value)
    assert "ShiftTemplate" in text
    assert "colour" in text
    assert "'red'" in text
    assert "Fix:" in text
    assert caught.value.errors()[0]["loc"] == ("colour",)


def test_nested_models_report_the_full_key_path_once() -> None:
    with pytest.raises(ModelInputError) as caught:
        PlanConfig.model_validate({"site": {"time_zone": "Mars/Base"}})
    text = str(caught.value)
    assert text.startswith("invalid PlanConfig:")
    assert "site.time_zone = 'Mars/Base'" in text
    assert text.count("PlanConfig") == 1
    assert [problem["loc"] for problem in caught.value.errors()] == [("site", "time_zone")]


def test_json_and_string_validation_raise_the_library_error() -> None:
    with pytest.raises(ModelInputError, match="period"):
        CapacityPlanInput.model_validate_json('{"period": "fortnight"}')
    with pytest.raises(WfmError):
        PlanConfig.model_validate_strings({"site": {"interval_minutes": "seven"}})


def test_valid_input_round_trips_unchanged() -> None:
    config = PlanConfig.model_validate({"site": {"time_zone": "Europe/London"}})
    again = PlanConfig.model_validate_json(config.model_dump_json())
    assert again == config
