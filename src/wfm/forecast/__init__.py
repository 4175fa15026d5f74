"""wfm.forecast: volume and handle-time forecasts per interval, backtests, special days."""

from wfm.forecast._backtest import BacktestResult, backtest, select_model
from wfm.forecast._base import IntervalForecaster, PointForecast
from wfm.forecast._warnings import (
    MissingIntervalsWarning,
    ModelFitWarning,
    ShortHistoryWarning,
)
from wfm.forecast.combination import CombinedForecaster
from wfm.forecast.decomposition import MSTLForecaster
from wfm.forecast.events import CalendarEvent, EventCalendar
from wfm.forecast.holt_winters import DoubleSeasonalHoltWinters
from wfm.forecast.intervals import HistoryReport, IntervalForecast, forecast_intervals
from wfm.forecast.intraday import (
    backtest_intraday,
    backtest_intraday_guard,
    estimate_factor_range,
    estimate_intraday_prior,
    intraday_alerts,
    reforecast_intraday,
)
from wfm.forecast.metrics import (
    forecast_accuracy,
    forecast_bias,
    interval_coverage,
    mape,
    rmse,
    smape,
    wape,
)
from wfm.forecast.registry import MODEL_NAMES
from wfm.forecast.resample import resample_counts
from wfm.forecast.simple import SeasonalNaive, WeightedSeasonalAverage
from wfm.forecast.snapshots import (
    ForecastSnapshot,
    aggregate_forecast,
    load_forecast_snapshot,
    save_forecast_snapshot,
    score_forecast_snapshot,
)
from wfm.forecast.special_days import SpecialDay, SpecialDays
from wfm.forecast.top_down import TopDownDaily

__all__ = [
    "MODEL_NAMES",
    "BacktestResult",
    "CalendarEvent",
    "CombinedForecaster",
    "DoubleSeasonalHoltWinters",
    "EventCalendar",
    "ForecastSnapshot",
    "HistoryReport",
    "IntervalForecast",
    "IntervalForecaster",
    "MSTLForecaster",
    "MissingIntervalsWarning",
    "ModelFitWarning",
    "PointForecast",
    "SeasonalNaive",
    "ShortHistoryWarning",
    "SpecialDay",
    "SpecialDays",
    "TopDownDaily",
    "WeightedSeasonalAverage",
    "aggregate_forecast",
    "backtest",
    "backtest_intraday",
    "backtest_intraday_guard",
    "estimate_factor_range",
    "estimate_intraday_prior",
    "forecast_accuracy",
    "forecast_bias",
    "forecast_intervals",
    "interval_coverage",
    "intraday_alerts",
    "load_forecast_snapshot",
    "mape",
    "reforecast_intraday",
    "resample_counts",
    "rmse",
    "save_forecast_snapshot",
    "score_forecast_snapshot",
    "select_model",
    "smape",
    "wape",
]
