"""Multi-skill staffing and the pooling example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.core import InputError, make_interval_grid
from wfm.erlang.multiskill import multiskill_staffing, pooling_comparison
from wfm.erlang.simulation import simulate_centre


def _two_queues(volume: float = 60.0, intervals: int = 2) -> pd.DataFrame:
    starts = make_interval_grid("2024-01-08 09:00", "2024-01-08 18:00", tz="Europe/Berlin")
    starts = starts[:intervals]
    return pd.DataFrame(
        {
            "queue": np.repeat(["a", "b"], len(starts)),
            "interval_start": np.tile(starts, 2),
            "volume": volume,
            "aht_seconds": 300.0,
        }
    )


def test_pooling_example_two_ten_erlang_queues_need_28_apart_and_25_pooled() -> None:
    # 60 calls per half hour x 300 s = 10 Erlangs per queue; 80 % within 20 s
    table = pooling_comparison(_two_queues(), target_service_level=0.8, target_seconds=20)
    assert table["separate_agents"].tolist() == [28, 28]
    assert table["pooled_agents"].tolist() == [25, 25]
    assert table["pooling_gain"].tolist() == [3, 3]


def test_multiskill_staffing_lies_between_pooling_and_separate_queues() -> None:
    forecast = _two_queues(intervals=1)
    groups = {"a": ["a"], "b": ["b"], "ab": ["a", "b"]}
    result = multiskill_staffing(
        forecast, groups, group_costs={"ab": 1.05}, replications=6, seed=3, interval_minutes=30
    )
    comparison = result.comparison.iloc[0]
    assert comparison["pooled_agents"] - 1 <= comparison["multiskill_agents"]
    assert comparison["multiskill_agents"] <= comparison["separate_agents"]
    assert (result.service["service_level"] >= 0.8).all()
    # the staffing frame feeds the simulator directly; an independent check
    check = simulate_centre(
        forecast,
        staffing=result.staffing,
        skill_groups=groups,
        replications=3,
        seed=99,
        interval_minutes=30,
    )
    assert check.conservation_holds()
    summary = result.summary().set_index("staffing")
    assert summary.loc["separate_queues", "agent_intervals"] == 28


def test_fully_cross_trained_agents_reach_the_pooled_bound() -> None:
    result = multiskill_staffing(
        _two_queues(intervals=1), {"ab": ["a", "b"]}, seed=1, interval_minutes=30
    )
    agents = int(result.comparison["multiskill_agents"].iloc[0])
    assert abs(agents - 25) <= 1  # simulation estimate of the Erlang C pooled answer


def test_multiskill_bad_input_names_the_field() -> None:
    forecast = _two_queues(intervals=2)
    with pytest.raises(InputError, match="skills"):
        multiskill_staffing(forecast, {"a": ["a"]})
    with pytest.raises(InputError, match="skill_groups"):
        multiskill_staffing(forecast, {"a": ["a"], "x": ["zzz"]})
    with pytest.raises(InputError, match="group_costs"):
        multiskill_staffing(forecast, {"ab": ["a", "b"]}, group_costs={"ab": -1.0})
    with pytest.raises(InputError, match="target_service_level"):
        multiskill_staffing(forecast, {"ab": ["a", "b"]}, target_service_level=1.2)
