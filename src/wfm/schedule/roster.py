"""Named-agent rosters in two phases: tour-level shifts, then assignment to agents.

Phase 1 is the shift-scheduling model of :mod:`wfm.schedule.shifts` plus aggregate
agent-capacity constraints (how many agents can work each day, contract hours), which
keeps it a relaxation of the roster problem: its best bound is a lower bound on the
labour + coverage cost of any roster that respects the rules. Phase 2 assigns the
phase-1 shifts to named agents under the labour rules, with elastic slack on every rule
group so that an impossible rule set is reported by name and amount.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import pulp
import scipy.sparse as sp

from wfm.core.errors import InputError, SolverError
from wfm.core.frames import SEGMENT_COLUMNS
from wfm.schedule._assemble import Instances, decode_instances, finish_result
from wfm.schedule._build import RULE_PENALTY, Requirement, ShiftSet, parse_requirement
from wfm.schedule._solver import (
    SolveReport,
    add_rows,
    relative_gap,
    solve,
    solve_relaxation,
    values,
)
from wfm.schedule.models import Agent, ScheduleRules, ShiftTemplate, SolverSettings
from wfm.schedule.result import ScheduleResult
from wfm.schedule.shifts import ShiftModel, build_shift_model, validate_inputs
from wfm.schedule.tour import add_tour_model, hand_to_agents, solve_tour_model

_NOON = 12 * 60


def _minutes(value: Any) -> int:
    """Minutes after midnight of a ``datetime.time``."""
    return int(value.hour * 60 + value.minute)


def check_agents(
    agents: Sequence[Agent], templates: Sequence[ShiftTemplate], queues: tuple[str, ...]
) -> tuple[Agent, ...]:
    """Validate agents against templates and queues; raise InputError naming the field."""
    if not agents:
        raise InputError("agents is empty. Fix: pass at least one Agent.")
    names = [t.name for t in templates]
    seen: set[str] = set()
    out = []
    for i, agent in enumerate(agents):
        if not isinstance(agent, Agent):
            raise InputError(
                f"agents[{i}] is a {type(agent).__name__}, not an Agent. Fix: build it with "
                "Agent(...) or Agent.model_validate(dict)."
            )
        agent.check()
        if agent.agent in seen:
            raise InputError(f"agents has a duplicate agent={agent.agent!r}. Fix: unique ids.")
        seen.add(agent.agent)
        unknown = [t for t in agent.templates or () if t not in names]
        if unknown:
            raise InputError(
                f"Agent {agent.agent!r}: templates={list(agent.templates or ())} names unknown "
                f"template(s) {unknown}; known: {names}. Fix: use the template names."
            )
        bad_skills = [s for s in agent.skills if s not in queues]
        if bad_skills:
            raise InputError(
                f"Agent {agent.agent!r}: skills={list(agent.skills)} has unknown skill(s) "
                f"{bad_skills}; the requirement queues are {list(queues)}. Fix: use queue names."
            )
        out.append(agent)
    return tuple(out)


def eligibility(
    agents: Sequence[Agent],
    templates: Sequence[ShiftTemplate],
    requirement: Requirement,
    shifts: ShiftSet,
) -> np.ndarray:
    """Boolean (agents, shifts): contract template, skill, day and time-window fit."""
    names = [t.name for t in templates]
    n_agents = len(agents)
    allowed = np.ones((n_agents, len(templates)), dtype=bool)
    skilled = np.ones((n_agents, len(requirement.queues)), dtype=bool)
    on_day = np.zeros((n_agents, 7), dtype=bool)
    earliest = np.zeros(n_agents)
    latest = np.full(n_agents, np.inf)
    for a, agent in enumerate(agents):
        if agent.templates is not None:
            allowed[a] = np.isin(names, agent.templates)
        if agent.skills:
            skilled[a] = np.isin(requirement.queues, agent.skills)
        on_day[a, list(agent.available_days)] = True
        if agent.available_from is not None:
            earliest[a] = _minutes(agent.available_from)
        if agent.available_until is not None:
            latest[a] = _minutes(agent.available_until)
    weekday = np.asarray(pd.DatetimeIndex(requirement.local_dates()).day_of_week)[shifts.day]
    clock_end = shifts.clock_minute + shifts.elapsed_minutes
    return np.asarray(
        allowed[:, shifts.template]
        & skilled[:, shifts.queue]
        & on_day[:, weekday]
        & (shifts.clock_minute[None, :] >= earliest[:, None])
        & (clock_end[None, :] <= latest[:, None])
    )


def _horizon_scale(requirement: Requirement) -> tuple[int, int, int]:
    """(unused, number of local days, number of full 7-day blocks)."""
    n_days = len(requirement.local_dates())
    return 0, n_days, n_days // 7


def _hour_bounds(agents: Sequence[Agent], requirement: Requirement) -> tuple[np.ndarray, ...]:
    """Minimum and maximum paid hours of each agent over the horizon.

    Weekly minimums apply once per full 7-day block; weekly maximums once per started
    block (a one-day plan may give an agent one full shift, not a seventh of a week).
    """
    n_days = len(requirement.local_dates())
    low = np.array([a.min_weekly_hours for a in agents]) * (n_days // 7)
    high = np.array([a.max_weekly_hours for a in agents]) * -(-n_days // 7)
    return low, high


@dataclass
class _Assignment:
    """Phase-2 model pieces needed after solving."""

    problem: pulp.LpProblem
    pair_agent: np.ndarray
    pair_shift: np.ndarray  # index into the ShiftSet
    z: list[Any]
    slack_groups: dict[str, Any]
    weekend_target: float
    unsocial_target: float
    shift_clock: np.ndarray  # local start clock of every shift (minutes)


def _row_matrix(row_ids: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    """0/1 matrix with a one at (row_ids[k], k) for every column k with row_ids[k] >= 0."""
    keep = row_ids >= 0
    return sp.csr_matrix(
        (np.ones(int(keep.sum())), (row_ids[keep], np.flatnonzero(keep))), shape=(n_rows, n_cols)
    )


def build_assignment(
    model: ShiftModel,
    agents: Sequence[Agent],
    eligible: np.ndarray,
    counts: np.ndarray,
    rules: ScheduleRules,
    locked_pairs: set[tuple[int, int]],
    *,
    monolithic: bool = False,
) -> _Assignment:
    """Phase-2 MIP: assign the phase-1 shifts to agents under every labour rule.

    With ``monolithic=True`` the (agent, shift) variables are added to the shift model
    itself and linked to its shift counts (``counts`` is ignored): one exact model of
    labour, coverage and every hard rule (soft preferences and fairness are left to the
    phase-2 pass that follows).
    """
    shifts, req = model.shifts, model.requirement
    _, n_days, n_blocks = _horizon_scale(req)
    weekdays = np.asarray(pd.DatetimeIndex(req.local_dates()).day_of_week)
    if monolithic:
        counts = eligible.any(axis=0).astype(float)
        for idle_shift in np.flatnonzero(counts == 0):
            model.shift_vars[idle_shift].upBound = 0
    support = np.flatnonzero(counts > 0)
    pair_agent, pair_col = np.nonzero(eligible[:, support])
    pair_shift = support[pair_col]
    n_pairs = len(pair_shift)
    problem = model.problem if monolithic else pulp.LpProblem("roster_assignment", pulp.LpMinimize)
    z = [problem.add_variable(f"z_{k}", cat=pulp.LpBinary) for k in range(n_pairs)]
    for a, j in locked_pairs:
        hits = np.flatnonzero((pair_agent == a) & (pair_shift == j))
        if len(hits) == 0:
            raise InputError(
                f"locked shift for agent {agents[a].agent!r} is not one this agent may work "
                "(contract, skills or availability). Fix: correct the locked frame."
            )
        z[int(hits[0])].lowBound = 1
    n_agents = len(agents)
    hours = shifts.paid_minutes[pair_shift] / 60.0
    day = shifts.day[pair_shift]
    objective_terms: list[tuple[Any, float]] = []
    slack_groups: dict[str, Any] = {}

    def slack(name: str) -> Any:
        variable = problem.add_variable(f"slack_{len(slack_groups)}", lowBound=0)
        slack_groups[name] = variable
        objective_terms.append((variable, RULE_PENALTY))
        return variable

    # (1) each shift's instances: assigned + missed = count
    # An extra copy of a phase-1 shift may be added (priced at its labour cost plus the
    # over-coverage it causes) so that contracts can be met; a missed one costs the
    # under-coverage it leaves.
    position = np.full(len(shifts), -1)
    position[support] = np.arange(len(support))
    if monolithic:
        link = sp.hstack(
            [_row_matrix(position[pair_shift], len(support), n_pairs), -sp.identity(len(support))],
            format="csr",
        )
        linked = [model.shift_vars[j] for j in support]
        add_rows(problem, link, [*z, *linked], pulp.LpConstraintEQ, np.zeros(len(support)), "own")
    else:
        misses = [problem.add_variable(f"miss_{j}", lowBound=0) for j in support]
        extras = [problem.add_variable(f"extra_{j}", lowBound=0) for j in support]
        cover = sp.hstack(
            [
                _row_matrix(position[pair_shift], len(support), n_pairs),
                sp.identity(len(support)),
                -sp.identity(len(support)),
            ],
            format="csr",
        )
        add_rows(
            problem, cover, [*z, *misses, *extras], pulp.LpConstraintEQ, counts[support], "assign"
        )
        paid_support = shifts.paid_minutes[support] / 60.0
        miss_price = model.under_price * paid_support
        extra_price = shifts.cost[support] + rules.over_cost_per_agent_hour * paid_support
        objective_terms += list(zip(misses, miss_price.tolist(), strict=True))
        objective_terms += list(zip(extras, extra_price.tolist(), strict=True))
    # (2) at most one shift per agent and day
    agent_day = pair_agent * n_days + day
    add_rows(
        problem,
        _row_matrix(agent_day, n_agents * n_days, n_pairs),
        z,
        pulp.LpConstraintLE,
        np.ones(n_agents * n_days),
        "one_per_day",
    )
    works = _row_matrix(agent_day, n_agents * n_days, n_pairs)  # rows (agent, day)
    # (3) contract hours per 7-day block (elastic): minimum in full blocks, maximum in all
    blocks = [(first, min(7, n_days - first)) for first in range(0, n_days, 7)]
    for a, agent in enumerate(agents):
        for b, (first, length) in enumerate(blocks):
            mine = np.flatnonzero((pair_agent == a) & (day >= first) & (day < first + length))
            terms = [(z[k], float(hours[k])) for k in mine]
            week = "" if len(blocks) == 1 else f" week {b + 1}"
            low = agent.min_weekly_hours if length == 7 else 0.0
            if low > 0:
                s = slack(f"contract_min_hours[{agent.agent}{week}]")
                problem.addConstraint(
                    pulp.LpConstraint(
                        pulp.LpAffineExpression([*terms, (s, 1.0)]), pulp.LpConstraintGE, rhs=low
                    )
                )
            s = slack(f"contract_max_hours[{agent.agent}{week}]")
            problem.addConstraint(
                pulp.LpConstraint(
                    pulp.LpAffineExpression([*terms, (s, -1.0)]),
                    pulp.LpConstraintLE,
                    rhs=agent.max_weekly_hours,
                )
            )
        # (4) consecutive days off in every full 7-day block
        k_off = rules.consecutive_days_off
        for block in range(n_blocks if k_off > 0 else 0):
            first = block * 7
            starts = range(first, first + 7 - k_off + 1)
            rest_vars = [problem.add_variable(f"off_{a}_{d}", cat=pulp.LpBinary) for d in starts]
            for d, p in zip(starts, rest_vars, strict=True):
                for i in range(k_off):
                    row = works.getrow(a * n_days + d + i)
                    problem.addConstraint(
                        pulp.LpConstraint(
                            pulp.LpAffineExpression(
                                [(z[c], 1.0) for c in row.indices] + [(p, 1.0)]
                            ),
                            pulp.LpConstraintLE,
                            rhs=1.0,
                        )
                    )
            s = slack(f"days_off[{agent.agent} week {block + 1}]")
            problem.addConstraint(
                pulp.LpConstraint(
                    pulp.LpAffineExpression([(p, 1.0) for p in rest_vars] + [(s, 1.0)]),
                    pulp.LpConstraintGE,
                    rhs=1.0,
                )
            )
        # (5) maximum consecutive working days
        window = rules.max_consecutive_days + 1
        if window <= n_days:
            s = slack(f"max_consecutive_days[{agent.agent}]")
            for d0 in range(n_days - window + 1):
                cols = np.concatenate(
                    [works.getrow(a * n_days + d).indices for d in range(d0, d0 + window)]
                )
                if len(cols) >= window:
                    problem.addConstraint(
                        pulp.LpConstraint(
                            pulp.LpAffineExpression([(z[c], 1.0) for c in cols] + [(s, -1.0)]),
                            pulp.LpConstraintLE,
                            rhs=float(rules.max_consecutive_days),
                        )
                    )
    _add_rest_rules(problem, model, pair_agent, pair_shift, z, rules, agents, slack)
    _add_start_bands(problem, model, pair_agent, pair_shift, z, rules, n_days)
    if monolithic:
        problem.setObjective(problem.objective + pulp.LpAffineExpression(objective_terms))
        return _Assignment(
            problem, pair_agent, pair_shift, z, slack_groups, 0.0, 0.0, shifts.clock_minute
        )
    # (8) soft preferences and fairness
    pref = np.zeros(n_pairs)
    for a, agent in enumerate(agents):
        mine = pair_agent == a
        if agent.preferred_days_off:
            pref += mine & np.isin(weekdays[day], agent.preferred_days_off)
        clock = shifts.clock_minute[pair_shift]
        if agent.preferred_start == "early":
            pref += mine & (clock >= _NOON)
        elif agent.preferred_start == "late":
            pref += mine & (clock < _NOON)
    objective_terms += [
        (z[k], rules.preference_weight * float(pref[k])) for k in np.flatnonzero(pref)
    ]
    weekend, unsocial = _fairness_flags(shifts, weekdays, rules)
    targets = []
    for flag, name in ((weekend, "weekend"), (unsocial, "unsocial")):
        total = float(counts[flag].sum())
        able = np.unique(pair_agent[flag[pair_shift]])
        target = math.ceil(total / len(able)) if len(able) else 0.0
        targets.append(float(target))
        if rules.fairness_weight <= 0 or total == 0:
            continue
        for a in able:
            ks = np.flatnonzero((pair_agent == a) & flag[pair_shift])
            excess = problem.add_variable(f"{name}_excess_{a}", lowBound=0)
            problem.addConstraint(
                pulp.LpConstraint(
                    pulp.LpAffineExpression([(z[k], 1.0) for k in ks] + [(excess, -1.0)]),
                    pulp.LpConstraintLE,
                    rhs=float(target),
                )
            )
            objective_terms.append((excess, rules.fairness_weight))
    problem.setObjective(pulp.LpAffineExpression(objective_terms))
    return _Assignment(
        problem,
        pair_agent,
        pair_shift,
        z,
        slack_groups,
        targets[0],
        targets[1],
        shifts.clock_minute,
    )


def _fairness_flags(
    shifts: ShiftSet, weekdays: np.ndarray, rules: ScheduleRules
) -> tuple[np.ndarray, np.ndarray]:
    """(weekend, unsocial) flags per shift: Saturday/Sunday start; early start or late end."""
    weekend = weekdays[shifts.day] >= 5
    clock_end = shifts.clock_minute + shifts.elapsed_minutes
    unsocial = (shifts.clock_minute < _minutes(rules.unsocial_before)) | (
        clock_end > _minutes(rules.unsocial_after)
    )
    return weekend, unsocial


def _add_rest_rules(
    problem: pulp.LpProblem,
    model: ShiftModel,
    pair_agent: np.ndarray,
    pair_shift: np.ndarray,
    z: list[Any],
    rules: ScheduleRules,
    agents: Sequence[Agent],
    slack: Any,
) -> None:
    """Minimum rest between consecutive days' shifts, as exact clique rows.

    For each end time e on day d: shifts ending at or after e that day plus shifts
    starting before e + rest the next day are at most one per agent. Only end times
    with a conflicting pair that the start-time band allows are added (other pairs are
    already excluded by the band rule).
    """
    shifts = model.shifts
    rest = rules.min_rest_hours * 60.0
    tol = math.inf if rules.start_tolerance_minutes is None else rules.start_tolerance_minutes
    used = np.unique(pair_shift)
    start, end, day = shifts.start_minute[used], shifts.end_minute[used], shifts.day[used]
    clock = shifts.clock_minute[used]
    rows: dict[int, Any] = {}
    for i in range(len(used)):
        nxt = (day == day[i] + 1) & (start < end[i] + rest) & (np.abs(clock - clock[i]) <= tol)
        if not nxt.any():
            continue
        e = end[i]
        first = used[(day == day[i]) & (end >= e)]
        second = used[(day == day[i] + 1) & (start < e + rest)]
        group = np.concatenate([first, second])
        for a in np.unique(pair_agent[np.isin(pair_shift, group)]):
            ks = np.flatnonzero((pair_agent == a) & np.isin(pair_shift, group))
            if len(ks) < 2:
                continue
            if a not in rows:
                rows[a] = slack(f"min_rest[{agents[a].agent}]")
            problem.addConstraint(
                pulp.LpConstraint(
                    pulp.LpAffineExpression([(z[k], 1.0) for k in ks] + [(rows[a], -1.0)]),
                    pulp.LpConstraintLE,
                    rhs=1.0,
                )
            )


def _add_start_bands(
    problem: pulp.LpProblem,
    model: ShiftModel,
    pair_agent: np.ndarray,
    pair_shift: np.ndarray,
    z: list[Any],
    rules: ScheduleRules,
    n_days: int,
) -> None:
    """Start-time consistency: one band of local start clocks per agent.

    Each agent picks one band ``[c, c + tolerance]`` and every shift it works starts
    inside that band.
    """
    if rules.start_tolerance_minutes is None:
        return
    tol = rules.start_tolerance_minutes
    clock = model.shifts.clock_minute[pair_shift]
    for a in np.unique(pair_agent):
        mine = np.flatnonzero(pair_agent == a)
        clocks = np.unique(clock[mine])
        if clocks[-1] - clocks[0] <= tol:
            continue  # every eligible shift already fits one band
        bands = [problem.add_variable(f"band_{a}_{c}", cat=pulp.LpBinary) for c in clocks]
        problem.addConstraint(
            pulp.LpConstraint(
                pulp.LpAffineExpression([(b, 1.0) for b in bands]), pulp.LpConstraintEQ, rhs=1.0
            )
        )
        for c in clocks:
            ks = mine[clock[mine] == c]
            covering = [b for b, c0 in zip(bands, clocks, strict=True) if c0 <= c <= c0 + tol]
            problem.addConstraint(
                pulp.LpConstraint(
                    pulp.LpAffineExpression(
                        [(z[k], 1.0) for k in ks] + [(b, -float(n_days)) for b in covering]
                    ),
                    pulp.LpConstraintLE,
                    rhs=0.0,
                )
            )


PHASE1_SHARE = 0.7
"""Share of ``time_limit_seconds`` given to phase 1 (the rest goes to phase 2)."""

MONOLITHIC_MAX_AGENT_DAYS = 60
"""``roster_method="auto"`` solves the exact monolithic model up to this many agent-days."""

PHASE2_MAX_PAIRS = 5_000
"""Phase 2 runs its MIP only up to this many (agent, shift) pairs; above, the
constructive hand-over of phase 1 (which keeps its cost) is the roster."""


def use_monolithic(settings: SolverSettings, n_agents: int, n_days: int) -> bool:
    """Whether the roster is solved by the exact monolithic model (see roster_method)."""
    if settings.roster_method == "auto":
        return n_agents * n_days <= MONOLITHIC_MAX_AGENT_DAYS
    return settings.roster_method == "monolithic"


def check_workable(agents: Sequence[Agent], eligible: np.ndarray) -> None:
    """Raise InputError naming every agent who can work no candidate shift at all."""
    idle = [agents[int(a)].agent for a in np.flatnonzero(~eligible.any(axis=1))]
    if idle:
        raise InputError(
            f"agent(s) {idle[:5]}{' ...' if len(idle) > 5 else ''} can work no candidate "
            "shift: no template of their contract starts on one of their available_days "
            "inside their available_from/available_until window with a queue in their "
            "skills. Fix: widen available_days or the window, or allow more templates."
        )


def solve_with_lp_bound(problem: pulp.LpProblem, settings: SolverSettings) -> SolveReport:
    """LP relaxation (for the LP bound), then the MIP in the time that is left."""
    started = time.perf_counter()
    lp_bound = solve_relaxation(problem, settings)
    left = settings.time_limit_seconds - (time.perf_counter() - started)
    report = solve(problem, settings, lp_bound=lp_bound, time_limit_seconds=max(left, 1.0))
    return replace(report, solve_seconds=time.perf_counter() - started)


def _handover_assignment(
    model: ShiftModel,
    agents: Sequence[Agent],
    eligible: np.ndarray,
    instances: Instances,
    owner: np.ndarray,
    extras: list[tuple[int, int]],
    rules: ScheduleRules,
) -> _Assignment:
    """Wrap the hand-over as assignment pairs, without the phase-2 MIP (large rosters)."""
    shifts = model.shifts
    done = owner >= 0
    weekdays = np.asarray(pd.DatetimeIndex(model.requirement.local_dates()).day_of_week)
    targets = []
    for flag in _fairness_flags(shifts, weekdays, rules):
        total = float(flag[instances.shift].sum())
        able = int(eligible[:, flag].any(axis=1).sum())
        targets.append(float(math.ceil(total / able)) if able else 0.0)
    extra = np.asarray(extras, dtype=np.int64).reshape(-1, 2)
    return _Assignment(
        pulp.LpProblem("handover", pulp.LpMinimize),
        np.concatenate([owner[done], extra[:, 0]]),
        np.concatenate([instances.shift[done], extra[:, 1]]),
        [],
        {},
        targets[0],
        targets[1],
        shifts.clock_minute,
    )


def handover_conflicts(
    model: ShiftModel,
    agents: Sequence[Agent],
    assignment: _Assignment,
    rules: ScheduleRules,
) -> dict[str, float]:
    """Rules the hand-over breaks (same keys and units as the phase-2 slacks).

    The hand-over is built to respect every rule; this recount makes sure a large roster
    that skips the phase-2 MIP never hides a broken rule.
    """
    shifts = model.shifts
    n_days = len(model.requirement.local_dates())
    rest = rules.min_rest_hours * 60.0
    out: dict[str, float] = {}
    blocks = [(first, min(7, n_days - first)) for first in range(0, n_days, 7)]
    for a, agent in enumerate(agents):
        mine = assignment.pair_shift[assignment.pair_agent == a]
        mine = mine[np.argsort(shifts.start_minute[mine], kind="stable")]
        days = shifts.day[mine]
        hours = shifts.paid_minutes[mine] / 60.0
        for b, (first, length) in enumerate(blocks):
            week = "" if len(blocks) == 1 else f" week {b + 1}"
            total = float(hours[(days >= first) & (days < first + length)].sum())
            low = agent.min_weekly_hours if length == 7 else 0.0
            if total < low - 1e-6:
                out[f"contract_min_hours[{agent.agent}{week}]"] = low - total
            if total > agent.max_weekly_hours + 1e-6:
                out[f"contract_max_hours[{agent.agent}{week}]"] = total - agent.max_weekly_hours
        gaps = shifts.start_minute[mine][1:] - shifts.end_minute[mine][:-1]
        short = int((gaps < rest - 1e-9).sum())
        if short:
            out[f"min_rest[{agent.agent}]"] = float(short)
        worked = np.zeros(n_days, dtype=bool)
        worked[days] = True
        run = longest = 0
        for w in worked:
            run = run + 1 if w else 0
            longest = max(longest, run)
        if longest > rules.max_consecutive_days:
            out[f"max_consecutive_days[{agent.agent}]"] = float(
                longest - rules.max_consecutive_days
            )
        k = rules.consecutive_days_off
        for b in range(n_days // 7 if k else 0):
            block = worked[7 * b : 7 * b + 7]
            if not any(not block[d : d + k].any() for d in range(7 - k + 1)):
                out[f"days_off[{agent.agent} week {b + 1}]"] = 1.0
    return out


def _owner_from_pairs(assignment: _Assignment, instances: Instances) -> np.ndarray:
    """Instance -> agent from the solved (agent, shift) variables of the monolithic model."""
    chosen = np.rint(values(assignment.z)).astype(bool)
    owner = np.full(len(instances.shift), -1)
    for j in np.unique(assignment.pair_shift[chosen]):
        who = assignment.pair_agent[chosen & (assignment.pair_shift == j)]
        slots = np.flatnonzero(instances.shift == j)
        owner[slots[: len(who)]] = who[: len(slots)]
    return owner


def greedy_assignment(
    model: ShiftModel,
    agents: Sequence[Agent],
    eligible: np.ndarray,
    instances: Instances,
    rules: ScheduleRules,
    locked_pairs: set[tuple[int, int]],
) -> np.ndarray:
    """Construct a rule-respecting assignment of instances to agents (agent index or -1).

    Instances are taken day by day, hardest first (fewest eligible agents); each goes to
    the eligible agent who is free that day, stays within maximum hours, rest, start
    band, consecutive-day and days-off rules, and has the largest remaining
    minimum-hours deficit (ties: fewer preference misses and weekend shifts). It gives
    the MIP a feasible start and is kept if the MIP finds nothing better.
    """
    shifts, req = model.shifts, model.requirement
    _, n_days, _ = _horizon_scale(req)
    weekdays = np.asarray(pd.DatetimeIndex(req.local_dates()).day_of_week)
    n_agents = len(agents)
    min_hours, max_hours = _hour_bounds(agents, req)
    hours = np.zeros(n_agents)
    worked = np.zeros((n_agents, n_days), dtype=bool)
    end_on = np.full((n_agents, n_days), -np.inf)
    low_clock = np.full(n_agents, np.inf)
    high_clock = np.full(n_agents, -np.inf)
    weekend_count = np.zeros(n_agents)
    tol = np.inf if rules.start_tolerance_minutes is None else rules.start_tolerance_minutes
    rest = rules.min_rest_hours * 60.0
    k_off = rules.consecutive_days_off
    prefers_off = np.zeros((n_agents, 7), dtype=bool)
    early = np.array([a.preferred_start == "early" for a in agents])
    late = np.array([a.preferred_start == "late" for a in agents])
    for a, agent in enumerate(agents):
        prefers_off[a, list(agent.preferred_days_off)] = True
    owner = np.full(len(instances.shift), -1)
    locked_left = {(a, j) for a, j in locked_pairs}
    n_eligible = eligible.sum(axis=0)
    order = np.lexsort((n_eligible[instances.shift], shifts.day[instances.shift]))

    def take(inst: int, a: int) -> None:
        j = int(instances.shift[inst])
        d = int(shifts.day[j])
        owner[inst] = a
        hours[a] += shifts.paid_minutes[j] / 60.0
        worked[a, d] = True
        end_on[a, d] = shifts.end_minute[j]
        low_clock[a] = min(low_clock[a], shifts.clock_minute[j])
        high_clock[a] = max(high_clock[a], shifts.clock_minute[j])
        weekend_count[a] += weekdays[d] >= 5

    for a, j in sorted(locked_left):
        free = np.flatnonzero((instances.shift == j) & (owner < 0))
        if len(free):
            take(int(free[0]), a)
    for inst in order:
        if owner[inst] >= 0:
            continue
        j = int(instances.shift[inst])
        d = int(shifts.day[j])
        clock = shifts.clock_minute[j]
        paid = shifts.paid_minutes[j] / 60.0
        ok = eligible[:, j] & ~worked[:, d] & (hours + paid <= max_hours + 1e-9)
        ok &= np.maximum(high_clock, clock) - np.minimum(low_clock, clock) <= tol
        if d > 0:
            ok &= end_on[:, d - 1] + rest <= shifts.start_minute[j]
        if not ok.any():
            continue
        trial = worked.copy()
        trial[:, d] = True
        # longest run of working days through d
        run = np.ones(n_agents)
        for step in (-1, 1):
            probe = d + step
            alive = np.ones(n_agents, dtype=bool)
            while 0 <= probe < n_days:
                alive &= trial[:, probe]
                run += alive
                probe += step
        ok &= run <= rules.max_consecutive_days
        if k_off > 0 and d // 7 < n_days // 7:
            first = (d // 7) * 7
            block = trial[:, first : first + 7]
            windows = np.stack(
                [~block[:, w : w + k_off].any(axis=1) for w in range(7 - k_off + 1)], axis=1
            )
            ok &= windows.any(axis=1)
        if not ok.any():
            continue
        miss = prefers_off[:, weekdays[d]].astype(float)
        miss += early * (clock >= _NOON) + late * (clock < _NOON)
        score = (min_hours - hours) - rules.preference_weight * miss
        score -= rules.fairness_weight * weekend_count * (weekdays[d] >= 5)
        score = np.where(ok, score, -np.inf)
        take(int(inst), int(np.argmax(score)))
    return owner


def _start_from_owner(
    assignment: _Assignment, instances: Instances, owner: np.ndarray, counts: np.ndarray
) -> None:
    """Set every phase-2 variable's initial value from an instance -> agent assignment."""
    problem = assignment.problem
    for variable in problem.variables():
        variable.setInitialValue(0.0, check=False)
    taken = {(int(a), int(j)) for a, j in zip(owner, instances.shift, strict=True) if a >= 0}
    by_name = {v.name: v for v in problem.variables()}
    for k, (a, j) in enumerate(zip(assignment.pair_agent, assignment.pair_shift, strict=True)):
        if (int(a), int(j)) in taken:
            assignment.z[k].setInitialValue(1.0)
    assigned = np.bincount(instances.shift[owner >= 0], minlength=len(counts))
    for j in np.flatnonzero(counts > 0):
        by_name[f"miss_{j}"].setInitialValue(float(counts[j] - assigned[j]))
    # auxiliary binaries: days-off windows start at 1 (lowered by _repair); the start
    # band is the one anchored at the agent's earliest assigned start clock
    bands: dict[int, list[Any]] = {}
    for name, variable in by_name.items():
        if name.startswith("off_"):
            variable.setInitialValue(1.0)
        elif name.startswith("band_"):
            bands.setdefault(int(name.split("_")[1]), []).append(variable)
    clocks = assignment.shift_clock
    for a, members in bands.items():
        mine = instances.shift[owner == a]
        anchor = f"band_{a}_{int(clocks[mine].min())}" if len(mine) else members[0].name
        by_name[anchor].setInitialValue(1.0)
    _repair(problem)


def _repair(problem: pulp.LpProblem) -> None:
    """Make the initial values feasible by lowering auxiliary binaries and raising slacks.

    Day-off window binaries (``off_*``) start at 1 and are dropped to 0 wherever a row
    is violated; then every elastic slack (``slack_*``,
    ``*_excess_*``) is raised to what its rows need. Slacks only relax their own rows, so
    one pass each suffices.
    """
    rows = problem.constraints()
    for constraint in rows:
        if constraint.sense == pulp.LpConstraintLE and constraint.value() > 1e-9:
            for variable, coefficient in constraint.items():
                if variable.name.startswith("off_") and coefficient > 0:
                    variable.setInitialValue(0.0)
    for constraint in rows:
        violation = constraint.value()
        if constraint.sense == pulp.LpConstraintGE:
            violation = -violation
        elif constraint.sense == pulp.LpConstraintEQ:
            continue
        if violation <= 1e-9:
            continue
        for variable, coefficient in constraint.items():
            elastic = variable.name.startswith("slack_") or "_excess_" in variable.name
            relaxes = (
                coefficient < 0 if constraint.sense == pulp.LpConstraintLE else coefficient > 0
            )
            if elastic and relaxes:
                variable.setInitialValue((variable.varValue or 0.0) + violation / abs(coefficient))
                break


def _locked_pairs(
    locked: pd.DataFrame | None,
    agents: Sequence[Agent],
    templates: Sequence[ShiftTemplate],
    requirement: Requirement,
    shifts: ShiftSet,
) -> set[tuple[int, int]]:
    """Map a locked frame (agent, template, start, end) to (agent, shift) index pairs."""
    if locked is None or len(locked) == 0:
        return set()
    missing = [c for c in ("agent", "template", "start", "end") if c not in locked.columns]
    if missing:
        raise InputError(
            f"locked is missing column(s) {missing}. Fix: pass agent, template, start, end "
            "(e.g. rows of a previous result's segments grouped by shift)."
        )
    agent_index = {a.agent: i for i, a in enumerate(agents)}
    template_index = {t.name: i for i, t in enumerate(templates)}
    origin = requirement.starts[0]
    pairs: set[tuple[int, int]] = set()
    for row in locked.itertuples(index=False):
        a = agent_index.get(str(row.agent))
        t = template_index.get(str(row.template))
        start = (pd.Timestamp(str(row.start)) - origin) / pd.Timedelta(minutes=1)
        end = (pd.Timestamp(str(row.end)) - origin) / pd.Timedelta(minutes=1)
        hits = np.flatnonzero(
            (shifts.template == (t if t is not None else -1))
            & (shifts.start_minute == start)
            & (shifts.end_minute == end)
        )
        if a is None or len(hits) == 0:
            raise InputError(
                f"locked row agent={row.agent!r}, template={row.template!r}, start={row.start}, "
                f"end={row.end} does not match a known agent and a candidate shift. Fix: use "
                "an agent id, a template name and that template's start/end times."
            )
        pairs.add((a, int(hits[0])))
    return pairs


def build_roster(
    requirement: pd.DataFrame | pd.Series | np.ndarray,
    templates: Sequence[ShiftTemplate],
    agents: Sequence[Agent],
    *,
    rules: ScheduleRules | None = None,
    settings: SolverSettings | None = None,
    interval_starts: pd.DatetimeIndex | None = None,
    target_seconds: float = 20.0,
    locked: pd.DataFrame | None = None,
) -> ScheduleResult:
    """Roster named agents: shifts, breaks and days off under contracts and labour rules.

    Parameters
    ----------
    requirement : DataFrame, Series or array
        As for :func:`schedule_shifts`.
    templates : sequence of ShiftTemplate
        Shift families.
    agents : sequence of Agent
        Named agents with contracts, availability, skills and preferences.
    rules : ScheduleRules, optional
        Coverage prices and labour rules (rest, days off, consecutive days, start
        tolerance, fairness and preference weights).
    settings : SolverSettings, optional
        Solver settings; ``time_limit_seconds`` is the total for both phases (half each,
        unused phase-1 time goes to phase 2).
    interval_starts : pandas.DatetimeIndex, optional
        Aware interval starts when ``requirement`` is an array.
    target_seconds : float, default 20
        Answer-time target for the projected service level, in seconds.
    locked : DataFrame, optional
        Shifts fixed for re-planning: columns ``agent``, ``template``, ``start``, ``end``.

    Returns
    -------
    ScheduleResult
        ``gap`` is measured against the phase-1 (tour-level) bound, a lower bound on the
        labour + coverage cost of every roster that respects the rules.

    Raises
    ------
    InputError
        On bad requirement, templates, agents or locked rows.
    InfeasibleError
        When a rule group had to be relaxed and ``rules.on_infeasible == "raise"``.
    """
    rules = rules or ScheduleRules()
    settings = settings or SolverSettings()
    started = time.perf_counter()
    parsed = parse_requirement(requirement, interval_starts=interval_starts)
    templates = validate_inputs(templates)
    agents = check_agents(agents, templates, parsed.queues)
    model = build_shift_model(parsed, templates, rules)
    eligible = eligibility(agents, templates, parsed, model.shifts)
    check_workable(agents, eligible)
    locked_pairs = _locked_pairs(locked, agents, templates, parsed, model.shifts)
    for _, j in locked_pairs:
        n_locked = sum(1 for _, k in locked_pairs if k == j)
        variable = model.shift_vars[j]
        variable.lowBound = max(variable.lowBound or 0, n_locked)
    n_days = len(parsed.local_dates())
    monolithic = use_monolithic(settings, len(agents), n_days)
    phase1_settings = settings.model_copy(
        update={"time_limit_seconds": PHASE1_SHARE * settings.time_limit_seconds}
    )
    tour = None
    exact = None
    extras: list[tuple[int, int]] = []
    if monolithic:
        exact = build_assignment(
            model, agents, eligible, np.zeros(0), rules, locked_pairs, monolithic=True
        )
    else:
        tour = add_tour_model(model, agents, eligible, rules)
    if tour is None:
        phase1 = solve_with_lp_bound(model.problem, phase1_settings)
    else:
        phase1 = solve_tour_model(model, tour, agents, rules, phase1_settings)
    if phase1.status in ("infeasible", "no_solution"):
        raise SolverError(
            f"phase 1 ({'monolithic' if monolithic else 'tour'} model) returned "
            f"{phase1.status!r} after {phase1.solve_seconds:.1f} s. Fix: raise "
            "time_limit_seconds."
        )
    instances = decode_instances(model)
    counts = np.bincount(instances.shift, minlength=len(model.shifts)).astype(float)
    if exact is not None:
        owner = _owner_from_pairs(exact, instances)
    elif locked_pairs or tour is None:
        owner = greedy_assignment(model, agents, eligible, instances, rules, locked_pairs)
    else:
        owner, extras = hand_to_agents(model, tour, agents, instances, rules)
    n_pairs = int(eligible[:, counts > 0].sum())
    if n_pairs <= PHASE2_MAX_PAIRS or locked_pairs:
        assignment = build_assignment(model, agents, eligible, counts, rules, locked_pairs)
        _start_from_owner(assignment, instances, owner, counts)
        start_values = {v.name: v.varValue for v in assignment.problem.variables()}
        start_objective = float(pulp.value(assignment.problem.objective) or 0.0)
        left = settings.time_limit_seconds - (time.perf_counter() - started)
        phase2 = SolveReport("not_run", math.nan, math.nan, math.nan, 0.0, settings.solver)
        if left > 1.0:
            phase2 = solve(assignment.problem, settings, warm_start=True, time_limit_seconds=left)
        if phase2.status in ("infeasible", "no_solution", "not_run") or (
            phase2.objective > start_objective
        ):
            for variable in assignment.problem.variables():
                variable.varValue = start_values[variable.name]
            phase2 = replace(
                phase2,
                status="heuristic",
                objective=start_objective,
                gap=relative_gap(start_objective, phase2.best_bound),
            )
        chosen = np.rint(values(assignment.z)).astype(bool)
        conflicts = {
            name: float(v.varValue or 0.0)
            for name, v in assignment.slack_groups.items()
            if (v.varValue or 0.0) > 1e-6
        }
    else:
        assignment = _handover_assignment(model, agents, eligible, instances, owner, extras, rules)
        chosen = np.ones(len(assignment.pair_agent), dtype=bool)
        conflicts = handover_conflicts(model, agents, assignment, rules)
        phase2 = SolveReport("heuristic", math.nan, math.nan, math.nan, 0.0, settings.solver)
    instances, keep, names = _assign_instances(instances, assignment, chosen, agents, model)
    segments_off = _off_segments(
        parsed,
        model.shifts.day[instances.shift],
        model.shifts.end_minute[instances.shift],
        keep,
        names,
        agents,
    )
    agent_frame = _agent_frame(model, instances, keep, names, agents, rules, assignment)
    return finish_result(
        model,
        instances,
        keep,
        names,
        [phase1, phase2],
        target_seconds,
        agent_frame,
        conflicts,
        extra_segments=segments_off,
        mip_gap=settings.mip_gap,
    )


def _assign_instances(
    instances: Instances,
    assignment: _Assignment,
    chosen: np.ndarray,
    agents: Sequence[Agent],
    model: ShiftModel,
) -> tuple[Instances, np.ndarray, list[str]]:
    """Hand each shift's instances (in order) to the agents assigned to that shift.

    Extra copies (more agents than phase-1 instances) reuse the break placements of the
    shift's first instance.
    """
    templates, shifts = model.templates, model.shifts
    order = np.argsort(instances.shift, kind="stable")
    first = np.searchsorted(instances.shift[order], np.arange(len(shifts) + 1))
    new_shift: list[int] = []
    new_breaks: list[tuple[int, int, int, object]] = []
    owners: dict[int, int] = {}
    next_instance = len(instances.shift)
    for j in np.unique(assignment.pair_shift[chosen]):
        who = assignment.pair_agent[chosen & (assignment.pair_shift == j)]
        slots = list(order[first[j] : first[j + 1]]) if j + 1 < len(first) else []
        template_instance = slots[0] if slots else -1
        for a in who:
            if slots:
                owners[int(slots.pop(0))] = int(a)
                continue
            new_shift.append(int(j))
            if template_instance < 0:
                # a repair shift phase 1 did not use: each break at its earliest start
                for rule in templates[int(shifts.template[j])].breaks_for(
                    int(shifts.paid_minutes[j])
                ):
                    new_breaks.append(
                        (
                            next_instance,
                            rule.earliest_start_minutes,
                            rule.length_minutes,
                            rule.activity,
                        )
                    )
            for b in np.flatnonzero(instances.break_instance == template_instance):
                new_breaks.append(
                    (
                        next_instance,
                        int(instances.break_offset[b]),
                        int(instances.break_length[b]),
                        instances.break_activity[b],
                    )
                )
            owners[next_instance] = int(a)
            next_instance += 1
    if new_shift:
        extra_breaks: list[tuple[Any, ...]] = (
            list(zip(*new_breaks, strict=True)) if new_breaks else [(), (), (), ()]
        )
        instances = Instances(
            np.concatenate([instances.shift, np.asarray(new_shift, dtype=np.int64)]),
            np.concatenate([instances.break_instance, np.asarray(extra_breaks[0], dtype=np.int64)]),
            np.concatenate([instances.break_offset, np.asarray(extra_breaks[1], dtype=np.int64)]),
            np.concatenate([instances.break_length, np.asarray(extra_breaks[2], dtype=np.int64)]),
            np.concatenate([instances.break_activity, np.asarray(extra_breaks[3], dtype=object)]),
        )
    keep = np.zeros(len(instances.shift), dtype=bool)
    names = [""] * len(instances.shift)
    for inst, a in owners.items():
        keep[inst] = True
        names[inst] = agents[a].agent
    return instances, keep, names


def _off_segments(
    requirement: Requirement,
    instance_day: np.ndarray,
    instance_end_minute: np.ndarray,
    keep: np.ndarray,
    names: list[str],
    agents: Sequence[Agent],
) -> pd.DataFrame:
    """One ``off`` segment per agent and local day without a shift (clipped to horizon).

    An off day starts at local midnight, or later when the agent's shift of the day before
    runs past midnight (the off segment then starts when that shift ends), so an agent's
    segments never overlap.
    """
    dates = pd.DatetimeIndex(requirement.local_dates())
    midnights = dates.tz_localize(requirement.tz, ambiguous=True, nonexistent="shift_forward")
    horizon_end = requirement.starts[-1] + pd.Timedelta(minutes=requirement.interval_minutes)
    day_start = midnights.where(midnights >= requirement.starts[0], requirement.starts[0])
    next_midnights = (dates + pd.Timedelta(days=1)).tz_localize(
        requirement.tz, ambiguous=True, nonexistent="shift_forward"
    )
    day_end = next_midnights.where(next_midnights <= horizon_end, horizon_end)
    worked: set[tuple[str, int]] = set()
    spill_end: dict[tuple[str, int], pd.Timestamp] = {}
    for inst in np.flatnonzero(keep):
        day = int(instance_day[inst])
        worked.add((names[inst], day))
        shift_end = requirement.starts[0] + pd.Timedelta(minutes=int(instance_end_minute[inst]))
        if day + 1 < len(dates) and shift_end > day_start[day + 1]:
            spill_end[(names[inst], day + 1)] = shift_end
    return_rows = []
    for agent in agents:
        for d in range(len(dates)):
            if (agent.agent, d) not in worked:
                start = max(day_start[d], spill_end.get((agent.agent, d), day_start[d]))
                if start < day_end[d]:
                    return_rows.append((agent.agent, "off", start, day_end[d], "", "", ""))
    return pd.DataFrame(
        return_rows,
        columns=list(SEGMENT_COLUMNS),
    )


def _agent_frame(
    model: ShiftModel,
    instances: Instances,
    keep: np.ndarray,
    names: list[str],
    agents: Sequence[Agent],
    rules: ScheduleRules,
    assignment: _Assignment,
) -> pd.DataFrame:
    """Per-agent hours, rule figures and fairness."""
    shifts = model.shifts
    low_hours, high_hours = _hour_bounds(agents, model.requirement)
    weekdays = np.asarray(pd.DatetimeIndex(model.requirement.local_dates()).day_of_week)
    weekend, unsocial = _fairness_flags(shifts, weekdays, rules)
    sel = np.flatnonzero(keep)
    j = instances.shift[sel]
    table = pd.DataFrame(
        {
            "agent": [names[i] for i in sel],
            "paid_hours": shifts.paid_minutes[j] / 60.0,
            "day": shifts.day[j],
            "start": shifts.start_minute[j],
            "end": shifts.end_minute[j],
            "weekend": weekend[j],
            "unsocial": unsocial[j],
            "clock": shifts.clock_minute[j],
            "weekday": weekdays[shifts.day[j]],
        }
    ).sort_values(["agent", "start"])
    rows: list[dict[str, Any]] = []
    for agent in agents:
        mine = table[table["agent"] == agent.agent]
        gaps = (mine["start"].to_numpy()[1:] - mine["end"].to_numpy()[:-1]) / 60.0
        days = np.sort(mine["day"].to_numpy())
        run = longest = 0
        previous = -2
        for d in days:
            run = run + 1 if d == previous + 1 else 1
            longest = max(longest, run)
            previous = d
        misses = int(np.isin(mine["weekday"], agent.preferred_days_off).sum())
        if agent.preferred_start == "early":
            misses += int((mine["clock"] >= _NOON).sum())
        elif agent.preferred_start == "late":
            misses += int((mine["clock"] < _NOON).sum())
        weekend_count = int(mine["weekend"].sum())
        unsocial_count = int(mine["unsocial"].sum())
        rows.append(
            {
                "agent": agent.agent,
                "paid_hours": float(mine["paid_hours"].sum()),
                "min_hours": float(low_hours[len(rows)]),
                "max_hours": float(high_hours[len(rows)]),
                "shifts": len(mine),
                "min_rest_hours": float(gaps.min()) if len(gaps) else math.nan,
                "longest_run_days": int(longest),
                "weekend_shifts": weekend_count,
                "unsocial_shifts": unsocial_count,
                "weekend_excess": max(weekend_count - assignment.weekend_target, 0.0),
                "unsocial_excess": max(unsocial_count - assignment.unsocial_target, 0.0),
                "preference_misses": misses,
                "start_spread_minutes": int(mine["clock"].max() - mine["clock"].min())
                if len(mine)
                else 0,
            }
        )
    return pd.DataFrame(rows)
