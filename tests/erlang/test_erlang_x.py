"""Erlang X: reductions to Erlang A / Erlang B / Erlang C and agreement with the simulator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.core import InputError, make_interval_grid
from wfm.erlang._erlang_x import erlang_x, erlang_x_intervals
from wfm.erlang.kernels import erlang_b
from wfm.erlang.metrics import (
    abandon_rate,
    average_speed_of_answer,
    occupancy,
    service_level,
)
from wfm.simulation import SimulationQueue, simulate_centre


@settings(max_examples=20, deadline=None)
@given(
    volume=st.floats(min_value=5.0, max_value=300.0),
    aht=st.floats(min_value=60.0, max_value=600.0),
    agents=st.integers(min_value=1, max_value=40),
    patience=st.floats(min_value=20.0, max_value=900.0),
    target=st.floats(min_value=0.0, max_value=60.0),
)
def test_unlimited_lines_and_no_redials_is_erlang_a(
    volume: float, aht: float, agents: int, patience: float, target: float
) -> None:
    x = erlang_x(volume, aht, agents, target_seconds=target, patience_seconds=patience)
    kwargs = {"patience_seconds": patience}
    for name, definition in (
        ("service_level_answered_of_offered", "answered_of_offered"),
        ("service_level_answered_of_answered", "answered_of_answered"),
    ):
        expected = float(
            service_level(
                volume, aht, agents, target, service_level_definition=definition, **kwargs
            )
        )
        assert getattr(x, name)[0] == pytest.approx(expected, abs=1e-7), name
    assert x.abandon_rate[0] == pytest.approx(
        float(abandon_rate(volume, aht, agents, **kwargs)), abs=1e-8
    )
    assert x.asa_seconds[0] == pytest.approx(
        float(average_speed_of_answer(volume, aht, agents, **kwargs)), rel=1e-6, abs=1e-6
    )
    assert x.occupancy[0] == pytest.approx(
        float(occupancy(volume, aht, agents, **kwargs)), abs=1e-7
    )
    assert x.probability_blocked[0] < 1e-10
    assert x.redials[0] == 0.0
    # virtual waiting time: a caller who never hangs up waits at least as long
    assert x.service_level_virtual_waiting_time[0] <= x.service_level_answered_of_answered[0] + 1e-9


def test_no_patience_unlimited_lines_is_erlang_c_and_all_definitions_coincide() -> None:
    x = erlang_x(100, 300, 19, target_seconds=20)
    expected = float(service_level(100, 300, 19, 20))
    assert x.service_level_virtual_waiting_time[0] == pytest.approx(expected, abs=1e-9)
    assert x.service_level_answered_of_offered[0] == pytest.approx(expected, abs=1e-9)
    assert x.asa_seconds[0] == pytest.approx(float(average_speed_of_answer(100, 300, 19)), rel=1e-7)


def test_lines_equal_to_agents_is_erlang_b_blocking() -> None:
    x = erlang_x(200, 180, 20, lines=20)
    assert x.probability_blocked[0] == pytest.approx(float(erlang_b(20.0, 20)), rel=1e-9)
    assert x.service_level_answered_of_offered[0] == pytest.approx(1.0)


def test_redials_raise_the_attempts_and_fewer_lines_block_more() -> None:
    base = erlang_x(110, 300, 18, patience_seconds=180, lines=22)
    redial = erlang_x(110, 300, 18, patience_seconds=180, lines=22, redial_probability=0.6)
    tighter = erlang_x(110, 300, 18, patience_seconds=180, lines=19)
    assert redial.attempts[0] > base.attempts[0] == pytest.approx(110)
    assert redial.service_level_answered_of_offered[0] < base.service_level_answered_of_offered[0]
    assert tighter.probability_blocked[0] > base.probability_blocked[0]
    # the fixed point holds
    r = redial
    lost = r.probability_blocked + (1 - r.probability_blocked) * r.abandon_rate
    assert r.attempts[0] == pytest.approx(110 + 0.6 * r.attempts[0] * lost[0], rel=1e-9)


def test_erlang_x_agrees_with_the_simulator() -> None:
    # stationary 8 hours, lines and redials; redials in the simulator come back after an
    # exponential delay of mean 60 s, Erlang X treats them as Poisson: agreement is close
    # but not exact, so the tolerance is the 99% CI plus 0.02 for that approximation
    starts = make_interval_grid("2024-01-08 08:00", "2024-01-08 16:00", tz="UTC")
    forecast = pd.DataFrame(
        {"queue": "a", "interval_start": starts, "volume": 110.0, "aht_seconds": 300.0}
    )
    staffing = pd.DataFrame({"queue": "a", "interval_start": starts, "agents": 18})
    queue = SimulationQueue(
        "a", patience_seconds=180.0, lines=22, retrial_probability=0.5, retrial_delay_seconds=60
    )
    result = simulate_centre(forecast, staffing=staffing, queues=[queue], replications=12, seed=9)
    x = erlang_x(110, 300, 18, patience_seconds=180, lines=22, redial_probability=0.5)
    counts = {name: values[:, 0, 1:].sum(axis=1) for name, values in result.counts.items()}
    offered = counts["arrivals"] - counts["blocked"]

    def check(simulated: np.ndarray, expected: float) -> None:
        half = 2.7 * simulated.std(ddof=1) / np.sqrt(simulated.size)
        assert abs(simulated.mean() - expected) <= half + 0.02, (simulated.mean(), expected)

    check(counts["blocked"] / counts["arrivals"], float(x.probability_blocked[0]))
    check(counts["abandoned"] / offered, float(x.abandon_rate[0]))
    check(counts["answered_in_target"] / offered, float(x.service_level_answered_of_offered[0]))
    check(
        counts["answered_in_target"] / counts["answered"],
        float(x.service_level_answered_of_answered[0]),
    )
    attempts_per_interval = counts["arrivals"] / (len(starts) - 1)
    assert attempts_per_interval.mean() == pytest.approx(float(x.attempts[0]), rel=0.03)


def test_erlang_x_vectorises_and_reports_a_frame() -> None:
    x = erlang_x([0.0, 50.0, 120.0], 240, [3, 8, 16], patience_seconds=120, lines=[5, 12, 20])
    frame = x.to_frame()
    assert len(frame) == 3
    assert frame.loc[0, "service_level_answered_of_offered"] == 1.0
    assert (frame["abandon_rate"].between(0, 1)).all()


def test_erlang_x_bad_input_names_the_field() -> None:
    with pytest.raises(InputError, match="volume"):
        erlang_x(-1, 300, 10, patience_seconds=60)
    with pytest.raises(InputError, match="redial_probability"):
        erlang_x(10, 300, 10, patience_seconds=60, redial_probability=1.0)
    with pytest.raises(InputError, match="lines"):
        erlang_x(10, 300, 10, patience_seconds=60, lines=5)
    with pytest.raises(InputError, match="patience_seconds"):
        erlang_x(400, 300, 10)
    with pytest.raises(InputError, match="agents"):
        erlang_x(10, 300, 2.5, patience_seconds=60)


def test_erlang_x_frame_entry_point_matches_the_array_function() -> None:
    starts = make_interval_grid("2024-01-08 08:00", "2024-01-08 10:00", tz="Europe/Paris")
    frame = pd.DataFrame(
        {
            "queue": "a",
            "interval_start": starts,
            "volume": [40.0, 80.0, 120.0, 0.0],
            "aht_seconds": [240.0, 240.0, 240.0, np.nan],
            "agents": [7, 12, 17, 0],
        }
    )
    table = erlang_x_intervals(frame, patience_seconds=150, lines=25, redial_probability=0.3)
    expected = erlang_x(
        [40.0, 80.0, 120.0],
        240.0,
        [7, 12, 17],
        patience_seconds=150,
        lines=25,
        redial_probability=0.3,
    )
    assert table["probability_blocked"].to_numpy()[:3] == pytest.approx(
        expected.probability_blocked
    )
    assert table["service_level_answered_of_offered"].iloc[3] == 1.0
    with pytest.raises(InputError, match="agents"):
        erlang_x_intervals(frame.drop(columns="agents"), patience_seconds=150)
