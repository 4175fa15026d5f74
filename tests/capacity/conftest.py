"""Builders of small capacity plans shared by the capacity tests."""

from collections.abc import Callable
from datetime import date
from typing import Any

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
    CapacityWeekPattern,
    CapacityWorkforce,
)

INTERVALS_PER_WEEK = 336


def office_hours_pattern() -> CapacityWeekPattern:
    """Mon-Fri 09:00-17:00 (16 half-hours a day, 80 a week, 40 open hours), flat shares."""
    shares = [0.0] * INTERVALS_PER_WEEK
    for day in range(5):
        for slot in range(18, 34):
            shares[day * 48 + slot] = 1.0 / 80.0
    return CapacityWeekPattern(interval_minutes=30, volume_shares=shares)


def busy_pattern() -> CapacityWeekPattern:
    """Every day 08:00-20:00, a midday peak; shares sum to 1."""
    weights = [0.0] * INTERVALS_PER_WEEK
    for day in range(7):
        for slot in range(16, 40):
            weights[day * 48 + slot] = 1.0 + (1.0 if 22 <= slot < 30 else 0.0)
    total = sum(weights)
    return CapacityWeekPattern(interval_minutes=30, volume_shares=[w / total for w in weights])


def make_plan(
    *,
    volume: list[float] | None = None,
    aht_seconds: float = 300.0,
    target_service_level: float = 0.8,
    monthly_attrition: float = 0.02,
    cohorts: list[tuple[float, float]] | None = None,
    lead_time_weeks: float = 4.0,
    overtime_fraction: float = 0.0,
    **updates: Any,
) -> CapacityPlanInput:
    volume = [20000.0, 22000.0, 24000.0, 26000.0] if volume is None else volume
    queue = CapacityQueuePlan(
        queue="sales",
        volume=volume,
        aht_seconds=[aht_seconds] * len(volume),
        pattern=busy_pattern(),
        service=CapacityServiceTarget(target_service_level=target_service_level),
    )
    workforce = CapacityWorkforce(
        paid_hours_per_week=37.5,
        shrinkage={"breaks": 0.1, "absence": 0.05},
        cohorts=[
            CapacityCohort(tenure_weeks=t, headcount=h)
            for t, h in (cohorts if cohorts is not None else [(100.0, 20.0)])
        ],
        attrition=[CapacityAttritionBand(rate=monthly_attrition, basis="monthly")],
        training_weeks=2.0,
        nesting_weeks=2.0,
        nesting_productivity=0.5,
    )
    plan = CapacityPlanInput(
        period="month",
        start_date=date(2027, 1, 1),
        queues=[queue],
        workforce=workforce,
        hiring=CapacityHiringPolicy(lead_time_weeks=lead_time_weeks),
        overtime=CapacityOvertime(max_fraction=overtime_fraction, premium=0.5),
        costs=CapacityCosts(cost_per_paid_hour=25.0, cost_per_hire=4000.0),
    )
    return plan.model_copy(update=updates) if updates else plan


@pytest.fixture
def plan_factory() -> Callable[..., CapacityPlanInput]:
    return make_plan


@pytest.fixture
def office_pattern() -> CapacityWeekPattern:
    return office_hours_pattern()
