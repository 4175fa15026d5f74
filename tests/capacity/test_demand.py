"""Required FTE: Erlang per representative interval, scaled to the period, grossed up."""

from datetime import date

import numpy as np
import pytest

from wfm.capacity import CapacityScenario, CapacityServiceTarget, CapacityWeekPattern, plan_capacity
from wfm.erlang import required_agents


def test_required_fte_is_the_sum_of_erlang_over_the_representative_week(plan_factory) -> None:
    # Feb 2027 has 28 days, so its weekly volume is exactly a quarter of the month's.
    plan = plan_factory(volume=[31_000.0, 28_000.0], aht_seconds=240.0)
    result = plan_capacity(plan)
    shares = np.asarray(plan.queues[0].pattern.volume_shares)
    open_ = shares > 0
    expected = []
    for monthly, days in ((31_000.0, 31), (28_000.0, 28)):
        agents = required_agents(monthly * 7 / days * shares[open_], 240.0, interval_seconds=1800)
        # agent-hours a week / ((1 - shrinkage) x 37.5 paid hours); shrinkage
        # 1 - 0.9 x 0.95 = 0.145
        expected.append(agents.sum() * 0.5 / ((1 - 0.145) * 37.5))
    np.testing.assert_allclose(result.to_frame()["required_fte"], expected, rtol=1e-12)
    queues = result.queue_frame()
    weekly_work = np.array([31_000 * 7 / 31, 28_000 / 4]) * 240 / 3600
    np.testing.assert_allclose(queues["workload_hours_per_week"], weekly_work)
    assert np.all(queues["occupancy"] < 1)


def test_open_hours_without_contacts_get_min_agents(plan_factory, office_pattern) -> None:
    # Open all week (336 half-hours) but contacts only in office hours: the other 256
    # half-hours carry min_agents = 2.
    pattern = office_pattern.model_copy(update={"open_intervals": [True] * 336})
    plan = plan_factory(volume=[0.0, 10_000.0])
    queue = plan.queues[0].model_copy(
        update={"pattern": pattern, "service": CapacityServiceTarget(min_agents=2)}
    )
    frame = plan_capacity(plan.model_copy(update={"queues": [queue]})).to_frame()
    productive = (1 - 0.145) * 37.5
    assert frame["required_fte"].iloc[0] == pytest.approx(2 * 336 * 0.5 / productive)
    shares = np.asarray(pattern.volume_shares)
    busy = required_agents(10_000 * 7 / 28 * shares[shares > 0], 300.0, interval_seconds=1800)
    expected = (np.maximum(busy, 2).sum() + 2 * 256) * 0.5 / productive
    assert frame["required_fte"].iloc[1] == pytest.approx(expected)


def test_aht_factors_shift_work_but_keep_the_average(plan_factory) -> None:
    plan = plan_factory(volume=[30_000.0])
    pattern = plan.queues[0].pattern
    shares = np.asarray(pattern.volume_shares)
    # Longer calls in the afternoon; factors get rescaled so the weighted mean is 1.
    factors = np.where(np.arange(336) % 48 >= 28, 3.0, 2.0)
    queue = plan.queues[0].model_copy(
        update={"pattern": pattern.model_copy(update={"aht_factors": factors.tolist()})}
    )
    result = plan_capacity(plan.model_copy(update={"queues": [queue]}))
    scaled = factors / np.sum(shares * factors)
    assert np.sum(shares * scaled) == pytest.approx(1.0)
    agents = required_agents(
        30_000 * 7 / 31 * shares[shares > 0], 300.0 * scaled[shares > 0], interval_seconds=1800
    )
    expected = agents.sum() * 0.5 / ((1 - 0.145) * 37.5)
    assert result.to_frame()["required_fte"].iloc[0] == pytest.approx(expected)
    np.testing.assert_allclose(
        result.queue_frame()["workload_hours_per_week"], 30_000 * 7 / 31 / 12
    )


def test_erlang_a_needs_fewer_agents_than_erlang_c_with_the_same_target(plan_factory) -> None:
    plan = plan_factory(volume=[30_000.0, 35_000.0])
    queue = plan.queues[0]
    patient = queue.model_copy(
        update={
            "service": CapacityServiceTarget(
                patience_seconds=120.0, service_level_definition="answered_of_offered"
            )
        }
    )
    erlang_c = plan_capacity(plan).to_frame()["required_fte"]
    erlang_a = plan_capacity(plan.model_copy(update={"queues": [patient]})).to_frame()
    assert np.all(erlang_a["required_fte"] <= erlang_c + 1e-9)


def test_weekly_plan_uses_seven_day_periods(plan_factory) -> None:
    plan = plan_factory(volume=[7_000.0] * 3, period="week", start_date=date(2027, 3, 22))
    frame = plan_capacity(plan).to_frame()
    assert frame["period_start"].tolist() == [
        date(2027, 3, 22),
        date(2027, 3, 29),
        date(2027, 4, 5),
    ]
    np.testing.assert_allclose(frame["calendar_weeks"], 1.0)
    assert frame["required_fte"].nunique() == 1


def test_two_queues_add_up(plan_factory) -> None:
    plan = plan_factory(volume=[25_000.0, 26_000.0])
    other = plan.queues[0].model_copy(update={"queue": "service", "aht_seconds": [420.0] * 2})
    both = plan_capacity(plan.model_copy(update={"queues": [plan.queues[0], other]}))
    alone = [
        plan_capacity(plan.model_copy(update={"queues": [q]})).to_frame()["required_fte"]
        for q in (plan.queues[0], other)
    ]
    np.testing.assert_allclose(both.to_frame()["required_fte"], alone[0] + alone[1])
    assert sorted(both.queue_frame()["queue"].unique()) == ["sales", "service"]


def test_continuous_staffing_never_exceeds_integer(plan_factory) -> None:
    integer = plan_capacity(plan_factory()).to_frame()["required_fte"]
    continuous = plan_capacity(plan_factory(staffing="continuous")).to_frame()["required_fte"]
    assert np.all(continuous <= integer + 1e-9)
    assert np.all(continuous > 0.8 * integer)


def test_sl_scenario_matches_a_plan_with_that_target(plan_factory) -> None:
    via_scenario = plan_capacity(CapacityScenario(target_service_level=0.9).apply(plan_factory()))
    direct = plan_capacity(plan_factory(target_service_level=0.9))
    assert via_scenario.to_frame().equals(direct.to_frame())


def test_week_pattern_type_is_exported() -> None:
    assert CapacityWeekPattern(volume_shares=[1 / 336] * 336).interval_minutes == 30
