"""Result objects show themselves concisely: one-line repr, a small HTML view for notebooks."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import wfm
from wfm.core._display import ResultDisplay
from wfm.datasets import synthetic_queue_history

RESULT_CLASSES = [
    wfm.AdherenceResult,
    wfm.BacktestResult,
    wfm.CapacityPlanResult,
    wfm.ContactKpiResult,
    wfm.EmailStaffingResult,
    wfm.IntervalForecast,
    wfm.MultiskillStaffingResult,
    wfm.PeakTestResult,
    wfm.PlanResult,
    wfm.ScaleResult,
    wfm.ScheduleResult,
    wfm.SimulationResult,
]


@pytest.mark.parametrize("cls", RESULT_CLASSES, ids=lambda c: c.__name__)
def test_every_result_uses_the_shared_display(cls: type) -> None:
    assert issubclass(cls, ResultDisplay)
    assert cls.__repr__ is ResultDisplay.__repr__  # not the dataclass' field dump


def test_forecast_and_backtest_reprs_are_one_short_line() -> None:
    history = synthetic_queue_history(0, days=42)
    forecast = wfm.forecast_intervals(history, horizon_days=7, model="seasonal_naive")
    text = repr(forecast)
    assert text == f"IntervalForecast(<frame: {len(forecast.frame)}x{forecast.frame.shape[1]}>)"
    backtest = wfm.backtest(history, models=["seasonal_naive"], origins=2)
    assert repr(backtest) == f"BacktestResult(horizon_days=7, <errors: {len(backtest.errors)}x8>)"
    page = forecast._repr_html_()
    assert page.startswith("<div class='wfm-result'><strong>IntervalForecast</strong>")
    assert "<div class='wfm-summary'>" in page  # the summary as a table
    head = page[page.index("<table class='wfm-head'>") :]
    assert head.count("<tr>") == 1 + 5  # header and the first five rows only
    assert f"first 5 of {len(forecast.frame)} rows" in page


def test_schedule_repr_names_scalars_and_table_shapes() -> None:
    index = pd.date_range("2024-03-05", periods=48, freq="30min", tz="Europe/Madrid")
    need = pd.Series(np.where((index.hour >= 9) & (index.hour < 13), 2.0, 0.0), index=index)
    template = wfm.ShiftTemplate(
        name="PT4",
        earliest_start=dt.time(8),
        latest_start=dt.time(12),
        paid_minutes=(240,),
        cost_per_paid_hour=1.0,
    )
    result = wfm.schedule_shifts(need, [template], settings=wfm.SolverSettings(mip_gap=0.0))
    text = repr(result)
    assert text.startswith("ScheduleResult(labour_cost=8, ")
    assert "status='optimal'" in text
    assert f"<segments: {len(result.segments)}x{result.segments.shape[1]}>" in text
    assert "\n" not in text
    assert len(text) < 300
    assert "&lt;" not in result._repr_html_()  # names are plain text, escaped only if needed
