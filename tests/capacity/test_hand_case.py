"""A small plan worked out by hand: attrition, lead time, nesting productivity, overtime, cost.

Set-up shared by the cases (monthly plan, January to March 2027):

* Demand: one queue open Mon-Fri 09:00-17:00 (80 half-hours, 40 hours a week) with no
  contacts and ``min_agents=10``, so 10 agents sit in every open half-hour:
  10 x 80 x 0.5 h = 400 agent-hours a week. No shrinkage, 40 paid hours per FTE a week,
  so required FTE = 400 / 40 = 10 in every month (no Erlang involved: the arithmetic
  under test is the supply side).
* Staff: one cohort of 10 fully productive people (tenure 100 weeks), 10 % monthly
  attrition: a monthly plan keeps exactly 90 % each month, so the cohort's headcount at
  the start of Jan, Feb, Mar is 10, 9, 8.1.
* Hires: lead time one month (52/12 weeks = 30.33 days, rounded up to 31 days), decided on
  1 Jan, so the first possible start is 1 Feb. No training; nesting for one month
  (52/12 weeks) at 50 % productivity, then 100 %. A hire's effective FTE is therefore
  0.5 in their first month and 0.9 (survivors) x 1.0 = 0.9 in their second.
"""

from datetime import date

import numpy as np
import pytest

from wfm.capacity import (
    CapacityAttritionBand,
    CapacityCohort,
    CapacityCosts,
    CapacityHiringPolicy,
    CapacityOvertime,
    CapacityPlanInput,
    CapacityQueuePlan,
    CapacityServiceTarget,
    CapacityWorkforce,
    plan_capacity,
)

ONE_MONTH_WEEKS = 52.0 / 12.0


def _hand_plan(office_pattern, overtime_fraction: float) -> CapacityPlanInput:
    return CapacityPlanInput(
        period="month",
        start_date=date(2027, 1, 1),
        queues=[
            CapacityQueuePlan(
                queue="q",
                volume=[0.0, 0.0, 0.0],
                aht_seconds=[300.0, 300.0, 300.0],
                pattern=office_pattern,
                service=CapacityServiceTarget(min_agents=10),
            )
        ],
        workforce=CapacityWorkforce(
            paid_hours_per_week=40.0,
            cohorts=[CapacityCohort(tenure_weeks=100.0, headcount=10.0)],
            attrition=[CapacityAttritionBand(rate=0.10, basis="monthly")],
            training_weeks=0.0,
            nesting_weeks=ONE_MONTH_WEEKS,
            nesting_productivity=0.5,
        ),
        hiring=CapacityHiringPolicy(lead_time_weeks=ONE_MONTH_WEEKS),
        overtime=CapacityOvertime(max_fraction=overtime_fraction, premium=0.5),
        costs=CapacityCosts(cost_per_paid_hour=20.0, cost_per_hire=1000.0),
    )


def test_hand_case_without_overtime(office_pattern) -> None:
    # Jan: supply 10 = required 10, no gap (and nobody could start in Jan anyway).
    # Feb: cohort 9, short 1. Hires are sized on headcount: ceil(1 / 1) = 1 Feb hire
    #      (giving 0.5 in Feb; the 0.5 nesting dip is not filled by hiring trainees).
    # Mar: cohort 8.1 + that hire's 0.9 = 9.0, short 1.0. A Feb start is still allowed
    #      and is fully productive in Mar with 0.9 survivors each ->
    #      ceil(1.0 / 0.9) = 2 more Feb hires (3 in all).
    # Final: headcount Jan 10, Feb 9 + 3 = 12, Mar 8.1 + 3 x 0.9 = 10.8;
    #        effective Jan 10, Feb 9 + 3 x 0.5 = 10.5, Mar 10.8.
    result = plan_capacity(_hand_plan(office_pattern, overtime_fraction=0.0))
    frame = result.to_frame()
    np.testing.assert_allclose(frame["required_fte"], [10.0, 10.0, 10.0])
    np.testing.assert_allclose(frame["hires"], [0.0, 3.0, 0.0])
    np.testing.assert_allclose(frame["headcount"], [10.0, 12.0, 10.8])
    np.testing.assert_allclose(frame["effective_fte"], [10.0, 10.5, 10.8])
    np.testing.assert_allclose(frame["fte_gap"], [0.0, -0.5, -0.8], atol=1e-12)
    np.testing.assert_allclose(frame["uncovered_fte"], [0.0, 0.0, 0.0])
    plan = result.hiring_plan()
    assert plan["start_date"].tolist() == [date(2027, 2, 1)]
    assert plan["decision_date"].tolist() == [date(2027, 1, 1)]  # 1 Feb - 31 days
    # Costs: paid hours = headcount x 40 h x calendar weeks (Jan 31/7, Feb 28/7, Mar 31/7).
    np.testing.assert_allclose(
        frame["staff_cost"],
        [10 * 40 * 31 / 7 * 20, 12 * 40 * 4 * 20, 10.8 * 40 * 31 / 7 * 20],
    )
    np.testing.assert_allclose(frame["hiring_cost"], [0.0, 3000.0, 0.0])
    summary = result.summary()
    assert summary["total_hires"] == pytest.approx(3.0)
    assert summary["total_cost"] == pytest.approx(
        10 * 40 * 31 / 7 * 20 + 12 * 40 * 4 * 20 + 10.8 * 40 * 31 / 7 * 20 + 3000.0
    )


def test_hand_case_with_overtime_fills_the_small_march_gap(office_pattern) -> None:
    # Overtime up to 5 % of effective FTE: hire only what overtime cannot cover,
    # i.e. until supply x 1.05 >= required.
    # Feb: cohort 9; short 10 / 1.05 - 9 = 0.524 -> ceil(0.524) = 1 Feb hire.
    # Mar: 8.1 + 0.9 = 9.0; short 10 / 1.05 - 9.0 = 0.524 -> ceil(0.524 / 0.9) = 1 more
    #      Feb hire (2 in all). Supply Feb 9 + 2 x 0.5 = 10, Mar 8.1 + 2 x 0.9 = 9.9.
    # Mar's gap 0.1 is filled by overtime (cap 0.05 x 9.9 = 0.495): 0.1 FTE x 40 h x 31/7
    #      weeks = 17.714 hours at 20 x 1.5 = 531.43.
    result = plan_capacity(_hand_plan(office_pattern, overtime_fraction=0.05))
    frame = result.to_frame()
    np.testing.assert_allclose(frame["hires"], [0.0, 2.0, 0.0])
    np.testing.assert_allclose(frame["headcount"], [10.0, 11.0, 9.9])
    np.testing.assert_allclose(frame["effective_fte"], [10.0, 10.0, 9.9])
    np.testing.assert_allclose(frame["overtime_fte"], [0.0, 0.0, 0.1], atol=1e-12)
    np.testing.assert_allclose(frame["uncovered_fte"], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(frame["overtime_cost"], [0.0, 0.0, 0.1 * 40 * 31 / 7 * 20 * 1.5])
    assert result.summary()["overtime_hours"] == pytest.approx(0.1 * 40 * 31 / 7)
    assert result.summary()["total_hires"] == pytest.approx(2.0)


def test_gap_before_the_lead_time_stays_uncovered(office_pattern) -> None:
    # With a two-month lead the first start is 1 Mar (1 Jan + 61 days = 3 Mar > 1 Mar, so
    # actually 1 Apr: outside the horizon). Nobody can be hired: Feb and Mar stay short
    # by 1 and 1.9 FTE and no hire is invented.
    plan = _hand_plan(office_pattern, overtime_fraction=0.0)
    plan = plan.model_copy(
        update={"hiring": CapacityHiringPolicy(lead_time_weeks=2 * ONE_MONTH_WEEKS)}
    )
    frame = plan_capacity(plan).to_frame()
    np.testing.assert_allclose(frame["hires"], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(frame["uncovered_fte"], [0.0, 1.0, 1.9])
    assert plan_capacity(plan).summary()["periods_uncovered"] == 2


def test_hiring_freeze_and_cap_move_hires(office_pattern) -> None:
    # Cap of 1 hire per period: Feb gets 1 (0.5 in Feb, leaving Feb short by 0.5). Mar is
    # short 10 - 8.1 - 0.9 = 1.0: Feb is full, a Mar start is allowed -> 1 Mar hire,
    # giving 0.5 in Mar -> Mar short by 0.5.
    plan = _hand_plan(office_pattern, overtime_fraction=0.0)
    capped = plan.model_copy(
        update={
            "hiring": CapacityHiringPolicy(
                lead_time_weeks=ONE_MONTH_WEEKS, max_hires_per_period=1.0
            )
        }
    )
    frame = plan_capacity(capped).to_frame()
    np.testing.assert_allclose(frame["hires"], [0.0, 1.0, 1.0])
    np.testing.assert_allclose(frame["uncovered_fte"], [0.0, 0.5, 0.5])
    # A freeze covering February moves the first start to March.
    frozen = plan.model_copy(
        update={
            "hiring": CapacityHiringPolicy(
                lead_time_weeks=ONE_MONTH_WEEKS, freeze=[(date(2027, 2, 1), date(2027, 3, 1))]
            )
        }
    )
    frame = plan_capacity(frozen).to_frame()
    # Mar: short 10 - 8.1 = 1.9 -> ceil(1.9) = 2 Mar hires (sized on headcount), who
    # give 2 x 0.5 = 1.0 in their nesting month -> Mar short by 0.9, Feb by 1.
    np.testing.assert_allclose(frame["hires"], [0.0, 0.0, 2.0])
    np.testing.assert_allclose(frame["uncovered_fte"], [0.0, 1.0, 0.9], atol=1e-12)


def test_new_centre_without_staff_hires_from_the_first_reachable_month(office_pattern) -> None:
    # No staff, no attrition, lead one month, hires no earlier than 1 Mar: Jan and Feb stay
    # fully uncovered (10 FTE each); in Mar 10 people start (sized on headcount) and give
    # 10 x 0.5 = 5 FTE while nesting, so Mar is short by 5.
    plan = _hand_plan(office_pattern, overtime_fraction=0.0)
    workforce = plan.workforce.model_copy(update={"cohorts": [], "attrition": []})
    hiring = CapacityHiringPolicy(lead_time_weeks=ONE_MONTH_WEEKS, no_hire_before=date(2027, 3, 1))
    plan = plan.model_copy(update={"workforce": workforce, "hiring": hiring})
    frame = plan_capacity(plan).to_frame()
    np.testing.assert_allclose(frame["hires"], [0.0, 0.0, 10.0])
    np.testing.assert_allclose(frame["uncovered_fte"], [10.0, 10.0, 5.0])
    np.testing.assert_allclose(frame["headcount"], [0.0, 0.0, 10.0])


def test_fractional_hires_close_the_gap_exactly(office_pattern) -> None:
    # whole_hires=False: Feb 1.0 hire (headcount sizing), Mar short 10 - 8.1 - 0.9 = 1.0
    # -> 1.0 / 0.9 = 1.111 more Feb hires; Mar supply exactly 10.
    plan = _hand_plan(office_pattern, overtime_fraction=0.0)
    hiring = CapacityHiringPolicy(lead_time_weeks=ONE_MONTH_WEEKS, whole_hires=False)
    frame = plan_capacity(plan.model_copy(update={"hiring": hiring})).to_frame()
    np.testing.assert_allclose(frame["hires"], [0.0, 1.0 + 1.0 / 0.9, 0.0])
    np.testing.assert_allclose(frame["effective_fte"].iloc[2], 10.0)
