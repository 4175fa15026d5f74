"""One service level, named hours, unserved demand, opening hours and safe output folders."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.config import PlanConfig
from wfm.core import InputError
from wfm.datasets import israel_bank_intervals
from wfm.demo import demo_config
from wfm.erlang import service_level
from wfm.pipeline import (
    MANIFEST,
    PlanResult,
    opening_mask,
    plan,
    prepare_output_folder,
    project_service,
    template_reach,
)

TZ = "Asia/Jerusalem"


def _config(**changes: object) -> PlanConfig:
    data = demo_config().model_dump(mode="json")
    data["forecast"]["horizon_days"] = 2
    data["forecast"]["model"] = "weighted_average"
    data["schedule"]["solver"]["time_limit_seconds"] = 8
    for key, value in changes.items():
        section, _, name = key.partition("__")
        data[section][name] = value
    return PlanConfig.model_validate(data)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    frame = israel_bank_intervals(30)
    return frame[frame["interval_start"] < pd.Timestamp("1999-01-25", tz=TZ)]


@pytest.fixture(scope="module")
def result(history: pd.DataFrame) -> PlanResult:
    with pytest.warns(UserWarning, match="absent from the history"):
        return plan(history, _config(), run_backtest=False)


def test_coverage_and_projection_hold_one_service_level(result: PlanResult) -> None:
    assert result.schedule is not None
    assert result.projection is not None
    keys = ["queue", "interval_start"]
    both = result.schedule.coverage.merge(result.projection, on=keys, validate="one_to_one")
    np.testing.assert_array_equal(
        both["service_level"].to_numpy(), both["projected_service_level"].to_numpy()
    )
    # recomputed independently: Erlang A with the patience, shrinkage and the queue target
    rows = both[both["projected_service_level"].notna()].head(20)
    config = result.config
    expected = service_level(
        rows["volume"].to_numpy(),
        rows["aht_seconds"].to_numpy(),
        np.floor(rows["scheduled_agents_x"].to_numpy() * 0.95 + 1e-9),
        config.staffing.default.target_seconds,
        interval_seconds=1800,
        patience_seconds=result.patience_seconds["anonymous_bank"],
        service_level_definition=config.staffing.default.service_level_definition,
    )
    np.testing.assert_allclose(rows["service_level"], expected)


def test_summary_names_each_hours_figure(result: PlanResult) -> None:
    summary = result.summary()
    assert "required_agent_hours" not in summary
    assert "required_agent_hours" not in summary["schedule"]
    requirement = result.requirement
    assert summary["required_agent_hours_before_shrinkage"] == pytest.approx(
        requirement["required_agents"].sum() / 2
    )
    assert summary["required_agent_hours_after_shrinkage"] == pytest.approx(
        requirement["required_agents"].sum() / 2 / 0.95
    )
    assert result.schedule is not None
    coverage = result.schedule.coverage
    assert summary["schedule"]["scheduled_agent_hours"] == pytest.approx(
        coverage["scheduled_agents"].sum() / 2
    )
    # paid hours by hand: every shift's elapsed time less its unpaid 30-minute lunch
    segments = result.schedule.segments
    busy = segments[segments["activity"] != "off"]
    span = busy.groupby("shift_id").agg(start=("start", "min"), end=("end", "max"))
    elapsed = (span["end"] - span["start"]).dt.total_seconds().sum() / 3600
    lunches = (busy["activity"] == "lunch").sum() * 0.5
    assert summary["schedule"]["paid_hours"] == pytest.approx(elapsed - lunches)
    assert json.dumps(summary.to_dict())


def test_unserved_demand_is_counted_never_a_silent_zero(result: PlanResult) -> None:
    projection = result.projection
    assert projection is not None
    demand = (projection["volume"] > 0) & projection["open"]
    silent = demand & (projection["available_agents"] < 1) & ~projection["unserved"]
    assert not silent.any()
    unserved = projection[projection["unserved"]]
    assert unserved["projected_service_level"].isna().all()
    assert set(unserved["reason"]) <= {
        "outside every shift template",
        "no agent scheduled",
        "under one agent after breaks and shrinkage",
    }
    summary = result.summary()["unserved_demand"]
    assert summary["contacts"] == pytest.approx(unserved["volume"].sum())
    assert summary["intervals"] == len(unserved)
    outside = unserved[unserved["reason"] == "outside every shift template"]
    assert summary["outside_template_reach_intervals"] == len(outside) > 0
    assert summary["outside_template_reach_contacts"] == pytest.approx(outside["volume"].sum())
    served = projection[demand & ~projection["unserved"]]
    assert (served["available_agents"] >= 1).all()
    assert served["projected_service_level"].notna().all()


def test_template_reach_by_hand() -> None:
    # full_time starts Sun-Thu 07:00-15:30 (8.5 h elapsed); part_time daily 07:00-20:00,
    # at most 6 h (its break is paid), so the last part-time shift ends at 02:00
    config = _config()
    starts = pd.DatetimeIndex(
        [
            "1999-01-25 06:30",  # Monday, before any start
            "1999-01-25 07:00",  # first start
            "1999-01-26 01:30",  # inside Monday's last part-time shift
            "1999-01-26 02:00",  # that shift has ended
        ]
    ).tz_localize(TZ)
    frame = pd.DataFrame({"queue": "anonymous_bank", "interval_start": starts})
    assert template_reach(frame, config).tolist() == [False, True, True, False]


def test_configured_opening_hours_zero_the_requirement_and_report_the_demand(
    history: pd.DataFrame,
) -> None:
    hours = {"default": {day: "09:00-17:00" for day in ("sun", "mon", "tue", "wed", "thu")}}
    config = _config(opening_hours__default=hours["default"])
    with pytest.warns(UserWarning, match="absent from the history"):
        result = plan(history, config, run_backtest=False)
    requirement = result.requirement
    local = pd.DatetimeIndex(requirement["interval_start"])
    inside = (local.hour >= 9) & (local.hour < 17) & (local.day_of_week.isin([6, 0, 1, 2, 3]))
    np.testing.assert_array_equal(requirement["open"].to_numpy(), inside)
    assert (requirement.loc[~inside, "required_agents"] == 0).all()
    assert (requirement.loc[inside, "required_agents"] > 0).any()
    outside = requirement.loc[~inside, "volume"].sum()
    assert outside > 0
    summary = result.summary()
    assert summary["demand_outside_opening_hours"]["contacts"] == pytest.approx(outside)
    assert summary["demand_outside_opening_hours"]["share"] == pytest.approx(
        outside / requirement["volume"].sum()
    )
    assert summary["opening_hours"] == {"anonymous_bank": "configured"}
    projection = result.projection
    assert projection is not None
    closed = projection[~projection["open"] & (projection["volume"] > 0)]
    assert (closed["reason"] == "outside opening hours").all()
    assert closed["projected_service_level"].isna().all()


def test_default_opening_hours_follow_the_history(history: pd.DataFrame) -> None:
    config = _config()
    frame = pd.DataFrame(
        {
            "queue": "anonymous_bank",
            "interval_start": pd.DatetimeIndex(
                ["1999-01-25 03:00", "1999-01-25 10:00", "1999-01-30 10:00"]
            ).tz_localize(TZ),
        }
    )
    mask = opening_mask(frame, config, history)
    past = history[history["volume"] > 0]
    stamps = pd.DatetimeIndex(past["interval_start"])
    seen = set(zip(stamps.day_of_week, stamps.hour * 60 + stamps.minute, strict=True))
    expected = [(0, 180) in seen, (0, 600) in seen, (5, 600) in seen]
    assert mask.tolist() == expected
    assert mask[1]  # Monday 10:00 is a busy bank hour


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"staffing__queues": {"retail": {"target_seconds": 30}}}, "staffing.queues.retail"),
        ({"opening_hours__queues": {"retail": {"mon": "08:00-18:00"}}}, "opening_hours.queues"),
    ],
)
def test_config_is_checked_against_the_history_before_any_stage(
    history: pd.DataFrame, changes: dict[str, object], fragment: str
) -> None:
    steps: list[str] = []
    with pytest.raises(InputError, match=fragment) as caught:
        plan(history, _config(**changes), run_backtest=False, progress=steps.append)
    assert steps == []  # failed before the first stage
    assert "Fix:" in str(caught.value)


def test_multi_queue_history_needs_a_queue_on_every_template(history: pd.DataFrame) -> None:
    two = pd.concat([history, history.assign(queue="retail")], ignore_index=True)
    steps: list[str] = []
    with pytest.raises(InputError, match="queue is not set") as caught:
        plan(two, _config(), run_backtest=False, progress=steps.append)
    assert steps == []
    assert "full_time" in str(caught.value)
    assert "part_time" in str(caught.value)


def test_output_folder_refuses_foreign_files_and_cleans_its_own(
    result: PlanResult, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "forecast.csv").write_text("mine\n")
    with pytest.raises(InputError, match=r"not written by wfm.*--overwrite"):
        result.write(out)
    assert (out / "forecast.csv").read_text() == "mine\n"

    clean = tmp_path / "clean"
    written = result.write(clean)
    manifest = json.loads((clean / MANIFEST).read_text())
    assert sorted(manifest["files"]) == sorted(p.name for p in written)
    (clean / "backtest.csv").write_text("stale output of an earlier run\n")
    (clean / "notes.txt").write_text("the planner's own file\n")
    listed = json.loads((clean / MANIFEST).read_text())
    listed["files"].append("backtest.csv")
    (clean / MANIFEST).write_text(json.dumps(listed))
    again = result.write(clean)  # a folder wfm wrote: no --overwrite needed
    assert not (clean / "backtest.csv").exists()  # the earlier run's file is gone
    assert (clean / "notes.txt").read_text() == "the planner's own file\n"
    assert {p.name for p in again} <= {p.name for p in clean.iterdir()}

    with pytest.raises(InputError, match="is a file"):
        prepare_output_folder(clean / "notes.txt")


def test_all_abandoned_intervals_take_the_day_then_the_queue_handle_time() -> None:
    from wfm.adherence import ContactColumns
    from wfm.pipeline import history_from_contacts

    def at(text: str) -> pd.Timestamp:
        return pd.Timestamp(text, tz="Europe/London")

    records = pd.DataFrame(
        {
            "arrival": [
                at("2024-01-10 08:05"),  # answered, 100 s
                at("2024-01-10 08:10"),  # answered, 300 s
                at("2024-01-10 09:05"),  # abandoned: 09:00 has nobody answered
                at("2024-01-11 08:05"),  # abandoned: no answer all day on the 11th
                at("2024-01-12 08:05"),  # answered, 500 s
            ],
            "answered_at": [
                at("2024-01-10 08:06"),
                at("2024-01-10 08:11"),
                pd.NaT,
                pd.NaT,
                at("2024-01-12 08:06"),
            ],
            "outcome": ["answered", "answered", "abandoned", "abandoned", "answered"],
            "wait_seconds": [60.0, 60.0, 30.0, 45.0, 60.0],
            "talk_seconds": [100.0, 300.0, 0.0, 0.0, 500.0],
        }
    )
    built = history_from_contacts(
        records, columns=ContactColumns(customer=None, queue=None), interval_minutes=30
    )
    assert len(built) == 3 * 48  # every interval of the three local days
    row = built.set_index("interval_start")
    assert row.loc[at("2024-01-10 08:00"), "aht_seconds"] == 200.0
    assert not row.loc[at("2024-01-10 08:00"), "aht_imputed"]
    # all abandoned: the same day's handle time (200 s on the 10th) ...
    assert row.loc[at("2024-01-10 09:00"), "aht_seconds"] == 200.0
    assert row.loc[at("2024-01-10 09:00"), "aht_imputed"]
    # ... or, on a day without any answered contact, the whole file's: 900 s / 3 answered
    assert row.loc[at("2024-01-11 08:00"), "aht_seconds"] == pytest.approx(300.0)
    assert row.loc[at("2024-01-11 08:00"), "aht_imputed"]
    assert np.isnan(row.loc[at("2024-01-10 10:00"), "aht_seconds"])  # no contacts
    assert built["volume"].sum() == 5
    assert built["wait_seconds"].sum() == 255.0
    assert built["abandoned"].sum() == 2


def test_opening_hours_on_a_dst_day_follow_the_wall_clock() -> None:
    from wfm.core import make_interval_grid

    data = _config().model_dump(mode="json")
    data["site"]["time_zone"] = "Europe/London"
    data["opening_hours"] = {"default": {"sun": "01:00-02:00"}}
    config = PlanConfig.model_validate(data)
    starts = make_interval_grid("2024-10-27", "2024-10-28", tz="Europe/London")  # 50 intervals
    frame = pd.DataFrame({"queue": "q", "interval_start": starts})
    mask = opening_mask(frame, config)
    assert len(starts) == 50
    # 01:00 and 01:30 happen twice on the fall-back day: four open intervals
    assert mask.sum() == 4
    assert set(starts[mask].strftime("%H:%M")) == {"01:00", "01:30"}


def test_state_events_are_checked_before_any_stage(history: pd.DataFrame) -> None:
    steps: list[str] = []
    events = pd.DataFrame({"agent": ["a"], "status": ["Available"]})
    with pytest.raises(InputError, match=r"no column\(s\) \['state', 'start'\]"):
        plan(history, _config(), state_events=events, run_backtest=False, progress=steps.append)
    assert steps == []


def test_projection_uses_each_queues_own_service_level_definition() -> None:
    # the default names one definition, the queue (sized with another) overrides it: the
    # projected service level must be the queue's, the ratio its requirement was sized for
    data = demo_config().model_dump(mode="json")
    data["staffing"]["queues"] = {
        "q": {
            "target_service_level": 0.8,
            "target_seconds": 20.0,
            "patience_seconds": 120.0,
            "service_level_definition": "answered_of_answered",
        }
    }
    config = PlanConfig.model_validate(data)
    starts = pd.date_range("2024-01-08 09:00", periods=3, freq="30min", tz=TZ)
    requirement = pd.DataFrame(
        {
            "queue": "q",
            "interval_start": starts,
            "volume": [60.0, 90.0, 120.0],
            "aht_seconds": 240.0,
            "required_agents": 10,
        }
    )
    coverage = pd.DataFrame({"queue": "q", "interval_start": starts, "scheduled_agents": 12.0})
    projection = project_service(requirement, coverage, config, patience_seconds={"q": 120.0})
    agents = np.floor(12.0 * 0.95 + 1e-9)
    expected = service_level(
        requirement["volume"].to_numpy(),
        240.0,
        agents,
        20.0,
        patience_seconds=120.0,
        service_level_definition="answered_of_answered",
    )
    np.testing.assert_allclose(projection["projected_service_level"], expected)
