"""staff_intervals: the DataFrame entry point."""

import numpy as np
import pandas as pd
import pytest

from wfm.core import InputError, make_interval_grid
from wfm.datasets import israel_bank_intervals
from wfm.erlang import (
    abandon_rate,
    required_agents,
    required_agents_continuous,
    service_level,
    staff_intervals,
)


def _frame(tz: str = "America/New_York", day: str = "2024-03-10") -> pd.DataFrame:
    stamps = make_interval_grid(
        day, pd.Timestamp(day) + pd.Timedelta(days=1), interval_minutes=30, tz=tz
    )
    rng = np.random.default_rng(3)
    parts = []
    for queue, scale in (("sales", 80.0), ("support", 200.0)):
        volume = np.round(scale * rng.uniform(0.0, 1.0, len(stamps)))
        volume[:4] = 0.0
        aht = np.where(volume > 0, rng.uniform(150, 400, len(stamps)), np.nan)
        parts.append(
            pd.DataFrame(
                {"queue": queue, "interval_start": stamps, "volume": volume, "aht_seconds": aht}
            )
        )
    return pd.concat(parts, ignore_index=True)


def test_adds_requirement_and_metrics_on_a_dst_day() -> None:
    frame = _frame()
    assert (frame["queue"] == "sales").sum() == 46  # spring-forward day in New York
    out = staff_intervals(frame, target_service_level=0.8, target_seconds=20)
    for column in (
        "required_agents",
        "required_agents_continuous",
        "service_level",
        "asa_seconds",
        "occupancy",
    ):
        assert column in out.columns
    assert "abandon_rate" not in out.columns
    assert out["required_agents"].dtype == np.int64
    assert len(out) == len(frame)
    expected = required_agents(out["volume"], out["aht_seconds"])
    assert np.array_equal(out["required_agents"].to_numpy(), expected)
    busy = out["volume"] > 0
    assert (out.loc[busy, "service_level"] >= 0.8).all()
    assert (out.loc[~busy, "required_agents"] == 0).all()
    assert (out["required_agents_continuous"] <= out["required_agents"]).all()
    # input is not modified
    assert "required_agents" not in frame.columns


def test_per_queue_mapping_column_and_array_targets() -> None:
    frame = _frame().sample(frac=1.0, random_state=0)  # shuffled caller order
    by_queue = staff_intervals(frame, target_service_level={"sales": 0.9, "support": 0.7})
    sales = by_queue["queue"] == "sales"
    expected_sales = required_agents(
        by_queue.loc[sales, "volume"],
        by_queue.loc[sales, "aht_seconds"],
        target_service_level=0.9,
    )
    assert np.array_equal(by_queue.loc[sales, "required_agents"].to_numpy(), expected_sales)
    levels = np.where(frame["queue"] == "sales", 0.9, 0.7)
    by_array = staff_intervals(frame, target_service_level=levels)
    assert by_array["required_agents"].equals(by_queue["required_agents"])
    by_column = staff_intervals(frame.assign(goal=levels), target_service_level="goal")
    assert by_column["required_agents"].equals(by_queue["required_agents"])
    with pytest.raises(InputError, match="support"):
        staff_intervals(frame, target_service_level={"sales": 0.9})


def test_erlang_a_adds_abandonment_and_needs_definition() -> None:
    frame = _frame()
    with pytest.raises(InputError, match="definition"):
        staff_intervals(frame, patience_seconds=90)
    out = staff_intervals(
        frame,
        patience_seconds=90,
        service_level_definition="answered_of_answered",
        max_abandon_rate=0.05,
        shrinkage={"breaks": 0.1, "absence": 0.1},
    )
    assert "abandon_rate" in out.columns
    assert (out["abandon_rate"] <= 0.05).all()
    expected = abandon_rate(
        out["volume"], out["aht_seconds"], out["required_agents"], patience_seconds=90
    )
    assert np.allclose(out["abandon_rate"], expected)
    assert np.allclose(out["scheduled_agents"], out["required_agents"] / 0.81)


def test_per_row_patience_array() -> None:
    frame = _frame()
    patience = np.linspace(30, 300, len(frame))
    out = staff_intervals(
        frame, patience_seconds=patience, service_level_definition="answered_of_offered"
    )
    expected = required_agents_continuous(
        frame["volume"],
        frame["aht_seconds"],
        patience_seconds=patience,
        service_level_definition="answered_of_offered",
    )
    # the frame is already sorted by (queue, interval_start), so rows line up
    assert np.allclose(out["required_agents_continuous"], expected)


def test_bad_frames_and_targets() -> None:
    frame = _frame()
    with pytest.raises(InputError, match="volume"):
        staff_intervals(frame.assign(volume=-frame["volume"] - 1))
    with pytest.raises(InputError, match="target_service_level"):
        staff_intervals(frame, target_service_level=1.5)
    with pytest.raises(InputError, match="rows"):
        staff_intervals(frame, target_seconds=[10, 20])
    with pytest.raises(InputError, match="shrinkage"):
        staff_intervals(frame, shrinkage=1.0)
    with pytest.raises(InputError, match="DataFrame"):
        staff_intervals(frame.to_numpy())


def test_sizes_the_bundled_israeli_bank_month() -> None:
    frame = israel_bank_intervals(30)
    patience = frame["abandon_wait_seconds"].sum() / frame["abandoned"].sum()
    out = staff_intervals(
        frame, patience_seconds=patience, service_level_definition="answered_of_offered"
    )
    busy = out["volume"] > 0
    assert (out.loc[busy, "service_level"] >= 0.8).all()
    level = service_level(
        out["volume"],
        out["aht_seconds"],
        out["required_agents"],
        20,
        patience_seconds=patience,
        service_level_definition="answered_of_offered",
    )
    assert np.allclose(out["service_level"], level)
    erlang_c = staff_intervals(frame)
    assert (out["required_agents"] <= erlang_c["required_agents"]).all()
