"""Phase 1 of the roster: an implicit tour model per eligibility/contract profile.

Agents with the same eligible shifts and the same weekly hours form a *profile*. For
each profile and 7-day block of the horizon the model chooses how many of the profile's
agents work each day-on/day-off *pattern* (Bailey 1985), and how many of them work each
shift on each day (daily shift variables with the implicit break placements of
:mod:`wfm.schedule.shifts`, Aykin 1996; Brusco & Jacobs 2000). Patterns carry the
day rules (availability by weekday, consecutive days off, maximum consecutive working
days, whole-shift weekly hours); the day link makes the agents working a day equal the
shifts worked that day; flows between blocks carry the working-day run across a week
boundary; aggregate rest rows bound what the 11-hour rest allows between two days.
:func:`hand_to_agents` then turns a solution into a named roster day by day.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
import pulp
from scipy.optimize import linear_sum_assignment

from wfm.schedule._assemble import Instances
from wfm.schedule._build import RULE_PENALTY
from wfm.schedule._solver import SolveReport, relative_gap, solve, solve_relaxation
from wfm.schedule.models import Agent, ScheduleRules, SolverSettings
from wfm.schedule.shifts import ShiftModel, set_start_from_counts

_NOON = 12 * 60
_FORBIDDEN = 1.0e9
_HOURS_WEIGHT = 100.0
IMPROVE_SHARE = 0.6
"""Share of the phase-1 time the day-by-day improvement of the first incumbent may use."""
FULL_BOUND_SHARE = 0.1
"""Most share of the phase-1 time the full model's MIP may use to prove its bound after
the MIP over the patterns whose hours always fit stopped early (bound only)."""
IMPROVE_SWEEPS = 3
"""Most sweeps over the days of the day-by-day improvement."""


@dataclass
class Profile:
    """Agents that are interchangeable for every hard rule of phase 1."""

    agents: np.ndarray  # agent indices
    shifts: np.ndarray  # eligible shift indices
    min_hours: float
    max_hours: float


@dataclass
class BlockPatterns:
    """Day patterns of one profile in one 7-day block, and their variables."""

    first_day: int
    worked: np.ndarray  # (patterns, block days) bool
    variables: list[Any]
    lead: np.ndarray  # worked days at the start of the block
    trail: np.ndarray  # worked days at the end of the block


@dataclass
class TourModel:
    """The tour-level pieces added to a shift model."""

    profiles: list[Profile]
    blocks: list[list[BlockPatterns]]  # [profile][block]
    profile_shift_vars: list[dict[int, Any]]  # [profile] shift -> variable
    n_days: int
    pattern_penalties: list[tuple[Any, float]] = field(default_factory=list)
    # patterns of mixed-length profiles whose whole-shift totals may miss the contract,
    # in blocks where patterns that always meet it exist (see solve_tour_model)
    unsafe: list[Any] = field(default_factory=list)


def block_bounds(n_days: int) -> list[tuple[int, int]]:
    """(first day, days) of each 7-day block counted from the horizon start."""
    return [(first, min(7, n_days - first)) for first in range(0, n_days, 7)]


def find_profiles(agents: Sequence[Agent], eligible: np.ndarray) -> list[Profile]:
    """Group agents by eligible shifts and contract hours, in order of first agent."""
    groups: dict[tuple[bytes, float, float], list[int]] = {}
    for a, agent in enumerate(agents):
        key = (eligible[a].tobytes(), agent.min_weekly_hours, agent.max_weekly_hours)
        groups.setdefault(key, []).append(a)
    return [
        Profile(
            np.asarray(members),
            np.flatnonzero(eligible[members[0]]),
            agents[members[0]].min_weekly_hours,
            agents[members[0]].max_weekly_hours,
        )
        for members in groups.values()
    ]


def _runs(worked: np.ndarray) -> tuple[int, int, int]:
    """(longest run, leading run, trailing run) of worked days in one block."""
    longest = run = 0
    for w in worked:
        run = run + 1 if w else 0
        longest = max(longest, run)
    lead = int(np.argmin(worked)) if not worked.all() else len(worked)
    trail = int(np.argmin(worked[::-1])) if not worked.all() else len(worked)
    return longest, lead, trail


def _hour_distance(day_lengths: list[np.ndarray], low: float, high: float) -> tuple[float, bool]:
    """Hours outside ``[low, high]`` of the best whole-shift total, and whether every total fits.

    ``day_lengths`` lists the paid hours of the shifts possible on each worked day.
    """
    totals = {0.0}
    for lengths in day_lengths:
        totals = {round(t + float(h), 6) for t in totals for h in np.unique(lengths)}
    distance = min(max(low - t, 0.0) + max(t - high, 0.0) for t in totals)
    every = all(low - 1e-9 <= t <= high + 1e-9 for t in totals)
    return distance, every


def enumerate_patterns(
    day_lengths: list[np.ndarray],
    full_block: bool,
    min_hours: float,
    max_hours: float,
    rules: ScheduleRules,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Day patterns of one block for one profile.

    Parameters
    ----------
    day_lengths : list of numpy.ndarray
        Paid hours of the profile's eligible shifts on each day of the block (empty:
        the profile cannot work that day).
    full_block : bool
        Whether the block has 7 days (days-off and minimum-hours rules apply only then).
    min_hours, max_hours : float
        Contract hours per block.
    rules : ScheduleRules
        ``consecutive_days_off`` and ``max_consecutive_days``.

    Returns
    -------
    worked : numpy.ndarray
        (patterns, days) boolean.
    penalty_hours : numpy.ndarray
        Hours each pattern misses the contract by (0 for every kept pattern unless no
        pattern can meet the contract; then the closest ones are kept).
    exact_hours : bool
        True when every whole-shift total of every kept pattern meets the contract, so
        the hours rule needs no aggregate row.
    """
    n = len(day_lengths)
    can = np.array([len(x) > 0 for x in day_lengths])
    low = min_hours if full_block else 0.0
    k_off = rules.consecutive_days_off if full_block else 0
    kept: list[tuple[np.ndarray, float, bool]] = []
    for mask in range(1 << n):
        worked = np.array([(mask >> d) & 1 for d in range(n)], dtype=bool)
        if (worked & ~can).any():
            continue
        longest, _, _ = _runs(worked)
        if longest > rules.max_consecutive_days:
            continue
        if k_off and not any(not worked[d : d + k_off].any() for d in range(n - k_off + 1)):
            continue
        lengths = [day_lengths[d] for d in np.flatnonzero(worked)]
        distance, every = _hour_distance(lengths, low, max_hours)
        kept.append((worked, distance, every))
    best = min(k[1] for k in kept)
    chosen = [k for k in kept if k[1] <= best + 1e-9]
    return (
        np.array([k[0] for k in chosen], dtype=bool).reshape(len(chosen), n),
        np.array([k[1] for k in chosen]),
        all(k[2] for k in chosen),
    )


def _expression(pairs: list[tuple[Any, float]]) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression(pairs)


def add_tour_model(
    model: ShiftModel, agents: Sequence[Agent], eligible: np.ndarray, rules: ScheduleRules
) -> TourModel:
    """Add pattern, day-link, hours, run and rest rows for every profile to ``model``.

    Every roster that respects the rules gives a solution of the extended model with the
    same labour and coverage cost, so its optimum is a lower bound (the tour bound).
    """
    shifts, problem = model.shifts, model.problem
    n_days = len(model.requirement.local_dates())
    profiles = find_profiles(agents, eligible)
    paid_hours = shifts.paid_minutes / 60.0
    rest = rules.min_rest_hours * 60.0
    # shift variable per profile (the shift's own variable when one profile can work it)
    able = np.array([eligible[p.agents[0]] for p in profiles])  # (profiles, shifts)
    n_able = able.sum(axis=0)
    for j in np.flatnonzero(n_able == 0):
        model.shift_vars[j].upBound = 0  # no agent can work it: it cannot enter phase 1
    per_profile: list[dict[int, Any]] = [{} for _ in profiles]
    for j in np.flatnonzero(n_able > 0):
        holders = np.flatnonzero(able[:, j])
        if len(holders) == 1:
            per_profile[int(holders[0])][int(j)] = model.shift_vars[j]
            continue
        parts = []
        for holder in holders:
            variable = problem.add_variable(f"xp_{holder}_{j}", lowBound=0, cat=pulp.LpInteger)
            per_profile[int(holder)][int(j)] = variable
            parts.append((variable, 1.0))
        problem.addConstraint(
            pulp.LpConstraint(
                _expression([*parts, (model.shift_vars[j], -1.0)]), pulp.LpConstraintEQ, rhs=0.0
            ),
            name=f"profile_split_{j}",
        )
    tour = TourModel(profiles, [], per_profile, n_days)
    penalty_terms: list[tuple[Any, float]] = []
    for p, profile in enumerate(profiles):
        n_agents = float(len(profile.agents))
        mine = profile.shifts
        day_of = shifts.day[mine]
        blocks: list[BlockPatterns] = []
        for b, (first, length) in enumerate(block_bounds(n_days)):
            day_lengths = [paid_hours[mine[day_of == first + i]] for i in range(length)]
            worked, penalty, exact = enumerate_patterns(
                day_lengths, length == 7, profile.min_hours, profile.max_hours, rules
            )
            variables = [
                problem.add_variable(f"pat_{p}_{b}_{w}", lowBound=0, cat=pulp.LpInteger)
                for w in range(len(worked))
            ]
            runs = [_runs(row) for row in worked]
            if not exact and len(profile.agents) > 1:
                # (with one agent the profile's aggregate hours rows below are that
                # agent's own weekly hours, so every pattern hands over as solved)
                low_block = profile.min_hours if length == 7 else 0.0
                safe = np.array(
                    [
                        _hour_distance(
                            [day_lengths[i] for i in np.flatnonzero(row)],
                            low_block,
                            profile.max_hours,
                        )[1]
                        for row in worked
                    ]
                )
                if safe.any():
                    tour.unsafe += [v for v, ok in zip(variables, safe, strict=True) if not ok]
            blocks.append(
                BlockPatterns(
                    first,
                    worked,
                    variables,
                    np.array([r[1] for r in runs]),
                    np.array([r[2] for r in runs]),
                )
            )
            problem.addConstraint(
                pulp.LpConstraint(
                    _expression([(v, 1.0) for v in variables]), pulp.LpConstraintEQ, rhs=n_agents
                ),
                name=f"tour_agents_{p}_{b}",
            )
            penalty_terms += [
                (v, RULE_PENALTY * float(h))
                for v, h in zip(variables, penalty, strict=True)
                if h > 0
            ]
            # day link: shifts of the profile on a day = its agents whose pattern works it
            for i in range(length):
                day = first + i
                terms = [(per_profile[p][int(j)], 1.0) for j in mine[day_of == day]]
                terms += [(v, -1.0) for v, w in zip(variables, worked[:, i], strict=True) if w]
                problem.addConstraint(
                    pulp.LpConstraint(_expression(terms), pulp.LpConstraintEQ, rhs=0.0),
                    name=f"tour_day_{p}_{day}",
                )
            if not exact:
                # whole shifts may total anything between the pattern's extremes: keep the
                # profile's hours inside its contract in aggregate (a relaxation)
                in_block = (day_of >= first) & (day_of < first + length)
                hours = [(per_profile[p][int(j)], float(paid_hours[j])) for j in mine[in_block]]
                low = profile.min_hours if length == 7 else 0.0
                floor_terms = [
                    (v, -min(low, _best_hours(worked[w], day_lengths)))
                    for w, v in enumerate(variables)
                ]
                problem.addConstraint(
                    pulp.LpConstraint(
                        _expression(hours + floor_terms), pulp.LpConstraintGE, rhs=0.0
                    ),
                    name=f"tour_min_hours_{p}_{b}",
                )
                problem.addConstraint(
                    pulp.LpConstraint(
                        _expression(hours), pulp.LpConstraintLE, rhs=n_agents * profile.max_hours
                    ),
                    name=f"tour_max_hours_{p}_{b}",
                )
        tour.blocks.append(blocks)
        off_both = _add_block_flows(problem, p, blocks, rules)
        _add_rest_rows(problem, model, p, profile, per_profile[p], blocks, off_both, rest)
    if penalty_terms:
        problem.setObjective(problem.objective + _expression(penalty_terms))
    tour.pattern_penalties = penalty_terms
    return tour


def _best_hours(worked: np.ndarray, day_lengths: list[np.ndarray]) -> float:
    """Largest whole-shift total of a pattern (hours)."""
    return float(sum(day_lengths[d].max() for d in np.flatnonzero(worked)))


def _add_block_flows(
    problem: pulp.LpProblem, p: int, blocks: list[BlockPatterns], rules: ScheduleRules
) -> dict[int, Any]:
    """Link consecutive blocks by (trailing run, leading run) flows; return off-both terms.

    The flow from trailing run t of block b to leading run l of block b+1 counts agents
    ending block b with t worked days and starting block b+1 with l; only pairs with
    ``t + l <= max_consecutive_days`` exist. Returns, per first day of each later block,
    the flow of agents off on both sides of the boundary (t = l = 0).
    """
    off_both: dict[int, Any] = {}
    limit = rules.max_consecutive_days
    for b, (left, right) in enumerate(pairwise(blocks)):
        flows: dict[tuple[int, int], Any] = {}
        for t in np.unique(left.trail):
            for lead in np.unique(right.lead):
                if t + lead <= limit:
                    flows[(int(t), int(lead))] = problem.add_variable(
                        f"flow_{p}_{b}_{t}_{lead}", lowBound=0
                    )
        for t in np.unique(left.trail):
            terms = [(v, 1.0) for (tt, _), v in flows.items() if tt == t]
            terms += [
                (v, -1.0) for v, tr in zip(left.variables, left.trail, strict=True) if tr == t
            ]
            problem.addConstraint(
                pulp.LpConstraint(_expression(terms), pulp.LpConstraintEQ, rhs=0.0),
                name=f"tour_flow_out_{p}_{b}_{t}",
            )
        for lead in np.unique(right.lead):
            terms = [(v, 1.0) for (_, ll), v in flows.items() if ll == lead]
            terms += [
                (v, -1.0) for v, ld in zip(right.variables, right.lead, strict=True) if ld == lead
            ]
            problem.addConstraint(
                pulp.LpConstraint(_expression(terms), pulp.LpConstraintEQ, rhs=0.0),
                name=f"tour_flow_in_{p}_{b}_{lead}",
            )
        if (0, 0) in flows:
            off_both[right.first_day] = flows[(0, 0)]
    return off_both


def _add_rest_rows(
    problem: pulp.LpProblem,
    model: ShiftModel,
    p: int,
    profile: Profile,
    variables: dict[int, Any],
    blocks: list[BlockPatterns],
    off_both: dict[int, Any],
    rest: float,
) -> None:
    """Aggregate rest rows for each pair of consecutive days.

    For an end time e on day d: the profile's shifts on d ending at or after e plus its
    shifts on d+1 starting before e + rest are at most the profile's agents working d
    or d+1 (each such agent can work at most one of them). For two days this is exactly
    Hall's condition for pairing day-d and day-(d+1) shifts under the rest rule.
    """
    shifts = model.shifts
    mine = profile.shifts
    start, end, day = shifts.start_minute[mine], shifts.end_minute[mine], shifts.day[mine]
    n_agents = float(len(profile.agents))
    block_of_day = {}
    for block in blocks:
        for i in range(block.worked.shape[1]):
            block_of_day[block.first_day + i] = (block, i)
    for d in range(len(block_of_day) - 1):
        today, tomorrow = day == d, day == d + 1
        if not today.any() or not tomorrow.any():
            continue
        ends = np.unique(end[today])
        conflict = ends[ends + rest > start[tomorrow].min()]
        if len(conflict) == 0:
            continue
        block, i = block_of_day[d]
        next_block, i_next = block_of_day[d + 1]
        if block is next_block:
            off = [
                (v, 1.0)
                for v, w in zip(block.variables, block.worked, strict=True)
                if not w[i] and not w[i + 1]
            ]
        else:
            off = [(off_both[d + 1], 1.0)] if d + 1 in off_both else []
        del next_block, i_next
        for e in conflict:
            first = mine[today & (end >= e)]
            second = mine[tomorrow & (start < e + rest)]
            if len(second) == 0:
                continue
            terms = [(variables[int(j)], 1.0) for j in np.concatenate([first, second])]
            problem.addConstraint(
                pulp.LpConstraint(_expression(terms + off), pulp.LpConstraintLE, rhs=n_agents),
                name=f"tour_rest_{p}_{d}_{int(e)}",
            )


def pattern_counts(tour: TourModel) -> list[list[np.ndarray]]:
    """Integer pattern counts of the solved model, [profile][block] -> counts."""
    return [
        [np.rint([v.varValue or 0.0 for v in block.variables]).astype(np.int64) for block in blocks]
        for blocks in tour.blocks
    ]


def profile_shift_counts(tour: TourModel, n_shifts: int) -> np.ndarray:
    """(profiles, shifts) integer counts of the solved model."""
    out = np.zeros((len(tour.profiles), n_shifts), dtype=np.int64)
    for p, variables in enumerate(tour.profile_shift_vars):
        for j, v in variables.items():
            out[p, j] = round(v.varValue or 0.0)
    return out


def hand_to_agents(
    model: ShiftModel,
    tour: TourModel,
    agents: Sequence[Agent],
    instances: Instances,
    rules: ScheduleRules,
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Give every phase-1 shift instance to a named agent of its profile (-1: none).

    1. Patterns to agents, block by block, as an assignment problem: an agent whose last
       block ended with a run of t worked days may only take a pattern starting with at
       most ``max_consecutive_days - t`` worked days; among those, preferred days off
       are honoured where possible.
    2. Shifts to agents, day by day, as an assignment problem among the agents whose
       pattern works that day: pairs that break the rest rule after the agent's previous
       shift are forbidden; agents who also work the next day get the earlier-ending
       shifts (which leaves the most room for the next day's rest); start preferences
       are honoured where possible.

    Repair: an agent whom no phase-1 shift of the day suits (rest or contract hours)
    takes an extra copy of the day's legal shift that suits best, and the instance left
    over stays unassigned; these repairs cost more than phase 1 and show in the gap.
    Returns the owner of every instance and the extra (agent, shift) copies.
    """
    shifts = model.shifts
    weekdays = np.asarray(pd.DatetimeIndex(model.requirement.local_dates()).day_of_week)
    rest = rules.min_rest_hours * 60.0
    counts = pattern_counts(tour)
    paid = shifts.paid_minutes / 60.0
    per_profile = profile_shift_counts(tour, len(shifts))
    owner = np.full(len(instances.shift), -1)
    extras: list[tuple[int, int]] = []
    # split each shift's instances among profiles by the profile counts
    instance_profile = np.full(len(instances.shift), -1)
    order = np.argsort(instances.shift, kind="stable")
    sorted_shift = instances.shift[order]
    starts = np.searchsorted(sorted_shift, np.arange(len(shifts) + 1))
    for j in np.unique(instances.shift):
        slots = order[starts[j] : starts[j + 1]]
        cursor = 0
        for holder in np.flatnonzero(per_profile[:, j]):
            take = slots[cursor : cursor + per_profile[holder, j]]
            instance_profile[take] = holder
            cursor += per_profile[holder, j]
    unsocial = (shifts.clock_minute < _clock(rules.unsocial_before)) | (
        shifts.clock_minute + shifts.elapsed_minutes > _clock(rules.unsocial_after)
    )
    for p, profile in enumerate(tour.profiles):
        members = profile.agents
        worked, _ = _patterns_to_agents(tour.blocks[p], counts[p], members, agents, weekdays, rules)
        last_end = np.full(len(members), -np.inf)
        unsocial_count = np.zeros(len(members))
        lengths = paid[profile.shifts]
        low_len, high_len = lengths.min(), lengths.max()
        used = np.zeros(len(members))
        for d in range(tour.n_days):
            block = tour.blocks[p][d // 7]
            if d % 7 == 0:
                used[:] = 0.0
            working = np.flatnonzero(worked[:, d])
            todo = np.flatnonzero((instance_profile == p) & (shifts.day[instances.shift] == d))
            if len(working) == 0 or len(todo) == 0:
                continue
            j = instances.shift[todo]
            start, end = shifts.start_minute[j], shifts.end_minute[j]
            clock = shifts.clock_minute[j]
            cost = np.zeros((len(working), len(todo)))
            cost += _FORBIDDEN * (last_end[working][:, None] + rest > start[None, :])
            if high_len > low_len:
                # whole-shift hours: forbid lengths that make the contract unreachable, and
                # give the longer shifts to agents who need more hours per remaining day
                width = block.worked.shape[1]
                low = profile.min_hours if width == 7 else 0.0
                left = worked[working, d + 1 : block.first_day + width].sum(axis=1)
                after = used[working][:, None] + paid[j][None, :]
                fits = after + left[:, None] * low_len <= profile.max_hours + 1e-9
                fits &= after + left[:, None] * high_len >= low - 1e-9
                cost += _FORBIDDEN * ~fits
                need = (low - used[working]) / (left + 1.0)
                cost += _HOURS_WEIGHT * np.maximum(need[:, None] - paid[j][None, :], 0.0)
            tomorrow = worked[working, d + 1] if d + 1 < tour.n_days else np.zeros(len(working))
            cost += tomorrow[:, None] * (end - end.min())[None, :] / 60.0
            cost += _start_misses(agents, members[working], clock) * rules.preference_weight
            # spread unsocial shifts: the more an agent already has, the dearer the next
            cost += rules.fairness_weight * unsocial_count[working][:, None] * unsocial[j][None, :]
            rows, cols = linear_sum_assignment(cost)
            for r, c in zip(rows, cols, strict=True):
                if cost[r, c] >= _FORBIDDEN:
                    # repair: an extra copy of the legal shift of the day that suits best
                    a = working[r]
                    shift = _repair_shift(model, profile, tour, worked, a, d, used[a], last_end[a])
                    if shift < 0:
                        continue
                    extras.append((int(members[a]), shift))
                else:
                    shift = int(j[c])
                    owner[todo[c]] = members[working[r]]
                last_end[working[r]] = shifts.end_minute[shift]
                unsocial_count[working[r]] += unsocial[shift]
                used[working[r]] += paid[shift]
    return owner, extras


def _repair_shift(
    model: ShiftModel,
    profile: Profile,
    tour: TourModel,
    worked: np.ndarray,
    a: int,
    d: int,
    used: float,
    last_end: float,
) -> int:
    """Legal shift of day ``d`` for profile agent ``a`` (rest, reachable hours), or -1.

    Among the profile's shifts that day that keep the rest after the agent's previous
    shift and leave its contract hours reachable, the one phase 1 used most (ties: the
    first listed).
    """
    shifts = model.shifts
    mine = profile.shifts[shifts.day[profile.shifts] == d]
    if len(mine) == 0:
        return -1
    paid = shifts.paid_minutes / 60.0
    lengths = paid[profile.shifts]
    first = (d // 7) * 7
    width = min(7, tour.n_days - first)
    low = profile.min_hours if width == 7 else 0.0
    left = int(worked[a, d + 1 : first + width].sum())
    rest = model.rules.min_rest_hours * 60.0
    after = used + paid[mine]
    legal = (last_end + rest <= shifts.start_minute[mine]) & (
        after + left * lengths.min() <= profile.max_hours + 1e-9
    )
    legal &= after + left * lengths.max() >= low - 1e-9
    if not legal.any():
        return -1
    counts = np.array([model.shift_vars[int(j)].varValue or 0.0 for j in mine])
    options = np.flatnonzero(legal)
    return int(mine[options[np.argmax(counts[options])]])


def _clock(value: dt.time) -> int:
    """Minutes after midnight of a wall-clock time."""
    return value.hour * 60 + value.minute


def _start_misses(agents: Sequence[Agent], who: np.ndarray, clock: np.ndarray) -> np.ndarray:
    """(agents, shifts) count of missed early/late start preferences."""
    early = np.array([agents[a].preferred_start == "early" for a in who])
    late = np.array([agents[a].preferred_start == "late" for a in who])
    return np.asarray(
        early[:, None] * (clock >= _NOON)[None, :] + late[:, None] * (clock < _NOON)[None, :],
        dtype=float,
    )


def _patterns_to_agents(
    blocks: list[BlockPatterns],
    counts: list[np.ndarray],
    members: np.ndarray,
    agents: Sequence[Agent],
    weekdays: np.ndarray,
    rules: ScheduleRules,
) -> tuple[np.ndarray, np.ndarray]:
    """Worked flags (profile agents, days) and pattern index (agents, blocks) from counts.

    An agent whose run into the block would be too long with every pattern left takes
    the most used pattern that keeps its run legal instead (counts then change).
    """
    n_days = sum(block.worked.shape[1] for block in blocks)
    worked = np.zeros((len(members), n_days), dtype=bool)
    chosen_all = np.zeros((len(members), len(blocks)), dtype=np.int64)
    trail = np.zeros(len(members), dtype=np.int64)
    weekend_count = np.zeros(len(members))
    prefers_off = np.zeros((len(members), 7), dtype=bool)
    for i, a in enumerate(members):
        prefers_off[i, list(agents[a].preferred_days_off)] = True
    for b, (block, count) in enumerate(zip(blocks, counts, strict=True)):
        slots = np.repeat(np.arange(len(count)), np.maximum(count, 0))
        if len(slots) != len(members):  # numerical trouble: fill with the first pattern
            slots = np.resize(slots if len(slots) else np.zeros(1, np.int64), len(members))
        days = block.first_day + np.arange(block.worked.shape[1])
        pattern = block.worked[slots]  # (slots, block days)
        misses = prefers_off[:, weekdays[days]].astype(float) @ pattern.T.astype(float)
        too_long = trail[:, None] + block.lead[slots][None, :] > rules.max_consecutive_days
        weekend_days = pattern[:, weekdays[days] >= 5].sum(axis=1)
        # spread weekend work over the blocks: dearer for agents with more weekends so far
        cost = misses * rules.preference_weight + _FORBIDDEN * too_long
        cost += rules.fairness_weight * weekend_count[:, None] * weekend_days[None, :]
        rows, cols = linear_sum_assignment(cost)
        chosen = np.empty(len(members), dtype=np.int64)
        chosen[rows] = slots[cols]
        for r in rows[cost[rows, cols] >= _FORBIDDEN]:
            legal = np.flatnonzero(trail[r] + block.lead <= rules.max_consecutive_days)
            if len(legal):
                chosen[r] = legal[np.argmax(count[legal])]
        chosen_all[:, b] = chosen
        worked[:, days] = block.worked[chosen]
        weekend_count += block.worked[chosen][:, weekdays[days] >= 5].sum(axis=1)
        full = block.worked[chosen].all(axis=1)
        trail = np.where(full, trail + block.worked.shape[1], block.trail[chosen])
    return worked, chosen_all


def _round_to_total(values: np.ndarray, total: int) -> np.ndarray:
    """Non-negative integers summing to ``total``, proportional to ``values``.

    Floors of the scaled values plus one for the largest remainders (ties: first index).
    """
    weights = np.clip(np.asarray(values, dtype=float), 0.0, None)
    if total <= 0 or len(weights) == 0:
        return np.zeros(len(weights), dtype=np.int64)
    if weights.sum() <= 1e-12:
        weights = np.ones(len(weights))
    scaled = weights * total / weights.sum()
    out: np.ndarray = np.floor(scaled + 1e-9).astype(np.int64)
    short = total - int(out.sum())
    if short > 0:
        order = np.argsort(-(scaled - out), kind="stable")
        out[order[:short]] += 1
    return out


def constructive_start(
    model: ShiftModel, tour: TourModel, agents: Sequence[Agent], rules: ScheduleRules
) -> bool:
    """Build a rule-respecting roster from the LP solution and load it as initial values.

    Patterns: the LP pattern counts rounded to whole agents, handed to agents with legal
    runs. Shifts: day by day, the profile's LP shift counts rounded to the agents who
    work that day, handed to them by assignment under the rest rule and the contract
    hours still reachable; an agent no rounded shift suits takes the legal shift the LP
    used most. Every tour-model variable is then set from this roster. Returns True when
    the values satisfy every row of the model (a valid MIP start and fallback).
    """
    shifts, problem = model.shifts, model.problem
    lp = model.lp_values
    weekdays = np.asarray(pd.DatetimeIndex(model.requirement.local_dates()).day_of_week)
    rest = rules.min_rest_hours * 60.0
    paid = shifts.paid_minutes / 60.0
    x = np.zeros(len(shifts))
    by_name = problem.variablesDict()
    starts: dict[str, float] = {}
    for p, profile in enumerate(tour.profiles):
        members = profile.agents
        blocks = tour.blocks[p]
        lp_counts = [np.array([lp.get(v.name, 0.0) for v in bl.variables]) for bl in blocks]
        rounded = [_round_to_total(c, len(members)) for c in lp_counts]
        worked, chosen = _patterns_to_agents(blocks, rounded, members, agents, weekdays, rules)
        mine = profile.shifts
        lp_x = np.array([lp.get(tour.profile_shift_vars[p][int(j)].name, 0.0) for j in mine])
        low_len, high_len = paid[mine].min(), paid[mine].max()
        last_end = np.full(len(members), -np.inf)
        used = np.zeros(len(members))
        taken: dict[int, int] = {}
        for d in range(tour.n_days):
            b, i = divmod(d, 7)
            if i == 0:
                used[:] = 0.0
            length = blocks[b].worked.shape[1]
            low = profile.min_hours if length == 7 else 0.0
            working = np.flatnonzero(worked[:, d])
            today = np.flatnonzero(shifts.day[mine] == d)
            if len(working) == 0:
                continue
            if len(today) == 0:
                return False
            left_days = worked[working, d + 1 : blocks[b].first_day + length].sum(axis=1)
            cand = mine[today]
            # legal[a, c]: rest after the agent's last shift and hours still reachable
            after = used[working][:, None] + paid[cand][None, :]
            legal = last_end[working][:, None] + rest <= shifts.start_minute[cand][None, :]
            legal &= after + left_days[:, None] * low_len <= profile.max_hours + 1e-9
            legal &= after + left_days[:, None] * high_len >= low - 1e-9
            target = np.repeat(today, _round_to_total(lp_x[today], len(working)))
            t_shift = mine[target]
            position = np.searchsorted(cand, t_shift)
            cost = np.where(legal[:, position], 0.0, _FORBIDDEN)
            ends = shifts.end_minute[t_shift]
            tomorrow = worked[working, d + 1] if d + 1 < tour.n_days else np.zeros(len(working))
            cost += tomorrow[:, None] * (ends - ends.min())[None, :] / 60.0
            rows, cols = linear_sum_assignment(cost)
            pick = np.empty(len(working), dtype=np.int64)
            pick[rows] = t_shift[cols]
            for r in rows[cost[rows, cols] >= _FORBIDDEN]:
                options = np.flatnonzero(legal[r])
                if len(options) == 0:
                    return False
                pick[r] = cand[options[np.argmax(lp_x[today][options])]]
            for r, shift in zip(working, pick, strict=True):
                used[r] += paid[shift]
                last_end[r] = shifts.end_minute[shift]
                x[shift] += 1
                taken[int(shift)] = taken.get(int(shift), 0) + 1
        for j, variable in tour.profile_shift_vars[p].items():
            starts[variable.name] = float(taken.get(j, 0))
        for b, block in enumerate(blocks):
            counts = np.bincount(chosen[:, b], minlength=len(block.variables))
            for variable, value in zip(block.variables, counts, strict=True):
                starts[variable.name] = float(value)
            if b + 1 < len(blocks):
                trails = block.trail[chosen[:, b]]
                pairs = zip(trails, blocks[b + 1].lead[chosen[:, b + 1]], strict=True)
                flows: dict[str, float] = {}
                for t, lead in pairs:
                    name = f"flow_{p}_{b}_{t}_{lead}"
                    flows[name] = flows.get(name, 0.0) + 1.0
                for name in [n for n in by_name if n.startswith(f"flow_{p}_{b}_")]:
                    starts[name] = flows.pop(name, 0.0)
                if flows:
                    return False
    set_start_from_counts(model, x)
    for name, value in starts.items():
        by_name[name].setInitialValue(value, check=False)
    return all(c.valid(1e-6) for c in problem.constraints())


def improve_by_day(
    model: ShiftModel,
    tour: TourModel,
    incumbent: dict[str, float],
    objective: float,
    settings: SolverSettings,
    deadline: float,
) -> tuple[dict[str, float], float, bool]:
    """Fix-and-optimise: re-solve one day's shifts at a time, everything else fixed.

    Day patterns stay as in the incumbent; the shifts (and breaks) of one local day are
    re-optimised exactly by the MIP solver, started from the incumbent, while every
    other day is fixed; rows across days (rest) keep the result feasible. Sweeps over
    all days repeat while a sweep gains more than 0.01 % (at most
    ``IMPROVE_SWEEPS``), or until ``deadline``. Returns the incumbent, its objective and
    whether a limit stopped a sub-solve.
    """
    problem = model.problem
    everything = problem.variables()
    saved = {v.name: (v.lowBound, v.upBound) for v in everything}
    day_of: dict[str, int] = {}
    day = model.shifts.day
    for j, variable in enumerate(model.shift_vars):
        day_of[variable.name] = int(day[j])
    for b, variable in enumerate(model.break_vars):
        day_of[variable.name] = int(day[model.breaks.movable_shift[b]])
    for variables in tour.profile_shift_vars:
        for j, variable in variables.items():
            day_of[variable.name] = int(day[j])
    patterns = {v.name for blocks in tour.blocks for block in blocks for v in block.variables}
    sub_settings = settings.model_copy(
        update={"mip_gap": settings.mip_gap / (4 * max(tour.n_days, 1))}
    )
    limited = False
    for _ in range(IMPROVE_SWEEPS):
        before = objective
        for d in range(tour.n_days):
            if time.perf_counter() >= deadline:
                limited = True
                break
            for v in everything:
                name = v.name
                if name in patterns or day_of.get(name, d) != d:
                    v.lowBound = v.upBound = incumbent[name]
                else:
                    v.lowBound, v.upBound = saved[name]
                v.setInitialValue(incumbent[name], check=False)
            step = solve(
                problem,
                sub_settings,
                warm_start=True,
                time_limit_seconds=max(min(deadline - time.perf_counter(), 30.0), 1.0),
            )
            limited = limited or step.stopped_by_limit
            if step.status not in ("infeasible", "no_solution") and (
                step.objective < objective - 1e-6
            ):
                objective = step.objective
                incumbent = {
                    v.name: float(round(v.varValue or 0.0))
                    if v.cat == pulp.LpInteger
                    else float(v.varValue or 0.0)
                    for v in everything
                }
        if limited or before - objective <= 1e-4 * abs(before):
            break
    for v in everything:
        v.lowBound, v.upBound = saved[v.name]
        v.setInitialValue(incumbent[v.name], check=False)
    return incumbent, objective, limited


def _full_model_bound(
    problem: pulp.LpProblem,
    tour: TourModel,
    settings: SolverSettings,
    deadline: float,
    full_lp_bound: float,
) -> float:
    """Lower bound of the full model (unsafe patterns allowed) proved by its MIP.

    The restricted solution loaded in ``problem`` is the MIP start; the values and the
    restriction are restored afterwards, so only the bound is taken from this solve.
    Runs for at most ``FULL_BOUND_SHARE`` of the phase-1 time; NaN when no time is left.
    """
    left = min(deadline - time.perf_counter(), FULL_BOUND_SHARE * settings.time_limit_seconds)
    if left <= 1.0:
        return math.nan
    kept = {v.name: v.varValue for v in problem.variables()}
    for v in problem.variables():
        v.setInitialValue(float(v.varValue or 0.0), check=False)
    for variable in tour.unsafe:
        variable.upBound = None
    report = solve(
        problem, settings, warm_start=True, lp_bound=full_lp_bound, time_limit_seconds=left
    )
    for variable in tour.unsafe:
        variable.upBound = 0
    for v in problem.variables():
        v.varValue = kept[v.name]
    return report.best_bound if math.isfinite(report.best_bound) else math.nan


def solve_tour_model(
    model: ShiftModel,
    tour: TourModel,
    agents: Sequence[Agent],
    rules: ScheduleRules,
    settings: SolverSettings,
) -> SolveReport:
    """Solve phase 1: LP bound, a constructive first incumbent, then the full MIP.

    1. The LP relaxation gives the LP bound.
    2. :func:`constructive_start` turns the LP solution into a roster that respects
       every rule and loads it as the incumbent (so a short time limit still returns
       a full roster); :func:`improve_by_day` improves it day by day.
    3. The full MIP runs in the time left, started from that incumbent; the better of
       the two is kept and the gap is measured against the full model's bound.
    """
    started = time.perf_counter()
    problem = model.problem
    lp_bound = solve_relaxation(problem, settings)
    deadline = started + settings.time_limit_seconds
    full_lp_bound = lp_bound
    if tour.unsafe and math.isfinite(lp_bound):
        # solve with the patterns whose hours always fit (so the hand-over never has to
        # repair hours); the bound stays the LP bound of the full model
        for variable in tour.unsafe:
            variable.upBound = 0
        lp_bound = solve_relaxation(problem, settings)
        if not math.isfinite(lp_bound):
            for variable in tour.unsafe:
                variable.upBound = None
            tour.unsafe = []
            lp_bound = solve_relaxation(problem, settings)
    incumbent: dict[str, float] | None = None
    incumbent_objective = math.inf
    limited = False
    if math.isfinite(lp_bound):
        model.lp_values = {v.name: float(v.varValue or 0.0) for v in problem.variables()}
        if constructive_start(model, tour, agents, rules):
            incumbent = {v.name: float(v.varValue or 0.0) for v in problem.variables()}
            incumbent_objective = float(pulp.value(problem.objective) or 0.0)
            incumbent, incumbent_objective, limited = improve_by_day(
                model,
                tour,
                incumbent,
                incumbent_objective,
                settings,
                started + IMPROVE_SHARE * settings.time_limit_seconds,
            )
    left = deadline - time.perf_counter()
    report = SolveReport("no_solution", math.nan, lp_bound, math.nan, 0.0, settings.solver)
    if incumbent is None or (left > 1.0 and incumbent_objective - lp_bound > 1e-6):
        report = solve(
            problem,
            settings,
            warm_start=incumbent is not None,
            lp_bound=lp_bound,
            time_limit_seconds=max(left, 1.0),
        )
    if incumbent is not None and (
        report.status in ("infeasible", "no_solution") or report.objective > incumbent_objective
    ):
        for v in problem.variables():
            v.varValue = incumbent[v.name]
        bound = report.best_bound if math.isfinite(report.best_bound) else lp_bound
        bound = min(max(bound, lp_bound), incumbent_objective)
        gap = relative_gap(incumbent_objective, bound)
        status = "optimal" if gap <= 1e-9 else "gap_limit" if gap <= settings.mip_gap else ""
        limited = limited or report.stopped_by_limit
        status = status or ("time_limit" if limited else "feasible")
        report = SolveReport(
            status, incumbent_objective, bound, gap, 0.0, settings.solver, lp_bound, limited
        )
    if tour.unsafe and report.status not in ("infeasible", "no_solution"):
        # the restricted model's own bound is not a bound of every roster: report the
        # full model's bound instead (its MIP bound when time is left, else its LP bound)
        full_bound = full_lp_bound
        if relative_gap(report.objective, full_lp_bound) > settings.mip_gap:
            # time the restricted MIP left unused proves the full model's MIP bound
            proved = _full_model_bound(problem, tour, settings, deadline, full_lp_bound)
            full_bound = max(full_lp_bound, proved) if math.isfinite(proved) else full_lp_bound
        gap = relative_gap(report.objective, min(full_bound, report.objective))
        status = "optimal" if gap <= 1e-9 else "gap_limit" if gap <= settings.mip_gap else ""
        limited = limited or report.stopped_by_limit
        status = status or ("time_limit" if limited else "feasible")
        report = replace(
            report,
            status=status,
            best_bound=min(full_bound, report.objective),
            lp_bound=full_lp_bound,
            gap=gap,
            stopped_by_limit=limited,
        )
    return replace(report, solve_seconds=time.perf_counter() - started)
