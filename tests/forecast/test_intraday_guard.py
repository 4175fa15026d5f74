"""The guard of the intraday update: a plausible factor range, alerts, clip or keep."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from wfm.core import InputError
from wfm.forecast import (
    backtest_intraday_guard,
    estimate_factor_range,
    forecast_intervals,
    intraday_alerts,
    reforecast_intraday,
)

from .conftest import synthetic_history

TZ = "Europe/London"
NOW = pd.Timestamp("2024-02-05 13:00", tz=TZ)


@functools.cache
def _day(level: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    history = synthetic_history(days=35, daily_total=4000.0)
    forecast = forecast_intervals(history, model="weighted_average", horizon_days=1).frame
    actual = forecast[["queue", "interval_start"]].assign(volume=forecast["volume"] * level)
    return forecast, actual[actual["interval_start"] < NOW]


@pytest.mark.parametrize("method", ["ratio", "share_of_day", "bayes"])
def test_outage_morning_is_clipped_or_kept_and_alerted(method: str) -> None:
    forecast, actual = _day(0.3)
    history = synthetic_history(days=35, daily_total=4000.0)
    after = forecast["interval_start"] >= NOW
    raw = reforecast_intraday(forecast, actual, now=NOW, method=method, history=history)
    clipped = reforecast_intraday(
        forecast, actual, now=NOW, method=method, history=history, factor_range=(0.9, 1.2)
    )
    kept = reforecast_intraday(
        forecast,
        actual,
        now=NOW,
        method=method,
        history=history,
        factor_range=(0.9, 1.2),
        outside="keep",
    )
    assert raw["factor"].iloc[0] < 0.9
    assert clipped["factor"].iloc[0] == pytest.approx(0.9)
    assert clipped["raw_factor"].iloc[0] == pytest.approx(raw["factor"].iloc[0])
    # clipping rescales the unguarded update so that its factor is the bound
    scale = 0.9 / raw["factor"].iloc[0]
    np.testing.assert_allclose(
        clipped.loc[after.to_numpy(), "volume"], raw.loc[after.to_numpy(), "volume"] * scale
    )
    np.testing.assert_allclose(kept.loc[after.to_numpy(), "volume"], forecast.loc[after, "volume"])
    assert kept["factor"].iloc[0] == 1.0
    alerts = intraday_alerts(kept)
    assert list(alerts["direction"]) == ["low"]
    assert list(alerts["action"]) == ["kept"]
    assert alerts["raw_factor"].iloc[0] == pytest.approx(raw["factor"].iloc[0])


def test_flood_alerts_high_and_normal_days_are_untouched() -> None:
    forecast, flood = _day(2.0)
    guarded = reforecast_intraday(forecast, flood, now=NOW, factor_range=(0.9, 1.2))
    assert guarded["factor"].iloc[0] == pytest.approx(1.2)
    assert list(intraday_alerts(guarded)["direction"]) == ["high"]
    forecast, normal = _day(1.02)
    plain = reforecast_intraday(forecast, normal, now=NOW)
    guarded = reforecast_intraday(forecast, normal, now=NOW, factor_range=(0.9, 1.2))
    np.testing.assert_allclose(guarded["volume"], plain["volume"])
    assert intraday_alerts(guarded).empty


def test_bad_guard_settings_are_named() -> None:
    forecast, actual = _day(1.0)
    with pytest.raises(InputError, match="factor_range"):
        reforecast_intraday(forecast, actual, now=NOW, factor_range=(1.1, 1.2))
    with pytest.raises(InputError, match="factor_range"):
        reforecast_intraday(forecast, actual, now=NOW, factor_range="wide")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="outside"):
        reforecast_intraday(forecast, actual, now=NOW, factor_range=(0.9, 1.1), outside="drop")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="raw_factor"):
        intraday_alerts(reforecast_intraday(forecast, actual, now=NOW))
    with pytest.raises(InputError, match="coverage"):
        estimate_factor_range(synthetic_history(days=35), coverage=1.0)


def test_factor_range_contains_one_and_widens_with_coverage() -> None:
    history = synthetic_history(days=70, daily_total=3000.0)
    narrow = estimate_factor_range(history, coverage=0.5)
    wide = estimate_factor_range(history, coverage=0.98)
    assert 0 < wide[0] <= narrow[0] <= 1.0 <= narrow[1] <= wide[1]
    # Poisson days: the ratio update varies more than the shrunk bayes update
    ratio = estimate_factor_range(history, method="ratio")
    assert ratio[1] - ratio[0] >= wide[1] - wide[0]


def test_guarded_update_on_outage_mornings_held_out_us_bank(us_bank: pd.DataFrame) -> None:
    # The last 20 US bank weekdays (the same held-out stretch as the plain intraday
    # backtest; range and prior are learned on the days before them), updated at 10:00; on
    # outage days the first 3 open hours carry 30 % of their calls.
    table = backtest_intraday_guard(us_bank, days=20)
    low, high = table.attrs["factor_range"]
    assert 0.8 < low < 1.0 < high < 1.3
    wide = table.pivot_table(index=["day", "scenario"], columns="method", values="abs_error")
    forecast = table[table["method"] == "original"].set_index(["day", "scenario"])["forecast"]
    margin = max(1 - low, high - 1) * forecast
    # Stated margin: a guarded update is never worse than no update by more than
    # max(1 - low, high - 1) x the remaining-day forecast (the factor stays in the range);
    # keeping the plan on an alert costs nothing.
    for method in ("clipped", "kept"):
        assert (wide[method] <= wide["original"] + margin + 1e-9).all()
    outage = wide.xs("outage", level="scenario")
    alerted = table[(table["scenario"] == "outage") & (table["method"] == "kept")]
    assert alerted["alert"].all()
    np.testing.assert_allclose(outage["kept"], outage["original"])
    # the unguarded update is far worse on those days
    assert outage["bayes"].sum() > 3 * outage["original"].sum()
    # on normal days the guard keeps the update's gain
    normal = wide.xs("normal", level="scenario")
    assert normal["clipped"].sum() < normal["original"].sum()
    assert normal["kept"].sum() < normal["original"].sum()
