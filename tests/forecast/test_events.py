"""Event calendar: JSON round trip, exclusions, learned multipliers, overrides, holidays."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from wfm.core.errors import ModelInputError
from wfm.forecast import CalendarEvent, EventCalendar, forecast_intervals

from .conftest import synthetic_history

TZ = "Europe/London"


def _day(date: str, kind: str, name: str = "event", **extra: object) -> CalendarEvent:
    start = pd.Timestamp(date, tz=TZ)
    return CalendarEvent(
        name=name,
        kind=kind,  # type: ignore[arg-type]
        start=start.to_pydatetime(),
        end=(start + pd.Timedelta(days=1)).to_pydatetime(),
        **extra,  # type: ignore[arg-type]
    )


def test_json_round_trip_is_exact() -> None:
    calendar = EventCalendar(
        events=(
            _day("2024-07-10", "exclude", name="outage"),
            _day("2024-02-14", "override", name="campaign", scale=1.5, queues=("sales",)),
        )
    )
    text = calendar.to_json()
    assert "2024-07-10T00:00:00+01:00" in text  # local offset kept (BST)
    back = EventCalendar.from_json(text)
    assert back == calendar
    assert back.events[0].start.utcoffset() == dt.timedelta(hours=1)


def test_event_validation() -> None:
    with pytest.raises(ModelInputError, match="exactly one"):
        _day("2024-01-10", "override")
    with pytest.raises(ModelInputError, match="only allowed on overrides"):
        _day("2024-01-10", "learned", scale=2.0)
    with pytest.raises(ModelInputError, match="after start"):
        CalendarEvent(
            name="x",
            kind="exclude",
            start=pd.Timestamp("2024-01-02", tz=TZ).to_pydatetime(),
            end=pd.Timestamp("2024-01-01", tz=TZ).to_pydatetime(),
        )
    with pytest.raises(ModelInputError):
        CalendarEvent.model_validate(
            {"name": "x", "kind": "exclude", "start": "2024-01-01T00:00", "end": "2024-01-02T00:00"}
        )


def test_exclusion_is_reported_and_keeps_outage_out_of_training() -> None:
    history = synthetic_history(days=28)
    outage_day = history["interval_start"].dt.tz_localize(None).dt.date == dt.date(2024, 1, 22)
    damaged = history.copy()
    damaged.loc[outage_day, "volume"] = 0.0  # an outage: nothing recorded that Monday
    calendar = EventCalendar(events=(_day("2024-01-22", "exclude", name="outage"),))
    plain = forecast_intervals(damaged, model="seasonal_naive", horizon_days=7).frame
    fixed = forecast_intervals(damaged, model="seasonal_naive", horizon_days=7, calendar=calendar)
    assert len(fixed.report.excluded) == int(outage_day.sum())
    monday = fixed.frame["interval_start"].dt.day_of_week == 0
    assert plain.loc[monday, "volume"].sum() == 0
    expected_monday = history.loc[history["interval_start"].dt.day_of_week == 0, "volume"].sum() / 4
    assert fixed.frame.loc[monday, "volume"].sum() == pytest.approx(expected_monday, rel=0.1)


def test_learned_multiplier_from_tagged_occurrences() -> None:
    history = synthetic_history(days=56, daily_total=20_000.0, seed=3)
    local_date = history["interval_start"].dt.tz_localize(None).dt.date
    billing = [dt.date(2024, 1, 10), dt.date(2024, 1, 24), dt.date(2024, 2, 7)]  # Wednesdays
    boosted = history.copy()
    boosted.loc[local_date.isin(billing), "volume"] *= 1.6
    future = "2024-02-28"  # a Wednesday in the forecast week
    calendar = EventCalendar(
        events=tuple(_day(str(d), "learned", name="billing") for d in [*billing, future])
    )
    result = forecast_intervals(
        boosted, model="weighted_average", horizon_days=7, calendar=calendar
    ).frame
    days = result.groupby(result["interval_start"].dt.tz_localize(None).dt.date)["volume"].sum()
    assert days[dt.date(2024, 2, 28)] / days[dt.date(2024, 2, 27)] == pytest.approx(
        1.6 * 1.0 / 1.1, rel=0.05
    )
    # without the calendar the boosted weeks leak into a plain Wednesday average
    plain = forecast_intervals(boosted, model="weighted_average", horizon_days=7).frame
    plain_days = plain.groupby(plain["interval_start"].dt.tz_localize(None).dt.date)["volume"].sum()
    assert plain_days[dt.date(2024, 2, 28)] / plain_days[dt.date(2024, 2, 27)] > 1.05


def test_overrides_set_and_scale_volume() -> None:
    history = synthetic_history(days=28, queues=("sales", "support"))
    calendar = EventCalendar(
        events=(
            _day("2024-01-29", "override", name="promo", scale=2.0, queues=("sales",)),
            CalendarEvent(
                name="fixed",
                kind="override",
                start=pd.Timestamp("2024-01-30 09:00", tz=TZ).to_pydatetime(),
                end=pd.Timestamp("2024-01-30 10:00", tz=TZ).to_pydatetime(),
                volume=50.0,
            ),
        )
    )
    base = forecast_intervals(history, model="seasonal_naive", horizon_days=2).frame
    out = forecast_intervals(
        history, model="seasonal_naive", horizon_days=2, calendar=calendar
    ).frame
    monday_sales = (out["queue"] == "sales") & (out["interval_start"].dt.day == 29)
    np.testing.assert_allclose(
        out.loc[monday_sales, "volume"], 2 * base.loc[monday_sales, "volume"]
    )
    np.testing.assert_allclose(
        out.loc[monday_sales, "volume_hi_95"], 2 * base.loc[monday_sales, "volume_hi_95"]
    )
    set_rows = (out["interval_start"] >= pd.Timestamp("2024-01-30 09:00", tz=TZ)) & (
        out["interval_start"] < pd.Timestamp("2024-01-30 10:00", tz=TZ)
    )
    assert set_rows.sum() == 4  # two half-hours x two queues
    np.testing.assert_allclose(out.loc[set_rows, "volume"], 50.0)
    untouched = ~monday_sales & ~set_rows
    pd.testing.assert_frame_equal(out[untouched], base[untouched])


def test_public_holidays_calendar() -> None:
    calendar = EventCalendar.from_public_holidays("GB", [2024], tz=TZ, subdiv="ENG")
    starts = {pd.Timestamp(e.start).date() for e in calendar.events}
    assert dt.date(2024, 12, 25) in starts
    assert all(e.kind == "learned" for e in calendar.events)
    assert EventCalendar.from_json(calendar.to_json()) == calendar


def test_missing_holidays_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from wfm.core import MissingDependencyError

    monkeypatch.setitem(sys.modules, "holidays", None)
    with pytest.raises(MissingDependencyError, match=r"openwfm\[holidays\]"):
        EventCalendar.from_public_holidays("US", [2024], tz="America/New_York")
