"""Special days: labels, learned and shrunk effects, calendar in backtests, open-day horizons."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.core.errors import InputError, ModelInputError
from wfm.forecast import (
    EventCalendar,
    MissingIntervalsWarning,
    SpecialDay,
    SpecialDays,
    backtest,
    forecast_accuracy,
    forecast_intervals,
)
from wfm.forecast.special_days import (
    KINDS,
    MAX_SHRINKAGE,
    credibility_shrinkage,
    effects_table,
    holiday_name,
    learn_effects,
)

from .conftest import daily_profile

TZ = "Europe/London"
MONDAY = np.datetime64("2024-01-01", "D")
FIVE_DAY_WEEK = np.array([1.2, 1.0, 1.0, 1.0, 0.9, 0.0, 0.0])


def _kinds(labels: object) -> list[str]:
    return ["" if k < 0 else KINDS[k] for k in labels.kinds]  # type: ignore[attr-defined]


def test_eve_after_and_bridge_rules() -> None:
    # Thursday holiday in a Monday-Friday centre: Wednesday eve, Friday bridge (not after-day)
    holiday = SpecialDay(date=dt.date(2024, 1, 11), name="Founders Day", kind="holiday")
    tuesday = SpecialDay(date=dt.date(2024, 1, 23), name="Harvest", kind="holiday")
    special = SpecialDays(days=(holiday, tuesday))
    rest = np.array([False] * 5 + [True, True])
    labels = special.label(MONDAY, 28, rest)
    kinds = _kinds(labels)
    assert kinds[9:12] == ["eve", "holiday", "bridge"]
    assert labels.names[9] == "eve of Founders Day"
    # Tuesday holiday: Monday bridge (after a weekend), Wednesday after-day
    assert kinds[21:24] == ["bridge", "holiday", "after"]
    assert labels.names[23] == "day after Harvest"
    # a bridge is named after its holiday, so Black Friday is learned apart from others
    assert labels.names[11] == "bridge day after Founders Day"
    assert labels.names[21] == "bridge day before Harvest"
    assert kinds.count("") == 28 - 6
    no_rules = SpecialDays(days=(holiday,), eves=False, after_days=False, bridges=False)
    assert _kinds(no_rules.label(MONDAY, 28, rest)).count("") == 27


def test_learned_ratio_is_exact_without_noise_and_shrinkage_formula() -> None:
    slots = 48
    profile = daily_profile(slots)
    weeks = 12
    days = np.tile((1000.0 * np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.2]))[:, None], (weeks, 1))
    days = days * profile
    # a holiday on two Wednesdays at 30% of a Wednesday
    special = SpecialDays(
        days=(
            SpecialDay(date=dt.date(2024, 1, 24), name="Holiday A", kind="holiday"),
            SpecialDay(date=dt.date(2024, 2, 21), name="Holiday A", kind="holiday"),
        ),
        eves=False,
        after_days=False,
        bridges=False,
    )
    for row in (23, 51):
        days[row] *= 0.3
    labels = special.label(MONDAY, days.shape[0], np.array([False] * 6 + [True]))
    cleaned, effects = learn_effects(
        days, np.ones_like(days, dtype=bool), MONDAY, labels, shrinkage=2.0
    )
    kind, n, ratio, shape = effects.by_name["Holiday A"]
    assert (kind, n) == ("holiday", 2)
    # learned relative to the analogue weekday (Sunday, 0.2 of a Wednesday): 0.3 / 0.2
    assert effects.reference("holiday", 2) == 6
    assert ratio == pytest.approx(0.3 / 0.2, rel=1e-12)
    assert shape is not None
    np.testing.assert_allclose(shape, profile)
    np.testing.assert_allclose(cleaned[23], 1000.0 * profile)  # training sees a normal day
    # future Wednesday: w = n / (n + k) = 0.5 for both levels; prior = Sunday / Wednesday;
    # on the same weekday as the past days the relative and the plain scale agree
    shrunk, _, weight = effects.effect("holiday", "Holiday A", 2)
    prior = 0.2
    assert weight == pytest.approx(0.5)
    assert shrunk == pytest.approx(0.5 * 0.3 + 0.5 * (0.5 * 0.3 + 0.5 * prior))
    # a never-seen holiday gets the kind's pooled ratio shrunk to the prior
    other, _, other_weight = effects.effect("holiday", "Holiday B", 2)
    assert other_weight == 0.0
    assert other == pytest.approx(0.5 * 0.3 + 0.5 * prior)
    # on a Saturday (0.5 of a Wednesday) it is 1.5 x a Sunday, shrunk towards 1 x a Sunday
    saturday, _, _ = effects.effect("holiday", "Holiday A", 5)
    assert saturday == pytest.approx((0.2 / 0.5) * (0.5 * 1.5 + 0.5 * (0.5 * 1.5 + 0.5)))


def test_eve_on_the_short_day_is_forecast_like_the_short_day() -> None:
    # Sunday-Thursday centre, short Friday (0.35), quiet Saturday evening (0.12); every
    # eve behaves like a Friday and every holiday like a Saturday, whatever its weekday
    slots = 48
    profile = daily_profile(slots)
    level = np.array([1.0, 1.0, 1.0, 1.0, 0.35, 0.12, 1.0])  # Monday = 0
    weeks = 14
    days = np.tile((1000.0 * level)[:, None], (weeks, 1)) * profile
    holidays = {
        dt.date(2024, 1, 18): "Spring Day",  # Thursday; eve Wednesday
        dt.date(2024, 2, 7): "Harvest",  # Wednesday; eve Tuesday
        dt.date(2024, 3, 5): "Lights",  # Tuesday; eve Monday
    }
    special = SpecialDays(
        days=tuple(SpecialDay(date=d, name=n, kind="holiday") for d, n in holidays.items()),
        after_days=False,
        bridges=False,
    )
    for day in holidays:
        row = (day - dt.date(2024, 1, 1)).days
        days[row] = 1000.0 * level[5] * profile  # like a Saturday
        days[row - 1] = 1000.0 * level[4] * profile  # like a Friday
    labels = special.label(MONDAY, days.shape[0], np.array([False] * 5 + [True, False]))
    assert _kinds(labels).count("eve") == 3
    _, effects = learn_effects(days, np.ones_like(days, dtype=bool), MONDAY, labels, 2.0)
    assert effects.by_kind["eve"][1] == pytest.approx(1.0)  # 1 x a Friday
    assert effects.by_kind["holiday"][1] == pytest.approx(1.0)  # 1 x a Saturday
    # a future eve on a Friday is a Friday, a future holiday on a Saturday a Saturday,
    # and mid-week ones keep their analogue's level
    assert effects.effect("eve", "eve of New Day", 4)[0] == pytest.approx(1.0)
    assert effects.effect("holiday", "New Day", 5)[0] == pytest.approx(1.0)
    assert effects.effect("eve", "eve of Harvest", 1)[0] == pytest.approx(0.35)
    assert effects.effect("holiday", "Harvest", 6)[0] == pytest.approx(0.12)
    # the report names the scale
    table = effects_table("q", MONDAY, labels, effects)
    assert set(table.loc[table["kind"] == "eve", "relative_to"]) == {"Friday"}


def _history_with_special_days(
    weeks: int, holidays: list[dt.date], seed: int = 1
) -> tuple[pd.DataFrame, SpecialDays]:
    """Poisson Monday-Friday centre; holidays at 25% of the day, eves 60% and a morning shape."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-02")
    n_days = 7 * weeks
    dates = pd.date_range(start, periods=n_days, freq="D")
    profile = daily_profile(48)
    slots_hours = (np.arange(48) + 0.5) / 2
    short = np.where(slots_hours < 13, profile, 0.0)
    short /= short.sum()
    means = (2000.0 * FIVE_DAY_WEEK[dates.day_of_week])[:, None] * profile
    holiday_set = set(holidays)
    for row, day in enumerate(dates.date):
        if day in holiday_set:
            means[row] *= 0.25
        elif day + dt.timedelta(days=1) in holiday_set:
            means[row] = 0.6 * means[row].sum() * short
    grid = pd.date_range(
        pd.Timestamp(start, tz=TZ), periods=n_days * 48 + 4, freq="30min"
    )  # a few spare rows, trimmed below
    local = grid.tz_localize(None)
    grid = grid[local.normalize() < start + pd.Timedelta(days=n_days)]
    local = grid.tz_localize(None)
    day = (local.normalize() - start).days.to_numpy()
    slot = (local.hour * 2 + local.minute // 30).to_numpy()
    frame = pd.DataFrame(
        {
            "queue": "q",
            "interval_start": grid,
            "volume": rng.poisson(means[day, slot]).astype(float),
        }
    )
    days = tuple(SpecialDay(date=d, name="Company Day", kind="holiday") for d in holidays)
    return frame, SpecialDays(days=days, shrinkage=2.0)


def test_synthetic_holiday_and_eve_effects_recovered() -> None:
    past = [dt.date(2023, 2, 15), dt.date(2023, 3, 22), dt.date(2023, 5, 10), dt.date(2023, 6, 7)]
    future = dt.date(2023, 7, 5)  # a Wednesday, after 26 weeks of history
    frame, special = _history_with_special_days(26, [*past, future])
    history = frame[frame["interval_start"].dt.date < dt.date(2023, 7, 3)]
    calendar = EventCalendar(special_days=special)
    result = forecast_intervals(
        history, model="weighted_average_8w", horizon_days=7, calendar=calendar
    )
    table = result.report.special_days.set_index("kind")
    holiday, eve = table.loc["holiday"], table.loc["eve"]
    assert holiday["past_occurrences"] == 4
    assert eve["past_occurrences"] == 4
    assert holiday["learned_ratio"] == pytest.approx(0.25, abs=0.03)
    # an eve is learned relative to its analogue, the Friday (0.9 of a Tuesday): 0.6 / 0.9
    assert eve["relative_to"] == "Friday"
    assert eve["learned_ratio"] == pytest.approx(0.6 / 0.9, abs=0.045)
    assert holiday["relative_to"] == "Wednesday"  # the analogue (Saturday) is closed
    # name and kind coincide here: w = 4/6 twice, prior (Saturday: closed) = 0
    assert holiday["ratio"] == pytest.approx(
        (4 / 6) * holiday["learned_ratio"] * (1 + 2 / 6), rel=1e-9
    )
    frame_out = result.frame
    local = frame_out["interval_start"].dt.tz_convert(TZ)
    day_totals = frame_out.groupby(local.dt.date)["volume"].sum()
    wednesday_level = 2000.0
    assert day_totals[future] == pytest.approx(holiday["ratio"] * wednesday_level, rel=0.08)
    eve_rows = frame_out[local.dt.date == dt.date(2023, 7, 4)]
    morning = eve_rows.loc[eve_rows["interval_start"].dt.hour < 13, "volume"].sum()
    assert morning / eve_rows["volume"].sum() > 0.9  # shaped like the short day it was
    assert result.metadata["special_days"][0]["kind"] in KINDS
    assert {r["date"] for r in result.metadata["special_days"]} >= {"2023-07-05", "2023-07-04"}


def test_backtest_applies_the_calendar_exactly_as_the_forecast() -> None:
    past = [dt.date(2023, 2, 15), dt.date(2023, 3, 22), dt.date(2023, 5, 10)]
    frame, special = _history_with_special_days(16, [*past, dt.date(2023, 4, 12)])
    calendar = EventCalendar(special_days=special)
    result = backtest(
        frame, models=["weighted_average_8w"], horizon_days=7, origins=1, calendar=calendar
    )
    origin = result.origins[0]
    before = frame[frame["interval_start"].dt.date < origin]
    forecast = forecast_intervals(
        before, model="weighted_average_8w", horizon_days=7, start=origin, calendar=calendar
    )
    scores = forecast_accuracy(forecast.frame, frame, by=("queue", "lead_day"))
    errors = result.errors.set_index("lead_day")
    for _, row in scores.iterrows():
        lead = int(row["lead_day"])
        if row["actual"] == 0:  # closed weekend day
            assert errors.loc[lead, "abs_error"] == 0
            continue
        assert row["wape"] * row["actual"] == pytest.approx(errors.loc[lead, "abs_error"], rel=1e-9)
    plain = backtest(frame, models=["weighted_average_8w"], horizon_days=7, origins=1)
    assert errors["abs_error"].sum() < 0.8 * plain.errors["abs_error"].sum()


def test_horizon_in_open_days_starts_at_next_open_day() -> None:
    frame, _ = _history_with_special_days(6, [])
    history = frame[frame["interval_start"].dt.date <= dt.date(2023, 2, 10)]  # ends Friday
    result = forecast_intervals(history, model="weighted_average", horizon_open_days=5)
    assert result.metadata["start"] == "2023-02-13"  # Monday
    assert result.metadata["horizon_days"] == 5
    assert result.metadata["horizon_open_days"] == 5
    monday_holiday = SpecialDays(
        days=(SpecialDay(date=dt.date(2023, 2, 13), name="Closed", kind="holiday"),)
    )
    calendar = EventCalendar(special_days=monday_holiday)
    shifted = forecast_intervals(
        history, model="weighted_average", horizon_open_days=5, calendar=calendar
    )
    assert shifted.metadata["start"] == "2023-02-14"  # Tuesday ... next Monday
    assert shifted.metadata["horizon_days"] == 7
    with pytest.raises(InputError, match="both given"):
        forecast_intervals(history, horizon_days=5, horizon_open_days=5)


def test_empty_missing_report_is_datetime_typed() -> None:
    frame, _ = _history_with_special_days(5, [])
    result = forecast_intervals(frame, model="seasonal_naive", horizon_days=2)
    assert len(result.report.missing) == 0
    assert str(result.report.missing["interval_start"].dt.tz) == TZ


def test_custom_days_from_csv(tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    path.write_text("date,name,kind\n1999-03-02,Purim,custom\n1999-12-31,Year end,\n")
    special = SpecialDays.from_csv(path)
    assert special.days[0] == SpecialDay(date=dt.date(1999, 3, 2), name="Purim")
    assert special.days[1].kind == "custom"
    path.write_text("day,name\n1999-03-02,Purim\n")
    with pytest.raises(InputError, match="needs 'date'"):
        SpecialDays.from_csv(path)
    path.write_text("date,name,kind\n1999-03-02,Purim,festival\n")
    with pytest.raises(InputError, match="line 2"):
        SpecialDays.from_csv(path)
    with pytest.raises(InputError, match="cannot be read"):
        SpecialDays.from_csv(tmp_path / "absent.csv")
    with pytest.raises(ModelInputError):
        SpecialDays(shrinkage=-1.0)


def test_israeli_holidays_eves_and_forecast(israel_bank: pd.DataFrame) -> None:
    """Real series: Passover 1999 learned from nothing before it, then used on Shavuot."""
    pytest.importorskip("holidays")
    special = SpecialDays(country="IL", days=(SpecialDay(date=dt.date(1999, 3, 2), name="Purim"),))
    rest = np.array([False] * 5 + [True, False])  # Saturday is the quietest day
    labels = special.label(np.datetime64("1999-03-01", "D"), 90, rest)
    named = {
        str(np.datetime64("1999-03-01", "D") + np.timedelta64(i, "D")): (KINDS[k], labels.names[i])
        for i, k in enumerate(labels.kinds)
        if k >= 0
    }
    assert named["1999-03-02"] == ("custom", "Purim")
    assert named["1999-04-01"] == ("holiday", "Pesach")
    assert named["1999-03-31"] == ("eve", "eve of Pesach")
    assert named["1999-04-21"] == ("holiday", "Independence Day")
    assert named["1999-05-21"] == ("holiday", "Shavuot")
    assert named["1999-05-20"] == ("eve", "eve of Shavuot")
    calendar = EventCalendar(special_days=special)
    stamps = israel_bank["interval_start"]
    actual = israel_bank.groupby(stamps.dt.date)["volume"].sum()
    errors = {}
    for origin in (dt.date(1999, 3, 31), dt.date(1999, 5, 20)):
        history = israel_bank[stamps.dt.date < origin]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingIntervalsWarning)  # data gaps: not tested here
            with_calendar = forecast_intervals(
                history, model="weighted_average_8w", horizon_days=2, calendar=calendar
            )
            plain = forecast_intervals(history, model="weighted_average_8w", horizon_days=2)
        for name, result in (("calendar", with_calendar), ("plain", plain)):
            totals = result.frame.groupby(result.frame["interval_start"].dt.date)["volume"].sum()
            errors[(origin, name)] = float((totals - actual[totals.index]).abs().sum())
        table = with_calendar.report.special_days
        assert list(table["kind"]) == ["eve", "holiday"]
        if origin == dt.date(1999, 5, 20):
            # eves and holidays of Passover/Independence Day have been seen by then
            assert (table["kind_past_days"] >= 3).all()
            assert table.loc[table["kind"] == "eve", "ratio"].iloc[0] < 0.6
    for origin in (dt.date(1999, 3, 31), dt.date(1999, 5, 20)):
        # an eve plus a holiday: the plain forecast is off by thousands of calls
        assert errors[(origin, "calendar")] < 0.3 * errors[(origin, "plain")]


def test_pipeline_config_builds_the_calendar(tmp_path: Path) -> None:
    pytest.importorskip("holidays")
    from wfm.config import ForecastConfig, PlanConfig, SiteConfig
    from wfm.pipeline import forecast_history

    path = tmp_path / "days.csv"
    path.write_text("date,name,kind\n2023-02-15,Company Day,holiday\n")
    settings = ForecastConfig(holiday_country="GB", special_days_file=str(path))
    calendar = settings.event_calendar()
    assert calendar is not None
    assert calendar.special_days is not None
    assert calendar.special_days.country == "GB"
    assert calendar.special_days.days[0].name == "Company Day"
    assert ForecastConfig().event_calendar() is None
    assert ForecastConfig().backtest_origins == 4  # as forecast_intervals
    with pytest.raises(ModelInputError, match="not known to the holidays package"):
        ForecastConfig(holiday_country="XX")
    frame, _ = _history_with_special_days(6, [dt.date(2023, 2, 15)])
    history = frame[frame["interval_start"].dt.date < dt.date(2023, 2, 13)]
    config = PlanConfig(
        site=SiteConfig(time_zone=TZ),
        forecast=ForecastConfig(
            model="weighted_average", horizon_days=7, special_days_file=str(path)
        ),
    )
    result = forecast_history(history, config)
    kinds = result.report.special_days.set_index("date")["kind"]
    assert kinds[dt.date(2023, 2, 15)] == "holiday"
    assert kinds[dt.date(2023, 2, 14)] == "eve"
    open_days = config.model_copy(
        update={"forecast": config.forecast.model_copy(update={"horizon_open_days": 5})}
    )
    business = forecast_history(history[history["interval_start"].dt.day_of_week < 5], open_days)
    # history ends Friday 10th; Wednesday 15th is a holiday: Mon-Tue, Thu-Fri, Mon
    assert business.metadata["start"] == "2023-02-13"
    assert business.metadata["horizon_days"] == 8


def test_cli_forecast_with_a_holiday_calendar(tmp_path: Path) -> None:
    """`wfm forecast` takes the calendar from the config and writes special_days.csv."""
    pytest.importorskip("holidays")
    from click.testing import CliRunner

    from wfm.cli import main

    history = tmp_path / "h.csv"
    frame, _ = _history_with_special_days(6, [])
    frame = frame[frame["interval_start"].dt.date < dt.date(2023, 2, 11)]  # ends Friday 10th
    frame.to_csv(history, index=False)
    config = tmp_path / "plan.toml"
    config.write_text(
        '[site]\ntime_zone = "Europe/London"\n'
        '[forecast]\nhorizon_days = 11\nmodel = "weighted_average"\n'
        'holiday_country = "US"\n'
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["forecast", str(history), "-c", str(config), "-o", str(out), "--no-backtest"]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "special_days.csv")
    # Presidents' Day 2023-02-20, a Monday: its eve is a Sunday (closed, not marked)
    rows = table.set_index("date")["kind"].to_dict()
    assert rows == {"2023-02-20": "holiday", "2023-02-21": "after"}


def test_special_days_metadata_survives_a_json_snapshot(tmp_path: Path) -> None:
    from wfm.forecast import load_forecast_snapshot, save_forecast_snapshot

    frame, special = _history_with_special_days(6, [dt.date(2023, 2, 15)])
    history = frame[frame["interval_start"].dt.date < dt.date(2023, 2, 13)]
    result = forecast_intervals(
        history,
        model="weighted_average",
        horizon_days=7,
        calendar=EventCalendar(special_days=special),
    )
    holiday = next(r for r in result.metadata["special_days"] if r["kind"] == "holiday")
    assert holiday["past_occurrences"] == 0
    assert holiday["learned_ratio"] is None  # never seen: no learned ratio, prior only
    assert holiday["ratio"] == 0.0  # the prior: like the closed Saturday
    path = tmp_path / "snapshot.json"
    save_forecast_snapshot(result, path)
    assert load_forecast_snapshot(path).metadata["special_days"] == result.metadata["special_days"]


def test_config_keys_for_month_position_and_observances(tmp_path: Path) -> None:
    """`[forecast]` month_position and holiday_observances reach the calendar."""
    pytest.importorskip("holidays")
    from wfm.config import ForecastConfig, load_config

    path = tmp_path / "plan.toml"
    path.write_text(
        '[site]\ntime_zone = "Asia/Jerusalem"\n'
        '[forecast]\nholiday_country = "IL"\nmonth_position = false\n'
        'holiday_observances = ["optional"]\n'
    )
    calendar = load_config(path).forecast.event_calendar()
    assert calendar is not None
    assert calendar.special_days is not None
    assert calendar.special_days.month_position is False
    assert calendar.special_days.observances == ("optional",)
    # Purim 2023 (March 7) is an "optional" holiday in Israel: now an observance
    table = calendar.special_days.observance_table(dt.date(2023, 3, 1), dt.date(2023, 3, 31))
    assert dt.date(2023, 3, 7) in table
    default = ForecastConfig(holiday_country="IL").event_calendar()
    assert default is not None
    assert default.special_days is not None
    assert default.special_days.month_position is True
    assert default.special_days.observances == ()
    with pytest.raises(ModelInputError, match="needs holiday_country"):
        ForecastConfig(holiday_observances=["optional"])
    with pytest.raises(ModelInputError, match="nope"):
        ForecastConfig(holiday_country="IL", holiday_observances=["nope"])


def test_observed_and_estimated_holidays_share_the_holiday_name() -> None:
    assert holiday_name("Christmas Day (observed)") == "Christmas Day"
    assert holiday_name("Eid al-Fitr (observed, estimated)") == "Eid al-Fitr"
    assert holiday_name("New Year's Day; Some Other Day") == "New Year's Day"
    assert holiday_name("Day of the (Observed) Sea") == "Day of the (Observed) Sea"
    pytest.importorskip("holidays")
    table = SpecialDays(country="US").holiday_table(dt.date(2021, 12, 20), dt.date(2022, 12, 31))
    assert table[dt.date(2021, 12, 24)] == table[dt.date(2022, 12, 26)] == "Christmas Day"


def test_credibility_shrinkage_matches_the_balanced_anova_estimate() -> None:
    # three holidays seen twice each: MSW = 0.02, MSB = 2, a = (MSB - MSW) / n = 0.99
    ratios = np.array([1.0, 1.2, 2.0, 2.2, 3.0, 3.2])
    kinds = np.zeros(6, dtype=np.int64)
    names = np.array(["a", "a", "b", "b", "c", "c"], dtype=object)
    assert credibility_shrinkage(ratios, kinds, names) == pytest.approx(0.02 / 0.99)
    # holidays that do not differ: no evidence for their own effects, k at its cap
    same = np.array([1.0, 1.2, 1.2, 1.0, 1.1, 1.1])
    assert credibility_shrinkage(same, kinds, names) == MAX_SHRINKAGE
    # too little repetition: the configured k is kept
    assert credibility_shrinkage(ratios[:4], kinds[:4], names[:4]) is None


def _us_centre_days(years: tuple[int, ...], ratio_of: dict[str, float], seed: int) -> tuple:
    """Monday-Friday Poisson centre over whole years; holidays at their own ratio."""
    pytest.importorskip("holidays")
    start = np.datetime64(f"{years[0]}-01-01", "D")
    n_days = int((np.datetime64(f"{years[-1] + 1}-01-01", "D") - start).astype(np.int64))
    weekdays = (np.arange(n_days) + (start.astype(np.int64) + 3) % 7) % 7
    level = np.where(weekdays < 5, 3000.0, 0.0)
    special = SpecialDays(country="US", eves=False, after_days=False, bridges=False)
    rest = np.array([False] * 5 + [True, True])
    labels = special.label(start, n_days, rest)
    for row in np.flatnonzero(labels.special):
        level[row] *= ratio_of.get(str(labels.names[row]), 0.5)
    rng = np.random.default_rng(seed)
    profile = daily_profile(48)
    days = rng.poisson(level[:, None] * profile).astype(float)
    return days, start, labels


def test_holidays_seen_in_several_years_are_trusted_when_they_differ() -> None:
    pytest.importorskip("holidays")
    # names as this version of the holidays package spells them ("Thanksgiving" in 0.50)
    table = SpecialDays(country="US").holiday_table(dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    thanksgiving = table[dt.date(2022, 11, 24)]
    ratio_of = {
        thanksgiving: 0.1,
        table[dt.date(2022, 12, 26)]: 0.02,  # Christmas Day (observed on the Monday)
        table[dt.date(2022, 10, 10)]: 0.9,  # Columbus Day
    }
    days, start, labels = _us_centre_days((2020, 2021, 2022), ratio_of, seed=3)
    observed = np.ones_like(days, dtype=bool)
    _, fixed = learn_effects(days, observed, start, labels, 2.0)
    _, estimated = learn_effects(days, observed, start, labels, 2.0, estimate_shrinkage=True)
    assert fixed.name_k == 2.0
    assert estimated.name_k < 0.1  # names differ far more than their years do
    assert estimated.shrinkage == 2.0  # a kind is still weighed against its prior with k = 2
    for name, truth in ratio_of.items():
        weekday = 3 if name == thanksgiving else 0
        assert estimated.effect("holiday", name, weekday)[0] == pytest.approx(truth, abs=0.02)
    # with k = 2 Thanksgiving is pulled towards the other holidays (most at 0.5)
    assert fixed.effect("holiday", thanksgiving, 3)[0] > 0.15
    # holidays that all behave alike are pooled instead
    days, start, labels = _us_centre_days((2020, 2021, 2022), {}, seed=4)
    _, alike = learn_effects(days, observed, start, labels, 2.0, estimate_shrinkage=True)
    assert alike.name_k > 5.0
    # ... towards their kind, which keeps its own ratio (0.5), not the closed analogue's 0
    for name in ratio_of:
        weekday = 3 if name == thanksgiving else 0
        assert alike.effect("holiday", name, weekday)[0] == pytest.approx(0.5, abs=0.05)


def test_share_of_day_update_keeps_a_special_days_shape() -> None:
    from wfm.forecast import reforecast_intraday

    past = [dt.date(2023, 2, 15), dt.date(2023, 3, 22), dt.date(2023, 5, 10)]
    frame, special = _history_with_special_days(14, [*past, dt.date(2023, 4, 12)])
    history = frame[frame["interval_start"].dt.date < dt.date(2023, 4, 10)]
    result = forecast_intervals(
        history,
        model="weighted_average_8w",
        horizon_days=3,
        calendar=EventCalendar(special_days=special),
    )
    eve = dt.date(2023, 4, 11)  # shaped like a short morning day
    forecast = result.frame
    now = pd.Timestamp("2023-04-11 10:00", tz=TZ)
    actual = forecast[forecast["interval_start"] < now].copy()
    day = forecast["interval_start"].dt.tz_convert(TZ).dt.date == eve
    afternoon = day & (forecast["interval_start"].dt.tz_convert(TZ).dt.hour >= 13)
    # the eve's forecast is mostly a morning (its learned shape, shrunk towards the Friday's)
    assert forecast.loc[afternoon, "volume"].sum() < 0.2 * forecast.loc[day, "volume"].sum()
    plain = reforecast_intraday(forecast, actual, now=now, method="share_of_day", history=history)
    aware = reforecast_intraday(
        forecast,
        actual,
        now=now,
        method="share_of_day",
        history=history,
        special_days=result.report.special_days,
    )

    def afternoon_of(frame: pd.DataFrame) -> float:
        local = frame["interval_start"].dt.tz_convert(TZ)
        return float(frame.loc[local.dt.hour >= 13, "volume"].sum())

    # the ordinary weekday profile spreads the eve over a whole day; the forecast's own
    # (short-day) shape keeps the afternoon near empty, as the ratio update does
    assert afternoon_of(plain) > 3 * afternoon_of(aware)
    ratio = reforecast_intraday(forecast, actual, now=now, method="ratio")
    np.testing.assert_allclose(aware["volume"], ratio["volume"])
