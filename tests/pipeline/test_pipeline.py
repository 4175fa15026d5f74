"""End-to-end pipeline on the bundled real centre, checking the chain's invariants."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.config import PlanConfig, parse_config
from wfm.core import InputError
from wfm.core.tables import Table
from wfm.datasets import israel_bank_intervals
from wfm.demo import demo_config
from wfm.erlang import required_agents, staff_intervals
from wfm.pipeline import PlanInput, PlanOutput, estimate_patience_seconds, plan, plan_from_input

TZ = "Asia/Jerusalem"


def _small_config() -> PlanConfig:
    data = demo_config().model_dump(mode="json")
    data["forecast"]["horizon_days"] = 2
    data["schedule"]["solver"]["time_limit_seconds"] = 8
    return PlanConfig.model_validate(data)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    frame = israel_bank_intervals(30)
    return frame[frame["interval_start"] < pd.Timestamp("1999-01-25", tz=TZ)]


@pytest.fixture(scope="module")
def result(history: pd.DataFrame):  # type: ignore[no-untyped-def]
    with pytest.warns(UserWarning, match="absent from the history"):
        return plan(history, _small_config(), run_backtest=False)


def test_patience_estimate_is_total_wait_over_abandons(history: pd.DataFrame) -> None:
    estimate = estimate_patience_seconds(history)["anonymous_bank"]
    assert estimate == pytest.approx(history["wait_seconds"].sum() / history["abandoned"].sum())


def test_requirement_equals_erlang_on_the_forecast(result) -> None:  # type: ignore[no-untyped-def]
    config = result.config
    patience = result.patience_seconds["anonymous_bank"]
    forecast = result.forecast
    expected = required_agents(
        forecast["volume"].to_numpy(),
        forecast["aht_seconds"].to_numpy(),
        interval_seconds=1800,
        target_service_level=0.8,
        target_seconds=20,
        max_occupancy=0.9,
        patience_seconds=patience,
        service_level_definition="answered_of_offered",
    )
    requirement = result.requirement.sort_values("interval_start")
    assert (requirement["required_agents"].to_numpy() == expected).all()
    again = staff_intervals(
        forecast,
        target_service_level=0.8,
        target_seconds=20,
        max_occupancy=0.9,
        patience_seconds=patience,
        service_level_definition="answered_of_offered",
        shrinkage=0.05,
    )
    np.testing.assert_allclose(requirement["scheduled_agents"], again["scheduled_agents"])
    assert config.site.time_zone == TZ
    assert str(requirement["interval_start"].dt.tz) == TZ
    assert len(requirement) == 2 * 48


def test_coverage_recomputed_from_segments_matches_report(result) -> None:  # type: ignore[no-untyped-def]
    schedule = result.schedule
    segments = schedule.segments
    coverage = schedule.coverage.sort_values("interval_start")
    starts = pd.DatetimeIndex(coverage["interval_start"])
    work = segments[segments["activity"] == "work"]
    # independent recomputation: agent-minutes of work inside each interval / 30
    covered = np.zeros(len(starts))
    for _, row in work.iterrows():
        for i, start in enumerate(starts):
            end = start + pd.Timedelta(minutes=30)
            overlap = (min(row["end"], end) - max(row["start"], start)).total_seconds()
            if overlap > 0:
                covered[i] += overlap / 1800
    np.testing.assert_allclose(coverage["scheduled_agents"].to_numpy(), covered, atol=1e-9)
    under = np.maximum(coverage["required_agents"] - coverage["scheduled_agents"], 0)
    np.testing.assert_allclose(coverage["under_agents"], under, atol=1e-9)
    # what the scheduler covered is the shrinkage-grossed requirement
    required = result.requirement.sort_values("interval_start")["scheduled_agents"].to_numpy()
    np.testing.assert_allclose(coverage["required_agents"].to_numpy(), required)
    summary = schedule.summary()
    assert summary["under_agent_hours"] == pytest.approx(under.sum() / 2)
    if schedule.is_optimal:  # proven: the gap is within the configured tolerance
        assert schedule.gap <= result.config.schedule.solver.mip_gap + 1e-9


def test_projection_uses_scheduled_agents_net_of_shrinkage(result) -> None:  # type: ignore[no-untyped-def]
    projection = result.projection
    expected = np.floor(projection["scheduled_agents"] * 0.95 + 1e-9)
    np.testing.assert_array_equal(projection["available_agents"], expected)
    busy = projection[(projection["volume"] > 0) & ~projection["unserved"]]
    assert busy["projected_service_level"].between(0, 1).all()
    assert "projected_abandon_rate" in projection.columns


def test_adherence_on_a_synthetic_log_with_known_deviation(result) -> None:  # type: ignore[no-untyped-def]
    from wfm.adherence import compute_adherence

    segments = result.schedule.segments
    agent = segments["agent"].iloc[0]
    own = segments[segments["agent"] == agent].sort_values("start").reset_index(drop=True)
    state_of = {"work": "Available", "break": "Break", "lunch": "Lunch"}
    events = pd.DataFrame(
        {
            "agent": agent,
            "state": [state_of[a] for a in own["activity"]],
            # explicit copies: pandas 3.1.1 lets a later .loc write on a frame built from
            # a tz-aware Series leak back into the source (copy-on-write violation)
            "start": own["start"].copy(deep=True),
            "end": own["end"].copy(deep=True),
        }
    )
    # known deviation: the agent logs in 10 minutes late
    late = pd.Timedelta(minutes=10)
    events.loc[0, "start"] = own.loc[0, "start"] + late
    shift_seconds = (own["end"].max() - own["start"].min()).total_seconds()
    assert events.loc[0, "start"] != own.loc[0, "start"]
    adherence = compute_adherence(own, events, interval_minutes=30)
    row = adherence.aggregate("agent").reset_index().iloc[0]
    assert row["adherence"] == pytest.approx(1 - late.total_seconds() / shift_seconds)


def test_plan_input_and_output_round_trip_through_json(history: pd.DataFrame) -> None:
    week = history[history["interval_start"] >= pd.Timestamp("1999-01-03", tz=TZ)]
    data = _small_config().model_dump(mode="json")
    data["schedule"]["templates"] = []  # forecast and requirement only: fast
    request = PlanInput(config=PlanConfig.model_validate(data), history=Table.from_frame(week))
    text = request.model_dump_json()
    again = PlanInput.model_validate_json(text)
    assert again == request
    pd.testing.assert_frame_equal(
        again.history.to_frame(), week.reset_index(drop=True), check_dtype=False
    )
    with pytest.warns(UserWarning, match="absent from the history"):
        output = plan_from_input(again)
    back = PlanOutput.model_validate_json(output.model_dump_json())
    assert back == output
    requirement = back.tables["requirement"].to_frame()
    assert str(requirement["interval_start"].dt.tz) == TZ
    assert requirement["required_agents"].dtype == np.int64


@pytest.mark.parametrize(
    ("patch", "fragment"),
    [
        (
            {"staffing": {"default": {"target_service_level": 1.5}}},
            "staffing.default.target_service_level = 1.5",
        ),
        ({"site": {"time_zone": "Mars/Base"}}, "site.time_zone = 'Mars/Base'"),
        ({"forecast": {"horizon_dayz": 3}}, "forecast.horizon_dayz: unknown key"),
        ({"staffing": {"shrinkage": {"absence": 1.2}}}, "staffing.shrinkage = {'absence': 1.2}"),
    ],
)
def test_config_errors_name_key_value_and_fix(patch: dict, fragment: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InputError) as caught:
        parse_config(patch, source="test.toml")
    message = str(caught.value)
    assert fragment in message
    assert "Fix:" in message
    assert "test.toml" in message


def test_estimate_without_abandonment_columns_is_a_named_error(history: pd.DataFrame) -> None:
    bare = history[["queue", "interval_start", "volume", "aht_seconds"]]
    with pytest.raises(InputError, match=r"patience_seconds = 'estimate'.*needs history column"):
        plan(bare, _small_config(), run_backtest=False)


def test_special_days_reach_the_plan_tables_and_the_report(tmp_path: Path) -> None:
    from wfm.report import plan_report

    events = tmp_path / "special_days.csv"
    events.write_text("date,name,kind\n1999-01-26,Company Day,holiday\n", encoding="utf-8")
    data = demo_config().model_dump(mode="json")
    data["forecast"].update(horizon_days=2, special_days_file=str(events))
    data["schedule"]["templates"] = []
    config = PlanConfig.model_validate(data)
    frame = israel_bank_intervals(30)
    history = frame[frame["interval_start"] < pd.Timestamp("1999-01-25", tz=TZ)]
    with pytest.warns(UserWarning, match="absent from the history"):
        result = plan(history, config, run_backtest=False)
    special = result.tables()["special_days"]
    assert list(special["kind"]) == ["eve", "holiday"]  # Monday 25 and Tuesday 26 January
    assert list(special["name"]) == ["eve of Company Day", "Company Day"]
    assert result.summary()["special_days"] == 2
    html = plan_report(result.tables(), result.summary().to_dict())
    assert "Special days" in html
    assert "eve of Company Day" in html
