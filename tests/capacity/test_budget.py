"""Budget caps that bind visibly, and the inverse question, on cases worked out by hand.

Weekly plan, four weeks from Monday 4 Jan 2027. One queue open Mon-Fri 09:00-17:00 (80
half-hours) with ``min_agents=10``: 10 x 80 x 0.5 h = 400 agent-hours a week, 40 paid
hours per FTE, no shrinkage: required FTE = 10 every week. 8 fully productive staff, no
attrition, new hires productive from day one, no lead time. One person costs 40 h x 20 =
800 a week; a hire costs 1000 once, in the start week.
"""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from wfm.capacity import (
    CapacityBudget,
    CapacityCohort,
    CapacityCosts,
    CapacityOvertime,
    CapacityPlanInput,
    CapacityQueuePlan,
    CapacityServiceTarget,
    CapacityWeekPattern,
    CapacityWorkforce,
    budget_for_target,
    plan_capacity,
)
from wfm.core.errors import InputError


def _shares() -> list[float]:
    shares = [0.0] * 336
    for day in range(5):
        for slot in range(18, 34):
            shares[day * 48 + slot] = 1 / 80
    return shares


def _plan(
    budget: CapacityBudget | None = None,
    *,
    staff: float = 8.0,
    volume: float = 0.0,
    min_agents: int = 10,
    overtime: float = 0.0,
) -> CapacityPlanInput:
    return CapacityPlanInput(
        period="week",
        start_date=date(2027, 1, 4),
        queues=[
            CapacityQueuePlan(
                queue="q",
                volume=[volume] * 4,
                aht_seconds=[300.0] * 4,
                pattern=CapacityWeekPattern(volume_shares=_shares()),
                service=CapacityServiceTarget(min_agents=min_agents),
            )
        ],
        workforce=CapacityWorkforce(
            paid_hours_per_week=40.0, cohorts=[CapacityCohort(tenure_weeks=100.0, headcount=staff)]
        ),
        overtime=CapacityOvertime(max_fraction=overtime, premium=0.5),
        costs=CapacityCosts(cost_per_paid_hour=20.0, cost_per_hire=1000.0),
        budget=budget,
    )


def test_without_a_cap_two_hires_cost_10000_then_8000() -> None:
    frame = plan_capacity(_plan()).to_frame()
    np.testing.assert_array_equal(frame["hires"], [2, 0, 0, 0])
    np.testing.assert_allclose(frame["total_cost"], [10000, 8000, 8000, 8000])


def test_period_cap_binds_and_shows_uncovered_fte() -> None:
    # Cap 9500 a week. Staff cost 6400 leaves 3100 a week. A week-0 hire costs 1800 in
    # week 0 and 800 later: 3100 / 1800 -> 1 hire; week 0 stays 1 FTE short. Week 1 is
    # then short 1 with 3100 - 800 = 2300 left: a week-1 hire costs 1800 there -> 1 hire.
    # Costs: week 0 8 x 800 + 800 + 1000 = 8200, week 1 10 x 800 + 1000 = 9000, then 8000.
    plan = _plan(CapacityBudget(max_cost_per_period=9500.0))
    frame = plan_capacity(plan).to_frame()
    np.testing.assert_array_equal(frame["hires"], [1, 1, 0, 0])
    np.testing.assert_allclose(frame["uncovered_fte"], [1, 0, 0, 0])
    np.testing.assert_allclose(frame["total_cost"], [8200, 9000, 8000, 8000])
    assert (frame["total_cost"] <= 9500).all()
    assert plan_capacity(plan).summary()["periods_uncovered"] == 1


def test_total_cap_binds_earliest_gaps_first() -> None:
    # Total cap 33000; current staff cost 4 x 6400 = 25600, 7400 left. A week-0 hire costs
    # 1800 + 3 x 800 = 4200 -> 1 hire (3200 left), week 0 short 1. Week 1: a week-1 hire
    # costs 1800 + 1600 = 3400 > 3200 -> none, short 1. Week 2: 1000 + 1600 = 2600 -> 1 hire.
    frame = plan_capacity(_plan(CapacityBudget(max_total_cost=33000.0))).to_frame()
    np.testing.assert_array_equal(frame["hires"], [1, 0, 1, 0])
    np.testing.assert_allclose(frame["uncovered_fte"], [1, 1, 0, 0])
    assert frame["total_cost"].sum() == pytest.approx(25600 + 4200 + 2600)


def test_overtime_uses_only_what_the_budget_leaves() -> None:
    # 25 % overtime cap: 10 / 1.25 = 8 on staff is enough, no hires; 2 FTE overtime at
    # 800 x 1.5 = 1200 each. A cap of 8000 leaves 1600: 1.3333 FTE overtime, 0.6667 open.
    frame = plan_capacity(_plan(CapacityBudget(max_cost_per_period=8000.0), overtime=0.25))
    table = frame.to_frame()
    np.testing.assert_array_equal(table["hires"], 0)
    np.testing.assert_allclose(table["overtime_fte"], 1600 / 1200)
    np.testing.assert_allclose(table["uncovered_fte"], 2 - 1600 / 1200)
    np.testing.assert_allclose(table["total_cost"], 8000)


def _erlang_c_service_level(agents: int, load: float, aht: float, target: float) -> float:
    # Erlang B by the recursion B(n) = A B(n-1) / (n + A B(n-1)), B(0) = 1; Erlang C from
    # it, C = N B / (N - A (1 - B)); SL = 1 - C exp(-(N - A) T / AHT) (Gans, Koole and
    # Mandelbaum 2003, "Telephone call centers", eq. for M/M/N).
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    waiting = agents * blocking / (agents - load * (1 - blocking))
    return 1.0 - waiting * np.exp(-(agents - load) * target / aht)


def test_service_level_the_cap_costs() -> None:
    # 48 contacts in every open half-hour, AHT 300 s: 8 Erlangs. Staff 2 short of the
    # requirement and a cap equal to the staff's pay: no hire fits, so each half-hour has
    # (N - 2) agents instead of N, and the service level is Erlang C's with N - 2 agents.
    uncapped = plan_capacity(_plan(volume=48 * 80, min_agents=0)).to_frame()
    needed = round(float(uncapped["required_fte"].iloc[0]))
    assert needed == uncapped["required_fte"].iloc[0]
    assert (uncapped["service_level"] >= 0.8).all()
    staff = needed - 2.0
    capped = _plan(
        CapacityBudget(max_cost_per_period=staff * 800), staff=staff, volume=48 * 80, min_agents=0
    )
    frame = plan_capacity(capped).to_frame()
    np.testing.assert_array_equal(frame["hires"], 0)
    np.testing.assert_allclose(frame["uncovered_fte"], 2.0)
    expected = _erlang_c_service_level(needed - 2, 8.0, 300.0, 20.0)
    np.testing.assert_allclose(frame["service_level"], expected, rtol=1e-9)
    assert expected < 0.8
    assert plan_capacity(capped).summary()["lowest_service_level"] == pytest.approx(expected)


def test_budget_for_target_is_the_uncapped_cost_and_any_less_binds() -> None:
    need = budget_for_target(_plan(CapacityBudget(max_total_cost=1.0)))
    np.testing.assert_allclose(need.periods["budget"], [10000, 8000, 8000, 8000])
    assert need.total_budget == pytest.approx(34000)
    assert need.total_hires == 2
    again = plan_capacity(_plan(need.as_budget())).to_frame()
    pd.testing.assert_frame_equal(again, need.result.to_frame())
    tighter = [9999.0, 8000.0, 8000.0, 8000.0]
    short = plan_capacity(_plan(CapacityBudget(max_cost_per_period=tighter))).to_frame()
    assert short["uncovered_fte"].iloc[0] > 0


def test_budget_for_a_higher_target_costs_more() -> None:
    base = budget_for_target(_plan(volume=48 * 80, min_agents=0))
    higher = budget_for_target(_plan(volume=48 * 80, min_agents=0), target_service_level=0.95)
    assert higher.total_budget > base.total_budget
    assert (higher.periods["service_level"] >= 0.95).all()


@pytest.mark.parametrize(
    ("budget", "field"),
    [
        # model_construct skips validation, as model_copy does; plan_capacity validates again
        (CapacityBudget.model_construct(max_cost_per_period=-1.0), "budget.max_cost_per_period"),
        (CapacityBudget(max_cost_per_period=[1.0, 2.0]), "budget.max_cost_per_period"),
        (CapacityBudget.model_construct(max_total_cost=float("nan")), "budget.max_total_cost"),
    ],
)
def test_bad_budget_names_the_field(budget: CapacityBudget, field: str) -> None:
    with pytest.raises(InputError, match=field.replace(".", r"\.")):
        plan_capacity(_plan(budget))


@pytest.mark.parametrize(
    ("caps", "field"),
    [
        ({"max_cost_per_period": -1.0}, "max_cost_per_period"),
        ({"max_cost_per_period": [1.0, float("inf")]}, "max_cost_per_period"),
        ({"max_total_cost": float("nan")}, "max_total_cost"),
    ],
)
def test_bad_budget_is_refused_when_built(caps: dict[str, object], field: str) -> None:
    with pytest.raises(InputError, match=f"{field} = .*Fix:"):
        CapacityBudget.model_validate(caps)


def test_plan_without_contacts_round_trips_with_no_service_level() -> None:
    # min_agents only: no contacts, so no service level (None in the summary, NaN rows)
    from wfm.capacity import CapacityPlanOutput, CapacityPlanResult

    result = plan_capacity(_plan(CapacityBudget(max_cost_per_period=9500.0)))
    assert result.summary()["lowest_service_level"] is None
    assert result.to_frame()["service_level"].isna().all()
    text = result.to_model().model_dump_json()
    again = CapacityPlanResult.from_model(CapacityPlanOutput.model_validate_json(text))
    pd.testing.assert_frame_equal(again.to_frame(), result.to_frame(), check_exact=True)
