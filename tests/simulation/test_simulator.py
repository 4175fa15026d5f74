"""Discrete-event simulator: validation against Erlang C / Erlang A, routing, schedules, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from wfm.core import InputError, make_interval_grid
from wfm.erlang.metrics import (
    ERLANG_A_SERVICE_LEVEL_DEFINITIONS,
    abandon_rate,
    average_speed_of_answer,
    service_level,
)
from wfm.simulation import (
    DeterministicTime,
    EmpiricalTime,
    ExponentialTime,
    LognormalTime,
    SimulationQueue,
    SimulationResult,
    simulate_centre,
)
from wfm.simulation._kernel import ANSWERED, KernelInput, run_replication
from wfm.simulation._simulator import ratio_confidence

WARM_UP = 1  # intervals dropped before comparing with steady-state formulas


def _flat_day(
    volume: float, aht: float, agents: int, hours: int = 6, queue: str = "a"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    starts = make_interval_grid("2024-01-08 08:00", f"2024-01-08 {8 + hours:02d}:00", tz="UTC")
    forecast = pd.DataFrame(
        {"queue": queue, "interval_start": starts, "volume": volume, "aht_seconds": aht}
    )
    staffing = pd.DataFrame({"queue": queue, "interval_start": starts, "agents": agents})
    return forecast, staffing


def _steady_ratio(
    result: SimulationResult, numerator: np.ndarray, denominator: np.ndarray
) -> tuple[float, float]:
    """Mean over replications of the ratio pooled over intervals after warm-up, 99% CI half."""
    num = numerator[:, 0, WARM_UP:].sum(axis=1)
    den = denominator[:, 0, WARM_UP:].sum(axis=1)
    ratios = num / den
    half = stats.t.ppf(0.995, ratios.size - 1) * ratios.std(ddof=1) / np.sqrt(ratios.size)
    return float(ratios.mean()), float(half)


def test_simulator_agrees_with_erlang_c_within_confidence_interval() -> None:
    # 100 calls per half hour, AHT 300 s: 16.7 Erlangs on 19 agents
    forecast, staffing = _flat_day(100.0, 300.0, 19)
    result = simulate_centre(forecast, staffing=staffing, replications=30, seed=11)
    assert result.conservation_holds()
    numerator, denominator = result.service_level_counts("answered_of_offered")
    mean, half = _steady_ratio(result, numerator, denominator)
    expected = float(service_level(100, 300, 19, 20))
    assert abs(mean - expected) <= half, (mean, half, expected)
    asa_mean, asa_half = _steady_ratio(
        result, result.counts["wait_answered_seconds"], result.counts["answered"]
    )
    expected_asa = float(average_speed_of_answer(100, 300, 19))
    assert abs(asa_mean - expected_asa) <= asa_half, (asa_mean, asa_half, expected_asa)


@pytest.mark.parametrize("definition", ERLANG_A_SERVICE_LEVEL_DEFINITIONS)
def test_simulator_agrees_with_erlang_a_within_confidence_interval(definition: str) -> None:
    # overloaded without abandonment (18.3 Erlangs on 18 agents): patience 180 s keeps it stable
    forecast, staffing = _flat_day(110.0, 300.0, 18)
    queue = SimulationQueue("a", patience_seconds=180.0)
    result = simulate_centre(forecast, staffing=staffing, queues=[queue], replications=30, seed=5)
    numerator, denominator = result.service_level_counts(definition)
    mean, half = _steady_ratio(result, numerator, denominator)
    expected = float(
        service_level(110, 300, 18, 20, patience_seconds=180.0, service_level_definition=definition)
    )
    assert abs(mean - expected) <= half, (definition, mean, half, expected)
    offered = result.counts["arrivals"] - result.counts["blocked"]
    abandon_mean, abandon_half = _steady_ratio(result, result.counts["abandoned"], offered)
    expected_abandon = float(abandon_rate(110, 300, 18, patience_seconds=180.0))
    assert abs(abandon_mean - expected_abandon) <= abandon_half


def test_lognormal_handle_times_change_the_answer_but_keep_the_load() -> None:
    forecast, staffing = _flat_day(100.0, 300.0, 19)
    result = simulate_centre(
        forecast,
        staffing=staffing,
        queues=[SimulationQueue("a", handle_time=LognormalTime(cv=0.5))],
        replications=20,
        seed=3,
    )
    occupancy = result.occupancy_frame()["occupancy"].to_numpy()[WARM_UP:]
    # offered load / agents = 16.67 / 19
    assert np.mean(occupancy) == pytest.approx(100 * 300 / 1800 / 19, abs=0.02)
    asa, _ = _steady_ratio(
        result, result.counts["wait_answered_seconds"], result.counts["answered"]
    )
    # less variable handle times wait less than Erlang C predicts: the Allen-Cunneen
    # approximation (Allen, "Probability, Statistics and Queueing Theory", 1990, eq. 6.81)
    # scales the M/M/c wait by (1 + cv^2) / 2 = 0.625
    erlang_c_asa = float(average_speed_of_answer(100, 300, 19))
    assert 0.45 * erlang_c_asa < asa < 0.8 * erlang_c_asa


def test_retrials_and_lines_conserve_contacts() -> None:
    forecast, staffing = _flat_day(140.0, 300.0, 18, hours=3)
    queue = SimulationQueue(
        "a", patience_seconds=120.0, lines=22, retrial_probability=0.6, retrial_delay_seconds=200
    )
    result = simulate_centre(forecast, staffing=staffing, queues=[queue], replications=4, seed=2)
    assert result.conservation_holds()
    assert result.totals["blocked"].sum() > 0
    assert result.totals["retrials"].sum() > 0
    assert result.counts["retrial_arrivals"].sum() > 0
    frame = result.to_frame()
    assert (frame["blocked"] > 0).any()
    assert frame["abandon_rate"].between(0, 1).all()


def test_higher_priority_queue_gets_better_service() -> None:
    starts = make_interval_grid("2024-01-08 08:00", "2024-01-08 11:00", tz="UTC")
    forecast = pd.DataFrame(
        {
            "queue": np.repeat(["gold", "std"], len(starts)),
            "interval_start": np.tile(starts, 2),
            "volume": 50.0,
            "aht_seconds": 300.0,
        }
    )
    staffing = pd.DataFrame({"skill_group": "both", "interval_start": starts, "agents": 18})
    result = simulate_centre(
        forecast,
        staffing=staffing,
        skill_groups={"both": ["gold", "std"]},
        queues=[SimulationQueue("gold", priority=0), SimulationQueue("std", priority=1)],
        replications=6,
        seed=4,
    )
    summary = result.summary().breakdown.set_index("queue")
    assert summary.loc["gold", "service_level"] > summary.loc["std", "service_level"] + 0.1
    assert summary.loc["gold", "asa_seconds"] < summary.loc["std", "asa_seconds"]


def test_longest_idle_agent_takes_the_next_contact() -> None:
    # agent 0 idle since t=0, agent 1 since t=10: the call at t=20 goes to agent 0,
    # the call at t=21 to agent 1
    data = KernelInput(
        arrival_seconds=np.array([20.0, 21.0]),
        arrival_queue=np.array([0, 0]),
        service_seconds=np.array([100.0, 100.0]),
        patience_seconds=np.array([np.inf, np.inf]),
        queue_priority=(0,),
        queue_lines=(np.inf,),
        retrial_probability=(0.0,),
        retrial_delay_seconds=(60.0,),
        agent_group=(0, 0),
        group_queues=((0,),),
        duty_start_seconds=np.array([0.0, 10.0]),
        duty_end_seconds=np.array([np.inf, np.inf]),
        duty_agent=np.array([0, 1]),
    )
    out = run_replication(data, np.random.default_rng(0))
    assert out.agent.tolist() == [0, 1]
    assert (out.outcome == ANSWERED).all()
    assert out.wait_seconds.tolist() == [0.0, 0.0]


def test_agent_on_break_does_not_serve() -> None:
    starts = make_interval_grid("2024-01-08 08:00", "2024-01-08 10:00", tz="UTC")
    forecast = pd.DataFrame(
        {"queue": "a", "interval_start": starts, "volume": 20.0, "aht_seconds": 60.0}
    )
    t = pd.Timestamp("2024-01-08 08:00", tz="UTC")
    schedule = pd.DataFrame(
        {
            "agent": ["ann", "ann", "ann"],
            "activity": ["work", "break", "work"],
            "start": [t, t + pd.Timedelta("60min"), t + pd.Timedelta("90min")],
            "end": [t + pd.Timedelta("60min"), t + pd.Timedelta("90min"), t + pd.Timedelta("2h")],
        }
    )
    result = simulate_centre(
        forecast,
        schedule=schedule,
        queues=[SimulationQueue("a", handle_time=DeterministicTime())],
        replications=5,
        seed=1,
    )
    occupancy = result.occupancy_frame()
    assert occupancy["agents_on_duty"].tolist() == [1.0, 1.0, 0.0, 1.0]
    # in the break interval at most the 60 s contact in progress at 09:00 is finished
    assert result.busy_seconds[:, 0, 2].max() <= 60.0 + 1e-9
    # callers arriving during the break wait for 09:30
    frame = result.to_frame()
    assert frame["asa_seconds"].iloc[2] > 600


def test_overdispersed_arrivals_vary_more_than_poisson() -> None:
    forecast, staffing = _flat_day(200.0, 100.0, 20, hours=12)
    poisson = simulate_centre(forecast, staffing=staffing, replications=4, seed=8)
    dispersed = simulate_centre(
        forecast,
        staffing=staffing,
        queues=[SimulationQueue("a", arrival_cv=0.3)],
        replications=4,
        seed=8,
    )
    poisson_var = poisson.counts["arrivals"].var()
    dispersed_var = dispersed.counts["arrivals"].var()
    # gamma-Poisson: variance = m + (cv m)^2 = 200 + 3600
    assert poisson_var == pytest.approx(200, rel=0.35)
    assert dispersed_var == pytest.approx(3800, rel=0.35)


def test_fall_back_day_has_fifty_intervals_and_daily_distribution() -> None:
    starts = make_interval_grid("2024-11-03", "2024-11-04", tz="America/New_York")
    assert len(starts) == 50
    forecast = pd.DataFrame(
        {"queue": "a", "interval_start": starts, "volume": 30.0, "aht_seconds": 240.0}
    )
    staffing = pd.DataFrame({"queue": "a", "interval_start": starts, "agents": 6})
    result = simulate_centre(forecast, staffing=staffing, replications=5, seed=0)
    frame = result.to_frame()
    assert len(frame) == 50
    assert str(frame["interval_start"].dt.tz) == "America/New_York"
    daily = result.daily_service_level()
    assert len(daily) == 5
    assert daily["service_level"].between(0, 1).all()
    assert daily["service_level"].nunique() > 1  # a distribution, not one number


def test_same_seed_reproduces_and_other_seed_differs() -> None:
    forecast, staffing = _flat_day(60.0, 300.0, 12, hours=2)
    one = simulate_centre(forecast, staffing=staffing, replications=3, seed=42).to_frame()
    two = simulate_centre(forecast, staffing=staffing, replications=3, seed=42).to_frame()
    other = simulate_centre(forecast, staffing=staffing, replications=3, seed=43).to_frame()
    pd.testing.assert_frame_equal(one, two)
    assert not one["offered"].equals(other["offered"])


def test_confidence_interval_brackets_the_mean_and_skips_empty_replications() -> None:
    numerator = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])
    denominator = np.array([[2.0, 0.0], [4.0, 0.0], [4.0, 0.0]])
    mean, low, high = ratio_confidence(numerator, denominator, 0.95)
    assert mean[0] == pytest.approx((0.5 + 0.5 + 0.75) / 3)
    assert low[0] < mean[0] < high[0]
    assert np.isnan(mean[1])


@settings(max_examples=25, deadline=None)
@given(
    cv=st.floats(min_value=0.2, max_value=2.0),
    mean=st.floats(min_value=10.0, max_value=1000.0),
)
def test_lognormal_time_has_the_requested_mean_and_cv(cv: float, mean: float) -> None:
    draws = LognormalTime(cv=cv).sample(np.random.default_rng(1), np.full(200_000, mean))
    assert draws.mean() == pytest.approx(mean, rel=0.05 * max(cv, 1) ** 2)
    assert (draws > 0).all()


def test_empirical_time_rescales_and_has_a_readable_repr() -> None:
    shape = EmpiricalTime([100.0, 200.0, 600.0])
    assert repr(shape) == "EmpiricalTime(n=3, mean=300.0 s, cv=0.72, rescale=True)"
    draws = shape.sample(np.random.default_rng(0), np.full(30_000, 150.0))
    assert set(np.unique(draws)) == {50.0, 100.0, 300.0}
    assert draws.mean() == pytest.approx(150.0, rel=0.03)
    raw = EmpiricalTime([5.0, 7.0], rescale=False).sample(np.random.default_rng(0), np.ones(10))
    assert set(np.unique(raw)) <= {5.0, 7.0}
    assert repr(ExponentialTime()) == "ExponentialTime()"


def test_bad_inputs_name_the_field() -> None:
    forecast, staffing = _flat_day(60.0, 300.0, 12, hours=2)
    with pytest.raises(InputError, match="patience_seconds"):
        SimulationQueue("a", patience_seconds=-5.0)
    with pytest.raises(InputError, match="arrival_cv"):
        SimulationQueue("a", arrival_cv=1e200)
    with pytest.raises(InputError, match="retrial_probability"):
        SimulationQueue("a", retrial_probability=1.5)
    with pytest.raises(InputError, match="cv"):
        LognormalTime(cv=-1.0)
    with pytest.raises(InputError, match="values_seconds"):
        EmpiricalTime([-1.0, 3.0])
    bad_volume = forecast.assign(volume=-1.0)
    with pytest.raises(InputError, match="volume"):
        simulate_centre(bad_volume, staffing=staffing)
    with pytest.raises(InputError, match="skills"):
        simulate_centre(
            pd.concat([forecast, forecast.assign(queue="b")]), staffing=staffing, replications=1
        )
    with pytest.raises(InputError, match="fractional"):
        simulate_centre(forecast, staffing=staffing.assign(agents=2.5))
    with pytest.raises(InputError, match="exactly one"):
        simulate_centre(forecast)
    with pytest.raises(InputError, match="skill_groups"):
        simulate_centre(
            forecast,
            staffing=staffing.rename(columns={"queue": "skill_group"}),
            skill_groups={"a": ["nope"]},
        )
    with pytest.raises(InputError, match="replications"):
        simulate_centre(forecast, staffing=staffing, replications=0)


@settings(max_examples=8, deadline=None)
@given(agents=st.integers(min_value=8, max_value=16), seed=st.integers(0, 1000))
def test_more_agents_never_lower_any_replications_service_level(agents: int, seed: int) -> None:
    # same seed = same arrivals and handle times (common random numbers); for FCFS
    # multi-server queues with customer-assigned service times an extra server never
    # delays anyone: each start time is max(arrival, earliest server-free time) in the
    # Kiefer-Wolfowitz recursion ("On the theory of queues with many servers", Trans. AMS
    # 78, 1955), and an extra server only lowers the sorted free times
    forecast, staffing = _flat_day(50.0, 300.0, agents, hours=2)
    fewer = simulate_centre(forecast, staffing=staffing, replications=3, seed=seed)
    more = simulate_centre(
        forecast, staffing=staffing.assign(agents=agents + 1), replications=3, seed=seed
    )
    assert (more.counts["answered_in_target"] >= fewer.counts["answered_in_target"]).all()
    assert (
        more.counts["wait_answered_seconds"] <= fewer.counts["wait_answered_seconds"] + 1e-9
    ).all()


def test_a_requirement_frame_from_the_engine_feeds_the_simulator() -> None:
    from wfm.erlang import staff_intervals

    forecast, _ = _flat_day(100.0, 300.0, 0, hours=3)
    requirement = staff_intervals(forecast, target_service_level=0.8, target_seconds=20)
    result = simulate_centre(forecast, staffing=requirement, replications=6, seed=4)
    frame = result.occupancy_frame()
    assert frame["agents_on_duty"].tolist() == requirement["required_agents"].tolist()
    assert result.summary().breakdown.loc[0, "service_level_high"] >= 0.8


@settings(max_examples=10, deadline=None)
@given(
    volume=st.floats(min_value=0.0, max_value=150.0),
    agents=st.integers(min_value=0, max_value=20),
    patience=st.one_of(st.none(), st.floats(min_value=5.0, max_value=600.0)),
    lines=st.one_of(st.none(), st.integers(min_value=1, max_value=30)),
    retrial=st.floats(min_value=0.0, max_value=0.9),
    cv=st.floats(min_value=0.0, max_value=1.0),
)
def test_every_contact_ends_in_exactly_one_outcome(
    volume: float,
    agents: int,
    patience: float | None,
    lines: int | None,
    retrial: float,
    cv: float,
) -> None:
    forecast, staffing = _flat_day(volume, 200.0, agents, hours=1)
    queue = SimulationQueue(
        "a",
        patience_seconds=patience,
        lines=lines,
        retrial_probability=retrial,
        retrial_delay_seconds=120.0,
        arrival_cv=cv,
        handle_time=LognormalTime(cv=1.3),
    )
    result = simulate_centre(forecast, staffing=staffing, queues=[queue], replications=2)
    assert result.conservation_holds()
    frame = result.to_frame()
    for definition in ERLANG_A_SERVICE_LEVEL_DEFINITIONS:
        values = frame[f"service_level_{definition}"].dropna()
        assert values.between(0, 1).all()
    if agents > 0:
        assert result.totals["unfinished"].sum() == 0


def test_general_patience_distribution_is_used() -> None:
    # every caller hangs up after exactly 10 s of waiting: all abandonments happen inside
    # the 20 s target, and nobody is answered after waiting longer than 10 s
    forecast, staffing = _flat_day(110.0, 300.0, 17, hours=2)
    queue = SimulationQueue("a", patience_seconds=10.0, patience=DeterministicTime())
    result = simulate_centre(forecast, staffing=staffing, queues=[queue], replications=3)
    abandoned = result.counts["abandoned"].sum()
    assert abandoned > 0
    assert result.counts["abandoned_in_target"].sum() == abandoned
    assert (result.counts["answered_in_target"] == result.counts["answered"]).all()


def test_former_definition_keyword_still_works_with_a_deprecation_warning() -> None:
    forecast, staffing = _flat_day(20.0, 300.0, 5, hours=1)
    queue = SimulationQueue("a", patience_seconds=120.0)
    result = simulate_centre(forecast, staffing=staffing, queues=[queue], replications=2, seed=3)
    name = "answered_of_answered"
    current = result.service_level_counts(service_level_definition=name)
    with pytest.warns(DeprecationWarning, match="service_level_definition"):
        former = result.service_level_counts(definition=name)
    assert all(np.array_equal(a, b) for a, b in zip(former, current, strict=True))
    daily = result.daily_service_level(service_level_definition=name)
    with pytest.warns(DeprecationWarning, match="service_level_definition"):
        former_daily = result.daily_service_level(definition=name)
    pd.testing.assert_frame_equal(former_daily, daily)
    with pytest.raises(InputError, match="both"):
        result.daily_service_level(definition=name, service_level_definition=name)
    with pytest.raises(InputError, match="service_level_definition='answered'"):
        result.service_level_counts("answered")


def test_service_level_counts_name_the_definitions_the_simulator_supports() -> None:
    forecast, staffing = _flat_day(60.0, 300.0, 12, hours=1)
    queue = SimulationQueue("a", patience_seconds=120.0)
    result = simulate_centre(forecast, staffing=staffing, queues=[queue], replications=1, seed=2)
    name = "answered_of_offered_excluding_short_abandons"
    with pytest.raises(InputError, match=f"{name}.*cannot be computed by the simulator"):
        result.service_level_counts(name)
    with pytest.warns(DeprecationWarning, match="abandons_positive"):
        former = result.service_level_counts("abandons_positive")
    numerator, denominator = result.service_level_counts("answered_or_early_abandoned_of_offered")
    np.testing.assert_array_equal(former[0], numerator)
    np.testing.assert_array_equal(former[1], denominator)
    # counting early abandons as met adds exactly the abandons within the target
    answered_within, offered = result.service_level_counts("answered_of_offered")
    np.testing.assert_array_equal(numerator - answered_within, result.counts["abandoned_in_target"])
    np.testing.assert_array_equal(denominator, offered)
