import numpy as np
import pytest

from wfm.core import InputError, NotFittedError
from wfm.forecast import CombinedForecaster, SeasonalNaive, WeightedSeasonalAverage


def _history(weeks: int = 6, slots: int = 24) -> np.ndarray:
    rng = np.random.default_rng(3)
    profile = 20 + 15 * np.sin(np.linspace(0, np.pi, slots))
    weekly = np.tile(profile, 7) * np.repeat([1.0, 1.1, 1.0, 0.9, 1.2, 0.5, 0.3], slots)
    return rng.poisson(np.tile(weekly, weeks)).astype(float)


def test_combination_is_the_mean_of_its_members() -> None:
    y = _history()
    members = [SeasonalNaive(slots_per_day=24), WeightedSeasonalAverage(weeks=3, slots_per_day=24)]
    combined = CombinedForecaster(members=members, slots_per_day=24).fit(y).predict(48)
    separate = [m.fit(y).predict(48).mean for m in members]
    np.testing.assert_allclose(combined.mean, np.mean(separate, axis=0))
    lo, hi = combined.lower["80"], combined.upper["80"]
    assert (lo <= combined.mean + 1e-12).all()
    assert (hi >= combined.mean - 1e-12).all()


def test_default_members_need_the_longest_history_of_them() -> None:
    assert CombinedForecaster().min_history_days == 28  # top-down needs four weeks


def test_one_member_is_not_a_combination() -> None:
    with pytest.raises(InputError, match="at least two models"):
        CombinedForecaster(members=["seasonal_naive"], slots_per_day=24).fit(_history())


def test_predict_before_fit_names_the_fix() -> None:
    with pytest.raises(NotFittedError, match="call fit"):
        CombinedForecaster(slots_per_day=24).predict(24)


def test_backtest_scores_the_combination_as_if_fitted_on_its_own() -> None:
    """The backtest reuses members' forecasts; its errors equal a separately fitted model's."""
    import pandas as pd

    from wfm.forecast import backtest
    from wfm.forecast.intervals import split_histories

    from .conftest import synthetic_history

    history = synthetic_history(days=63, seed=5)
    result = backtest(
        history, models=["top_down", "combination"], horizon_days=7, origins=2, step_days=7
    )
    queue_history = next(iter(split_histories(history)[0].values()))
    slots = queue_history.volume.shape[1]
    rows = result.errors[result.errors["model"] == "combination"]
    assert sorted(rows["origin"].unique()) == result.origins
    for origin_date, group in rows.groupby("origin"):
        origin = int((np.datetime64(origin_date) - queue_history.first_date).astype(int))
        model = CombinedForecaster(slots_per_day=slots).fit_point(
            queue_history.volume[:origin], start_date=queue_history.first_date
        )
        mean = model.predict(7 * slots).mean.reshape(7, slots)
        actual = queue_history.volume[origin : origin + 7]
        scored = queue_history.observed[origin : origin + 7]
        expected = np.where(scored, np.abs(mean - actual), 0.0).sum(axis=1)
        np.testing.assert_allclose(group["abs_error"].to_numpy(), expected, rtol=1e-12)
        assert isinstance(origin_date, type(pd.Timestamp("2024-01-01").date()))
