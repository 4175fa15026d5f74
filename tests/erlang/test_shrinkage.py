"""Shrinkage: multiplicative combination, divide-by gross-up, requirement table to FTE."""

import numpy as np
import pandas as pd
import pytest

from wfm.core import InputError, make_interval_grid
from wfm.erlang import apply_shrinkage, combine_shrinkage, scheduled_agents_frame


def test_combine_is_one_minus_product_of_availabilities() -> None:
    total = combine_shrinkage({"breaks": 0.10, "absence": 0.05, "training": 0.03})
    assert float(total) == pytest.approx(1 - 0.90 * 0.95 * 0.97)
    assert float(combine_shrinkage([0.2, 0.25])) == pytest.approx(0.4)
    assert float(combine_shrinkage(np.array([0.2, 0.25]))) == pytest.approx(0.4)
    assert float(combine_shrinkage(0.3)) == pytest.approx(0.3)


def test_combine_broadcasts_per_interval_components() -> None:
    total = combine_shrinkage({"breaks": np.array([0.1, 0.2]), "absence": 0.5})
    assert np.allclose(total, [0.55, 0.6])


def test_gross_up_divides_not_multiplies() -> None:
    # 10 agents on the phones with 30 % shrinkage need 14.29 scheduled (not 13)
    assert float(apply_shrinkage(10, 0.3)) == pytest.approx(10 / 0.7)
    assert float(apply_shrinkage(10, 0.0)) == 10.0
    # scheduled x (1 - shrinkage) gives back the agents available
    scheduled = apply_shrinkage(np.array([3, 7, 12]), 0.35)
    assert np.allclose(scheduled * 0.65, [3, 7, 12])


@pytest.mark.parametrize("bad", [1.0, -0.1, np.nan, 1.5])
def test_shrinkage_outside_unit_interval_is_rejected(bad: float) -> None:
    with pytest.raises(InputError, match="shrinkage"):
        apply_shrinkage(10, bad)
    with pytest.raises(InputError, match="shrinkage"):
        combine_shrinkage({"breaks": bad})


def test_empty_components_rejected() -> None:
    with pytest.raises(InputError, match="no components"):
        combine_shrinkage({})
    with pytest.raises(InputError, match="string"):
        combine_shrinkage("0.3")


def _requirement_frame() -> pd.DataFrame:
    stamps = make_interval_grid("2024-03-04", "2024-03-05", interval_minutes=30, tz="Europe/London")
    frame = pd.DataFrame(
        {"queue": "sales", "interval_start": stamps, "volume": 10.0, "aht_seconds": 200.0}
    )
    frame["required_agents"] = np.arange(len(frame)) % 7
    return frame


def test_scheduled_agents_frame_fte_definition() -> None:
    frame = _requirement_frame()
    out = scheduled_agents_frame(frame, {"breaks": 0.1, "absence": 0.1}, paid_hours_per_fte=40)
    expected = frame["required_agents"].to_numpy() / 0.81
    assert np.allclose(out["scheduled_agents"], expected)
    assert np.allclose(out["scheduled_agent_hours"], expected * 0.5)
    assert out["fte"].sum() == pytest.approx(expected.sum() * 0.5 / 40)


def test_scheduled_agents_frame_per_row_values_follow_caller_order() -> None:
    frame = _requirement_frame().iloc[::-1].reset_index(drop=True)
    shrink = np.linspace(0.0, 0.5, len(frame))
    out = scheduled_agents_frame(frame, shrink, interval_minutes=30)
    merged = frame.assign(shrink=shrink).merge(out, on=["queue", "interval_start"])
    assert np.allclose(
        merged["scheduled_agents"], merged["required_agents_x"] / (1 - merged["shrink"])
    )
    by_column = scheduled_agents_frame(frame.assign(s=shrink), "s")
    assert np.allclose(by_column["scheduled_agents"], out["scheduled_agents"])


def test_scheduled_agents_frame_rejects_bad_rows() -> None:
    frame = _requirement_frame()
    with pytest.raises(InputError, match="rows"):
        scheduled_agents_frame(frame, [0.1, 0.2])
    with pytest.raises(InputError, match="required_agents"):
        scheduled_agents_frame(frame.drop(columns="required_agents"), 0.1)
    with pytest.raises(InputError, match="paid_hours_per_fte"):
        scheduled_agents_frame(frame, 0.1, paid_hours_per_fte=0)
