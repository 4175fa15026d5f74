"""The schedule result: segments, coverage, per-agent summary and solver proof."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wfm.core._display import ResultDisplay
from wfm.core._summary import Summary, units_from_names
from wfm.core.frames import INTERVAL_START, QUEUE, REQUIRED_AGENTS
from wfm.schedule._solver import SolveReport

WORK_ACTIVITIES: frozenset[str] = frozenset({"work"})
"""Activities that count as available to handle contacts."""


@dataclass(frozen=True, repr=False)
class ScheduleResult(ResultDisplay):
    """A schedule with its coverage, agent summary and what the solver proved.

    Attributes
    ----------
    segments : pandas.DataFrame
        One row per activity block: ``agent``, ``activity`` (work, break, lunch, off),
        ``start``, ``end`` (aware, end exclusive), ``shift_id``, ``template``, ``queue``.
    coverage : pandas.DataFrame
        One row per (queue, interval): ``required_agents``, ``scheduled_agents`` (agents
        working, net of breaks, averaged over the interval), ``over_agents``,
        ``under_agents`` and, when volume and handle time were given,
        ``service_level`` (projected with :func:`wfm.erlang.service_level`).
    agents : pandas.DataFrame
        Per agent: paid hours, shifts, weekend and unsocial shifts, fairness deviation,
        preference misses and contract bounds (named rosters only; pseudo agents
        ``shift-NNNN`` otherwise).
    labour_cost : float
        Cost of the shifts worked (template costs).
    coverage_cost : float
        Under- and over-coverage penalties of the returned schedule.
    objective : float
        ``labour_cost + coverage_cost`` (the quantity the bound refers to).
    best_bound : float
        Proven lower bound on ``objective`` (NaN if unknown).
    gap : float
        ``(objective - best_bound) / objective`` (fraction).
    status : str
        ``"optimal"`` only when proved; otherwise ``"gap_limit"``, ``"time_limit"``, or
        ``"relaxed"`` when a rule had to be relaxed (see ``conflicts``).
    solves : tuple of SolveReport
        The raw solver reports (one per phase).
    conflicts : dict of str to float
        Rule groups that had to be relaxed and by how much (empty when all rules hold).
    """

    segments: pd.DataFrame
    coverage: pd.DataFrame
    agents: pd.DataFrame
    labour_cost: float
    coverage_cost: float
    objective: float
    best_bound: float
    gap: float
    status: str
    solves: tuple[SolveReport, ...]
    conflicts: dict[str, float] = field(default_factory=dict)

    @property
    def is_optimal(self) -> bool:
        """True only when the solver proved the schedule optimal."""
        return self.status == "optimal"

    @property
    def solve_seconds(self) -> float:
        """Total solver wall-clock time in seconds."""
        return float(sum(s.solve_seconds for s in self.solves))

    def to_frame(self) -> pd.DataFrame:
        """Return the segments frame (a copy)."""
        return self.segments.copy()

    def summary(self) -> Summary:
        """Headline figures: costs, bound, gap, status, coverage errors, time.

        ``lp_bound`` is the first solve's LP relaxation; ``phase_1`` (and ``phase_2`` for
        rosters) describe each solve in words: status, objective, bound, LP bound, gap,
        time and whether a time limit stopped it.
        """
        hours = _interval_hours(self.coverage)
        under = float((self.coverage["under_agents"] * hours).sum())
        over = float((self.coverage["over_agents"] * hours).sum())
        required = float((self.coverage[REQUIRED_AGENTS] * hours).sum())
        work = self.segments[self.segments["activity"] != "off"]
        figures = {
            "status": self.status,
            "objective": self.objective,
            "labour_cost": self.labour_cost,
            "coverage_cost": self.coverage_cost,
            "best_bound": self.best_bound,
            "gap": self.gap,
            "shifts": int(work["shift_id"].nunique()),
            "agents": int(work["agent"].nunique()),
            "required_agent_hours": required,
            "under_agent_hours": under,
            "over_agent_hours": over,
            "solve_seconds": self.solve_seconds,
            "conflicts": len(self.conflicts),
            "lp_bound": self.solves[0].lp_bound if self.solves else math.nan,
            **{f"phase_{i + 1}": describe_solve(report) for i, report in enumerate(self.solves)},
        }
        cost = "cost units"  # the templates' cost_per_paid_hour and the penalties' unit
        units = units_from_names(
            figures, objective=cost, labour_cost=cost, coverage_cost=cost, best_bound=cost
        )
        units.update(lp_bound=cost, conflicts="rule groups")
        return Summary("ScheduleResult", figures, units=units)

    def gantt(self, *, day: str | pd.Timestamp | None = None, max_agents: int = 30) -> str:
        """Plain-text Gantt chart of one local day.

        Parameters
        ----------
        day : str or Timestamp, optional
            Local date to draw (default: the first day with work).
        max_agents : int, default 30
            Rows to draw.

        Returns
        -------
        str
            One line per agent; one character per interval: ``#`` work, ``b`` break,
            ``L`` lunch, ``.`` not scheduled.
        """
        return gantt_text(self.segments, self.coverage, day=day, max_agents=max_agents)


def describe_solve(report: SolveReport) -> str:
    """One solve in words: status, objective, bound, LP bound, gap, time, limit."""
    words = {
        "optimal": "proven optimal",
        "gap_limit": "proven within the requested gap",
        "time_limit": "stopped by the time limit",
        "feasible": "feasible, gap not closed",
        "heuristic": "constructive solution kept (no better MIP solution)",
        "no_solution": "no solution",
        "infeasible": "infeasible",
    }
    text = (
        f"{words.get(report.status, report.status)}: objective {report.objective:.2f}, "
        f"bound {report.best_bound:.2f}, LP bound {report.lp_bound:.2f}, "
        f"gap {100 * report.gap:.2f}%, {report.solve_seconds:.1f} s"
    )
    if report.stopped_by_limit and report.status != "time_limit":
        text += " (a time limit stopped part of the search)"
    return text


def _interval_hours(coverage: pd.DataFrame) -> float:
    """Interval length in hours, from the coverage grid."""
    starts = pd.DatetimeIndex(coverage[INTERVAL_START].unique()).sort_values()
    if len(starts) < 2:
        return 0.5
    return float((starts[1] - starts[0]) / pd.Timedelta(hours=1))


def gantt_text(
    segments: pd.DataFrame,
    coverage: pd.DataFrame,
    *,
    day: str | pd.Timestamp | None = None,
    max_agents: int = 30,
) -> str:
    """Draw a text Gantt chart of the segments of one local day (see ScheduleResult.gantt)."""
    starts = pd.DatetimeIndex(coverage[INTERVAL_START].unique()).sort_values()
    local_days = starts.tz_localize(None).normalize()
    busy = segments[segments["activity"] != "off"]
    if day is None:
        if busy.empty:
            return "(no shifts)"
        first = pd.Timestamp(busy["start"].min()).tz_localize(None).normalize()
        chosen = first
    else:
        chosen = pd.Timestamp(day).tz_localize(None).normalize()
    columns = starts[local_days == chosen]
    if len(columns) == 0:
        return f"(day {chosen.date()} is not in the horizon)"
    step = columns[1] - columns[0] if len(columns) > 1 else pd.Timedelta(minutes=30)
    symbols = {"work": "#", "break": "b", "lunch": "L"}
    day_start, day_end = columns[0], columns[-1] + step
    rows = busy[(busy["start"] < day_end) & (busy["end"] > day_start)]
    ruler = [" "] * (len(columns) + 3)
    for position, stamp in enumerate(columns):
        if stamp.minute == 0 and stamp.hour % 3 == 0:
            ruler[position : position + 2] = list(f"{stamp.hour:<2d}")
    header = "agent".ljust(14) + "".join(ruler).rstrip()
    lines = [f"Gantt {chosen.date()} ({starts.tz}), one character per interval", header]
    agents = list(dict.fromkeys(rows.sort_values("start")["agent"]))[:max_agents]
    edges = columns.as_unit("ns").asi8
    for agent in agents:
        chars = np.full(len(columns), ".", dtype="<U1")
        for seg in rows[rows["agent"] == agent].itertuples(index=False):
            mid = edges + step.value // 2
            inside = (mid >= pd.Timestamp(seg.start).value) & (mid < pd.Timestamp(seg.end).value)
            chars[inside] = symbols.get(str(seg.activity), "?")
        lines.append(str(agent)[:13].ljust(14) + "".join(chars))
    return "\n".join(lines)


def projected_service_level(
    volume: np.ndarray,
    aht_seconds: np.ndarray,
    scheduled: np.ndarray,
    interval_seconds: int,
    target_seconds: float,
) -> np.ndarray:
    """Service level per interval with the scheduled agents (Erlang C, ``wfm.erlang``).

    Scheduled agents are averaged over the interval and may be fractional; they are
    floored to whole agents (conservative). Intervals without volume get NaN.
    """
    from wfm.erlang import service_level  # lazy: erlang is a separate stage

    agents = np.floor(scheduled + 1e-9).astype(np.int64)
    has_volume = (volume > 0) & np.isfinite(aht_seconds) & (aht_seconds > 0)
    result = np.full(volume.shape, math.nan)
    if has_volume.any():
        result[has_volume] = np.asarray(
            service_level(
                volume[has_volume],
                aht_seconds[has_volume],
                agents[has_volume],
                target_seconds,
                interval_seconds=interval_seconds,
            ),
            dtype=float,
        )
    return result


def coverage_frame(
    starts: pd.DatetimeIndex,
    queues: tuple[str, ...],
    required: np.ndarray,
    scheduled: np.ndarray,
) -> pd.DataFrame:
    """Long coverage frame from (queues, intervals) arrays."""
    n = len(starts)
    over = np.maximum(scheduled - required, 0.0)
    under = np.maximum(required - scheduled, 0.0)
    return pd.DataFrame(
        {
            QUEUE: np.repeat(np.asarray(queues, dtype=object), n),
            INTERVAL_START: starts[np.tile(np.arange(n), len(queues))],
            REQUIRED_AGENTS: required.ravel(),
            "scheduled_agents": scheduled.ravel(),
            "over_agents": over.ravel(),
            "under_agents": under.ravel(),
        }
    )
