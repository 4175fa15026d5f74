"""Shift scheduling: how many agents start each shift, with implicit break placement.

The integer programme (see ``docs/schedule.md``) has one integer variable per candidate
shift (template, day, start, paid length) and, following Aykin (1996), one integer
variable per (shift, break rule, break start) counting how many of that shift's agents
take that break there. Breaks are therefore linked to their shift by one equality per
(shift, break rule) instead of one column per combination of break placements.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pulp
import scipy.sparse as sp

from wfm.core.errors import InfeasibleError, InputError, SolverError
from wfm.core.frames import SEGMENT_COLUMNS
from wfm.schedule._build import (
    BreakSlots,
    Requirement,
    ShiftSet,
    enumerate_breaks,
    enumerate_shifts,
    movable_break_matrix,
    parse_requirement,
    shift_net_matrix,
    span_matrix,
)
from wfm.schedule._solver import (
    SolveReport,
    add_rows,
    relative_gap,
    solve,
    solve_relaxation,
    values,
)
from wfm.schedule.models import ScheduleRules, ShiftTemplate, SolverSettings
from wfm.schedule.result import ScheduleResult, coverage_frame, projected_service_level

RULE_PENALTY = 1.0e4
"""Cost per unit of slack on a hard rule (elastic relaxation); dominates every real cost."""


@dataclass
class ShiftModel:
    """A built shift-scheduling programme and the data needed to decode it."""

    requirement: Requirement
    templates: tuple[ShiftTemplate, ...]
    rules: ScheduleRules
    shifts: ShiftSet
    breaks: BreakSlots
    problem: pulp.LpProblem
    shift_vars: list[Any]
    break_vars: list[Any]
    under_vars: list[Any]
    over_vars: list[Any]
    seat_slack_vars: list[Any]
    under_price: float
    shift_coverage: sp.csr_matrix  # (queue*interval, shifts): net of fixed breaks
    break_coverage: sp.csr_matrix  # (queue*interval, movable placements)
    break_group: np.ndarray  # (shift, rule) group of each movable placement
    group_owner: np.ndarray  # shift of each group
    round_down: bool = False  # set when <= rows beyond coverage exist (capacity)
    repairs: list[tuple[Any, Any]] = field(default_factory=list)  # (>= constraint, slack)
    lp_values: dict[str, float] = field(default_factory=dict)


def build_shift_model(
    requirement: Requirement, templates: Sequence[ShiftTemplate], rules: ScheduleRules
) -> ShiftModel:
    """Build the shift-scheduling MIP (coverage, break linking, bounds, seat limit)."""
    templates = tuple(templates)
    shifts = enumerate_shifts(requirement, templates)
    breaks = enumerate_breaks(shifts, templates)
    n_queues, n_intervals = requirement.required.shape
    minutes = requirement.interval_minutes
    hours = minutes / 60.0
    problem = pulp.LpProblem("shift_scheduling", pulp.LpMinimize)
    shift_vars = [
        problem.add_variable(
            f"x_{j}",
            lowBound=int(shifts.lower[j]),
            upBound=None if shifts.upper[j] < 0 else int(shifts.upper[j]),
            cat=pulp.LpInteger,
        )
        for j in range(len(shifts))
    ]
    break_vars = [
        problem.add_variable(f"y_{s}", lowBound=0, cat=pulp.LpInteger)
        for s in range(len(breaks.movable_shift))
    ]
    n_cells = n_queues * n_intervals
    under_vars = [problem.add_variable(f"u_{c}", lowBound=0) for c in range(n_cells)]
    over_vars = [problem.add_variable(f"o_{c}", lowBound=0) for c in range(n_cells)]
    under_price = RULE_PENALTY if rules.hard_coverage else rules.under_cost_per_agent_hour
    objective = pulp.LpAffineExpression(
        [(v, float(c)) for v, c in zip(shift_vars, shifts.cost, strict=True)]
        + [(v, under_price * hours) for v in under_vars]
        + [(v, rules.over_cost_per_agent_hour * hours) for v in over_vars]
    )
    # Coverage rows, one per (queue, interval): net shifts - movable breaks + u - o = r.
    net = shift_net_matrix(shifts, breaks, minutes, n_intervals)
    moved = movable_break_matrix(shifts, breaks, minutes, n_intervals)
    # Each shift's row of ``net`` goes to its queue's block of columns.
    shift_block = _to_queue_blocks(net, shifts.queue, n_queues)
    break_block = _to_queue_blocks(moved, shifts.queue[breaks.movable_shift], n_queues)
    identity = sp.identity(n_cells, format="csr")
    coverage = sp.hstack([shift_block.T, -break_block.T, identity, -identity], format="csr")
    add_rows(
        problem,
        coverage,
        [*shift_vars, *break_vars, *under_vars, *over_vars],
        pulp.LpConstraintEQ,
        requirement.required.ravel(),
        "coverage",
    )
    # Break linking (Aykin 1996): placements of each (shift, rule) sum to the shift count.
    group_keys = breaks.movable_shift * 64 + breaks.movable_rule
    _, group = np.unique(group_keys, return_inverse=True)
    owner = np.zeros(int(group.max()) + 1 if len(group) else 0, dtype=np.int64)
    owner[group] = breaks.movable_shift
    if len(break_vars):
        link = sp.hstack(
            [
                sp.csr_matrix(
                    (-np.ones(len(owner)), (np.arange(len(owner)), owner)),
                    shape=(len(owner), len(shifts)),
                ),
                sp.csr_matrix(
                    (np.ones(len(group)), (group, np.arange(len(group)))),
                    shape=(len(owner), len(break_vars)),
                ),
            ],
            format="csr",
        )
        add_rows(
            problem,
            link,
            [*shift_vars, *break_vars],
            pulp.LpConstraintEQ,
            np.zeros(len(owner)),
            "break_link",
        )
    seat_slack_vars: list[Any] = []
    if rules.seat_limit is not None:
        present = span_matrix(shifts.start_minute, shifts.end_minute, minutes, n_intervals)
        seat_slack_vars = [
            problem.add_variable(f"seat_{t}", lowBound=0) for t in range(n_intervals)
        ]
        seats = sp.hstack([present.T, -sp.identity(n_intervals)], format="csr")
        add_rows(
            problem,
            seats,
            [*shift_vars, *seat_slack_vars],
            pulp.LpConstraintLE,
            np.full(n_intervals, float(rules.seat_limit)),
            "seat_limit",
        )
        objective += pulp.LpAffineExpression([(v, RULE_PENALTY * hours) for v in seat_slack_vars])
    problem.setObjective(objective)
    return ShiftModel(
        requirement,
        templates,
        rules,
        shifts,
        breaks,
        problem,
        shift_vars,
        break_vars,
        under_vars,
        over_vars,
        seat_slack_vars,
        under_price,
        sp.csr_matrix(shift_block.T),
        sp.csr_matrix(break_block.T),
        group,
        owner,
    )


def round_to_start(model: ShiftModel) -> None:
    """Set initial values from the LP solution held in the variables (rounding heuristic).

    Shift counts are rounded to the nearest integer within their bounds (rounded down if
    that breaks an agent-capacity row); each shift's break placements are scaled to that
    count and rounded by largest remainder, so every linking equality holds; under/over
    and rule slacks then follow from the rows. The result is a feasible integer start.
    """
    model.lp_values = {v.name: v.varValue or 0.0 for v in model.problem.variables()}
    _set_rounded_start(model, round_down=False)
    if model.round_down:
        capacity = [
            c for c in model.problem.constraints() if c.name and c.name.startswith("capacity_")
        ]
        if any(c.value() > 1e-9 for c in capacity if c.sense == pulp.LpConstraintLE):
            _set_rounded_start(model, round_down=True)


def _set_rounded_start(model: ShiftModel, round_down: bool) -> None:
    """Round the stored LP values into initial values (see :func:`round_to_start`)."""
    shifts = model.shifts
    x_lp = np.array([model.lp_values.get(v.name, 0.0) for v in model.shift_vars])
    x_lp = np.clip(x_lp, 0.0, None)
    x = np.floor(x_lp + 1e-9) if round_down else np.rint(x_lp)
    x = np.maximum(x, shifts.lower)
    x = np.where(shifts.upper >= 0, np.minimum(x, shifts.upper), x)
    set_start_from_counts(model, x)


def set_start_from_counts(model: ShiftModel, x: np.ndarray) -> None:
    """Set initial values from integer shift counts ``x``: breaks, under/over, slacks.

    Break placements follow the LP placements in ``model.lp_values`` scaled to ``x`` and
    rounded by largest remainder (first offset when the LP placed none), so every
    break-linking row holds.
    """
    shifts = model.shifts
    y = np.zeros(len(model.break_vars))
    if len(y):
        y_lp = np.clip(
            np.array([model.lp_values.get(v.name, v.varValue or 0.0) for v in model.break_vars]),
            0.0,
            None,
        )
        owner = model.group_owner[model.break_group]
        group_total = np.bincount(model.break_group, weights=y_lp, minlength=len(model.group_owner))
        scale = np.divide(
            x[model.group_owner], group_total, out=np.zeros(len(group_total)), where=group_total > 0
        )
        scaled = y_lp * scale[model.break_group]
        # groups whose LP placements are all zero put every break at the first offset
        empty = group_total <= 0
        first = np.full(len(group_total), -1)
        first[model.break_group[::-1]] = np.arange(len(y))[::-1]
        scaled[first[empty]] = x[model.group_owner[empty]]
        y = np.floor(scaled + 1e-9)
        deficit = x[model.group_owner] - np.bincount(
            model.break_group, weights=y, minlength=len(model.group_owner)
        )
        remainder = scaled - y
        order = np.lexsort((-remainder, model.break_group))
        sorted_group = model.break_group[order]
        starts = np.searchsorted(sorted_group, sorted_group)
        rank = np.arange(len(order)) - starts
        bump = rank < deficit[sorted_group]
        y[order[bump]] += 1
        del owner
    work = model.shift_coverage @ x - model.break_coverage @ y
    target = model.requirement.required.ravel()
    under = np.maximum(target - work, 0.0)
    over = np.maximum(work - target, 0.0)
    for variables, start in (
        (model.shift_vars, x),
        (model.break_vars, y),
        (model.under_vars, under),
        (model.over_vars, over),
    ):
        for variable, value in zip(variables, start, strict=True):
            variable.setInitialValue(float(value), check=False)
    if model.seat_slack_vars and model.rules.seat_limit is not None:
        present = span_matrix(
            shifts.start_minute,
            shifts.end_minute,
            model.requirement.interval_minutes,
            model.requirement.n_intervals,
        )
        excess = np.maximum(present.T @ x - model.rules.seat_limit, 0.0)
        for variable, value in zip(model.seat_slack_vars, excess, strict=True):
            variable.setInitialValue(float(value), check=False)
    for constraint, slack in model.repairs:
        slack.setInitialValue(0.0)
        short = -float(constraint.value())  # >= row: value = lhs - rhs
        slack.setInitialValue(max(short, 0.0))


def _fix_all(variables: Sequence[Any], value_array: np.ndarray) -> None:
    """Fix variables at the given values through their bounds."""
    for variable, value in zip(variables, value_array, strict=True):
        variable.lowBound = variable.upBound = float(value)


def solve_shift_model(model: ShiftModel, settings: SolverSettings) -> SolveReport:
    """Solve the shift model: LP bound, LP rounding, fix-and-optimise by day, full MIP.

    1. The LP relaxation gives a lower bound and fractional shift counts.
    2. Rounding (:func:`round_to_start`) turns them into a feasible integer schedule.
    3. Fix-and-optimise: for each local day in turn, the shifts starting that day (and
       their breaks) are re-optimised exactly by the MIP solver while every other
       shift stays at the incumbent; each pass can only improve the incumbent.
    4. The full MIP, started from the incumbent, runs for the remaining time; its bound
       is a bound of the whole model. The better of its solution and the incumbent is
       returned, and the gap is always measured against a bound of the full model
       (never against a sub-problem's bound).
    """
    started = time.perf_counter()
    lp_bound = solve_relaxation(model.problem, settings)
    if not math.isfinite(lp_bound):
        return solve(model.problem, settings)
    round_to_start(model)
    everything = model.problem.variables()
    incumbent = np.array([v.varValue or 0.0 for v in everything])
    incumbent_objective = float(pulp.value(model.problem.objective) or 0.0)
    position = {v.name: i for i, v in enumerate(everything)}
    shift_pos = np.array([position[v.name] for v in model.shift_vars], dtype=np.int64)
    break_pos = np.array([position[v.name] for v in model.break_vars], dtype=np.int64)
    break_day = model.shifts.day[model.breaks.movable_shift]
    saved = [(v.lowBound, v.upBound) for v in everything]
    days = np.unique(model.shifts.day)
    sub_settings = settings.model_copy(update={"mip_gap": settings.mip_gap / (2 * len(days))})
    deadline = started + 0.6 * settings.time_limit_seconds
    for position_of_day, day in enumerate(days):
        if time.perf_counter() >= deadline or incumbent_objective - lp_bound <= 1e-6:
            break
        free_shift = model.shifts.day == day
        free_break = break_day == day
        _fix_all(
            [model.shift_vars[j] for j in np.flatnonzero(~free_shift)],
            incumbent[shift_pos[~free_shift]],
        )
        _fix_all(
            [model.break_vars[b] for b in np.flatnonzero(~free_break)],
            incumbent[break_pos[~free_break]],
        )
        share = (deadline - time.perf_counter()) / (len(days) - position_of_day)
        # the objective includes the fixed days, so the relative gap must be per day
        sub = solve(model.problem, sub_settings, time_limit_seconds=share)
        for variable, (low, high) in zip(everything, saved, strict=True):
            variable.lowBound, variable.upBound = low, high
        if sub.status not in ("infeasible", "no_solution") and (
            sub.objective < incumbent_objective - 1e-9
        ):
            incumbent = np.array([v.varValue or 0.0 for v in everything])
            integral = np.array([v.cat == pulp.LpInteger for v in everything])
            incumbent = np.where(integral, np.rint(incumbent), np.maximum(incumbent, 0.0))
            incumbent_objective = sub.objective
    for variable, value in zip(everything, incumbent, strict=True):
        variable.setInitialValue(float(value), check=False)
    left = settings.time_limit_seconds - (time.perf_counter() - started)
    report = SolveReport("no_solution", math.nan, lp_bound, math.nan, 0.0, settings.solver)
    if left > 1.0 and incumbent_objective - lp_bound > 1e-6:
        report = solve(
            model.problem, settings, warm_start=True, lp_bound=lp_bound, time_limit_seconds=left
        )
    if report.status in ("infeasible", "no_solution") or report.objective > incumbent_objective:
        for variable, value in zip(everything, incumbent, strict=True):
            variable.varValue = float(value)
        bound = report.best_bound if math.isfinite(report.best_bound) else lp_bound
        bound = min(max(bound, lp_bound), incumbent_objective)
        gap = relative_gap(incumbent_objective, bound)
        # the full MIP was skipped for lack of time, or stopped by its limit
        limited = report.stopped_by_limit or (left <= 1.0 and gap > 1e-9)
        if gap <= 1e-9:
            status = "optimal"
        elif gap <= settings.mip_gap + 1e-9:
            status = "gap_limit"
        else:
            status = "time_limit" if limited else "feasible"
        report = SolveReport(
            status, incumbent_objective, bound, gap, 0.0, settings.solver, lp_bound, limited
        )
    return replace(report, solve_seconds=time.perf_counter() - started)


def _to_queue_blocks(matrix: sp.csr_matrix, queue: np.ndarray, n_queues: int) -> sp.csr_matrix:
    """Place each row's interval columns in its queue's column block (rows unchanged)."""
    coo = sp.coo_matrix(matrix)
    n_intervals = matrix.shape[1]
    cols = queue[coo.row] * n_intervals + coo.col
    return sp.csr_matrix(
        (coo.data, (coo.row, cols)), shape=(matrix.shape[0], n_queues * n_intervals)
    )


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


def schedule_shifts(
    requirement: pd.DataFrame | pd.Series | np.ndarray,
    templates: Sequence[ShiftTemplate],
    *,
    rules: ScheduleRules | None = None,
    settings: SolverSettings | None = None,
    interval_starts: pd.DatetimeIndex | None = None,
    target_seconds: float = 20.0,
) -> ScheduleResult:
    """Choose the cheapest shifts and break placements covering a requirement.

    Parameters
    ----------
    requirement : DataFrame, Series or array
        ``queue``/``interval_start``/``required_agents`` frame (optionally ``volume`` and
        ``aht_seconds`` to project the service level), a Series indexed by aware interval
        starts, or an array with ``interval_starts``.
    templates : sequence of ShiftTemplate
        Shift families to choose from (full- and part-time side by side).
    rules : ScheduleRules, optional
        Coverage prices, seat limit, hard coverage.
    settings : SolverSettings, optional
        Solver, time limit (seconds), relative MIP gap (fraction).
    interval_starts : pandas.DatetimeIndex, optional
        Aware interval starts when ``requirement`` is an array.
    target_seconds : float, default 20
        Answer-time target for the projected service level, in seconds.

    Returns
    -------
    ScheduleResult
        Pseudo agents ``shift-NNNNN`` (one per shift worked) in ``segments``.

    Raises
    ------
    InputError
        On bad requirement or templates.
    InfeasibleError
        If a hard rule (hard coverage, seat limit) had to be relaxed and
        ``rules.on_infeasible == "raise"``; ``conflicts`` maps rule group to amount.
    SolverError
        If the solver returned no solution.
    """
    rules = rules or ScheduleRules()
    settings = settings or SolverSettings()
    parsed = parse_requirement(requirement, interval_starts=interval_starts)
    model = build_shift_model(parsed, validate_inputs(templates), rules)
    report = solve_shift_model(model, settings)
    if report.status in ("infeasible", "no_solution"):
        raise SolverError(
            f"the solver returned {report.status!r} for the shift-scheduling model after "
            f"{report.solve_seconds:.1f} s. Fix: raise time_limit_seconds or check "
            "min_agents_per_shift bounds."
        )
    instances = decode_instances(model)
    keep = np.ones(len(instances.shift), dtype=bool)
    agents = [f"shift-{i:05d}" for i in range(len(instances.shift))]
    return _finish_result(model, instances, keep, agents, [report], target_seconds, None, {})


def _finish_result(
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


def validate_inputs(templates: Sequence[ShiftTemplate]) -> tuple[ShiftTemplate, ...]:
    """Check template objects (type and internal consistency)."""
    out = []
    for i, template in enumerate(templates):
        if not isinstance(template, ShiftTemplate):
            raise InputError(
                f"templates[{i}] is a {type(template).__name__}, not a ShiftTemplate. Fix: "
                "build it with ShiftTemplate(...) or ShiftTemplate.model_validate(dict)."
            )
        out.append(template.check())
    return tuple(out)
