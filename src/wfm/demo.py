"""The end-to-end demo on the bundled real call centre (``wfm demo`` / ``make demo``).

The Israeli bank's January 1999 records (Technion SEE Lab) drive the whole chain:

1. forecast the month's last week (25–31 January) from the weeks before;
2. size it with Erlang A, the mean patience estimated from the centre's own abandonments;
3. schedule shifts, breaks and lunches for it at least cost;
4. score the forecast and the plan against what really happened that week: the real
   offered volume, the real service level per half-hour from the call records, and the
   real agents' activity (inferred from their service intervals) against the staffing the
   schedule provided;
5. write every table and a self-contained HTML report.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.adherence import ContactColumns, contact_kpis
from wfm.config import PlanConfig, load_config
from wfm.datasets import (
    ISRAEL_BANK_SOURCE,
    ISRAEL_BANK_TZ,
    israel_bank_agent_states,
    israel_bank_intervals,
    load_israel_bank_calls,
)
from wfm.forecast import MissingIntervalsWarning, forecast_bias, wape
from wfm.pipeline import PlanResult, plan, prepare_output_folder, record_manifest
from wfm.schedule import Agent

DEMO_CONFIG = "israel_bank_plan.toml"
TARGET_WEEK_START = pd.Timestamp("1999-01-25", tz=ISRAEL_BANK_TZ)
TARGET_WEEK_END = pd.Timestamp("1999-02-01", tz=ISRAEL_BANK_TZ)
DEMO_FILES = frozenset(
    {
        ".wfm-manifest.json",
        "forecast.csv",
        "requirement.csv",
        "backtest.csv",
        "schedule_segments.csv",
        "coverage.csv",
        "agents.csv",
        "projected_service.csv",
        "missing_intervals.csv",
        "adherence_by_agent.csv",
        "adherence_by_interval.csv",
        "adherence_exceptions.csv",
        "summary.json",
        "config.json",
        "forecast_vs_actual.csv",
        "real_kpis.csv",
        "plan_vs_real.csv",
        "config.toml",
        "config_effective.json",
        "summary.txt",
        "report.html",
    }
)
"""Files the demo writes (a folder holding only these is the demo's own)."""


def demo_config() -> PlanConfig:
    """Return the bundled demo configuration (``wfm example-config`` prints it)."""
    path = resources.files("wfm.datasets").joinpath(DEMO_CONFIG)
    with resources.as_file(path) as file:
        return load_config(file)


def demo_agents(events: pd.DataFrame, before: pd.Timestamp) -> list[Agent]:
    """Describe the centre's real agents as schedulable agents, from their history.

    The records name 28 agents but carry no contracts, so contracts are inferred from each
    agent's logged-in hours before ``before`` (On Call or Available in the inferred state
    log; a lower bound, since idle gaps over 15 minutes count as logged out):

    * at least 20 hours a week on average: full time, up to 40 paid hours, any template;
    * 5 to 20 hours: part time, up to 24 paid hours, the part-time template only;
    * under 5 hours: occasional, up to 12 paid hours, the part-time template only.

    Each agent is available on the weekdays on which they worked at least once.

    Parameters
    ----------
    events : pandas.DataFrame
        State log from :func:`wfm.datasets.israel_bank_agent_states`.
    before : pandas.Timestamp
        End of the history used (aware).

    Returns
    -------
    list of wfm.schedule.Agent
    """
    history = events[(events["end"] <= before) & (events["state"] != "Logged Out")]
    weeks = (before - history["start"].min()).total_seconds() / (7 * 86400)
    hours = (history["end"] - history["start"]).dt.total_seconds().groupby(history["agent"]).sum()
    weekly = hours / 3600 / weeks
    weekdays = history.groupby("agent")["start"].agg(lambda s: sorted(set(s.dt.dayofweek)))
    agents = []
    for name in sorted(weekly.index):
        if weekly[name] >= 20:
            templates, max_hours = None, 40.0
        elif weekly[name] >= 5:
            templates, max_hours = ("part_time",), 24.0
        else:
            templates, max_hours = ("part_time",), 12.0
        agents.append(
            Agent(
                agent=str(name),
                templates=templates,
                max_weekly_hours=max_hours,
                available_days=tuple(int(d) for d in weekdays[name]),
            )
        )
    return agents


def run_demo(
    output: str | Path,
    *,
    progress: Callable[[str], None] | None = None,
    overwrite: bool = False,
) -> str:
    """Run the demo and write its tables and ``report.html`` to ``output``.

    Parameters
    ----------
    output : str or pathlib.Path
        Output folder (created if missing).
    progress : callable, optional
        Receives short progress messages.
    overwrite : bool, default False
        Write into a non-empty folder that wfm did not write (see
        :func:`wfm.pipeline.prepare_output_folder`).

    Returns
    -------
    str
        A plain-text summary of the run (also written to ``summary.txt``).
    """
    say = progress or (lambda message: None)
    out = Path(output)
    # a folder holding only the demo's own outputs (e.g. from a version without a
    # manifest) is the demo's; anything else is refused unless overwrite
    known = out.is_dir() and all(p.name in DEMO_FILES for p in out.iterdir())
    prepare_output_folder(out, overwrite=overwrite or known)
    events = israel_bank_agent_states()
    config = demo_config()
    config = config.model_copy(
        update={
            "schedule": config.schedule.model_copy(
                update={"agents": demo_agents(events, TARGET_WEEK_START)}
            )
        }
    )
    intervals = israel_bank_intervals(config.site.interval_minutes)
    history = intervals[intervals["interval_start"] < TARGET_WEEK_START]
    actual = intervals[
        (intervals["interval_start"] >= TARGET_WEEK_START)
        & (intervals["interval_start"] < TARGET_WEEK_END)
    ]
    say(
        f"history {history['interval_start'].min():%Y-%m-%d} .. "
        f"{history['interval_start'].max():%Y-%m-%d}, target week 1999-01-25 .. 1999-01-31"
    )
    # the real agents' activity in the target week, clipped to it
    week_events = events[
        (events["end"] > TARGET_WEEK_START) & (events["start"] < TARGET_WEEK_END)
    ].copy()
    week_events["start"] = week_events["start"].where(
        week_events["start"] >= TARGET_WEEK_START, TARGET_WEEK_START
    )
    week_events["end"] = week_events["end"].where(
        week_events["end"] <= TARGET_WEEK_END, TARGET_WEEK_END
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = plan(history, config, state_events=week_events, progress=say)
    notes = sorted(
        {
            str(w.message).split(";")[0]
            for w in caught
            if not issubclass(w.category, MissingIntervalsWarning)
        }
    )
    if result.missing_intervals is not None and len(result.missing_intervals):
        days = result.missing_intervals["interval_start"].dt.date.nunique()
        notes.append(
            f"{len(result.missing_intervals)} intervals on {days} day(s) are missing from the "
            "history; the forecaster imputed them for training only (missing_intervals.csv)"
        )

    say("scoring against the real week ...")
    calls = load_israel_bank_calls()
    target_seconds = config.staffing.default.target_seconds
    # the measured service level under the definition the plan was sized for, so the
    # planned-vs-real comparison divides the same quantities (Erlang C: all coincide)
    definition = config.staffing.default.service_level_definition or "answered_of_offered"
    kpi = contact_kpis(
        calls,
        columns=ContactColumns.israel_bank(),
        interval_minutes=config.site.interval_minutes,
        tz=ISRAEL_BANK_TZ,
        target_seconds=target_seconds,
        service_level_definition=definition,
    ).to_frame()
    kpi = kpi[
        (kpi["interval_start"] >= TARGET_WEEK_START) & (kpi["interval_start"] < TARGET_WEEK_END)
    ]

    forecast = result.forecast.merge(
        actual[["interval_start", "volume"]].rename(columns={"volume": "actual_volume"}),
        on="interval_start",
        how="left",
    )
    scored = forecast.dropna(subset=["actual_volume"])
    accuracy = {
        "wape": wape(scored["actual_volume"], scored["volume"]),
        "bias": forecast_bias(scored["actual_volume"], scored["volume"]),
        "coverage_80": float(
            (
                (scored["actual_volume"] >= scored["volume_lo_80"])
                & (scored["actual_volume"] <= scored["volume_hi_80"])
            ).mean()
        ),
    }

    staffing = result.projection.copy() if result.projection is not None else None
    if staffing is not None:
        staffing = staffing.merge(
            kpi[["interval_start", "offered", "service_level", "abandon_rate"]].rename(
                columns={
                    "offered": "real_offered",
                    "service_level": "real_service_level",
                    "abandon_rate": "real_abandon_rate",
                }
            ),
            on="interval_start",
            how="left",
        )

    if staffing is not None and result.adherence is not None:
        # agents in a work state (On Call or Available) per interval, in or out of shift
        logged_in = result.adherence.staffing()[["interval_start", "available_agents"]]
        staffing = staffing.merge(
            logged_in.rename(columns={"available_agents": "real_agents_logged_in"}),
            on="interval_start",
            how="left",
            validate="one_to_one",
        )

    result.write(out, overwrite=True)  # the folder was checked above
    forecast.to_csv(out / "forecast_vs_actual.csv", index=False)
    kpi.to_csv(out / "real_kpis.csv", index=False)
    if staffing is not None:
        staffing.to_csv(out / "plan_vs_real.csv", index=False)
    with resources.as_file(resources.files("wfm.datasets").joinpath(DEMO_CONFIG)) as file:
        shutil.copyfile(file, out / "config.toml")
    # the effective configuration, with the agents inferred from the records
    (out / "config_effective.json").write_text(config.model_dump_json(indent=2), encoding="utf-8")

    summary = _summary_text(result, accuracy, kpi, staffing, notes)
    (out / "summary.txt").write_text(summary + "\n", encoding="utf-8")
    say("writing report ...")
    report_path = _write_report(out, result, actual, kpi, staffing, accuracy)
    extra = ["forecast_vs_actual.csv", "real_kpis.csv", "config.toml", "config_effective.json"]
    extra += ["summary.txt", "report.html"] + (["plan_vs_real.csv"] if staffing is not None else [])
    record_manifest(out, [out / name for name in extra])
    return summary + f"\n\nReport: {report_path}\nTables: {out}/"


def _summary_text(
    result: PlanResult,
    accuracy: dict[str, float],
    kpi: pd.DataFrame,
    staffing: pd.DataFrame | None,
    notes: list[str],
) -> str:
    config = result.config
    target = config.staffing.default
    lines = [
        f"wfm demo: {config.site.name}",
        f"Data: {ISRAEL_BANK_SOURCE}",
        "",
        f"Forecast model (picked by backtest): {', '.join(result.models.values())}",
        f"Forecast of the week: {result.forecast['volume'].sum():,.0f} contacts; "
        f"interval WAPE {accuracy['wape']:.1%}, bias {accuracy['bias']:+.1%}, "
        f"80% band held {accuracy['coverage_80']:.0%} of actual intervals",
        "Patience estimated from the centre's abandonments: "
        + ", ".join(f"{q} {p:.0f} s" for q, p in result.patience_seconds.items()),
        f"Target: {target.target_service_level:.0%} answered within {target.target_seconds:.0f} s "
        f"({target.service_level_definition}), occupancy cap {target.max_occupancy}",
        f"Peak requirement: {int(result.requirement['required_agents'].max())} agents; "
        f"{result.requirement['required_agents'].sum() * config.site.interval_minutes / 60:,.0f} "
        "agent-hours in the week",
    ]
    if result.schedule is not None:
        schedule = result.schedule.summary()
        lines.append(
            f"Schedule: {schedule.number('shifts'):.0f} shifts for "
            f"{schedule.number('agents'):.0f} agents, status {schedule['status']}; "
            f"under-coverage {schedule.number('under_agent_hours'):.1f} agent-hours, "
            f"over-coverage {schedule.number('over_agent_hours'):.1f}"
        )
        # each solve in words (phase 1: shifts per contract profile as tours; phase 2:
        # the hand-over to named agents), then the roster's gap to the best bound
        for key in ("phase_1", "phase_2"):
            if key in schedule:
                lines.append(f"  {key.replace('_', ' ')}: {schedule[key]}")
        lines.append(f"  roster gap {schedule.number('gap'):.2%} to the best bound")
    if staffing is not None:
        with_volume = staffing.dropna(subset=["projected_service_level", "real_service_level"])
        weights = with_volume["real_offered"].to_numpy(dtype=float)
        if weights.sum() > 0:
            planned = np.average(with_volume["projected_service_level"], weights=weights)
            real = np.average(with_volume["real_service_level"], weights=weights)
            lines.append(
                f"Service level, week (offered-weighted): planned {planned:.1%} with the "
                f"schedule on the forecast; real {real:.1%} with the centre's own staffing"
            )
    real_total = kpi["offered"].sum()
    lines.append(
        f"Real week: {real_total:,.0f} offered, abandon rate "
        f"{kpi['abandoned'].sum() / max(real_total, 1):.1%}"
    )
    lines.append("Step times: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items()))
    if notes:
        lines.append("")
        lines.extend(f"Note: {note}" for note in notes)
    return "\n".join(lines)


def _write_report(
    out: Path,
    result: PlanResult,
    actual: pd.DataFrame,
    kpi: pd.DataFrame,
    staffing: pd.DataFrame | None,
    accuracy: dict[str, float],
) -> Path:
    from wfm.report import ReportSection, plan_report, plot_coverage, plot_interval_heatmap

    summary = result.summary()
    real_total = float(kpi["offered"].sum())
    rows = [
        ("Interval WAPE of the forecast", f"{accuracy['wape']:.1%}"),
        ("Bias of the forecast (positive: too high)", f"{accuracy['bias']:+.1%}"),
        ("Actual intervals inside the 80% band", f"{accuracy['coverage_80']:.0%}"),
        ("Real offered contacts", f"{real_total:,.0f}"),
        (
            "Real abandon rate",
            f"{kpi['abandoned'].sum() / max(real_total, 1.0):.1%}",
        ),
    ]
    sections = []
    if staffing is not None:
        served = staffing.dropna(subset=["projected_service_level", "real_service_level"])
        weights = served["real_offered"].to_numpy(dtype=float)
        if weights.sum() > 0:
            planned = float(np.average(served["projected_service_level"], weights=weights))
            real = float(np.average(served["real_service_level"], weights=weights))
            rows.append(
                ("Service level planned with the schedule (real-offered weights)", f"{planned:.1%}")
            )
            rows.append(("Service level the centre really reached", f"{real:.1%}"))
    sections.append(
        ReportSection(
            "Scored against the real week",
            "The week planned here (25-31 January 1999) really happened: the forecast is "
            "scored against the real offered contacts and the plan against the service the "
            "centre really gave with its own staffing.",
            tables=[pd.DataFrame(rows, columns=["figure", "value"])],
            tables_first=False,
        )
    )
    if staffing is not None:
        sections.append(
            ReportSection(
                "Service level per half-hour: real",
                "From the call records of the same week: answered within the threshold "
                "over offered. Light grey: no contacts offered.",
                figures=[
                    plot_interval_heatmap(
                        staffing,
                        "real_service_level",
                        title="Real service level",
                        colorbar_label="service level",
                    )
                ],
            )
        )
        if "real_agents_logged_in" in staffing.columns:
            sections.append(
                ReportSection(
                    "Real agents logged in vs requirement",
                    "Average number of the centre's agents logged in (serving or available "
                    "between calls, inferred from their service intervals) per half-hour, "
                    "against the agents the plan requires on the phones (before shrinkage).",
                    figures=[
                        plot_coverage(
                            staffing,
                            required_column="required_agents",
                            scheduled_column="real_agents_logged_in",
                            title="Requirement vs real agents logged in",
                            required_label="required on the phones (plan)",
                            scheduled_label="real agents logged in",
                        )
                    ],
                )
            )
    document = plan_report(
        result.tables(),
        summary,
        actual=actual,
        actual_label="actual (real week)",
        extra_sections=sections,
        adherence_text="The real agents' activity in the target week (On Call or Available = "
        "work, inferred from their service intervals) against the roster the plan gave them "
        f"({result.config.adherence.definition} definition, grace "
        f"{result.config.adherence.start_before_seconds:.0f} s). The agents never saw this "
        "roster, so the figures measure how far the centre's real staffing pattern was from "
        "the cost-optimal one, not the agents' discipline.",
    )
    path = out / "report.html"
    path.write_text(document, encoding="utf-8")
    return path
