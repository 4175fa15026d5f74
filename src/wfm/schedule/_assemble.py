"""From a solved shift model to a schedule: shift instances, breaks, coverage and the result.

Package-internal (``wfm.schedule.shifts``, ``roster`` and ``tour`` use it): the names are
not underscored so that no module imports another module's private helper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wfm.core.errors import InfeasibleError, SolverError
from wfm.core.frames import SEGMENT_COLUMNS
from wfm.schedule._build import RULE_PENALTY, Requirement, ShiftSet, span_matrix
from wfm.schedule._solver import SolveReport, relative_gap, values
from wfm.schedule.models import ScheduleRules, ShiftTemplate
from wfm.schedule.result import ScheduleResult, coverage_frame, projected_service_level

if TYPE_CHECKING:  # shifts imports this module to finish its results
    from wfm.schedule.shifts import ShiftModel


@dataclass(frozen=True)
class Instances:
    """Individual shifts worked (one per agent-day) with their break placements.

    ``shift`` indexes the ShiftSet; break arrays are parallel, ``break_instance`` says
    which instance each break belongs to.
    """

    shift: np.ndarray
    break_instance: np.ndarray
    break_offset: np.ndarray
    break_length: np.ndarray
    break_activity: np.ndarray


def decode_instances(model: ShiftModel) -> Instances:
    """Expand the integer solution into individual shifts with concrete break starts.

    For each (shift, break rule) the placements are sorted by start and handed to the
    shift's instances in order; since break windows are disjoint and in time order,
    every pairing respects the minimum gaps.
    """
    counts = np.rint(values(model.shift_vars)).astype(np.int64)
    placements = np.rint(values(model.break_vars)).astype(np.int64)
    shifts, breaks = model.shifts, model.breaks
    instance_shift = np.repeat(np.arange(len(shifts)), counts)
    first_instance = np.cumsum(counts) - counts
    parts: list[tuple[np.ndarray, ...]] = []
    for t_index, template in enumerate(model.templates):
        for paid in template.paid_minutes:
            rules = template.breaks_for(paid)
            for r_index, rule in enumerate(rules):
                members = np.flatnonzero(
                    (shifts.template == t_index) & (shifts.paid_minutes == paid) & (counts > 0)
                )
                if len(members) == 0:
                    continue
                inst_rows = np.repeat(first_instance[members], counts[members]) + (
                    np.arange(int(counts[members].sum()))
                    - np.repeat(np.cumsum(counts[members]) - counts[members], counts[members])
                )
                fixed = (breaks.fixed_rule == r_index) & np.isin(breaks.fixed_shift, members)
                if fixed.any():
                    offset_per_shift = np.zeros(len(shifts), dtype=np.int64)
                    offset_per_shift[breaks.fixed_shift[fixed]] = breaks.fixed_offset[fixed]
                    offsets = offset_per_shift[instance_shift[inst_rows]]
                else:
                    mask = (breaks.movable_rule == r_index) & np.isin(breaks.movable_shift, members)
                    # placements are listed by shift then offset ascending, so repeating
                    # each placement by its count gives sorted offsets per shift.
                    offsets = np.repeat(breaks.movable_offset[mask], placements[mask])
                    owners = np.repeat(breaks.movable_shift[mask], placements[mask])
                    if len(offsets) != len(inst_rows) or not np.array_equal(
                        owners, instance_shift[inst_rows]
                    ):
                        raise SolverError(
                            "the solver returned break placements that do not match the "
                            "shift counts (numerical trouble). Fix: tighten the solver "
                            "tolerances or report this instance."
                        )
                parts.append(
                    (
                        inst_rows,
                        offsets,
                        np.full(len(inst_rows), rule.length_minutes),
                        np.full(len(inst_rows), rule.activity, dtype=object),
                    )
                )
    if parts:
        b_inst, b_off, b_len, b_act = (np.concatenate([p[i] for p in parts]) for i in range(4))
    else:
        b_inst = b_off = b_len = np.zeros(0, dtype=np.int64)
        b_act = np.zeros(0, dtype=object)
    return Instances(instance_shift, b_inst.astype(np.int64), b_off, b_len, b_act)


def instance_coverage(
    requirement: Requirement, shifts: ShiftSet, instances: Instances, keep: np.ndarray
) -> np.ndarray:
    """Working agents per (queue, interval) of the instances where ``keep`` is True."""
    minutes, n_intervals = requirement.interval_minutes, requirement.n_intervals
    sel = instances.shift[keep]
    present = span_matrix(shifts.start_minute[sel], shifts.end_minute[sel], minutes, n_intervals)
    index_of = np.full(len(instances.shift), -1)
    index_of[np.flatnonzero(keep)] = np.arange(len(sel))
    brk = index_of[instances.break_instance] >= 0
    b_start = shifts.start_minute[instances.shift[instances.break_instance[brk]]]
    b_start = b_start + instances.break_offset[brk]
    absent = span_matrix(b_start, b_start + instances.break_length[brk], minutes, n_intervals)
    owner = sp.csr_matrix(
        (np.ones(int(brk.sum())), (index_of[instances.break_instance[brk]], np.arange(brk.sum()))),
        shape=(len(sel), int(brk.sum())),
    )
    work = sp.csr_matrix(present - owner @ absent)
    n_queues = len(requirement.queues)
    to_queue = sp.csr_matrix(
        (np.ones(len(sel)), (shifts.queue[sel], np.arange(len(sel)))), shape=(n_queues, len(sel))
    )
    return np.asarray((to_queue @ work).todense(), dtype=float)


def instance_segments(
    requirement: Requirement,
    templates: Sequence[ShiftTemplate],
    shifts: ShiftSet,
    instances: Instances,
    agents: Sequence[str],
    keep: np.ndarray,
) -> pd.DataFrame:
    """Segments frame (work/break/lunch) of the kept instances, one agent name each."""
    origin = requirement.starts[0]
    rows: list[tuple[object, ...]] = []
    order = np.argsort(instances.break_instance, kind="stable")
    bounds = np.searchsorted(instances.break_instance[order], np.arange(len(instances.shift) + 1))
    for inst in np.flatnonzero(keep):
        j = int(instances.shift[inst])
        start, end = int(shifts.start_minute[j]), int(shifts.end_minute[j])
        template = templates[int(shifts.template[j])]
        queue = requirement.queues[int(shifts.queue[j])]
        shift_id = f"S{inst:05d}"
        cursor = start
        mine = order[bounds[inst] : bounds[inst + 1]]
        mine = mine[np.argsort(instances.break_offset[mine])]
        pieces: list[tuple[str, int, int]] = []
        for b in mine:
            b_start = start + int(instances.break_offset[b])
            b_end = b_start + int(instances.break_length[b])
            if b_start > cursor:
                pieces.append(("work", cursor, b_start))
            pieces.append((str(instances.break_activity[b]), b_start, b_end))
            cursor = b_end
        if end > cursor:
            pieces.append(("work", cursor, end))
        for activity, a, b in pieces:
            rows.append(
                (
                    agents[int(inst)],
                    activity,
                    origin + pd.Timedelta(minutes=a),
                    origin + pd.Timedelta(minutes=b),
                    shift_id,
                    template.name,
                    queue,
                )
            )
    frame = pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS))
    if frame.empty:
        frame["start"] = pd.DatetimeIndex([], tz=requirement.tz)
        frame["end"] = pd.DatetimeIndex([], tz=requirement.tz)
    return frame


def coverage_with_service_level(
    requirement: Requirement, scheduled: np.ndarray, target_seconds: float
) -> pd.DataFrame:
    """Coverage frame plus projected service level when volume and handle time exist."""
    frame = coverage_frame(requirement.starts, requirement.queues, requirement.required, scheduled)
    if requirement.volume is not None and requirement.aht_seconds is not None:
        frame["service_level"] = projected_service_level(
            requirement.volume.ravel(),
            requirement.aht_seconds.ravel(),
            scheduled.ravel(),
            requirement.interval_minutes * 60,
            target_seconds,
        )
    return frame


def coverage_cost(requirement: Requirement, scheduled: np.ndarray, rules: ScheduleRules) -> float:
    """Under/over-coverage cost of a coverage array, with the model's prices."""
    hours = requirement.interval_minutes / 60.0
    under = np.maximum(requirement.required - scheduled, 0.0).sum() * hours
    over = np.maximum(scheduled - requirement.required, 0.0).sum() * hours
    under_price = RULE_PENALTY if rules.hard_coverage else rules.under_cost_per_agent_hour
    return float(under * under_price + over * rules.over_cost_per_agent_hour)


def coverage_conflicts(requirement: Requirement, scheduled: np.ndarray) -> dict[str, float]:
    """Agent-hours of under-coverage per (queue, local day), for a hard coverage rule."""
    hours = requirement.interval_minutes / 60.0
    under = np.maximum(requirement.required - scheduled, 0.0) * hours
    days = requirement.starts.tz_localize(None).normalize()
    out: dict[str, float] = {}
    for q, queue in enumerate(requirement.queues):
        per_day = pd.Series(under[q], index=days).groupby(level=0).sum()
        for day, amount in per_day.items():
            if amount > 1e-6:
                out[f"coverage[{queue} {pd.Timestamp(str(day)).date()}]"] = float(amount)
    return out


def seat_conflicts(model: ShiftModel) -> dict[str, float]:
    """Agent-hours above the seat limit per local day."""
    if not model.seat_slack_vars:
        return {}
    hours = model.requirement.interval_minutes / 60.0
    slack = values(model.seat_slack_vars) * hours
    days = model.requirement.starts.tz_localize(None).normalize()
    per_day = pd.Series(slack, index=days).groupby(level=0).sum()
    return {
        f"seat_limit[{pd.Timestamp(str(day)).date()}]": float(v)
        for day, v in per_day.items()
        if v > 1e-6
    }


def finish_result(
    model: ShiftModel,
    instances: Instances,
    keep: np.ndarray,
    agent_names: Sequence[str],
    reports: Sequence[SolveReport],
    target_seconds: float,
    agent_frame: pd.DataFrame | None,
    extra_conflicts: dict[str, float],
    extra_segments: pd.DataFrame | None = None,
    extra_objective: float = 0.0,
    mip_gap: float = 0.01,
) -> ScheduleResult:
    """Assemble a ScheduleResult, recomputing costs from the decoded schedule."""
    req, rules = model.requirement, model.rules
    scheduled = instance_coverage(req, model.shifts, instances, keep)
    labour = float(model.shifts.cost[instances.shift[keep]].sum())
    cov_cost = coverage_cost(req, scheduled, rules)
    objective = labour + cov_cost + extra_objective
    conflicts = dict(extra_conflicts)
    if rules.hard_coverage:
        conflicts.update(coverage_conflicts(req, scheduled))
    conflicts.update(seat_conflicts(model))
    bound = min(reports[0].best_bound, objective)
    gap = relative_gap(objective, bound)
    if conflicts:
        status = "relaxed"
    elif len(reports) == 1:
        status = reports[0].status
    elif gap <= 1e-9:
        status = "optimal"
    elif gap <= mip_gap + 1e-9:
        status = "gap_limit"
    elif any(report.stopped_by_limit for report in reports):
        status = "time_limit"
    else:
        status = "phases_proven"
    segments = instance_segments(req, model.templates, model.shifts, instances, agent_names, keep)
    if extra_segments is not None and not extra_segments.empty:
        segments = pd.concat([segments, extra_segments], ignore_index=True)
    segments = segments.sort_values(["agent", "start"], kind="stable").reset_index(drop=True)
    if agent_frame is None:
        agent_frame = pseudo_agent_frame(segments)
    result = ScheduleResult(
        segments=segments,
        coverage=coverage_with_service_level(req, scheduled, target_seconds),
        agents=agent_frame,
        labour_cost=labour,
        coverage_cost=cov_cost,
        objective=objective,
        best_bound=bound,
        gap=gap,
        status=status,
        solves=tuple(reports),
        conflicts=conflicts,
    )
    if conflicts and rules.on_infeasible == "raise":
        listed = ", ".join(f"{k}: {v:.2f}" for k, v in sorted(conflicts.items()))
        raise InfeasibleError(
            f"no schedule meets every rule; the smallest relaxation found needs {listed} "
            "(coverage and seat limits in agent-hours, hours rules in hours, day rules in "
            "days). Fix: relax those rules or add agents/templates; pass "
            "ScheduleRules(on_infeasible='return') to get the relaxed schedule.",
            conflicts,
        )
    return result


def pseudo_agent_frame(segments: pd.DataFrame) -> pd.DataFrame:
    """Per-shift summary (paid hours) for schedules without named agents."""
    work = segments[segments["activity"] != "off"]
    elapsed = (work["end"] - work["start"]).dt.total_seconds() / 3600.0
    frame = (
        pd.DataFrame({"agent": work["agent"], "hours_present": elapsed})
        .groupby("agent", sort=True)["hours_present"]
        .sum()
        .reset_index()
    )
    return frame
