"""The example service maps every refused request to a 4xx with the library's message."""

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from wfm.config import PlanConfig
from wfm.core import Table, TableColumn
from wfm.demo import demo_config
from wfm.pipeline import PlanInput

PATH = Path(__file__).resolve().parents[1] / "examples" / "service_example.py"


@pytest.fixture(scope="module")
def service() -> ModuleType:
    spec = importlib.util.spec_from_file_location("service_example", PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _body(history: Table, **solver: float) -> bytes:
    data = demo_config().model_dump(mode="json")
    data["schedule"]["solver"].update(solver)
    request = PlanInput(config=PlanConfig.model_validate(data), history=history)
    return request.model_dump_json().encode()


GOOD = Table(
    columns=[
        TableColumn(name="queue", kind="str", values=["q", "q"]),
        TableColumn(
            name="interval_start",
            kind="datetime",
            tz="UTC",
            values=["2024-01-01T00:00:00+00:00", "2024-01-01T00:30:00+00:00"],
        ),
        TableColumn(name="volume", kind="float", values=[1.0, 2.0]),
    ]
)


def test_library_errors_are_422_with_the_message(service: ModuleType) -> None:
    uneven = Table(
        columns=[*GOOD.columns[:2], TableColumn(name="volume", kind="float", values=[1.0])]
    )
    status, text = service.handle_plan_request(_body(uneven))
    assert status == 422
    assert "different lengths" in json.loads(text)["detail"]


def test_limits_are_413_naming_the_limit(service: ModuleType) -> None:
    limits = service.ServiceLimits(max_rows=1, max_solver_seconds=10, max_solver_threads=2)
    status, text = service.handle_plan_request(_body(GOOD), limits)
    assert (status, json.loads(text)["error"]) == (413, "RequestTooLarge")
    assert "at most 1" in json.loads(text)["detail"]
    roomy = service.ServiceLimits(max_solver_seconds=60, max_solver_threads=2)
    for solver, word in (
        ({"time_limit_seconds": 1e9}, "time_limit"),
        ({"threads": 512}, "threads"),
    ):
        status, text = service.handle_plan_request(_body(GOOD, **solver), roomy)
        assert status == 413
        assert word in json.loads(text)["detail"]
    status, _ = service.handle_plan_request(b"x" * 100, service.ServiceLimits(max_body_bytes=10))
    assert status == 413


def test_malformed_json_is_422(service: ModuleType) -> None:
    status, text = service.handle_plan_request(b"{not json")
    assert status == 422
    assert json.loads(text)["error"] == "ValidationError"  # the 422 of pydantic-shaped errors


def test_limits_come_from_the_environment(
    service: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WFM_SERVICE_MAX_ROWS", "7")
    monkeypatch.setenv("WFM_SERVICE_MAX_SOLVER_SECONDS", "2.5")
    limits = service.ServiceLimits.from_environment()
    assert (limits.max_rows, limits.max_solver_seconds) == (7, 2.5)
