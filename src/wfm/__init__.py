"""wfm: contact-centre workforce management.

The stages, in the one direction data flows:

1. :mod:`wfm.forecast`: interval history to volume and handle-time forecasts.
2. :mod:`wfm.erlang`: queueing (Erlang B/C/A), required agents, shrinkage (closed forms).
3. :mod:`wfm.schedule`: shifts, breaks, days off and rosters by integer programming.
4. :mod:`wfm.simulation`: discrete-event simulation of a staffing or a schedule, and
   staffing by simulation (time-varying load, several skills).
5. :mod:`wfm.adherence`: schedule adherence and interval KPIs from contact records.

Beside them, :mod:`wfm.capacity` plans FTE, hiring and budget months ahead (it uses
:mod:`wfm.erlang`), and :mod:`wfm.pipeline` joins the stages end to end.

Shared types (interval grid, frame schema, errors) live in :mod:`wfm.core`. Each stage's
public names are re-exported here, so ``wfm.required_agents`` is
``wfm.erlang.required_agents``.

``import wfm`` imports no stage: a name is imported from its stage the first time it is
used (PEP 562), so ``import wfm`` and ``import wfm.core`` stay fast, e.g. in a Dask worker
that needs one stage only. Type checkers and IDEs read the imports under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from wfm._version import __version__ as __version__

if TYPE_CHECKING:  # what `wfm.<name>` is, for mypy and IDEs (not run)
    from wfm import adherence as adherence
    from wfm import capacity as capacity
    from wfm import core as core
    from wfm import datasets as datasets
    from wfm import erlang as erlang
    from wfm import forecast as forecast
    from wfm import schedule as schedule
    from wfm import simulation as simulation
    from wfm.adherence import *  # noqa: F403  (each stage's __all__ is its public API)
    from wfm.capacity import *  # noqa: F403
    from wfm.config import PlanConfig as PlanConfig
    from wfm.config import load_config as load_config
    from wfm.core import *  # noqa: F403
    from wfm.erlang import *  # noqa: F403
    from wfm.forecast import *  # noqa: F403
    from wfm.pipeline import PlanInput as PlanInput
    from wfm.pipeline import PlanOutput as PlanOutput
    from wfm.pipeline import PlanResult as PlanResult
    from wfm.pipeline import history_from_contacts as history_from_contacts
    from wfm.pipeline import plan as plan
    from wfm.pipeline import plan_from_input as plan_from_input
    from wfm.scale import ScaleResult as ScaleResult
    from wfm.scale import plan_queues as plan_queues
    from wfm.schedule import *  # noqa: F403
    from wfm.simulation import *  # noqa: F403

_SUBPACKAGES: tuple[str, ...] = (
    "adherence",
    "capacity",
    "core",
    "datasets",
    "erlang",
    "forecast",
    "schedule",
    "simulation",
)
"""Stages reachable as ``wfm.<stage>`` (imported on first use)."""

_EXPORTS: dict[str, str] = {
    # wfm.core
    "AHT_SECONDS": "wfm.core",
    "DEPRECATED_SERVICE_LEVEL_DEFINITIONS": "wfm.core",
    "MODELLED_SERVICE_LEVEL_DEFINITIONS": "wfm.core",
    "SERVICE_LEVEL_DEFINITIONS": "wfm.core",
    "ServiceLevelDefinition": "wfm.core",
    "ExecutorLike": "wfm.core",
    "FlaggedRecordsWarning": "wfm.core",
    "HistoryFrame": "wfm.core",
    "INTERVAL_COLUMNS": "wfm.core",
    "INTERVAL_START": "wfm.core",
    "InfeasibleError": "wfm.core",
    "InputError": "wfm.core",
    "IntervalGrid": "wfm.core",
    "JsonValue": "wfm.core",
    "MissingDependencyError": "wfm.core",
    "NotFittedError": "wfm.core",
    "PartitionedFrame": "wfm.core",
    "PerQueue": "wfm.core",
    "QUEUE": "wfm.core",
    "REQUIRED_AGENTS": "wfm.core",
    "ServiceTarget": "wfm.core",
    "ShrinkageComponents": "wfm.core",
    "SolverError": "wfm.core",
    "Summary": "wfm.core",
    "Table": "wfm.core",
    "TableColumn": "wfm.core",
    "TimestampLike": "wfm.core",
    "VOLUME": "wfm.core",
    "WfmError": "wfm.core",
    "infer_interval_minutes": "wfm.core",
    "make_interval_grid": "wfm.core",
    "validate_interval_frame": "wfm.core",
    # wfm.forecast
    "BacktestResult": "wfm.forecast",
    "CalendarEvent": "wfm.forecast",
    "CombinedForecaster": "wfm.forecast",
    "DoubleSeasonalHoltWinters": "wfm.forecast",
    "EventCalendar": "wfm.forecast",
    "ForecastSnapshot": "wfm.forecast",
    "HistoryReport": "wfm.forecast",
    "IntervalForecast": "wfm.forecast",
    "IntervalForecaster": "wfm.forecast",
    "MODEL_NAMES": "wfm.forecast",
    "MSTLForecaster": "wfm.forecast",
    "MissingIntervalsWarning": "wfm.forecast",
    "ModelFitWarning": "wfm.forecast",
    "PointForecast": "wfm.forecast",
    "SeasonalNaive": "wfm.forecast",
    "ShortHistoryWarning": "wfm.forecast",
    "SpecialDay": "wfm.forecast",
    "SpecialDays": "wfm.forecast",
    "TopDownDaily": "wfm.forecast",
    "WeightedSeasonalAverage": "wfm.forecast",
    "aggregate_forecast": "wfm.forecast",
    "backtest": "wfm.forecast",
    "backtest_intraday": "wfm.forecast",
    "backtest_intraday_guard": "wfm.forecast",
    "estimate_factor_range": "wfm.forecast",
    "estimate_intraday_prior": "wfm.forecast",
    "forecast_accuracy": "wfm.forecast",
    "forecast_bias": "wfm.forecast",
    "forecast_intervals": "wfm.forecast",
    "interval_coverage": "wfm.forecast",
    "intraday_alerts": "wfm.forecast",
    "load_forecast_snapshot": "wfm.forecast",
    "mape": "wfm.forecast",
    "reforecast_intraday": "wfm.forecast",
    "resample_counts": "wfm.forecast",
    "rmse": "wfm.forecast",
    "save_forecast_snapshot": "wfm.forecast",
    "score_forecast_snapshot": "wfm.forecast",
    "select_model": "wfm.forecast",
    "smape": "wfm.forecast",
    "wape": "wfm.forecast",
    # wfm.erlang
    "ChatMetrics": "wfm.erlang",
    "ERLANG_A_SERVICE_LEVEL_DEFINITIONS": "wfm.erlang",
    "EmailStaffingResult": "wfm.erlang",
    "ErlangXMetrics": "wfm.erlang",
    "abandon_rate": "wfm.erlang",
    "apply_shrinkage": "wfm.erlang",
    "average_speed_of_answer": "wfm.erlang",
    "chat_metrics": "wfm.erlang",
    "chat_required_agents": "wfm.erlang",
    "combine_shrinkage": "wfm.erlang",
    "email_staffing": "wfm.erlang",
    "erlang_b": "wfm.erlang",
    "erlang_c": "wfm.erlang",
    "erlang_x": "wfm.erlang",
    "erlang_x_intervals": "wfm.erlang",
    "modified_offered_load": "wfm.erlang",
    "occupancy": "wfm.erlang",
    "probability_of_waiting": "wfm.erlang",
    "required_agents": "wfm.erlang",
    "required_agents_continuous": "wfm.erlang",
    "scheduled_agents_frame": "wfm.erlang",
    "service_level": "wfm.erlang",
    "staff_intervals": "wfm.erlang",
    "waiting_time_percentile": "wfm.erlang",
    # wfm.schedule
    "Agent": "wfm.schedule",
    "BreakRule": "wfm.schedule",
    "ScheduleResult": "wfm.schedule",
    "ScheduleRules": "wfm.schedule",
    "ShiftTemplate": "wfm.schedule",
    "SolveReport": "wfm.schedule",
    "SolverSettings": "wfm.schedule",
    "build_roster": "wfm.schedule",
    "make_schedule": "wfm.schedule",
    "schedule_shifts": "wfm.schedule",
    # wfm.simulation
    "DeterministicTime": "wfm.simulation",
    "EmpiricalTime": "wfm.simulation",
    "ExponentialTime": "wfm.simulation",
    "LognormalTime": "wfm.simulation",
    "MultiskillStaffingResult": "wfm.simulation",
    "PeakTestResult": "wfm.simulation",
    "SimulationQueue": "wfm.simulation",
    "SimulationResult": "wfm.simulation",
    "TimeDistribution": "wfm.simulation",
    "compare_time_varying_methods": "wfm.simulation",
    "multiskill_staffing": "wfm.simulation",
    "peak_test": "wfm.simulation",
    "pooling_comparison": "wfm.simulation",
    "simulate_centre": "wfm.simulation",
    "staff_time_varying": "wfm.simulation",
    # wfm.adherence
    "ADHERENCE_DEFINITIONS": "wfm.adherence",
    "AdherenceResult": "wfm.adherence",
    "AdherenceRules": "wfm.adherence",
    "AdherenceTracker": "wfm.adherence",
    "ContactColumns": "wfm.adherence",
    "ContactKpiResult": "wfm.adherence",
    "DEFAULT_STATE_ACTIVITIES": "wfm.adherence",
    "StateMapping": "wfm.adherence",
    "compute_adherence": "wfm.adherence",
    "contact_kpis": "wfm.adherence",
    "kpi_definitions": "wfm.adherence",
    "kpi_forecast_accuracy": "wfm.adherence",
    # wfm.capacity
    "CapacityAttritionBand": "wfm.capacity",
    "CapacityBudget": "wfm.capacity",
    "CapacityBudgetNeed": "wfm.capacity",
    "CapacityCohort": "wfm.capacity",
    "CapacityCosts": "wfm.capacity",
    "CapacityHireRow": "wfm.capacity",
    "CapacityHiringPolicy": "wfm.capacity",
    "CapacityOvertime": "wfm.capacity",
    "CapacityPeriodRow": "wfm.capacity",
    "CapacityPlanInput": "wfm.capacity",
    "CapacityPlanOutput": "wfm.capacity",
    "CapacityPlanResult": "wfm.capacity",
    "CapacityQueuePlan": "wfm.capacity",
    "CapacityQueueRow": "wfm.capacity",
    "CapacityRampStep": "wfm.capacity",
    "CapacityScenario": "wfm.capacity",
    "CapacityServiceTarget": "wfm.capacity",
    "CapacityWeekPattern": "wfm.capacity",
    "CapacityWorkforce": "wfm.capacity",
    "budget_for_target": "wfm.capacity",
    "capacity_period_totals": "wfm.capacity",
    "capacity_week_patterns": "wfm.capacity",
    "check_capacity_plan": "wfm.capacity",
    "compare_scenarios": "wfm.capacity",
    "plan_capacity": "wfm.capacity",
    "plot_capacity_plan": "wfm.capacity",
    # wfm.config
    "PlanConfig": "wfm.config",
    "load_config": "wfm.config",
    # wfm.pipeline
    "PlanInput": "wfm.pipeline",
    "PlanOutput": "wfm.pipeline",
    "PlanResult": "wfm.pipeline",
    "history_from_contacts": "wfm.pipeline",
    "plan": "wfm.pipeline",
    "plan_from_input": "wfm.pipeline",
    # wfm.scale
    "ScaleResult": "wfm.scale",
    "plan_queues": "wfm.scale",
}
"""Every flat public name and the module it is imported from (one name per line)."""

__all__ = sorted({"__version__", *_SUBPACKAGES, *_EXPORTS})


if not TYPE_CHECKING:  # hidden from type checkers, which would read every name as Any

    def __getattr__(name: str) -> Any:
        """Import a stage, or a public name from its stage, on first use (PEP 562)."""
        if name in _SUBPACKAGES:
            return importlib.import_module(f"wfm.{name}")
        module = _EXPORTS.get(name)
        if module is None:
            raise AttributeError(f"module 'wfm' has no attribute {name!r}")
        try:
            value = getattr(importlib.import_module(module), name)
        except AttributeError:  # a name moved to another stage: update its _EXPORTS line
            raise AttributeError(
                f"wfm.{name} is listed in wfm._EXPORTS as coming from {module}, which does "
                "not define it"
            ) from None
        globals()[name] = value  # later look-ups skip this function
        return value


def __dir__() -> list[str]:
    """List the public names (and the module's own attributes) without importing them."""
    return sorted(set(globals()) | set(__all__))
