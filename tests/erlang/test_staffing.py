"""required_agents / required_agents_continuous: exact minimality, targets, stability."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.core import InputError
from wfm.erlang import (
    abandon_rate,
    average_speed_of_answer,
    occupancy,
    required_agents,
    required_agents_continuous,
    service_level,
)


def meets_every_target(
    volume,
    aht,
    agents,
    *,
    level,
    target,
    max_occupancy,
    max_asa,
    patience,
    max_abandon,
    definition,
    interval_seconds=1800.0,
):
    """Check targets with the public metric functions (elementwise boolean array)."""
    kwargs = {"interval_seconds": interval_seconds, "patience_seconds": patience}
    ok = np.ones(np.broadcast(volume, aht, agents).shape, dtype=bool)
    if patience is None:  # Erlang C staffing also requires a stable queue (N > A)
        traffic = volume * aht / interval_seconds
        ok &= (agents > traffic) | (traffic == 0)
    if level is not None:
        ok &= (
            service_level(
                volume, aht, agents, target, service_level_definition=definition, **kwargs
            )
            >= level
        )
    if max_occupancy is not None:
        ok &= occupancy(volume, aht, agents, **kwargs) <= max_occupancy
    if max_asa is not None:
        ok &= average_speed_of_answer(volume, aht, agents, **kwargs) <= max_asa
    if max_abandon is not None:
        ok &= (
            abandon_rate(
                volume, aht, agents, patience_seconds=patience, interval_seconds=interval_seconds
            )
            <= max_abandon
        )
    return ok


@pytest.mark.parametrize(("level", "expected"), [(0.8, 24), (0.7, 23), (0.5, 22)])
def test_power_of_one_requirement(level: float, expected: int) -> None:
    # SWPP "power of one" table: 22 -> 59.3 %, 23 -> 74.8 %, 24 -> 84.7 % within 30 s
    result = required_agents(
        400, 180, interval_seconds=3600, target_service_level=level, target_seconds=30
    )
    assert int(result) == expected


def test_zero_volume_gives_min_agents() -> None:
    result = required_agents([0.0, 0.0, 50.0], [np.nan, 200.0, 200.0], min_agents=[2, 0, 0])
    assert result.tolist()[:2] == [2, 0]
    assert result.dtype == np.int64
    continuous = required_agents_continuous([0.0, 0.0], [np.nan, 200.0], min_agents=[2, 0])
    assert continuous.tolist() == [2.0, 0.0]


def test_min_agents_floor_applies() -> None:
    assert int(required_agents(10, 180, min_agents=5)) == 5
    assert float(required_agents_continuous(10, 180, min_agents=5)) == 5.0


def test_output_shape_follows_broadcasting() -> None:
    volume = np.array([[100.0, 200.0, 300.0]])
    aht = np.array([[180.0], [240.0]])
    result = required_agents(volume, aht)
    assert result.shape == (2, 3)
    assert np.all(np.diff(result, axis=1) > 0)
    assert np.all(result[1] >= result[0])


target_cases = st.fixed_dictionaries(
    {
        "level": st.one_of(st.none(), st.floats(min_value=0.3, max_value=0.98)),
        "target": st.floats(min_value=0.0, max_value=90.0),
        "max_occupancy": st.one_of(st.none(), st.floats(min_value=0.5, max_value=1.0)),
        "max_asa": st.one_of(st.none(), st.floats(min_value=1.0, max_value=120.0)),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    volume=st.lists(st.floats(min_value=0.0, max_value=3000.0), min_size=1, max_size=6),
    aht=st.floats(min_value=30.0, max_value=900.0),
    targets=target_cases,
    min_agents=st.integers(min_value=0, max_value=30),
)
def test_erlang_c_requirement_is_minimal(volume, aht, targets, min_agents) -> None:
    if all(targets[k] is None for k in ("level", "max_occupancy", "max_asa")):
        targets["level"] = 0.8
    volume = np.array(volume)
    kwargs = {
        "target_service_level": targets["level"],
        "target_seconds": targets["target"],
        "max_occupancy": targets["max_occupancy"],
        "max_asa_seconds": targets["max_asa"],
        "min_agents": min_agents,
    }
    agents = required_agents(volume, aht, **kwargs)
    check = {
        "level": targets["level"],
        "target": targets["target"],
        "max_occupancy": targets["max_occupancy"],
        "max_asa": targets["max_asa"],
        "patience": None,
        "max_abandon": None,
        "definition": None,
    }
    busy = volume * aht > 0
    assert np.all(agents[~busy] == min_agents)
    assert np.all(agents >= min_agents)
    assert np.all(meets_every_target(volume[busy], aht, agents[busy], **check))
    lower = agents[busy] - 1
    open_lower = lower >= min_agents
    assert not np.any(meets_every_target(volume[busy][open_lower], aht, lower[open_lower], **check))
    continuous = required_agents_continuous(volume, aht, **kwargs)
    assert np.all(continuous <= agents)
    assert np.all((continuous > agents - 1) | (agents == 0))
    assert np.all(meets_every_target(volume[busy], aht, continuous[busy], **check))


@settings(max_examples=25, deadline=None)
@given(
    volume=st.lists(st.floats(min_value=0.5, max_value=1500.0), min_size=1, max_size=4),
    aht=st.floats(min_value=60.0, max_value=600.0),
    patience=st.floats(min_value=10.0, max_value=1200.0),
    level=st.one_of(st.none(), st.floats(min_value=0.3, max_value=0.95)),
    target=st.floats(min_value=0.0, max_value=60.0),
    max_occupancy=st.one_of(st.none(), st.floats(min_value=0.6, max_value=1.0)),
    max_asa=st.one_of(st.none(), st.floats(min_value=2.0, max_value=60.0)),
    max_abandon=st.one_of(st.none(), st.floats(min_value=0.01, max_value=0.3)),
    definition=st.sampled_from(
        [
            "answered_of_offered",
            "answered_of_answered",
            "answered_of_offered_excluding_early_abandons",
        ]
    ),
)
def test_erlang_a_requirement_is_minimal(
    volume, aht, patience, level, target, max_occupancy, max_asa, max_abandon, definition
) -> None:
    if all(t is None for t in (level, max_occupancy, max_asa, max_abandon)):
        max_abandon = 0.05
    volume = np.array(volume)
    kwargs = {
        "target_service_level": level,
        "target_seconds": target,
        "max_occupancy": max_occupancy,
        "max_asa_seconds": max_asa,
        "patience_seconds": patience,
        "max_abandon_rate": max_abandon,
        "service_level_definition": definition,
    }
    agents = required_agents(volume, aht, **kwargs)
    check = {
        "level": level,
        "target": target,
        "max_occupancy": max_occupancy,
        "max_asa": max_asa,
        "patience": patience,
        "max_abandon": max_abandon,
        "definition": definition,
    }
    assert np.all(meets_every_target(volume, aht, agents, **check))
    lower = agents - 1
    open_lower = lower >= 0
    assert not np.any(meets_every_target(volume[open_lower], aht, lower[open_lower], **check))
    continuous = required_agents_continuous(volume, aht, **kwargs)
    assert np.all(continuous <= agents)
    assert np.all((continuous > agents - 1) | (agents == 0))


def test_erlang_a_needs_fewer_agents_than_erlang_c() -> None:
    volume = np.array([50.0, 200.0, 800.0])
    erlang_c_agents = required_agents(volume, 240)
    erlang_a_agents = required_agents(
        volume, 240, patience_seconds=120, service_level_definition="answered_of_offered"
    )
    assert np.all(erlang_a_agents <= erlang_c_agents)


def test_abandon_target_alone_can_staff_below_the_load() -> None:
    # with impatient callers a 30 % abandon cap is met with fewer agents than Erlangs
    volume, aht = 600.0, 300.0  # 100 Erlangs
    agents = required_agents(
        volume, aht, target_service_level=None, patience_seconds=60, max_abandon_rate=0.3
    )
    assert 0 < int(agents) < 100


@pytest.mark.parametrize("traffic", [5_000.0, 10_000.0])
def test_requirement_stable_at_thousands_of_erlangs(traffic: float) -> None:
    aht = 300.0
    volume = traffic * 1800 / aht
    agents = int(required_agents(volume, aht, target_service_level=0.9, target_seconds=10))
    assert traffic < agents < traffic + 5 * np.sqrt(traffic)
    assert float(service_level(volume, aht, agents, 10)) >= 0.9
    assert float(service_level(volume, aht, agents - 1, 10)) < 0.9
    targets = {"target_service_level": 0.9, "target_seconds": 10, "max_abandon_rate": 0.02}
    model = {"patience_seconds": 120.0, "service_level_definition": "answered_of_offered"}
    erlang_a = int(required_agents(volume, aht, **targets, **model))
    # in a large centre with abandonment the 2 % abandon cap binds below the load:
    # roughly (A - N) / A abandon, so N is about 0.98 A
    assert 0.97 * traffic < erlang_a <= agents
    check = {
        "level": 0.9,
        "target": 10,
        "max_occupancy": None,
        "max_asa": None,
        "patience": 120.0,
        "max_abandon": 0.02,
        "definition": "answered_of_offered",
    }
    assert meets_every_target(volume, aht, erlang_a, **check)
    assert not meets_every_target(volume, aht, erlang_a - 1, **check)


def test_requirement_up_to_twenty_thousand_agents() -> None:
    volume = np.array([100_000.0, 110_000.0])  # 18,519 and 20,370 Erlangs at AHT 300 s
    agents = required_agents(volume, 300.0, target_service_level=0.8, target_seconds=20)
    traffic = volume * 300 / 1800
    assert np.all(agents > traffic)
    assert np.all(agents < traffic + 3 * np.sqrt(traffic))
    assert np.all(service_level(volume, 300.0, agents, 20) >= 0.8)
    assert np.all(service_level(volume, 300.0, agents - 1, 20) < 0.8)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"volume": -1.0}, "volume"),
        ({"volume": np.nan}, "volume"),
        ({"aht_seconds": 0.0}, "aht_seconds"),
        ({"target_service_level": 1.0}, "target_service_level"),
        ({"target_service_level": 80}, "target_service_level"),
        ({"target_seconds": -3.0}, "target_seconds"),
        ({"max_occupancy": 1.2}, "max_occupancy"),
        ({"max_asa_seconds": 0.0}, "max_asa_seconds"),
        ({"max_abandon_rate": 0.05}, "max_abandon_rate"),
        ({"patience_seconds": 60.0}, "definition"),
        (
            {"patience_seconds": -60.0, "service_level_definition": "answered_of_offered"},
            "patience_seconds",
        ),
        ({"min_agents": 1.5}, "min_agents"),
        ({"min_agents": -1}, "min_agents"),
        ({"target_service_level": None}, "no staffing target"),
    ],
)
def test_bad_input_raises_input_error(kwargs: dict, field: str) -> None:
    arguments = {"volume": 100.0, "aht_seconds": 180.0}
    arguments.update(kwargs)
    with pytest.raises(InputError, match=field):
        required_agents(**arguments)


def test_fast_window_search_agrees_with_general_search() -> None:
    # the Erlang C fast path (one incomplete-gamma call + Erlang B recursion) against the
    # general galloping/bisection search that evaluates service_level directly
    from wfm.erlang import staffing
    from wfm.erlang.metrics import prepare_inputs

    rng = np.random.default_rng(11)
    size = 3000
    volume = rng.uniform(0.01, 5000, size)
    aht = rng.uniform(30, 900, size)
    levels = rng.uniform(0.05, 0.99, size)  # per-interval targets use the 2-D start table
    seconds = rng.uniform(0, 120, size)
    asa = np.where(rng.random(size) < 0.3, rng.uniform(1, 60, size), 1e9)
    occupancy_cap = rng.uniform(0.6, 1.0, size)
    floors = rng.integers(0, 40, size)
    fast = required_agents(
        volume,
        aht,
        target_service_level=levels,
        target_seconds=seconds,
        max_asa_seconds=asa,
        max_occupancy=occupancy_cap,
        min_agents=floors,
    )
    inputs = prepare_inputs(volume, aht, 0.0, interval_seconds=1800, patience_seconds=None)
    targets = staffing._check_targets(
        (size,),
        target_service_level=levels,
        target_seconds=seconds,
        max_occupancy=occupancy_cap,
        max_asa_seconds=asa,
        max_abandon_rate=None,
        patience_given=False,
        service_level_definition=None,
    )
    general = staffing._search_integer(inputs, targets, floors.astype(float), np.zeros(size))
    assert np.array_equal(fast, general.astype(np.int64))
