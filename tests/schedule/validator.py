"""Independent roster validator: rechecks a ScheduleResult from its segments alone.

Written apart from the model code (it imports only the public boundary models): every
rule is re-derived from the segments frame, the agents, templates and rules, and the
coverage is recounted minute by minute. ``validate`` returns a list of human-readable
problems (empty when the roster is clean).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from wfm.schedule import Agent, ScheduleResult, ScheduleRules, ShiftTemplate


def _clock(stamp: pd.Timestamp) -> int:
    return stamp.hour * 60 + stamp.minute


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def recount_coverage(segments: pd.DataFrame, coverage: pd.DataFrame) -> np.ndarray:
    """Agents working per coverage row, from the work segments (fraction of interval)."""
    starts = pd.DatetimeIndex(coverage["interval_start"]).as_unit("ns").asi8
    grid = np.unique(starts)
    step = grid[1] - grid[0]
    out = np.zeros(len(coverage))
    work = segments[segments["activity"] == "work"]
    queues = coverage["queue"].to_numpy()
    for seg in work.itertuples(index=False):
        s0, s1 = pd.Timestamp(seg.start).value, pd.Timestamp(seg.end).value
        rows = queues == seg.queue
        left = np.maximum(starts, s0)
        right = np.minimum(starts + step, s1)
        out += rows * np.clip(right - left, 0, None) / step
    return out


def _shift_table(segments: pd.DataFrame) -> pd.DataFrame:
    busy = segments[segments["activity"] != "off"]
    return (
        busy.groupby(["agent", "shift_id"])
        .agg(
            start=("start", "min"),
            end=("end", "max"),
            template=("template", "first"),
            queue=("queue", "first"),
        )
        .reset_index()
        .sort_values(["agent", "start"])
    )


def _check_shift_breaks(
    shift: pd.DataFrame, template: ShiftTemplate, label: str, problems: list[str]
) -> float:
    """Check one shift's pieces; return its paid minutes."""
    pieces = shift.sort_values("start")
    start, end = pieces["start"].min(), pieces["end"].max()
    edges = pieces["start"].to_numpy()[1:] != pieces["end"].to_numpy()[:-1]
    if edges.any():
        problems.append(f"{label}: pieces of the shift are not contiguous")
    elapsed = (end - start) / pd.Timedelta(minutes=1)
    breaks = pieces[pieces["activity"] != "work"]
    fitted = None
    for paid in template.paid_minutes:
        rules = template.breaks_for(paid)
        if elapsed == paid + sum(r.length_minutes for r in rules if not r.paid):
            fitted = (paid, rules)
    if fitted is None:
        problems.append(f"{label}: elapsed {elapsed} min matches no paid length of {template.name}")
        return 0.0
    paid, rules = fitted
    if len(breaks) != len(rules):
        problems.append(f"{label}: {len(breaks)} breaks, template asks {len(rules)}")
        return float(paid)
    for rule, brk in zip(rules, breaks.itertuples(index=False), strict=True):
        offset = (brk.start - start) / pd.Timedelta(minutes=1)
        length = (brk.end - brk.start) / pd.Timedelta(minutes=1)
        if brk.activity != rule.activity or length != rule.length_minutes:
            problems.append(f"{label}: break {brk.activity} {length} min does not match rule")
        if not rule.earliest_start_minutes <= offset <= rule.latest_start_minutes:
            problems.append(f"{label}: break at +{offset} min outside its window")
        if (offset - rule.earliest_start_minutes) % rule.step_minutes:
            problems.append(f"{label}: break at +{offset} min off its step")
        if not (start < brk.start and brk.end < end):
            problems.append(f"{label}: break not inside the shift")
    return float(paid)


def validate(
    result: ScheduleResult,
    agents: Sequence[Agent],
    templates: Sequence[ShiftTemplate],
    rules: ScheduleRules,
) -> list[str]:
    """Every broken rule of a named roster, in words (empty list: nothing wrong)."""
    problems: list[str] = []
    seg = result.segments
    grid = pd.DatetimeIndex(result.coverage["interval_start"].unique()).sort_values()
    tz = grid.tz
    dates = list(grid.tz_localize(None).normalize().unique())
    day_index = {d: i for i, d in enumerate(dates)}
    n_days = len(dates)
    by_template = {t.name: t for t in templates}
    names = {a.agent for a in agents}
    if not set(seg["agent"]) <= names:
        problems.append(f"unknown agents {set(seg['agent']) - names}")
    # overlaps of any two segments of one agent
    for name, mine in seg.sort_values(["agent", "start"]).groupby("agent"):
        if (mine["start"].to_numpy()[1:] < mine["end"].to_numpy()[:-1]).any():
            problems.append(f"{name}: overlapping segments")
    table = _shift_table(seg)
    busy = seg[seg["activity"] != "off"]
    pieces_of = {key: frame for key, frame in busy.groupby(["agent", "shift_id"])}
    tables = {name: frame for name, frame in table.groupby("agent")}
    empty = table.iloc[:0]
    for agent in agents:
        mine = tables.get(agent.agent, empty)
        local_start = [pd.Timestamp(s).tz_convert(tz) for s in mine["start"]]
        local_end = [pd.Timestamp(s).tz_convert(tz) for s in mine["end"]]
        day = np.array([day_index[s.tz_localize(None).normalize()] for s in local_start], int)
        if len(set(day.tolist())) != len(day):
            problems.append(f"{agent.agent}: two shifts start on one day")
        paid_per_block = np.zeros(-(-n_days // 7))
        for k, row in enumerate(mine.itertuples(index=False)):
            label = f"{agent.agent} {row.shift_id}"
            template = by_template.get(row.template)
            if template is None:
                problems.append(f"{label}: unknown template {row.template}")
                continue
            if agent.templates is not None and row.template not in agent.templates:
                problems.append(f"{label}: template {row.template} outside contract")
            if agent.skills and row.queue not in agent.skills:
                problems.append(f"{label}: queue {row.queue} outside skills")
            weekday = local_start[k].day_of_week
            if weekday not in agent.available_days or weekday not in template.days:
                problems.append(f"{label}: starts on unavailable weekday {weekday}")
            clock = _clock(local_start[k])
            if clock not in template.start_minutes_of_day():
                problems.append(f"{label}: start {clock} min not a start of {template.name}")
            if agent.available_from is not None and clock < _minutes(agent.available_from):
                problems.append(f"{label}: starts before available_from")
            if agent.available_until is not None:
                end_clock = clock + (local_end[k] - local_start[k]) / pd.Timedelta(minutes=1)
                if end_clock > _minutes(agent.available_until):
                    problems.append(f"{label}: ends after available_until")
            paid = _check_shift_breaks(
                pieces_of[(agent.agent, row.shift_id)], template, label, problems
            )
            paid_per_block[day[k] // 7] += paid / 60.0
        for b, hours in enumerate(paid_per_block):
            full = min(7, n_days - 7 * b) == 7
            low = agent.min_weekly_hours if full else 0.0
            if not low - 1e-6 <= hours <= agent.max_weekly_hours + 1e-6:
                problems.append(f"{agent.agent}: {hours} h in week {b + 1} outside contract")
        ends = np.array([s.value for s in local_end])
        starts = np.array([s.value for s in local_start])
        rest = (starts[1:] - ends[:-1]) / 3.6e12
        if len(rest) and rest.min() < rules.min_rest_hours - 1e-9:
            problems.append(f"{agent.agent}: rest of {rest.min():.2f} h")
        worked = np.zeros(n_days, dtype=bool)
        worked[day] = True
        run = longest = 0
        for w in worked:
            run = run + 1 if w else 0
            longest = max(longest, run)
        if longest > rules.max_consecutive_days:
            problems.append(f"{agent.agent}: {longest} consecutive working days")
        k_off = rules.consecutive_days_off
        for b in range(n_days // 7 if k_off else 0):
            block = worked[7 * b : 7 * b + 7]
            if not any(not block[d : d + k_off].any() for d in range(7 - k_off + 1)):
                problems.append(f"{agent.agent}: no {k_off} consecutive days off in week {b + 1}")
    recount = recount_coverage(seg, result.coverage)
    if not np.allclose(recount, result.coverage["scheduled_agents"].to_numpy(), atol=1e-6):
        problems.append("coverage recount differs from the reported coverage")
    labour = 0.0
    for row in table.itertuples(index=False):
        template = by_template[row.template]
        pieces = pieces_of[(row.agent, row.shift_id)]
        unpaid = sum(
            (p.end - p.start) / pd.Timedelta(minutes=1)
            for p in pieces.itertuples(index=False)
            if p.activity == "lunch"
            and any(not r.paid and r.activity == "lunch" for r in template.breaks)
        )
        unpaid += sum(
            (p.end - p.start) / pd.Timedelta(minutes=1)
            for p in pieces.itertuples(index=False)
            if p.activity == "break"
            and any(not r.paid and r.activity == "break" for r in template.breaks)
        )
        paid = (row.end - row.start) / pd.Timedelta(minutes=1) - unpaid
        labour += template.cost_per_shift + template.cost_per_paid_hour * paid / 60.0
    if abs(labour - result.labour_cost) > 1e-6 * max(1.0, labour):
        problems.append(f"labour cost {result.labour_cost} but segments cost {labour}")
    return problems
