"""Every public result class follows one protocol (docs/architecture.md, "Result objects").

``summary()`` returns a :class:`wfm.Summary`, ``to_frame()`` a DataFrame, ``tables()`` a
dict of named DataFrames, ``repr()`` one short line and ``_repr_html_()`` the summary as an
HTML table. The classes are discovered from the public namespaces, so a new result class
without the protocol, or without an instance built below, fails here.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import typing
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

import wfm
from wfm.core._display import ResultDisplay

MODULES = ["wfm", "wfm.core", "wfm.forecast", "wfm.erlang", "wfm.schedule", "wfm.adherence"]
MODULES += ["wfm.capacity", "wfm.datasets", "wfm.pipeline", "wfm.scale"]

# Public classes with a to_frame() that are not results (with the reason):
NOT_RESULTS = {
    "Table": "a JSON transport of one DataFrame; to_frame() converts it back",
    "StateMapping": "configuration (state -> category); to_frame() lists the mapping",
    "Summary": "what summary() returns; its to_frame() is the tidy metric table",
}

TZ = "Europe/Madrid"


def _public_classes() -> dict[str, type]:
    found: dict[str, type] = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isclass(obj) and obj.__module__.startswith("wfm"):
                found[obj.__name__] = obj
    return found


def _looks_like_a_result(cls: type) -> bool:
    return (
        issubclass(cls, ResultDisplay)
        or cls.__name__.endswith("Result")
        or any(hasattr(cls, name) for name in ("summary", "to_frame", "tables"))
    )


def _all_subclasses(cls: type) -> set[type]:
    direct = set(cls.__subclasses__())
    return direct.union(*(_all_subclasses(c) for c in direct))


PUBLIC = _public_classes()
RESULT_CLASSES = sorted(
    (cls for name, cls in PUBLIC.items() if name not in NOT_RESULTS and _looks_like_a_result(cls)),
    key=lambda c: c.__name__,
)


# --- one small real instance of every result class ----------------------------------------


def _history() -> pd.DataFrame:
    return wfm.datasets.synthetic_queue_history(0, days=42)


def _forecast_frame(hours: tuple[int, int] = (9, 12), volume: float = 60.0) -> pd.DataFrame:
    starts = wfm.make_interval_grid(
        f"2024-03-11 {hours[0]:02d}:00", f"2024-03-11 {hours[1]:02d}:00", tz=TZ
    )
    return pd.DataFrame(
        {"queue": "sales", "interval_start": starts, "volume": volume, "aht_seconds": 300.0}
    )


def _schedule() -> wfm.ScheduleResult:
    index = pd.date_range("2024-03-05", periods=48, freq="30min", tz=TZ)
    need = pd.Series(np.where((index.hour >= 9) & (index.hour < 13), 2.0, 0.0), index=index)
    template = wfm.ShiftTemplate(
        name="PT4",
        earliest_start=dt.time(8),
        latest_start=dt.time(12),
        paid_minutes=(240,),
        cost_per_paid_hour=1.0,
    )
    return wfm.schedule_shifts(need, [template], settings=wfm.SolverSettings(mip_gap=0.0))


def _staffing(agents: int = 14) -> pd.DataFrame:
    frame = _forecast_frame()
    return pd.DataFrame(
        {"queue": "sales", "interval_start": frame["interval_start"], "agents": agents}
    )


def _adherence_schedule() -> pd.DataFrame:
    day = "2024-01-10"
    return pd.DataFrame(
        {
            "agent": ["a", "b"],
            "activity": ["work", "work"],
            "start": [pd.Timestamp(f"{day} 09:00", tz="UTC")] * 2,
            "end": [pd.Timestamp(f"{day} 10:00", tz="UTC")] * 2,
        }
    )


def _adherence_events() -> pd.DataFrame:
    day = "2024-01-10"
    return pd.DataFrame(
        {
            "agent": ["a", "a", "b", "b"],
            "state": ["Available", "Logged Out"] * 2,
            "start": [pd.Timestamp(f"{day} {c}", tz="UTC") for c in ("09:10", "10:10") * 2],
        }
    )


def _adherence() -> wfm.AdherenceResult:
    return wfm.compute_adherence(_adherence_schedule(), _adherence_events())


def _contact_kpis() -> wfm.ContactKpiResult:
    arrival = [pd.Timestamp(f"2024-01-10 09:0{m}", tz="UTC") for m in (1, 2, 5)]
    records = pd.DataFrame(
        {
            "customer": ["c1", "c2", "c3"],
            "arrival": arrival,
            "outcome": ["answered", "answered", "abandoned"],
            "wait_seconds": [10.0, 40.0, 3.0],
            "talk_seconds": [100.0, 200.0, 0.0],
            "queue": "sales",
        }
    )
    answered = records["outcome"] == "answered"
    records["answered_at"] = (
        records["arrival"] + pd.to_timedelta(records["wait_seconds"], unit="s")
    ).where(answered)
    return wfm.contact_kpis(records)


def _capacity() -> wfm.CapacityPlanResult:
    shares = [1.0 / 336] * 336
    plan = wfm.CapacityPlanInput(
        start_date=dt.date(2025, 1, 6),
        period="week",
        queues=[
            wfm.CapacityQueuePlan(
                queue="sales",
                volume=[2000.0, 2100.0],
                aht_seconds=[300.0, 300.0],
                pattern=wfm.CapacityWeekPattern(interval_minutes=30, volume_shares=shares),
            )
        ],
        workforce=wfm.CapacityWorkforce(
            cohorts=[wfm.CapacityCohort(tenure_weeks=100.0, headcount=5.0)]
        ),
    )
    return wfm.plan_capacity(plan)


def _plan_config() -> wfm.PlanConfig:
    return wfm.PlanConfig.model_validate(
        {"site": {"time_zone": "Europe/London"}, "forecast": {"horizon_days": 2}}
    )


def _simulation() -> wfm.SimulationResult:
    return wfm.simulate_centre(_forecast_frame(), staffing=_staffing(), replications=3, seed=1)


FACTORIES: dict[str, Callable[[], object]] = {
    "AdherenceResult": _adherence,
    "BacktestResult": lambda: wfm.backtest(_history(), models=["seasonal_naive"], origins=2),
    "CapacityPlanResult": _capacity,
    "ChatMetrics": lambda: wfm.chat_metrics([200.0, 20.0], [5, 5], [300.0, 400.0]),
    "ContactKpiResult": _contact_kpis,
    "EmailStaffingResult": lambda: wfm.email_staffing(_forecast_frame(), deadline_hours=4),
    "ErlangXMetrics": lambda: wfm.erlang_x([100.0, 0.0], 300.0, [20, 20], patience_seconds=120),
    "ForecastSnapshot": lambda: wfm.ForecastSnapshot(
        wfm.forecast_intervals(_history(), horizon_days=2, model="seasonal_naive").frame,
        {"model": "seasonal_naive", "models": {"q00000": "seasonal_naive"}, "levels": [80]},
    ),
    "HistoryReport": lambda: (
        wfm.forecast_intervals(_history(), horizon_days=2, model="seasonal_naive").report
    ),
    "IntervalForecast": lambda: wfm.forecast_intervals(
        _history(), horizon_days=2, model="seasonal_naive"
    ),
    "MultiskillStaffingResult": lambda: wfm.multiskill_staffing(
        _forecast_frame((9, 10)), {"sales": ["sales"]}, replications=4, seed=3
    ),
    "PeakTestResult": lambda: wfm.peak_test(
        _forecast_frame(), staffing=_staffing(), surge_factor=1.2, replications=3, seed=2
    ),
    "PartitionResult": lambda: wfm.scale.adherence_by_team(
        _adherence_schedule().assign(team=["north", "south"]), _adherence_events()
    ),
    "PlanResult": lambda: wfm.plan(_history(), _plan_config(), run_backtest=False),
    "PointForecast": lambda: wfm.PointForecast(
        np.array([1.0, 2.0]), {"80": np.array([0.5, 1.0])}, {"80": np.array([2.0, 3.0])}
    ),
    "ScaleResult": lambda: wfm.plan_queues(_history(), _plan_config(), run_backtest=False),
    "ScheduleResult": _schedule,
    "SimulationResult": _simulation,
}


# --- the protocol ------------------------------------------------------------------------


def test_the_result_classes_are_found() -> None:
    names = {cls.__name__ for cls in RESULT_CLASSES}
    assert {"IntervalForecast", "ScheduleResult", "AdherenceResult", "PlanResult"} <= names


def test_every_result_class_has_an_instance_here() -> None:
    missing = sorted({c.__name__ for c in RESULT_CLASSES} - set(FACTORIES))
    assert not missing, f"add a factory for {missing} to FACTORIES (and give it the protocol)"


def test_every_result_display_subclass_is_public() -> None:
    hidden = sorted(c.__name__ for c in _all_subclasses(ResultDisplay) if c.__name__ not in PUBLIC)
    assert not hidden, f"result classes outside every public __all__: {hidden}"


@pytest.mark.parametrize("cls", RESULT_CLASSES, ids=lambda c: c.__name__)
def test_the_class_declares_the_protocol(cls: type) -> None:
    assert issubclass(cls, ResultDisplay)
    assert cls.__repr__ is ResultDisplay.__repr__  # not the dataclass' field dump
    assert cls.summary is not ResultDisplay.summary, "define summary()"
    assert cls.to_frame is not ResultDisplay.to_frame, "define to_frame()"
    hints = typing.get_type_hints(cls.summary)
    assert hints["return"] is wfm.Summary
    assert typing.get_type_hints(cls.to_frame)["return"] is pd.DataFrame
    assert typing.get_type_hints(cls.tables)["return"] == dict[str, pd.DataFrame]


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_the_instance_follows_the_protocol(name: str) -> None:
    result = FACTORIES[name]()
    assert type(result).__name__ == name
    assert isinstance(result, ResultDisplay)

    summary = result.summary()
    assert isinstance(summary, wfm.Summary)
    assert summary.title == name
    assert len(summary) > 0
    assert isinstance(summary.breakdown, pd.DataFrame)
    tidy = summary.to_frame()
    assert list(tidy.columns) == ["metric", "value", "unit"]
    assert len(tidy) >= len(summary)
    json.dumps(summary.to_dict())  # JSON-ready (NaN is written as NaN)
    assert str(summary).startswith(name + "\n")
    assert "\n" not in repr(summary)
    assert len(repr(summary)) < 300

    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    tables = result.tables()
    assert tables
    assert all(isinstance(k, str) and isinstance(v, pd.DataFrame) for k, v in tables.items())

    text = repr(result)
    assert text.startswith(name + "(")
    assert "\n" not in text
    assert len(text) < 300
    page = result._repr_html_()  # type: ignore[attr-defined]
    assert page.startswith(f"<div class='wfm-result'><strong>{name}</strong>")
    assert "<div class='wfm-summary'>" in page
    assert all(f"<td>{row.metric}</td>" in page for row in tidy.head(3).itertuples())


def test_summary_reads_like_a_mapping_with_units_sections_and_breakdown() -> None:
    breakdown = pd.DataFrame({"queue": ["a", "b"], "offered": [10.0, 20.0]})
    summary = wfm.Summary(
        "demo",
        {"offered": np.float64(30.0), "status": "ok", "schedule": {"agents": 3}},
        units={"offered": "contacts"},
        breakdown=breakdown,
    )
    assert summary["offered"] == 30.0
    assert type(summary["offered"]) is float
    assert summary == {"offered": 30.0, "status": "ok", "schedule": {"agents": 3}}
    assert summary.section("schedule")["agents"] == 3
    assert summary.number("offered") == 30.0
    assert summary.unit("offered") == "contacts"
    assert summary.unit("status") == ""
    assert summary.to_frame()["metric"].tolist() == ["offered", "status", "schedule.agents"]
    pd.testing.assert_frame_equal(summary.breakdown, breakdown)
    with pytest.raises(TypeError):
        summary["offered"] = 1.0  # type: ignore[index]  # read-only
    assert "<table" in summary._repr_html_()
    assert "wfm-breakdown" in summary._repr_html_()


def test_summary_refuses_what_is_not_a_scalar() -> None:
    with pytest.raises(wfm.InputError, match="'levels' is a list"):
        wfm.Summary("demo", {"levels": [80, 95]})
    with pytest.raises(wfm.InputError, match="units name"):
        wfm.Summary("demo", {"a": 1}, units={"b": "seconds"})
    with pytest.raises(wfm.InputError, match="not a number"):
        wfm.Summary("demo", {"a": "text"}).number("a")
