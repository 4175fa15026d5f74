"""Productivity by tenure and attrition survival, worked by hand."""

import numpy as np
import pytest

from wfm.capacity import CapacityAttritionBand, CapacityCohort, CapacityRampStep, CapacityWorkforce
from wfm.capacity._supply import period_productivity, period_survival, supply_curves

MONTH = 52.0 / 12.0


def _workforce(**kwargs) -> CapacityWorkforce:
    base = {"cohorts": [CapacityCohort(tenure_weeks=0.0, headcount=1.0)]}
    return CapacityWorkforce(**{**base, **kwargs})


def test_weekly_productivity_follows_training_nesting_and_ramp() -> None:
    # training 2 weeks (0), nesting 2 weeks (0.5), ramp 2 weeks at 0.75, then 1.
    workforce = _workforce(
        training_weeks=2.0,
        nesting_weeks=2.0,
        nesting_productivity=0.5,
        ramp=[CapacityRampStep(weeks=2.0, productivity=0.75)],
    )
    weekly = period_productivity(np.arange(8.0), 1.0, workforce)
    np.testing.assert_allclose(weekly, [0, 0, 0.5, 0.5, 0.75, 0.75, 1, 1])
    # A 4-week period from tenure 0 averages (0 + 0 + 0.5 + 0.5) / 4 = 0.25; from tenure 3
    # (0.5 + 0.75 + 0.75 + 1) / 4 = 0.75; a period split inside a week is pro rata:
    # tenure 1.5 to 5.5 -> (0.5 x 0 + 2 x 0.5 + 1.5 x 0.75) / 4 = 0.53125.
    np.testing.assert_allclose(
        period_productivity(np.array([0.0, 3.0, 1.5]), 4.0, workforce), [0.25, 0.75, 0.53125]
    )


def test_no_training_means_productive_from_day_one() -> None:
    np.testing.assert_allclose(period_productivity(np.array([0.0, 9.0]), MONTH, _workforce()), 1)


def test_annual_attrition_compounds_to_the_annual_rate() -> None:
    bands = [CapacityAttritionBand(rate=0.3, basis="annual")]
    monthly = period_survival(np.zeros(12), MONTH, bands)
    weekly = period_survival(np.zeros(52), 1.0, bands)
    assert np.prod(monthly) == pytest.approx(0.7)
    assert np.prod(weekly) == pytest.approx(0.7)


def test_monthly_rate_over_a_month_keeps_exactly_one_minus_rate() -> None:
    bands = [CapacityAttritionBand(rate=0.1, basis="monthly")]
    assert period_survival(np.zeros(1), MONTH, bands)[0] == pytest.approx(0.9, abs=1e-15)


def test_attrition_band_is_chosen_by_tenure_at_period_start() -> None:
    # 5 % a month below 26 weeks, 1 % from 26 weeks. A cohort of 100 at 20 weeks has
    # tenure 20, 24.33, 28.67 at the start of months 0, 1, 2:
    # headcount 100, 95, 90.25, then 90.25 x 0.99 = 89.3475 in month 3.
    workforce = _workforce(
        cohorts=[CapacityCohort(tenure_weeks=20.0, headcount=100.0)],
        attrition=[
            CapacityAttritionBand(min_tenure_weeks=0.0, rate=0.05, basis="monthly"),
            CapacityAttritionBand(min_tenure_weeks=26.0, rate=0.01, basis="monthly"),
        ],
    )
    curves = supply_curves(workforce, 4, MONTH)
    np.testing.assert_allclose(curves.existing_headcount, [100, 95, 90.25, 89.3475])
    np.testing.assert_allclose(curves.existing_effective, curves.existing_headcount)


def test_existing_trainees_ramp_like_new_hires() -> None:
    # 10 people 1 week into a 2-week training (weekly plan, nesting 1 week at 0.5):
    # productivity 0, 0.5, 1, 1 in weeks 0..3; no attrition.
    workforce = _workforce(
        cohorts=[CapacityCohort(tenure_weeks=1.0, headcount=10.0)],
        training_weeks=2.0,
        nesting_weeks=1.0,
        nesting_productivity=0.5,
    )
    curves = supply_curves(workforce, 4, 1.0)
    np.testing.assert_allclose(curves.existing_effective, [0, 5, 10, 10])
    np.testing.assert_allclose(curves.hire_effective, [0, 0, 0.5, 1])
