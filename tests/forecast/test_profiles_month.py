"""Intraday profiles (recency, shrinkage) and the month-position effect on synthetic series."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.forecast import EventCalendar
from wfm.forecast._backtest import backtest_histories
from wfm.forecast._slots import weekday_of
from wfm.forecast.intervals import split_histories
from wfm.forecast.month_position import BINS, evidence_weight, learn_month_factors, month_bins
from wfm.forecast.profiles import shrunk_profiles
from wfm.forecast.special_days import SpecialDays

SLOTS = 48


def bell(centre: float, width: float) -> np.ndarray:
    """A day shape over 48 slots (open 07:00-21:00), rows sum to 1."""
    slots = np.arange(SLOTS)
    shape = np.exp(-0.5 * ((slots - centre) / width) ** 2) * ((slots >= 14) & (slots < 42))
    return np.asarray(shape / shape.sum(), dtype=np.float64)


def test_shrinkage_lowers_profile_error_and_keeps_a_different_weekday() -> None:
    """Five weekdays share one true shape, Friday has its own: shrinkage helps the five and
    leaves Friday near its own shape (not pulled to the others)."""
    rng = np.random.default_rng(3)
    common, friday = bell(26, 7), bell(18, 3)
    start = np.datetime64("2024-01-01")  # a Monday
    n_days = 7 * 8
    weekdays = weekday_of(start, n_days)
    truth = np.where((weekdays == 4)[:, None], friday, common)
    truth[weekdays == 5] = 0.0  # Saturday closed
    days = rng.poisson(600 * truth).astype(np.float64)
    plain = shrunk_profiles(days, weekdays, weeks=8, half_life=None, shrink=False)
    shrunk = shrunk_profiles(days, weekdays, weeks=8, half_life=None, shrink=True)
    shared = [0, 1, 2, 3, 6]
    plain_error = np.abs(plain[shared] - common).sum()
    shrunk_error = np.abs(shrunk[shared] - common).sum()
    assert shrunk_error < 0.7 * plain_error
    assert np.abs(shrunk[4] - friday).sum() < 1.2 * np.abs(plain[4] - friday).sum()
    assert np.abs(shrunk[4] - friday).sum() < 0.3 * np.abs(common - friday).sum()
    assert np.allclose(shrunk[[0, 1, 2, 3, 4, 6]].sum(axis=1), 1.0)
    assert not shrunk[5].any()  # a closed weekday keeps no shape


def test_recency_weighting_follows_a_seasonal_drift() -> None:
    """The peak moves one slot every two weeks (like opening after sunset): the recency-
    weighted 20-week profile is closer to the next week's shape than the equal-weight one."""
    rng = np.random.default_rng(5)
    start = np.datetime64("2024-01-01")
    n_days = 7 * 20
    weekdays = weekday_of(start, n_days)
    centre = 20 + np.arange(n_days) / 14.0
    truth = np.array([bell(c, 4) for c in centre])
    days = rng.poisson(2000 * truth).astype(np.float64)
    upcoming = bell(20 + n_days / 14.0, 4)
    flat = shrunk_profiles(days, weekdays, weeks=20, half_life=None, shrink=False)
    recent = shrunk_profiles(days, weekdays, weeks=20, half_life=8.0, shrink=False)
    assert np.abs(recent[0] - upcoming).sum() < 0.8 * np.abs(flat[0] - upcoming).sum()


def month_series(effect: np.ndarray, days: int, seed: int) -> tuple[np.ndarray, np.datetime64]:
    """Daily totals with a weekday pattern and a known month-position effect (Poisson)."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2023-01-01")
    weekday_level = np.array([1.0, 0.95, 0.9, 0.92, 0.8, 0.3, 0.0])
    mean = 2000 * weekday_level[weekday_of(start, days)] * effect[month_bins(start, days)]
    return rng.poisson(mean).astype(np.float64), start


def test_month_position_factors_recovered() -> None:
    """Known factors (busy start of month, quiet end) are recovered within 3%."""
    effect = np.array([1.2, 1.1, 1.0, 0.95, 0.9, 0.85])
    totals, start = month_series(effect, 365, seed=1)
    factors = learn_month_factors(totals, start, totals > 0, shrinkage=0.0)
    open_bins = month_bins(start, totals.size)[totals > 0]
    expected = effect / effect[open_bins].mean()  # the factors have mean 1 over the days
    assert factors.shape == (BINS,)
    np.testing.assert_allclose(factors, expected, rtol=0.03)


def test_month_position_without_effect_and_shrinkage() -> None:
    """No effect: factors stay near 1; with little history, shrinkage pulls towards 1."""
    totals, start = month_series(np.ones(BINS), 365, seed=2)
    factors = learn_month_factors(totals, start, totals > 0, shrinkage=2.0)
    np.testing.assert_allclose(factors, 1.0, atol=0.02)
    effect = np.array([1.3, 1.3, 1.0, 0.8, 0.8, 0.8])
    short, start = month_series(effect, 70, seed=3)
    raw = learn_month_factors(short, start, short > 0, shrinkage=0.0)
    shrunk = learn_month_factors(short, start, short > 0, shrinkage=2.0)
    assert np.abs(shrunk - 1).sum() < np.abs(raw - 1).sum()


def test_month_position_evidence_gate_drops_noise_and_keeps_a_clear_effect() -> None:
    """Day noise that moves whole weeks (no month effect): the evidence weight switches the
    parts off; a clear effect over the same noise is kept."""
    start = np.datetime64("2023-01-02")
    days = 120
    weekday_level = np.array([1.0, 0.95, 0.9, 0.92, 0.8, 0.0, 0.0])
    moved = {True: 0.0, False: 0.0}  # sum of |factor - 1| over 8 noise series
    for seed in range(8):
        rng = np.random.default_rng(seed)
        week_noise = np.repeat(rng.lognormal(0.0, 0.08, days // 7 + 1), 7)[:days]
        base = 2000 * weekday_level[weekday_of(start, days)] * week_noise
        flat = rng.poisson(base).astype(np.float64)
        for gate in (True, False):
            factors = learn_month_factors(flat, start, flat > 0, 2.0, evidence=gate)
            moved[gate] += np.abs(factors - 1).sum()
    assert moved[True] < 0.6 * moved[False]
    effect = np.array([1.3, 1.15, 1.0, 0.9, 0.85, 0.8])
    clear = rng.poisson(base * effect[month_bins(start, days)]).astype(np.float64)
    factors = learn_month_factors(clear, start, clear > 0, shrinkage=0.0)
    open_bins = month_bins(start, days)[clear > 0]
    np.testing.assert_allclose(factors, effect / effect[open_bins].mean(), rtol=0.1)
    ungated = learn_month_factors(clear, start, clear > 0, shrinkage=0.0, evidence=False)
    np.testing.assert_allclose(factors, ungated, atol=0.02)  # a clear effect is kept
    # the weight itself: one month has no spread to measure; a big, steady ratio keeps ~all
    expected = np.full(6, 100.0)
    assert evidence_weight(1.2, 1.2 * expected, expected, np.zeros(6, dtype=np.int64)) == 0.0
    steady = 1.2 * expected + np.array([1.0, -1.0, 1.0, -1.0, 0.5, -0.5])
    months = np.array([0, 0, 1, 1, 2, 2])
    assert evidence_weight(1.2, steady, expected, months) > 0.99


def test_month_position_improves_the_backtest_through_the_calendar() -> None:
    """A 30-minute series with a month-position effect: the calendar path that learns it
    forecasts better at every origin set than the same calendar without it."""
    rng = np.random.default_rng(11)
    start = pd.Timestamp("2023-01-02", tz="Europe/London")
    grid = pd.date_range(start, start + pd.Timedelta(days=182), freq="30min", inclusive="left")
    local = grid.tz_localize(None)
    effect = np.array([1.25, 1.1, 1.0, 0.9, 0.85, 0.85])
    day_of_month = np.minimum((local.day.to_numpy() - 1) // 5, BINS - 1)
    open_hours = (local.hour >= 8) & (local.hour < 18) & (local.day_of_week < 5)
    rate = 40.0 * open_hours * effect[day_of_month]
    frame = pd.DataFrame({"interval_start": grid, "volume": rng.poisson(rate).astype(float)})
    frame = frame[open_hours]
    histories, _, _ = split_histories(frame.assign(queue="q"))
    wapes = {}
    for flag in (True, False):
        calendar = EventCalendar(special_days=SpecialDays(month_position=flag))
        result = backtest_histories(
            histories,
            ["weighted_average_8w"],
            horizon_days=7,
            origins=10,
            step_days=7,
            calendar=calendar,
        )
        table = result.to_frame()
        wapes[flag] = table["abs_error"].sum() / table["actual"].sum()
    assert wapes[True] < 0.85 * wapes[False]


def test_observance_categories_are_labelled_and_checked() -> None:
    """Israel's "optional" category (holidays package) marks Purim and Remembrance Day as
    observances; the public holidays keep their kind; an unknown category is refused."""
    import pytest

    from wfm.core.errors import InputError
    from wfm.forecast.special_days import KINDS

    calendar = EventCalendar.for_country("IL", observances=("optional",))
    assert calendar.special_days is not None
    rest = np.zeros(7, dtype=bool)
    rest[5] = True  # Saturday
    first = np.datetime64("1999-02-28")
    labels = calendar.special_days.label(first, 60, rest)
    by_date = {
        str(first + np.timedelta64(int(i), "D")): (KINDS[labels.kinds[i]], labels.names[i])
        for i in np.flatnonzero(labels.special)
    }
    assert by_date["1999-03-02"] == ("observance", "Purim")
    assert by_date["1999-04-20"] == ("observance", "Remembrance Day")  # not "eve of ..."
    assert by_date["1999-04-21"] == ("holiday", "Independence Day")
    assert by_date["1999-03-31"] == ("eve", "eve of Pesach")
    plain = EventCalendar.for_country("IL").special_days
    assert plain is not None
    assert KINDS.index("observance") not in plain.label(first, 60, rest).kinds
    with pytest.raises(InputError, match="observances"):
        EventCalendar.for_country("IL", observances=("bogus",))


def test_month_position_factors_are_in_the_metadata() -> None:
    """forecast_intervals with special days reports the learned factors per queue."""
    import json

    from wfm.forecast import forecast_intervals

    rng = np.random.default_rng(12)
    start = pd.Timestamp("2023-01-02", tz="Europe/London")
    grid = pd.date_range(start, start + pd.Timedelta(days=91), freq="30min", inclusive="left")
    local = grid.tz_localize(None)
    open_hours = (local.hour >= 8) & (local.hour < 18) & (local.day_of_week < 5)
    busy_start = np.where(local.day.to_numpy() <= 10, 1.3, 1.0)
    rate = 30.0 * open_hours * busy_start
    frame = pd.DataFrame({"queue": "q", "interval_start": grid, "volume": rng.poisson(rate)})
    frame = frame[open_hours].astype({"volume": float})
    calendar = EventCalendar(special_days=SpecialDays())
    result = forecast_intervals(
        frame, model="weighted_average_8w", horizon_days=7, calendar=calendar
    )
    factors = result.metadata["month_position"]["q"]
    assert list(factors) == [
        "days 1-5",
        "days 6-10",
        "days 11-15",
        "days 16-20",
        "days 21-25",
        "days 26-31",
    ]
    assert factors["days 1-5"] > 1.1 > 0.95 > factors["days 21-25"]
    json.dumps(result.metadata)  # JSON-ready
    plain = forecast_intervals(frame, model="weighted_average_8w", horizon_days=7)
    assert "month_position" not in plain.metadata


def test_plain_profile_options_and_edge_cases() -> None:
    """``half_life=None, shrink=False`` is the plain share ``sum of slot / sum of days`` over
    the last ``weeks`` usable days; unusable and zero days are skipped; a weekday seen once
    is not shrunk (no noise estimate)."""
    from wfm.forecast.top_down import TopDownDaily

    rng = np.random.default_rng(8)
    start = np.datetime64("2024-01-01")
    n_days = 7 * 10
    weekdays = weekday_of(start, n_days)
    days = rng.poisson(50 * bell(26, 6), size=(n_days, SLOTS)).astype(np.float64)
    days[weekdays == 6] = 0.0  # Sunday closed
    usable = np.ones(n_days, dtype=bool)
    usable[-7] = False  # the last Monday but one teaches nothing
    plain = shrunk_profiles(days, weekdays, usable=usable, weeks=3, half_life=None, shrink=False)
    mondays = np.flatnonzero((weekdays == 0) & usable)[-3:]
    expected = days[mondays].sum(axis=0) / days[mondays].sum()
    np.testing.assert_allclose(plain[0], expected)
    assert not plain[6].any()
    once = weekdays == 2
    once[np.flatnonzero(once)[:-1]] = False  # only the last Wednesday
    single = shrunk_profiles(days, weekdays, usable=once | (weekdays != 2))
    np.testing.assert_allclose(single[2], days[np.flatnonzero(once)[0]] / days[once].sum())
    model = TopDownDaily(profile_weeks=8, profile_half_life=None, profile_shrink=False)
    model.fit(days, start_date="2024-01-01")
    tuesdays = np.flatnonzero(weekdays == 1)[-8:]
    np.testing.assert_allclose(
        model.state_.profile[1], days[tuesdays].sum(axis=0) / days[tuesdays].sum()
    )
