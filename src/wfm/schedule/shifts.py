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

from wfm.core.errors import InputError, SolverError
from wfm.schedule._assemble import decode_instances, finish_result
from wfm.schedule._build import (
    RULE_PENALTY,
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
)
from wfm.schedule.models import ScheduleRules, ShiftTemplate, SolverSettings
from wfm.schedule.result import ScheduleResult


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
    return finish_result(model, instances, keep, agents, [report], target_seconds, None, {})


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
